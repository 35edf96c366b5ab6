"""Channel membership and people's names from Slack's Web API, cached so a busy channel costs few calls."""

import logging
import time
from collections.abc import Iterable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.tokens import NotInstalled, WorkspaceClients

MEMBERS_TTL_SECONDS = 300
NAMES_TTL_SECONDS = 3600
PAGE_SIZE = 1000
# Answers meaning the workspace's token will never work again.
GONE_FOR_GOOD = {"token_revoked", "invalid_auth", "account_inactive", "not_authed"}
log = logging.getLogger(__name__)


class SlackDirectory:
    """Membership changes are also pushed to `forget_channel` by member_joined/left events, so the TTL
    only bounds staleness when an event is missed."""

    def __init__(self, client: AsyncWebClient, workspaces: WorkspaceClients) -> None:
        self._client = client
        self._workspaces = workspaces
        self._members: dict[tuple[str, str], tuple[float, frozenset[str]]] = {}
        self._names: dict[tuple[str, str], tuple[float, str]] = {}
        self._bot_user_ids: dict[str, str] = {}

    async def _client_of(self, workspace_id: str) -> AsyncWebClient:
        return await self._workspaces.client(self._client, workspace_id)

    async def channel_members(self, workspace_id: str, channel_id: str) -> frozenset[str]:
        cached = self._members.get((workspace_id, channel_id))
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            client = await self._client_of(workspace_id)
            members = await self._fetch_members(client, channel_id) - {await self._bot_id(client, workspace_id)}
        except (NotInstalled, SlackApiError) as error:
            if isinstance(error, SlackApiError) and error.response.get("error") not in GONE_FOR_GOOD:
                raise
            # The bot was removed from the workspace: nobody there can be asked anything any more. Its reminders
            # are still planned, so that the ledger records what became of them.
            log.warning("cannot list the members of %s: workspace %s has no usable token", channel_id, workspace_id)
            return frozenset()
        self._members[(workspace_id, channel_id)] = (time.monotonic() + MEMBERS_TTL_SECONDS, members)
        return members

    @staticmethod
    async def _fetch_members(client: AsyncWebClient, channel_id: str) -> frozenset[str]:
        members: set[str] = set()
        cursor = None
        while True:
            page = await client.conversations_members(channel=channel_id, limit=PAGE_SIZE, cursor=cursor)
            members.update(page["members"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return frozenset(members)

    async def _bot_id(self, client: AsyncWebClient, workspace_id: str) -> str:
        if workspace_id not in self._bot_user_ids:
            self._bot_user_ids[workspace_id] = (await client.auth_test())["user_id"]
        return self._bot_user_ids[workspace_id]

    def forget_channel(self, workspace_id: str, channel_id: str) -> None:
        self._members.pop((workspace_id, channel_id), None)

    async def display_names(self, workspace_id: str, user_ids: Iterable[str]) -> dict[str, str]:
        names = {user_id: await self._display_name(workspace_id, user_id) for user_id in user_ids}
        return {user_id: name for user_id, name in names.items() if name is not None}

    async def _display_name(self, workspace_id: str, user_id: str) -> str | None:
        cached = self._names.get((workspace_id, user_id))
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            user = (await (await self._client_of(workspace_id)).users_info(user=user_id))["user"]
        except NotInstalled:
            return None
        except SlackApiError as error:
            if error.response.get("error") in {"user_not_found", *GONE_FOR_GOOD}:
                return None
            raise
        profile = user.get("profile") or {}
        name = profile.get("real_name") or user.get("real_name") or profile.get("display_name") or user_id
        self._names[(workspace_id, user_id)] = (time.monotonic() + NAMES_TTL_SECONDS, name)
        return name
