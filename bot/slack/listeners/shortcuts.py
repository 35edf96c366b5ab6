"""The message shortcut "Add as comment on a report"."""

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import interactions
from bot.slack.blocks import message_payload
from bot.slack.delivery import SlackDelivery
from bot.slack.listeners.forms import open_form
from bot.slack.payloads import Failure, attempt, interaction_actor
from handlers.context import Services

CALLBACK_ID = "comment_from_message"


def register(app: AsyncApp, services: Services, delivery: SlackDelivery) -> None:
    @app.shortcut(CALLBACK_ID)
    async def on_shortcut(ack: AsyncAck, body: dict, client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        actor = interaction_actor(body)
        text = (body.get("message") or {}).get("text") or ""
        outcome = await attempt(interactions.shortcut_form(services, actor, text), actor, CALLBACK_ID)
        refusal = (
            outcome.message
            if isinstance(outcome, Failure)
            else await open_form(client, body["trigger_id"], outcome, actor.channel_id)
        )
        if refusal:
            await respond(response_type="ephemeral", replace_original=False, **message_payload(refusal))
