"""Fixtures shared by the suite: each database-backed test runs on SQLite and on PostgreSQL.

PostgreSQL is used whenever it is reachable. Where it is not, its half of the suite is skipped, unless
CI=true or COMMITTEE_BOT_REQUIRE_POSTGRES=1 is set: then a skipped PostgreSQL run fails instead, so
green CI always means both databases passed.
"""

import asyncio
import os
import shutil
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from storage.database import Database

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
POSTGRES_REQUIRED = (
    os.environ.get("CI", "").lower() == "true" or os.environ.get("COMMITTEE_BOT_REQUIRE_POSTGRES") == "1"
)


def _run_in_own_loop(coroutine) -> object:
    """Session fixtures are set up from inside a test's running loop; give their async work a thread of its own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _postgres_reachable() -> bool:
    parsed = urlparse(POSTGRES_ADMIN_URL)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 5432), timeout=1):
            return True
    except OSError:
        return False


async def _create_postgres_database() -> str:
    name = f"committee_bot_test_{uuid.uuid4().hex[:10]}"
    admin = Database(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.engine.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    migrated = Database(url)
    await migrated.upgrade()
    await migrated.dispose()
    return url


async def _drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = Database(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.engine.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture(scope="session")
def postgres_url():
    if not _postgres_reachable():
        if POSTGRES_REQUIRED:
            pytest.fail(f"PostgreSQL is required here (CI) but not reachable at {POSTGRES_ADMIN_URL}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}")
    url = _run_in_own_loop(_create_postgres_database())
    yield url
    _run_in_own_loop(_drop_postgres_database(url))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file copied for each test: migrating once keeps the suite quick."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    database = Database(f"sqlite:///{path}")

    async def migrate():
        await database.upgrade()
        await database.dispose()

    _run_in_own_loop(migrate())
    return path


async def _empty_tables(database: Database) -> None:
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    async with database.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "bot.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        database = Database(f"sqlite:///{path}")
    else:
        database = Database(request.getfixturevalue("postgres_url"))
        await _empty_tables(database)
    yield database
    await database.dispose()


@pytest.fixture
async def stack(database):
    from tests.stack import start_stack

    running = await start_stack(database)
    yield running
    await running.stop()


@pytest.fixture
async def teams(database):
    """The bot as Teams sees it (tests/teams_stack.py)."""
    from tests.teams_stack import start_teams_stack

    running = await start_teams_stack(database)
    yield running
    await running.stop()
