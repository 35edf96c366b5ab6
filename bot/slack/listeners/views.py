"""Modal submissions: every form the bot opens comes back here."""

import re

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot import interactions
from bot.forms import Form
from bot.outcomes import Failure, attempt
from bot.slack.blocks import modal, modal_metadata, submitted_values
from bot.slack.delivery import SlackDelivery
from bot.slack.payloads import interaction_actor
from handlers.context import Services

OUR_FORMS = re.compile(r"^(committee|report|comment|meeting|action|minutes)\.[a-z]+$")


def view_request_key(body: dict, team_id: str) -> str:
    """A modal keeps its id while it is open, and Slack resends the same view on a retry: a form that was
    refused and corrected, or that leads on to a second form, still writes each thing once."""
    return f"slack:{team_id}:view:{body['view']['id']}"


def register(app: AsyncApp, services: Services, delivery: SlackDelivery) -> None:
    @app.view(OUR_FORMS)
    async def on_submit(ack: AsyncAck, body: dict, view: dict) -> None:
        context, channel_id = modal_metadata(view)
        actor = interaction_actor(body, channel_id)
        values = submitted_values(view)
        key = view_request_key(body, actor.workspace_id)
        outcome = await attempt(
            interactions.submit(services, actor, view["callback_id"], context, values, key), actor, view["callback_id"]
        )
        if isinstance(outcome, Failure):
            # The modal stays open with what they typed, the reason shown beside the field at fault.
            field = outcome.field if outcome.field in values else next(iter(values), "text")
            await ack(response_action="errors", errors={field: outcome.message.summary[:1000]})
        elif isinstance(outcome, Form):
            await ack(response_action="update", view=modal(outcome, channel_id))
        else:
            await ack()
            delivery.follow_up(actor, outcome, tell_in=channel_id)
            if channel_id is None:  # opened from the Home tab, which should show the change now
                delivery.refresh_home(actor)
