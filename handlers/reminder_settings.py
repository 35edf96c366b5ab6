"""What clerks and members can change about reminders: the hour, weekends, and silencing one item."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.committees import committee_here, require_clerk
from handlers.context import Actor, Services
from handlers.errors import InvalidInput, NotFound
from handlers.identifiers import parse_id
from storage.models import CommentWindow, Committee, Meeting, ReminderMute, Resolution

log = logging.getLogger(__name__)

SNOOZE = timedelta(days=7)
ITEM_TABLES = {"window": CommentWindow, "resolution": Resolution, "meeting": Meeting}


@dataclass(frozen=True)
class ReminderSettings:
    committee_name: str
    hour: int
    skip_weekends: bool


async def set_reminder_settings(
    services: Services, actor: Actor, hour: int | None, skip_weekends: bool | None
) -> ReminderSettings:
    if hour is not None and not 0 <= hour <= 23:
        raise InvalidInput("The reminder hour must be between 0 and 23, e.g. `/committee reminders 9`.")
    async with services.database.session() as session:
        committee = await committee_here(session, actor)
        await require_clerk(session, committee, actor, "change when reminders go out")
        committee.reminder_hour = committee.reminder_hour if hour is None else hour
        committee.skip_weekends = committee.skip_weekends if skip_weekends is None else skip_weekends
        session.add(committee)
        await session.commit()
    log.info(
        "reminders of committee %s: %s:00, weekends skipped %s",
        committee.id,
        committee.reminder_hour,
        committee.skip_weekends,
    )
    return ReminderSettings(committee.name, committee.reminder_hour, committee.skip_weekends)


async def _committee_of_item(session: AsyncSession, actor: Actor, item: str) -> Committee:
    kind, _, number = item.partition(":")
    item_id = parse_id(number)
    if item_id is None or kind not in (*ITEM_TABLES, "committee"):
        raise NotFound("That reminder is out of date.")
    committee_id = (
        item_id if kind == "committee" else getattr(await session.get(ITEM_TABLES[kind], item_id), "committee_id", None)
    )
    committee = await session.get(Committee, committee_id) if committee_id else None
    if committee is None or committee.workspace_id != actor.workspace_id:
        raise NotFound("That reminder is out of date.")
    return committee


async def silence(services: Services, actor: Actor, item: str, for_good: bool) -> tuple[datetime | None, str]:
    """A clerk's snooze (a week) or mute (for good) of every reminder about one item; returns when it ends
    (None for a mute) and the committee's zone to say it in."""
    until = None if for_good else services.clock() + SNOOZE
    async with services.database.session() as session:
        committee = await _committee_of_item(session, actor, item)
        await require_clerk(session, committee, actor, "snooze or mute reminders")
        await _upsert_mute(session, item, "", until, actor.user_id)
    log.info("reminders for %s %s by %s", item, "muted" if for_good else f"snoozed until {until}", actor.user_id)
    return until, committee.timezone


async def stop_direct_messages(services: Services, actor: Actor, item: str) -> None:
    """A member stops the direct messages they get about one item; the channel still hears of it."""
    async with services.database.session() as session:
        await _committee_of_item(session, actor, item)
        await _upsert_mute(session, item, actor.user_id, None, actor.user_id)
    log.info("direct reminders about %s stopped by %s", item, actor.user_id)


async def _upsert_mute(session: AsyncSession, item: str, user_id: str, until: datetime | None, set_by: str) -> None:
    statement = select(ReminderMute).where(ReminderMute.item == item, ReminderMute.user_id == user_id)
    mute = (await session.exec(statement)).first() or ReminderMute(item=item, user_id=user_id, set_by=set_by)
    mute.until, mute.set_by = until, set_by
    session.add(mute)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()  # the same press from another instance got there first
