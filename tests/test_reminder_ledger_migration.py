"""Upgrading a running bot's database to ledger keys by occasion: nothing already sent is sent again, and the
repeats that changing the reminder hour used to cause are merged into one row each."""

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlmodel import select

from storage.database import MIGRATIONS_DIR, Database
from storage.models import Reminder, ReminderState
from storage.types import UTCDateTime
from tests.conftest import POSTGRES_ADMIN_URL
from tests.flows import reminder_kinds, reminder_posts, tick_at
from tests.stack import CHANNEL, CLERK, OFFICER, TEAM, start_stack

LONDON = ZoneInfo("Europe/London")
BEFORE_OCCASIONS = "0004_one_live_response"


def london(month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=LONDON).astimezone(UTC)


def _table(name: str, *columns: tuple[str, sa.types.TypeEngine]) -> sa.TableClause:
    return sa.table(name, *(sa.column(column, kind) for column, kind in columns))


TEXT, NUMBER, WHEN, DAY, FLAG = sa.String(), sa.Integer(), UTCDateTime(), sa.Date(), sa.Boolean()
# The tables as they were before this change, with the columns these rows fill.
WORKSPACE = _table("workspace", ("id", TEXT), ("created_at", WHEN))
COMMITTEE = _table(
    "committee",
    *[("id", NUMBER), ("workspace_id", TEXT), ("channel_id", TEXT), ("name", TEXT), ("timezone", TEXT)],
    *[("agenda_lead_days", NUMBER), ("reminder_hour", NUMBER), ("skip_weekends", FLAG)],
    *[("escalate_to_chair", FLAG), ("created_by", TEXT), ("created_at", WHEN)],
)
CLERKS = _table("committee_clerk", ("committee_id", NUMBER), ("user_id", TEXT))
WINDOW = _table(
    "comment_window",
    *[("id", NUMBER), ("committee_id", NUMBER), ("ref", TEXT), ("title", TEXT), ("officer_user_id", TEXT)],
    *[("deadline", WHEN), ("opened_by", TEXT), ("opened_at", WHEN), ("request_key", TEXT)],
)
RESOLUTION = _table(
    "resolution",
    *[("id", NUMBER), ("committee_id", NUMBER), ("text", TEXT), ("kind", TEXT), ("owner_title", TEXT)],
    *[("due_date", DAY), ("due_at", WHEN), ("status", TEXT), ("slipped_count", NUMBER), ("created_by", TEXT)],
    *[("created_at", WHEN), ("updated_at", WHEN), ("request_key", TEXT)],
)
LEDGER = _table(
    "reminder",
    *[("committee_id", NUMBER), ("item", TEXT), ("kind", TEXT), ("due", WHEN), ("target", TEXT), ("state", TEXT)],
    *[("claimed_by", TEXT), ("claimed_at", WHEN), ("attempts", NUMBER), ("completed_at", WHEN)],
)
MUTE = _table("reminder_mute", ("item", TEXT), ("user_id", TEXT), ("until", WHEN), ("set_by", TEXT), ("set_at", WHEN))


@pytest.fixture(params=["sqlite", "postgresql"])
async def unmigrated(request, tmp_path):
    """A database migrated only as far as before this change."""
    name = f"committee_bot_migration_{uuid.uuid4().hex[:10]}"
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    else:
        request.getfixturevalue("postgres_url")  # PostgreSQL is there, or the suite skips or fails as it says
        await _administer(f'CREATE DATABASE "{name}"')
        url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    database = Database(url)
    async with database.engine.begin() as connection:
        await connection.run_sync(_upgrade_to, BEFORE_OCCASIONS)
    yield database
    await database.dispose()
    if request.param == "postgresql":
        await _administer(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _administer(statement: str) -> None:
    admin = Database(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.engine.connect() as connection:
        await connection.execute(sa.text(statement))
    await admin.dispose()


def _upgrade_to(connection, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _sent(item: str, kind: str, due: datetime, target: str = CHANNEL) -> dict:
    return dict(
        committee_id=1, item=item, kind=kind, due=due, target=target, state=ReminderState.SENT,
        claimed_by="old", claimed_at=due, attempts=1, completed_at=due,
    )  # fmt: skip


async def _as_the_old_bot_left_it(database: Database) -> None:
    """A window whose 7-day notice went out three times as the clerk moved the hour from 9 to 8 to 7, an action
    whose 7-day notice went out, a clerks' digest, and a snooze of the old kind that silenced a whole item."""
    made = london(11, 2, 10)
    async with database.engine.begin() as connection:
        await connection.execute(WORKSPACE.insert().values(id=TEAM, created_at=made))
        await connection.execute(
            COMMITTEE.insert().values(
                id=1, workspace_id=TEAM, channel_id=CHANNEL, name="Children and Families", timezone="Europe/London",
                agenda_lead_days=14, reminder_hour=7, skip_weekends=True, escalate_to_chair=True, created_by=CLERK,
                created_at=made,
            )
        )  # fmt: skip
        await connection.execute(CLERKS.insert().values(committee_id=1, user_id=CLERK))
        await connection.execute(
            WINDOW.insert().values(
                id=1, committee_id=1, ref="annual-report-2026", title="Draft annual report", officer_user_id=OFFICER,
                deadline=london(12, 11, 23, 59, 59), opened_by=CLERK, opened_at=made, request_key="window-1",
            )
        )  # fmt: skip
        await connection.execute(
            RESOLUTION.insert().values(
                id=1, committee_id=1, text="Write to the Minister.", kind="action", owner_title="Director",
                due_date=datetime(2026, 12, 9).date(), due_at=london(12, 9, 23, 59, 59), status="open",
                slipped_count=0, created_by=CLERK, created_at=made, updated_at=made, request_key="resolution-1",
            )
        )  # fmt: skip
        await connection.execute(
            LEDGER.insert(),
            [
                *(_sent("window:1", "window.week", london(12, 4, hour)) for hour in (9, 8, 7)),
                _sent("resolution:1", "action.week", london(12, 2, 7)),
                _sent("committee:1", "overdue.digest", london(11, 30, 7), target=CLERK),
            ],
        )
        await connection.execute(
            MUTE.insert().values(item="resolution:1", user_id="", until=london(12, 12), set_by=CLERK, set_at=made)
        )


async def test_upgrading_keeps_every_sent_reminder_sent_once(unmigrated):
    await _as_the_old_bot_left_it(unmigrated)
    await unmigrated.upgrade()

    async with unmigrated.session() as session:
        rows = sorted((r.item, r.kind, r.occasion, r.state) for r in await session.exec(select(Reminder)))
    assert rows == [
        ("committee:1", "overdue.digest", "2026-11-30", ReminderState.SENT),
        ("resolution:1", "action.week", "2026-12-09", ReminderState.SENT),
        ("window:1", "window.week", "2026-12-11", ReminderState.SENT),
    ]
    stack = await start_stack(unmigrated)
    try:
        await tick_at(stack, london(12, 4, 9, 30))  # the day of the 7-day notice, at a later hour than it went
        assert reminder_posts(stack) == []
        await tick_at(stack, london(12, 9, 7))  # the old snooze no longer holds back the due-day notice
        assert reminder_kinds(reminder_posts(stack, CHANNEL)) == ["action.today"]
    finally:
        await stack.stop()
