"""Statements on the paths that answer a person at once, run as plain rows.

SQLAlchemy's execution of a statement costs several times the statement itself: on the benchmark machine about
330 µs of CPU per query through Core and 590 µs through the ORM session, against 60 µs for asyncpg alone. On
PostgreSQL, `rows` and `write` therefore compile each statement once (still built with SQLAlchemy, its types
turning values in and out as usual) and run it on the session's own asyncpg connection; on SQLite they run it
through Core. Either way they return plain tuples, never ORM objects, and flush the session's pending changes
first, as its own queries do.

A read outside a transaction runs on its own (PostgreSQL's READ COMMITTED gives every statement its own snapshot
anyway), so a request that only reads sends no BEGIN and no ROLLBACK. A write starts the session's transaction if
it has not started, so that the session's commit or rollback ends it.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import ClauseElement

from storage.database import Readable, Reads, Session, Writable, Writes

Params = Mapping[str, Any]
# An expanding IN parameter, which Core renders per execution as one placeholder per value.
_EXPANDING_IN = re.compile(r"IN \(__\[POSTCOMPILE_(\w+)\]\)")


class _Compiled:
    """A statement compiled for asyncpg once: its SQL, where each parameter goes, and each value's conversions.
    An expanding IN becomes `= ANY($n)` with the values as one array, so the SQL never changes."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self._compiled = compiled
        expanding = _EXPANDING_IN.findall(compiled.string)
        names = [name for name in compiled.positiontup or () if name not in expanding]
        numbers = {name: len(names) + n for n, name in enumerate(expanding, 1)}
        self.sql = _EXPANDING_IN.sub(lambda found: f"= ANY(${numbers[found.group(1)]})", compiled.string)
        self._names = (*names, *expanding)
        self._expanding = frozenset(expanding)
        self._binds = compiled._bind_processors
        results = [entry.type._cached_result_processor(dialect, None) for entry in compiled._result_columns]
        self._results: list[tuple[int, Callable]] = [(n, convert) for n, convert in enumerate(results) if convert]

    def arguments(self, params: Params) -> list:
        values = self._compiled.construct_params(params, _check=False)
        arguments = []
        for name in self._names:
            value, convert = values[name], self._binds.get(name)
            if name in self._expanding:
                value = [convert(v) for v in value] if convert else list(value)
            elif convert is not None:
                value = convert(value)
            arguments.append(value)
        return arguments

    def processed(self, records: Sequence) -> Sequence[Sequence]:
        """The rows, with values converted where a column's type says so (a few columns of many, mostly times)."""
        if not self._results:
            return records
        rows = []
        for record in records:
            row = list(record)
            for n, convert in self._results:
                row[n] = convert(row[n])
            rows.append(row)
        return rows


_compiled: dict[int, tuple[ClauseElement, _Compiled]] = {}


def _for_asyncpg(statement: ClauseElement, dialect: Dialect) -> _Compiled:
    """Keyed by the statement object (a module constant, or one cached by its builder), which is kept alive here so
    that its id is never reused."""
    found = _compiled.get(id(statement))
    if found is None:
        found = _compiled[id(statement)] = (statement, _Compiled(statement, dialect))
    return found[1]


async def rows(session: Readable, statement: ClauseElement, params: Params | None = None) -> Sequence[Sequence]:
    """The rows `statement` returns, as tuples in the order of its columns."""
    if isinstance(session, Reads):
        return await _on_driver(session.connection, session.dialect, statement, params or {}, begin=False)
    return await _run(session, statement, params or {}, begin=False)


async def write(session: Writable, statement: ClauseElement, params: Params | None = None) -> Sequence[Sequence]:
    """Runs an INSERT, UPDATE or DELETE (or a locking read) in the session's transaction; the rows it returns."""
    if isinstance(session, Writes):
        return await _on_driver(session.connection, session.dialect, statement, params or {}, begin=True)
    return await _run(session, statement, params or {}, begin=True)


async def _run(session: Session, statement: ClauseElement, params: Params, begin: bool) -> Sequence[Sequence]:
    if session.new or session.deleted or session.dirty:
        await session.flush()
    connection, pooled = await _connection(session)
    if pooled is None:
        result = await connection.execute(statement, params)
        return result.all() if result.returns_rows else []
    return await _on_driver(pooled, connection.dialect, statement, params, begin)


async def _on_driver(
    pooled: PoolProxiedConnection, dialect: Dialect, statement: ClauseElement, params: Params, begin: bool
) -> Sequence[Sequence]:
    compiled = _for_asyncpg(statement, dialect)
    adapted, driver = pooled.dbapi_connection, pooled.driver_connection
    arguments = compiled.arguments(params)
    try:
        if begin and adapted._transaction is None:
            await adapted._start_transaction()
        return compiled.processed(await driver.fetch(compiled.sql, *arguments))
    except Exception as error:
        raise _as_sqlalchemy_error(error, dialect, adapted, compiled.sql, arguments) from error


_HELD = "storage.direct connection"


async def _connection(session: Session) -> tuple[AsyncConnection, PoolProxiedConnection | None]:
    """The session's connection, and on PostgreSQL its pooled driver connection; asking the session for them
    costs about 170 µs, so they are kept for as long as its transaction holds them."""
    transaction = session.sync_session.get_transaction()
    held = session.info.get(_HELD)
    if transaction is not None and held is not None and held[0] is transaction:
        return held[1], held[2]
    connection = await session.connection()
    pooled = await connection.get_raw_connection() if connection.dialect.name == "postgresql" else None
    session.info[_HELD] = (session.sync_session.get_transaction(), connection, pooled)
    return connection, pooled


def _as_sqlalchemy_error(error: Exception, dialect: Dialect, adapted, sql: str, arguments: list):
    """The error SQLAlchemy would have raised (IntegrityError for a unique key, OperationalError for a lost
    connection, ...), so that callers catch the same Conflict and StorageError either way."""
    try:
        adapted._handle_exception(error)
    except Exception as translated:
        return DBAPIError.instance(sql, arguments, translated, dialect.loaded_dbapi.Error, dialect=dialect)
    return error
