"""Modal submissions: set up a committee, open a comment window, add or edit a comment."""

import re

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot import interactions
from bot.slack.blocks import modal_metadata, submitted_values
from bot.slack.delivery import SlackDelivery
from bot.slack.payloads import Failure, attempt, interaction_actor, request_key
from handlers.context import Services

OUR_FORMS = re.compile(r"^(committee|report|comment)\.[a-z]+$")


def register(app: AsyncApp, services: Services, delivery: SlackDelivery) -> None:
    @app.view(OUR_FORMS)
    async def on_submit(ack: AsyncAck, body: dict, view: dict) -> None:
        context, channel_id = modal_metadata(view)
        actor = interaction_actor(body, channel_id)
        values = submitted_values(view)
        work = interactions.submit(
            services, actor, view["callback_id"], context, values, request_key(body, actor.workspace_id)
        )
        outcome = await attempt(work, actor, view["callback_id"])
        if isinstance(outcome, Failure):
            # The modal stays open with what they typed, the reason shown beside the field at fault.
            field = outcome.field if outcome.field in values else next(iter(values), "text")
            await ack(response_action="errors", errors={field: outcome.message.summary[:1000]})
            return
        await ack()
        delivery.follow_up(actor, outcome, tell_in=channel_id)
