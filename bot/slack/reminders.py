"""Carrying reminders through Slack's Web API (a ReminderTransport, bot/front_end.py): each post carries its ledger
key in message metadata, and its files go in its thread. What a reminder says is made in bot.reminder_delivery."""

from collections.abc import AsyncIterator, Awaitable, Mapping
from contextlib import asynccontextmanager
from typing import TypeVar

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.web.async_client import AsyncWebClient

from bot.front_end import Outgoing
from bot.slack.blocks import message_payload
from bot.slack.tokens import NotInstalled, WorkspaceClients
from bot.slack.web_api import keep_alive, stop_keeping_alive, with_token
from handlers.reminders import DeliveryFailed, RateLimited

Result = TypeVar("Result")

METADATA_TYPE = "committee_bot_reminder"
# Errors that no retry will cure: recorded, reported to the clerks, never retried.
PERMANENT_ERRORS = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "account_inactive",
    "user_not_found",
    "user_disabled",
    "cannot_dm_bot",
    "invalid_auth",
    "not_authed",
    "restricted_action",
    # The workspace's token was revoked, or the bot uninstalled, while reminders were on their way.
    "token_revoked",
    "token_expired",
    "invalid_refresh_token",
    "not installed",
}
HISTORY_SEARCHED = 200
# When Slack's 429 leaves out Retry-After.
DEFAULT_RETRY_AFTER = 1.0


class SlackReminderTransport:
    def __init__(self, client: AsyncWebClient, poster: AsyncWebClient, workspaces: WorkspaceClients) -> None:
        self._client = client
        self._poster = poster  # posts the reminders themselves; see bot.slack.web_api.reminder_poster
        self._workspaces = workspaces  # each workspace's own current token
        self._ticks_sending = 0
        self._direct_channels: dict[tuple[str, str], str] = {}

    async def _channel_of(self, client: AsyncWebClient, workspace_id: str, target: str) -> str:
        """A person's direct-message channel (opened once and remembered), or the channel itself."""
        if not target.startswith(("U", "W")):
            return target
        if (workspace_id, target) not in self._direct_channels:
            opened = await client.conversations_open(users=target)
            self._direct_channels[(workspace_id, target)] = opened["channel"]["id"]
        return self._direct_channels[(workspace_id, target)]

    @asynccontextmanager
    async def sending(self) -> AsyncIterator[None]:
        """Posts share kept-alive connections while ticks are sending. Ticks may overlap, so the last one out
        closes the session."""
        if self._ticks_sending == 0:
            keep_alive(self._poster)
        self._ticks_sending += 1
        try:
            yield
        finally:
            self._ticks_sending -= 1
            if self._ticks_sending == 0:
                await stop_keeping_alive(self._poster)

    async def deliver(self, outgoing: Outgoing) -> str:
        return await _as_delivery(self._post(outgoing))

    async def find_posted(self, workspace_id: str, target: str, keys: set[str]) -> dict[str, str]:
        return await _as_delivery(self._find_posted(workspace_id, target, keys))

    async def _post(self, outgoing: Outgoing) -> str:
        workspace_id = outgoing.committee.workspace_id
        client = await self._workspaces.client(self._client, workspace_id)
        channel = await self._channel_of(client, workspace_id, outgoing.target)
        payload = message_payload(outgoing.message)
        if outgoing.key is None:  # not the ledger's to retry: the client retries it
            posted = await client.chat_postMessage(channel=channel, **payload)
        else:
            metadata = {"event_type": METADATA_TYPE, "event_payload": {"key": outgoing.key}}
            # The token just read for `client`: reading it again from the installation store would be a second
            # query for every reminder.
            poster = with_token(self._poster, client.token)
            posted = await poster.chat_postMessage(channel=channel, metadata=metadata, unfurl_links=False, **payload)
        for attached in outgoing.files:
            await client.files_upload_v2(
                channel=posted["channel"],
                thread_ts=posted["ts"],
                filename=attached.filename,
                title=attached.title,
                content=attached.content,
            )
        return posted["ts"]

    async def _find_posted(self, workspace_id: str, target: str, keys: set[str]) -> dict[str, str]:
        client = await self._workspaces.client(self._client, workspace_id)
        channel = await self._channel_of(client, workspace_id, target)
        # The most recent posts, not those after the planned time: a reminder is only ever retried within
        # minutes of its first attempt, so it is among them if it landed.
        history = await client.conversations_history(channel=channel, include_all_metadata=True, limit=HISTORY_SEARCHED)
        found = {}
        for message in history.get("messages", []):
            key = ((message.get("metadata") or {}).get("event_payload") or {}).get("key")
            if key in keys:
                found[key] = message["ts"]
        return found


async def _as_delivery(call: Awaitable[Result]) -> Result:
    """Slack's and the network's errors, as the ledger understands them: permanent or worth another try."""
    try:
        return await call
    except NotInstalled:
        raise DeliveryFailed("not installed", permanent=True) from None
    except SlackTokenRotationError as error:
        reason = error.api_error.response.get("error") or "token refresh failed"
        raise DeliveryFailed(reason, permanent=reason in PERMANENT_ERRORS) from None
    except SlackApiError as error:
        if error.response.status_code == 429:
            raise RateLimited(_retry_after(error.response.headers)) from None
        reason = error.response.get("error") or str(error)
        raise DeliveryFailed(reason, permanent=reason in PERMANENT_ERRORS) from None
    except (TimeoutError, ClientError) as error:
        raise DeliveryFailed(f"network: {error.__class__.__name__}", permanent=False) from None


def _retry_after(headers: Mapping[str, str]) -> float:
    try:
        return float(headers.get("Retry-After", DEFAULT_RETRY_AFTER))
    except ValueError:
        return DEFAULT_RETRY_AFTER
