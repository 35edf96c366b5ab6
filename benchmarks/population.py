"""Who and what the benchmark council holds: committees in channels with clerks and members, meetings, comment
windows, comments and resolutions, inserted in bulk with SQLAlchemy Core (no per-row ORM round trips).

Committee n (from 1) lives in channel_of(n), is clerked by clerk_of(n) (and by SUPER_CLERK, who clerks every
committee, for `/actions all`), and has members member_of(n, 0..members-1) besides. The fake Slack Web API is
given the same channels and members (fake_slack_server.py), so the bot's membership checks pass.
"""

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice

from sqlalchemy import insert, text

from handlers.deadlines import end_of_day
from storage.database import Database
from storage.models import (
    Comment,
    CommentRevision,
    CommentWindow,
    Committee,
    CommitteeClerk,
    Meeting,
    Resolution,
    RevisionAction,
    Workspace,
)

TEAM = "T0001"  # the fake's workspace
ZONE = "Europe/London"
SUPER_CLERK = "USUPERCLERK"
MEETINGS_PER_COMMITTEE = 4
CHUNK = 5_000

ACTION_TEXTS = (
    "That the Director of Children and Family Services be requested to write to the Secretary of State about the "
    "funding of school places for children with special educational needs.",
    "That officers be asked to circulate the revised action log to all Members.",
    "That the Head of Finance be requested to complete the review of fees and charges.",
    "That the Chief Executive write to the Chief Constable to express the Committee's thanks.",
    "That officers be asked to arrange a site visit for Members to the new recycling centre.",
)
REPORT_TEXTS = (
    "That a further report on the recruitment of foster carers be brought back to the next meeting.",
    "That the Director of Adults and Communities report back to the Committee on waiting times for assessments.",
)
NOTED_TEXTS = (
    "That the report be noted.",
    "That the Committee welcomes the progress made on the Children and Families Partnership Plan.",
)


def channel_of(committee: int) -> str:
    return f"C{committee:06d}"


def clerk_of(committee: int) -> str:
    return f"UCLERK{committee:06d}"


def member_of(committee: int, number: int) -> str:
    return f"UM{committee:06d}X{number:03d}"


def channel_members(committee: int, members: int) -> list[str]:
    return [clerk_of(committee), SUPER_CLERK, *(member_of(committee, n) for n in range(members)), "UBOT"]


def chunked(rows: Iterator[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    while batch := list(islice(rows, size)):
        yield batch


async def insert_rows(database: Database, model, rows: Iterator[dict]) -> None:
    """Bulk insert in chunks: one executemany (batched multi-row INSERTs) per chunk."""
    async with database.engine.begin() as connection:
        for batch in chunked(rows):
            await connection.execute(insert(model.__table__), batch)


async def reset_sequences(database: Database, tables: list[str]) -> None:
    """Rows were inserted with explicit ids: move each id sequence past them so the bot's own inserts work."""
    if database.is_sqlite:
        return
    async with database.engine.begin() as connection:
        for table in tables:
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            await connection.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))"))


async def analyze(database: Database) -> None:
    """Fresh planner statistics, as autovacuum would have gathered on a database that grew over months."""
    if not database.is_sqlite:
        async with database.engine.begin() as connection:
            await connection.execute(text("ANALYZE"))


# ---------------------------------------------------------------------- committees and their calendars


async def seed_committees(database: Database, committees: int, now: datetime, reminder_hour: int = 9) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(insert(Workspace.__table__), [{"id": TEAM, "created_at": now}])
    await insert_rows(database, Committee, (_committee(n, now, reminder_hour) for n in range(1, committees + 1)))
    clerks = ({"committee_id": n, "user_id": clerk_of(n)} for n in range(1, committees + 1))
    await insert_rows(database, CommitteeClerk, clerks)
    supers = ({"committee_id": n, "user_id": SUPER_CLERK} for n in range(1, committees + 1))
    await insert_rows(database, CommitteeClerk, supers)
    await insert_rows(database, Meeting, (m for n in range(1, committees + 1) for m in _meetings(n, committees, now)))
    await reset_sequences(database, ["committee", "meeting"])


def _committee(n: int, now: datetime, reminder_hour: int) -> dict:
    return Committee(
        id=n,
        workspace_id=TEAM,
        channel_id=channel_of(n),
        name=f"Committee {n:04d} Overview and Scrutiny",
        chair_user_id=None,
        reminder_hour=reminder_hour,
        created_by=clerk_of(n),
        created_at=now,
    ).model_dump()


def meeting_id(committee: int, index: int, committees: int) -> int:
    return index * committees + committee


def first_meeting_start(committee: int, now: datetime) -> datetime:
    day = (now + timedelta(days=20 + committee % 20)).date()
    return datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC)


def _meetings(n: int, committees: int, now: datetime) -> Iterator[dict]:
    first = first_meeting_start(n, now)
    for index in range(MEETINGS_PER_COMMITTEE):
        starts = first + timedelta(days=56 * index)
        yield Meeting(
            id=meeting_id(n, index, committees),
            committee_id=n,
            starts_at=starts,
            created_by=clerk_of(n),
            created_at=now,
            request_key=f"seed:meeting:{n}:{index}",
        ).model_dump()


# ---------------------------------------------------------------------- resolutions


async def seed_resolutions(
    database: Database, committees: int, count: int, now: datetime, first_number: int = 0
) -> None:
    """`count` open resolutions spread evenly over the committees: dated actions (some overdue), reports due at
    the next meeting, and noted decisions. Numbers continue from `first_number` so the table can be grown."""
    rows = (_resolution(number, committees, now) for number in range(first_number, first_number + count))
    await insert_rows(database, Resolution, rows)
    await analyze(database)


def _resolution(number: int, committees: int, now: datetime) -> dict:
    committee = number % committees + 1
    shape = number % 10
    fields = {"kind": "noted", "text": NOTED_TEXTS[number % len(NOTED_TEXTS)]}
    if shape < 6:
        due = now.date() + timedelta(days=(number * 37) % 240 - 60)
        fields = {
            "kind": "action",
            "text": ACTION_TEXTS[number % len(ACTION_TEXTS)],
            "owner_user_id": member_of(committee, number % 5) if shape % 2 else None,
            "owner_title": None if shape % 2 else "Director of Children and Family Services",
            "due_date": due,
            "due_at": end_of_day(due, ZONE),
        }
    elif shape < 8:
        fields = {
            "kind": "report_back",
            "text": REPORT_TEXTS[number % len(REPORT_TEXTS)],
            "owner_title": "Director of Adults and Communities",
            "due_rule": "next meeting",
            "due_meeting_id": meeting_id(committee, 0, committees),
            "due_at": first_meeting_start(committee, now),
        }
    return Resolution(
        committee_id=committee,
        created_by=clerk_of(committee),
        created_at=now,
        updated_at=now,
        request_key=f"seed:resolution:{number}",
        **fields,
    ).model_dump(exclude={"id"})


# ---------------------------------------------------------------------- comment windows and comments


def window_committees(committees: int, windows: int) -> list[int]:
    """The committees with an open comment window, spread over the council."""
    step = max(1, committees // max(windows, 1))
    return [1 + i * step for i in range(windows)]


async def seed_comments(database: Database, committees: int, windows: int, comments: int, members: int, now) -> None:
    """One open window in each of `windows` committees, and `comments` comments (each with its revision) on them."""
    hosts = window_committees(committees, windows)
    await insert_rows(database, CommentWindow, (_window(n, host, now) for n, host in enumerate(hosts, 1)))
    rows = [_comment(number, hosts, members, now) for number in range(1, comments + 1)]
    await insert_rows(database, Comment, iter(rows))
    await insert_rows(database, CommentRevision, (_revision(row) for row in rows))
    await reset_sequences(database, ["comment_window", "comment", "comment_revision"])
    await analyze(database)


def window_id_of(committee: int, committees: int, windows: int) -> int:
    return window_committees(committees, windows).index(committee) + 1


def _window(number: int, committee: int, now: datetime) -> dict:
    return CommentWindow(
        id=number,
        committee_id=committee,
        ref=f"annual-report-{number}",
        title=f"Draft annual report {number} of the Safeguarding Children Partnership",
        officer_user_id=member_of(committee, 0),
        deadline=end_of_day((now + timedelta(days=60)).date(), ZONE),
        deadline_day=(now + timedelta(days=60)).date(),
        opened_by=clerk_of(committee),
        opened_at=now,
        request_key=f"seed:window:{number}",
    ).model_dump()


def _comment(number: int, hosts: list[int], members: int, now: datetime) -> dict:
    window = number % len(hosts)
    author = member_of(hosts[window], number % members)
    return Comment(
        id=number,
        window_id=window + 1,
        author_user_id=author,
        section=f"Section {number % 7 + 1}",
        text=random.Random(number).choice(ACTION_TEXTS),
        created_at=now,
        updated_at=now,
    ).model_dump()


def _revision(comment: dict) -> dict:
    return CommentRevision(
        id=comment["id"],
        comment_id=comment["id"],
        number=1,
        action=RevisionAction.CREATED,
        section=comment["section"],
        text=comment["text"],
        actor_user_id=comment["author_user_id"],
        at=comment["created_at"],
        request_key=f"seed:comment:{comment['id']}",
    ).model_dump()


async def seed_council(
    url: str, *, committees: int, resolutions: int, windows: int, comments: int, members: int
) -> datetime:
    """The whole council at once; returns the instant it was seeded at."""
    now = datetime.now(UTC).replace(microsecond=0)
    database = Database(url)
    try:
        await seed_committees(database, committees, now)
        await seed_resolutions(database, committees, resolutions, now)
        if windows:
            await seed_comments(database, committees, windows, comments, members, now)
    finally:
        await database.dispose()
    return now
