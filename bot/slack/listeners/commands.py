"""/committee, /report and /comment."""

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import interactions
from bot.forms import Form
from bot.outcomes import Failure, attempt
from bot.slack.blocks import message_payload
from bot.slack.delivery import SlackDelivery
from bot.slack.listeners.forms import open_form
from bot.slack.payloads import command_actor, request_key
from handlers.context import Services

COMMANDS = tuple(interactions.HELP)


def register(app: AsyncApp, services: Services, delivery: SlackDelivery) -> None:
    async def on_command(ack: AsyncAck, body: dict, client: AsyncWebClient) -> None:
        actor = command_actor(body)
        text = body.get("text") or ""
        work = interactions.command(services, actor, body["command"], text, request_key(body, actor.workspace_id))
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

    for name in COMMANDS:
        app.command(name)(on_command)
