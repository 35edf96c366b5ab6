"""Migrations that carry data forward, run on SQLite and PostgreSQL from the revision before them."""

from datetime import UTC, date, datetime

import sqlalchemy as sa

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
