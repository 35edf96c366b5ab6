"""Which reminders are due: worked out on each tick from the committees' own tables, never stored as jobs.

A reminder is one occasion of one item: "the 7-day notice about the deadline of 11 December for window 3".
That, with its target, is its identity in the ledger; when it is planned to go out (the committee's reminder
hour, on a working day counted back from the occasion) is only data, so a changed hour, a deadline moved by
minutes or a changed zone never makes a sent reminder new. Each reminder also has an instant after which it no
longer makes sense. A tick sends everything planned up to now that is still sensible, so catching up after
downtime needs nothing special; what is no longer sensible is dropped and the clerks hear of it in their next
digest. A notice planned before its item was given its date never made sense and is not planned at all: the
announcement of the item said how long was left.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from handlers import working_days
from handlers.comment_windows import WindowSummary
from handlers.deadlines import describe_date
from handlers.meetings import MeetingSummary
from handlers.resolutions import ActionItem
from handlers.wording import shortened
from storage.committees import CommitteeView
from storage.ledger import LedgerEntry, LedgerKey
from storage.models import FORMER_MEMBER

WEEK = timedelta(days=7)
SNOOZE = WEEK
MOST_OVERDUE_LISTED = 20
# A snoozed notice posted again: its kind and occasion are the original's, marked so.
AGAIN = ".again"
WINDOW_NOTICES = (("window.week", 7), ("window.tomorrow", 1), ("window.today", 0))


def ledger_key(item: str, kind: str, occasion: str, target: str) -> str:
    """A planned reminder's key, or a ledger row's: the same text for the same reminder."""
    return f"{item}|{kind}|{occasion}|{target}"


def day_occasion(day: date) -> str:
    return day.isoformat()


def instant_occasion(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat()


def window_about(title: str) -> str:
    return f"comments on “{title}”"


def meeting_about(starts_at: datetime, timezone: str) -> str:
    return f"the meeting on {describe_date(starts_at, timezone)}"


def resolution_about(resolution_id: int, text: str) -> str:
    return f"R{resolution_id} {shortened(text, 80).rstrip('.')}"


@dataclass(frozen=True)
class DroppedNotice:
    """A reminder not sent because it was out of date by the time the bot could send it."""

    kind: str
    about: str  # the item, as people name it
    due: datetime  # when it should have gone out
    dropped_at: datetime


class ResponseCounts(NamedTuple):
    """How a comment window stands: its comments, the members who wrote them, those who said they had none, and
    every member who responded either way."""

    comments: int = 0
    commenters: int = 0
    had_none: int = 0
    responded: int = 0


@dataclass(frozen=True)
class DueReminder:
    committee: CommitteeView
    item: str  # "window:12", "resolution:7", "meeting:3", "committee:4"
    kind: str
    occasion: str  # what it is about: the day it counts down to, a deadline's instant, a digest's week
    due: datetime  # planned instant, UTC
    target: str  # the committee's channel, or a person's user id for a direct message
    stale_after: datetime
    window: WindowSummary | None = None
    action: ActionItem | None = None
    meeting: MeetingSummary | None = None  # the meeting a report is due at, or a digest is for
    items: tuple[ActionItem, ...] = ()  # what a digest lists
    dropped: tuple[DroppedNotice, ...] = ()  # what a digest owns up to
    counts: ResponseCounts = ResponseCounts()  # for comment-window notices
    slipped_from: datetime | None = None  # for a report that moved on: the meeting it was due at
    # A window closing again after a clerk reopened it: when the comments of its earlier closing went out.
    compiled_before: datetime | None = None

    @property
    def key(self) -> str:
        """Unique per reminder, and carried in the post's metadata so an unknown outcome can be checked."""
        return ledger_key(*self.identity)

    @property
    def identity(self) -> LedgerKey:
        """What makes it one reminder in the ledger."""
        return LedgerKey(self.item, self.kind, self.occasion, self.target)

    @property
    def ledger_entry(self) -> LedgerEntry:
        return LedgerEntry(self.committee.id, self.identity, self.due)

    @property
    def is_direct(self) -> bool:
        return self.target != self.committee.channel_id

    @property
    def base_kind(self) -> str:
        return self.kind.removesuffix(AGAIN)

    @property
    def snoozable(self) -> bool:
        """A week's snooze only makes sense where the notice posted again a week on still comes before the
        item's next notice (or the end of its run): it never holds back anything else."""
        if self.is_direct or self.kind.endswith(AGAIN):
            return False
        return again_at(self.due + SNOOZE, self.committee) < self.stale_after

    @property
    def about(self) -> str:
        """The item, as people name it."""
        if self.window is not None:
            return window_about(self.window.title)
        if self.action is not None:
            return resolution_about(self.action.id, self.action.text)
        if self.meeting is not None:
            return meeting_about(self.meeting.starts_at, self.meeting.timezone)
        return "the overdue resolutions"


def local_day(instant: datetime, committee: CommitteeView) -> date:
    return instant.astimezone(ZoneInfo(committee.timezone)).date()


def _at_hour(day: date, committee: CommitteeView) -> datetime:
    local = datetime.combine(day, time(committee.reminder_hour), tzinfo=ZoneInfo(committee.timezone))
    return local.astimezone(UTC)


def at_reminder_hour(day: date, committee: CommitteeView) -> datetime:
    """The committee's reminder hour on `day`, in its zone; on the last working day before, if `day` is not one
    and the committee skips non-working days. The occasion itself keeps its day."""
    if committee.skip_weekends:
        day = working_days.on_or_before(day, committee.bank_holidays)
    return _at_hour(day, committee)


def again_at(instant: datetime, committee: CommitteeView) -> datetime:
    """The first reminder hour at or after `instant`, on a working day if the committee skips the others: when
    something that happened at `instant` is told."""
    day = local_day(instant, committee)
    if _at_hour(day, committee) < instant:
        day += timedelta(days=1)
    if committee.skip_weekends:
        day = working_days.on_or_after(day, committee.bank_holidays)
    return _at_hour(day, committee)


@dataclass(frozen=True)
class Slip:
    """A report that moved on from a meeting (passed or cancelled) without being taken."""

    action: ActionItem
    at: datetime
    from_meeting_at: datetime
    to_meeting: MeetingSummary | None


@dataclass(frozen=True)
class Snooze:
    item: str
    kind: str
    occasion: str
    until: datetime


@dataclass(frozen=True)
class WindowState:
    window: WindowSummary
    waiting_for: list[str]  # members who have not responded, for the nudge
    counts: ResponseCounts
    compiled_before: datetime | None = None


@dataclass
class CommitteeState:
    """What one committee has that reminders are about, loaded by reminders.py."""

    committee: CommitteeView
    clerks: list[str] = field(default_factory=list)
    windows: list[WindowState] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    meetings: list[MeetingSummary] = field(default_factory=list)
    slips: list[Slip] = field(default_factory=list)
    snoozes: list[Snooze] = field(default_factory=list)
    dropped: tuple[DroppedNotice, ...] = ()  # reminders not sent lately because they came too late


def plan(state: CommitteeState, now: datetime) -> list[DueReminder]:
    """Every reminder of this committee, whether or not its time has come."""
    committee = state.committee
    planned = [r for window in state.windows for r in window_reminders(window, committee)]
    planned += [r for action in state.actions if action.due_date for r in action_reminders(action, committee)]
    by_meeting = _reports_by_meeting(state)
    for meeting in state.meetings:
        due_here = by_meeting.get(meeting.id, ())
        planned += [r for action in due_here for r in report_back_reminders(action, meeting, committee)]
        planned += meeting_digests(meeting, state, due_here)
    planned += [r for slip in state.slips for r in slip_notices(slip, committee)]
    agenda_days = {local_day(r.due, committee) for r in planned if r.kind == "meeting.digest"}
    planned += overdue_digests(state, now, agenda_days)
    planned += snoozed_repeats(planned, state.snoozes)
    # A former member (the receiving officer, erased) can no longer be written to.
    return [reminder for reminder in planned if reminder.target != FORMER_MEMBER]


def _reports_by_meeting(state: CommitteeState) -> dict[int, tuple[ActionItem, ...]]:
    grouped: dict[int, list[ActionItem]] = defaultdict(list)
    for action in state.actions:
        if action.due_meeting_id is not None:
            grouped[action.due_meeting_id].append(action)
    return {meeting_id: tuple(actions) for meeting_id, actions in grouped.items()}


def _series(
    nominal: list[tuple[str, date]], committee: CommitteeView, since: datetime, end: datetime
) -> list[tuple[str, datetime, datetime]]:
    """Notices counting down to one occasion, as (kind, due, stale after): each at the reminder hour of its day;
    none planned before `since`, when the item was given this occasion; at most one a day (when moving off a
    weekend brings two together, the nearer notice says it, in words that count the days); each out of date
    once the next is due, the last at `end`."""
    kept: list[tuple[str, datetime]] = []
    for kind, day in nominal:
        due = at_reminder_hour(day, committee)
        if not since <= due < end:
            continue
        if kept and kept[-1][1] == due:
            kept.pop()
        kept.append((kind, due))
    ends = [due for _, due in kept[1:]] + [end]
    return [(kind, due, stale_after) for (kind, due), stale_after in zip(kept, ends, strict=False)]


def window_reminders(state: WindowState, committee: CommitteeView) -> list[DueReminder]:
    window = state.window
    deadline_day = local_day(window.deadline, committee)
    channel, item, about = committee.channel_id, f"window:{window.id}", dict(window=window, counts=state.counts)
    occasion = day_occasion(window.deadline_day)
    nominal = [(kind, deadline_day - timedelta(days=days)) for kind, days in WINDOW_NOTICES]
    series = _series(nominal, committee, window.deadline_set_at, window.deadline)
    planned = [
        DueReminder(committee, item, kind, occasion, due, channel, stale, **about) for kind, due, stale in series
    ]
    planned += _nudges(window, committee, state.waiting_for, series, about)
    closing = instant_occasion(window.deadline)
    closed = DueReminder(
        committee,
        item,
        "window.closed",
        closing,
        window.deadline,
        channel,
        window.deadline + WEEK,
        compiled_before=state.compiled_before,
        **about,
    )
    compiled = replace(
        closed, kind="window.compiled", target=window.officer_user_id, stale_after=window.deadline + 4 * WEEK
    )
    return [*planned, closed, compiled]


def _nudges(
    window: WindowSummary,
    committee: CommitteeView,
    waiting_for: list[str],
    series: list[tuple[str, datetime, datetime]],
    about: dict,
) -> list[DueReminder]:
    """A direct message to each member who has not responded, with the channel's notice of the day before."""
    due = at_reminder_hour(local_day(window.deadline, committee) - timedelta(days=1), committee)
    if not window.deadline_set_at <= due < window.deadline:
        return []
    stale_after = min((d for _, d, _ in series if d > due), default=window.deadline)
    item, occasion = f"window:{window.id}", day_occasion(window.deadline_day)
    return [DueReminder(committee, item, "window.nudge", occasion, due, m, stale_after, **about) for m in waiting_for]


def _to_channel_and_owner(committee: CommitteeView, action: ActionItem) -> list[str]:
    return [committee.channel_id] + ([action.owner_user_id] if action.owner_user_id else [])


def action_reminders(action: ActionItem, committee: CommitteeView) -> list[DueReminder]:
    """A dated action: a week's notice and a same-day notice, in the channel and to its owner."""
    nominal = [("action.week", action.due_date - WEEK), ("action.today", action.due_date)]
    series = _series(nominal, committee, action.due_set_at, action.due_at + WEEK)
    occasion, item = day_occasion(action.due_date), f"resolution:{action.id}"
    return [
        DueReminder(committee, item, kind, occasion, due, target, stale_after, action=action)
        for kind, due, stale_after in series
        for target in _to_channel_and_owner(committee, action)
    ]


def agenda_deadline(meeting: MeetingSummary, committee: CommitteeView) -> date:
    """The day reports for a meeting must be in: the committee's agenda lead time before it."""
    return local_day(meeting.starts_at, committee) - timedelta(days=committee.agenda_lead_days)


def report_back_reminders(action: ActionItem, meeting: MeetingSummary, committee: CommitteeView) -> list[DueReminder]:
    """A report owed to a meeting: when the run-up to its agenda deadline begins (one lead time before it),
    a week before it, and on the agenda deadline itself. A report closed meanwhile is no longer planned."""
    deadline_day = agenda_deadline(meeting, committee)
    nominal = [
        ("report.lead", deadline_day - timedelta(days=committee.agenda_lead_days)),
        ("report.week", deadline_day - WEEK),
        ("report.deadline", deadline_day),
    ]
    series = _series(nominal, committee, action.due_set_at, meeting.starts_at)
    occasion, item = day_occasion(local_day(meeting.starts_at, committee)), f"resolution:{action.id}"
    planned = [
        DueReminder(committee, item, kind, occasion, due, target, stale_after, action=action, meeting=meeting)
        for kind, due, stale_after in series
        for target in _to_channel_and_owner(committee, action)
    ]
    return planned + _escalation(action, meeting, committee, planned)


def _escalation(
    action: ActionItem, meeting: MeetingSummary, committee: CommitteeView, planned: list[DueReminder]
) -> list[DueReminder]:
    """On the agenda deadline, the chair hears of a report nobody has touched through the two reminders before
    (its owner cannot: only clerks change the register)."""
    due = {reminder.kind: reminder for reminder in planned}
    if "report.week" not in due or "report.deadline" not in due:
        return []
    if not (committee.escalate_to_chair and committee.chair_user_id) or action.updated_at >= due["report.week"].due:
        return []
    return [replace(due["report.deadline"], kind="report.escalation", target=committee.chair_user_id)]


def slip_notices(slip: Slip, committee: CommitteeView) -> list[DueReminder]:
    """A report that moved on to a later meeting is told at the next reminder hour: where it is due now."""
    due = again_at(slip.at, committee)
    stale_after = slip.to_meeting.starts_at if slip.to_meeting else due + WEEK
    if stale_after <= due:
        return []
    occasion, item = day_occasion(local_day(slip.from_meeting_at, committee)), f"resolution:{slip.action.id}"
    return [
        DueReminder(
            committee,
            item,
            "report.slipped",
            occasion,
            due,
            target,
            stale_after,
            action=slip.action,
            meeting=slip.to_meeting,
            slipped_from=slip.from_meeting_at,
        )
        for target in _to_channel_and_owner(committee, slip.action)
    ]


def _dropped_before(state: CommitteeState, instant: datetime) -> tuple[DroppedNotice, ...]:
    return tuple(d for d in state.dropped if instant - WEEK <= d.dropped_at < instant)


def meeting_digests(
    meeting: MeetingSummary, state: CommitteeState, due_here: tuple[ActionItem, ...]
) -> list[DueReminder]:
    """For the clerks, on the agenda deadline: what is due at the meeting, and what else is still owed by then
    (a report due at an earlier meeting that may yet slip to this one included)."""
    committee = state.committee
    series = _series(
        [("meeting.digest", agenda_deadline(meeting, committee))], committee, meeting.arranged_at, meeting.starts_at
    )
    owed_before = tuple(a for a in state.actions if a not in due_here and a.due_at < meeting.starts_at)
    occasion, item = day_occasion(local_day(meeting.starts_at, committee)), f"meeting:{meeting.id}"
    return [
        DueReminder(
            committee,
            item,
            kind,
            occasion,
            due,
            clerk,
            stale_after,
            meeting=meeting,
            items=(due_here + owed_before)[:MOST_OVERDUE_LISTED],
            dropped=_dropped_before(state, due),
        )
        for kind, due, stale_after in series
        for clerk in state.clerks
    ]


def overdue_digests(state: CommitteeState, now: datetime, agenda_days: set[date]) -> list[DueReminder]:
    """On the first working day of each week, to each clerk, if anything on the register was overdue by then, or
    reminders were dropped after downtime. Something falling overdue later in the week, or recorded later already
    overdue (an old minute imported), waits for the next one: the clerk saw it marked overdue as they saved it. On
    the day of an agenda digest, which lists everything overdue too, there is none."""
    committee = state.committee
    today = local_day(now, committee)
    monday = today - timedelta(days=today.weekday())
    day = working_days.on_or_after(monday, committee.bank_holidays) if committee.skip_weekends else monday
    due, next_week = _at_hour(day, committee), _at_hour(monday + WEEK, committee)
    overdue = tuple(a for a in state.actions if a.created_at <= due and a.is_overdue(due))[:MOST_OVERDUE_LISTED]
    dropped = _dropped_before(state, due)
    if not (overdue or dropped) or due >= next_week or day in agenda_days:
        return []
    item, occasion = f"committee:{committee.id}", day_occasion(monday)
    return [
        DueReminder(committee, item, "overdue.digest", occasion, due, clerk, next_week, items=overdue, dropped=dropped)
        for clerk in state.clerks
    ]


def snoozed_repeats(planned: list[DueReminder], snoozes: list[Snooze]) -> list[DueReminder]:
    """Each snoozed notice posted again when its snooze ends, unless the item's next notice has come first."""
    originals = {(r.item, r.kind, r.occasion): r for r in planned if not r.is_direct}
    repeats = []
    for snooze in snoozes:
        original = originals.get((snooze.item, snooze.kind, snooze.occasion))
        if original is None:
            continue
        due = again_at(snooze.until, original.committee)
        if due < original.stale_after:
            occasion = f"{original.occasion}/{local_day(due, original.committee).isoformat()}"
            repeats.append(replace(original, kind=original.kind + AGAIN, occasion=occasion, due=due))
    return repeats
