"""Steps many end-to-end tests share, each done the way a person does it in Slack."""

import json
from datetime import datetime

import time_machine

from handlers.reminders import ReminderTiming, tick
from tests.stack import CHANNEL, CLERK, OFFICER, Stack
from tests.support.slack_client import text_value, user_value

FAST = ReminderTiming(pace_seconds=0)


def shown_text(answer) -> str:
    """Everything a person would read in a bot message: its fallback text and its blocks' text."""
    parts = [answer.get("text") or ""]
    for block in answer.get("blocks") or []:
        if block.get("type") == "section":
            parts.append(block["text"]["text"])
        elif block.get("type") == "context":
            parts.extend(element.get("text", "") for element in block["elements"])
    return "\n".join(parts)


def on_ephemeral(channel: str = CHANNEL) -> dict:
    """The container Slack sends for a button pressed on an ephemeral message."""
    return {"type": "message", "is_ephemeral": True, "channel_id": channel}


def button_list(answer) -> list[dict]:
    """Every button, in the order shown."""
    return [
        element
        for block in answer.get("blocks") or []
        if block.get("type") == "actions"
        for element in block["elements"]
    ]


def buttons(answer) -> dict[str, dict]:
    found = {}
    for block in answer.get("blocks") or []:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            found[element["text"]["text"]] = element
    return found


async def set_up_committee(
    stack: Stack, name: str = "Children and Families Overview and Scrutiny Committee", channel: str = CHANNEL
) -> dict:
    reply = await stack.slack.slash_command("/committee", f"setup {name}", user_id=CLERK, channel_id=channel)
    assert reply.status == 200, reply.text
    return reply.json()


async def open_window(
    stack: Stack,
    title: str = "Draft annual report 2021/22",
    deadline: str = "20 September 2040",
    channel: str = CHANNEL,
) -> int:
    """Open a window with `/report open`, confirm it, and wait for the announcement; returns the window id."""
    text = f"open {title} | https://example.org/report.pdf | <@{OFFICER}|director> | {deadline}"
    preview = (await stack.slack.slash_command("/report", text, user_id=CLERK, channel_id=channel)).json()
    confirm = buttons(preview)["Open comment window"]
    await stack.slack.block_action(
        "report.confirm",
        confirm["value"],
        user_id=CLERK,
        channel_id=channel,
        container=on_ephemeral(channel),
    )
    posts = await stack.fake.wait_for(
        "chat.postMessage",
        where=lambda call: call.params.get("channel") == channel and "Add comment" in str(call.params),
    )
    add_button = buttons(posts[-1].params)["Add comment"]
    await stack.fake.wait_for("chat.getPermalink")
    await stack.bot.delivery.drain()
    stack.fake.responses.clear()  # so a test's own responses are the only ones it sees
    return int(add_button["value"])


def draft_value(preview: dict) -> dict:
    return json.loads(buttons(preview)["Open comment window"]["value"])


async def opened_view(stack: Stack, count: int = 1) -> dict:
    """The modal the bot most recently asked Slack to open."""
    calls = await stack.fake.wait_for("views.open", count=count)
    return calls[-1].params["view"]


async def submit_view(stack: Stack, view: dict, values: dict, user_id: str):
    """Submit a modal the bot opened, carrying its callback_id and private_metadata as Slack does."""
    state = {block_id: {"value": entry} for block_id, entry in values.items()}
    return await stack.slack.view_submission(
        view["callback_id"], state, user_id=user_id, private_metadata=view["private_metadata"]
    )


async def ephemerals_to(stack: Stack, user_id: str, count: int = 1) -> list[dict]:
    calls = await stack.fake.wait_for(
        "chat.postEphemeral", count=count, where=lambda call: call.params.get("user") == user_id
    )
    return [call.params for call in calls]


async def responses(stack: Stack, count: int = 1) -> list[dict]:
    return [body for _, body in await stack.fake.wait_for_response(count=count)]


async def comment_inline(stack: Stack, user_id: str, text: str, **kwargs) -> dict:
    reply = await stack.slack.slash_command("/comment", text, user_id=user_id, channel_id=CHANNEL, **kwargs)
    assert reply.status == 200, reply.text
    return reply.json()


async def stored(stack: Stack, model, **where) -> list:
    from sqlmodel import select

    async with stack.database.session() as session:
        statement = select(model)
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        return list(await session.exec(statement))


async def record_resolution(
    stack: Stack,
    text: str,
    kind: str = "action",
    due: str = "",
    owner_title: str = "",
    owner_user_id: str | None = None,
    meeting_date: str = "",
) -> dict:
    """Record a resolution through the `/actions add` form as a clerk; returns the ephemeral confirmation."""
    from tests.support.slack_client import select_value, text_value, user_value

    await stack.slack.slash_command("/actions", "add", user_id=CLERK, channel_id=CHANNEL)
    count = len(stack.fake.calls_to("views.open"))
    view = await opened_view(stack, count=count)
    values = {
        "text": text_value(text),
        "kind": select_value(kind),
        "owner_user_id": user_value(owner_user_id),
        "owner_title": text_value(owner_title),
        "due": text_value(due),
        "meeting_date": text_value(meeting_date),
    }
    answer = await submit_view(stack, view, values, CLERK)
    assert answer.status == 200
    if answer.text:
        return answer.json()
    before = len([c for c in stack.fake.calls_to("chat.postEphemeral") if c.params.get("user") == CLERK])
    return (await ephemerals_to(stack, CLERK, count=max(before, 1)))[-1]


async def add_meeting(stack: Stack, when: str) -> None:
    reply = await stack.slack.slash_command("/meeting", f"add {when}", user_id=CLERK, channel_id=CHANNEL)
    assert "Meeting added" in shown_text(reply.json()), reply.text


def reminder_posts(stack: Stack, channel: str | None = None) -> list:
    """The reminders posted (each carries its ledger key in metadata), to one channel or everywhere."""
    calls = [c for c in stack.fake.calls_to("chat.postMessage") if not c.failed and "metadata" in c.params]
    return [c for c in calls if channel is None or c.params["channel"] == channel]


def reminder_kinds(posts) -> list[str]:
    return [c.params["metadata"]["event_payload"]["key"].split("|")[1] for c in posts]


async def tick_at(stack: Stack, instant: datetime, instance: str = "test") -> None:
    """One reminder tick, as the scheduler runs it, with the clock standing at `instant`."""
    with time_machine.travel(instant, tick=False):
        await tick(stack.bot.services, stack.bot.reminders, instance, FAST)


def accepted_values(view: dict, **overrides) -> dict:
    """What the clerk submits when they accept what the form shows, with any fields they changed."""
    values = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element = block["element"]
        if element["type"] == "static_select":
            values[block["block_id"]] = {"type": "static_select", "selected_option": element.get("initial_option")}
        elif element["type"] == "users_select":
            values[block["block_id"]] = user_value(element.get("initial_user"))
        else:
            values[block["block_id"]] = text_value(element.get("initial_value"))
    return values | overrides
