"""The resolutions register: record, list, close, reassign, re-date and cancel, with every change kept."""

import json
import logging
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from handlers import log_context
from handlers.committees import (
    clerks_committee_here,
    committee_here,
    committee_here_for,
    require_clerk,
    require_in_channel,
    require_in_committee,
)
from handlers.context import Actor, Services
from handlers.deadlines import describe_date, end_of_day, local_date, long_date, parse_committee_date, parse_deadline
from handlers.due_meetings import (
    FUTURE_MEETING,
    NEXT_MEETING,
    SYSTEM_ACTOR,
    first_meeting_for,
    reattach_to_meeting,
    where_due,
)
from handlers.errors import DeadlineNotUnderstood, InvalidInput, NotFound, UserFacingError
from handlers.minutes_dues import due_of, standing_rule
from storage.committees import CommitteeView, committee_ids_clerked_by, committees_in_workspace
from storage.database import Conflict, Readable, Session
from storage.meetings import meeting_on, scheduled_meetings
from storage.models import DEFAULT_TIMEZONE, Meeting, Resolution, ResolutionChange, ResolutionKind, ResolutionStatus
from storage.register import (
    ActionFilters,
    ResolutionRow,
    committees_with_passed_meeting_dues,
    open_meeting_dues,
    open_resolutions,
    open_resolutions_in_channel,
    open_resolutions_on_window,
    resolution_by_request,
    resolution_change_by_request,
    resolution_changes,
    resolution_with_committee,
)

log = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 3000
MAX_OWNER_TITLE_LENGTH = 200
KIND_LABELS = {
    ResolutionKind.NOTED: "Noted",
    ResolutionKind.ACTION: "Action",
    ResolutionKind.COMMENT_DEADLINE: "Comment deadline",
    ResolutionKind.REPORT_BACK: "Report back",
}
# States the register gives an open resolution that asks nothing more of anyone.
NOTED_STATUS = "noted"
DEADLINE_PASSED_STATUS = "deadline passed"
NEXT_MEETING_WORDS = re.compile(r"\bnext meeting\b", re.IGNORECASE)
FUTURE_MEETING_WORDS = re.compile(r"\b(future|later|subsequent) meeting\b", re.IGNORECASE)
PERIOD_WORDS = re.compile(r"^\s*(within|in)\s+(?P<period>.+?)(?:'s|s'|s)?\s*(time)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Due:
    """When a resolution falls due: a calendar date, a meeting rule, or neither."""

    on: date | None = None
    rule: str | None = None


@dataclass(frozen=True)
class ResolutionDraft:
    text: str
    kind: str
    owner_user_id: str | None = None
    owner_title: str | None = None
    due_text: str = ""
    meeting_day: date | None = None  # the meeting that made it; periods count from here (default: today)
    comment_window_id: int | None = None  # the window a comment deadline opened
    minute_item: str | None = None  # the agenda item of the minutes it was read from, and its title
    minute_item_title: str | None = None
    # Typed in by hand: with no due given, when it is due is read from its own words, as minutes are. (Not for
    # minutes, whose checking form shows the due it read, and where an empty due was emptied on purpose.)
    due_from_text: bool = False


def minuted_due(rule: str | None) -> str:
    """A due the minutes give without a day ("quarterly", "February 2018"), kept as written, or no due at all."""
    return f"“{rule}” (as minuted, no date)" if rule else "no due date"


@dataclass(frozen=True)
class ActionItem:
    id: int
    committee_id: int
    committee_name: str
    timezone: str
    text: str
    kind: str
    status: str
    owner_user_id: str | None
    owner_title: str | None
    due_date: date | None
    due_rule: str | None
    due_at: datetime | None
    slipped_count: int
    created_at: datetime
    updated_at: datetime
    closing_note: str | None
    due_meeting_id: int | None = None
    due_set_at: datetime | None = None
    meeting_date: date | None = None  # of the meeting that made it

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def due_text(self) -> str:
        if self.due_rule in (NEXT_MEETING, FUTURE_MEETING):
            if self.due_at is None:
                article = "the" if self.due_rule == NEXT_MEETING else "a"
                return f"at {article} {self.due_rule} (none scheduled yet)"
            missed = " (the next is not in the calendar yet)" if self.due_meeting_id is None else ""
            return f"at the meeting on {describe_date(self.due_at, self.timezone)}{missed}"
        if self.due_date is not None:
            return long_date(self.due_date)
        return minuted_due(self.due_rule)

    def is_outstanding(self, now: datetime) -> bool:
        """Something is still owed (see storage.register._OUTSTANDING, which lists by the same rule)."""
        if self.status != ResolutionStatus.OPEN or self.kind == ResolutionKind.NOTED:
            return False
        return not (self.kind == ResolutionKind.COMMENT_DEADLINE and self.due_at is not None and self.due_at <= now)

    def is_overdue(self, now: datetime) -> bool:
        return self.is_outstanding(now) and self.due_at is not None and self.due_at < now

    def register_status(self, now: datetime) -> str:
        """Its state as the register gives it: open, done or cancelled; or noted, or a comment deadline passed."""
        if self.status != ResolutionStatus.OPEN or self.is_outstanding(now):
            return self.status
        return NOTED_STATUS if self.kind == ResolutionKind.NOTED else DEADLINE_PASSED_STATUS

    def is_open(self) -> bool:
        return self.status == ResolutionStatus.OPEN


def item_of(resolution: Resolution | ResolutionRow, committee: CommitteeView) -> ActionItem:
    r = resolution
    return ActionItem(
        r.id,
        committee.id,
        committee.name,
        committee.timezone,
        r.text,
        r.kind,
        r.status,
        r.owner_user_id,
        r.owner_title,
        r.due_date,
        r.due_rule,
        r.due_at,
        r.slipped_count,
        r.created_at,
        r.updated_at,
        r.closing_note,
        r.due_meeting_id,
        r.due_set_at,
        r.meeting_date,
    )


class NoLongerOpen(UserFacingError):
    """A button pressed on a resolution that someone else has already closed: show what it is now."""

    def __init__(self, item: ActionItem) -> None:
        when = describe_date(item.updated_at, item.timezone)
        super().__init__(f"R{item.id} was already marked {item.status} on {when}, so nothing was changed.")
        self.item = item


def interpret_due(text: str, meeting_day: date, zone: str) -> Due:
    """Read "31 March 2023", "by the end of March 2023", "within six months", "at its next meeting"...

    Periods and dates are counted from the meeting that made the resolution.
    """
    text = " ".join(text.split())
    if not text:
        return Due()
    if NEXT_MEETING_WORDS.search(text):
        return Due(rule=NEXT_MEETING)
    if FUTURE_MEETING_WORDS.search(text):
        return Due(rule=FUTURE_MEETING)
    period = PERIOD_WORDS.match(text)
    readable = f"in {period.group('period')}" if period else text
    meeting_start = datetime.combine(meeting_day, time(0, 0), tzinfo=UTC)
    try:
        deadline = parse_committee_date(readable, meeting_start, zone, field="due")
    except DeadlineNotUnderstood as not_understood:
        if standing := standing_rule(text):  # "quarterly", "Cabinet in December 2022": kept as written, no date
            return Due(rule=standing)
        raise _before_meeting_or(not_understood, readable, meeting_day, zone) from None
    return Due(on=local_date(deadline.instant, zone), rule=text.lower() if period else None)


def _due_given_or_written(draft: ResolutionDraft, meeting_day: date, zone: str) -> Due:
    if draft.due_text.strip() or not draft.due_from_text or draft.kind == ResolutionKind.NOTED:
        return interpret_due(draft.due_text, meeting_day, zone)
    written = due_of(draft.text, meeting_day)
    try:
        return interpret_due(written.rule or (long_date(written.on) if written.on else ""), meeting_day, zone)
    except UserFacingError:  # a date in its words before the meeting: the clerk, who gave none, is not asked why
        return Due()


def _before_meeting_or(original: DeadlineNotUnderstood, text: str, meeting_day: date, zone: str) -> UserFacingError:
    """A date the reader only refused because it is before the meeting gets a message saying so."""
    try:
        parsed = parse_deadline(text, datetime(1970, 1, 1, tzinfo=UTC), zone)
    except DeadlineNotUnderstood:
        return original
    return InvalidInput(
        f"The due date, {describe_date(parsed.instant, zone)}, is before the meeting on "
        f"{long_date(meeting_day)}. Please check it.",
        field="due",
    )


def _validated(draft: ResolutionDraft) -> ResolutionDraft:
    text = draft.text.strip()
    if not text:
        raise InvalidInput("Please give the resolution's text.", field="text")
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidInput(
            f"A resolution can be at most {MAX_TEXT_LENGTH:,} characters; this one has {len(text):,}.", field="text"
        )
    if draft.kind not in KIND_LABELS:
        raise InvalidInput("Please choose what kind of resolution this is.", field="kind")
    if draft.kind == ResolutionKind.NOTED and draft.due_text.strip():
        raise InvalidInput(
            "A resolution that is only noted asks nothing of anyone, so nothing is due. "
            "Leave this empty, or choose another kind.",
            field="due",
        )
    title = " ".join((draft.owner_title or "").split()) or None
    if title and len(title) > MAX_OWNER_TITLE_LENGTH:
        raise InvalidInput(
            f"The owner's title can be at most {MAX_OWNER_TITLE_LENGTH} characters.", field="owner_title"
        )
    return replace(draft, text=text, owner_title=title)


def _due_at(due: Due, zone: str) -> datetime | None:
    return end_of_day(due.on, zone) if due.on else None


async def record_resolution(services: Services, actor: Actor, draft: ResolutionDraft, request_key: str) -> ActionItem:
    draft = _validated(draft)
    await require_known_person(services, actor, draft.owner_user_id)
    async with services.database.session() as session:
        committee = await committee_here(session, actor)
        await require_clerk(session, committee, actor, "record resolutions")
        if (existing := await resolution_by_request(session, request_key)) is not None:
            return item_of(existing, committee)
        meeting_day = draft.meeting_day or local_date(services.clock(), committee.timezone)
        due = _due_given_or_written(draft, meeting_day, committee.timezone)
        meeting = await meeting_on(session, committee.id, meeting_day, committee.timezone)
        draft = replace(draft, meeting_day=meeting_day)
        resolution = await _insert(session, committee, actor, draft, due, meeting, request_key, services.clock())
        if resolution is None:  # another delivery of this request recorded it
            return item_of(await resolution_by_request(session, request_key), committee)
        await session.commit()
    log.info(
        "resolution %s (%s) recorded in committee %s by %s", resolution.id, resolution.kind, committee.id, actor.user_id
    )
    return item_of(resolution, committee)


async def _insert(
    session: Session,
    committee: CommitteeView,
    actor: Actor,
    draft: ResolutionDraft,
    due: Due,
    meeting: Meeting | None,
    request_key: str,
    now: datetime,
) -> Resolution | None:
    """Add the resolution and its first history entry; None if another delivery of the request got there first."""
    resolution = Resolution(
        committee_id=committee.id,
        meeting_id=meeting.id if meeting else None,
        meeting_date=draft.meeting_day,
        text=draft.text,
        kind=draft.kind,
        owner_user_id=draft.owner_user_id,
        owner_title=draft.owner_title,
        due_date=due.on,
        due_rule=due.rule,
        comment_window_id=draft.comment_window_id,
        minute_item=(draft.minute_item or None) and draft.minute_item[:20],
        minute_item_title=(draft.minute_item_title or None) and draft.minute_item_title[:300],
        due_at=_due_at(due, committee.timezone),
        due_set_at=now,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
        request_key=request_key,
    )
    if resolution.due_rule in (NEXT_MEETING, FUTURE_MEETING):
        # The meeting it goes to is part of how it was recorded, not a change its history should show after.
        meetings = await scheduled_meetings(session, committee.id, after=now)
        if meeting_due := first_meeting_for(resolution.due_rule, meetings, committee, now):
            resolution.due_meeting_id, resolution.due_at = meeting_due.id, meeting_due.starts_at
    session.add(resolution)
    try:
        await session.flush()
    except Conflict:
        await session.rollback()
        return None
    session.add(
        ResolutionChange(
            resolution_id=resolution.id,
            action="created",
            actor_user_id=actor.user_id,
            at=now,
            after=json.dumps(_snapshot(resolution)),
        )
    )
    return resolution


def _snapshot(resolution: Resolution) -> dict:
    snapshot = {
        "status": resolution.status,
        "owner_user_id": resolution.owner_user_id,
        "owner_title": resolution.owner_title,
        "due_date": resolution.due_date.isoformat() if resolution.due_date else None,
        "due_rule": resolution.due_rule,
    }
    if resolution.due_rule in (NEXT_MEETING, FUTURE_MEETING):
        # "a future meeting" alone would hide which meeting a clerk moved it from.
        snapshot |= where_due(resolution)
    return snapshot


PAGE_SIZE = 10


@dataclass(frozen=True)
class ActionQuery:
    everywhere: bool = False
    mine: bool = False
    overdue: bool = False
    due_from: date | None = None
    due_to: date | None = None
    committee_name: str | None = None
    page: int = 0

    @property
    def names_committees(self) -> bool:
        """Asked beyond the channel's own committee, so each resolution says whose it is."""
        return self.everywhere or self.committee_name is not None


@dataclass(frozen=True)
class ActionPage:
    items: list[ActionItem]
    total: int
    query: ActionQuery
    clerk_of: frozenset[int]
    scope: str

    @property
    def has_next(self) -> bool:
        return (self.query.page + 1) * PAGE_SIZE < self.total

    @property
    def first_shown(self) -> int:
        return self.query.page * PAGE_SIZE + 1


async def list_actions(services: Services, actor: Actor, query: ActionQuery) -> ActionPage:
    page = await _listing(services, actor, query)
    if not page.items and page.total:  # a page asked for from a list that has shortened since: its last page
        return await _listing(services, actor, replace(query, page=(page.total - 1) // PAGE_SIZE))
    return page


async def _listing(services: Services, actor: Actor, query: ActionQuery) -> ActionPage:
    now = services.clock()
    async with services.database.reading() as session:
        if query.names_committees:
            return await _listing_across(session, actor, query, now)
        listed = await _channel_page_at_once(session, actor, query, now) or await _channel_page(
            session, actor, query, now
        )
    page, committee = listed
    if not page.clerk_of:  # a page button can carry any channel
        await require_in_channel(services, committee, actor)
    return page


async def _channel_page_at_once(
    session: Readable, actor: Actor, query: ActionQuery, now: datetime
) -> tuple[ActionPage, CommitteeView] | None:
    """The channel's listing, with its committee found by the same statement: the common case in one round trip.
    Not when dates bound it (read in the committee's zone, not known before)."""
    if query.due_from or query.due_to:
        return None
    filters, offset = _filters(actor, query, now, DEFAULT_TIMEZONE), query.page * PAGE_SIZE
    channel = actor.channel_id or ""
    found = await open_resolutions_in_channel(session, filters, channel, actor.user_id, offset=offset, limit=PAGE_SIZE)
    if found is None:
        return None
    log_context.note_committee(found.committee.id)
    return _committee_page(found.rows, found.total, query, found.committee, found.clerked_by_asker)


async def _channel_page(
    session: Readable, actor: Actor, query: ActionQuery, now: datetime
) -> tuple[ActionPage, CommitteeView]:
    committee, clerks_it = await committee_here_for(session, actor)
    filters = _filters(actor, query, now, committee.timezone, committee_ids=[committee.id])
    rows, total = await open_resolutions(session, filters, offset=query.page * PAGE_SIZE, limit=PAGE_SIZE)
    return _committee_page([row for row, _ in rows], total, query, committee, clerks_it)


def _committee_page(
    rows: list[ResolutionRow], total: int, query: ActionQuery, committee: CommitteeView, clerks_it: bool
) -> tuple[ActionPage, CommitteeView]:
    clerk_of = frozenset({committee.id} if clerks_it else ())
    items = [item_of(row, committee) for row in rows]
    return ActionPage(items, total, query, clerk_of, committee.name), committee


async def _listing_across(session: Readable, actor: Actor, query: ActionQuery, now: datetime) -> ActionPage:
    """The listing of all the committees the person clerks, or of those of them `query` names."""
    clerked = await committee_ids_clerked_by(session, actor.workspace_id, actor.user_id)
    committees = [c for c in await committees_in_workspace(session, actor.workspace_id) if c.id in clerked]
    scope = "all your committees"
    if query.committee_name:
        wanted = query.committee_name.lower()
        committees = [c for c in committees if wanted in c.name.lower()]
        if not committees:
            raise NotFound(f'None of the committees you clerk is called "{query.committee_name}".')
        scope = " and ".join(c.name for c in committees[:3]) + (" and others" if len(committees) > 3 else "")
    zone = committees[0].timezone if committees else DEFAULT_TIMEZONE
    filters = _filters(actor, query, now, zone, committee_ids=[c.id for c in committees])
    rows, total = await open_resolutions(session, filters, offset=query.page * PAGE_SIZE, limit=PAGE_SIZE)
    return ActionPage([item_of(*row) for row in rows], total, query, frozenset(clerked), scope)


def _filters(
    actor: Actor, query: ActionQuery, now: datetime, zone: str, committee_ids: list[int] | None = None
) -> ActionFilters:
    return ActionFilters(
        actor.workspace_id,
        now=now,
        owner_user_id=actor.user_id if query.mine else None,
        due_before=now if query.overdue else _end_of(query.due_to, zone),
        due_after=_start_of(query.due_from, zone),
        committee_ids=committee_ids,
    )


async def replan_passed_meetings(services: Services, now: datetime) -> None:
    """Reports due at a meeting that has now started slip to the next one: the reminder tick's first step, so
    that every view of the register shows them where they are now, without anyone asking."""
    async with services.database.session() as session:
        for committee in await committees_with_passed_meeting_dues(session, now):
            await replan_meeting_dues(session, committee, now, SYSTEM_ACTOR)
            await session.commit()  # one committee at a time: its reports stay locked no longer than that


def _start_of(day: date | None, zone: str) -> datetime | None:
    return end_of_day(day - timedelta(days=1), zone) if day else None


def _end_of(day: date | None, zone: str) -> datetime | None:
    """The first instant after `day`: something due at the very end of the day is still in the range."""
    return end_of_day(day, zone) + timedelta(seconds=1) if day else None


async def replan_meeting_dues(
    session: Session, committee: CommitteeView, now: datetime, actor_id: str
) -> tuple[ActionItem, ...]:
    """Keep every open resolution due at a meeting attached to a meeting that will happen (see due_meetings); those
    now due at another time."""
    meetings = await scheduled_meetings(session, committee.id, after=now)
    moved = [
        resolution
        for resolution in await open_meeting_dues(session, committee.id)
        if await reattach_to_meeting(session, resolution, meetings, committee, now, actor_id)
    ]
    return tuple(item_of(resolution, committee) for resolution in moved)


@dataclass(frozen=True)
class Change:
    """What a clerk asks to change: exactly one of its fields (or `status` with an optional note)."""

    action: str  # done | cancelled | reassigned | redated
    note: str | None = None
    owner_user_id: str | None = None
    owner_title: str | None = None
    due_text: str | None = None


async def change_resolution(
    services: Services, actor: Actor, resolution_id: int, change: Change, request_key: str
) -> ActionItem:
    await require_known_person(services, actor, change.owner_user_id)
    async with services.database.session() as session:
        resolution, committee = await _clerks_resolution(session, actor, resolution_id)
        if await resolution_change_by_request(session, request_key) is not None:
            return item_of(resolution, committee)
        if resolution.status != ResolutionStatus.OPEN:
            raise NoLongerOpen(item_of(resolution, committee))
        before = _snapshot(resolution)
        await _apply(session, resolution, committee, change, services.clock())
        session.add(
            ResolutionChange(
                resolution_id=resolution.id,
                action=change.action,
                actor_user_id=actor.user_id,
                at=services.clock(),
                before=json.dumps(before),
                after=json.dumps(_snapshot(resolution)),
                note=change.note,
                request_key=request_key,
            )
        )
        try:
            await session.commit()
        except Conflict:
            await session.rollback()
            resolution, committee = await _clerks_resolution(session, actor, resolution_id)
    log.info("resolution %s %s by %s", resolution_id, change.action, actor.user_id)
    return item_of(resolution, committee)


async def _clerks_resolution(session: Session, actor: Actor, resolution_id: int) -> tuple[Resolution, CommitteeView]:
    resolution, committee = await _in_register(session, actor, resolution_id)
    await require_clerk(session, committee, actor, "change resolutions")
    return resolution, committee


async def _in_register(session: Session, actor: Actor, resolution_id: int) -> tuple[Resolution, CommitteeView]:
    found = await resolution_with_committee(session, actor.workspace_id, resolution_id)
    if found is None:
        raise NotFound(f"I can't find resolution R{resolution_id} in the register.")
    return found


async def _apply(
    session: Session, resolution: Resolution, committee: CommitteeView, change: Change, now: datetime
) -> None:
    if change.action in (ResolutionStatus.DONE, ResolutionStatus.CANCELLED):
        resolution.status, resolution.closing_note = change.action, (change.note or "").strip() or None
    elif change.action == "reassigned":
        _reassign(resolution, change)
    elif change.action == "redated":
        if not (change.due_text or "").strip():
            # Only a broken or forged form sends this empty; it must not read as "no due date any more".
            raise InvalidInput(
                'Please say when it is now due, e.g. "31 March 2027" or "at its next meeting".', field="due"
            )
        meeting_day = resolution.meeting_date or local_date(resolution.created_at, committee.timezone)
        due = interpret_due(change.due_text or "", meeting_day, committee.timezone)
        resolution.due_date, resolution.due_rule = due.on, due.rule
        resolution.due_meeting_id, resolution.due_at = None, _due_at(due, committee.timezone)
        resolution.due_set_at = now
    else:
        raise InvalidInput("That change is not one I know.")
    resolution.updated_at = now
    session.add(resolution)
    if resolution.status == ResolutionStatus.OPEN and resolution.due_rule in (NEXT_MEETING, FUTURE_MEETING):
        await session.flush()
        meetings = await scheduled_meetings(session, committee.id, after=now)
        await reattach_to_meeting(session, resolution, meetings, committee, now, resolution.created_by)


async def follow_window_deadline(
    session: Session, window_id: int, deadline: datetime, committee: CommitteeView, actor_id: str, now: datetime
) -> None:
    """A comment deadline in the register moves with its window's: the register says when comments close, and a
    deadline that has passed counts as met (see ActionItem.is_outstanding)."""
    for resolution in await open_resolutions_on_window(session, window_id):
        before = _snapshot(resolution)
        due_day = local_date(deadline, committee.timezone)
        resolution.due_date, resolution.due_rule, resolution.due_meeting_id = due_day, None, None
        resolution.due_at, resolution.updated_at = end_of_day(due_day, committee.timezone), now
        session.add(resolution)
        session.add(
            ResolutionChange(
                resolution_id=resolution.id,
                action="redated",
                actor_user_id=actor_id,
                at=now,
                before=json.dumps(before),
                after=json.dumps(_snapshot(resolution)),
                note="the comment deadline was moved",
            )
        )


def _reassign(resolution: Resolution, change: Change) -> None:
    title = " ".join((change.owner_title or "").split()) or None
    if not change.owner_user_id and not title:
        raise InvalidInput("Please choose the new owner, or type their title.", field="owner_user_id")
    resolution.owner_user_id, resolution.owner_title = change.owner_user_id or None, title


async def item_for(services: Services, actor: Actor, resolution_id: int) -> tuple[ActionItem, bool]:
    """A resolution the person may see, and whether they clerk its committee (so may change it)."""
    async with services.database.session() as session:
        resolution, committee, clerks_it = await _visible_resolution(services, session, actor, resolution_id)
    return item_of(resolution, committee), clerks_it


async def _visible_resolution(
    services: Services, session: Session, actor: Actor, resolution_id: int
) -> tuple[Resolution, CommitteeView, bool]:
    """The resolution, its committee, and whether the person clerks it, if they may see it."""
    resolution, committee = await _in_register(session, actor, resolution_id)
    clerks_it = await require_in_committee(services, session, committee, actor, also=(resolution.owner_user_id,))
    return resolution, committee, clerks_it


@dataclass(frozen=True)
class HistoryEntry:
    resolution_id: int
    action: str
    actor_user_id: str
    at: datetime
    before: dict | None
    after: dict | None
    note: str | None


async def history(services: Services, actor: Actor, resolution_id: int) -> tuple[ActionItem, list[HistoryEntry]]:
    async with services.database.session() as session:
        resolution, committee, _ = await _visible_resolution(services, session, actor, resolution_id)
        changes = await resolution_changes(session, [resolution_id])
    return item_of(resolution, committee), [entry_of_change(change) for change in changes]


def entry_of_change(change: ResolutionChange) -> HistoryEntry:
    return HistoryEntry(
        change.resolution_id,
        change.action,
        change.actor_user_id,
        change.at,
        _loads(change.before),
        _loads(change.after),
        change.note,
    )


def _loads(value: str | None) -> dict | None:
    return json.loads(value) if value else None


async def changeable_item(services: Services, actor: Actor, resolution_id: int) -> ActionItem:
    """The resolution a clerk's button is about, if it can still be changed."""
    async with services.database.session() as session:
        found = await _clerks_resolution(session, actor, resolution_id)
    item = item_of(*found)
    if not item.is_open():
        raise NoLongerOpen(item)
    return item


async def require_register_clerk(services: Services, actor: Actor) -> None:
    await clerks_committee_here(services, actor, "record resolutions")


async def check_resolution(services: Services, actor: Actor, draft: ResolutionDraft) -> None:
    """Everything record_resolution would refuse, refused now, without saving anything."""
    draft = _validated(draft)
    committee = await clerks_committee_here(services, actor, "record resolutions")
    meeting_day = draft.meeting_day or local_date(services.clock(), committee.timezone)
    interpret_due(draft.due_text, meeting_day, committee.timezone)


async def require_known_person(services: Services, actor: Actor, user_id: str | None) -> None:
    if user_id and user_id not in await services.directory.display_names(actor.workspace_id, [user_id]):
        raise InvalidInput(
            "I can't find that person in this workspace. Please choose the owner again.", field="owner_user_id"
        )
