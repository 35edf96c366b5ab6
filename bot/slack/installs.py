"""Installing the bot in many workspaces by OAuth ("Add to Slack"): Bolt's OAuth flow over slack_sdk's SQL stores
in the bot's own database, each workspace's token found (and refreshed when it is about to expire) for requests and
reminders alike, and a workspace that uninstalls or revokes the bot's token forgotten until it installs again.

Finding and refreshing the tokens is bot/slack/tokens.py's, which the scheduler uses without any of Bolt.
"""

import html
import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncFailureArgs, AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse

from bot.config import Settings
from bot.outcomes import WENT_WRONG
from bot.slack.tokens import InstalledWorkspaces
from handlers import installs, log_context
from handlers.context import Services
from storage.database import StorageError
from storage.installations import state_store

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# What the bot asks each workspace for; manifests/slack.yml lists the same (tests/test_manifest.py holds them equal).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "channels:read",
    "groups:read",
    "channels:history",
    "groups:history",
    "users:read",
    "im:write",
    "files:write",
    "files:read",
)
# How long an "Add to Slack" page may wait before its state is refused: ten minutes, as Bolt's own default.
STATE_EXPIRY_SECONDS = 600

NOT_INSTALLED = (
    "Sorry, committee-bot is not installed in this Slack workspace (or was removed from it), so it can't act on "
    "this. Nothing has changed. An admin can add it again from the bot's install page."
)


class _NotInstalledSaidOnce(logging.Filter):
    """A request from a workspace without the bot is ordinary for an app anyone may install (or uninstall), and
    InstalledWorkspaceAuthorize says so as a warning; Bolt's own line about it, an error, is not repeated."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Although the app should be installed into this workspace")


logging.getLogger("slack_bolt.AsyncMultiTeamsAuthorization").addFilter(_NotInstalledSaidOnce())


class InstalledWorkspaceAuthorize(AsyncAuthorize):
    """A request is answered with its workspace's own token, refreshed as reminders refresh it, and read from the
    database without asking Slack's auth.test each time: the installation recorded who the bot is there."""

    def __init__(self, workspaces: InstalledWorkspaces) -> None:
        self._workspaces = workspaces

    async def __call__(
        self, *, context: AsyncBoltContext, enterprise_id: str | None, team_id: str | None, user_id: str | None, **_
    ) -> AuthorizeResult | None:
        try:
            bot = await self._workspaces.bot(team_id) if team_id else None
        except StorageError:
            # Said here, once: Bolt's error handler (bot.slack.app.on_unhandled_error) logs it and answers 200.
            if context.response_url:
                await context.respond(response_type="ephemeral", replace_original=False, text=WENT_WRONG)
            raise
        if bot is None:
            log.warning("refused a request from workspace %s, which has not installed the bot", team_id)
            log_context.note_outcome(log_context.REFUSED)
            return None
        return AuthorizeResult(
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_token=bot.bot_token,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )


class SlackInstalls:
    """The app's OAuth side: its settings for AsyncApp, its two routes, and what installing and uninstalling do."""

    def __init__(self, settings: Settings, services: Services, workspaces: InstalledWorkspaces) -> None:
        self._services = services
        self._workspaces = workspaces
        redirect_uri = f"{settings.public_url.rstrip('/')}{REDIRECT_PATH}" if settings.public_url else None
        self.oauth_settings = AsyncOAuthSettings(
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            scopes=list(BOT_SCOPES),
            installation_store=workspaces.store,
            state_store=state_store(services.database, STATE_EXPIRY_SECONDS),
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            redirect_uri=redirect_uri,
            callback_options=AsyncCallbackOptions(success=self._installed, failure=self._not_installed),
        )
        self.authorize = InstalledWorkspaceAuthorize(workspaces)
        self._flow: AsyncOAuthFlow | None = None

    def register(self, app: AsyncApp) -> None:
        self._flow = app.oauth_flow
        app.event("app_uninstalled")(self._on_app_uninstalled)
        app.event("tokens_revoked")(self._on_tokens_revoked)

    def mount(self, application: web.Application) -> None:
        application.router.add_get(INSTALL_PATH, self._install_page)
        application.router.add_get(REDIRECT_PATH, self._redirected)

    async def _install_page(self, request: web.Request) -> web.StreamResponse:
        return await self._answer(request, self._flow.handle_installation)

    async def _redirected(self, request: web.Request) -> web.StreamResponse:
        return await self._answer(request, self._flow.handle_callback)

    async def _answer(self, request: web.Request, flow_step) -> web.StreamResponse:
        """The flow's own answer; a database that fails on the way gets a page saying to try again later."""
        try:
            return await to_aiohttp_response(await flow_step(await to_bolt_request(request)))
        except StorageError:
            log.exception("the database failed during a Slack install; nothing was installed")
            log_context.note_outcome(log_context.FAILED)
            return _page(503, "Committee-bot could not be added just now", UNAVAILABLE)

    async def _installed(self, args: AsyncSuccessArgs) -> BoltResponse:
        workspace_id = args.installation.team_id
        try:
            await installs.workspace_installed(self._services, workspace_id)
        except StorageError:
            log.exception("recording the install of workspace %s failed; the install is undone", workspace_id)
            await self._forget(workspace_id)
            return _bolt_page(503, "Committee-bot could not be added just now", UNAVAILABLE)
        return await args.default.success(args)

    async def _not_installed(self, args: AsyncFailureArgs) -> BoltResponse:
        log.warning("a Slack install did not complete: %s", args.reason)
        log_context.note_outcome(log_context.REFUSED)
        explanation = FAILURE_EXPLANATIONS.get(args.reason, FAILURE_EXPLANATIONS["default"])
        return _bolt_page(args.suggested_status_code, "Committee-bot was not added", explanation)

    async def _forget(self, workspace_id: str) -> None:
        try:
            await self._workspaces.store.async_delete_all(enterprise_id=None, team_id=workspace_id)
        except StorageError:
            log.exception("could not undo the install of workspace %s", workspace_id)

    async def _on_app_uninstalled(self, context: AsyncBoltContext) -> None:
        await self._workspaces.store.async_delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)
        await installs.workspace_uninstalled(self._services, context.team_id)

    async def _on_tokens_revoked(self, event: dict, context: AsyncBoltContext) -> None:
        """Only the bot's token matters to the bot: without it nothing can be sent there, as after an uninstall."""
        if not (event.get("tokens") or {}).get("bot"):
            return
        await self._workspaces.store.async_delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)
        await installs.workspace_uninstalled(self._services, context.team_id)


UNAVAILABLE = "Something went wrong on our side, and nothing was installed. Please try again in a few minutes."
START_AGAIN = f'Nothing was changed. Please start again from the <a href="{INSTALL_PATH}">install page</a>.'
FAILURE_EXPLANATIONS = {
    "access_denied": "The install was cancelled in Slack, so nothing was changed.",
    "invalid_browser": f"This page was opened in a different browser from the one that started the install. "
    f"{START_AGAIN}",
    # A database that cannot be asked about the state refuses it too (slack_sdk's store says only "not found").
    "invalid_state": f"This install link has expired or was already used, or could not be checked. {START_AGAIN}",
    "missing_code": f"Slack did not send what an install needs. {START_AGAIN}",
    "invalid_code": f"Slack did not accept this install. {START_AGAIN}",
    "default": f"The install could not be completed. {START_AGAIN}",
}


def _html(title: str, explanation: str) -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1><p>{explanation}</p></body></html>"
    )


def _page(status: int, title: str, explanation: str) -> web.Response:
    return web.Response(status=status, text=_html(title, explanation), content_type="text/html")


def _bolt_page(status: int, title: str, explanation: str) -> BoltResponse:
    return BoltResponse(status=status, body=_html(title, explanation), headers={"Content-Type": "text/html"})
