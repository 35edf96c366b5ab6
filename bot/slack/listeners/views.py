"""Modal submissions: every form the bot opens comes back here."""

import asyncio
import logging
import re
from dataclasses import dataclass

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import interactions
from bot.answers import answer
from bot.forms import Form, FormValues
from bot.message import Message
from bot.outcomes import Failure
from bot.slack.blocks import MAX_SECTION_TEXT, file_inputs, modal, modal_metadata, submitted_values, within
from bot.slack.delivery import SlackDelivery
from bot.slack.files import uploaded_minutes
from bot.slack.mrkdwn import escape
from bot.slack.payloads import interaction_actor
from handlers.context import Actor, Services
from handlers.document_text import minutes_text

log = logging.getLogger(__name__)

MAX_ERROR = 1000  # what Slack shows beside a field
OUR_FORMS = re.compile(rf"^({'|'.join(interactions.FORM_PREFIXES)})\.[a-z]+$")


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
            delivery.later(_submit_with_uploads(client, delivery, submission, uploads))
            return
        answering = _InTheAck(ack, delivery, actor, values)
        work = interactions.submit(services, actor, view["callback_id"], context, values, key)
        await answer(delivery, services, actor, answering, work, view["callback_id"])
        if not answering.acked:
            await ack()


class _InTheAck:
    """A form submitted: the ack keeps it open (with the reason beside the field at fault) or shows the next form in
    its place; an answer goes where the form was opened, and one opened from the Home tab shows there instead."""

    def __init__(self, ack: AsyncAck, delivery: SlackDelivery, actor: Actor, values: FormValues) -> None:
        self._ack, self._delivery, self._actor, self._values = ack, delivery, actor, values
        self.acked = False

    async def privately(self, message: Message) -> None:
        if not self._shown_on_home():
            self._delivery.later(self._delivery.tell(self._actor, message))

    async def publicly(self, message: Message) -> None:
        if not self._shown_on_home():
            self._delivery.later(self._delivery.post(self._actor.channel_id, message))

    def _shown_on_home(self) -> bool:
        if self._actor.channel_id is not None:
            return False
        self._delivery.later(self._delivery.refresh_home(self._actor))
        return True

    async def refuse(self, failure: Failure) -> None:
        field = failure.field if failure.field in self._values else next(iter(self._values), "text")
        self.acked = True
        await self._ack(response_action="errors", errors={field: within(failure.message.summary, MAX_ERROR)})

    async def open_form(self, form: Form) -> Message | None:
        self.acked = True
        await self._ack(response_action="update", view=modal(form, self._actor.channel_id))
        return None


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


async def _submit_with_uploads(
    client: AsyncWebClient, delivery: SlackDelivery, submission: _Submission, uploads: dict[str, list[str]]
) -> None:
    s = submission
    work = _read_and_submit(client, s, uploads)
    await answer(delivery, s.services, s.actor, _InTheFormRead(client, s), work, s.view["callback_id"])


class _InTheFormRead:
    """A form submitted with files, answered once they are read, in the form itself ("Reading your file...")."""

    def __init__(self, client: AsyncWebClient, submission: _Submission) -> None:
        self._client, self._submission = client, submission

    async def _show(self, view: dict) -> None:
        try:
            await self._client.views_update(view_id=self._submission.view["id"], view=view)
        except SlackApiError as error:
            log.warning("could not show what was read from the upload: %s", error.response.get("error"))

    async def privately(self, message: Message) -> None:
        await self._show(_with_problem(self._submission.view, self._submission.values, None))

    publicly = privately

    async def refuse(self, failure: Failure) -> None:
        s = self._submission
        await self._show(_with_problem(s.view, s.values, failure.message.summary))

    async def open_form(self, form: Form) -> Message | None:
        await self._show(modal(form, self._submission.channel_id))
        return None


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
