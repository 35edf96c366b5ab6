"""The Bolt app: one AsyncApp, its Web API client, and the listeners wired in one place."""

import logging
import traceback

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot.config import Settings
from bot.platforms import Platform
from bot.reminder_delivery import ReminderDelivery
from bot.slack.delivery import SlackDelivery
from bot.slack.directory import SlackDirectory
from bot.slack.installs import NOT_INSTALLED, SlackInstalls
from bot.slack.listeners import register_listeners
from bot.slack.reminders import SlackReminderTransport
from bot.slack.request_kinds import NoteRequest
from bot.slack.tokens import workspace_clients
from bot.slack.web_api import (
    REQUEST_CLIENT,
    keep_alive,
    reminder_client,
    reminder_poster,
    stop_keeping_alive,
    web_client,
)
from bot.slack.workspace import AnswerWithWorkspaceClient, OnlyOurWorkspace
from handlers import log_context
from handlers.context import Services
from storage.database import Database

EVENTS_PATH = "/slack/events"
log = logging.getLogger(__name__)


class _TokenGivenTwice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment itself, and warns at every start that the client's token
    (the same one, from the same variable) is used instead; nothing is wrong, so it is not said."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


logging.getLogger("slack_bolt.AsyncApp").addFilter(_TokenGivenTwice())


class SlackBot:
    """The app and what it owns, so that a server can start it and shut it down cleanly."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self._client = client = web_client(settings)
        workspaces = workspace_clients(settings, database, client)
        self.directory = SlackDirectory(client, workspaces)
        self.services = Services(database, self.directory, public_url=settings.public_url)
        self.delivery = SlackDelivery(self.services, client)
        transport = SlackReminderTransport(reminder_client(settings), reminder_poster(settings), workspaces)
        self.reminders = ReminderDelivery(self.services, transport)
        # Installed by OAuth: the install routes, each request authorized with its workspace's token, and
        # uninstalls heard. Otherwise the one bot token serves the one workspace.
        self.installs = SlackInstalls(settings, self.services, workspaces) if settings.installs_by_oauth else None
        oauth = (
            {
                "oauth_settings": self.installs.oauth_settings,
                "installation_store": workspaces.store,
                "authorize": self.installs.authorize,
                "user_facing_authorize_error_message": NOT_INSTALLED,
            }
            if self.installs
            else {}
        )
        self.platform = Platform(self.reminders, self.directory)  # Slack's takes every id no other platform claims
        # process_before_response: Bolt answers as soon as a listener returns instead of polling for ack().
        # request_verification off: _refuse_unreadable checks every signature before Bolt sees the request.
        self.app = AsyncApp(
            client=client,
            signing_secret=settings.signing_secret,
            process_before_response=True,
            request_verification_enabled=False,
            **oauth,
        )
        # None where the bot only sends (the scheduler); then no request is taken as Slack's.
        self._verifier = SignatureVerifier(settings.signing_secret) if settings.signing_secret else None
        self.app.error(on_unhandled_error)
        self.app.middleware(NoteRequest())
        self.app.middleware(OnlyOurWorkspace())
        self.app.middleware(AnswerWithWorkspaceClient())
        if self.installs:
            self.installs.register(self.app)
        register_listeners(self.app, self.services, self.delivery, self.directory)

    def mount(self, application: web.Application) -> None:
        """Slack's routes, with their start-up and shut-down, on the server's one application (bot/server.py)."""
        application.router.add_post(EVENTS_PATH, self._dispatch)
        if self.installs:
            self.installs.mount(application)
        application.middlewares.append(self._refuse_unreadable)
        application.on_startup.append(self._keep_connections_alive)
        application.on_shutdown.append(self._drain)
        application.on_cleanup.append(self._close_connections)

    async def _dispatch(self, request: web.Request) -> web.Response:
        # Requests on one kept-alive connection share a context: none may find the previous one's client.
        answering = REQUEST_CLIENT.set(None)
        try:
            return await to_aiohttp_response(await self.app.async_dispatch(await to_bolt_request(request)))
        finally:
            REQUEST_CLIENT.reset(answering)

    async def _keep_connections_alive(self, _application: web.Application) -> None:
        # Receipts and announcements would otherwise take the CPU of a new connection each from the acks.
        keep_alive(self._client)

    async def _close_connections(self, _application: web.Application) -> None:
        await stop_keeping_alive(self._client)

    @web.middleware
    async def _refuse_unreadable(self, request: web.Request, handler) -> web.StreamResponse:
        """The signature is checked first (401), before anything reads the body. A signed body Bolt cannot even
        parse into a request, or whose ids are not where Slack puts them, raises before Bolt's own error handler
        can see it: it is answered like any other malformed payload."""
        if request.path != EVENTS_PATH or request.method != "POST":
            return await handler(request)
        if not self._signed_by_slack(await request.read(), request):
            log_context.note_outcome(log_context.UNSIGNED)
            return web.Response(status=401)
        try:
            return await handler(request)
        except MALFORMED as malformed:
            log_malformed(malformed)
            return web.Response(status=200)

    def _signed_by_slack(self, body: bytes, request: web.Request) -> bool:
        if self._verifier is None:
            return False
        try:
            return self._verifier.is_valid_request(body, dict(request.headers))
        except ValueError:  # a timestamp header that is not a number
            return False

    async def _drain(self, _application: web.Application) -> None:
        await self.delivery.drain()


# What reading a payload of a shape Slack never sends raises: a missing key, a list for an object, a text id
# that is not text. Slack does not retry interactions or send them malformed, so such a request, though signed,
# was forged or truncated; it is ignored with a log line, and answered 200 so that nothing reads as a failure.
MALFORMED = (KeyError, IndexError, TypeError, AttributeError, ValueError)


def log_malformed(error: Exception) -> None:
    # Where it was raised, so that a fault of ours mistaken for a malformed payload can still be found; not the
    # error's message, which may quote the payload, and so what someone typed.
    where = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    log_context.note_outcome(log_context.MALFORMED)
    log.warning(
        "ignored a signed Slack payload of a shape Slack does not send (%s, at %s:%s)",
        type(error).__name__,
        where.filename if where else "?",
        where.lineno if where else "?",
    )


async def on_unhandled_error(error: Exception, response: BoltResponse | None) -> BoltResponse:
    """Bolt's one error handler, for its middleware, its matching of listeners and the listeners themselves
    (whose use cases answer their own failures, so what gets here is reading the payload or talking to Slack).
    An answer already given (an ack with a message) is kept; only the status Bolt set to 500 is not."""
    if isinstance(error, MALFORMED):
        log_malformed(error)
    else:
        log.error("a Slack request failed outside its use case", exc_info=error)
    if response is None:
        return BoltResponse(status=200, body="")
    return BoltResponse(status=200, body=response.body, headers=response.headers)
