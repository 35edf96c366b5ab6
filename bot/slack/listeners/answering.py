"""How Slack answers each kind of request (bot.front_end.Answering): which of its channels for an answer each one
has, within the three seconds Slack waits. What to answer is decided by bot.answers, the same for every platform.
"""

from collections.abc import Awaitable, Callable

import orjson
from slack_bolt.async_app import AsyncAck, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.forms import Form
from bot.message import Message
from bot.outcomes import Failure
from bot.replies import error_message
from bot.slack.blocks import message_payload, modal
from bot.slack.delivery import SlackDelivery
from handlers.context import Actor

OpenForm = Callable[[Form], Awaitable[Message | None]]


async def open_form(client: AsyncWebClient, trigger_id: str, form: Form, channel_id: str | None) -> Message | None:
    """Open the form as a modal; a message for the person if Slack refused (the trigger expires in about 3 s)."""
    try:
        await client.views_open(trigger_id=trigger_id, view=modal(form, channel_id))
        return None
    except SlackApiError as error:
        reason = error.response.get("error")
        return error_message(f"Sorry, Slack wouldn't open the form ({reason}). Please try the command again.")


def form_opener(client: AsyncWebClient, body: dict, channel_id: str | None) -> OpenForm:
    return lambda form: open_form(client, body["trigger_id"], form, channel_id)


class InTheAck:
    """A slash command: answered in its acknowledgement, which must come once and within three seconds."""

    def __init__(self, ack: AsyncAck, opens: OpenForm) -> None:
        self._ack = ack
        self._opens = opens
        self.acked = False

    async def _answer(self, **payload) -> None:
        self.acked = True
        # One string is sent as the body as it is, labelled JSON since it starts with "{" (BoltResponse): written
        # by orjson rather than by Bolt's json.dumps, which took a tenth of the CPU of a page of the register.
        await self._ack(orjson.dumps(payload).decode())

    async def privately(self, message: Message) -> None:
        await self._answer(response_type="ephemeral", **message_payload(message))

    async def publicly(self, message: Message) -> None:
        await self._answer(response_type="in_channel", **message_payload(message))

    async def refuse(self, failure: Failure) -> None:
        await self.privately(failure.message)

    async def open_form(self, form: Form) -> Message | None:
        return await self._opens(form)


class InPlace:
    """A button or shortcut, answered through its response_url. An answer to a button on an ephemeral note replaces
    that note; one on a channel post never touches the post, and nor does a refusal."""

    def __init__(self, respond: AsyncRespond, opens: OpenForm, replaces_note: bool = False) -> None:
        self._respond = respond
        self._opens = opens
        self._replaces_note = replaces_note

    async def privately(self, message: Message) -> None:
        await self._respond(response_type="ephemeral", replace_original=self._replaces_note, **message_payload(message))

    async def publicly(self, message: Message) -> None:
        await self._respond(response_type="in_channel", replace_original=False, **message_payload(message))

    async def refuse(self, failure: Failure) -> None:
        await self._respond(response_type="ephemeral", replace_original=False, **message_payload(failure.message))

    async def open_form(self, form: Form) -> Message | None:
        return await self._opens(form)


class Telling:
    """What has nowhere to answer in place (a press on the Home tab, a reply in a thread): the answer is an
    ephemeral note where the person is, or a direct message."""

    def __init__(self, delivery: SlackDelivery, actor: Actor, opens: OpenForm | None = None) -> None:
        self._delivery = delivery
        self._actor = actor
        self._opens = opens

    async def privately(self, message: Message) -> None:
        self._delivery.later(self._delivery.tell(self._actor, message))

    publicly = privately

    async def refuse(self, failure: Failure) -> None:
        await self.privately(failure.message)

    async def open_form(self, form: Form) -> Message | None:
        if self._opens is None:
            raise ValueError(f"{form.form_id} offered where no form can open")
        return await self._opens(form)
