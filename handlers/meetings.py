"""A committee's calendar: add, move and cancel meetings; which meeting a report is due back at."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from handlers.committees import committee_here, is_clerk, require_clerk
from handlers.context import Actor, Services
from handlers.deadlines import Deadline, describe_date, describe_instant, parse_committee_date
from handlers.errors import InvalidInput, NotFound
from handlers.resolutions import ActionItem, replan_meeting_dues
from handlers.wording import Command, Wording
from handlers.working_days import holiday_note
from storage.committees import CommitteeView
from storage.database import Conflict, Session
from storage.meetings import meeting_by_request, scheduled_meetings
from storage.models import Meeting, MeetingStatus

log = logging.getLogger(__name__)

UPCOMING_SHOWN = 5
SATURDAY = 5
# Committees meet in the working day or the evening; a start outside these hours is more likely a slip (3:00 for 15:00).
EARLIEST_USUAL_HOUR, LATEST_USUAL_HOUR = 7, 22


@dataclass(frozen=True)
class MeetingSummary:
    id: int
    committee_name: str
    timezone: str
    starts_at: datetime
    status: str
    arranged_at: datetime
    notes: tuple[str, ...] = ()  # for the clerk who just set it: how the date was read, and anything unusual in it
    replanned: tuple[ActionItem, ...] = ()  # reports due at meetings that this change made due at another time

    @property
    def when_text(self) -> str:
        return describe_instant(self.starts_at, self.timezone)

    @property
    def date_text(self) -> str:
        return describe_date(self.starts_at, self.timezone)


def summarise_meeting(
    meeting: Meeting, committee: CommitteeView, replanned: tuple[ActionItem, ...] = ()
) -> MeetingSummary:
    return MeetingSummary(
        meeting.id,
        committee.name,
        committee.timezone,
        meeting.starts_at,
        meeting.status,
        meeting.arranged_at,
        replanned=replanned,
    )


def _start_time(when_text: str, now: datetime, zone: str) -> Deadline:
    start = parse_committee_date(when_text, now, zone, field="when")
    if start.end_of_day_assumed:
        raise InvalidInput(
            (
                "Please give the meeting's start time as well as the date, e.g. ",
                Command("meeting", f"add {when_text.strip()} 10:00"),
                ".",
            ),
            field="when",
        )
    return start


def _noted(meeting: MeetingSummary, start: Deadline, committee: CommitteeView) -> MeetingSummary:
    """A start the clerk may not have meant is kept, and said, so they can move it if it was a slip."""
    local, unusual = start.local, []
    if holiday := holiday_note(local.date(), committee.bank_holidays):
        unusual.append(holiday)
    elif local.weekday() >= SATURDAY:
        unusual.append(f"That is a {local:%A}.")
    if not EARLIEST_USUAL_HOUR <= local.hour < LATEST_USUAL_HOUR:
        unusual.append(f"It starts at {local:%H:%M}, at night.")
    return replace(meeting, notes=(*start.notes, *unusual))


async def add_meeting(services: Services, actor: Actor, when_text: str, request_key: str) -> MeetingSummary:
    async with services.database.session() as session:
        committee = await committee_here(session, actor)
        await require_clerk(session, committee, actor, "keep the committee's calendar")
        if (existing := await meeting_by_request(session, request_key)) is not None:
            return summarise_meeting(existing, committee)
        start = _start_time(when_text, services.clock(), committee.timezone)
        instead = ("so I haven't added another. To change a meeting's time, use Move in ", Command("meeting"), ".")
        # Another delivery of this request may have added it meanwhile: that one is answered as added, below.
        await _refuse_a_second_meeting_at(
            session, committee, start.instant, instead, lambda m: m.request_key == request_key
        )
        meeting = Meeting(
            committee_id=committee.id,
            starts_at=start.instant,
            arranged_at=services.clock(),
            created_by=actor.user_id,
            created_at=services.clock(),
            request_key=request_key,
        )
        session.add(meeting)
        try:
            await session.flush()
        except Conflict:
            await session.rollback()  # another delivery of this request stored the meeting
            return summarise_meeting(await meeting_by_request(session, request_key), committee)
        replanned = await replan_meeting_dues(session, committee, services.clock(), actor.user_id)
        await session.commit()
    log.info("meeting %s added to committee %s for %s by %s", meeting.id, committee.id, start.instant, actor.user_id)
    return _noted(summarise_meeting(meeting, committee, replanned), start, committee)


async def _refuse_a_second_meeting_at(
    session: Session,
    committee: CommitteeView,
    instant: datetime,
    instead: Wording,
    is_this_one: Callable[[Meeting], bool],
) -> None:
    """Two meetings at one time are one meeting typed twice: each would have its own agenda deadline, digests and
    reports due, and every reminder would go out twice."""
    just_before = instant - timedelta(seconds=1)
    following = await scheduled_meetings(session, committee.id, after=just_before, limit=2)
    if any(m.starts_at == instant and not is_this_one(m) for m in following):
        already = f"The committee already has a meeting on {describe_instant(instant, committee.timezone)}, "
        raise InvalidInput((already, *instead), field="when")


async def _clerks_meeting(session: Session, actor: Actor, meeting_id: int) -> tuple[Meeting, CommitteeView]:
    committee = await committee_here(session, actor)
    await require_clerk(session, committee, actor, "keep the committee's calendar")
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None or meeting.committee_id != committee.id:
        raise NotFound("I can't find that meeting in this committee's calendar.")
    if meeting.status == MeetingStatus.CANCELLED:
        on = describe_date(meeting.starts_at, committee.timezone)
        raise InvalidInput(f"The meeting on {on} was already cancelled.")
    return meeting, committee


async def move_meeting(services: Services, actor: Actor, meeting_id: int, when_text: str) -> MeetingSummary:
    async with services.database.session() as session:
        meeting, committee = await _clerks_meeting(session, actor, meeting_id)
        start = _start_time(when_text, services.clock(), committee.timezone)
        instead = ("so I haven't moved this one there. If they are the same meeting, cancel this one instead.",)
        await _refuse_a_second_meeting_at(session, committee, start.instant, instead, lambda m: m.id == meeting.id)
        meeting.starts_at = start.instant
        meeting.arranged_at = services.clock()
        session.add(meeting)
        await session.flush()
        replanned = await replan_meeting_dues(session, committee, services.clock(), actor.user_id)
        await session.commit()
    log.info("meeting %s moved to %s by %s", meeting.id, meeting.starts_at, actor.user_id)
    return _noted(summarise_meeting(meeting, committee, replanned), start, committee)


async def cancel_meeting(services: Services, actor: Actor, meeting_id: int) -> MeetingSummary:
    async with services.database.session() as session:
        meeting, committee = await _clerks_meeting(session, actor, meeting_id)
        meeting.status = MeetingStatus.CANCELLED
        session.add(meeting)
        await session.flush()
        replanned = await replan_meeting_dues(session, committee, services.clock(), actor.user_id)
        await session.commit()
    log.info("meeting %s cancelled by %s", meeting.id, actor.user_id)
    return summarise_meeting(meeting, committee, replanned)


@dataclass(frozen=True)
class Calendar:
    committee_name: str
    meetings: list[MeetingSummary]
    viewer_is_clerk: bool


async def upcoming_meetings(services: Services, actor: Actor) -> Calendar:
    async with services.database.session() as session:
        committee = await committee_here(session, actor)
        meetings = await scheduled_meetings(session, committee.id, after=services.clock(), limit=UPCOMING_SHOWN)
        clerk = await is_clerk(session, committee, actor.user_id)
    return Calendar(committee.name, [summarise_meeting(m, committee) for m in meetings], clerk)


async def clerks_meeting(services: Services, actor: Actor, meeting_id: int) -> MeetingSummary:
    """A meeting this person may move or cancel, checked before a form is opened for it."""
    async with services.database.session() as session:
        meeting, committee = await _clerks_meeting(session, actor, meeting_id)
    return summarise_meeting(meeting, committee)
