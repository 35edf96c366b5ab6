"""Carrying reminders through Teams' Bot Connector, unprompted (a ReminderTransport, bot/front_end.py); what a
reminder says, the ledger, pacing and retries are shared (bot.reminder_delivery, handlers.reminders), as for Slack.

- A channel post that follows up an announcement is a reply in the announcement's thread; any other channel post
  starts a thread of its own.
- A post to a person goes to their 1:1 chat with the bot, created (or found: Teams gives the same chat again)
  once and remembered. Its files follow there as file consent cards (bot.teams.files): Teams uploads a file to
  the person's OneDrive only once they accept it.
- Each post carries its ledger key as its card's id. After a crash, posts whose outcome is unknown are looked for
  among the bot's recent messages in the channel or chat, read through Microsoft Graph (the Bot Connector cannot
  give messages back), with the resource-specific consent the app's manifest asks for.
- Teams' throttling answers are the tick's to honour: 429 is RateLimited (its Retry-After), 412, 502 and 504 are
  worth another try later, 401/403/404 are not.
"""

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import TypeVar

from aiohttp import ClientError, ClientResponseError
from microsoft_agents.activity import Activity, ChannelAccount, ConversationParameters

from bot.front_end import Outgoing
from bot.message import Attachment, Message, people_in
from bot.teams.connector import PLATFORM, KeptConversation, TeamsConnections, kept_conversation
from bot.teams.files import offer_to
from bot.teams.ids import is_teams_person
from handlers.context import Actor, Services
from handlers.reminders import DeliveryFailed, RateLimited
from storage.committees import CommitteeView
from storage.conversation_references import kept_reference, kept_references_on

log = logging.getLogger(__name__)
Result = TypeVar("Result")

# Renders a message as an Adaptive Card's content, given the names of the people it mentions.
CardRenderer = Callable[[Message, Mapping[str, str]], dict]
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
# Statuses no retry will cure: the bot was removed, the chat or channel is gone, the tenant refused the app.
PERMANENT_STATUSES = {400, 401, 403, 404}
# A permanent refusal in words a clerk can act on: the reason is shown to them in the note of undelivered reminders.
REFUSALS = {
    401: "Teams did not accept the bot's sign-in (401)",
    403: "Teams refused the bot (403)",
    404: "Teams no longer has that channel or chat (404)",
}
DEFAULT_RETRY_AFTER = 1.0
# The most recent messages searched for a post whose outcome is unknown: a reminder is only ever retried within
# minutes of its first attempt, so it is among them if it landed.
MESSAGES_SEARCHED = 50
NO_TEAM = "the channel's team is not known, so its messages cannot be read"
NO_CHANNEL = "the bot has not been in the committee's channel since it was installed, so Teams gives it no way there"


class TeamsReminderTransport:
    def __init__(self, services: Services, connections: TeamsConnections, render_card: CardRenderer) -> None:
        self._services = services  # its directory names the people a card mentions
        self._connections = connections
        self._render_card = render_card
        self._chats: dict[str, str] = {}  # member id -> their 1:1 chat with the bot
        self._team_groups: dict[str, str | None] = {}  # team id -> its Microsoft 365 group id

    def sending(self) -> AbstractAsyncContextManager[None]:
        return self._connections.open()

    async def deliver(self, outgoing: Outgoing) -> str:
        return await _as_delivery(self._deliver(outgoing))

    async def find_posted(self, _workspace_id: str, target: str, keys: set[str]) -> dict[str, str]:
        return await _as_delivery(self._find_posted(target, keys))

    # ------------------------------------------------------------------ posting

    async def _deliver(self, outgoing: Outgoing) -> str:
        kept = await self._kept(outgoing.committee)
        activity = await self._activity(outgoing.committee, outgoing.message, outgoing.key)
        if outgoing.target == outgoing.committee.channel_id:
            posted = await self._post_in_channel(kept, activity, outgoing.follows)
        else:
            posted = await self._send_to_chat(kept, outgoing.target, activity)
        for file in outgoing.files:
            await self._offer(kept, outgoing, file)
        return posted

    async def _post_in_channel(self, kept: KeptConversation, activity: Activity, follows: str | None) -> str:
        """A reply in the thread of `follows` (its first message's id) if given, else a new thread; the post's id."""
        async with self._connections.client(kept) as client:
            conversations = client.conversations
            if follows:
                in_thread = f"{kept.channel_id};messageid={follows}"
                try:
                    return (await conversations.reply_to_activity(in_thread, follows, activity)).id
                except ClientResponseError as error:
                    # Someone deleted the announcement: the notice still goes out, in a thread of its own.
                    if error.status != 404:
                        raise
            created = await conversations.create_conversation(
                ConversationParameters(
                    is_group=True,
                    agent=ChannelAccount(id=kept.bot_id) if kept.bot_id else None,
                    channel_data={"channel": {"id": kept.channel_id}},
                    activity=activity,
                    tenant_id=kept.tenant_id,
                )
            )
            return created.activity_id

    async def _send_to_chat(self, kept: KeptConversation, member: str, activity: Activity) -> str:
        chat = await self._chat_with(kept, member)
        async with self._connections.client(kept) as client:
            return (await client.conversations.send_to_conversation(chat, activity)).id

    async def _offer(self, kept: KeptConversation, outgoing: Outgoing, file: Attachment) -> None:
        """A file, offered in a file consent card in the person's chat: Teams uploads it once they accept, and it
        is made again then from what `made_from` says (the acceptance may reach another process)."""
        person = Actor(outgoing.committee.workspace_id, outgoing.target)
        offer = offer_to(file, person) if is_teams_person(outgoing.target) else None
        if offer is None:
            log.warning("Teams takes files only by a person's consent in their chat; %s was not offered", file.filename)
            return
        consent = Activity(type="message", channel_id=PLATFORM, attachments=[offer])
        await self._send_to_chat(kept, outgoing.target, consent)

    async def _activity(self, committee: CommitteeView, message: Message, key: str | None) -> Activity:
        names = await self._services.directory.display_names(committee.workspace_id, people_in(message))
        card = self._render_card(message, names)
        if key:
            card = {**card, "id": key}
        attachment = {"contentType": CARD_TYPE, "content": card}
        return Activity(type="message", channel_id=PLATFORM, summary=message.summary, attachments=[attachment])

    async def _chat_with(self, kept: KeptConversation, member: str) -> str:
        if member not in self._chats:
            async with self._connections.client(kept) as client:
                created = await client.conversations.create_conversation(
                    ConversationParameters(
                        is_group=False,
                        agent=ChannelAccount(id=kept.bot_id) if kept.bot_id else None,
                        members=[ChannelAccount(id=member)],
                        tenant_id=kept.tenant_id,
                    )
                )
            self._chats[member] = created.id
        return self._chats[member]

    async def _kept(self, committee: CommitteeView) -> KeptConversation:
        async with self._services.database.session() as session:
            kept = await kept_reference(session, committee.id)
        if kept is None or kept.platform != PLATFORM:
            raise DeliveryFailed(NO_CHANNEL, permanent=True)
        try:
            return kept_conversation(kept.reference)
        except ValueError:
            raise DeliveryFailed(NO_CHANNEL, permanent=True) from None

    # ------------------------------------------------------------------ looking for earlier posts

    async def _find_posted(self, target: str, keys: set[str]) -> dict[str, str]:
        kept = await self._kept_for_target(target)
        anonymous = not kept.conversation.claims
        if is_teams_person(target):
            messages = await self._chat_messages(kept, target, anonymous)
        else:
            path = f"teams/{await self._team_group_id(kept)}/channels/{kept.channel_id}/messages"
            params = {"$top": str(MESSAGES_SEARCHED), "$expand": "replies"}
            threads = (await self._connections.graph_get(path, params, anonymous))["value"]
            messages = [m for thread in threads for m in [thread, *(thread.get("replies") or [])]]
        found = {}
        for message in messages:
            for key in _card_ids(message) & keys:
                found[key] = message["id"]
        return found

    async def _team_group_id(self, kept: KeptConversation) -> str:
        """The channel's team as Graph names it (its Microsoft 365 group). Teams does not send it with every
        activity, so a reference kept from one may lack it: the Bot Connector's team details give it, once."""
        if kept.team_group_id:
            return kept.team_group_id
        if not kept.team_id:
            raise DeliveryFailed(NO_TEAM, permanent=True)
        if kept.team_id not in self._team_groups:
            async with self._connections.client(kept) as client:
                self._team_groups[kept.team_id] = (await client.fetch_team_details(kept.team_id)).aad_group_id
        if not self._team_groups[kept.team_id]:
            raise DeliveryFailed(NO_TEAM, permanent=True)
        return self._team_groups[kept.team_id]

    async def _kept_for_target(self, target: str) -> KeptConversation:
        """The channel's reference; for a person, any Teams committee's, as one install serves one tenant."""
        async with self._services.database.session() as session:
            references = await kept_references_on(session, PLATFORM)
        usable = []
        for kept in references.values():
            try:
                usable.append(kept_conversation(kept.reference))
            except ValueError:
                continue
        for kept in usable:
            if is_teams_person(target) or kept.channel_id == target:
                return kept
        raise DeliveryFailed(NO_CHANNEL, permanent=True)

    async def _chat_messages(self, kept: KeptConversation, member: str, anonymous: bool) -> list[dict]:
        """The recent messages of a member's 1:1 chat with the bot. Graph names such a chat after the two Entra
        ids, "19:{one}_{other}@unq.gbl.spaces"; which comes first is not documented, so both are tried."""
        async with self._connections.client(kept) as client:
            account = await client.get_conversation_member(kept.team_id or kept.channel_id, member)
        bot_app_id = (kept.bot_id or "").removeprefix("28:")
        params = {"$top": str(MESSAGES_SEARCHED)}
        for first, second in ((account.aad_object_id, bot_app_id), (bot_app_id, account.aad_object_id)):
            try:
                return (await self._connections.graph_get(f"chats/19:{first}_{second}@unq.gbl.spaces/messages", params,
                                                          anonymous))["value"]  # fmt: skip
            except ClientResponseError as error:
                if error.status != 404:
                    raise
        return []


def _card_ids(message: Mapping) -> set[str]:
    ids = set()
    for attachment in message.get("attachments") or []:
        try:
            content = json.loads(attachment.get("content") or "null")
        except (TypeError, ValueError):
            continue
        if isinstance(content, dict) and isinstance(content.get("id"), str):
            ids.add(content["id"])
    return ids


async def _as_delivery(call: Awaitable[Result]) -> Result:
    """Teams' and the network's errors, as the ledger understands them: permanent or worth another try."""
    try:
        return await call
    except ClientResponseError as error:
        if error.status == 429:
            raise RateLimited(_retry_after(error.headers)) from None
        reason = REFUSALS.get(error.status, f"Teams answered {error.status}")
        raise DeliveryFailed(reason, permanent=error.status in PERMANENT_STATUSES) from None
    except (TimeoutError, ClientError) as error:
        raise DeliveryFailed(f"network: {error.__class__.__name__}", permanent=False) from None


def _retry_after(headers: Mapping[str, str] | None) -> float:
    try:
        return float((headers or {}).get("Retry-After", DEFAULT_RETRY_AFTER))
    except ValueError:
        return DEFAULT_RETRY_AFTER
