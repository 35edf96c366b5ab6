"""Sending each due reminder exactly once, across restarts, crashes, retries and several bot instances.

A tick plans what is due (reminder_plan), claims each new reminder by inserting its ledger row (the unique
key lets exactly one instance succeed), posts it, and records the outcome. A claim left unfinished, by a
crash or a Slack outage, is taken over after a timeout; because the earlier attempt may have posted
before dying, the target's recent history is searched for the reminder's key before posting again.
"""

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from handlers.collect import responses_to
from handlers.comment_windows import WindowSummary, summarise
from handlers.context import Services
from handlers.deadlines import describe_date
from handlers.installs import uninstalled_workspaces
from handlers.meetings import summarise_meeting
from handlers.reminder_plan import (
    WEEK,
    CommitteeState,
    DroppedNotice,
    DueReminder,
    ResponseCounts,
    Slip,
    Snooze,
    WindowState,
    instant_occasion,
    ledger_key,
    plan,
    resolution_about,
    window_about,
)
from handlers.resolutions import item_of, replan_passed_meetings
from storage.comments import windows_closing_between
from storage.committees import CommitteeView, clerk_ids, clerks_by_committee, committees_by_id
from storage.database import Session, StorageError
from storage.ledger import (
    LedgerKey,
    OutcomeBatches,
    dropped_channel_reminders_since,
    insert_unrecorded,
    items_named,
    oldest_claim_due,
    renew_claims,
    sent_of_kind,
    take_over_abandoned,
)
from storage.meetings import meetings_between
from storage.models import (
    CommentKind,
    CommentWindow,
    Meeting,
    ReminderMute,
    ReminderState,
    Resolution,
    ResolutionChange,
)
from storage.register import latest_slips_since, open_resolutions_due_before
from storage.settings import mutes, snoozes_since

log = logging.getLogger(__name__)

# Posts tried and failed for now (a timeout, a 5xx) before a reminder is given up. Only tries count: a claim
# taken over from an instance that died, or left by a tick too busy to post it before its lease ran out, tried
# nothing, and a busy machine must never make a reminder be given up.
MOST_ATTEMPTS = 5
# A post refused this many times for rate is left claimed, to be taken over and tried again later.
MOST_RATE_LIMITED = 5
# A tick catches up on what it missed in the last fortnight (sending or dropping it); older is ignored.
CATCH_UP = timedelta(days=14)
# Far enough ahead to see every item whose first reminder could be due now (two lead times before a meeting).
LOOK_AHEAD = timedelta(days=130)
POSTS_IN_FLIGHT = 100
OUTCOMES_PER_BATCH = 500
ALL_DIRECT_MESSAGES = "*"


class DeliveryFailed(Exception):
    def __init__(self, reason: str, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class RateLimited(DeliveryFailed):
    """The platform refused the post for now and did nothing with it: it may be sent again after a wait."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after} s", permanent=False)
        self.retry_after = retry_after


class ClaimLapsed(DeliveryFailed):
    """This tick may no longer hold the claim: the reminder is left, untried, for whoever takes it over."""

    def __init__(self) -> None:
        super().__init__("the claim lapsed before it could be posted", permanent=False)


class GaveUp(DeliveryFailed):
    """Posting was tried MOST_ATTEMPTS times, each failing for now: recorded as failed and reported."""

    def __init__(self, tries: int) -> None:
        super().__init__(f"gave up after {tries} tries", permanent=True)


class ReminderSender(Protocol):
    """How reminders are posted: bot.reminder_delivery.ReminderDelivery, over each platform's ReminderTransport."""

    def sending(self) -> AbstractAsyncContextManager[None]: ...  # around a tick's posts: connections to keep open

    async def send(self, reminder: DueReminder) -> str: ...  # the posted message's id; raises DeliveryFailed

    # Earlier posts to `target` carrying any of `keys`: the message id of each found, by key.
    async def find_posted(self, workspace_id: str, target: str, keys: set[str]) -> dict[str, str]: ...

    async def report_failures(
        self, committee: CommitteeView, clerks: list[str], failures: list[tuple[DueReminder, str]]
    ) -> None: ...


@dataclass(frozen=True)
class ReminderTiming:
    # Slack accepts about one message a second per channel.
    pace_seconds: float = 1.0
    claim_timeout: timedelta = timedelta(minutes=5)
    # Outcomes are written in batches this far apart; a crash loses at most this much of the record.
    record_every_seconds: float = 0.5


@dataclass
class TickReport:
    sent: int = 0
    dropped: int = 0
    failed: int = 0
    retried: int = 0


async def tick(
    services: Services, sender: ReminderSender, instance: str, timing: ReminderTiming = ReminderTiming()
) -> TickReport:
    now = services.clock()
    # A meeting passing is the one change nobody makes: its reports move on here, before anything is planned,
    # so that reminders, digests, /actions, Home and exports all see them where they now are.
    await replan_passed_meetings(services, now)
    due, gone = _partition_uninstalled(await due_reminders(services, now), await uninstalled_workspaces(services))
    taken_over, given_up = await _abandoned_claims(services, due, instance, now, timing.claim_timeout)
    firsts, later = _first_for_each_target([r for r in due if r.stale_after > now])
    mine = await _claim(services, firsts, instance, now)
    # No target can take its second reminder before the pace has passed: meanwhile the rest are claimed, and
    # what is out of date is recorded as dropped.
    claiming = asyncio.create_task(_claim(services, later, instance, now))
    # A workspace that uninstalled the bot gets nothing: its reminders are dropped, once, like stale ones.
    stale = [r for r in due if r.stale_after <= now] + gone
    dropping = asyncio.create_task(_record(services, stale, instance, now, ReminderState.DROPPED))
    lease = Lease(services.clock, now, timing.claim_timeout)
    async with _claims_renewed(services, instance, lease, claiming):
        outcomes = await _post_and_record(services, sender, timing, lease, mine, claiming, taken_over, given_up)
    await claiming  # raises if that claim failed, now that what was posted is recorded
    report = TickReport(retried=len(taken_over), dropped=await dropping)
    await _count_and_report_failures(services, sender, outcomes, report)
    if report.sent or report.failed or report.dropped:
        log.info("reminders tick by %s: %s", instance, report)
    return report


def _partition_uninstalled(
    due: list[DueReminder], uninstalled: set[str]
) -> tuple[list[DueReminder], list[DueReminder]]:
    """The reminders for workspaces that have the bot, and those for workspaces that uninstalled it."""
    kept = [r for r in due if r.committee.workspace_id not in uninstalled]
    return kept, [r for r in due if r.committee.workspace_id in uninstalled]


async def ledger_lag(services: Services) -> timedelta:
    """How far behind the ledger is: how long past its planned time the oldest reminder still claimed is (nothing
    when every claim has been seen through). It grows while the platform refuses posts or an instance's claims wait
    to be taken over."""
    async with services.database.session() as session:
        oldest = await oldest_claim_due(session)
    return max(services.clock() - oldest, timedelta(0)) if oldest else timedelta(0)


async def _post_and_record(
    services: Services,
    sender: ReminderSender,
    timing: ReminderTiming,
    lease: "Lease",
    claimed: list[DueReminder],
    claiming: asyncio.Task[list[DueReminder]],
    taken_over: list[DueReminder],
    given_up: list["Outcome"],
) -> list["Outcome"]:
    """Posts what this instance claimed or took over (unless found already posted), and records every outcome."""
    outcomes = OutcomeBatches(services.database, services.clock, timing.record_every_seconds, OUTCOMES_PER_BATCH)
    async with sender.sending(), outcomes:
        to_send, unfindable = await _not_already_posted(sender, taken_over, outcomes)
        delivered = await _deliver(sender, claimed + to_send, claiming, timing.pace_seconds, lease, outcomes)
        for outcome in unfindable + given_up:
            _note(outcomes, outcome)
    return delivered + unfindable + given_up


async def _abandoned_claims(
    services: Services, due: list[DueReminder], instance: str, now: datetime, claim_timeout: timedelta
) -> tuple[list[DueReminder], list["Outcome"]]:
    """Reminders taken over from instances that went quiet, and those given up after too many attempts."""
    planned = {reminder.identity: reminder for reminder in due}
    abandoned = await _take_over_abandoned(services, planned, instance, now, claim_timeout)
    taken_over = [reminder for reminder, tries in abandoned if tries < MOST_ATTEMPTS]
    given_up: list[Outcome] = [
        (reminder, None, GaveUp(tries)) for reminder, tries in abandoned if tries >= MOST_ATTEMPTS
    ]
    return taken_over, given_up


async def due_reminders(services: Services, now: datetime) -> list[DueReminder]:
    """Every reminder whose instant has come within the catch-up span, except muted ones."""
    async with services.database.session() as session:
        states = await _committee_states(services, session, now)
        muted = await mutes(session)
    due = [r for state in states for r in plan(state, now) if now - CATCH_UP <= r.due <= now]
    return [r for r in due if not _muted(r, muted)]


async def instants_to_tick(services: Services, after: datetime, until: datetime) -> list[datetime]:
    """When, after `after` and up to `until`, a tick has something to do: reminders fall due, or meetings start
    (the reports owed to them then move on). For a front end that moves its own clock, like the console."""
    due = {r.due for r in await due_reminders(services, until) if after < r.due <= until}
    async with services.database.session() as session:
        starts = {m.starts_at for m in await meetings_between(session, after, until) if m.starts_at > after}
    return sorted(due | starts)


def _muted(reminder: DueReminder, mutes: list[ReminderMute]) -> bool:
    for mute in mutes:
        if mute.item == reminder.item and not mute.user_id:
            return True
        if mute.user_id == reminder.target and reminder.is_direct and mute.item in (reminder.item, ALL_DIRECT_MESSAGES):
            return True
    return False


async def _committee_states(services: Services, session: Session, now: datetime) -> list[CommitteeState]:
    windows = await windows_closing_between(session, now - 5 * WEEK, now + 2 * WEEK)
    resolutions = await open_resolutions_due_before(session, now + LOOK_AHEAD)
    meetings = await meetings_between(session, now, now + LOOK_AHEAD)
    slips = await latest_slips_since(session, now - CATCH_UP)
    ids = {w.committee_id for w in windows} | {r.committee_id for r in resolutions} | {m.committee_id for m in meetings}
    ids |= {resolution.committee_id for resolution, _, _ in slips}
    committees = await committees_by_id(session, ids)
    clerks = await clerks_by_committee(session, ids)
    states = {cid: CommitteeState(committee, clerks.get(cid, [])) for cid, committee in committees.items()}
    compiled = await sent_of_kind(session, [f"window:{window.id}" for window in windows], "window.compiled")
    for window in windows:
        state = states[window.committee_id]
        summary = summarise(window, state.committee)
        state.windows.append(await _window_state(services, summary, state.committee, compiled))
    for resolution in resolutions:
        state = states[resolution.committee_id]
        state.actions.append(item_of(resolution, state.committee))
    for meeting in meetings:
        states[meeting.committee_id].meetings.append(summarise_meeting(meeting, states[meeting.committee_id].committee))
    for resolution, change, now_due_at in slips:
        state = states[resolution.committee_id]
        if slip := _slip(resolution, change, now_due_at, state.committee):
            state.slips.append(slip)
    snoozes = [Snooze(s.item, s.kind, s.occasion, s.until) for s in await snoozes_since(session, now - CATCH_UP)]
    for state in states.values():
        state.snoozes = snoozes
    await _add_dropped(session, states, now)
    return list(states.values())


def _slip(
    resolution: Resolution, change: ResolutionChange, now_due_at: Meeting | None, committee: CommitteeView
) -> Slip | None:
    """A report's latest slip, from its history entry: the meeting it was due at, and where it is due now."""
    was_due_at = json.loads(change.before or "{}").get("due_at")
    if not was_due_at:
        return None
    meeting = summarise_meeting(now_due_at, committee) if now_due_at else None
    return Slip(item_of(resolution, committee), change.at, datetime.fromisoformat(was_due_at), meeting)


async def _add_dropped(session: Session, states: dict[int, CommitteeState], now: datetime) -> None:
    """The channel reminders dropped in the last fortnight, named as people name their items."""
    rows = await dropped_channel_reminders_since(session, states.keys(), now - CATCH_UP)
    names = await items_named(session, {row.item for row in rows})
    dropped: dict[int, list[DroppedNotice]] = defaultdict(list)
    for row in rows:
        about = _about(row.item, names, states[row.committee_id].committee)
        dropped[row.committee_id].append(DroppedNotice(row.kind, about, row.due, row.completed_at))
    for committee_id, notices in dropped.items():
        states[committee_id].dropped = tuple(notices)


def _about(item: str, found: dict[str, CommentWindow | Resolution | Meeting], committee: CommitteeView) -> str:
    named = found.get(item)
    if isinstance(named, CommentWindow):
        return window_about(named.title)
    if isinstance(named, Resolution):
        return resolution_about(named.id, named.text)
    if isinstance(named, Meeting):
        return f"the meeting on {describe_date(named.starts_at, committee.timezone)}"
    return "an item that no longer exists"


async def _window_state(
    services: Services, window: WindowSummary, committee: CommitteeView, compiled: dict[str, list[tuple[str, datetime]]]
) -> WindowState:
    """The window, who has not responded (for the nudge), how many comments from how many members, and when the
    comments of an earlier closing went to the officer if it has closed before."""
    found = await responses_to(services, committee.workspace_id, window)
    comments = [comment for comment in found.comments if comment.kind == CommentKind.COMMENT]
    commenters = {comment.author_user_id for comment in comments}
    had_none = {comment.author_user_id for comment in found.comments if comment.kind == CommentKind.NO_COMMENTS}
    counts = ResponseCounts(len(comments), len(commenters), len(had_none), len(found.responded))
    closing = instant_occasion(window.deadline)
    earlier = [at for occasion, at in compiled.get(f"window:{window.id}", []) if occasion != closing]
    return WindowState(window, found.waiting_for, counts, max(earlier, default=None))


async def _claim(services: Services, reminders: list[DueReminder], instance: str, now: datetime) -> list[DueReminder]:
    claimed = await _record_new(services, reminders, instance, now, ReminderState.CLAIMED)
    return [r for r in reminders if r.identity in claimed]


async def _record(services: Services, reminders: list[DueReminder], instance: str, now: datetime, state: str) -> int:
    return len(await _record_new(services, reminders, instance, now, state))


async def _record_new(
    services: Services, reminders: list[DueReminder], instance: str, now: datetime, state: str
) -> set[LedgerKey]:
    """Records in the ledger the reminders no instance has recorded yet; the keys of those recorded now."""
    async with services.database.session() as session:
        recorded = await insert_unrecorded(session, [r.ledger_entry for r in reminders], instance, now, state)
        await session.commit()
    return recorded


async def _take_over_abandoned(
    services: Services, planned: dict[LedgerKey, DueReminder], instance: str, now: datetime, timeout: timedelta
) -> list[tuple[DueReminder, int]]:
    """Claims whose instance went quiet, now this instance's, each with how many posts of it were tried so far.
    Taking a claim over is not a try: the instance that went quiet may have died before posting, or stopped
    because it was too busy to post in time. Those no longer planned are recorded as dropped."""
    async with services.database.session() as session:
        taken = await take_over_abandoned(session, planned, instance, now, now - timeout)
        await session.commit()
    return [(planned[key], tries) for key, tries in taken]


class Lease:
    """Until when this tick's claims are surely its own: another instance takes a claim over only once it is a
    claim timeout old, by the same clock. Posting stops a third of a timeout before that (far longer than a post
    may take), so a tick whose renewals fail, or whose process stalled, leaves the rest to the instance that
    takes them over instead of posting them alongside it."""

    def __init__(self, clock: Callable[[], datetime], claimed_at: datetime, claim_timeout: timedelta) -> None:
        self.clock, self.claimed_at, self.timeout = clock, claimed_at, claim_timeout
        self.only: set[str] | None = None  # after a late renewal, the keys of the claims it found still ours
        self._lapse_logged = False

    @property
    def renewal_interval(self) -> float:
        return self.timeout.total_seconds() / 3

    def renewed(self, written: datetime, still_ours: set[str]) -> None:
        # A renewal that finished before any claim could be taken over holds every one; a later one holds only
        # those it found still ours.
        if self.clock() >= self.claimed_at + self.timeout or self.only is not None:
            self.only = still_ours
        self.claimed_at = written

    def holds(self, key: str) -> bool:
        if self.clock() < self.claimed_at + self.timeout * 2 / 3 and (self.only is None or key in self.only):
            return True
        if not self._lapse_logged:
            log.warning("claims renewed at %s may have been taken over; posting them stops", self.claimed_at)
            self._lapse_logged = True
        return False


@asynccontextmanager
async def _claims_renewed(
    services: Services, instance: str, lease: Lease, claiming: asyncio.Task[list[DueReminder]]
) -> AsyncIterator[None]:
    """A tick held back by Slack's pace (thousands of posts, a storm of 429s) can outlast the claim timeout.
    Renewing its claims three times a timeout keeps other instances from taking them over, and posting them
    again, while it is still working through them."""
    since = lease.claimed_at

    async def renew() -> None:
        try:
            lease.renewed(*await _renew_claims(services, instance, since))
        except (StorageError, OSError):
            log.exception("could not renew the claims of %s; trying again shortly", instance)

    async def renew_periodically() -> None:
        await asyncio.sleep(lease.renewal_interval)
        # A renewal waits until every claim is in: one inserted after it would keep the tick's first claim time,
        # which the lease would then have moved past.
        await asyncio.wait({claiming})
        while True:
            await renew()
            await asyncio.sleep(lease.renewal_interval)

    renewing = asyncio.create_task(renew_periodically())
    try:
        yield
    finally:
        renewing.cancel()
        with suppress(asyncio.CancelledError):
            await renewing


async def _renew_claims(services: Services, instance: str, since: datetime) -> tuple[datetime, set[str]]:
    """This tick's claims (made or taken over since it began) that have no outcome yet: when they were renewed,
    and the keys of those renewed."""
    renewed_at = services.clock()
    async with services.database.session() as session:
        renewed = await renew_claims(session, instance, since, renewed_at)
        await session.commit()
    return renewed_at, {ledger_key(*key) for key in renewed}


async def _not_already_posted(
    sender: ReminderSender, reminders: list[DueReminder], outcomes: OutcomeBatches
) -> tuple[list[DueReminder], list["Outcome"]]:
    """Of reminders whose earlier attempt ended unknown, those not found in the target's history (the found
    ones are recorded as sent), and those whose target is gone for good."""
    still_to_send, gone = [], []
    # One look at each target's history: Slack allows about 50 a minute, and a crash can leave thousands.
    for target, waiting in _by_target(reminders).items():
        try:
            workspace_id = waiting[0].committee.workspace_id
            found = await sender.find_posted(workspace_id, target, {reminder.key for reminder in waiting})
        except DeliveryFailed as failure:
            gone.extend(_unchecked(target, waiting, failure))
            continue
        for reminder in waiting:
            if reminder.key in found:
                outcomes.sent(reminder.identity, found[reminder.key])
            else:
                still_to_send.append(reminder)
    return still_to_send, gone


Outcome = tuple[DueReminder, str | None, DeliveryFailed | None]


def _unchecked(target: str, waiting: list[DueReminder], failure: DeliveryFailed) -> list[Outcome]:
    """Reminders whose target's history could not be read: failed for good if the target is gone; otherwise
    unknown whether they went out, so they stay claimed and are looked for again later."""
    log.warning("could not check whether %d reminder(s) to %s were posted: %s", len(waiting), target, failure.reason)
    return [(reminder, None, failure) for reminder in waiting] if failure.permanent else []


def _first_for_each_target(reminders: list[DueReminder]) -> tuple[list[DueReminder], list[DueReminder]]:
    """The earliest reminder due for each target, and the others."""
    queues = _by_target(reminders).values()
    return [queue[0] for queue in queues], [reminder for queue in queues for reminder in queue[1:]]


def _by_target(reminders: list[DueReminder]) -> dict[str, list[DueReminder]]:
    by_target: dict[str, list[DueReminder]] = defaultdict(list)
    for reminder in sorted(reminders, key=lambda r: r.due):
        by_target[reminder.target].append(reminder)
    return by_target


async def _deliver(
    sender: ReminderSender,
    claimed: list[DueReminder],
    claiming: asyncio.Task[list[DueReminder]],
    pace: float,
    lease: Lease,
    outcomes: OutcomeBatches,
) -> list[Outcome]:
    """Each target has its own queue, posted in order a pace apart; the targets proceed side by side. A queue
    starts with what is claimed already and goes on with what `claiming` claims meanwhile."""
    slots = asyncio.Semaphore(POSTS_IN_FLIGHT)
    early = _by_target(claimed)
    late = asyncio.create_task(_by_target_once_claimed(claiming))

    async def queue_of(target: str) -> AsyncIterator[DueReminder]:
        for reminder in early.get(target, []):
            yield reminder
        for reminder in (await late).get(target, []):
            yield reminder

    async def one_target(target: str) -> list[Outcome]:
        sent: list[Outcome] = []
        clock = asyncio.get_running_loop().time
        next_post_at = 0.0
        async for reminder in queue_of(target):
            await asyncio.sleep(max(0.0, next_post_at - clock()))
            outcome = await _send_one(sender, reminder, slots, lease)
            next_post_at = clock() + pace
            _note(outcomes, outcome)
            sent.append(outcome)
        return sent

    async def targets_claimed_late() -> list[Outcome]:
        results = await asyncio.gather(*(one_target(target) for target in (await late).keys() - early.keys()))
        return [outcome for outcomes in results for outcome in outcomes]

    results = await asyncio.gather(*(one_target(target) for target in early), targets_claimed_late())
    return [outcome for outcomes in results for outcome in outcomes]


async def _by_target_once_claimed(claiming: asyncio.Task[list[DueReminder]]) -> dict[str, list[DueReminder]]:
    """What `claiming` claimed, by target; nothing if the claim failed (it inserted nothing then, and the next
    tick claims those reminders), the error being raised once the posts under way are done."""
    try:
        return _by_target(await claiming)
    except StorageError:
        return {}


async def _send_one(sender: ReminderSender, reminder: DueReminder, slots: asyncio.Semaphore, lease: Lease) -> Outcome:
    """A slot bounds the posts in flight, not the targets: waiting out the pace or a rate limit holds none.
    A rate-limited post did nothing, so it is sent again once the wait the platform asked for is over."""
    refusals = 0
    while True:
        try:
            async with slots:
                if not lease.holds(reminder.key):
                    return reminder, None, ClaimLapsed()
                return reminder, await sender.send(reminder), None
        except RateLimited as limited:
            refusals += 1
            if refusals == MOST_RATE_LIMITED:
                return _undelivered(reminder, limited)
            await asyncio.sleep(limited.retry_after)
        except DeliveryFailed as failure:
            return _undelivered(reminder, failure)


def _undelivered(reminder: DueReminder, failure: DeliveryFailed) -> Outcome:
    log.warning("reminder %s not delivered: %s", reminder.key, failure.reason)
    return reminder, None, failure


def _note(outcomes: OutcomeBatches, outcome: Outcome) -> None:
    """Records an outcome. A temporary failure stays claimed: it is taken over after the claim timeout, history
    checked first, and counts against MOST_ATTEMPTS. Only a post that reached the platform counts as a try: one
    this tick no longer held the claim for, or one refused for rate (the platform did nothing with it), did not."""
    reminder, message_ref, failure = outcome
    if failure is None:
        outcomes.sent(reminder.identity, message_ref)
    elif failure.permanent:
        outcomes.failed(reminder.identity, failure.reason, tried=not isinstance(failure, GaveUp))
    elif not isinstance(failure, ClaimLapsed | RateLimited):
        outcomes.tried(reminder.identity, failure.reason)


async def _count_and_report_failures(
    services: Services, sender: ReminderSender, outcomes: list[Outcome], report: TickReport
) -> None:
    """Counts the outcomes, and tells each committee's clerks which reminders could not be delivered."""
    failures: dict[int, list[tuple[DueReminder, str]]] = defaultdict(list)
    for reminder, _message_ref, failure in outcomes:
        if failure is None:
            report.sent += 1
        elif failure.permanent:
            failures[reminder.committee.id].append((reminder, failure.reason))
            report.failed += 1
    for committee_failures in failures.values():
        committee = committee_failures[0][0].committee
        async with services.database.session() as session:
            clerks = await clerk_ids(session, committee.id)
        await sender.report_failures(committee, clerks, committee_failures)
