"""Migrations that carry data forward, run on SQLite and PostgreSQL from the revision before them."""

from datetime import UTC, date, datetime

import sqlalchemy as sa

from handlers import comments, committees
from handlers.context import Actor, Services
from storage.database import MIGRATIONS_DIR
from storage.models import Resolution
from storage.types import UTCDateTime

AT = datetime(2022, 9, 1, tzinfo=UTC)


def _migrate(connection, verb: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    getattr(command, verb)(config, revision)


async def _insert(connection, table: str, **values) -> None:
    """A row as the schema before the migration held it; instants are typed as the models type them."""
    columns = [
        sa.column(name, UTCDateTime() if isinstance(value, datetime) else None) for name, value in values.items()
    ]
    await connection.execute(sa.table(table, *columns).insert().values(**values))


async def _rows_before_meeting_dates(connection) -> None:
    await _insert(connection, "workspace", id="T1", created_at=AT)
    await _insert(
        connection, "committee", id=1, workspace_id="T1", channel_id="C1", name="Scrutiny", timezone="Europe/London",
        created_by="U1", created_at=AT,
    )  # fmt: skip
    # 23:30 UTC on 6 September is 00:30 on 7 September in London.
    await _insert(
        connection, "meeting", id=1, committee_id=1, status="scheduled", created_by="U1", request_key="m1",
        starts_at=datetime(2022, 9, 6, 23, 30, tzinfo=UTC), created_at=AT, arranged_at=AT,
    )  # fmt: skip
    for number, meeting_id in ((1, 1), (2, None)):
        await _insert(
            connection, "resolution", id=number, committee_id=1, meeting_id=meeting_id, text="Noted.", kind="noted",
            status="open", slipped_count=0, created_by="U1", request_key=f"r{number}", created_at=AT, updated_at=AT,
            due_set_at=AT,
        )  # fmt: skip


async def test_meeting_dates_migration_gives_resolutions_made_at_a_calendar_meeting_that_meetings_local_day(database):
    async with database.engine.begin() as connection:
        await connection.run_sync(_migrate, "downgrade", "0005_reminder_occasions")
    try:
        async with database.engine.begin() as connection:
            await _rows_before_meeting_dates(connection)
    finally:
        await database.upgrade()
    async with database.session() as session:
        days = {r.id: r.meeting_date for r in (await session.exec(sa.select(Resolution))).scalars()}
    assert days == {1: date(2022, 9, 7), 2: None}


ANNOUNCEMENT_TS, POST_TS = "1662033600.000100", "1662120000.000200"


async def _rows_before_platform_identity(connection) -> None:
    """A committee with one of everything that names a Slack id, as the schema before platform ids held it. Rows
    nothing refers to are numbered by the database, so that later ones are too."""
    await _insert(connection, "workspace", id="T1", created_at=AT)
    await _insert(
        connection, "committee", id=1, workspace_id="T1", channel_id="C1", name="Scrutiny", timezone="Europe/London",
        chair_user_id="U2", created_by="U1", created_at=AT,
    )  # fmt: skip
    await _insert(connection, "committee_clerk", committee_id=1, user_id="U1")
    await _insert(
        connection, "comment_window", id=1, committee_id=1, ref="annual-report", title="Annual report",
        officer_user_id="U3", deadline=datetime(2022, 9, 20, 22, 59, 59, tzinfo=UTC), deadline_day=date(2022, 9, 20),
        deadline_set_at=AT, opened_by="U1", opened_at=AT, request_key="w1", announcement_ts=ANNOUNCEMENT_TS,
    )  # fmt: skip
    await _insert(
        connection, "comment", id=1, window_id=1, author_user_id="U4", kind="COMMENT", text="A view.", created_at=AT,
        updated_at=AT, revision_count=1,
    )  # fmt: skip
    await _insert(
        connection, "comment_revision", id=1, comment_id=1, number=1, action="CREATED", text="A view.",
        actor_user_id="U4", at=AT, request_key="c1",
    )  # fmt: skip
    await _insert(
        connection, "comment_draft", window_id=1, author_user_id="U4", text="Later.", source_key="d1", created_at=AT
    )  # fmt: skip
    await _insert(
        connection, "meeting", id=1, committee_id=1, starts_at=datetime(2022, 10, 4, 9, 0, tzinfo=UTC),
        status="scheduled", created_by="U1", request_key="m1", created_at=AT, arranged_at=AT,
    )  # fmt: skip
    await _insert(
        connection, "resolution", id=1, committee_id=1, text="Write to the Minister.", kind="action",
        owner_user_id="U3", status="open", slipped_count=0, created_by="U1", request_key="r1", created_at=AT,
        updated_at=AT, due_set_at=AT,
    )  # fmt: skip
    await _insert(connection, "resolution_change", resolution_id=1, action="created", actor_user_id="U1", at=AT)
    await _insert(
        connection, "minutes_import", committee_id=1, created_by="U1", found="[]", checked="{}", created_at=AT
    )  # fmt: skip
    await _insert(
        connection, "reminder", committee_id=1, item="window:1", kind="window.week", occasion="2022-09-20",
        due=AT, target="C1", state="sent", claimed_by="old", claimed_at=AT, attempts=1, completed_at=AT,
        message_ts=POST_TS,
    )  # fmt: skip
    await _insert(connection, "reminder_mute", item="window:1", user_id="U4", set_by="U4", set_at=AT)
    await _insert(
        connection, "reminder_snooze", item="window:1", kind="window.week", occasion="2022-09-20", until=AT,
        set_by="U1", set_at=AT,
    )  # fmt: skip


# Each column that holds a platform id, as (table, column after the migration), with the id the rows above gave it.
IDS_KEPT = {
    ("workspace", "id"): "T1",
    ("committee", "workspace_id"): "T1",
    ("committee", "channel_id"): "C1",
    ("committee", "chair_user_id"): "U2",
    ("committee", "created_by"): "U1",
    ("committee_clerk", "user_id"): "U1",
    ("comment_window", "officer_user_id"): "U3",
    ("comment_window", "opened_by"): "U1",
    ("comment_window", "announcement_ref"): ANNOUNCEMENT_TS,
    ("comment", "author_user_id"): "U4",
    ("comment_revision", "actor_user_id"): "U4",
    ("comment_draft", "author_user_id"): "U4",
    ("meeting", "created_by"): "U1",
    ("resolution", "owner_user_id"): "U3",
    ("resolution", "created_by"): "U1",
    ("resolution_change", "actor_user_id"): "U1",
    ("minutes_import", "created_by"): "U1",
    ("reminder", "target"): "C1",
    ("reminder", "message_ref"): POST_TS,
    ("reminder_mute", "user_id"): "U4",
    ("reminder_mute", "set_by"): "U4",
    ("reminder_snooze", "set_by"): "U1",
}


class _Channel:
    async def channel_members(self, workspace_id: str, channel_id: str) -> frozenset[str]:
        return frozenset({"U1", "U2", "U3", "U4"})

    async def display_names(self, workspace_id: str, user_ids) -> dict[str, str]:
        return {user_id: user_id for user_id in user_ids}


async def test_platform_identity_migration_keeps_every_id_and_a_reply_to_an_old_announcement_is_still_offered(database):
    async with database.engine.begin() as connection:
        await connection.run_sync(_migrate, "downgrade", "0008_personal_data")
    try:
        async with database.engine.begin() as connection:
            await _rows_before_platform_identity(connection)
    finally:
        await database.upgrade()
    async with database.engine.connect() as connection:
        kept = {
            (table, column): (
                await connection.execute(sa.select(sa.column(column)).select_from(sa.table(table)))
            ).scalar_one()
            for table, column in IDS_KEPT
        }
        platform = (await connection.execute(sa.text("SELECT platform FROM workspace"))).scalar_one()
    assert kept == IDS_KEPT
    assert platform == "slack"
    services = Services(database, _Channel(), clock=lambda: AT)
    member = Actor("T1", "U4", "C1")
    offer, created = await comments.hold_draft(services, member, ANNOUNCEMENT_TS, "One more thing.", "d2")
    assert (offer.window.id, offer.text, created) == (1, "One more thing.", True)
    assert await committees.current_setup(services, member) == committees.CommitteeSetup(
        "Scrutiny", "Europe/London", ("U1",), "U2"
    )


async def _a_committee_as_it_was_at_0003(connection) -> None:
    """Rows in every table that others point at: a committee, its report with a comment and its history, a meeting
    and a resolution due at it, the resolution's history, a reminder and a mute."""
    await _insert(connection, "workspace", id="T1", created_at=AT)
    await _insert(
        connection, "committee", id=1, workspace_id="T1", channel_id="C1", name="Scrutiny", timezone="Europe/London",
        agenda_lead_days=14, reminder_hour=9, skip_weekends=True, escalate_to_chair=True, created_by="U1",
        created_at=AT,
    )  # fmt: skip
    await _insert(connection, "committee_clerk", committee_id=1, user_id="U1")
    await _insert(
        connection, "comment_window", id=1, committee_id=1, ref="annual-report", title="Annual report",
        officer_user_id="U2", deadline=datetime(2022, 9, 20, 22, 59, tzinfo=UTC), opened_by="U1", opened_at=AT,
        request_key="w1",
    )  # fmt: skip
    await _insert(
        connection, "comment", id=1, window_id=1, author_user_id="U3", kind="COMMENT", text="Welcome the plan.",
        created_at=AT, updated_at=AT, revision_count=1,
    )  # fmt: skip
    await _insert(
        connection, "comment_revision", id=1, comment_id=1, number=1, action="CREATED", text="Welcome the plan.",
        actor_user_id="U3", at=AT, request_key="c1",
    )  # fmt: skip
    await _insert(
        connection, "meeting", id=1, committee_id=1, starts_at=datetime(2022, 10, 4, 9, 0, tzinfo=UTC),
        status="scheduled", created_by="U1", created_at=AT, request_key="m1",
    )  # fmt: skip
    await _insert(
        connection, "resolution", id=1, committee_id=1, meeting_id=1, text="Report back.", kind="report_back",
        due_meeting_id=1, due_at=datetime(2022, 10, 4, 9, 0, tzinfo=UTC), status="open", slipped_count=0,
        comment_window_id=1, created_by="U1", created_at=AT, updated_at=AT, request_key="r1",
    )  # fmt: skip
    await _insert(connection, "resolution_change", id=1, resolution_id=1, action="created", actor_user_id="U1", at=AT)
    await _insert(
        connection, "reminder", id=1, committee_id=1, item="window:1", kind="window.week",
        due=datetime(2022, 9, 13, 8, 0, tzinfo=UTC), target="C1", state="sent", claimed_by="host", claimed_at=AT,
        attempts=1,
    )  # fmt: skip
    await _insert(connection, "reminder_mute", id=1, item="window:1", user_id="U3", set_by="U3", set_at=AT)


async def test_a_database_holding_a_committee_is_upgraded_from_the_first_reminders_schema_to_the_newest(database):
    """Some migrations rebuild a table on SQLite (copy, drop, rename) while other tables' rows point at it."""
    async with database.engine.begin() as connection:
        await connection.run_sync(_migrate, "downgrade", "0003")
    try:
        async with database.engine.begin() as connection:
            await _a_committee_as_it_was_at_0003(connection)
    finally:
        await database.upgrade()
    async with database.engine.connect() as connection:
        counts = {
            table: await connection.scalar(sa.text(f"SELECT count(*) FROM {table}"))
            for table in ("committee", "comment_window", "comment", "meeting", "resolution", "reminder")
        }
        titles = (await connection.execute(sa.text("SELECT title FROM comment_window"))).scalars().all()
    assert counts == dict.fromkeys(counts, 1) and titles == ["Annual report"]
