"""Plays Slack's side of the HTTP conversation: signed requests to the bot's endpoint.

Payload shapes follow what Slack actually sends for each kind of interaction,
so the bot's Bolt app parses, verifies and routes them the way it would in
production. Every call returns a ``Reply`` that also keeps the exact body and
headers sent, so a test can replay a request as Slack's retries do.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Self
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from .fake_slack import APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, FakeSlackWebAPI

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Slack's verification token is deprecated but still sent in every payload.
VERIFICATION_TOKEN = "legacy-verification-token"
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


@dataclass
class Reply:
    """The bot's answer, plus what was sent to get it."""

    status: int
    text: str
    body: bytes
    headers: dict[str, str]
    response_headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        """The answer parsed as JSON, or None when it is empty or not JSON (e.g. a bare ack). Slack reads a body as
        a message only when it is labelled JSON; anything else it shows as plain text."""
        if not self.response_headers.get("Content-Type", "").startswith(JSON):
            return None
        try:
            return json.loads(self.text)
        except ValueError:
            return None


# ---------------------------------------------------------------------- view state values
# Builders for the entries of view.state.values[block_id][action_id], in Slack's shapes.


def text_value(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def user_value(user_id: str | None) -> dict[str, Any]:
    return {"type": "users_select", "selected_user": user_id}


def users_value(user_ids: list[str]) -> dict[str, Any]:
    return {"type": "multi_users_select", "selected_users": list(user_ids)}


def select_value(value: str | None, text: str | None = None) -> dict[str, Any]:
    selected = None if value is None else option(value, text)
    return {"type": "static_select", "selected_option": selected}


def checkbox_values(values: list[str]) -> dict[str, Any]:
    return {"type": "checkboxes", "selected_options": [option(v) for v in values]}


def date_value(value: date | str | None) -> dict[str, Any]:
    selected = value.isoformat() if isinstance(value, date) else value
    return {"type": "datepicker", "selected_date": selected}


def option(value: str, text: str | None = None) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text or value, "emoji": True}, "value": value}


# ---------------------------------------------------------------------- the client


class SignedSlackClient:
    """Sends signed requests to a Bolt endpoint exactly as Slack does.

    ``fake`` (optional) supplies response URLs that tests can inspect.
    """

    def __init__(
        self,
        url: str,
        signing_secret: str,
        *,
        team_id: str = "T0001",
        fake: FakeSlackWebAPI | None = None,
    ) -> None:
        self.url = url
        self.team_id = team_id
        self.fake = fake
        self._verifier = SignatureVerifier(signing_secret)
        self._session: aiohttp.ClientSession | None = None
        self._sequence = itertools.count(1)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ interactions

    async def slash_command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str,
        channel_id: str,
        trigger_id: str | None = None,
        retry_num: int | None = None,
    ) -> Reply:
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": channel_name(channel_id),
            "user_id": user_id,
            "user_name": user_name(user_id),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self._response_url(),
            "trigger_id": trigger_id or self._trigger_id(),
        }
        body = urlencode(fields).encode()
        return await self.send(body, self.signed_headers(body) | retry_headers(retry_num))

    async def block_action(
        self,
        action_id: str,
        value: str | None,
        *,
        user_id: str,
        channel_id: str | None = None,
        message: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        block_id: str | None = None,
        trigger_id: str | None = None,
        container: dict[str, Any] | None = None,
    ) -> Reply:
        """A button click on a message (give ``message``/``channel_id``) or in a view (give ``view``)."""
        surface_blocks = (message or view or {}).get("blocks", [])
        action = {
            "action_id": action_id,
            "block_id": block_id or find_block_id(surface_blocks, action_id) or secrets.token_hex(3),
            "text": {"type": "plain_text", "text": action_id, "emoji": True},
            "value": value,
            "type": "button",
            "action_ts": now_ts(),
        }
        payload = {
            "type": "block_actions",
            **self._user_and_team(user_id),
            "trigger_id": trigger_id or self._trigger_id(),
            "container": container or action_container(channel_id, message, view),
            "actions": [action],
            "state": {"values": {}},
        }
        if channel_id is not None:
            payload["channel"] = {"id": channel_id, "name": channel_name(channel_id)}
        if message is not None:
            payload["message"] = message
        if view is not None:
            payload["view"] = view
        if view is None:  # Slack gives a response_url only for actions on messages
            payload["response_url"] = self._response_url()
        return await self._send_payload(payload)

    async def view_submission(
        self,
        callback_id: str,
        values: dict[str, dict[str, dict[str, Any]]],
        *,
        user_id: str,
        private_metadata: str = "",
        view_id: str | None = None,
        trigger_id: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
    ) -> Reply:
        """A modal's submit button; ``values`` is view.state.values ({block_id: {action_id: entry}}), and
        ``blocks`` the view's blocks as it was shown."""
        view_id = view_id or f"V{secrets.token_hex(4).upper()}"
        view = {
            "id": view_id,
            "team_id": self.team_id,
            "type": "modal",
            "blocks": blocks or [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": values},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": {"type": "plain_text", "text": "Modal", "emoji": True},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": APP_ID,
            "external_id": "",
            "app_installed_team_id": self.team_id,
            "bot_id": BOT_ID,
        }
        payload = {
            "type": "view_submission",
            **self._user_and_team(user_id),
            "trigger_id": trigger_id or self._trigger_id(),
            "view": view,
            "response_urls": [],
        }
        return await self._send_payload(payload)

    async def message_shortcut(
        self,
        callback_id: str,
        *,
        user_id: str,
        channel_id: str,
        message: dict[str, Any],
        trigger_id: str | None = None,
    ) -> Reply:
        """A shortcut from a message's "More actions" menu."""
        payload = {
            "type": "message_action",
            **self._user_and_team(user_id),
            "callback_id": callback_id,
            "trigger_id": trigger_id or self._trigger_id(),
            "action_ts": now_ts(),
            "message_ts": message.get("ts"),
            "channel": {"id": channel_id, "name": channel_name(channel_id)},
            "message": message,
            "response_url": self._response_url(),
        }
        return await self._send_payload(payload)

    async def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> Reply:
        """An Events API delivery; ``event`` is the inner event (type, user, channel, ...)."""
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": None,
            "api_app_id": APP_ID,
            "event": {"event_ts": now_ts(), **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": secrets.token_hex(16),
        }
        body = json.dumps(envelope).encode()
        headers = self.signed_headers(body) | retry_headers(retry_num, retry_reason)
        return await self.send(body, headers)

    # ------------------------------------------------------------------ raw access

    def signed_headers(
        self,
        body: bytes,
        timestamp: int | str | None = None,
        *,
        content_type: str | None = None,
    ) -> dict[str, str]:
        """Headers Slack would send with ``body``; pass an old ``timestamp`` to forge a stale request."""
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        return {
            "Content-Type": content_type or guess_content_type(body),
            "User-Agent": USER_AGENT,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": self._verifier.generate_signature(timestamp=timestamp, body=body),
        }

    async def send(self, body: bytes, headers: dict[str, str]) -> Reply:
        """POST ``body`` with exactly these headers (nothing added, so tests can omit or forge any)."""
        session = await self._get_session()
        async with session.post(self.url, data=body, headers=headers) as response:
            text = await response.text()
            return Reply(
                status=response.status,
                text=text,
                body=body,
                headers=dict(headers),
                response_headers=dict(response.headers),
            )

    async def replay(self, reply: Reply, retry_num: int, retry_reason: str = "http_timeout") -> Reply:
        """Re-send an earlier request unchanged, as Slack's retry would: same body, fresh signature."""
        content_type = reply.headers.get("Content-Type")
        headers = self.signed_headers(reply.body, content_type=content_type)
        return await self.send(reply.body, headers | retry_headers(retry_num, retry_reason))

    # ------------------------------------------------------------------ internals

    async def _send_payload(self, payload: dict[str, Any]) -> Reply:
        # Interactivity payloads arrive as one form field holding JSON.
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.send(body, self.signed_headers(body))

    async def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    def _user_and_team(self, user_id: str) -> dict[str, Any]:
        return {
            "user": {
                "id": user_id,
                "username": user_name(user_id),
                "name": user_name(user_id),
                "team_id": self.team_id,
            },
            "team": {"id": self.team_id, "domain": TEAM_DOMAIN},
            "enterprise": None,
            "is_enterprise_install": False,
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
        }

    def _response_url(self) -> str:
        if self.fake is not None:
            return self.fake.response_url()
        return f"https://hooks.slack.com/actions/{self.team_id}/{next(self._sequence)}/{secrets.token_hex(12)}"

    def _trigger_id(self) -> str:
        # Same shape as Slack's: "<number>.<number>.<hex>", unique per request.
        return f"{next(self._sequence)}.{int(time.time())}.{secrets.token_hex(16)}"


# ---------------------------------------------------------------------- helpers


def retry_headers(retry_num: int | None, retry_reason: str = "http_timeout") -> dict[str, str]:
    if retry_num is None:
        return {}
    return {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}


def action_container(
    channel_id: str | None, message: dict[str, Any] | None, view: dict[str, Any] | None
) -> dict[str, Any]:
    if view is not None:
        return {"type": "view", "view_id": view.get("id")}
    return {
        "type": "message",
        "message_ts": (message or {}).get("ts"),
        "channel_id": channel_id,
        "is_ephemeral": False,
    }


def find_block_id(blocks: list[dict[str, Any]], action_id: str) -> str | None:
    """The block_id of the block holding ``action_id``, as Slack would report it."""
    for block in blocks:
        elements = block.get("elements", []) + [block.get("accessory") or {}, block.get("element") or {}]
        if any(element.get("action_id") == action_id for element in elements):
            return block.get("block_id")
    return None


def guess_content_type(body: bytes) -> str:
    return JSON if body.lstrip().startswith(b"{") else FORM


def now_ts() -> str:
    return f"{time.time():.6f}"


def user_name(user_id: str) -> str:
    return f"user.{user_id.lower()}"


def channel_name(channel_id: str) -> str:
    return "directmessage" if channel_id.startswith("D") else f"channel-{channel_id.lower()}"
