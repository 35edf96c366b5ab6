"""Backing up the whole database to one file, and restoring it.

Three formats, told apart by their first bytes when restoring:
- SQLite: a copy made with SQLite's online backup API (consistent while the bot runs), itself an SQLite file.
- PostgreSQL: pg_dump's custom format, when pg_dump of the server's major version is installed.
- Portable (either database, and between them): gzipped JSON lines. A header names the schema's Alembic revision;
  each table follows as a line naming its columns, then one JSON array per row; a last line counts the rows, so a
  cut-short file is noticed. It is restored into a database migrated to the backup's revision, table by table in
  foreign-key order, and then migrated to the newest schema; PostgreSQL's id sequences are moved past the ids.

Every refusal is one line (BackupRefused) and is made before anything is changed.
"""

import asyncio
import gzip
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Date, DateTime, Integer, MetaData, Table, func, insert, inspect, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.database import Database, schema_revisions

NATIVE, PORTABLE = "native", "portable"
PORTABLE_FORMAT = "committee-bot portable backup"
PORTABLE_VERSION = 1
SQLITE_BACKUP, PG_DUMP = "SQLite's backup API", "pg_dump's custom format"
PORTABLE_DESCRIPTION = "the portable format"
_SQLITE_MAGIC, _PG_DUMP_MAGIC, _GZIP_MAGIC = b"SQLite format 3\x00", b"PGDMP", b"\x1f\x8b"
_ROWS_PER_INSERT = 2_000
_SCHEMA_TABLE = "alembic_version"
_MOVE = "(db backup FILE --format portable)"


class BackupRefused(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do, in one sentence."""


@dataclass(frozen=True)
class Summary:
    tables: int
    rows: int
    description: str  # the format, as a person would name it
    note: str = ""  # why the portable format was used where a native one was asked for by default


# --- Backing up ---------------------------------------------------------------------------------------------------


async def back_up(url: str, path: Path, wanted: str | None = None) -> Summary:
    """Write the database at `url` to `path` (replaced only once the backup is complete)."""
    database = Database(url)
    try:
        await _require_migrated(database)
        description, note = await _format_for(database, wanted)
        with _replaced_when_done(path) as partial:
            if description == SQLITE_BACKUP:
                await asyncio.to_thread(_sqlite_copy, _sqlite_path(database), partial, "DELETE")
            elif description == PG_DUMP:
                await asyncio.to_thread(
                    _pg_tool, ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"], url
                )
            else:
                await _write_portable(database, partial)
        tables, rows = await _counted(database)
        return Summary(tables, rows, description, note)
    finally:
        await database.dispose()


async def _require_migrated(database: Database) -> None:
    if database.is_sqlite and not Path(_sqlite_path(database)).is_file():
        raise BackupRefused(f"there is no SQLite database at {_sqlite_path(database)}: check DATABASE_URL.")
    if await _revision_of(database) is None:
        raise BackupRefused("this database holds no committee-bot schema, so there is nothing to back up.")


async def _format_for(database: Database, wanted: str | None) -> tuple[str, str]:
    if wanted == PORTABLE:
        return PORTABLE_DESCRIPTION, ""
    if database.is_sqlite:
        return SQLITE_BACKUP, ""
    missing = await _why_no_pg_dump(database)
    if not missing:
        return PG_DUMP, ""
    if wanted == NATIVE:
        raise BackupRefused(f"{missing}, so pg_dump's custom format cannot be made; use --format portable instead.")
    return PORTABLE_DESCRIPTION, f"{missing}, so the portable format was used"


async def _why_no_pg_dump(database: Database) -> str:
    """Empty when pg_dump of the server's own major version is installed; otherwise what is wrong."""
    if shutil.which("pg_dump") is None:
        return "pg_dump was not found"
    async with database.engine.connect() as connection:
        server = int(await connection.scalar(text("SHOW server_version_num"))) // 10_000
    found = re.search(
        r"\(PostgreSQL\) (\d+)", subprocess.run(["pg_dump", "--version"], capture_output=True, text=True).stdout
    )
    tools = int(found.group(1)) if found else None
    return "" if tools == server else f"pg_dump is version {tools} but the server is PostgreSQL {server}"


@contextmanager
def _replaced_when_done(path: Path) -> Iterator[Path]:
    """A file beside `path` to write to, which becomes `path` only if the writing finished: a failed backup never
    leaves half a file, nor destroys the last good one."""
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    try:
        yield Path(partial)
        os.replace(partial, path)
    finally:
        Path(partial).unlink(missing_ok=True)


def _sqlite_copy(source: str, target: str | Path, journal_mode: str | None = None) -> None:
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)
        if journal_mode:
            copy.execute(f"PRAGMA journal_mode={journal_mode}")  # no -wal file beside the backup


async def _write_portable(database: Database, path: Path) -> None:
    revision = await _revision_of(database)
    written = 0
    async with _snapshot(database) as connection:
        tables = await connection.run_sync(_reflected)
        with gzip.open(path, "wt", encoding="utf-8") as out:
            header = {
                "format": PORTABLE_FORMAT,
                "version": PORTABLE_VERSION,
                "schema": revision,
                "made_from": database.engine.dialect.name,
                "made_at": datetime.now(UTC).isoformat(),
            }
            out.write(json.dumps(header) + "\n")
            for table in (table for table in tables if table.name != _SCHEMA_TABLE):  # the header names it
                out.write(json.dumps({"table": table.name, "columns": [c.name for c in table.columns]}) + "\n")
                result = await connection.stream(select(table).order_by(*table.primary_key.columns))
                async for row in result:
                    out.write(json.dumps(list(row), default=_json_value, ensure_ascii=False) + "\n")
                    written += 1
            out.write(json.dumps({"end": True, "rows": written}) + "\n")


@asynccontextmanager
async def _snapshot(database: Database) -> AsyncIterator[AsyncConnection]:
    """One transaction that sees every table as it was at one instant, while the bot goes on writing."""
    options = {} if database.is_sqlite else {"isolation_level": "REPEATABLE READ"}
    async with database.engine.connect() as connection:
        connection = await connection.execution_options(**options)
        async with connection.begin():
            yield connection


def _json_value(value: object) -> str:
    if isinstance(value, datetime):  # SQLite hands back naive datetimes; every one the bot stores is UTC
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write a {type(value).__name__} to a portable backup")


# --- Restoring ----------------------------------------------------------------------------------------------------


async def restore(url: str, path: Path, force: bool = False) -> Summary:
    """Replace the database at `url` with the backup at `path`, then bring it to the newest schema."""
    kind = _kind_of(path)
    database = Database(url)
    try:
        _require_same_database(kind, database)
        _require_known(await asyncio.to_thread(_revision_in_backup, kind, path))
        if kind == PORTABLE_DESCRIPTION:
            await asyncio.to_thread(_require_complete, path)
        await _require_replaceable(database, force)
        if kind == SQLITE_BACKUP:
            await database.dispose()  # no connection of ours may hold the file while it is replaced
            await asyncio.to_thread(_sqlite_copy, str(path), _sqlite_path(database))
        else:
            await _emptied(database)
            if kind == PG_DUMP:
                restore_options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
                await asyncio.to_thread(_pg_tool, ["pg_restore", *restore_options, str(path)], url)
            else:
                await _load_portable(database, path)
        await database.upgrade()
        tables, rows = await _counted(database)
        return Summary(tables, rows, kind)
    finally:
        await database.dispose()


def _kind_of(path: Path) -> str:
    try:
        with path.open("rb") as backup:
            start = backup.read(len(_SQLITE_MAGIC))
    except OSError as unreadable:
        raise BackupRefused(f"cannot read {path} ({unreadable.strerror}). Nothing was changed.") from None
    if start.startswith(_SQLITE_MAGIC):
        return SQLITE_BACKUP
    if start.startswith(_PG_DUMP_MAGIC):
        return PG_DUMP
    if start.startswith(_GZIP_MAGIC) and _portable_header(path):
        return PORTABLE_DESCRIPTION
    raise BackupRefused(f"{path} is not a committee-bot backup. Nothing was changed.")


def _portable_header(path: Path) -> dict | None:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as backup:
            header = json.loads(backup.readline())
    except (OSError, EOFError, ValueError):
        return None
    return header if isinstance(header, dict) and header.get("format") == PORTABLE_FORMAT else None


def _require_same_database(kind: str, database: Database) -> None:
    if kind == SQLITE_BACKUP and not database.is_sqlite:
        raise BackupRefused(
            "this is an SQLite backup; restore it into an SQLite database, or make a portable backup "
            f"{_MOVE} to move to PostgreSQL. Nothing was changed."
        )
    if kind == PG_DUMP and database.is_sqlite:
        raise BackupRefused(
            "this is a PostgreSQL backup (pg_dump's custom format); restore it into PostgreSQL, or make a portable "
            f"backup {_MOVE} to move to SQLite. Nothing was changed."
        )


def _revision_in_backup(kind: str, path: Path) -> str | None:
    if kind == PORTABLE_DESCRIPTION:
        return _portable_header(path).get("schema")
    if kind == SQLITE_BACKUP:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as backup:
            try:
                if backup.execute("PRAGMA quick_check").fetchone() != ("ok",):
                    raise BackupRefused(f"{path} is damaged, so it was not restored. Nothing was changed.")
                return backup.execute(f"SELECT version_num FROM {_SCHEMA_TABLE}").fetchone()[0]
            except (sqlite3.Error, TypeError):
                return None
    if shutil.which("pg_restore") is None:
        raise BackupRefused(
            "this backup is in pg_dump's custom format and pg_restore was not found: install PostgreSQL's client "
            "tools (the server's version or later) and run the restore again. Nothing was changed."
        )
    listing = _pg_tool(["pg_restore", "--data-only", f"--table={_SCHEMA_TABLE}", "--file=-", str(path)], None)
    lines = listing.splitlines()
    copy = next((n for n, line in enumerate(lines) if line.startswith(f"COPY public.{_SCHEMA_TABLE} ")), None)
    return lines[copy + 1].strip() if copy is not None and copy + 1 < len(lines) else None


def _require_known(revision: str | None) -> None:
    if revision is None:
        raise BackupRefused("this backup holds no committee-bot schema, so it cannot be restored. Nothing was changed.")
    if revision not in schema_revisions().known:
        raise BackupRefused(
            f"this backup was made by a newer committee-bot (schema {revision}); install that version or later to "
            "restore it. Nothing was changed."
        )


async def _require_replaceable(database: Database, force: bool) -> None:
    revision = await _revision_of(database)
    if revision is not None and revision not in schema_revisions().known:
        raise BackupRefused(
            f"this database was migrated by a newer committee-bot (schema {revision}); restore with that version. "
            "Nothing was changed."
        )
    if not force and await _holds_data(database):
        raise BackupRefused(
            "this database already holds a council's data, so the backup was not restored; add --force to replace "
            "everything in it with the backup."
        )


async def _holds_data(database: Database) -> bool:
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(_reflected)
        for table in tables:
            if table.name != _SCHEMA_TABLE and await connection.scalar(select(1).select_from(table).limit(1)):
                return True
    return False


async def _emptied(database: Database) -> None:
    """Every table dropped (and, on PostgreSQL, the enum types its tables used), so that the backup's own schema
    can be laid down in their place."""
    async with database.engine.begin() as connection:
        await connection.run_sync(lambda sync: _reflected_metadata(sync).drop_all(sync))
        if not database.is_sqlite:
            enums = await connection.scalars(
                text(
                    "SELECT typname FROM pg_type JOIN pg_namespace ON pg_namespace.oid = typnamespace "
                    "WHERE typtype = 'e' AND nspname = current_schema()"
                )
            )
            for enum in list(enums):
                await connection.execute(text(f"DROP TYPE {connection.dialect.identifier_preparer.quote(enum)}"))


async def _load_portable(database: Database, path: Path) -> None:
    await database.upgrade(_portable_header(path)["schema"])
    async with database.engine.begin() as connection:
        tables = {table.name: table for table in await connection.run_sync(_reflected)}
        table, columns, decoders, batch = None, [], [], []
        for entry in _portable_entries(path):
            if isinstance(entry, list):
                batch.append({c: decode(v) for c, decode, v in zip(columns, decoders, entry, strict=True)})
                if len(batch) < _ROWS_PER_INSERT:
                    continue
            if batch:
                await connection.execute(insert(table), batch)
                batch = []
            if isinstance(entry, dict) and "table" in entry:
                table, columns = tables[entry["table"]], entry["columns"]
                decoders = [_decoder(table.columns[name].type, database.is_sqlite) for name in columns]
        if not database.is_sqlite:
            await _move_sequences_past_ids(connection, tables.values())


def _portable_entries(path: Path) -> Iterator[dict | list]:
    """Each line of a portable backup after its header: a table's columns (a dict), a row (a list), the end."""
    with gzip.open(path, "rt", encoding="utf-8") as backup:
        backup.readline()
        for line in backup:
            yield json.loads(line)


def _require_complete(path: Path) -> None:
    """Read to the end before anything is changed: a cut-short or damaged file is refused, not half restored."""
    rows, end = 0, None
    try:
        for entry in _portable_entries(path):
            rows += isinstance(entry, list)
            end = entry.get("rows") if isinstance(entry, dict) and entry.get("end") else end
    except (OSError, EOFError, ValueError):
        end = None
    if end != rows:
        raise BackupRefused(f"{path} is damaged or cut short, so it was not restored. Nothing was changed.")


def _decoder(column_type, sqlite: bool) -> Callable[[object], object]:
    if isinstance(column_type, DateTime):
        # slack_sdk's tables hold naive UTC times (TIMESTAMP WITHOUT TIME ZONE on PostgreSQL), the bot's own aware.
        naive = sqlite or not column_type.timezone
        return lambda value: None if value is None else _stored_instant(datetime.fromisoformat(value), naive)
    if isinstance(column_type, Date):
        return lambda value: None if value is None else date.fromisoformat(value)
    return lambda value: value


def _stored_instant(instant: datetime, naive: bool) -> datetime:
    instant = instant.astimezone(UTC)
    return instant.replace(tzinfo=None) if naive else instant  # as storage.types.UTCDateTime stores it


async def _move_sequences_past_ids(connection: AsyncConnection, tables) -> None:
    """Rows came with their ids: each id sequence must continue after them, or the bot's next insert collides."""
    quote = connection.dialect.identifier_preparer.quote
    for table in tables:
        key = list(table.primary_key.columns)
        if len(key) == 1 and isinstance(key[0].type, Integer):
            column = quote(key[0].name)
            await connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence(:table, :column), coalesce(max({column}), 0) + 1, false) "
                    f"FROM {quote(table.name)}"
                ),
                {"table": table.name, "column": key[0].name},
            )


# --- Shared -------------------------------------------------------------------------------------------------------


def _sqlite_path(database: Database) -> str:
    return database.engine.url.database or ""


def _reflected_metadata(connection: Connection) -> MetaData:
    metadata = MetaData()
    metadata.reflect(connection)
    return metadata


def _reflected(connection: Connection) -> list[Table]:
    """The database's own tables as they are (a backup may be of an older schema), parents before children."""
    return _reflected_metadata(connection).sorted_tables


async def _revision_of(database: Database) -> str | None:
    async with database.engine.connect() as connection:
        if not await connection.run_sync(lambda sync: inspect(sync).has_table(_SCHEMA_TABLE)):
            return None
        return await connection.scalar(text(f"SELECT version_num FROM {_SCHEMA_TABLE}"))


async def _counted(database: Database) -> tuple[int, int]:
    """How many tables, and rows in all of them."""
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(_reflected)
        rows = [await connection.scalar(select(func.count()).select_from(table)) for table in tables]
    return len(tables), sum(rows)


def _pg_tool(command: list[str], url: str | None) -> str:
    """Runs pg_dump or pg_restore against the database at `url` (given to it in libpq's environment variables, so
    that no password appears in a process listing); its output, or a refusal carrying its last error line."""
    env = dict(os.environ)
    if url is not None:
        parsed = make_url(url)
        settings = {
            "PGHOST": parsed.host,
            "PGPORT": parsed.port,
            "PGUSER": parsed.username,
            "PGPASSWORD": parsed.password,
            "PGDATABASE": parsed.database,
        }
        env |= {name: str(value) for name, value in settings.items() if value is not None}
        if command[0] == "pg_restore":
            command = [*command[:-1], f"--dbname={parsed.database}", command[-1]]
    finished = subprocess.run(command, env=env, capture_output=True, text=True)
    if finished.returncode != 0:
        errors = [line for line in finished.stderr.splitlines() if line.strip()] or ["no error message"]
        raise BackupRefused(f"{command[0]} failed: {errors[-1].strip()}")
    return finished.stdout
