"""Committees' meetings."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from storage.database import Session
from storage.models import Meeting, MeetingStatus


async def meeting_by_request(session: Session, request_key: str) -> Meeting | None:
    return (await session.exec(select(Meeting).where(Meeting.request_key == request_key))).first()


async def scheduled_meetings(
    session: Session, committee_id: int, *, after: datetime, limit: int | None = None
) -> list[Meeting]:
    statement = (
        select(Meeting)
        .where(
            Meeting.committee_id == committee_id, Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at > after
        )
        .order_by(Meeting.starts_at)
        .limit(limit)
    )
    return list(await session.exec(statement))


async def meeting_on(session: Session, committee_id: int, day: date, zone: str) -> Meeting | None:
    """The committee's meeting held on that local day, if the calendar has one."""
    start = datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    statement = (
        select(Meeting)
        .where(
            Meeting.committee_id == committee_id,
            Meeting.starts_at >= start,
            Meeting.starts_at < start + timedelta(days=1),
        )
        .order_by(Meeting.starts_at)
    )
    return (await session.exec(statement)).first()


async def meetings_between(session: Session, start: datetime, end: datetime) -> list[Meeting]:
    statement = select(Meeting).where(
        Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at >= start, Meeting.starts_at <= end
    )
    return list(await session.exec(statement))
