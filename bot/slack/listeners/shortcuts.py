"""Message shortcuts: "Add as comment on a report" and "Import minutes"."""

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import interactions
from bot.outcomes import Failure, attempt
from bot.slack.blocks import message_payload
from bot.slack.delivery import SlackDelivery
from bot.slack.listeners.forms import open_form
from bot.slack.payloads import interaction_actor
from handlers.context import Services


def register(app: AsyncApp, services: Services, delivery: SlackDelivery) -> None:
    async def on_shortcut(ack: AsyncAck, body: dict, client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        actor = interaction_actor(body)
        callback_id = body["callback_id"]
        text = (body.get("message") or {}).get("text") or ""
        outcome = await attempt(interactions.shortcut(services, actor, callback_id, text), actor, callback_id)
        refusal = (
            outcome.message
            if isinstance(outcome, Failure)
            else await open_form(client, body["trigger_id"], outcome, actor.channel_id)
        )
        if refusal:
            await respond(response_type="ephemeral", replace_original=False, **message_payload(refusal))

    for callback_id in interactions.SHORTCUTS:
        app.shortcut(callback_id)(on_shortcut)
