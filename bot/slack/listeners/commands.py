"""/committee, /report and /comment."""

import re

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import interactions
from bot.forms import Form
from bot.outcomes import Failure, attempt
from bot.replies import Reply
from bot.slack.blocks import message_payload
from bot.slack.delivery import SlackDelivery
from bot.slack.listeners.forms import open_form
from bot.slack.mrkdwn import typed_text
from bot.slack.payloads import command_actor, request_key
from handlers.context import Actor, Services
from handlers.errors import InvalidInput

COMMANDS = tuple(interactions.HELP)
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
        text = body.get("text") or ""
        work = _command(services, actor, body["command"], text, request_key(body, actor.workspace_id))
        outcome = await attempt(
            work, actor, body["command"], their_text=text if body["command"] == "/comment" else None
        )
        if isinstance(outcome, Form):
            refusal = await open_form(client, body["trigger_id"], outcome, actor.channel_id)
            await ack(**message_payload(refusal)) if refusal else await ack()
            return
        message = outcome.message
        in_channel = not isinstance(outcome, Failure) and outcome.in_channel
        await ack(response_type="in_channel" if in_channel else "ephemeral", **message_payload(message))
        if not isinstance(outcome, Failure):
            delivery.follow_up(actor, outcome)

    # One listener for every command: Bolt builds all its listener arguments afresh to ask each listener whether a
    # request is its own, at ~0.1 ms a time, so six listeners cost every later request half a millisecond.
    app.command(re.compile("^(" + "|".join(map(re.escape, COMMANDS)) + ")$"))(on_command)
