"""What clerks and members set about reminders: a committee's hour and working days, mutes and snoozes."""

from datetime import datetime

from sqlalchemy import String, and_, cast, literal
from sqlmodel import select

from storage.committees import CommitteeView, view_of
from storage.database import Conflict, Session
from storage.ledger import ITEM_TABLES
from storage.models import CommentWindow, Committee, Meeting, ReminderMute, ReminderSnooze, Resolution


async def set_reminder_settings(
    session: Session, committee_id: int, hour: int, skip_weekends: bool, bank_holidays: str
) -> CommitteeView:
    row = await session.get(Committee, committee_id)  # loaded already in this session: no round trip
    row.reminder_hour, row.skip_weekends, row.bank_holidays = hour, skip_weekends, bank_holidays
    session.add(row)
    return view_of(row)


async def committee_of_item(session: Session, kind: str, item_id: int) -> CommitteeView | None:
    """The committee a reminder item ("window", "resolution", "meeting" or "committee", and its id) is about."""
    if kind == "committee":
        committee_id = item_id
    elif kind in ITEM_TABLES:
        committee_id = getattr(await session.get(ITEM_TABLES[kind], item_id), "committee_id", None)
    else:
        return None
    committee = await session.get(Committee, committee_id) if committee_id else None
    return view_of(committee) if committee is not None else None


async def item_row(session: Session, kind: str, item_id: int) -> CommentWindow | Resolution | Meeting | None:
    """The window, resolution or meeting a reminder item is about."""
    return await session.get(ITEM_TABLES[kind], item_id) if kind in ITEM_TABLES else None


async def mutes(session: Session) -> list[ReminderMute]:
    return list(await session.exec(select(ReminderMute)))


async def mute(session: Session, item: str, user_id: str, set_by: str) -> None:
    """Silences reminders about `item`: for everyone when `user_id` is empty, else that person's direct ones."""
    statement = select(ReminderMute).where(ReminderMute.item == item, ReminderMute.user_id == user_id)
    if (await session.exec(statement)).first() is None:
        session.add(ReminderMute(item=item, user_id=user_id, set_by=set_by))
    await _commit_unless_raced(session)


async def unmute(session: Session, item: str) -> bool:
    """Lifts a clerk's mute of `item` for everyone (members' own stops stay); whether there was one."""
    mute = (
        await session.exec(select(ReminderMute).where(ReminderMute.item == item, ReminderMute.user_id == ""))
    ).first()
    if mute is not None:
        await session.delete(mute)
        await session.commit()
    return mute is not None


async def muted_for_everyone(
    session: Session, committee_id: int
) -> list[tuple[str, CommentWindow | Resolution | Meeting]]:
    """The items of a committee whose reminders a clerk muted for everyone, each with its row, in the order muted."""
    found = []
    for kind, table in ITEM_TABLES.items():
        item = literal(f"{kind}:") + cast(table.id, String)
        statement = (
            select(table, ReminderMute.set_at)
            .join(ReminderMute, and_(ReminderMute.item == item, ReminderMute.user_id == ""))
            .where(table.committee_id == committee_id)
        )
        found += [(set_at, f"{kind}:{row.id}", row) for row, set_at in await session.exec(statement)]
    return [(item, row) for _, item, row in sorted(found, key=lambda muted: muted[:2])]


async def snoozes_since(session: Session, since: datetime) -> list[ReminderSnooze]:
    """Snoozes whose repeat may still be due."""
    return list(await session.exec(select(ReminderSnooze).where(ReminderSnooze.until >= since)))


async def snooze(session: Session, item: str, kind: str, occasion: str, until: datetime, set_by: str) -> None:
    """One notice posted again at `until`; a later snooze of the same notice replaces an earlier one."""
    statement = select(ReminderSnooze).where(
        ReminderSnooze.item == item, ReminderSnooze.kind == kind, ReminderSnooze.occasion == occasion
    )
    existing = (await session.exec(statement)).first()
    if existing is not None:
        existing.until, existing.set_by = until, set_by
    session.add(existing or ReminderSnooze(item=item, kind=kind, occasion=occasion, until=until, set_by=set_by))
    await _commit_unless_raced(session)


async def _commit_unless_raced(session: Session) -> None:
    try:
        await session.commit()
    except Conflict:
        await session.rollback()  # the same press from another instance got there first
