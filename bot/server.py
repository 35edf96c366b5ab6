"""The one aiohttp application every process serves: /healthz, /readyz and /metrics always, the calendar feed where
requests are served, and each configured platform's own routes (Slack's /slack/events; Microsoft Teams'
/api/messages mounts the same way, through `configured_front_ends`).

Every request gets a log context (an id, its kind, its outcome) and is counted in the metrics by kind and outcome,
with how long its answer took; the platforms' own code refines the kind and notes the workspace.
"""

import asyncio
import gc
import logging
import os
import time
from collections.abc import Iterable, Sequence
from typing import Protocol

from aiohttp import web

from bot import metrics
from bot.calendar_feed import add_calendar_route
from bot.config import Settings
from bot.platforms import Platform, Platforms
from bot.scheduler import Heartbeat, ReminderScheduler
from handlers import log_context
from handlers.context import Services
from storage.database import Database

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
# Asked often, by machines: neither counted as requests nor given a log context.
OPERATIONS = frozenset((HEALTH_PATH, READY_PATH, METRICS_PATH))
# A probe's own timeout is a few seconds; a database that takes longer than this to answer one query is not ready.
READY_TIMEOUT_SECONDS = 2.0
# Probes from several places (a load balancer, the container runtime, an operator) share one check a second, so
# that /readyz, which nobody has to sign, cannot be made to load the database.
READY_CHECK_REUSED_SECONDS = 1.0
# Where the scheduler is started with no platform's settings at all.
NO_PLATFORM = (
    "to post reminders in Slack (or set Microsoft Teams' CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID, "
    "CLIENTSECRET and TENANTID to post them in Teams)"
)


class FrontEnd(Protocol):
    """A platform the server answers for (bot/slack/app.py's SlackBot, bot/teams/app.py's TeamsBot)."""

    platform: Platform  # its reminders and member directory, and which ids are its own

    def mount(self, application: web.Application) -> None:
        """Adds the platform's routes, middleware and start-up and shut-down steps to the application."""
        ...


def configured_platforms(settings: Settings) -> list[str]:
    """The platforms whose settings are given; one given only in part stops start-up with one line naming what is
    missing. Called before anything starts, so that the workers of `serve` never meet a bad setting."""
    platforms = []
    if settings.slack_configured:
        settings.require_slack(purpose="to serve Slack's requests")
        platforms.append("Slack")
    from bot.teams.settings import TeamsSettings

    if TeamsSettings.from_environment(os.environ) is not None:  # a missing or inconsistent setting stops here
        platforms.append("Microsoft Teams")
    return platforms


def configured_front_ends(settings: Settings, database: Database) -> list[FrontEnd]:
    """A front end for each platform in `configured_platforms`, Teams first: Slack's platform takes every id that
    no other claims (bot.platforms)."""
    front_ends: list[FrontEnd] = []
    from bot.teams.settings import TeamsSettings

    if (teams_settings := TeamsSettings.from_environment(os.environ)) is not None:
        from bot.teams.app import TeamsBot

        front_ends.append(TeamsBot(teams_settings, database, settings.public_url))
    if settings.slack_configured:
        from bot.slack.app import SlackBot

        front_ends.append(SlackBot(settings, database))
    return front_ends


def reminder_sending(settings: Settings, database: Database) -> tuple[Services, Platforms]:
    """What the scheduler sends reminders through: each configured platform's sender and directory, without its
    app (Slack's needs only a bot token, or the OAuth client's settings to find and refresh each workspace's;
    Teams' its connections), Teams first as in `configured_front_ends`."""
    platforms = []
    from bot.teams.settings import TeamsSettings

    if (teams_settings := TeamsSettings.from_environment(os.environ)) is not None:
        from bot.teams.outbound import teams_reminders

        platforms.append(teams_reminders(teams_settings, database))
    if settings.slack_configured or not platforms:
        settings.require_slack(purpose=NO_PLATFORM if not platforms else "to post reminders in Slack", signed=False)
        from bot.slack.sending import slack_reminders

        platforms.append(slack_reminders(settings, database))
    return _sending_through(settings, database, platforms)


def _sending_through(settings: Settings, database: Database, platforms: list[Platform]) -> tuple[Services, Platforms]:
    """One sender and one directory over every platform, for the tick and the calendar feed."""
    every = Platforms(platforms)
    return Services(database, every, public_url=settings.public_url), every


class NobodyKnown:
    """The member directory where no platform is configured: the calendar feed then names nobody."""

    async def channel_members(self, _workspace_id: str, _channel_id: str) -> frozenset[str]:
        return frozenset()

    async def display_names(self, _workspace_id: str, _user_ids: Iterable[str]) -> dict[str, str]:
        return {}


class Readiness:
    """Ready: the database answers, at the schema this code migrates to, and this instance's reminder tick (if it
    runs one) is alive. The answer names what is wrong, never any data."""

    def __init__(self, database: Database, head: str, heartbeat: Heartbeat | None) -> None:
        self._database = database
        self._head = head
        self._heartbeat = heartbeat
        self._checked_at = -READY_CHECK_REUSED_SECONDS
        self._problem: str | None = None

    async def answer(self, _request: web.Request) -> web.Response:
        if time.monotonic() - self._checked_at >= READY_CHECK_REUSED_SECONDS:
            self._problem = await self._find_problem()
            self._checked_at = time.monotonic()
        if self._problem:
            return web.Response(status=503, text=f"not ready: {self._problem}")
        return web.Response(text="ready")

    async def _find_problem(self) -> str | None:
        try:
            revision = await asyncio.wait_for(self._database.schema_revision(), READY_TIMEOUT_SECONDS)
        except Exception as error:  # unreachable, refused, too slow: whatever it is, it is not ready
            log.warning("not ready: the database did not answer (%s)", type(error).__name__)
            return "the database does not answer"
        if revision != self._head:
            log.warning("not ready: the database is at schema %s, not %s", revision, self._head)
            return "the database schema is not the one this version needs"
        if self._heartbeat is not None and not self._heartbeat.is_recent():
            log.warning("not ready: the reminder tick has not finished for too long")
            return "the reminder tick is late"
        return None


@web.middleware
async def _observed(request: web.Request, handler) -> web.StreamResponse:
    if request.path in OPERATIONS:
        return await handler(request)
    route = request.match_info.route.resource
    # The route's pattern, not the path: a feed's token is a secret, and each path would be a series of its own.
    context = log_context.begin(route.canonical if route is not None else "other")
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as http_error:
        status = http_error.status
        raise
    finally:
        seconds = time.perf_counter() - started
        log_context.note_outcome(_outcome(status, context.outcome))
        metrics.count_request(context.kind, context.outcome, seconds)
        # One line for each request, with what became of it: the lines written on the way may not know yet.
        log.info("answered %s with %s in %.0f ms", context.kind, status, seconds * 1000)


def _outcome(status: int, noted: str | None) -> str:
    if status == 401:
        return log_context.UNSIGNED
    if status == 404:
        return log_context.NOT_FOUND
    if status >= 500:
        return log_context.FAILED
    return noted or log_context.OK


async def _healthy(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def _metrics(_request: web.Request) -> web.Response:
    body, content_type = metrics.exposition()
    return web.Response(body=body, headers={"Content-Type": content_type})


def server_app(
    database: Database, readiness: Readiness, calendar: Services | None, front_ends: Sequence[FrontEnd]
) -> web.Application:
    """Health, readiness and metrics; the calendar feed when `calendar` is given; and each front end's routes."""
    application = web.Application(middlewares=[_observed])
    application.router.add_get(HEALTH_PATH, _healthy)
    application.router.add_get(READY_PATH, readiness.answer)
    application.router.add_get(METRICS_PATH, _metrics)
    if calendar is not None:
        add_calendar_route(application, calendar)
    for front_end in front_ends:
        front_end.mount(application)
    metrics.watch_connections(database)
    return application


def serving_app(settings: Settings, database: Database, head: str) -> web.Application:
    """What `serve` runs in each process: every configured front end, the calendar feed, and (with REMINDERS=on and
    a platform to send them through) the reminder tick."""
    front_ends = configured_front_ends(settings, database)
    services = Services(database, NobodyKnown(), public_url=settings.public_url)
    scheduler = None
    if front_ends:
        services, sender = _sending_through(settings, database, [front_end.platform for front_end in front_ends])
        if settings.reminders:
            scheduler = ReminderScheduler(services, sender, settings)
    readiness = Readiness(database, head, scheduler.heartbeat if scheduler else None)
    application = server_app(database, readiness, services, front_ends)
    application.on_startup.append(_out_of_the_collectors_sight)
    if scheduler is not None:
        application.on_startup.append(lambda _app: _start(scheduler))
        application.on_cleanup.append(lambda _app: _stop(scheduler))
    application.on_cleanup.append(lambda _app: database.dispose())
    return application


def operations_app(database: Database, head: str, scheduler: ReminderScheduler) -> web.Application:
    """What `scheduler` serves: health, readiness (its tick's heartbeat included) and metrics; nothing else."""
    return server_app(database, Readiness(database, head, scheduler.heartbeat), calendar=None, front_ends=())


async def _out_of_the_collectors_sight(_application: web.Application) -> None:
    """What start-up built (modules, the ORM's mappings, both SDKs) lives as long as the process. Left in the
    collector's sight, a full collection walks all of it again every few seconds under load: 100 to 150 ms in
    which nothing is answered (measured with benchmarks/ack.py). Frozen, it is never walked again."""
    gc.collect()
    gc.freeze()


async def _start(scheduler: ReminderScheduler) -> None:
    scheduler.start()


async def _stop(scheduler: ReminderScheduler) -> None:
    await scheduler.stop()
