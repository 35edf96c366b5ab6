"""Slack as a FrontEnd (bot/front_end.py): ephemeral notes, posts, files by DM and the Home tab.

What follows an answer runs as tracked background tasks, so the HTTP answer to Slack never waits on the Web API
(Slack gives three seconds; a rate-limited post can take longer).
"""

import asyncio
import logging
from collections.abc import Coroutine

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.front_end import NotDelivered
from bot.message import Attachment, Message
from bot.slack.blocks import message_payload
from bot.slack.home import publish_home
from bot.slack.mrkdwn import escape
from bot.slack.web_api import request_client
from handlers.context import Actor, Services

log = logging.getLogger(__name__)


class SlackDelivery:
    def __init__(self, services: Services, client: AsyncWebClient) -> None:
        self._services = services
        self._default_client = client
        self._tasks: set[asyncio.Task] = set()

    def later(self, work: Coroutine) -> None:
        task = asyncio.create_task(self._logged(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _logged(self, work: Coroutine) -> None:
        try:
            await work
        except Exception:
            log.exception("background delivery failed")

    async def drain(self) -> None:
        """Wait for deliveries under way; called on shutdown so nothing half-sent is abandoned."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    @property
    def _client(self) -> AsyncWebClient:
        """The client of the request being answered, with its workspace's token (bot.slack.web_api)."""
        return request_client(self._default_client)

    async def refresh_home(self, actor: Actor) -> None:
        await publish_home(self._services, self._client, actor)

    async def tell(self, actor: Actor, message: Message) -> None:
        """An ephemeral note in the actor's channel; a DM when there is none or the bot cannot post there."""
        try:
            if actor.channel_id:
                await self._client.chat_postEphemeral(
                    channel=actor.channel_id, user=actor.user_id, **message_payload(message)
                )
                return
        except SlackApiError as error:
            log.info(
                "ephemeral to %s in %s failed (%s); sending by DM",
                actor.user_id,
                actor.channel_id,
                error.response.get("error"),
            )
        await self._client.chat_postMessage(channel=actor.user_id, **message_payload(message))

    async def post(self, place: str, message: Message) -> str:
        posted = await self._client.chat_postMessage(channel=place, **message_payload(message))
        return posted["ts"]

    async def link_to(self, place: str, ref: str) -> str | None:
        permalink = await self._client.chat_getPermalink(channel=place, message_ts=ref)
        return permalink.get("permalink")

    async def send_files(self, actor: Actor, files: tuple[Attachment, ...], note: Message | None) -> None:
        try:
            dm = await self._client.conversations_open(users=actor.user_id)
            await self._client.files_upload_v2(
                channel=dm["channel"]["id"],
                file_uploads=[{"content": f.content, "filename": f.filename, "title": f.title} for f in files],
                initial_comment=escape(note.summary) if note else None,
            )
        except SlackApiError as error:
            raise NotDelivered(error.response.get("error")) from None
