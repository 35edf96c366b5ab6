"""Who is in a committee's Teams channel, and people's names, from the Bot Connector's paged roster.

A standard channel's members are its team's members. The roster is read with the connector of the turn being
handled (whose service address and token are the ones Teams gave for this tenant), and cached for a while, so a
busy channel costs few calls. Names are learnt from the roster and from every activity a person sends. Outside a
turn (the reminder tick) it asks `outside_turns`, which reads the roster through the reference kept for the
channel (bot/teams/directory.py).
"""

import contextvars
import logging
import time
from collections.abc import Iterable

from handlers.context import MemberDirectory

log = logging.getLogger(__name__)

MEMBERS_TTL_SECONDS = 300
PAGE_SIZE = 100
_turn_connector: contextvars.ContextVar = contextvars.ContextVar("teams_turn_connector", default=None)


class TeamsRoster:
    def __init__(self, outside_turns: MemberDirectory) -> None:
        self._outside_turns = outside_turns
        self._team_of: dict[tuple[str, str], str] = {}
        self._members: dict[tuple[str, str], tuple[float, frozenset[str]]] = {}
        self._names: dict[tuple[str, str], str] = {}

    def during_turn(self, connector) -> contextvars.Token:
        """Reads of the roster in this turn go through `connector`; reset with the token when the turn ends."""
        return _turn_connector.set(connector)

    def end_turn(self, token: contextvars.Token) -> None:
        _turn_connector.reset(token)

    def learn(self, tenant_id: str, place_id: str, team_id: str | None, person_id: str, name: str) -> None:
        if team_id:
            self._team_of[(tenant_id, place_id)] = team_id
        if name:
            self._names[(tenant_id, person_id)] = name

    def forget_channel(self, tenant_id: str, place_id: str) -> None:
        self._members.pop((tenant_id, place_id), None)

    async def channel_members(self, workspace_id: str, channel_id: str) -> frozenset[str]:
        cached = self._members.get((workspace_id, channel_id))
        if cached and cached[0] > time.monotonic():
            return cached[1]
        connector = _turn_connector.get()
        if connector is None:
            return await self._outside_turns.channel_members(workspace_id, channel_id)
        roster_of = self._team_of.get((workspace_id, channel_id), channel_id)
        members: set[str] = set()
        token = None
        while True:
            page = await connector.conversations.get_conversation_paged_members(roster_of, PAGE_SIZE, token)
            for member in page.members or ():
                members.add(member.id)
                if member.name:
                    self._names[(workspace_id, member.id)] = member.name
            token = page.continuation_token
            if not token:
                break
        found = frozenset(members)
        self._members[(workspace_id, channel_id)] = (time.monotonic() + MEMBERS_TTL_SECONDS, found)
        return found

    async def display_names(self, workspace_id: str, user_ids: Iterable[str]) -> dict[str, str]:
        wanted = set(user_ids)
        known = {user: self._names[(workspace_id, user)] for user in wanted if (workspace_id, user) in self._names}
        if len(known) < len(wanted) and _turn_connector.get() is None:
            known |= await self._outside_turns.display_names(workspace_id, wanted - set(known))
        return known
