"""A council with a row in every table, and every table read back row by row: what a backup must carry."""

from datetime import UTC, date, datetime, timedelta

from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import select, text
from sqlmodel import SQLModel

from benchmarks.population import TEAM, clerk_of, member_of, seed_council
from storage.database import Database
from storage.installations import installation_store, state_store
from storage.models import (
    Comment,
    CommentDraft,
    CommentKind,
    CommentRevision,
    ConsoleTime,
    ConversationReference,
    Housekeeping,
    MinutesImport,
    PersonalDataLog,
    Reminder,
    ReminderMute,
    ReminderSnooze,
    ReminderState,
    Resolution,
    ResolutionChange,
    RevisionAction,
    Workspace,
)

# What people type, at its most awkward: quotes, a new line, a backslash, symbols, accents, an emoji.
AWKWARD_TEXT = 'Cllr O\'Brien said "no" —\n£5m for the A6\\M1 junction; café naïve 🚧 <!channel> & done'


async def fill_every_table(database: Database, *, committees=4, resolutions=40, windows=2, comments=30) -> datetime:
    """A small seeded council, plus the rows the seeding leaves out (drafts, history, the reminder ledger, mutes,
    snoozes, minutes being checked, a conversation reference, the console's clock, the audit log, housekeeping),
    some of them with awkward text, nulls and dates."""
    now = await seed_council(
        database.url, committees=committees, resolutions=resolutions, windows=windows, comments=comments, members=5
    )
    async with database.session() as session:
        awkward = Comment(
            window_id=1,
            author_user_id=member_of(1, 4),
            kind=CommentKind.NO_COMMENTS,
            section=None,
            text=AWKWARD_TEXT,
            created_at=now,
            updated_at=now + timedelta(microseconds=123_456),
            withdrawn_at=now + timedelta(hours=1),
            revision_count=2,
        )
        session.add(awkward)
        await session.flush()
        for number, action in ((1, RevisionAction.CREATED), (2, RevisionAction.WITHDRAWN)):
            session.add(
                CommentRevision(
                    comment_id=awkward.id,
                    number=number,
                    action=action,
                    text=AWKWARD_TEXT,
                    actor_user_id=awkward.author_user_id,
                    at=now,
                    request_key=f"every-table:{number}",
                )
            )
        session.add(CommentDraft(window_id=1, author_user_id=member_of(1, 2), text=AWKWARD_TEXT, source_key="draft:1"))
        resolution = Resolution(
            committee_id=1,
            text=AWKWARD_TEXT,
            kind="action",
            owner_user_id=member_of(1, 1),
            due_date=date(2027, 2, 28),
            due_at=datetime(2027, 2, 28, 23, 59, 59, tzinfo=UTC),
            status="done",
            closing_note="Done — letter sent",
            created_by=clerk_of(1),
            request_key="every-table:resolution",
        )
        session.add(resolution)
        await session.flush()
        session.add(
            ResolutionChange(
                resolution_id=resolution.id,
                action="done",
                actor_user_id=clerk_of(1),
                at=now,
                before='{"status": "open"}',
                after='{"status": "done"}',
                note=AWKWARD_TEXT,
                request_key="every-table:change",
            )
        )
        session.add(
            Reminder(
                committee_id=1,
                item=f"resolution:{resolution.id}",
                kind="action.today",
                occasion="2027-02-28",
                due=now,
                target=member_of(1, 1),
                state=ReminderState.SENT,
                claimed_by="host:1:abc",
                completed_at=now,
                message_ts="1700000000.000100",
            )
        )
        session.add(ReminderMute(item="window:1", user_id=member_of(1, 3), until=None, set_by=member_of(1, 3)))
        session.add(
            ReminderSnooze(
                item=f"resolution:{resolution.id}",
                kind="action.today",
                occasion="2027-02-28",
                until=now + timedelta(days=7),
                set_by=clerk_of(1),
            )
        )
        session.add(MinutesImport(committee_id=1, created_by=clerk_of(1), found='[{"text": "' + "x" * 10 + '"}]'))
        session.add(
            ConversationReference(
                committee_id=1,
                thread_ref="1700000000.000100",
                platform="teams",
                reference='{"conversation": {"id": "19:abc@thread.tacv2;messageid=1700000000000"}}',
                updated_at=now,
            )
        )
        session.add(ConsoleTime(id=1, reached=now))
        session.add(
            PersonalDataLog(action="exported", workspace_id=TEAM, member_reference="0" * 64, done_by="dpo", counts="{}")
        )
        session.add(Housekeeping(id="retention", last_run_at=now))
        session.add(Workspace(id="TGONE", uninstalled_at=now))
        await session.commit()
    await _install_rotating_bot(database, now)
    return now


async def _install_rotating_bot(database: Database, now: datetime) -> None:
    """An install with a token that expires, and an install page's state, written by slack_sdk's own stores (their
    times naive UTC)."""
    store = installation_store(database, "1111.2222")
    await store.async_save(
        Installation(
            app_id="A0001",
            enterprise_id=None,
            team_id=TEAM,
            team_name="Example Council",
            bot_token="xoxb-every-table",
            bot_id="BBOT",
            bot_user_id="UBOT",
            bot_scopes="commands,chat:write",
            bot_refresh_token="xoxe-1-every-table",
            bot_token_expires_in=43200,
            user_id="UINSTALLER",
            installed_at=now.timestamp(),
        )
    )
    await state_store(database, 600).async_issue()


async def every_row(database: Database) -> dict[str, list[tuple]]:
    """Every row of every table (the schema's revision too), in primary key order."""
    rows = {}
    async with database.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            result = await connection.execute(select(table).order_by(*table.primary_key.columns))
            rows[table.name] = [tuple(row) for row in result]
        rows["alembic_version"] = list(await connection.execute(text("SELECT version_num FROM alembic_version")))
    return rows
