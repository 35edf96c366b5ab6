"""Message shortcuts: "Add as comment on a report" and "Import minutes"."""

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import interactions
from bot.answers import answer
from bot.forms import Form
from bot.slack.delivery import SlackDelivery
from bot.slack.files import shared_minutes
from bot.slack.listeners.answering import InPlace, form_opener
from bot.slack.mrkdwn import named, typed_text
from bot.slack.payloads import interaction_actor
from handlers.context import Actor, Services


def register(app: AsyncApp, services: Services, delivery: SlackDelivery) -> None:
    async def _shortcut(body: dict, actor: Actor, client: AsyncWebClient) -> Form:
        """A file of minutes attached to the message is read in place of its text."""
        message = body.get("message") or {}
        text = message.get("text") or ""
        wants_minutes = body["callback_id"] == "minutes_from_message" and message.get("files")
        if wants_minutes and (shared := await shared_minutes(message["files"], client)):
            return await interactions.minutes_file(services, actor, *shared)
        typed = await named(typed_text(text), services.directory, actor)
        return await interactions.shortcut(services, actor, body["callback_id"], typed)

    async def on_shortcut(ack: AsyncAck, body: dict, client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        actor = interaction_actor(body)
        answering = InPlace(respond, form_opener(client, body, actor.channel_id))
        await answer(delivery, services, actor, answering, _shortcut(body, actor, client), body["callback_id"])

    for callback_id in interactions.SHORTCUTS:
        app.shortcut(callback_id)(on_shortcut)
