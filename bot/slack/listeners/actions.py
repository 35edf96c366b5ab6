"""Buttons: add comment, no comments, edit, withdraw, confirm a reply as a comment, open a window."""

import re

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import interactions
from bot.forms import Form
from bot.outcomes import Failure, attempt
from bot.replies import Reply
from bot.slack.blocks import message_payload
from bot.slack.delivery import SlackDelivery
from bot.slack.listeners.forms import open_form
from bot.slack.payloads import interaction_actor, request_key
from handlers.context import Services

OUR_ACTIONS = re.compile(r"^(comment|report|draft|meeting|action|actions|reminder|deadline)\.[a-z]+$")


def register(app: AsyncApp, services: Services, delivery: SlackDelivery) -> None:
    @app.action(OUR_ACTIONS)
    async def on_press(ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        actor = interaction_actor(body)
        work = interactions.press(
            services, actor, action["action_id"], action.get("value") or "", request_key(body, actor.workspace_id)
        )
        outcome = await attempt(work, actor, action["action_id"])
        if isinstance(outcome, Form):
            refusal = await open_form(client, body["trigger_id"], outcome, actor.channel_id)
            if refusal:
                await respond(response_type="ephemeral", replace_original=False, **message_payload(refusal))
            return
        if "response_url" not in body:
            # A press on the Home tab has nowhere to answer in place: the answer comes by direct message.
            delivery.spawn(delivery.tell(actor, None, outcome.message))
        else:
            await _answer_in_place(body, respond, outcome)
        if not isinstance(outcome, Failure):
            delivery.follow_up(actor, outcome)


async def _answer_in_place(body: dict, respond: AsyncRespond, outcome: Reply | Failure) -> None:
    # A button on an ephemeral note replaces that note; one on a channel post must not touch the post.
    on_ephemeral = bool((body.get("container") or {}).get("is_ephemeral"))
    replace = on_ephemeral and not isinstance(outcome, Failure)
    if not isinstance(outcome, Failure) and outcome.in_channel:
        await respond(response_type="in_channel", replace_original=False, **message_payload(outcome.message))
    else:
        await respond(response_type="ephemeral", replace_original=replace, **message_payload(outcome.message))
