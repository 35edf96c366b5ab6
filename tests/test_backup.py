"""`committee-bot db backup FILE` and `db restore FILE`, run as an operator runs them, on both databases: every
table equal, row by row, after the round trip, in the native format (SQLite's backup API, pg_dump's custom format)
and the portable one (JSON lines, which also moves a council from SQLite to PostgreSQL)."""

import gzip
import json
import sqlite3
import subprocess
import sys
import uuid
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from storage.database import Database
from tests.conftest import POSTGRES_ADMIN_URL
from tests.support.every_table import AWKWARD_TEXT, every_row, fill_every_table
from tests.test_serve import _environment

FORMATS = {"sqlite": "SQLite's backup API", "postgresql": "pg_dump's custom format"}


def committee_bot(database_url: str, *command: str, path: str | None = None) -> tuple[int, list[str]]:
    """Run the command as an operator would; its exit status and what it printed, line by line."""
    env = _environment(DATABASE_URL=database_url)
    if path is not None:
        env["PATH"] = path
    result = subprocess.run(
        [sys.executable, "-m", "bot", *command], env=env, capture_output=True, text=True, timeout=300
    )
    return result.returncode, (result.stdout + result.stderr).strip().splitlines()


@asynccontextmanager
async def empty_postgres():
    """A database of its own on the test server, with nothing in it (not even migrated), dropped afterwards."""
    name = f"committee_bot_restore_{uuid.uuid4().hex[:10]}"
    admin = Database(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.engine.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        async with admin.engine.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@asynccontextmanager
async def empty_database_like(database: Database, tmp_path: Path):
    if database.is_sqlite:
        yield f"sqlite:///{tmp_path / f'restored-{uuid.uuid4().hex[:6]}.sqlite3'}"
    else:
        async with empty_postgres() as url:
            yield url


async def rows_at(url: str) -> dict[str, list[tuple]]:
    database = Database(url)
    try:
        return await every_row(database)
    finally:
        await database.dispose()


def plain_url(database: Database) -> str:
    return database.engine.url.set(drivername=database.engine.dialect.name).render_as_string(hide_password=False)


@pytest.mark.parametrize("backup_format", ["native", "portable"])
async def test_a_backup_restores_every_table_row_by_row(database, tmp_path, backup_format):
    await fill_every_table(database)
    before = await every_row(database)
    assert all(before.values()), [name for name, rows in before.items() if not rows]  # nothing vacuous
    backup = tmp_path / "council.backup"
    status, said = committee_bot(plain_url(database), "db", "backup", str(backup), "--format", backup_format)
    assert status == 0, said
    kind = FORMATS[database.engine.dialect.name] if backup_format == "native" else "the portable format"
    rows = sum(len(rows) for rows in before.values())
    [line] = said
    assert line.startswith(f"committee-bot: backed up {len(before)} tables ({rows:,} rows) to {backup} in {kind}")
    async with empty_database_like(database, tmp_path) as target:
        status, said = committee_bot(target, "db", "restore", str(backup))
        assert status == 0, said
        [line] = said
        assert line.startswith(f"committee-bot: restored {len(before)} tables ({rows:,} rows) from {backup}"), line
        after = await rows_at(target)
    assert after == before
    assert any(AWKWARD_TEXT in row for row in after["comment"])


async def test_a_portable_backup_moves_a_council_from_sqlite_to_postgresql(tmp_path, postgres_url):
    sqlite_url = f"sqlite:///{tmp_path / 'council.sqlite3'}"
    source = Database(sqlite_url)
    await source.upgrade()
    await fill_every_table(source)
    before = await every_row(source)
    await source.dispose()
    backup = tmp_path / "council.jsonl.gz"
    assert committee_bot(sqlite_url, "db", "backup", str(backup), "--format", "portable")[0] == 0
    async with empty_postgres() as target:
        status, said = committee_bot(target, "db", "restore", str(backup))
        assert status == 0, said
        after = await rows_at(target)
        # The sequences were moved past the restored ids: the bot's next insert does not collide.
        database = Database(target)
        async with database.engine.begin() as connection:
            await connection.execute(text("INSERT INTO workspace (id, created_at) VALUES ('T0002', now())"))
            next_id = await connection.scalar(
                text(
                    "INSERT INTO meeting (committee_id, starts_at, status, created_by, created_at, arranged_at, "
                    "request_key) VALUES (1, now(), 'scheduled', 'U1', now(), now(), 'after-restore') RETURNING id"
                )
            )
        await database.dispose()
    assert after == before
    assert next_id == max(row[0] for row in before["meeting"]) + 1


async def test_restore_will_not_overwrite_a_database_that_holds_data_unless_forced(database, tmp_path):
    await fill_every_table(database, committees=2, resolutions=4, windows=1, comments=3)
    backup = tmp_path / "council.backup"
    assert committee_bot(plain_url(database), "db", "backup", str(backup))[0] == 0
    async with database.engine.begin() as connection:
        await connection.execute(text("DELETE FROM comment_draft"))
    changed = await every_row(database)
    await database.dispose()

    status, said = committee_bot(plain_url(database), "db", "restore", str(backup))
    assert status != 0
    assert said == [
        "committee-bot: this database already holds a council's data, so the backup was not restored; "
        "add --force to replace everything in it with the backup."
    ]
    assert await every_row(database) == changed
    await database.dispose()

    status, said = committee_bot(plain_url(database), "db", "restore", str(backup), "--force")
    assert status == 0, said
    assert len(await every_row(database)) == len(changed) and (await every_row(database))["comment_draft"]


async def _backup_from_a_newer_schema(database: Database, tmp_path: Path, backup_format: str) -> Path:
    """A backup whose schema revision this committee-bot has never heard of, as a later release would make."""
    backup = tmp_path / "from-the-future.backup"
    async with database.engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    status, said = committee_bot(plain_url(database), "db", "backup", str(backup), "--format", backup_format)
    async with database.engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": _head()})
    assert status == 0, said
    return backup


def _head() -> str:
    from storage.database import schema_revisions

    return schema_revisions().head


@pytest.mark.parametrize("backup_format", ["native", "portable"])
async def test_restore_refuses_a_backup_from_a_newer_schema(database, tmp_path, backup_format):
    await fill_every_table(database, committees=2, resolutions=4, windows=1, comments=3)
    backup = await _backup_from_a_newer_schema(database, tmp_path, backup_format)
    async with empty_database_like(database, tmp_path) as target:
        status, said = committee_bot(target, "db", "restore", str(backup))
        assert status != 0
        assert said == [
            "committee-bot: this backup was made by a newer committee-bot (schema 0099_from_the_future); "
            "install that version or later to restore it. Nothing was changed."
        ]
        assert await _table_count(target) == 0


async def _table_count(url: str) -> int:
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            return len(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await database.dispose()


async def test_without_postgresql_tools_the_backup_is_portable(postgres_url, tmp_path):
    backup = tmp_path / "council.backup"
    status, said = committee_bot(postgres_url, "db", "backup", str(backup), path=str(tmp_path))
    assert status == 0, said
    [line] = said
    assert "in the portable format" in line and "pg_dump was not found" in line
    with gzip.open(backup, "rt") as dump:
        header = json.loads(dump.readline())
    assert header["format"] == "committee-bot portable backup" and header["schema"] == _head()


async def test_backups_that_belong_to_the_other_database_are_refused_with_what_to_do(tmp_path, postgres_url):
    sqlite_url = f"sqlite:///{tmp_path / 'council.sqlite3'}"
    source = Database(sqlite_url)
    await source.upgrade()
    await source.dispose()
    sqlite_backup, postgres_backup = tmp_path / "sqlite.backup", tmp_path / "postgres.backup"
    assert committee_bot(sqlite_url, "db", "backup", str(sqlite_backup))[0] == 0
    assert committee_bot(postgres_url, "db", "backup", str(postgres_backup))[0] == 0
    async with empty_postgres() as target:
        assert committee_bot(target, "db", "restore", str(sqlite_backup)) == (
            1,
            [
                "committee-bot: this is an SQLite backup; restore it into an SQLite database, or make a portable "
                "backup (db backup FILE --format portable) to move to PostgreSQL. Nothing was changed."
            ],
        )
    assert committee_bot(f"sqlite:///{tmp_path / 'new.sqlite3'}", "db", "restore", str(postgres_backup)) == (
        1,
        [
            "committee-bot: this is a PostgreSQL backup (pg_dump's custom format); restore it into PostgreSQL, or make "
            "a portable backup (db backup FILE --format portable) to move to SQLite. Nothing was changed."
        ],
    )
    not_a_backup = tmp_path / "minutes.txt"
    not_a_backup.write_text("RESOLVED that the report be noted.")
    assert committee_bot(sqlite_url, "db", "restore", str(not_a_backup)) == (
        1,
        [f"committee-bot: {not_a_backup} is not a committee-bot backup. Nothing was changed."],
    )


async def test_a_native_sqlite_backup_is_one_self_contained_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'council.sqlite3'}"
    database = Database(url)
    await database.upgrade()
    await fill_every_table(database, committees=2, resolutions=4, windows=1, comments=3)
    await database.dispose()
    backup = tmp_path / "council.backup"
    assert committee_bot(url, "db", "backup", str(backup))[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("council.backup")) == ["council.backup"]
    with sqlite3.connect(backup) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)


async def test_a_damaged_or_cut_short_backup_is_refused_and_nothing_is_changed(database, tmp_path):
    await fill_every_table(database, committees=2, resolutions=4, windows=1, comments=3)
    before = await every_row(database)
    whole = tmp_path / "council.jsonl.gz"
    assert committee_bot(plain_url(database), "db", "backup", str(whole), "--format", "portable")[0] == 0
    content = gzip.decompress(whole.read_bytes())
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress(content[: len(content) * 2 // 3]))
    status, said = committee_bot(plain_url(database), "db", "restore", str(cut), "--force")
    assert (status, said) == (
        1,
        [f"committee-bot: {cut} is damaged or cut short, so it was not restored. Nothing was changed."],
    )
    assert await every_row(database) == before


async def test_a_backup_of_an_older_schema_is_restored_and_brought_up_to_date(database, tmp_path):
    async with empty_database_like(database, tmp_path) as older_url:
        older = Database(older_url)
        await older.upgrade("0004_one_live_response")
        async with older.engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO workspace (id, created_at) VALUES ('T0001', '2026-01-05 10:00:00')")
            )
        await older.dispose()
        backup = tmp_path / "older.backup"
        assert committee_bot(older_url, "db", "backup", str(backup), "--format", "portable")[0] == 0
    async with empty_database_like(database, tmp_path) as target:
        status, said = committee_bot(target, "db", "restore", str(backup))
        assert status == 0, said
        after = await rows_at(target)
    assert after["alembic_version"] == [(_head(),)]
    assert [row[0] for row in after["workspace"]] == ["T0001"]
