"""The whole bot as Teams sees it: the real app's /api/messages served over HTTP on loopback, activities POSTed as
Teams posts them, and the Bot Connector played by tests.support.fake_bot_connector at each activity's serviceUrl.

People: the committee's team roster (the clerk, chair, officer and three members) and a stranger outside it.
"""

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from bot.teams.app import MESSAGES_PATH, TeamsBot, add_teams_routes
from bot.teams.cards import FORM, PRESS
from bot.teams.file_hosts import SETTING as FILE_HOSTS
from bot.teams.settings import ANONYMOUS, TeamsSettings
from bot.teams.settings import TENANT_ID as TENANT_ID_SETTING
from storage.database import Database
from tests.support.fake_bot_connector import BOT_ID, CHANNEL_ID, TEAM_ID, TENANT_ID, FakeBotConnector, thread_id

CLERK, CHAIR, OFFICER = "29:clerk", "29:chair", "29:officer"
MEMBERS = ("29:patel", "29:jones", "29:smith")
STRANGER = "29:stranger"
NAMES = {
    CLERK: "Dana Clerk",
    CHAIR: "Cllr Chair",
    OFFICER: "Director of Children and Family Services",
    MEMBERS[0]: "Cllr Patel",
    MEMBERS[1]: "Cllr Jones",
    MEMBERS[2]: "Cllr Smith",
    STRANGER: "Sam Stranger",
}
BOT_NAME = "committee-bot"
OTHER_TENANT = "ffffffff-0000-4000-8000-000000000bad"


@dataclass
class Answer:
    status: int
    text: str

    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            return None


@dataclass
class TeamsClient:
    """Plays Teams' side: each call POSTs one activity to /api/messages."""

    url: str
    connector: FakeBotConnector
    session: aiohttp.ClientSession
    tenant: str = TENANT_ID
    ids: Any = field(default_factory=lambda: itertools.count(1))

    async def post(self, activity: dict, headers: dict | None = None) -> Answer:
        async with self.session.post(self.url, json=activity, headers=headers or {}) as response:
            return Answer(response.status, await response.text())

    async def post_raw(self, body: bytes, headers: dict | None = None) -> Answer:
        headers = {"Content-Type": "application/json", **(headers or {})}
        async with self.session.post(self.url, data=body, headers=headers) as response:
            return Answer(response.status, await response.text())

    def activity(self, kind: str, user: str, where: str = "channel", thread: str | None = None, **more) -> dict:
        """An activity from `user`, in the committee's channel (a thread of it) or in their 1:1 chat."""
        if where == "channel":
            conversation = {
                "id": thread_id(CHANNEL_ID, thread) if thread else CHANNEL_ID,
                "conversationType": "channel",
                "isGroup": True,
                "tenantId": self.tenant,
            }
            channel_data = {"tenant": {"id": self.tenant}, "team": {"id": TEAM_ID}, "channel": {"id": CHANNEL_ID}}
        else:
            conversation = {"id": f"a:1:1-chat-{user}", "conversationType": "personal", "tenantId": self.tenant}
            channel_data = {"tenant": {"id": self.tenant}}
        return {
            "type": kind,
            "id": f"1700000{next(self.ids):06d}",
            "timestamp": "2026-12-02T10:00:00.000Z",
            "serviceUrl": self.connector.service_url,
            "channelId": "msteams",
            "from": {"id": user, "name": NAMES.get(user, "Someone"), "aadObjectId": f"aad-{user[3:]}"},
            "conversation": conversation,
            "recipient": {"id": BOT_ID, "name": BOT_NAME},
            "channelData": channel_data,
            **more,
        }

    async def say(
        self, user: str, text: str, where: str = "channel", thread: str | None = None, mentions: tuple = ()
    ) -> Answer:
        """`@committee-bot <text>` in the channel (or `text` alone in the 1:1 chat); each of `mentions` (a member
        id) is written into the text where `@<id>` stands, as Teams writes a mention."""
        entities = []
        if where == "channel" and not thread:
            text = f"<at>{BOT_NAME}</at> {text}"
            entities.append(
                {"type": "mention", "text": f"<at>{BOT_NAME}</at>", "mentioned": {"id": BOT_ID, "name": BOT_NAME}}
            )
        for member in mentions:
            tag = f"<at>{NAMES[member]}</at>"
            text = text.replace(f"@{member}", tag)
            entities.append({"type": "mention", "text": tag, "mentioned": {"id": member, "name": NAMES[member]}})
        return await self.post(self.activity("message", user, where, thread, text=text, entities=entities))

    async def invoke(self, user: str, name: str, value: Any, where: str = "chat", thread: str | None = None) -> Answer:
        return await self.post(self.activity("invoke", user, where, thread, name=name, value=value))

    async def press(self, user: str, action: dict, where: str = "chat") -> Answer:
        """A button on a card: its data comes back in a task/fetch invoke."""
        return await self.invoke(user, "task/fetch", {"data": action["data"], "context": {"theme": "default"}}, where)

    async def submit(self, user: str, dialog: dict, values: dict[str, str], where: str = "chat") -> Answer:
        """Fill in a dialog's form and press its submit button: the inputs' values beside the button's data."""
        card = dialog["task"]["value"]["card"]["content"]
        [submit] = card["actions"]
        shown = {element["id"]: element.get("value", "") for element in card["body"] if "id" in element}
        data = {**submit["data"], **shown, **values}
        return await self.invoke(user, "task/submit", {"data": data}, where)


@dataclass
class TeamsStack:
    teams: TeamsClient
    connector: FakeBotConnector
    bot: TeamsBot
    database: Database
    runner: web.AppRunner

    async def stop(self) -> None:
        await self.teams.session.close()
        await self.runner.cleanup()
        await self.connector.stop()

    def chat(self, user: str) -> list:
        """The messages the bot sent to `user` in their 1:1 chat, oldest first."""
        # The chat the bot opened, or the one the person opened first (a personal install): Teams gives both the
        # same id.
        return self.connector.messages_in(self.connector.chat_with(user) or f"a:1:1-chat-{user}")

    def last_private(self, user: str) -> dict:
        messages = self.chat(user)
        assert messages, f"nothing was sent to {user} privately"
        return messages[-1].activity

    def channel_posts(self) -> list:
        return self.connector.messages_in(CHANNEL_ID)


def start_roster(connector: FakeBotConnector) -> None:
    for member in (CLERK, CHAIR, OFFICER, *MEMBERS):
        connector.add_member(TEAM_ID, NAMES[member], member_id=member)


def teams_environment(connector: FakeBotConnector) -> dict[str, str]:
    """The settings the tests run Teams with: no tenant's credentials, and the fake connector as the one place files
    are downloaded from, over plain http as only an origin written out with its scheme allows."""
    origin = connector.service_url.removesuffix("/")
    return {ANONYMOUS: "true", TENANT_ID_SETTING: TENANT_ID, FILE_HOSTS: origin}


async def start_teams_stack(database: Database) -> TeamsStack:
    connector = await FakeBotConnector().start()
    start_roster(connector)
    bot = TeamsBot(TeamsSettings.from_environment(teams_environment(connector)), database)
    application = web.Application()
    add_teams_routes(application, bot)
    runner = web.AppRunner(application)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    client = TeamsClient(f"http://127.0.0.1:{port}{MESSAGES_PATH}", connector, aiohttp.ClientSession())
    return TeamsStack(client, connector, bot, database, runner)


# Reading what people see.


def card_of(activity: dict) -> dict:
    [attachment] = activity["attachments"]
    return attachment["content"]


def texts(element: Any) -> list[str]:
    if isinstance(element, list):
        return [text for item in element for text in texts(item)]
    if not isinstance(element, dict):
        return []
    own = [element[name] for name in ("text", "title") if isinstance(element.get(name), str)]
    # Buttons' data and the mention entities are not read by anyone.
    return own + texts([value for name, value in element.items() if name not in ("text", "title", "data", "msteams")])


def shown(activity: dict) -> str:
    """What a person reads on a message's card, Markdown's escapes removed."""
    return unescaped("\n".join(texts(card_of(activity))))


def unescaped(text: str) -> str:
    import re

    return re.sub(r"\\(.)", r"\1", text)


def buttons(activity_or_card: dict) -> dict[str, dict]:
    """Every button on a card (or a message's card), by its title; of two with one title, the last."""
    return {action["title"]: action for action in button_list(activity_or_card)}


def button_list(activity_or_card: dict) -> list[dict]:
    """Every button on a card (or a message's card), in the order they are shown."""
    content = card_of(activity_or_card) if "attachments" in activity_or_card else activity_or_card
    found = []

    def walk(element: Any) -> None:
        if isinstance(element, list):
            for item in element:
                walk(item)
        elif isinstance(element, dict):
            if element.get("type", "").startswith("Action.") and "title" in element:
                found.append(element)
            for name, value in element.items():
                if name != "data":
                    walk(value)

    walk(content)
    return found


def dialog_card(answer: Answer) -> dict:
    body = answer.json()
    assert body and body["task"]["type"] == "continue", answer.text
    return body["task"]["value"]["card"]["content"]


def dialog_inputs(answer: Answer) -> dict[str, dict]:
    return {element["id"]: element for element in dialog_card(answer)["body"] if "id" in element}


def note(answer: Answer) -> str:
    body = answer.json()
    assert body and body["task"]["type"] == "message", answer.text
    return body["task"]["value"]


def press_data(action: dict) -> dict:
    return action["data"][PRESS]


def form_data(answer: Answer) -> dict:
    [submit] = dialog_card(answer)["actions"]
    return submit["data"][FORM]


# Steps many tests share, each done the way a person does it in Teams.

COMMITTEE = "Children and Families Overview and Scrutiny Committee"


async def set_up_committee(stack: TeamsStack, name: str = COMMITTEE) -> None:
    answer = await stack.teams.say(CLERK, f"committee setup {name}")
    assert answer.status == 202, answer.text


async def open_window(
    stack: TeamsStack, title: str = "Draft annual report 2021/22", deadline: str = "20 September 2040"
) -> int:
    """`report open` with the officer mentioned, confirmed; returns the window's id from the announcement's
    Add comment button."""
    text = f"report open {title} | https://example.org/report.pdf | @{OFFICER} | {deadline}"
    await stack.teams.say(CLERK, text, mentions=(OFFICER,))
    preview = stack.last_private(CLERK)
    answer = await stack.teams.press(CLERK, buttons(preview)["Open comment window"])
    assert answer.status == 200, answer.text
    announcement = stack.channel_posts()[-1].activity
    return int(press_data(buttons(announcement)["Add comment"])["value"])


async def stored(stack: TeamsStack, model, **where) -> list:
    from sqlmodel import select

    async with stack.database.session() as session:
        statement = select(model)
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        return list(await session.exec(statement))


CONSENT_CARD = "application/vnd.microsoft.teams.card.file.consent"


def consent_cards(stack: TeamsStack, user: str) -> list[dict]:
    """The file consent cards the bot sent to `user`'s chat, oldest first."""
    return [
        attachment
        for message in stack.chat(user)
        for attachment in message.activity.get("attachments") or []
        if attachment["contentType"] == CONSENT_CARD
    ]


def consent(card: dict, upload_info: dict | None, action: str = "accept") -> dict:
    """What Teams sends back when the person presses Allow (with where to upload) or Decline on a consent card."""
    value = {"type": "fileUpload", "action": action, "context": card["content"][f"{action}Context"]}
    return value | ({"uploadInfo": upload_info} if upload_info else {})


async def allow_files(stack: TeamsStack, user: str) -> dict[str, bytes]:
    """`user` presses Allow on each file offered in their chat; what was uploaded, by file extension."""
    for card in consent_cards(stack, user):
        value = consent(card, stack.connector.upload_info(card["name"]))
        answer = await stack.teams.invoke(user, "fileConsent/invoke", value)
        assert answer.status == 200, answer.text
    return {name.rsplit(".", 1)[1]: content for name, content in stack.connector.uploads.items()}
