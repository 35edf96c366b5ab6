"""A stand-in for the Bot Connector service Teams runs, served over real HTTP on loopback.

An activity's ``serviceUrl`` tells the Microsoft 365 Agents SDK where to answer; tests put
``FakeBotConnector.service_url`` there (and in stored conversation references), so the SDK's own connector
client does the talking, with its real request encoding and error handling. Every call is recorded, the
conversations the bot posted to are kept (so a test can read a channel or a thread as a person would see it),
faults can be injected per kind of call, and a bearer token can be required.

Also served, under ``graph_url``: the few Microsoft Graph reads a bot with resource-specific consent may make of
the messages in a channel or a chat (which the Bot Connector itself cannot give back).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self

from aiohttp import web

TENANT_ID = "a1b2c3d4-0000-4000-8000-00000000c0de"
BOT_APP_ID = "00000000-0000-4000-8000-00000000b07a"
BOT_ID = f"28:{BOT_APP_ID}"
TEAM_ID = "19:team-general@thread.tacv2"
CHANNEL_ID = "19:committee-channel@thread.tacv2"
TEAM_GROUP_ID = "6c1e5d2a-0b9f-4e3a-8c7d-2f4a6b8c0d1e"  # the team's Microsoft 365 group: how Graph names the team

# What each route does, by the name tests use for it (``calls_to("send")``, ``fail("reply", ...)``).
SEND, REPLY, UPDATE, CREATE, PAGED_MEMBERS, MEMBER, TEAM_DETAILS = (
    "send",
    "reply",
    "update",
    "create_conversation",
    "paged_members",
    "member",
    "team_details",
)
GRAPH_CHANNEL_MESSAGES, GRAPH_REPLIES, GRAPH_CHAT_MESSAGES = (
    "graph_channel_messages",
    "graph_replies",
    "graph_chat_messages",
)
# A person's file as OneDrive serves it (no token: the address is pre-authorised), and an address that redirects.
FILE_DOWNLOAD, FILE_REDIRECT = "file_download", "file_redirect"
PAGE_SIZE_MOST = 500  # the Bot Connector's own cap on pageSize


@dataclass
class ConnectorCall:
    """One request the bot made to the connector (or to Graph)."""

    kind: str  # SEND, REPLY, ...
    conversation_id: str | None
    activity_id: str | None
    body: Any
    query: dict[str, str]
    token: str | None
    failure: str | None = None  # why it was not answered normally ("http 429"); None when it was

    @property
    def failed(self) -> bool:
        return self.failure is not None

    @property
    def text(self) -> str:
        """What a person reads in the activity: its text and every text in its Adaptive Cards."""
        activity = self.body.get("activity", self.body) if isinstance(self.body, dict) else {}
        return activity_text(activity)


@dataclass
class Fault:
    status: int
    retry_after: int | None = None
    delay: float | None = None
    times: int = 1


@dataclass
class PostedActivity:
    """A message as it stands in a conversation: what the bot sent, and the id the service gave it."""

    id: str
    conversation_id: str
    activity: dict[str, Any]
    created_at: datetime
    reply_to: str | None = None  # the thread's root, for a reply in a channel thread

    @property
    def text(self) -> str:
        return activity_text(self.activity)


@dataclass
class Member:
    id: str  # "29:..." as Teams gives a user in a conversation
    name: str
    aad_object_id: str
    email: str = ""
    role: str = "user"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "aadObjectId": self.aad_object_id,
            "email": self.email,
            "userPrincipalName": self.email,
            "tenantId": TENANT_ID,
            "userRole": self.role,
        }


@dataclass
class CreatedConversation:
    """What POST /v3/conversations made: a 1:1 chat with one member, or a new thread in a channel."""

    id: str
    is_group: bool
    members: list[str]
    channel_id: str | None
    first_activity_id: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)


class FakeBotConnector:
    """The Bot Connector played by a local aiohttp server.

    Settable state (kept across ``reset()``):
      ``rosters``   team or conversation id -> members, in the order pages give them (see ``add_member``)
      ``required_token``  when set, every call must carry ``Authorization: Bearer <it>`` or gets 401
    """

    def __init__(self) -> None:
        self.rosters: dict[str, list[Member]] = {}
        self.required_token: str | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._closing = asyncio.Event()
        self._recorded = asyncio.Condition()
        self._ids = itertools.count(1_000)  # never reset, so ids stay unique across reset()
        self.reset()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeBotConnector:
        self._closing.clear()
        app = web.Application(client_max_size=20 * 1024 * 1024)
        conversation = "/v3/conversations/{conversation_id}"
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post(conversation + "/activities", self._send)
        app.router.add_post(conversation + "/activities/{activity_id}", self._reply)
        app.router.add_put(conversation + "/activities/{activity_id}", self._update)
        app.router.add_get(conversation + "/pagedmembers", self._paged_members)
        app.router.add_get(conversation + "/pagedMembers", self._paged_members)
        app.router.add_get(conversation + "/members/{member_id}", self._member)
        app.router.add_get("/v3/teams/{team_id}", self._team_details)
        app.router.add_get("/graph/v1.0/teams/{team_id}/channels/{channel_id}/messages", self._graph_channel_messages)
        app.router.add_get(
            "/graph/v1.0/teams/{team_id}/channels/{channel_id}/messages/{message_id}/replies", self._graph_replies
        )
        app.router.add_get("/graph/v1.0/chats/{chat_id}/messages", self._graph_chat_messages)
        app.router.add_put("/onedrive/uploads/{name}", self._upload)
        app.router.add_get("/onedrive/sent/{name}", self._sent_file)
        app.router.add_get("/onedrive/moved/{name}", self._moved_file)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]
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
    def service_url(self) -> str:
        """What an activity's ``serviceUrl`` (and a stored reference's) says, with its trailing slash."""
        if self._port is None:
            raise RuntimeError("FakeBotConnector is not started; await start() first")
        return f"http://127.0.0.1:{self._port}/"

    @property
    def graph_url(self) -> str:
        return self.service_url + "graph/v1.0/"

    def reset(self) -> None:
        """Forget calls, conversations and faults; rosters and the required token stay."""
        self.calls: list[ConnectorCall] = []
        self.posted: dict[str, list[PostedActivity]] = {}
        self.created: list[CreatedConversation] = []
        self._graph_chats: dict[str, str] = {}  # a 1:1 chat's id as Graph names it -> as the Bot Connector does
        self.uploads: dict[str, bytes] = {}
        self.sent_files: dict[str, bytes] = {}  # files people sent the bot in their chat, by name
        self.moved_files: dict[str, str] = {}  # name -> where /onedrive/moved/<name> redirects (its Location)
        self.deleted: set[str] = set()  # files put in someone's OneDrive after they accepted them
        self._faults: dict[str, list[Fault]] = {}

    # ------------------------------------------------------------------ test API

    def add_member(
        self, team_id: str, name: str, *, member_id: str | None = None, email: str | None = None, role: str = "user"
    ) -> Member:
        number = next(self._ids)
        member = Member(
            id=member_id or f"29:member-{number}",
            name=name,
            aad_object_id=f"00000000-0000-4000-8000-{number:012d}",
            email=email or f"{name.lower().replace(' ', '.')}@example.gov.uk",
            role=role,
        )
        self.rosters.setdefault(team_id, []).append(member)
        return member

    def upload_info(self, name: str) -> dict[str, Any]:
        """What Teams puts in a fileConsent/invoke's value when a person accepts a file: where to upload it."""
        return {
            "contentUrl": f"https://contoso-my.sharepoint.com/personal/Documents/Applications/{name}",
            "name": name,
            "uploadUrl": f"{self.service_url}onedrive/uploads/{name}",
            "uniqueId": f"unique-{name}",
            "fileType": name.rsplit(".", 1)[-1],
        }

    def sent_file(self, name: str, content: bytes, download_url: str | None = None) -> dict[str, Any]:
        """A file a person sends the bot in their 1:1 chat: kept in their OneDrive, and the attachment Teams puts on
        the message, whose download address needs no token (or `download_url`, as a crafted activity gives)."""
        self.sent_files[name] = content
        return {
            "contentType": "application/vnd.microsoft.teams.file.download.info",
            "name": name,
            "contentUrl": f"https://contoso-my.sharepoint.com/personal/Documents/Microsoft Teams Chat Files/{name}",
            "content": {
                "downloadUrl": download_url or f"{self.service_url}onedrive/sent/{name}",
                "uniqueId": f"sent-{name}",
                "fileType": name.rsplit(".", 1)[-1],
            },
        }

    def calls_to(self, kind: str) -> list[ConnectorCall]:
        return [call for call in self.calls if call.kind == kind]

    def fail(
        self, kind: str, status: int, *, retry_after: int | None = None, times: int = 1, delay: float | None = None
    ) -> None:
        """Answer the next ``times`` calls of ``kind`` with ``status`` (a 429 carries Retry-After, 1 s unless
        ``retry_after`` says otherwise). ``delay`` sleeps first; with status 200 the call then succeeds, as a
        post can land after the client stopped waiting."""
        if status == 429 and retry_after is None:
            retry_after = 1
        self._faults.setdefault(kind, []).append(Fault(status, retry_after, delay, times))

    def messages_in(self, conversation_id: str) -> list[PostedActivity]:
        """The channel's threads (their first messages), a thread's replies, or a chat's messages, oldest first."""
        return list(self.posted.get(conversation_id, []))

    def thread_replies(self, channel_id: str, root_id: str) -> list[PostedActivity]:
        return [reply for reply in self.posted.get(thread_id(channel_id, root_id), [])]

    def delete(self, activity_id: str) -> None:
        """Someone deleted a message in Teams: replies to it are refused from now on."""
        self.deleted.add(activity_id)

    def chat_with(self, member_id: str) -> str | None:
        """The id of the 1:1 chat the bot created with a member, if it did."""
        return next((c.id for c in self.created if not c.is_group and c.members == [member_id]), None)

    async def wait_for(
        self, kind: str, count: int = 1, timeout: float = 5.0, where: Callable[[ConnectorCall], bool] | None = None
    ) -> list[ConnectorCall]:
        """Wait until ``count`` calls of ``kind`` (matching ``where``) were made; failed calls count too."""

        def matching() -> list[ConnectorCall]:
            return [c for c in self.calls_to(kind) if where is None or where(c)]

        with contextlib.suppress(TimeoutError):
            async with self._recorded:
                await asyncio.wait_for(self._recorded.wait_for(lambda: len(matching()) >= count), timeout)
        if len(matching()) >= count:
            return matching()
        seen = "\n".join(f"  {c.kind} {c.conversation_id} {c.failure or ''}" for c in self.calls) or "  (none)"
        raise AssertionError(f"expected {count} {kind} call(s) within {timeout}s, got {len(matching())}:\n{seen}")

    # ------------------------------------------------------------------ Bot Connector routes

    async def _send(self, request: web.Request) -> web.StreamResponse:
        conversation_id = request.match_info["conversation_id"]
        return await self._answer(request, SEND, conversation_id, None, lambda body: self._post(conversation_id, body))

    async def _reply(self, request: web.Request) -> web.StreamResponse:
        conversation_id, activity_id = request.match_info["conversation_id"], request.match_info["activity_id"]
        return await self._answer(
            request, REPLY, conversation_id, activity_id, lambda body: self._post(conversation_id, body, activity_id)
        )

    async def _update(self, request: web.Request) -> web.StreamResponse:
        conversation_id, activity_id = request.match_info["conversation_id"], request.match_info["activity_id"]

        def update(body: Any) -> web.Response:
            for posted in self._every_posted():
                if posted.id == activity_id:
                    posted.activity = body
                    return web.json_response({"id": activity_id})
            return not_found(f"no activity {activity_id}")

        return await self._answer(request, UPDATE, conversation_id, activity_id, update)

    async def _create_conversation(self, request: web.Request) -> web.StreamResponse:
        return await self._answer(request, CREATE, None, None, self._create)

    async def _paged_members(self, request: web.Request) -> web.StreamResponse:
        conversation_id = request.match_info["conversation_id"]

        def page(_body: Any) -> web.Response:
            roster = self.rosters.get(conversation_id)
            if roster is None:
                return not_found(f"no conversation {conversation_id}")
            size = min(int(request.query.get("pageSize") or 100), PAGE_SIZE_MOST)
            start = int(request.query.get("continuationToken") or 0)
            end = start + size
            answer: dict[str, Any] = {"members": [m.as_json() for m in roster[start:end]]}
            if end < len(roster):
                answer["continuationToken"] = str(end)
            return web.json_response(answer)

        return await self._answer(request, PAGED_MEMBERS, conversation_id, None, page)

    async def _member(self, request: web.Request) -> web.StreamResponse:
        conversation_id, member_id = request.match_info["conversation_id"], request.match_info["member_id"]

        def member(_body: Any) -> web.Response:
            for candidate in self.rosters.get(conversation_id, []):
                if member_id in (candidate.id, candidate.aad_object_id):
                    return web.json_response(candidate.as_json())
            return not_found(f"no member {member_id}")

        return await self._answer(request, MEMBER, conversation_id, member_id, member)

    async def _team_details(self, request: web.Request) -> web.StreamResponse:
        team_id = request.match_info["team_id"]

        def details(_body: Any) -> web.Response:
            if team_id != TEAM_ID:
                return not_found(f"no team {team_id}")
            return web.json_response({"id": TEAM_ID, "name": "Committees", "aadGroupId": TEAM_GROUP_ID})

        return await self._answer(request, TEAM_DETAILS, team_id, None, details)

    # ------------------------------------------------------------------ Graph routes (messages a bot may read)

    async def _graph_channel_messages(self, request: web.Request) -> web.StreamResponse:
        channel_id = request.match_info["channel_id"]

        def page(_body: Any) -> web.Response:
            if request.match_info["team_id"] != TEAM_GROUP_ID:  # Graph knows a team by its group id only
                return not_found(f"no team {request.match_info['team_id']}")
            return self._graph_page(request, channel_id)

        return await self._answer(request, GRAPH_CHANNEL_MESSAGES, channel_id, None, page)

    async def _graph_replies(self, request: web.Request) -> web.StreamResponse:
        channel_id, root = request.match_info["channel_id"], request.match_info["message_id"]
        conversation_id = thread_id(channel_id, root)
        return await self._answer(
            request, GRAPH_REPLIES, conversation_id, root, lambda _: self._graph_page(request, conversation_id)
        )

    async def _graph_chat_messages(self, request: web.Request) -> web.StreamResponse:
        chat_id = request.match_info["chat_id"]
        return await self._answer(
            request, GRAPH_CHAT_MESSAGES, chat_id, None, lambda _: self._graph_page(request, chat_id)
        )

    def _graph_page(self, request: web.Request, conversation_id: str) -> web.Response:
        """Newest first, as Graph lists messages, ``$top`` of them; a channel's with their replies on
        ``$expand=replies``."""
        top = int(request.query.get("$top") or 20)
        newest_first = list(reversed(self.posted.get(self._graph_chats.get(conversation_id, conversation_id), [])))
        messages = [graph_message(posted) for posted in newest_first[:top]]
        if request.query.get("$expand") == "replies":
            for message in messages:
                replies = self.posted.get(thread_id(conversation_id, message["id"]), [])
                message["replies"] = [graph_message(reply) for reply in replies]
        return web.json_response({"value": messages})

    async def _sent_file(self, request: web.Request) -> web.Response:
        await self._record_download(FILE_DOWNLOAD, request)
        content = self.sent_files.get(request.match_info["name"])
        if content is None or "Authorization" in request.headers:  # pre-authorised: a token is never asked for
            return web.json_response({"error": {"code": "itemNotFound"}}, status=404)
        return web.Response(body=content)

    async def _moved_file(self, request: web.Request) -> web.Response:
        await self._record_download(FILE_REDIRECT, request)
        location = self.moved_files.get(request.match_info["name"])
        if location is None:
            return web.json_response({"error": {"code": "itemNotFound"}}, status=404)
        raise web.HTTPFound(location)

    async def _record_download(self, kind: str, request: web.Request) -> None:
        """Recorded with the host it was asked of, so a test can tell which name the bot used for this server."""
        call = ConnectorCall(kind, None, request.match_info["name"], None, {"host": request.host}, None)
        self.calls.append(call)
        await self._notify()

    async def _upload(self, request: web.Request) -> web.Response:
        content = await request.read()
        expected = f"bytes 0-{len(content) - 1}/{len(content)}"
        if request.headers.get("Content-Range") != expected:
            return web.json_response({"error": {"code": "invalidRange"}}, status=416)
        self.uploads[request.match_info["name"]] = content
        return web.json_response({"id": f"unique-{request.match_info['name']}"}, status=201)

    # ------------------------------------------------------------------ behaviour

    def _post(self, conversation_id: str, activity: Any, reply_to: str | None = None) -> web.Response:
        if reply_to in self.deleted:
            return not_found(f"no activity {reply_to}")
        if not isinstance(activity, dict) or not activity.get("type"):
            return web.json_response({"error": {"code": "BadArgument", "message": "activity type missing"}}, status=400)
        channel, _, root = conversation_id.partition(";messageid=")
        # A reply to a channel's top-level post lands in that post's thread.
        where = thread_id(channel, reply_to) if reply_to and not root and channel.endswith("@thread.tacv2") else None
        conversation = where or conversation_id
        posted = PostedActivity(self._new_id(), conversation, activity, datetime.now(UTC), reply_to)
        self.posted.setdefault(conversation, []).append(posted)
        return web.json_response({"id": posted.id})

    def _create(self, parameters: Any) -> web.Response:
        if not isinstance(parameters, dict):
            return web.json_response({"error": {"code": "BadArgument", "message": "no parameters"}}, status=400)
        channel_id = ((parameters.get("channelData") or {}).get("channel") or {}).get("id")
        members = [m.get("id") for m in parameters.get("members") or [] if isinstance(m, dict)]
        if channel_id:
            return self._new_thread(channel_id, parameters)
        if len(members) != 1:
            return web.json_response({"error": {"code": "BadArgument", "message": "one member wanted"}}, status=400)
        chat_id = self.chat_with(members[0]) or f"a:1:1-chat-{members[0]}"
        if not self.chat_with(members[0]):
            self.created.append(CreatedConversation(chat_id, False, members, None, parameters=parameters))
            self._graph_chats[graph_chat_id(self._aad_id_of(members[0]), BOT_APP_ID)] = chat_id
        answer: dict[str, Any] = {"id": chat_id}
        if isinstance(parameters.get("activity"), dict):
            self._post(chat_id, parameters["activity"])
            answer["activityId"] = self.posted[chat_id][-1].id
        return web.json_response(answer)

    def _new_thread(self, channel_id: str, parameters: dict[str, Any]) -> web.Response:
        activity = parameters.get("activity")
        if not isinstance(activity, dict):
            error = {"code": "BadArgument", "message": "a thread needs its first message"}
            return web.json_response({"error": error}, status=400)
        self._post(channel_id, activity)
        root = self.posted[channel_id][-1].id
        conversation_id = thread_id(channel_id, root)
        self.created.append(CreatedConversation(conversation_id, True, [], channel_id, root, parameters))
        return web.json_response({"id": conversation_id, "activityId": root})

    async def _answer(
        self,
        request: web.Request,
        kind: str,
        conversation_id: str | None,
        activity_id: str | None,
        behave: Callable[[Any], web.Response],
    ) -> web.StreamResponse:
        body = await read_json(request)
        token = bearer_token(request)
        fault = self._take_fault(kind)
        unauthorised = self.required_token is not None and token != self.required_token
        failure = "http 401" if unauthorised else describe(fault)
        call = ConnectorCall(kind, conversation_id, activity_id, body, dict(request.query), token, failure)
        self.calls.append(call)
        await self._notify()
        if unauthorised:
            return web.json_response({"message": "Authorization has been denied for this request."}, status=401)
        if fault is not None:
            await self._sleep(fault.delay)
            if fault.status != 200:
                return fault_response(fault)
        return behave(body)

    def _take_fault(self, kind: str) -> Fault | None:
        queue = self._faults.get(kind)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault

    def _aad_id_of(self, member_id: str) -> str:
        members = (m for roster in self.rosters.values() for m in roster if m.id == member_id)
        return next((m.aad_object_id for m in members), member_id)

    def _every_posted(self) -> list[PostedActivity]:
        return [posted for conversation in self.posted.values() for posted in conversation]

    def _new_id(self) -> str:
        # Teams gives a message the epoch milliseconds it was posted at; unique here is what matters.
        return str(1_700_000_000_000 + next(self._ids))

    async def _sleep(self, seconds: float | None) -> None:
        if seconds:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), seconds)

    async def _notify(self) -> None:
        async with self._recorded:
            self._recorded.notify_all()


# ---------------------------------------------------------------------- helpers


def thread_id(channel_id: str, root_id: str) -> str:
    """A channel thread's conversation id, as Teams writes it."""
    return f"{channel_id};messageid={root_id}"


def graph_chat_id(aad_object_id: str, bot_app_id: str) -> str:
    """How Graph names a person's 1:1 chat with a bot."""
    return f"19:{aad_object_id}_{bot_app_id}@unq.gbl.spaces"


def activity_text(activity: dict[str, Any]) -> str:
    texts = [activity.get("text") or ""]
    for attachment in activity.get("attachments") or []:
        texts.extend(card_texts(attachment.get("content")))
    return "\n".join(text for text in texts if text)


def card_texts(element: Any) -> list[str]:
    """Every ``text`` and ``title`` in an Adaptive Card, depth first, as a person reads them top to bottom."""
    if isinstance(element, list):
        return [text for item in element for text in card_texts(item)]
    if not isinstance(element, dict):
        return []
    own = [element[name] for name in ("text", "title") if isinstance(element.get(name), str)]
    inner = [value for name, value in element.items() if name not in ("text", "title")]
    return own + card_texts(inner)


def graph_message(posted: PostedActivity) -> dict[str, Any]:
    """A chatMessage as Graph gives it: attachments' card content as a JSON string."""
    attachments = [
        {"contentType": a.get("contentType"), "content": json.dumps(a.get("content"))}
        for a in posted.activity.get("attachments") or []
    ]
    return {
        "id": posted.id,
        "replyToId": posted.reply_to,
        "createdDateTime": posted.created_at.isoformat().replace("+00:00", "Z"),
        "from": {"application": {"id": BOT_APP_ID, "displayName": "Committee Bot"}},
        "body": {"contentType": "html", "content": posted.activity.get("text") or ""},
        "attachments": attachments,
    }


async def read_json(request: web.Request) -> Any:
    if not request.can_read_body:
        return None
    raw = await request.read()
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode(errors="replace")


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ").strip() or None if header.startswith("Bearer ") else None


def describe(fault: Fault | None) -> str | None:
    if fault is None:
        return None
    return f"delayed {fault.delay}s" if fault.status == 200 else f"http {fault.status}"


def fault_response(fault: Fault) -> web.Response:
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    codes = {412: "PreconditionFailed", 429: "TooManyRequests", 502: "BadGateway", 504: "GatewayTimeout"}
    error = {"code": codes.get(fault.status, "ServiceError"), "message": f"injected {fault.status}"}
    return web.json_response({"error": error}, status=fault.status, headers=headers)


def not_found(message: str) -> web.Response:
    return web.json_response({"error": {"code": "ConversationNotFound", "message": message}}, status=404)
