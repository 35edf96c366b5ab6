"""What clerks and members can change about reminders: the hour, which days, snoozing one notice, silencing one
item."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from handlers import working_days
from handlers.committees import committee_here, require_clerk
from handlers.context import Actor, Services
from handlers.errors import InvalidInput, NotFound
from handlers.identifiers import parse_id
from handlers.reminder_plan import SNOOZE, again_at, meeting_about, resolution_about, window_about
from handlers.wording import Command
from storage import settings
from storage.committees import CommitteeView
from storage.database import Session
from storage.models import CommentWindow, Meeting, Resolution

log = logging.getLogger(__name__)

OUT_OF_DATE = "That reminder is out of date."
# The Snooze buttons of reminders posted before a snooze was of one notice carry only the item.
OLD_SNOOZE = (
    "This Snooze button is from an older reminder and snoozes nothing: the reminders about this item go out as "
    'planned. A clerk can stop them all with "Mute for this item".'
)


@dataclass(frozen=True)
class MutedItem:
    item: str  # as the reminders' buttons carry it: "window:12"
    about: str  # "comments on Draft budget 2027/28", "R3 Write to the Minister", "the meeting on 12 January 2027"


@dataclass(frozen=True)
class ReminderSettings:
    committee_name: str
    hour: int
    skip_weekends: bool
    bank_holidays: str
    muted: tuple[MutedItem, ...] = ()

    @property
    def region_name(self) -> str:
        return working_days.region_name(self.bank_holidays)


async def set_reminder_settings(
    services: Services, actor: Actor, hour: int | None, skip_weekends: bool | None, bank_holidays: str | None = None
) -> ReminderSettings:
    if hour is not None and not 0 <= hour <= 23:
        raise InvalidInput(
            ("The reminder hour must be between 0 and 23, e.g. ", Command("committee", "reminders 9"), ".")
        )
    async with services.database.session() as session:
        committee = await committee_here(session, actor)
        await require_clerk(session, committee, actor, "change when reminders go out")
        committee = await settings.set_reminder_settings(
            session,
            committee.id,
            committee.reminder_hour if hour is None else hour,
            committee.skip_weekends if skip_weekends is None else skip_weekends,
            bank_holidays or committee.bank_holidays,
        )
        await session.commit()
        muted = tuple(
            MutedItem(item, _about(row, committee))
            for item, row in await settings.muted_for_everyone(session, committee.id)
        )
    log.info(
        "reminders of committee %s: %s:00, non-working days skipped %s, bank holidays of %s",
        committee.id,
        committee.reminder_hour,
        committee.skip_weekends,
        committee.bank_holidays,
    )
    return ReminderSettings(
        committee.name, committee.reminder_hour, committee.skip_weekends, committee.bank_holidays, muted
    )


def _about(row: CommentWindow | Resolution | Meeting, committee: CommitteeView) -> str:
    """What a muted item is, in the words its reminders use."""
    if isinstance(row, CommentWindow):
        return window_about(row.title)
    if isinstance(row, Resolution):
        return resolution_about(row.id, row.text)
    return meeting_about(row.starts_at, committee.timezone)


async def _committee_of_item(session: Session, actor: Actor, item: str) -> CommitteeView:
    kind, _, number = item.partition(":")
    item_id = parse_id(number)
    committee = await settings.committee_of_item(session, kind, item_id) if item_id is not None else None
    if committee is None or committee.workspace_id != actor.workspace_id:
        raise NotFound(OUT_OF_DATE)
    return committee


async def _clerks_item(session: Session, actor: Actor, item: str) -> MutedItem:
    """The window, resolution or meeting a clerk's mute or unmute button names, as its reminders name it."""
    committee = await _committee_of_item(session, actor, item)
    await require_clerk(session, committee, actor, "snooze or mute reminders")
    kind, _, number = item.partition(":")
    # Read already by _committee_of_item: the session's identity map answers without a query.
    row = await settings.item_row(session, kind, int(number))
    if row is None:  # a committee's own digest, which has no mute button
        raise NotFound(OUT_OF_DATE)
    return MutedItem(item, _about(row, committee))


async def mute(services: Services, actor: Actor, item: str) -> MutedItem:
    """A clerk's mute of every reminder about one item, for everyone, until a clerk unmutes it."""
    async with services.database.session() as session:
        muted = await _clerks_item(session, actor, item)
        await settings.mute(session, item, "", actor.user_id)
    log.info("reminders for %s muted by %s", item, actor.user_id)
    return muted


async def unmute(services: Services, actor: Actor, item: str) -> MutedItem:
    """A clerk turns an item's reminders back on for everyone: those still to come go out as planned."""
    async with services.database.session() as session:
        muted = await _clerks_item(session, actor, item)
        if not await settings.unmute(session, item):
            raise NotFound("Reminders about this item are not muted.")
    log.info("reminders for %s unmuted by %s", item, actor.user_id)
    return muted


async def snooze(services: Services, actor: Actor, notice: str) -> tuple[datetime, str]:
    """A clerk's snooze of one notice (its button carries "item|kind|occasion"): it is posted again a week from
    today at the reminder hour, unless the item's next notice comes first. Returns when, and the zone to say it
    in. Nothing else about the item is held back."""
    async with services.database.session() as session:
        committee = await _committee_of_item(session, actor, notice.split("|")[0])
        await require_clerk(session, committee, actor, "snooze or mute reminders")
        item, kind, occasion = _notice_of(notice)
        zone = ZoneInfo(committee.timezone)
        today = services.clock().astimezone(zone).date()
        until = datetime.combine(today + SNOOZE, time(0), tzinfo=zone).astimezone(UTC)
        await settings.snooze(session, item, kind, occasion, until, actor.user_id)
        again = again_at(until, committee)
    log.info("reminder %s snoozed by %s until %s", notice, actor.user_id, again)
    return again, committee.timezone


def _notice_of(value: str) -> tuple[str, str, str]:
    parts = value.split("|")
    if len(parts) == 1:
        raise NotFound(OLD_SNOOZE)
    if len(parts) != 3 or not all(parts):
        raise NotFound(OUT_OF_DATE)
    return parts[0], parts[1], parts[2]


async def stop_direct_messages(services: Services, actor: Actor, item: str) -> None:
    """A member stops the direct messages they get about one item; the channel still hears of it."""
    async with services.database.session() as session:
        await _committee_of_item(session, actor, item)
        await settings.mute(session, item, actor.user_id, actor.user_id)
    log.info("direct reminders about %s stopped by %s", item, actor.user_id)
