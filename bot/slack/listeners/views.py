"""Modal submissions: every form the bot opens comes back here."""

import asyncio
import logging
import re
from dataclasses import dataclass

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import interactions
from bot.forms import Form, FormValues
from bot.outcomes import Failure, attempt
from bot.slack.blocks import MAX_SECTION_TEXT, file_inputs, modal, modal_metadata, submitted_values, within
from bot.slack.delivery import SlackDelivery
from bot.slack.files import uploaded_minutes
from bot.slack.mrkdwn import escape
from bot.slack.payloads import interaction_actor
from handlers.context import Actor, Services
from handlers.document_text import minutes_text

log = logging.getLogger(__name__)

MAX_ERROR = 1000  # what Slack shows beside a field
OUR_FORMS = re.compile(r"^(committee|report|comment|meeting|action|minutes)\.[a-z]+$")


def view_request_key(body: dict, team_id: str) -> str:
    """A modal keeps its id while it is open, and Slack resends the same view on a retry: a form that was
    refused and corrected, or that leads on to a second form, still writes each thing once."""
    return f"slack:{team_id}:view:{body['view']['id']}"


def register(app: AsyncApp, services: Services, delivery: SlackDelivery) -> None:
    @app.view(OUR_FORMS)
    async def on_submit(ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient) -> None:
        context, channel_id = modal_metadata(view)
        actor = interaction_actor(body, channel_id)
        values = submitted_values(view)
        key = view_request_key(body, actor.workspace_id)
        if uploads := file_inputs(view):
            # Reading a file may take longer than the three seconds Slack waits for an answer.
            await ack(response_action="update", view=_reading(view, channel_id))
            submission = _Submission(services, actor, view, values, context, key, channel_id)
            delivery.spawn(_submit_with_uploads(client, submission, uploads))
            return
        outcome = await attempt(
            interactions.submit(services, actor, view["callback_id"], context, values, key), actor, view["callback_id"]
        )
        if isinstance(outcome, Failure):
            # The modal stays open with what they typed, the reason shown beside the field at fault.
            field = outcome.field if outcome.field in values else next(iter(values), "text")
            await ack(response_action="errors", errors={field: within(outcome.message.summary, MAX_ERROR)})
        elif isinstance(outcome, Form):
            await ack(response_action="update", view=modal(outcome, channel_id))
        else:
            await ack()
            delivery.follow_up(actor, outcome, tell_in=channel_id)
            if channel_id is None:  # opened from the Home tab, which should show the change now
                delivery.refresh_home(actor)


@dataclass(frozen=True)
class _Submission:
    """A form submitted with files, answered once they are read."""

    services: Services
    actor: Actor
    view: dict
    values: FormValues
    context: str
    key: str
    channel_id: str | None


def _reading(view: dict, channel_id: str | None) -> dict:
    return modal(Form(view["callback_id"], "Reading the file", "", (), intro="Reading your file..."), channel_id)


async def _submit_with_uploads(client: AsyncWebClient, submission: _Submission, uploads: dict[str, list[str]]) -> None:
    s = submission
    outcome = await attempt(_read_and_submit(client, s, uploads), s.actor, s.view["callback_id"])
    answer = (
        modal(outcome, s.channel_id)
        if isinstance(outcome, Form)
        else _with_problem(s.view, s.values, outcome.message.summary if isinstance(outcome, Failure) else None)
    )
    try:
        await client.views_update(view_id=s.view["id"], view=answer)
    except SlackApiError as error:
        log.warning("could not show what was read from the upload: %s", error.response.get("error"))


async def _read_and_submit(client: AsyncWebClient, s: _Submission, uploads: dict[str, list[str]]) -> Form:
    values = dict(s.values)
    for field, file_ids in uploads.items():
        name, content = await uploaded_minutes(file_ids[0], client)
        values[field] = await asyncio.to_thread(minutes_text, name, content)
    return await interactions.submit(s.services, s.actor, s.view["callback_id"], s.context, values, s.key)


def _with_problem(view: dict, values: FormValues, problem: str | None) -> dict:
    """The form as it was submitted, what was typed kept, with the problem said above it."""
    blocks = []
    for block in view.get("blocks", []):
        typed = values.get(block.get("block_id", ""))
        element = block.get("element", {})
        if element.get("type") == "plain_text_input" and isinstance(typed, str) and typed:
            block = {**block, "element": {**element, "initial_value": typed[: element.get("max_length", 3000)]}}
        blocks.append(block)
    said = problem or "Done."
    notice = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": within(f":warning: {escape(said)}", MAX_SECTION_TEXT)},
    }
    keep = ("type", "callback_id", "title", "submit", "close", "private_metadata")
    return {**{name: view[name] for name in keep if name in view}, "blocks": [notice, *blocks]}
