"""Each workspace's own Web API client. Installed by OAuth, a workspace's current bot token is read from the
installation store and refreshed when close to expiry, for requests (bot/slack/installs.py authorizes them with
it) and reminders alike; the scheduler uses this without building a Bolt app. Single-workspace mode
(SLACK_BOT_TOKEN) hands every caller the one client."""

import logging
import time

from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.slack.web_api import with_token
from storage.database import Database
from storage.installations import installation_store, token_refresh_lock

log = logging.getLogger(__name__)

# A token expiring within this is refreshed first. Slack's rotated tokens last 12 hours; an hour leaves room for
# a reminder tick that takes its time, with a refresh at most twice a day per workspace.
REFRESH_MINUTES_BEFORE_EXPIRY = 60


class NotInstalled(Exception):
    """No token is held for the workspace: it never installed the bot, or uninstalled it."""


class OneWorkspace:
    """Single-workspace mode: the client given is already the workspace's."""

    async def client(self, base: AsyncWebClient, _workspace_id: str) -> AsyncWebClient:
        return base


class InstalledWorkspaces:
    """Each workspace's current bot token, from the installation store, refreshed when close to expiry. Instances
    refreshing the same workspace's token take turns (storage.installations.token_refresh_lock): a refresh token
    is spent by its use, so the second finds the first's new token rather than spending the old one again."""

    def __init__(self, database: Database, store: AsyncSQLAlchemyInstallationStore, rotator: AsyncTokenRotator):
        self._database = database
        self.store = store
        self._rotator = rotator

    async def bot(self, workspace_id: str) -> Bot | None:
        bot = await self.store.async_find_bot(enterprise_id=None, team_id=workspace_id)
        if bot is None or not _expiring(bot):
            return bot
        async with token_refresh_lock(self._database, workspace_id):
            bot = await self.store.async_find_bot(enterprise_id=None, team_id=workspace_id)
            if bot is None or not _expiring(bot):
                return bot
            refreshed = await self._rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=REFRESH_MINUTES_BEFORE_EXPIRY
            )
            if refreshed is None:
                return bot
            await self.store.async_save_bot(refreshed)
            log.info("refreshed the bot token of workspace %s", workspace_id)
            return refreshed

    async def client(self, base: AsyncWebClient, workspace_id: str) -> AsyncWebClient:
        bot = await self.bot(workspace_id)
        if bot is None or not bot.bot_token:
            raise NotInstalled(workspace_id)
        return with_token(base, bot.bot_token)


WorkspaceClients = OneWorkspace | InstalledWorkspaces


def _expiring(bot: Bot) -> bool:
    expires_at = bot.bot_token_expires_at
    return (
        bool(bot.bot_refresh_token)
        and expires_at is not None
        and (expires_at <= time.time() + REFRESH_MINUTES_BEFORE_EXPIRY * 60)
    )


def installed_workspaces(settings: Settings, database: Database, client: AsyncWebClient) -> InstalledWorkspaces:
    """`client` carries the Web API's address (a test's fake Slack) to the token refreshes."""
    rotator = AsyncTokenRotator(client_id=settings.client_id, client_secret=settings.client_secret, client=client)
    return InstalledWorkspaces(database, installation_store(database, settings.client_id), rotator)


def workspace_clients(settings: Settings, database: Database, client: AsyncWebClient) -> WorkspaceClients:
    return installed_workspaces(settings, database, client) if settings.installs_by_oauth else OneWorkspace()
