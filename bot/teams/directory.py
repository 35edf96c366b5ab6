"""A committee's members are its channel's team roster, read page by page from the Bot Connector; people's names
come with it. Works outside a turn (the scheduler asks who has not commented yet), through the committee's kept
conversation reference, and caches so that a busy channel costs few calls."""

import time
from collections.abc import Iterable

from aiohttp import ClientResponseError

from bot.teams.connector import PLATFORM, KeptConversation, TeamsConnections, kept_conversation
from storage.conversation_references import kept_references_on
from storage.database import Database

MEMBERS_TTL_SECONDS = 300
NAMES_TTL_SECONDS = 3600
# The Bot Connector gives at most 500 a page; 100 keeps each answer small and quick.
PAGE_SIZE = 100


class ChannelUnknown(LookupError):
    """The bot holds no reference for the channel: it has not been there since it was installed."""


class TeamsDirectory:
    """The same interface as bot.slack.directory.SlackDirectory (handlers.context.MemberDirectory)."""

    def __init__(self, database: Database, connections: TeamsConnections) -> None:
        self._database = database
        self._connections = connections
        self._members: dict[tuple[str, str], tuple[float, frozenset[str]]] = {}
        self._names: dict[tuple[str, str], tuple[float, str]] = {}

    async def channel_members(self, workspace_id: str, channel_id: str) -> frozenset[str]:
        cached = self._members.get((workspace_id, channel_id))
        if cached and cached[0] > time.monotonic():
            return cached[1]
        kept = await self._kept(channel_id)
        members: set[str] = set()
        token = None
        async with self._connections.client(kept) as client:
            while True:
                page = await client.conversations.get_conversation_paged_members(
                    kept.team_id or kept.channel_id, PAGE_SIZE, token
                )
                for member in page.members or ():
                    members.add(member.id)
                    self._learn(workspace_id, member.id, member.name)
                token = page.continuation_token
                if not token:
                    break
        found = frozenset(members)
        self._members[(workspace_id, channel_id)] = (time.monotonic() + MEMBERS_TTL_SECONDS, found)
        return found

    def forget_channel(self, workspace_id: str, channel_id: str) -> None:
        """Members joined or left (Teams says so with a conversationUpdate): read the roster afresh next time."""
        self._members.pop((workspace_id, channel_id), None)

    def learn(self, workspace_id: str, member_id: str, name: str | None) -> None:
        """A name Teams gave with an activity the person sent."""
        self._learn(workspace_id, member_id, name)

    async def display_names(self, workspace_id: str, user_ids: Iterable[str]) -> dict[str, str]:
        names = {}
        for user_id in user_ids:
            name = self._known_name(workspace_id, user_id) or await self._look_up(workspace_id, user_id)
            if name:
                names[user_id] = name
        return names

    def _learn(self, workspace_id: str, member_id: str, name: str | None) -> None:
        if name:
            self._names[(workspace_id, member_id)] = (time.monotonic() + NAMES_TTL_SECONDS, name)

    def _known_name(self, workspace_id: str, user_id: str) -> str | None:
        cached = self._names.get((workspace_id, user_id))
        return cached[1] if cached and cached[0] > time.monotonic() else None

    async def _look_up(self, workspace_id: str, user_id: str) -> str | None:
        """One member, from the roster of any channel the bot is in: a person the tenant does not know is left
        out."""
        try:
            kept = await self._kept(None)
        except ChannelUnknown:
            return None
        try:
            async with self._connections.client(kept) as client:
                member = await client.get_conversation_member(kept.team_id or kept.channel_id, user_id)
        except ClientResponseError as error:
            if error.status in (400, 403, 404):
                return None
            raise
        self._learn(workspace_id, user_id, member.name)
        return member.name

    async def _kept(self, channel_id: str | None) -> KeptConversation:
        async with self._database.session() as session:
            references = await kept_references_on(session, PLATFORM)
        for kept in references.values():
            try:
                conversation = kept_conversation(kept.reference)
            except ValueError:
                continue
            if channel_id is None or conversation.channel_id == channel_id:
                return conversation
        raise ChannelUnknown(channel_id)
