"""Everything the bot sends after answering Slack: ephemeral notes, announcements, files by DM.

These run as tracked background tasks so the HTTP answer to Slack never waits on the Web API
(Slack gives three seconds; a rate-limited post can take longer).
"""

import asyncio
import logging
from collections.abc import Coroutine

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.message import Message
from bot.replies import Reply, announcement, error_message
from bot.slack.blocks import message_payload
from bot.slack.home import publish_home
from bot.slack.mrkdwn import escape
from handlers.comment_windows import WindowSummary, record_announcement
from handlers.context import Actor, Services

log = logging.getLogger(__name__)


class SlackDelivery:
    def __init__(self, services: Services, client: AsyncWebClient) -> None:
        self._services = services
        self._client = client
        self._tasks: set[asyncio.Task] = set()

    def spawn(self, work: Coroutine) -> None:
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

    def follow_up(self, actor: Actor, reply: Reply, tell_in: str | None = None) -> None:
        """Send what a reply needs besides the direct answer; `tell_in` also posts its message ephemerally."""
        if tell_in is not None and reply.message is not None:
            say = self.post if reply.in_channel else self.tell
            self.spawn(say(actor, tell_in, reply.message))
        for window in reply.announce:
            self.spawn(self._announce(actor, window))
        if reply.files:
            self.spawn(self._send_files(actor, reply))

    def refresh_home(self, actor: Actor) -> None:
        """Something this person did from their Home tab changed what it shows."""
        self.spawn(publish_home(self._services, self._client, actor))

    async def tell(self, actor: Actor, channel_id: str | None, message: Message) -> None:
        """An ephemeral note in the channel; a DM when the bot cannot post there."""
        try:
            if channel_id:
                await self._client.chat_postEphemeral(
                    channel=channel_id, user=actor.user_id, **message_payload(message)
                )
                return
        except SlackApiError as error:
            log.info(
                "ephemeral to %s in %s failed (%s); sending by DM",
                actor.user_id,
                channel_id,
                error.response.get("error"),
            )
        await self._client.chat_postMessage(channel=actor.user_id, **message_payload(message))

    async def post(self, _actor: Actor, channel_id: str, message: Message) -> None:
        await self._client.chat_postMessage(channel=channel_id, **message_payload(message))

    async def _announce(self, actor: Actor, window: WindowSummary) -> None:
        posted = await self._client.chat_postMessage(channel=window.channel_id, **message_payload(announcement(window)))
        permalink = await self._client.chat_getPermalink(channel=posted["channel"], message_ts=posted["ts"])
        await record_announcement(self._services, actor, window.id, posted["ts"], permalink.get("permalink"))
        log.info("announced window %s in %s at %s", window.id, window.channel_id, posted["ts"])

    async def _send_files(self, actor: Actor, reply: Reply) -> None:
        try:
            dm = await self._client.conversations_open(users=actor.user_id)
            await self._client.files_upload_v2(
                channel=dm["channel"]["id"],
                file_uploads=[{"content": f.content, "filename": f.filename, "title": f.title} for f in reply.files],
                initial_comment=escape(reply.message.summary) if reply.message else None,
            )
        except SlackApiError as error:
            log.error("sending files to %s failed: %s", actor.user_id, error.response.get("error"))
            await self.tell(
                actor, None, error_message("Sorry, I couldn't send you the files. Please try again in a minute.")
            )
