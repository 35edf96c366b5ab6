"""Reminder load for test_reminders_at_scale: many committees' actions due today, written straight into the
tables, independent bot instances to tick over them, and what the fake Slack and the ledger ended up with."""

import asyncio
from collections import Counter
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.config import Settings
from bot.slack.app import SlackBot
from handlers.deadlines import end_of_day
from handlers.reminders import ReminderTiming, TickReport, tick
from storage.database import Database
from storage.models import (
    Committee,
    CommitteeClerk,
    Reminder,
    ReminderState,
    Resolution,
    ResolutionKind,
    ResolutionStatus,
    Workspace,
)
from tests.support.fake_slack import FakeSlackWebAPI

WORKSPACE = "T0001"
ZONE = "Europe/London"


@dataclass(frozen=True)
class Load:
    committees: int
    actions_per_committee: int
    # Officers who own the actions in turn; each owned action also reminds its owner by direct message.
    owners: int = 0
    reminder_hour: int = 9
    # A clerk per committee, who hears of undelivered reminders and gets the overdue digest.
    clerks: bool = True

    @property
    def actions(self) -> int:
        return self.committees * self.actions_per_committee


def channel_of(committee: int) -> str:
    return f"CLOAD{committee:03d}"


def clerk_of(committee: int) -> str:
    return f"UCLERK{committee:03d}"


def owner_of(action: int, load: Load) -> str | None:
    return f"UOWNER{action % load.owners:03d}" if load.owners else None


def at_hour(day: date, hour: int) -> datetime:
    """`hour` o'clock on `day` in the committees' zone, in UTC: when that day's reminders fall due."""
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


def reminder_key(item: str, kind: str, occasion: str, target: str) -> str:
    """As DueReminder.key spells it; written out here so the expected keys do not come from the code under test."""
    return f"{item}|{kind}|{occasion}|{target}"


async def seed_actions(database: Database, load: Load, today: date) -> list[str]:
    """Committees with a clerk each, and open actions due on `today`, as the register would hold them.

    The week's notices for these actions went out a week ago, so their ledger rows are written as sent; the
    tick then has exactly the day's notices to send. Returns the keys of those notices.
    """
    async with database.session() as session:
        session.add(Workspace(id=WORKSPACE))
        await session.flush()  # the tables declare no relationships, so the ORM cannot order these inserts itself
        committees = [_committee(n, load) for n in range(load.committees)]
        session.add_all(committees)
        await session.flush()
        if load.clerks:
            session.add_all(CommitteeClerk(committee_id=c.id, user_id=clerk_of(n)) for n, c in enumerate(committees))
        actions = [_action(n, committees[n % load.committees], load, today) for n in range(load.actions)]
        session.add_all(actions)
        await session.flush()
        channels = {committee.id: committee.channel_id for committee in committees}
        targeted = [(action, target) for action in actions for target in _targets(action, channels)]
        last_week = at_hour(today - timedelta(days=7), load.reminder_hour)
        session.add_all(_sent_long_ago(action, "action.week", last_week, target) for action, target in targeted)
        await session.commit()
    # A due-day notice is about the day the action is due.
    return [
        reminder_key(f"resolution:{action.id}", "action.today", today.isoformat(), target)
        for action, target in targeted
    ]


def _committee(n: int, load: Load) -> Committee:
    # Weekends are not skipped, so every notice falls on the reminder hour of its own day.
    return Committee(
        workspace_id=WORKSPACE,
        channel_id=channel_of(n),
        name=f"Load committee {n}",
        timezone=ZONE,
        reminder_hour=load.reminder_hour,
        skip_weekends=False,
        created_by=clerk_of(n),
    )


def _action(n: int, committee: Committee, load: Load, today: date) -> Resolution:
    return Resolution(
        committee_id=committee.id,
        text=f"Action {n}: write to the Minister about item {n}.",
        kind=ResolutionKind.ACTION,
        owner_user_id=owner_of(n, load),
        owner_title=None if load.owners else "Director of Children and Family Services",
        due_date=today,
        due_at=end_of_day(today, ZONE),
        due_set_at=at_hour(today - timedelta(days=14), load.reminder_hour),  # recorded well before its notices
        status=ResolutionStatus.OPEN,
        created_by=committee.created_by,
        request_key=f"load-action-{n}",
    )


def _targets(action: Resolution, channels: dict[int, str]) -> list[str]:
    """The committee's channel, and the owner by direct message when there is one (as reminder_plan sends)."""
    return [channels[action.committee_id]] + ([action.owner_user_id] if action.owner_user_id else [])


def _sent_long_ago(action: Resolution, kind: str, due: datetime, target: str) -> Reminder:
    return Reminder(
        committee_id=action.committee_id,
        item=f"resolution:{action.id}",
        kind=kind,
        occasion=action.due_date.isoformat(),
        due=due,
        target=target,
        state=ReminderState.SENT,
        claimed_by="an earlier instance",
        claimed_at=due,
        completed_at=due,
    )


@dataclass
class Instance:
    """One bot process as far as reminders go: its own connection pool, its own Slack clients."""

    name: str
    database: Database
    bot: SlackBot

    async def tick(self, timing: ReminderTiming) -> TickReport:
        return await tick(self.bot.services, self.bot.reminders, self.name, timing)

    async def stop(self) -> None:
        await self.database.dispose()


def start_instance(
    name: str,
    database_url: str,
    fake: FakeSlackWebAPI,
    slack_timeout: float = 2,
    in_step: asyncio.Barrier | None = None,
) -> Instance:
    settings = Settings(bot_token="xoxb-test", slack_api_url=fake.base_url, slack_timeout_seconds=slack_timeout)
    database = Database(database_url) if in_step is None else TakeOverInStep(database_url, in_step)
    return Instance(name, database, SlackBot(settings, database))


class TakeOverInStep(Database):
    """A connection pool whose row-locking read (the take-over of abandoned claims) waits, once it has its rows,
    until every instance sharing the barrier has made that read too: all of them read the abandoned claims
    before any records taking them over. Processes can interleave so by chance; here it happens every time."""

    def __init__(self, url: str, barrier: asyncio.Barrier) -> None:
        super().__init__(url)
        self._barrier = barrier

    @asynccontextmanager
    async def session(self):
        async with super().session() as session:
            read = session.exec

            async def read_then_wait(statement, *args, **kwargs):
                result = await read(statement, *args, **kwargs)  # buffered: the rows are in hand already
                if "FOR UPDATE" in str(statement):
                    await asyncio.wait_for(self._barrier.wait(), timeout=5)
                return result

            session.exec = read_then_wait
            yield session


def posted_keys(fake: FakeSlackWebAPI) -> Counter[str]:
    """How many times each reminder key landed in a channel or direct message, read from message metadata."""
    return Counter(
        message["metadata"]["event_payload"]["key"]
        for messages in fake.history.values()
        for message in messages
        if "key" in ((message.get("metadata") or {}).get("event_payload") or {})
    )


def post_calls_by_key(fake: FakeSlackWebAPI) -> Counter[str]:
    """How many times each reminder was posted, whatever the answer."""
    return Counter(
        call.params["metadata"]["event_payload"]["key"]
        for call in fake.calls_to("chat.postMessage")
        if "metadata" in call.params
    )


def posting_summary(posted: Counter[str], expected: list[str]) -> tuple[int, int]:
    """(expected reminders posted at least once, extra posts: repeats, or keys not expected at all)."""
    wanted = set(expected)
    delivered = sum(1 for key in wanted if posted[key] >= 1)
    extra = sum(
        count - 1 if key in wanted else count for key, count in posted.items() if key not in wanted or count > 1
    )
    return delivered, extra


async def ledger(database: Database) -> list[Reminder]:
    async with database.session() as session:
        return list(await session.exec(select(Reminder)))


async def day_notices_by_state(database: Database) -> Counter[str]:
    return Counter(row.state for row in await ledger(database) if row.kind == "action.today")


async def wait_until(condition, timeout: float, poll: float = 0.05) -> bool:
    """Poll an async condition until it holds or `timeout` seconds pass; whether it held."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await condition():
            return True
        await asyncio.sleep(poll)
    return await condition()
