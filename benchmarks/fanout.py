"""Reminder fan-out: 5,000 reminders due now over 500 channels, against Slack's one message per second per channel.

One tick of handlers.reminders.tick with the bot's real reminder sender over SlackReminderTransport (its Web API
client retrying 429s) and the default ReminderTiming (1 s between posts to one channel), on PostgreSQL. Slack's Web
API is the test suite's fake in a process of its own (Slack's work is not the bot's), enforcing one chat.postMessage
per second per channel (`per_channel_rate(1.0)`: a 429 with Retry-After beyond that). Each committee has its
reminder hour set to the current hour and its actions due today, so their "due today" notices are due now; the "week
before" notices are already superseded and dropped.

Floor: the largest number of reminders in one channel x 1 s, the least any sender could take. Targets: total
time / floor <= 1.2; duplicates 0 and lost 0, read from the message metadata keys the fake received.

Usage: python benchmarks/fanout.py [--reminders 5000 --channels 500]
"""

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import benchlib
import population
from benchlib import FakeSlackProcess, Figure, figure

from bot.config import Settings
from bot.slack.app import SlackBot
from handlers.deadlines import end_of_day
from handlers.reminders import ReminderTiming, tick
from storage.database import Database
from storage.models import Reminder, Resolution

NAME = "fanout"


def parse_args():
    parser = benchlib.common_arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=5_000)
    parser.add_argument("--channels", type=int, default=500)
    return parser.parse_args()


def due_today(number: int, channels: int, now: datetime) -> dict:
    """An action of committee (number mod channels), owned by a title (so no direct message), due today."""
    today = now.astimezone(ZoneInfo(population.ZONE)).date()
    committee = number % channels + 1
    return Resolution(
        committee_id=committee,
        text=population.ACTION_TEXTS[number % len(population.ACTION_TEXTS)],
        kind="action",
        owner_title="Director of Environment and Transport",
        due_date=today,
        due_at=end_of_day(today, population.ZONE),
        created_by=population.clerk_of(committee),
        created_at=now,
        updated_at=now,
        due_set_at=now - timedelta(days=1),  # dated before today's notices were planned
        request_key=f"seed:fanout:{number}",
    ).model_dump(exclude={"id"})


async def seed(url: str, reminders: int, channels: int) -> tuple[datetime, dict[str, int]]:
    """Returns the planned instant of today's notices, and the reminders each channel should get."""
    now = datetime.now(UTC)
    local = now.astimezone(ZoneInfo(population.ZONE))
    database = Database(url)
    try:
        await population.seed_committees(database, channels, now, reminder_hour=local.hour)
        await population.insert_rows(database, Resolution, (due_today(n, channels, now) for n in range(reminders)))
        await population.analyze(database)
    finally:
        await database.dispose()
    planned = datetime.combine(local.date(), clock_time(local.hour), tzinfo=ZoneInfo(population.ZONE))
    per_channel = Counter(population.channel_of(n % channels + 1) for n in range(reminders))
    return planned.astimezone(UTC), dict(per_channel)


async def expected_keys(url: str) -> set[str]:
    """The ledger key of every "due today" notice, worked out from the seeded rows, not from the bot's plan: a
    due-day notice is about the day its action is due."""
    database = Database(url)
    try:
        async with database.session() as session:
            rows = await session.exec(Resolution.__table__.select())
            return {
                f"resolution:{row.id}|action.today|{row.due_date.isoformat()}|{population.channel_of(row.committee_id)}"
                for row in rows
            }
    finally:
        await database.dispose()


async def ledger_states(url: str) -> Counter:
    database = Database(url)
    try:
        async with database.session() as session:
            return Counter((row.kind, row.state) for row in await session.exec(Reminder.__table__.select()))
    finally:
        await database.dispose()


def delivered_keys(posts: list[dict]) -> list[str]:
    return [post["key"] for post in posts if not post["failed"] and post["key"]]


@dataclass
class Tick:
    seconds: float
    outcome: str  # the tick's report, or the error it stopped with
    post_offsets: list[float]  # when each chat.postMessage reached the fake, in seconds from the tick's start
    posts: list[dict]

    @property
    def completed(self) -> bool:
        return not self.outcome.startswith("FAILED")


async def run_tick(url: str, fake: FakeSlackProcess) -> Tick:
    """One tick as the scheduler runs it, with the bot's own Slack wiring (SlackBot.reminders)."""
    settings = Settings(
        bot_token=benchlib.BOT_TOKEN,
        signing_secret=benchlib.SIGNING_SECRET,
        slack_api_url=fake.base_url,
        database_url=url,
    )
    database = Database(url)
    bot = SlackBot(settings, database)
    started = time.monotonic()  # the fake notes arrivals by the same clock
    try:
        outcome = str(await tick(bot.services, bot.reminders, "bench", ReminderTiming()))
    except Exception as error:  # the benchmark reports a failed tick rather than dying with it
        outcome = f"FAILED with {type(error).__name__}: {str(error.__cause__ or error).splitlines()[0][:200]}"
    finally:
        await database.dispose()
    seconds = time.monotonic() - started
    posts = await fake.posts()
    return Tick(seconds, outcome, [post["at"] - started for post in posts], posts)


async def run(args) -> list[Figure]:
    pace = ReminderTiming().pace_seconds
    async with benchlib.scratch_postgres(NAME) as url, FakeSlackProcess(args.channels, 1, pace) as fake:
        planned, per_channel = await seed(url, args.reminders, args.channels)
        expected = await expected_keys(url)
        print(f"{len(expected):,} reminders due at {planned:%H:%M} UTC over {len(per_channel)} channels; ticking ...")
        ticked = await run_tick(url, fake)
        keys = delivered_keys(ticked.posts)
        throttled = sum(1 for post in ticked.posts if post["failed"])
        print(f"tick: {ticked.seconds:.1f} s, {ticked.outcome}")
        if ticked.post_offsets:
            first, last = ticked.post_offsets[0], ticked.post_offsets[-1]
            after = ticked.seconds - last
            print(f"  posts from {first:.1f} s to {last:.1f} s into the tick, which ended {after:.1f} s later")
        print(f"{len(keys):,} posts landed, {throttled:,} answered 429, {len(set(keys) - expected)} unexpected")
        print(f"ledger (kind, state): {dict(await ledger_states(url))}")
    floor = max(per_channel.values()) * pace
    return figures(ticked, floor, keys, expected, throttled)


def figures(ticked: Tick, floor: float, keys: list[str], expected: set[str], throttled: int) -> list[Figure]:
    duplicates = len(keys) - len(set(keys))
    lost = len(expected - set(keys))
    total = "total time" if ticked.completed else "total time (tick failed)"
    met = ticked.completed and ticked.seconds <= 1.2 * floor
    return [
        figure(NAME, total, ticked.seconds, "s", floor, "<= 1.2x floor", met),
        figure(NAME, "posts answered 429", throttled, "posts"),
        figure(NAME, "duplicates", duplicates, "posts", target="0", met=duplicates == 0),
        figure(NAME, "lost", lost, "posts", target="0", met=lost == 0),
    ]


def main() -> None:
    args = parse_args()
    benchlib.print_machine("reminder fan-out under Slack's per-channel rate limit")
    benchlib.report(asyncio.run(run(args)), args.json)


if __name__ == "__main__":
    main()
