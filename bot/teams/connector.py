"""Talking to Teams outside a turn (reminders, the roster for the scheduler): the Bot Connector at the service
address a committee's kept conversation reference names, with a token for the identity it was kept with, and
Microsoft Graph for the bot's own messages, which the Bot Connector cannot give back.

A committee's kept reference (storage.conversation_references, platform "msteams") is the SDK's own
`Conversation.store_item_to_json()` (the conversation reference and the claims it came with) plus, under "team",
the team's ids from the activity's channelData: {"id": "19:...@thread.tacv2", "aadGroupId": "<guid>"}.
`reference_to_keep` makes it from a turn.
"""

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from microsoft_agents.activity import ConversationReference
from microsoft_agents.hosting.core import RestChannelServiceClientFactory, TurnContext
from microsoft_agents.hosting.core.app.proactive import Conversation
from microsoft_agents.hosting.core.authorization import Connections
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

PLATFORM = "msteams"
GRAPH_URL = "https://graph.microsoft.com/v1.0/"
GRAPH_RESOURCE = "https://graph.microsoft.com"
GRAPH_SCOPES = [f"{GRAPH_RESOURCE}/.default"]
GRAPH_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class KeptConversation:
    """A committee's channel as the bot can reach it unprompted."""

    conversation: Conversation
    team_id: str | None
    team_group_id: str | None  # the team's Microsoft 365 group, as Graph names the team

    @property
    def reference(self) -> ConversationReference:
        return self.conversation.conversation_reference

    @property
    def service_url(self) -> str:
        return self.reference.service_url

    @property
    def channel_id(self) -> str:
        """The channel itself: a reference kept from a message in a thread names the thread."""
        return self.reference.conversation.id.split(";messageid=")[0]

    @property
    def tenant_id(self) -> str | None:
        return self.reference.conversation.tenant_id or self.conversation.claims.get("tid")

    @property
    def bot_id(self) -> str | None:
        return self.reference.agent.id if self.reference.agent else None


def reference_to_keep(context: TurnContext) -> dict:
    """What to keep for a committee's channel, from a turn in it."""
    kept = Conversation.from_turn_context(context).store_item_to_json()
    kept.pop("_span_context", None)
    channel_data = context.activity.channel_data
    team = channel_data.get("team") if isinstance(channel_data, dict) else None
    if isinstance(team, dict):
        kept["team"] = {key: team[key] for key in ("id", "aadGroupId") if isinstance(team.get(key), str)}
    return kept


def kept_conversation(reference: Mapping[str, Any]) -> KeptConversation:
    """Raises ValueError for a reference that cannot be used (no conversation, no service address)."""
    conversation = Conversation.from_json_to_store_item(dict(reference))
    conversation.validate()
    team = reference.get("team") or {}
    return KeptConversation(conversation, team.get("id"), team.get("aadGroupId"))


class TeamsConnections:
    """Connector clients for kept conversations, and Graph reads, with tokens from the SDK's connection manager.

    Inside `open()` a client is made once per service address and identity and its connections kept; outside, each
    use makes one and closes it."""

    def __init__(self, connections: Connections, graph_url: str = GRAPH_URL) -> None:
        self._factory = RestChannelServiceClientFactory(connections)
        self._connections = connections
        self._graph_url = graph_url if graph_url.endswith("/") else graph_url + "/"
        self._open: dict[tuple[str, str], TeamsConnectorClient] | None = None
        self._opened = 0

    @asynccontextmanager
    async def open(self) -> AsyncIterator[None]:
        """Ticks may overlap: the last one out closes the clients."""
        if self._opened == 0:
            self._open = {}
        self._opened += 1
        try:
            yield
        finally:
            self._opened -= 1
            if self._opened == 0:
                clients, self._open = self._open or {}, None
                for client in clients.values():
                    await client.close()

    @asynccontextmanager
    async def client(self, kept: KeptConversation) -> AsyncIterator[TeamsConnectorClient]:
        key = (kept.service_url, json.dumps(kept.conversation.claims, sort_keys=True))
        if self._open is not None and key in self._open:
            yield self._open[key]
            return
        client = await self._new_client(kept)
        if self._open is not None:
            self._open[key] = client
            yield client
            return
        try:
            yield client
        finally:
            await client.close()

    async def _new_client(self, kept: KeptConversation) -> TeamsConnectorClient:
        identity = Conversation.identity_from_claims(kept.conversation.claims)
        return await self._factory.create_connector_client(
            None,
            identity,
            kept.service_url,
            identity.get_token_audience(),
            use_anonymous=identity.allow_anonymous,
        )

    async def graph_get(self, path: str, params: Mapping[str, str], anonymous: bool) -> dict:
        """A Graph read as the bot (its application permissions, granted per team or chat by consent)."""
        headers = {"Accept": "application/json"}
        if not anonymous:
            provider = self._connections.get_default_connection()
            headers["Authorization"] = f"Bearer {await provider.get_access_token(GRAPH_RESOURCE, GRAPH_SCOPES)}"
        timeout = aiohttp.ClientTimeout(total=GRAPH_TIMEOUT_SECONDS)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(self._graph_url + path, params=dict(params), headers=headers) as response,
        ):
            response.raise_for_status()
            return await response.json()
