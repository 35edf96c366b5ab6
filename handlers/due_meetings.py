"""Which meeting a resolution "to the next meeting" or "to a future meeting" is due at, kept true as
meetings are added, moved, cancelled and held."""

import json
from datetime import datetime, timedelta

from storage.committees import CommitteeView
from storage.database import Session
from storage.models import Meeting, MeetingStatus, Resolution, ResolutionChange

# Who the history names for changes the bot makes itself, such as a report slipping to the next meeting.
SYSTEM_ACTOR = "system"
NEXT_MEETING = "next meeting"
FUTURE_MEETING = "future meeting"


def first_meeting_for(rule: str, meetings: list[Meeting], committee: CommitteeView, now: datetime) -> Meeting | None:
    """A future meeting must leave the agenda lead time to prepare the report; the next one is simply the next."""
    earliest = now if rule == NEXT_MEETING else now + timedelta(days=committee.agenda_lead_days)
    return next((m for m in meetings if m.starts_at >= earliest), None)


def _still_good(current: Meeting | None, now: datetime) -> bool:
    return current is not None and current.status == MeetingStatus.SCHEDULED and current.starts_at > now


async def reattach_to_meeting(
    session: Session,
    resolution: Resolution,
    meetings: list[Meeting],
    committee: CommitteeView,
    now: datetime,
    actor_id: str,
) -> bool:
    """One whose meeting was cancelled or has passed goes to the next suitable meeting and counts as slipped;
    one whose meeting moved follows it, which is no slip; one that had no meeting yet takes the first suitable
    one. Whether it is now due at another time."""
    current = await session.get(Meeting, resolution.due_meeting_id) if resolution.due_meeting_id else None
    if _still_good(current, now):
        if resolution.due_at == current.starts_at:
            return False
        _record_move(session, resolution, current, current.starts_at, "moved", actor_id, now, slipped=False)
        return True
    target = first_meeting_for(resolution.due_rule, meetings, committee, now)
    if target is None and current is None:
        return False
    action = "slipped" if current else "scheduled"
    _record_move(session, resolution, target, _due_at(target, current), action, actor_id, now, current is not None)
    return True


def _due_at(target: Meeting | None, missed: Meeting | None) -> datetime | None:
    """When it is due now. Its meeting held without it and no later one in the calendar, it stays due when that
    meeting was, so that it is listed as overdue until a meeting is added for it to go to; a meeting cancelled
    with none after it leaves it undated, since nobody was late."""
    if target is not None:
        return target.starts_at
    return missed.starts_at if missed is not None and missed.status == MeetingStatus.SCHEDULED else None


def _record_move(
    session: Session,
    resolution: Resolution,
    meeting: Meeting | None,
    due_at: datetime | None,
    action: str,
    actor_id: str,
    now: datetime,
    slipped: bool,
) -> None:
    before = where_due(resolution)
    resolution.due_meeting_id = meeting.id if meeting else None
    resolution.due_at = due_at
    resolution.slipped_count += int(slipped)
    resolution.updated_at = resolution.due_set_at = now
    after = where_due(resolution)
    session.add(resolution)
    session.add(
        ResolutionChange(
            resolution_id=resolution.id,
            action=action,
            actor_user_id=actor_id,
            at=now,
            before=json.dumps(before),
            after=json.dumps(after),
        )
    )


def where_due(resolution: Resolution) -> dict:
    """The meeting a report is due at, as its history records it (the start of one held without it, with none
    scheduled after, or nothing when none is scheduled at all)."""
    return {
        "due_meeting_id": resolution.due_meeting_id,
        "due_at": resolution.due_at.isoformat() if resolution.due_at else None,
    }
