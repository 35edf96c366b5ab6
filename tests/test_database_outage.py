"""Database outages (issue 5): PostgreSQL connections dropped, or the server restarted, while members comment.
Requests caught by the outage must fail politely (HTTP 200, a private message that says nothing was saved
and gives the comment back), requests after it must succeed (pooled connections the server closed are
replaced before use), and nothing may be half-written: every comment has each of its revisions, and every
receipt a member got stands for exactly one stored comment. PostgreSQL only: SQLite has no server to lose.
"""

import asyncio
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.database import Database
from tests.flows import open_window, set_up_committee, shown_text
from tests.stack import CHANNEL, MEMBERS, Stack
from tests.support.slack_client import Reply

pytestmark = pytest.mark.parametrize("database", ["postgresql"], indirect=True)

REF = "annual-report-2021"
ADMIN = "outage-admin"  # the application_name of the test's own connections, which are never terminated
IN_FLIGHT = 6
SAVED = "is saved"
NOT_SAVED = ("was not saved", "something went wrong on our side")


# ---------------------------------------------------------------------------------------------- members


numbers = count(1)


async def comment(stack: Stack) -> tuple[str, Reply]:
    """A member comments; the words are unique, and long enough that a refusal hands them back."""
    n = next(numbers)
    words = f"Outage comment {n:05d}, written carefully on a phone in the meeting."
    reply = await stack.slack.slash_command("/comment", f"{REF} {words}", user_id=MEMBERS[n % 3], channel_id=CHANNEL)
    return words, reply


def verdict(words: str, reply: Reply) -> str:
    """Classify the answer: "saved", "not saved" (politely, their text given back), or what was wrong with it."""
    answer = reply.json()
    if reply.status != 200 or not isinstance(answer, dict):
        return f"HTTP {reply.status}: {reply.text[:200]}"
    shown = shown_text(answer)
    if SAVED in shown and ":warning:" not in shown:
        return "saved"
    if ":warning:" in shown and any(p in shown for p in NOT_SAVED) and f"> {REF} {words}" in shown:
        return "not saved"
    return f"impolite or unclear: {shown[:200]}"


# ---------------------------------------------------------------------------------------------- the database


@pytest.fixture
async def admin(postgres_url) -> AsyncIterator[Database]:
    database = Database(postgres_url, connect_args={"server_settings": {"application_name": ADMIN}})
    yield database
    await database.dispose()


async def _over_bot_connections(admin: Database, aggregate: str, condition: str = "TRUE") -> int:
    """`aggregate` over the test database's connections that meet `condition`, all but the admin's own."""
    async with admin.engine.begin() as connection:
        result = await connection.execute(
            text(
                f"SELECT {aggregate} FROM pg_stat_activity "
                f"WHERE datname = current_database() AND application_name <> :admin AND {condition}"
            ),
            {"admin": ADMIN},
        )
        return result.scalar_one()


async def terminate_bot_connections(admin: Database) -> int:
    """Every connection to the test database but the admin's own, as a crash or failover would drop them."""
    return await _over_bot_connections(admin, "count(pg_terminate_backend(pid))")


async def waiting_on_locks(admin: Database) -> int:
    return await _over_bot_connections(admin, "count(*)", "wait_event_type = 'Lock'")


@asynccontextmanager
async def revisions_held(admin: Database) -> AsyncIterator[None]:
    """Every new revision waits at the database until the block ends: requests writing one are surely in
    flight, with their comment inserted and its revision not, when the connections are dropped."""
    async with admin.engine.connect() as connection:
        await connection.begin()
        await connection.execute(text("LOCK TABLE comment_revision IN SHARE ROW EXCLUSIVE MODE"))
        try:
            yield
        finally:
            await connection.rollback()


async def until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


async def stored_comments(stack: Stack) -> tuple[Counter, list[str]]:
    """How many comments carry each text, and the comments whose revisions do not add up."""
    async with stack.database.engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT c.id, c.text, c.revision_count, count(r.id) FROM comment c "
                    "LEFT JOIN comment_revision r ON r.comment_id = c.id GROUP BY c.id, c.text, c.revision_count"
                )
            )
        ).all()
    half_written = [f"comment {i}: {n} revisions of {expected}" for i, _, expected, n in rows if n != expected]
    return Counter(words for _, words, _, _ in rows), half_written


async def assert_consistent(stack: Stack, answered: list[tuple[str, str]], *, strict: bool) -> None:
    """Every receipt stands for one stored comment and every comment is whole. `strict`: a comment refused
    as not saved was not stored either (when the drop surely came before the commit)."""
    stored, half_written = await stored_comments(stack)
    assert not half_written, half_written
    assert all(stored[words] == 1 for words, outcome in answered if outcome == "saved"), stored
    assert set(stored) <= {words for words, _ in answered}, "a comment nobody was told about"
    if strict:
        assert not [words for words, outcome in answered if outcome == "not saved" and stored[words]]


async def committee_ready(stack: Stack) -> None:
    await set_up_committee(stack)
    await open_window(stack)


# ---------------------------------------------------------------------------------------------- dropped


async def test_requests_caught_by_dropped_connections_fail_politely_and_later_ones_succeed(stack, admin):
    await committee_ready(stack)
    async with revisions_held(admin):
        caught = [asyncio.create_task(comment(stack)) for _ in range(IN_FLIGHT)]

        async def all_waiting() -> bool:
            return await waiting_on_locks(admin) >= IN_FLIGHT

        await until(all_waiting)
        assert await terminate_bot_connections(admin) >= IN_FLIGHT
    in_flight = [(words, verdict(words, reply)) for words, reply in await asyncio.gather(*caught)]
    assert [outcome for _, outcome in in_flight] == ["not saved"] * IN_FLIGHT, in_flight
    # The pool still holds the dropped connections; each is pinged, found dead and replaced.
    later = [(words, verdict(words, reply)) for words, reply in await _many(stack, IN_FLIGHT * 2)]
    assert [outcome for _, outcome in later] == ["saved"] * IN_FLIGHT * 2, later
    await assert_consistent(stack, in_flight + later, strict=True)


async def test_connections_dropped_while_idle_are_replaced_before_anyone_notices(stack, admin):
    await committee_ready(stack)
    # Fill the pool with idle connections, then drop them all while no request is using one.
    warm = [(words, verdict(words, reply)) for words, reply in await _many(stack, IN_FLIGHT)]
    assert await terminate_bot_connections(admin) >= 2
    await asyncio.sleep(0.2)  # the server's goodbye reaches the bot's event loop
    after = [(words, verdict(words, reply)) for words, reply in await _many(stack, IN_FLIGHT)]
    assert [outcome for _, outcome in warm + after] == ["saved"] * IN_FLIGHT * 2, after
    await assert_consistent(stack, warm + after, strict=True)


async def _many(stack: Stack, how_many: int) -> list[tuple[str, Reply]]:
    return list(await asyncio.gather(*(comment(stack) for _ in range(how_many))))


async def traffic(stack: Stack, stop: asyncio.Event, answered: list[tuple[str, Reply]]) -> None:
    """One member after another commenting until told to stop, as a busy committee would."""
    while not stop.is_set():
        answered.append(await comment(stack))
        await asyncio.sleep(0.02)  # a refusing server answers at once; members do not type that fast


@asynccontextmanager
async def busy(stack: Stack, workers: int = 4) -> AsyncIterator[list[tuple[str, Reply]]]:
    answered: list[tuple[str, Reply]] = []
    stop = asyncio.Event()
    running = [asyncio.create_task(traffic(stack, stop, answered)) for _ in range(workers)]
    try:
        yield answered
    finally:
        stop.set()
        await asyncio.gather(*running)


async def test_connections_dropped_at_random_moments_leave_nothing_half_written(stack, admin):
    await committee_ready(stack)
    async with busy(stack) as answered:
        for _ in range(4):
            await asyncio.sleep(0.3)
            await terminate_bot_connections(admin)
        await asyncio.sleep(0.3)
    outcomes = [(words, verdict(words, reply)) for words, reply in answered]
    assert {outcome for _, outcome in outcomes} <= {"saved", "not saved"}, Counter(o for _, o in outcomes)
    later = [(words, verdict(words, reply)) for words, reply in await _many(stack, IN_FLIGHT)]
    assert [outcome for _, outcome in later] == ["saved"] * IN_FLIGHT, later
    # A drop can fall between the commit and its acknowledgement: then "not saved" was stored after all.
    await assert_consistent(stack, outcomes + later, strict=False)


# ---------------------------------------------------------------------------------------------- restarted

PG_CTLCLUSTER = shutil.which("pg_ctlcluster")
CLUSTERS = Path("/etc/postgresql")
RESTART_TIMEOUT = 60


def _cluster() -> list[str]:
    return [PG_CTLCLUSTER, "--skip-systemctl-redirect", sorted(p.name for p in CLUSTERS.iterdir())[0], "main"]


async def _cluster_command(action: str) -> int:
    process = await asyncio.create_subprocess_exec(
        *_cluster(), action, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return await asyncio.wait_for(process.wait(), RESTART_TIMEOUT)


async def _accepting(admin: Database) -> bool:
    try:
        async with admin.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True
    except Exception:  # refused, starting up, or shutting down: all mean not yet
        return False


@asynccontextmanager
async def cluster_running_afterwards(admin: Database) -> AsyncIterator[None]:
    """Whatever happens in the test, PostgreSQL is up again for the rest of the suite."""
    try:
        yield
    finally:
        if await _cluster_command("status") != 0:
            await _cluster_command("start")
        await until(lambda: _accepting(admin), timeout=RESTART_TIMEOUT)


@pytest.mark.skipif(
    PG_CTLCLUSTER is None or not CLUSTERS.is_dir(), reason="needs a local PostgreSQL managed by pg_ctlcluster"
)
async def test_a_server_restart_during_traffic_fails_politely_and_recovers(stack, admin):
    await committee_ready(stack)
    async with cluster_running_afterwards(admin), busy(stack) as answered:
        await asyncio.sleep(0.3)
        assert await _cluster_command("restart") == 0
        await until(lambda: _accepting(admin), timeout=RESTART_TIMEOUT)
        await asyncio.sleep(0.5)
    outcomes = [(words, verdict(words, reply)) for words, reply in answered]
    tally = Counter(outcome for _, outcome in outcomes)
    assert set(tally) <= {"saved", "not saved"} and tally["not saved"], tally
    later = [(words, verdict(words, reply)) for words, reply in await _many(stack, IN_FLIGHT)]
    assert [outcome for _, outcome in later] == ["saved"] * IN_FLIGHT, later
    await assert_consistent(stack, outcomes + later, strict=False)
