"""Buttons: add comment, no comments, edit, withdraw, confirm a reply as a comment, open a window."""

import re

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import interactions
from bot.answers import answer
from bot.slack.delivery import SlackDelivery
from bot.slack.listeners.answering import InPlace, Telling, form_opener
from bot.slack.payloads import interaction_actor, request_key
from handlers.context import Services

OUR_ACTIONS = re.compile(rf"^({'|'.join(interactions.BUTTON_PREFIXES)})\.[a-z]+$")


def register(app: AsyncApp, services: Services, delivery: SlackDelivery) -> None:
    @app.action(OUR_ACTIONS)
    async def on_press(ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        actor = interaction_actor(body)
        opens = form_opener(client, body, actor.channel_id)
        if "response_url" in body:
            on_ephemeral = bool((body.get("container") or {}).get("is_ephemeral"))
            answering = InPlace(respond, opens, replaces_note=on_ephemeral)
        else:  # a press on the Home tab has nowhere to answer in place
            answering = Telling(delivery, actor, opens)
        key = request_key(body, actor.workspace_id)
        work = interactions.press(services, actor, action["action_id"], action.get("value") or "", key)
        await answer(delivery, services, actor, answering, work, action["action_id"])
