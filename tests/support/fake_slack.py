"""A stand-in for Slack's Web API, served over real HTTP on loopback.

The bot talks to it through an unmodified ``slack_sdk`` client pointed at
``FakeSlackWebAPI.base_url``, so request encoding, retries and error handling
are exercised exactly as they are against slack.com. Every call is recorded
so tests can assert on what the bot said, and faults can be injected to test
how the bot copes when Slack misbehaves.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self
from zoneinfo import ZoneInfo

from aiohttp import web

TEAM_ID = "T0001"
TEAM_DOMAIN = "example"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
APP_ID = "A0001"

# Values Slack sends as JSON strings inside form bodies; decoded so tests can
# assert on real Python structures instead of re-parsing strings.
JSON_ENCODED_PARAMS = ("blocks", "attachments", "view", "metadata", "files")

# Arbitrary but realistic epoch (Nov 2023) for the first message ts.
FIRST_TS_MICROS = 1_700_000_000_000_100
TS_STEP_MICROS = 100


@dataclass
class Call:
    """One request the bot made to the Web API."""

    method: str
    params: dict[str, Any]
    token: str | None
    # Why the call did not get a normal answer ("http 429", "error channel_not_found",
    # "delayed 6.0s"); None for calls that were answered normally.
    failure: str | None = None

    @property
    def failed(self) -> bool:
        return self.failure is not None


@dataclass
class UploadedFile:
    """A file that went through the full files_upload_v2 dance."""

    file_id: str
    filename: str
    title: str | None
    content: bytes
    channel_id: str | None
    initial_comment: str | None = None
    thread_ts: str | None = None


@dataclass
class Fault:
    """A scripted misbehaviour for the next ``times`` calls to one method."""

    status: int | None = None
    error: str | None = None
    retry_after: int | None = None
    delay: float | None = None
    times: int = 1

    def describe(self) -> str:
        parts = []
        if self.delay:
            parts.append(f"delayed {self.delay}s")
        if self.status:
            parts.append(f"http {self.status}")
        if self.error:
            parts.append(f"error {self.error}")
        return ", ".join(parts)


class SlackError(Exception):
    """Raised by a method handler to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


class FakeSlackWebAPI:
    """Slack's Web API played by a local aiohttp server.

    Settable state (kept across ``reset()``):
      ``members``  channel id -> list of user ids (conversations.members)
      ``users``    user id -> partial user dict (users.info); see ``add_user``
      ``history``  channel id -> messages, oldest first (conversations.history)
      ``replies``  (channel id, thread ts) -> messages, parent first (conversations.replies)
      ``generate_unknown_users`` answer users.info for unknown U/W ids with a made-up user
      ``views``    view id -> the last view opened, pushed, updated or published
    """

    def __init__(self) -> None:
        self.members: dict[str, list[str]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.history: dict[str, list[dict[str, Any]]] = {}
        self.replies: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.generate_unknown_users = True
        self.views: dict[str, dict[str, Any]] = {}
        self.hosted_files: dict[str, bytes] = {}
        # The workspace each bot token was installed in, as auth.test tells it; any other token is TEAM_ID's.
        self.teams_by_token: dict[str, str] = {}
        # OAuth: codes an "Add to Slack" redirect may carry (code -> workspace), refresh tokens not yet spent
        # (-> workspace), how long an issued token lasts (None: tokens that never expire, rotation off), and tokens
        # revoked (every call with one answers token_revoked).
        self.install_codes: dict[str, str] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.token_lifetime_seconds: int | None = None
        self.revoked_tokens: set[str] = set()
        # Something that happens in the world just as Slack answers a method (method -> what happens).
        self.while_answering: dict[str, Callable[[], None]] = {}
        self.file_objects: dict[str, dict[str, Any]] = {}
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._closing = asyncio.Event()
        self._recorded = asyncio.Condition()
        self._handlers = self._method_handlers()
        # Never reset, so ids and message timestamps stay unique across reset().
        self._ts_counter = itertools.count()
        self._id_counters: dict[str, itertools.count] = defaultdict(lambda: itertools.count(1))
        self.reset()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeSlackWebAPI:
        self._closing.clear()
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api_call)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_post("/response/{key}", self._handle_response_url)
        app.router.add_get("/files/{name}", self._handle_file_download)
        # A short shutdown timeout: a handler sleeping for an injected delay must
        # not hold up the end of a test.
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]  # port 0 asked the OS for a free one
        return self

    async def stop(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def root_url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeSlackWebAPI is not started; await start() first")
        return f"http://127.0.0.1:{self._port}/"

    @property
    def base_url(self) -> str:
        """What ``AsyncWebClient(base_url=...)`` takes."""
        return self.root_url + "api/"

    def reset(self) -> None:
        """Forget recorded calls, responses, uploads, faults and rate limits.

        Configured data (members, users, history, replies) is kept.
        """
        self.calls: list[Call] = []
        self.responses: list[tuple[str, Any]] = []
        self.uploaded_files: list[UploadedFile] = []
        self._faults: dict[str, list[Fault]] = {}
        self._channel_rate: float | None = None
        self._last_post_at: dict[str, float] = {}
        self._pending_uploads: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------------ test API

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Wait until ``count`` calls to ``method`` (matching ``where``) were made.

        Listeners keep running after they ack, so a test cannot assert on their
        Web API calls straight after the HTTP reply; it waits for them instead.
        Failed calls count too: pass ``where=lambda c: not c.failed`` to skip them.
        """

        def matching() -> list[Call]:
            return [c for c in self.calls_to(method) if where is None or where(c)]

        if await self._wait_until(lambda: len(matching()) >= count, timeout):
            return matching()
        raise AssertionError(
            f"expected {count} call(s) to {method} within {timeout}s, "
            f"got {len(matching())}. Calls seen:\n{self._describe_calls()}"
        )

    def response_url(self, key: str | None = None) -> str:
        """A response_url served by this fake; POSTs to it land in ``responses``."""
        key = key or self._new_id("R")
        return f"{self.root_url}response/{key}"

    async def wait_for_response(
        self,
        count: int = 1,
        timeout: float = 5.0,
        where: Callable[[tuple[str, Any]], bool] | None = None,
    ) -> list[tuple[str, Any]]:
        """Like ``wait_for`` but for posts to response URLs: (key, json body) pairs."""

        def matching() -> list[tuple[str, Any]]:
            return [r for r in self.responses if where is None or where(r)]

        if await self._wait_until(lambda: len(matching()) >= count, timeout):
            return matching()
        seen = "\n".join(f"  {key}: {body!r}" for key, body in self.responses) or "  (none)"
        raise AssertionError(
            f"expected {count} post(s) to a response_url within {timeout}s, got {len(matching())}. Posts seen:\n{seen}"
        )

    def fail(
        self,
        method: str,
        *,
        status: int | None = None,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        delay: float | None = None,
    ) -> None:
        """Make the next ``times`` calls to ``method`` misbehave.

        ``status``: answer with that HTTP status (429 always carries Retry-After,
        1 second unless ``retry_after`` says otherwise, as Slack always sends it).
        ``error``: answer HTTP 200 ``{"ok": false, "error": error}``.
        ``delay``: sleep first, so a client with a shorter timeout gives up; with
        no status or error the call then succeeds on the server side, just as a
        real post can land after the client stopped waiting.
        ``method`` may also be "response_url" to fault posts to response URLs.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        fault = Fault(status=status, error=error, retry_after=retry_after, delay=delay, times=times)
        self._faults.setdefault(method, []).append(fault)

    def per_channel_rate(self, seconds: float | None = 1.0) -> None:
        """Answer chat.postMessage with 429 when a channel was posted to in the last ``seconds``.

        Slack allows roughly one message per second per channel; ``None`` turns the limit off.
        """
        self._channel_rate = seconds
        self._last_post_at.clear()

    def add_user(
        self,
        user_id: str,
        real_name: str,
        *,
        display_name: str | None = None,
        tz: str = "Europe/London",
        **extra: Any,
    ) -> dict[str, Any]:
        """Register a user for users.info and return the full user object Slack would give."""
        self.users[user_id] = {
            "real_name": real_name,
            "tz": tz,
            "profile": {"real_name": real_name, "display_name": display_name or ""},
            **extra,
        }
        return self._user_object(user_id)

    def install_code(self, team: str) -> str:
        """A code Slack would put in the redirect after someone in `team` approved the install."""
        code = self._new_id("code-")
        self.install_codes[code] = team
        return code

    def tokens_of(self, team: str) -> list[str]:
        """Every bot token issued for `team`, oldest first."""
        return [token for token, owner in self.teams_by_token.items() if owner == team]

    def team_of(self, call: Call) -> str | None:
        """The workspace whose token made `call`."""
        return self.teams_by_token.get(call.token or "")

    # ------------------------------------------------------------------ HTTP handlers

    async def _handle_api_call(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await read_params(request)
        token = bearer_token(request) or params.pop("token", None)
        fault = self._take_fault(method) or self._rate_limit_fault(method, params)
        await self._record(Call(method, params, token, failure=fault.describe() if fault else None))
        if fault:
            await self._sleep(fault.delay)
            if fault.status or fault.error:
                return fault_response(fault)
        if token in self.revoked_tokens:
            return web.json_response({"ok": False, "error": "token_revoked"})
        if method == "auth.test":
            return web.json_response({"ok": True, **self._auth_test(token)})
        if happening := self.while_answering.get(method):
            happening()
        if method == "oauth.v2.access":
            return web.json_response(self._answer(method, params | {"_client": basic_auth_user(request)}))
        return web.json_response(self._answer(method, params))

    def host_file(self, name: str, content: bytes) -> dict[str, Any]:
        """A file someone shared or uploaded in Slack, as it appears in a message's `files` or a file input's
        value, downloadable with the bot token; files.info knows it by its id."""
        self.hosted_files[name] = content
        file = {"id": self._new_id("F"), "name": name, "url_private_download": f"{self.root_url}files/{name}"}
        self.file_objects[file["id"]] = file
        return file

    async def _handle_file_download(self, request: web.Request) -> web.Response:
        content = self.hosted_files.get(request.match_info["name"])
        if bearer_token(request) is None:
            return web.Response(status=302, headers={"Location": "https://example.slack.com/login"})
        return web.Response(body=content) if content is not None else web.Response(status=404)

    async def _handle_upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if file_id not in self._pending_uploads:
            return web.Response(status=404, text="file not found")
        self._pending_uploads[file_id]["content"] = await read_upload_content(request)
        # The real upload endpoint answers in plain text, which slack_sdk expects.
        return web.Response(text=f"OK - {len(self._pending_uploads[file_id]['content'])}")

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        fault = self._take_fault("response_url")
        body = await read_params(request)
        self.responses.append((request.match_info["key"], body))
        await self._notify()
        if fault:
            await self._sleep(fault.delay)
            if fault.status or fault.error:
                return fault_response(fault)
        return web.json_response({"ok": True})

    # ------------------------------------------------------------------ faults and records

    def _take_fault(self, method: str) -> Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault

    def _rate_limit_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        if method != "chat.postMessage" or self._channel_rate is None:
            return None
        channel = str(params.get("channel"))
        now = time.monotonic()
        elapsed = now - self._last_post_at.get(channel, -math.inf)
        if elapsed < self._channel_rate:
            return Fault(status=429, error="ratelimited", retry_after=math.ceil(self._channel_rate - elapsed))
        self._last_post_at[channel] = now
        return None

    async def _sleep(self, seconds: float | None) -> None:
        # Wake early when the server stops so a long delay cannot stall teardown.
        if seconds:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), seconds)

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        await self._notify()

    async def _notify(self) -> None:
        async with self._recorded:
            self._recorded.notify_all()

    async def _wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        try:
            async with self._recorded:
                await asyncio.wait_for(self._recorded.wait_for(condition), timeout)
            return True
        except TimeoutError:
            return False

    def _describe_calls(self) -> str:
        if not self.calls:
            return "  (none)"
        lines = []
        for call in self.calls:
            failure = f"  [FAILED: {call.failure}]" if call.failed else ""
            lines.append(f"  {call.method} {call.params!r}{failure}")
        return "\n".join(lines)

    # ------------------------------------------------------------------ method answers

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        handler = self._handlers.get(method)
        if handler is None:
            return {"ok": True}  # unknown methods succeed quietly; the call is still recorded
        try:
            return {"ok": True, **handler(params)}
        except SlackError as e:
            return {"ok": False, "error": e.error}

    def _method_handlers(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "conversations.members": self._conversations_members,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "users.info": self._users_info,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.info": self._files_info,
            "files.completeUploadExternal": self._files_complete_upload,
            "oauth.v2.access": self._oauth_v2_access,
        }

    # oauth.v2.access: an install's code exchanged for a bot token, or (grant_type=refresh_token) a refresh token
    # for a new token and a new refresh token, the old one spent.

    def _oauth_v2_access(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("_client") and not params.get("client_id"):
            raise SlackError("invalid_client_id")
        if params.get("grant_type") == "refresh_token":
            team = self.refresh_tokens.pop(str(params.get("refresh_token")), None)
            if team is None:
                raise SlackError("invalid_refresh_token")
            return self._issue_token(team)
        team = self.install_codes.pop(str(params.get("code")), None)
        if team is None:
            raise SlackError("invalid_code")
        return self._issue_token(team) | {
            "scope": "commands,chat:write",
            "bot_user_id": BOT_USER_ID,
            "app_id": APP_ID,
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "UINSTALLER"},
        }

    def _issue_token(self, team: str) -> dict[str, Any]:
        token = f"xoxb-{team.lower()}-{next(self._id_counters['token'])}"
        self.teams_by_token[token] = team
        issued = {"access_token": token, "token_type": "bot", "team": {"id": team, "name": f"Council {team}"}}
        if self.token_lifetime_seconds is None:
            return issued
        refresh_token = f"xoxe-1-{team.lower()}-{next(self._id_counters['refresh'])}"
        self.refresh_tokens[refresh_token] = team
        return issued | {"refresh_token": refresh_token, "expires_in": self.token_lifetime_seconds}

    def _auth_test(self, token: str | None) -> dict[str, Any]:
        return {
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": "Example Council",
            "user": "committee-bot",
            "team_id": self.teams_by_token.get(token or "", TEAM_ID),
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    # chat.*

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = require(params, "channel")
        message = self._new_message(params)
        self._store_message(channel, message)
        return {"channel": channel, "ts": message["ts"], "message": message}

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        require(params, "channel")
        require(params, "user")
        return {"message_ts": self._next_ts()}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = require(params, "channel"), require(params, "ts")
        stored = self._find_message(channel, ts)
        changes = {k: params[k] for k in ("text", "blocks", "attachments", "metadata") if k in params}
        if stored is not None:
            stored.update(changes)
        message = stored or {"type": "message", "ts": ts, **changes}
        return {"channel": channel, "ts": ts, "text": params.get("text", ""), "message": message}

    def _chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = require(params, "channel"), require(params, "ts")
        if channel in self.history:
            self.history[channel] = [m for m in self.history[channel] if m.get("ts") != ts]
        return {"channel": channel, "ts": ts}

    def _chat_get_permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = require(params, "channel"), require(params, "message_ts")
        permalink = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"channel": channel, "permalink": permalink}

    def _new_message(self, params: dict[str, Any]) -> dict[str, Any]:
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "text": params.get("text", ""),
            "ts": self._next_ts(),
        }
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            if key in params:
                message[key] = params[key]
        return message

    def _store_message(self, channel: str, message: dict[str, Any]) -> None:
        thread_ts = message.get("thread_ts")
        if thread_ts is None:
            self.history.setdefault(channel, []).append(message)
            return
        thread = self.replies.setdefault((channel, thread_ts), [])
        if not thread:
            parent = self._find_message(channel, thread_ts)
            thread.append(parent or {"type": "message", "ts": thread_ts, "thread_ts": thread_ts})
        thread.append(message)

    def _find_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        candidates = list(self.history.get(channel, []))
        for (thread_channel, _), messages in self.replies.items():
            if thread_channel == channel:
                candidates.extend(messages)
        return next((m for m in candidates if m.get("ts") == ts), None)

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._id_counters[prefix]):04d}"

    def _next_ts(self) -> str:
        micros = FIRST_TS_MICROS + next(self._ts_counter) * TS_STEP_MICROS
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    # views.*

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        require(params, "trigger_id")
        return {"view": self._store_view(require(params, "view"))}

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = params.get("view_id")
        if view_id is None and "external_id" not in params:
            raise SlackError("invalid_arguments")
        return {"view": self._store_view(require(params, "view"), view_id=view_id)}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = require(params, "user_id")
        return {"view": self._store_view(require(params, "view"), user_id=user_id)}

    def _store_view(
        self, submitted: dict[str, Any], *, view_id: str | None = None, user_id: str = ""
    ) -> dict[str, Any]:
        view_id = view_id or self._new_id("V")
        view = {
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "blocks": [],
            **submitted,
            "id": view_id,
            "team_id": TEAM_ID,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "user_id": user_id,
            "hash": f"{int(time.time())}.{self._new_id('')}",
            "state": {"values": {}},
        }
        self.views[view_id] = view
        return view

    # conversations.*

    def _conversations_members(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = require(params, "channel")
        if channel not in self.members:
            raise SlackError("channel_not_found")
        page, next_cursor = paginate(self.members[channel], params)
        return {"members": page, "response_metadata": {"next_cursor": next_cursor}}

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(params.get("users", "")).split(",") if u]
        if not users:
            raise SlackError("users_list_not_supplied")
        channel_id = "D" + users[0] if len(users) == 1 else "G" + "".join(sorted(users))
        return {"channel": {"id": channel_id}}

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = require(params, "channel")
        newest_first = list(reversed(self.history.get(channel, [])))
        page, next_cursor = paginate(newest_first, params)
        return {
            "messages": page,
            "has_more": bool(next_cursor),
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = require(params, "channel"), require(params, "ts")
        thread = self.replies.get((channel, ts))
        if thread is None:
            parent = self._find_message(channel, ts)
            if parent is None:
                raise SlackError("thread_not_found")
            thread = [parent]  # a message with no replies is its own one-message thread
        page, next_cursor = paginate(thread, params)
        return {
            "messages": page,
            "has_more": bool(next_cursor),
            "response_metadata": {"next_cursor": next_cursor},
        }

    # users.*

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = require(params, "user")
        if user_id not in self.users and not (self.generate_unknown_users and looks_like_user_id(user_id)):
            raise SlackError("user_not_found")
        return {"user": self._user_object(user_id)}

    def _user_object(self, user_id: str) -> dict[str, Any]:
        """A full users.info user, filling whatever ``users[user_id]`` leaves out."""
        given = self.users.get(user_id, {})
        real_name = given.get("real_name") or given.get("profile", {}).get("real_name") or f"Member {user_id}"
        tz = given.get("tz", "Europe/London")
        profile = {
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": "",
            "display_name_normalized": "",
            "email": f"{user_id.lower()}@example.gov.uk",
            **given.get("profile", {}),
        }
        return {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": real_name.lower().replace(" ", "."),
            "deleted": False,
            "real_name": real_name,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": utc_offset_seconds(tz),
            "is_bot": False,
            "is_admin": False,
            "is_app_user": False,
            **{k: v for k, v in given.items() if k != "profile"},
            "profile": profile,
        }

    # files.*

    def _files_info(self, params: dict[str, Any]) -> dict[str, Any]:
        file = self.file_objects.get(require(params, "file"))
        if file is None:
            raise SlackError("file_not_found")
        return {"file": {**file, "size": len(self.hosted_files.get(file["name"], b""))}}

    def _files_get_upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = require(params, "filename")
        file_id = self._new_id("F")
        self._pending_uploads[file_id] = {"filename": filename, "content": None}
        return {"upload_url": f"{self.root_url}upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        requested = require(params, "files")
        uploads = [self._finish_upload(entry, params) for entry in requested]
        self.uploaded_files.extend(uploads)
        return {"files": [file_object(upload) for upload in uploads]}

    def _finish_upload(self, entry: dict[str, Any], params: dict[str, Any]) -> UploadedFile:
        pending = self._pending_uploads.get(entry.get("id", ""))
        if pending is None or pending["content"] is None:
            raise SlackError("file_not_found")
        return UploadedFile(
            file_id=entry["id"],
            filename=pending["filename"],
            title=entry.get("title"),
            content=pending["content"],
            channel_id=params.get("channel_id") or params.get("channels"),
            initial_comment=params.get("initial_comment"),
            thread_ts=params.get("thread_ts"),
        )


# ---------------------------------------------------------------------- helpers


async def read_params(request: web.Request) -> dict[str, Any]:
    """Merge query string and body, whichever encoding the client used.

    slack_sdk sends some methods as JSON, others as form fields, and some
    (``api_call(params=...)``) as a query string even on POST.
    """
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        params.update(body if isinstance(body, dict) else {"_body": body})
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in (await request.post()).items():
            params[key] = value.file.read() if isinstance(value, web.FileField) else value
    return {key: decode_json_param(key, value) for key, value in params.items()}


def decode_json_param(key: str, value: Any) -> Any:
    if key not in JSON_ENCODED_PARAMS or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # not JSON after all (e.g. a malformed payload under test); keep it raw


async def read_upload_content(request: web.Request) -> bytes:
    # slack_sdk posts raw bytes; other clients post multipart with a file field.
    if request.content_type == "multipart/form-data":
        for value in (await request.post()).values():
            if isinstance(value, web.FileField):
                return value.file.read()
    return await request.read()


def basic_auth_user(request: web.Request) -> str | None:
    """The client id of an HTTP Basic Authorization header (how slack_sdk sends the OAuth client's id and secret)."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    return base64.b64decode(header.removeprefix("Basic ")).decode().split(":", 1)[0] or None


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return header.removeprefix("Bearer ").strip() or None


def fault_response(fault: Fault) -> web.Response:
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    error = fault.error or ("ratelimited" if fault.status == 429 else "internal_error")
    return web.json_response({"ok": False, "error": error}, status=fault.status or 200, headers=headers)


def require(params: dict[str, Any], name: str) -> Any:
    if params.get(name) in (None, ""):
        # Slack's own error names for missing required arguments.
        raise SlackError("channel_not_found" if name == "channel" else "invalid_arguments")
    return params[name]


def paginate(items: list[Any], params: dict[str, Any]) -> tuple[list[Any], str]:
    """Slack cursor pagination: an opaque cursor, "" on the last page."""
    limit = int(params.get("limit") or 100)
    start = decode_cursor(params.get("cursor"))
    end = start + limit
    next_cursor = encode_cursor(end) if end < len(items) else ""
    return items[start:end], next_cursor


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.b64decode(cursor).decode().removeprefix("offset:"))
    except ValueError as e:
        raise SlackError("invalid_cursor") from e


def looks_like_user_id(user_id: str) -> bool:
    return len(user_id) > 1 and user_id[0] in "UW" and user_id[1:].isalnum() and user_id.isupper()


def utc_offset_seconds(tz: str) -> int:
    offset = datetime.now(ZoneInfo(tz)).utcoffset()
    return int(offset.total_seconds()) if offset else 0


def file_object(upload: UploadedFile) -> dict[str, Any]:
    return {
        "id": upload.file_id,
        "name": upload.filename,
        "title": upload.title or upload.filename,
        "size": len(upload.content),
        "user": BOT_USER_ID,
        "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{BOT_USER_ID}/{upload.file_id}/{upload.filename}",
    }
