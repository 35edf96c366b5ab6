"""/committee, /report, /comment, /meeting, /actions and /minutes."""

import re

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import interactions
from bot.answers import answer
from bot.forms import Form
from bot.replies import Reply
from bot.slack.delivery import SlackDelivery
from bot.slack.listeners.answering import InTheAck, form_opener
from bot.slack.mrkdwn import typed_text
from bot.slack.payloads import command_actor, request_key
from handlers.context import Actor, Services
from handlers.errors import InvalidInput

# Declared with should_escape in the manifest: Slack sends mentions and links in their text as markup, and escapes
# &, < and >. The others' text comes exactly as typed.
ESCAPED = frozenset(("/committee", "/report", "/meeting", "/actions"))
# Slack's own message limit: minutes pasted at greater length did not come from Slack, and are not read.
MOST_PASTED = 40_000


async def _command(services: Services, actor: Actor, name: str, text: str, key: str) -> Reply | Form:
    if name == "/minutes" and len(text) > MOST_PASTED:
        raise InvalidInput(
            f"That is {len(text):,} characters, more than the {MOST_PASTED:,} Slack allows in a message. "
            "Please attach the minutes as a file instead.",
            field="minutes",
        )
    return await interactions.command(services, actor, name, typed_text(text, with_markup=name in ESCAPED), key)


def register(app: AsyncApp, services: Services, delivery: SlackDelivery) -> None:
    async def on_command(ack: AsyncAck, body: dict, client: AsyncWebClient) -> None:
        actor = command_actor(body)
        name, text = body["command"], body.get("text") or ""
        answering = InTheAck(ack, form_opener(client, body, actor.channel_id))
        work = _command(services, actor, name, text, request_key(body, actor.workspace_id))
        await answer(delivery, services, actor, answering, work, name, text)
        if not answering.acked:
            await ack()

    # One listener for every command: Bolt builds all its listener arguments afresh to ask each listener whether a
    # request is its own, at ~0.1 ms a time, so six listeners cost every later request half a millisecond.
    app.command(re.compile("^(" + "|".join(map(re.escape, interactions.COMMANDS)) + ")$"))(on_command)
