"""What a committee's calendar feed shows, found by the feed's token."""

from dataclasses import dataclass

from sqlmodel import col, select, update

from storage.comments import windows_of_committees
from storage.committees import CommitteeView, view_of
from storage.database import Session
from storage.models import CommentWindow, Committee, Meeting, Resolution, ResolutionStatus


async def issue_calendar_token(session: Session, committee_id: int, token: str) -> tuple[str, bool]:
    """Gives the committee `token` unless another request has just given it one; the token it now has, and whether
    it is this one. The conditional UPDATE lets exactly one of two racing requests write: the other matches no
    row, and its re-read finds the winner's token."""
    written = await session.exec(
        update(Committee)
        .where(col(Committee.id) == committee_id, col(Committee.calendar_token).is_(None))
        .values(calendar_token=token)
    )
    await session.commit()
    statement = select(Committee.calendar_token).where(Committee.id == committee_id)
    return (await session.exec(statement)).one(), bool(written.rowcount)


@dataclass(frozen=True)
class CalendarContents:
    committee: CommitteeView
    meetings: list[Meeting]  # every one, cancelled ones included, soonest first
    windows: list[CommentWindow]
    resolutions: list[Resolution]  # open, and due on a date or at a meeting


async def calendar_with_token(session: Session, token: str) -> CalendarContents | None:
    committee = (await session.exec(select(Committee).where(Committee.calendar_token == token))).first()
    if committee is None:
        return None
    meetings = select(Meeting).where(Meeting.committee_id == committee.id).order_by(Meeting.starts_at, Meeting.id)
    windows = [window for window, _ in await windows_of_committees(session, [committee.id])]
    dated_resolutions = (
        select(Resolution)
        .where(
            Resolution.committee_id == committee.id,
            Resolution.status == ResolutionStatus.OPEN,
            col(Resolution.due_date).is_not(None) | col(Resolution.due_meeting_id).is_not(None),
        )
        .order_by(Resolution.id)
    )
    return CalendarContents(
        view_of(committee), list(await session.exec(meetings)), windows, list(await session.exec(dated_resolutions))
    )
