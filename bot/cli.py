"""`committee-bot`: serve, socket, scheduler, console, minutes, db upgrade / backup / restore, member export / erase,
teams package."""

import argparse
import asyncio
import functools
import getpass
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

from bot import logs, minutes_command
from bot.config import Settings, checked_database_url, log_format, secrets_in
from handlers import personal_data, personal_data_export
from handlers.deadlines import describe_date
from handlers.errors import UserFacingError
from storage import backup
from storage.backup import NATIVE, PORTABLE
from storage.database import Database, StorageError, shown_url, unusable_database
from storage.models import DEFAULT_TIMEZONE

log = logging.getLogger(__name__)
# In the folder it is started from, apart from the bot's own default database.
CONSOLE_DATABASE_URL = "sqlite:///committee-bot-console.sqlite3"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="committee-bot", description="A chat bot for council committees.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve Slack's HTTP requests on $PORT")
    commands.add_parser("socket", help="connect to Slack over Socket Mode (development, firewalled installs)")
    commands.add_parser("scheduler", help="send reminders on its own, without serving requests")
    console = commands.add_parser("console", help="the whole bot in this terminal, on SQLite, no Slack account needed")
    console.add_argument("--as", dest="user", help="act as this user (default: a councillor on the seed committee)")
    console.add_argument("--channel", help="act in this channel (default: the seed committee's)")
    console.add_argument(
        "--database",
        default=CONSOLE_DATABASE_URL,
        help=f"where the console keeps its data and its clock (default: {CONSOLE_DATABASE_URL}; DATABASE_URL is "
        "not used, so the console never writes into the bot's own database)",
    )
    minutes = commands.add_parser("minutes", help="read resolutions from minutes, without touching the database")
    minutes_command.add_arguments(minutes)
    db = commands.add_parser("db", help="database maintenance").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="bring the schema to the newest migration")
    backup = db.add_parser("backup", help="write the whole database to FILE")
    backup.add_argument("file", type=Path)
    backup.add_argument(
        "--format",
        choices=[NATIVE, PORTABLE],
        help="native: SQLite's backup API, or pg_dump's custom format (the default where pg_dump matches the "
        "server); portable: JSON lines that either database can restore",
    )
    restore = db.add_parser("restore", help="replace the database with the backup in FILE")
    restore.add_argument("file", type=Path)
    restore.add_argument("--force", action="store_true", help="even if the database already holds data")
    member = commands.add_parser("member", help="one member's personal data (UK GDPR)")
    member_actions = member.add_subparsers(dest="action", required=True)
    export = member_actions.add_parser("export", help="write everything held about a member as JSON and Word")
    erase = member_actions.add_parser("erase", help="erase a member's comments' text and identity, and their roles")
    for action in (export, erase):
        action.add_argument("workspace", help="the workspace (Slack team) id, such as T012AB3CD")
        action.add_argument("member", help="the member's user id, such as U012AB3CD")
        action.add_argument("--by", default=getpass.getuser(), help="who is doing this, for the audit log")
    export.add_argument("--to", type=Path, default=Path("."), help="the folder to write the files in")
    teams = commands.add_parser("teams", help="Microsoft Teams").add_subparsers(dest="action", required=True)
    package = teams.add_parser("package", help="build the app package a Teams administrator uploads")
    package.add_argument("--out", type=Path, default=Path("committee-bot-teams.zip"), help="the zip to write")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    logs.configure(log_format(os.environ), secrets_in(os.environ))
    # A line for every tick would bury the ones that matter; the tick logs what it sent itself. Migrations say
    # only what went wrong: start-up is one line (where the bot listens, and on which database).
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.command == "console":
        logging.getLogger().setLevel(logging.ERROR)  # refusals are shown as messages; log lines would repeat them
        sys.exit(asyncio.run(_console(checked_database_url(args.database, "--database"), args.user, args.channel)))
    if args.command == "member" or getattr(args, "action", None) in ("backup", "restore"):
        logging.getLogger().setLevel(logging.WARNING)  # the command's own line says what it did; logs would repeat it
    if args.command == "minutes":
        sys.exit(minutes_command.run(args))
    if args.command == "teams":
        print(_teams_package(args.out))
        return
    settings = Settings.from_environment()
    if args.command == "serve":
        serve(settings)
    elif args.command == "socket":
        asyncio.run(socket_mode(settings))
    elif args.command == "scheduler":
        asyncio.run(scheduler_only(settings))
    elif args.command == "member":
        print(asyncio.run(_maintained(settings.database_url, functools.partial(_personal_data, args))))
    elif args.action == "upgrade":
        asyncio.run(upgrade(settings))
    else:
        print(asyncio.run(_maintained(settings.database_url, functools.partial(_backup_or_restore, args))))


def _teams_package(out: Path) -> str:
    from bot.teams.package import PackageSettings, build_package

    settings = PackageSettings.from_environment()
    build_package(settings, out)
    return (
        f"committee-bot: wrote the Teams app package to {out} (app id {settings.teams_app_id}, bot "
        f"{settings.bot_id}, version {settings.app_version}); upload it in the Teams admin centre."
    )


async def _backup_or_restore(args: argparse.Namespace, database_url: str) -> str:
    if args.action == "backup":
        made = await backup.back_up(database_url, args.file, args.format)
        why = f" ({made.note})" if made.note else ""
        size = args.file.stat().st_size
        return (
            f"committee-bot: backed up {made.tables} tables ({made.rows:,} rows) to {args.file} in "
            f"{made.description}{why}, {size / 1_000_000:,.1f} MB."
        )
    restored = await backup.restore(database_url, args.file, args.force)
    return (
        f"committee-bot: restored {restored.tables} tables ({restored.rows:,} rows) from {args.file} into "
        f"{shown_url(database_url)} ({restored.description})."
    )


async def _personal_data(args: argparse.Namespace, database_url: str) -> str:
    database = await migrated(database_url)
    try:
        if args.action == "export":
            return await _export(database, args)
        return await _erase(database, args)
    finally:
        await database.dispose()


async def _export(database: Database, args: argparse.Namespace) -> str:
    exported = await personal_data.export_member(database, args.workspace, args.member, args.by, datetime.now(UTC))
    stem = args.to / f"personal-data-{args.workspace}-{args.member}".replace("/", "_")
    _write_private(stem.with_suffix(".json"), personal_data_export.to_json(exported.record).encode())
    _write_private(stem.with_suffix(".docx"), personal_data_export.to_docx(exported.record))
    return (
        f"committee-bot: wrote everything held about {args.member} in workspace {args.workspace} to {stem}.json and "
        f"{stem}.docx ({personal_data.describe_counts(exported.counts)})."
    )


def _write_private(path: Path, content: bytes) -> None:
    """Personal data: readable by this user alone."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
        file.write(content)


async def _erase(database: Database, args: argparse.Namespace) -> str:
    erased = await personal_data.erase_member(database, args.workspace, args.member, args.by, datetime.now(UTC))
    whose = f"{args.member}'s personal data in workspace {args.workspace}"
    if erased.already_erased_at:
        when = describe_date(erased.already_erased_at, DEFAULT_TIMEZONE)
        return f"committee-bot: {whose} was already erased on {when}; nothing more is held about them."
    orphans = "".join(
        f" {name} has no clerk now: anyone in its channel can take it on with /committee setup."
        for name in erased.committees_without_clerk
    )
    return (
        f"committee-bot: erased {whose}: {personal_data.describe_counts(erased.counts)}. Recorded in the audit log."
        f"{orphans}"
    )


async def _maintained(database_url: str, work: Callable[[str], Awaitable[str]]) -> str:
    """What a maintenance command did, in one line; a refusal, or a database that cannot be used, stops it with
    one line saying why."""
    database = Database(database_url)
    try:
        await database.check_usable()
    except (StorageError, OSError) as unusable:
        raise SystemExit(f"committee-bot: {unusable_database(database_url, unusable)}") from None
    finally:
        await database.dispose()
    try:
        return await work(database_url)
    except backup.BackupRefused as refused:
        raise SystemExit(f"committee-bot: {refused}") from None
    except UserFacingError as refused:
        raise SystemExit(f"committee-bot: {refused.message}") from None


async def _console(database_url: str, user: str | None, channel: str | None) -> int:
    from bot.console.backend import run_console

    return await run_console(await migrated(database_url, "--database"), database_url, user, channel)


async def upgrade(settings: Settings) -> None:
    database = await migrated(settings.database_url)
    await database.dispose()
    log.info("database %s is at the newest schema", shown_url(settings.database_url))


async def migrated(database_url: str, setting: str = "DATABASE_URL") -> Database:
    """The database, brought to the newest schema; one that cannot be used stops start-up with one line saying
    what is wrong with it and how to put it right."""
    database = Database(database_url)
    try:
        await database.upgrade()
    except (StorageError, OSError) as unusable:
        await database.dispose()
        raise SystemExit(f"committee-bot: {unusable_database(database_url, unusable, setting)}") from None
    return database


def serve(settings: Settings) -> None:
    """aiohttp's production server (Bolt's own app.start() is meant for development only); with
    WEB_CONCURRENCY above 1, that many processes under gunicorn."""
    metrics_folder = _share_metrics_between_workers() if settings.workers > 1 else None
    from bot.server import configured_platforms

    platforms = configured_platforms(settings)
    if settings.workers == 1:
        web.run_app(
            _served_app(settings, migrate=True),
            port=settings.port,
            access_log=None,
            shutdown_timeout=10,
            print=lambda _running_on: _log_started(settings, platforms),  # once it listens
        )
        return
    from bot.workers import serve_with_workers
    from storage.database import schema_revisions

    asyncio.run(_upgraded(settings.database_url))  # once, before the workers start
    _log_started(settings, platforms)
    head = schema_revisions().head
    # Removed by gunicorn's master as it exits: a worker leaving (one replaced, say) must not take it away.
    remove_folder = functools.partial(shutil.rmtree, metrics_folder, ignore_errors=True) if metrics_folder else None
    serve_with_workers(functools.partial(_served_app, settings, migrate=False, head=head), settings, remove_folder)


def _share_metrics_between_workers() -> str | None:
    """Each gunicorn worker writes its metrics to files in one folder and /metrics adds them up. The folder is
    emptied first (counts from an earlier run must not be added in), and must be named before prometheus-client
    is imported, which is why nothing imports it before this. The folder made here, if any, for removal at exit."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        for old in Path(folder).glob("*.db"):
            old.unlink()
        return None
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = made = tempfile.mkdtemp(prefix="committee-bot-metrics-")
    return made


async def _upgraded(database_url: str) -> None:
    database = await migrated(database_url)
    await database.dispose()


def _requests_path(platform: str) -> str:
    """Where a platform's requests are served; only the platforms configured are imported."""
    if platform == "Slack":
        from bot.slack.app import EVENTS_PATH

        return EVENTS_PATH
    from bot.teams.app import MESSAGES_PATH

    return MESSAGES_PATH


def _log_started(settings: Settings, platforms: list[str]) -> None:
    processes = f" in {settings.workers} processes" if settings.workers > 1 else ""
    if platforms:
        answering = "at " + " and ".join(_requests_path(platform) for platform in platforms)
        reminders = "sending reminders" if settings.reminders else "reminders off"
    else:
        answering = (
            "with Slack not configured (no SLACK_BOT_TOKEN, SLACK_CLIENT_ID or SLACK_SIGNING_SECRET): "
            "calendar and health only"
        )
        reminders = "reminders off (no platform to send them through)"
    log.info(
        "committee-bot listening on port %s%s %s, database %s, %s",
        settings.port,
        processes,
        answering,
        shown_url(settings.database_url),
        reminders,
    )


async def _served_app(settings: Settings, migrate: bool, head: str | None = None) -> web.Application:
    from bot.server import serving_app
    from storage.database import schema_revisions

    database = await migrated(settings.database_url) if migrate else Database(settings.database_url)
    return serving_app(settings, database, head or schema_revisions().head)


async def scheduler_only(settings: Settings) -> None:
    """The reminder tick alone, through a sender: no Bolt app, no Slack request served. With PORT set (the container
    image sets it), /healthz, /readyz and /metrics on that port; several schedulers on one host need a port each."""
    from bot.scheduler import ReminderScheduler
    from bot.server import operations_app, reminder_sending
    from storage.database import schema_revisions

    database = await migrated(settings.database_url)
    scheduler = ReminderScheduler(*reminder_sending(settings, database), settings)
    listening = ""
    if settings.port_set:
        runner = web.AppRunner(operations_app(database, schema_revisions().head, scheduler), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, port=settings.port).start()
        except OSError as taken:
            why = f"committee-bot: cannot listen on port {settings.port} ({taken.strerror}); set PORT to a free one."
            raise SystemExit(why) from None
        listening = f", health and metrics on port {settings.port}"
    scheduler.start()
    log.info("committee-bot sending reminders%s, database %s", listening, shown_url(settings.database_url))
    await asyncio.Event().wait()


async def socket_mode(settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from bot.slack.app import SlackBot

    settings.require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", purpose="for Socket Mode")
    database = await migrated(settings.database_url)
    bot = SlackBot(settings, database)
    log.info("committee-bot connecting to Slack over Socket Mode, database %s", shown_url(settings.database_url))
    await AsyncSocketModeHandler(bot.app, settings.app_token).start_async()
