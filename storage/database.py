"""Engine set-up: plain URLs in, the right async driver out, migrations on demand."""

import asyncio
import socket
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn
from sqlmodel.ext.asyncio.session import AsyncSession

DEFAULT_DATABASE_URL = "sqlite:///committee-bot.sqlite3"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Any fixed number: it only has to be the same for every instance that might migrate at once.
MIGRATION_LOCK_ID = 7_411_202

# What the use cases may name without knowing the ORM underneath: the unit of work they pass to the storage
# functions; a write a constraint refused (mostly a unique key that a concurrent delivery of the same request
# wrote first); and any failure of the database.
Session = AsyncSession
Conflict = IntegrityError
StorageError = SQLAlchemyError


@dataclass(frozen=True)
class Reads:
    """Reads on one pooled PostgreSQL connection, each statement on its own, with no ORM session around them:
    opening and closing a session cost more CPU than a listing of the register's two statements (about 350 µs
    against 300 µs). Only storage.direct's `rows` runs on it."""

    connection: PoolProxiedConnection
    dialect: Dialect


class Writes(Reads):
    """Writes through storage.direct on one pooled PostgreSQL connection, without an ORM session: one
    transaction, begun by the first `write` and ended by commit, or rolled back when the connection goes back to
    the pool, as a session's would be."""

    async def commit(self) -> None:
        await greenlet_spawn(self.connection.dbapi_connection.commit)


# What a storage function that only reads, or only reads and writes, through storage.direct can be given.
Readable = Session | Reads
Writable = Session | Writes


def on_postgresql(unit: Readable) -> bool:
    return isinstance(unit, Reads) or unit.bind.dialect.name == "postgresql"


class NotADatabaseURL(ValueError):
    """Text that cannot be read as a URL at all."""


def upsert_insert(session: Session):
    """INSERT with ON CONFLICT, in the dialect of the session's database."""
    return postgres_insert if on_postgresql(session) else sqlite_insert


def shown_url(url: str) -> str:
    """The URL as it can be printed: without its password."""
    return make_url(url)._replace(password=None).render_as_string(hide_password=False)


def unusable_database(url: str, error: BaseException, setting: str = "DATABASE_URL") -> str:
    """Why the database at `url` could not be used, in one sentence that says what to do about it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return (
            f"cannot open the SQLite database {parsed.database or '(in memory)'} ({_last_words(error)}): check that "
            f"its folder exists and that this user can write there, or set {setting} to another sqlite:/// path."
        )
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    causes = _causes(error)
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
        return f"nothing accepts connections at {where}: is PostgreSQL running there, and is {setting}'s port right?"
    if any(isinstance(cause, socket.gaierror) for cause in causes):
        return f"the database host {parsed.host} cannot be found: check the host name in {setting}."
    if any(isinstance(cause, TimeoutError) for cause in causes):
        return f"PostgreSQL at {where} did not answer in time: check {setting}'s host and port, and the network."
    sqlstate = next((getattr(cause, "sqlstate", None) for cause in causes if getattr(cause, "sqlstate", None)), None)
    if sqlstate == "3D000":
        return (
            f'the database "{parsed.database}" does not exist on {where}: create it (createdb {parsed.database}) '
            f"or correct the name in {setting}."
        )
    if sqlstate in ("28000", "28P01"):
        return (
            f"PostgreSQL at {where} refused the login ({_last_words(error)}): check the user and password in {setting}."
        )
    return f"cannot use the database at {shown_url(url)} ({_last_words(error)}): check {setting}."


def _causes(error: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    while error is not None and error not in found:
        found.append(error)
        error = error.__cause__ or error.__context__ or getattr(error, "orig", None)
    return found


def _last_words(error: BaseException) -> str:
    """The innermost error's own message, without SQLAlchemy's wrapping."""
    innermost = _causes(error)[-1]
    return str(innermost).strip().splitlines()[0] if str(innermost).strip() else type(innermost).__name__


def sqlite_path(url: str) -> str | None:
    """The file of an SQLite URL; None for another database, or SQLite in memory."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    return parsed.database or None


def async_url(url: str) -> str:
    """Map a URL as people write it to the async driver the bot uses for that database."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise NotADatabaseURL("not a database URL") from None  # the URL itself may hold a password
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(f"DATABASE_URL must be a sqlite:// or postgresql:// URL, not {backend}://")


def _tune_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets the scheduler read while a request writes. SQLite takes one writer at a time and its busy handler
    # is not a queue: in a burst of writes one can wait behind the others for seconds. Waiting is better than
    # failing: an answer Slack gets late is retried and de-duplicated, a refused comment has to be typed again.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _refuse_closed(_dbapi_connection, record: ConnectionPoolEntry, _proxy) -> None:
    """A pooled connection the server has closed (a restart, a terminated backend) is replaced before use.
    asyncpg notices the close as it happens, so asking costs nothing, where SQLAlchemy's pre-ping costs three
    round trips on every checkout; the pool retries the checkout with a fresh connection."""
    if record.driver_connection.is_closed():
        raise DisconnectionError("PostgreSQL closed this pooled connection")


# As many connections as SQLAlchemy's default pool allows at once (5 kept and 10 more), but all of them kept. The
# asyncio pool holds a returned connection in its queue until the request waiting for it runs, so in a burst the
# queue of 5 fills and the overflow is closed, to be opened again moments later: a new PostgreSQL backend, and
# every statement prepared again on it.
POSTGRES_POOL = {"pool_size": 15, "max_overflow": 0}

# The task holding a turn at the database (Database.session), so that a session it opens within its own does not
# queue behind itself.
_TURN_HOLDER: ContextVar[asyncio.Task | None] = ContextVar("database_turn_holder", default=None)


class _Turns:
    """Sessions take turns at PostgreSQL's connections in the order they asked. The pool's own queue is not fair:
    a connection handed back goes to the first waiter, but any session that asks before that waiter runs again
    takes it, and the waiter queues again at the back. Under a burst, some requests waited 300 to 700 ms for a
    connection while later ones went straight through (benchmarks/ack.py, 50 clients); an asyncio semaphore
    hands a freed turn to its first waiter and lets nobody past a queue."""

    def __init__(self, connections: int) -> None:
        self._connections = connections
        self._semaphores: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if _TURN_HOLDER.get() is task:
            yield
            return
        async with self._semaphore():
            holding = _TURN_HOLDER.set(task)
            try:
                yield
            finally:
                _TURN_HOLDER.reset(holding)

    def _semaphore(self) -> asyncio.Semaphore:
        # A semaphore belongs to the event loop it first waits on; tests and the CLI may run several in turn.
        loop = asyncio.get_running_loop()
        if loop not in self._semaphores:
            self._semaphores = {loop: asyncio.Semaphore(self._connections)}
        return self._semaphores[loop]


class Database:
    def __init__(self, url: str = DEFAULT_DATABASE_URL, **engine_options) -> None:
        self.url = async_url(url)
        self._turns: _Turns | None = None
        if make_url(self.url).get_backend_name() == "postgresql":
            engine_options = POSTGRES_POOL | engine_options
            self._turns = _Turns(engine_options["pool_size"] + engine_options["max_overflow"])
        # hide_parameters: an error's message leaves out its statement's values, which hold what people typed and
        # would otherwise reach the logs.
        self.engine: AsyncEngine = create_async_engine(self.url, hide_parameters=True, **engine_options)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _tune_sqlite)
        else:
            event.listen(self.engine.sync_engine, "checkout", _refuse_closed)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        if self._turns is None:
            async with self._sessions() as session:
                yield session
            return
        async with self._turns.turn(), self._sessions() as session:
            yield session

    def reading(self) -> AbstractAsyncContextManager[Readable]:
        """For a request that only reads, through storage.direct: on PostgreSQL a pooled connection without a
        session; SQLite, in process, has nothing to save and reads in a session."""
        return self._direct(Reads)

    def writing(self) -> AbstractAsyncContextManager[Writable]:
        """For a change made wholly through storage.direct, as `reading` is for reads."""
        return self._direct(Writes)

    @asynccontextmanager
    async def _direct(self, unit: type[Reads]) -> AsyncIterator[Session | Reads]:
        if self._turns is None:
            async with self.session() as session:
                yield session
            return
        async with self._turns.turn():
            connection = await self.engine.raw_connection()
            try:
                yield unit(connection, self.engine.dialect)
            finally:
                # In a greenlet, as SQLAlchemy hands a connection back itself: an open transaction is rolled back,
                # a disposed pool closes the connection, and both await asyncpg.
                await greenlet_spawn(connection.close)

    async def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to the newest migration (or to `revision`); safe when several instances start together."""
        if self.is_sqlite:
            await self._upgrade_sqlite(revision)
            return
        async with self.engine.begin() as connection:
            await connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            await connection.run_sync(_run_migrations, revision)

    async def check_usable(self) -> None:
        """Raises what stops the database being used (unreachable, refused, a file that cannot be opened)."""
        if self.is_sqlite:
            self._refuse_unopenable_file()
            return
        async with self.engine.connect():
            pass

    def _refuse_unopenable_file(self) -> None:
        """An SQLite file that cannot be opened is found out here, before aiosqlite tries: failing to open one, it
        answers from its own thread after the failure has been reported, and if start-up has given up by then, its
        answer meets a closed event loop and prints a traceback under the one-line reason."""
        if not (path := self.engine.url.database):
            return  # in memory: there is no file to open
        try:
            sqlite3.connect(path).close()
        except sqlite3.Error as unopenable:
            raise OperationalError("connect", None, unopenable) from None

    async def _upgrade_sqlite(self, revision: str) -> None:
        """SQLite changes a column by rebuilding its table (copy, drop, rename). With foreign keys enforced, dropping
        a table that other rows point at fails, so enforcement is off while migrating (SQLite ignores the pragma
        inside a transaction: it is set before one) and every reference is checked once the rebuild is done."""
        self._refuse_unopenable_file()
        async with self.engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()
            try:
                async with connection.begin():
                    await connection.run_sync(_run_migrations, revision)
                broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                await connection.commit()
                if broken:
                    raise MigrationBrokeReferences(f"{len(broken)} rows point at rows that are gone: {broken[:5]}")
            finally:
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                await connection.commit()

    def watch_pool(self, checked_out: Callable[[], object], checked_in: Callable[[], object]) -> None:
        """Calls `checked_out` as each connection leaves the pool (after any check that refuses it) and
        `checked_in` as it comes back, so a gauge can follow how many are in use."""
        event.listen(self.engine.sync_engine, "checkout", lambda *_connection: checked_out())
        event.listen(self.engine.sync_engine, "checkin", lambda *_connection: checked_in())

    async def schema_revision(self) -> str | None:
        """The migration the database is at (None before the first), in one cheap query."""
        async with self.engine.connect() as connection:
            return (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar_one_or_none()

    async def dispose(self) -> None:
        await self.engine.dispose()


class MigrationBrokeReferences(SQLAlchemyError):
    """A migration left rows pointing at rows that no longer exist: a bug in the migration, never the data's."""


def _migrations_config():
    # Imported here: alembic (with mako) is a third of the bot's start-up time, and only needed to migrate.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _run_migrations(connection, revision: str) -> None:
    from alembic import command

    config = _migrations_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


@dataclass(frozen=True)
class SchemaRevisions:
    known: frozenset[str]
    head: str


def schema_revisions() -> SchemaRevisions:
    """The schema revisions this code knows (its migrations), and the newest."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_migrations_config())
    return SchemaRevisions(frozenset(r.revision for r in script.walk_revisions()), script.get_current_head())
