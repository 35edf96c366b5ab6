"""The Bolt app: one AsyncApp, its Web API client, and the listeners wired in one place."""

import json
import logging
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

from bot.calendar_feed import add_calendar_route
from bot.config import Settings
from bot.slack.delivery import SlackDelivery
from bot.slack.directory import SlackDirectory
from bot.slack.listeners import register_listeners
from bot.slack.reminders import SlackReminderSender
from bot.slack.web_api import keep_alive, reminder_client, reminder_poster, stop_keeping_alive, web_client
from bot.slack.workspace import only_our_workspace
from handlers.context import Services
from storage.database import Database

EVENTS_PATH = "/slack/events"
log = logging.getLogger(__name__)


class SlackBot:
    """The app and what it owns, so that a server can start it and shut it down cleanly."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self._client = client = web_client(settings)
        self.directory = SlackDirectory(client)
        self.services = Services(database, self.directory, public_url=settings.public_url)
        self.delivery = SlackDelivery(self.services, client)
        self.reminders = SlackReminderSender(self.services, reminder_client(settings), reminder_poster(settings))
        # process_before_response: Bolt answers as soon as a listener returns instead of polling for ack().
        # request_verification off: _refuse_unreadable checks every signature before Bolt sees the request.
        self.app = AsyncApp(
            client=client,
            signing_secret=settings.signing_secret,
            process_before_response=True,
            request_verification_enabled=False,
        )
        # None where the bot only sends (the scheduler); then no request is taken as Slack's.
        self._verifier = SignatureVerifier(settings.signing_secret) if settings.signing_secret else None
        self.app.middleware(only_our_workspace)
        register_listeners(self.app, self.services, self.delivery, self.directory)

    def web_app(self) -> web.Application:
        application = self.app.web_app(path=EVENTS_PATH)
        application.middlewares.append(self._refuse_unreadable)
        application.router.add_get("/healthz", _healthy)
        add_calendar_route(application, self.services)
        application.on_startup.append(self._keep_connections_alive)
        application.on_shutdown.append(self._drain)
        application.on_cleanup.append(self._close_connections)
        return application

    async def _keep_connections_alive(self, _application: web.Application) -> None:
        # Receipts and announcements would otherwise take the CPU of a new connection each from the acks.
        keep_alive(self._client)

    async def _close_connections(self, _application: web.Application) -> None:
        await stop_keeping_alive(self._client)

    @web.middleware
    async def _refuse_unreadable(self, request: web.Request, handler) -> web.StreamResponse:
        """Bolt answers a body it cannot parse with a 500, even before checking its signature: check the
        signature first (401), then refuse an unreadable body (400), so neither reaches Bolt."""
        if request.path != EVENTS_PATH or request.method != "POST":
            return await handler(request)
        body = await request.read()
        if not self._signed_by_slack(body, request):
            return web.Response(status=401)
        if not _readable(body, request.content_type):
            log.warning("refused a signed but unreadable request body")
            return web.Response(status=400)
        try:
            return await handler(request)
        except (TypeError, AttributeError, KeyError, IndexError) as malformed:
            # Bolt reads ids out of the payload (team, user, channel...) assuming Slack's shapes before any
            # listener runs; errors inside listeners never get here, Bolt answers those itself.
            log.warning("refused a signed payload Bolt could not read (%s: %s)", type(malformed).__name__, malformed)
            return web.Response(status=400)

    def _signed_by_slack(self, body: bytes, request: web.Request) -> bool:
        if self._verifier is None:
            return False
        try:
            return self._verifier.is_valid_request(body, dict(request.headers))
        except ValueError:  # a timestamp header that is not a number
            return False

    async def _drain(self, _application: web.Application) -> None:
        await self.delivery.drain()


OBJECTS_BOLT_READS = ("user", "team", "channel", "container", "view", "message", "enterprise")


def _readable(body: bytes, content_type: str) -> bool:
    """Slack sends JSON (events) or a form, whose `payload` field, when present, is a JSON object."""
    try:
        if content_type == "application/json":
            return isinstance(json.loads(body), dict)
        payload = parse_qs(body.decode(), keep_blank_values=True).get("payload")
        return payload is None or _interaction_readable(json.loads(payload[0]))
    except (ValueError, UnicodeDecodeError):
        return False


def _interaction_readable(payload: object) -> bool:
    """Bolt reads these parts of an interaction before any listener of ours can refuse it, assuming Slack's
    shapes; a payload of any other shape would make it answer 500."""
    if not isinstance(payload, dict):
        return False
    if any(not isinstance(payload.get(part), dict | None) for part in OBJECTS_BOLT_READS):
        return False
    if payload.get("type") in ("view_submission", "view_closed") and not isinstance(payload.get("view"), dict):
        return False
    if payload.get("type") != "block_actions":
        return True
    actions = payload.get("actions")
    return isinstance(actions, list) and bool(actions) and all(isinstance(action, dict) for action in actions)


async def _healthy(_request: web.Request) -> web.Response:
    return web.Response(text="ok")
