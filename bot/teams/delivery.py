"""How Teams carries the bot's words (bot.front_end's FrontEnd and Answering): cards in a person's 1:1 chat with
the bot, posts and threads in a committee's channel, and the HTTP body of an invoke, which is where a dialog is
shown. What to say, to whom, is decided by bot.answers, the same for every platform.

Everything is sent through the connector of the turn being handled (the service address and token Teams gave
for this tenant), and before the turn ends: Teams waits for a message's turn without a deadline as tight as
Slack's three seconds, and a dialog's answer has to be in the invoke's body anyway.
"""

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from aiohttp import ClientResponseError
from microsoft_agents.activity import Activity, ChannelAccount, ConversationParameters, InvokeResponse
from microsoft_agents.hosting.core import ChannelAdapter, TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot.forms import Form, FormValues
from bot.front_end import NotDelivered
from bot.message import Attachment, Button, Message, paragraph, people_in
from bot.outcomes import Failure
from bot.replies import notice
from bot.teams import cards
from bot.teams.files import offer_to
from bot.teams.reading import THREAD, Where
from bot.teams.roster import TeamsRoster
from handlers.context import Actor

log = logging.getLogger(__name__)

FILES_BELOW = (
    "Teams asks before a bot saves files for you: press Allow on each file below and it is saved in your OneDrive, "
    "with a card here that opens it."
)
# The form a dialog showed, the name it goes by while open, and what was typed in it.
ShownForm = tuple[Form, str, FormValues]
# How a turn shows a form in a dialog: the form, for whom, its name if already open, a problem, what was typed.
ShowForm = Callable[[Form, Actor, str | None, cards.Problem | None, FormValues | None], Awaitable[dict]]


class TeamsDelivery:
    """The FrontEnd of one turn: its connector, the tenant it came from, and the 1:1 chats already opened."""

    def __init__(
        self, context: TurnContext, place: Where, roster: TeamsRoster, chats: dict[tuple[str, str], str]
    ) -> None:
        self.context = context
        self.place = place
        self._roster = roster
        self._chats = chats
        self._connector = context.services.get(ConnectorClientBase)
        self._later: list[Coroutine[Any, Any, None]] = []

    def later(self, work: Coroutine[Any, Any, None]) -> None:
        self._later.append(work)

    async def finish(self) -> None:
        """What was left for later, done before the turn's connector closes."""
        while self._later:
            try:
                await self._later.pop(0)
            except Exception:
                log.exception("a follow-up in Teams failed")

    async def post(self, place: str, message: Message) -> str:
        """A new thread in the channel `place`; its ref, the id of the thread's first message."""
        parameters = ConversationParameters(
            is_group=True,
            agent=ChannelAccount(id=self.context.activity.recipient.id),
            tenant_id=self.place.tenant_id,
            channel_data={"channel": {"id": place}, "tenant": {"id": self.place.tenant_id}},
            activity=await self.card(message, place),
        )
        created = await self._connector.conversations.create_conversation(parameters)
        return created.activity_id or created.id.partition(THREAD)[2]

    async def link_to(self, place: str, ref: str) -> str | None:
        return f"https://teams.microsoft.com/l/message/{place}/{ref}"

    async def tell(self, actor: Actor, message: Message) -> None:
        """In the person's 1:1 chat with the bot; buttons on it act in the place they asked from."""
        activity = await self.card(message, actor.channel_id)
        if self.place.personal and self.context.activity.from_property.id == actor.user_id:
            await self.context.send_activity(activity)
            return
        chat = await self._chat_with(actor.user_id)
        await self._connector.conversations.send_to_conversation(chat, activity)

    async def send_files(self, actor: Actor, files: tuple[Attachment, ...], note: Message | None) -> None:
        """Each file offered by a file consent card in the person's 1:1 chat, after a line saying how to take it
        (`note`, the answer's words, was already said there or in the channel's answer to them)."""
        offers = [offer for offer in (offer_to(file, actor) for file in files) if offer is not None]
        if len(offers) < len(files):
            raise NotDelivered("a file that cannot be made again was not offered")
        try:
            chat = await self._chat_with(actor.user_id)
            await self._connector.conversations.send_to_conversation(chat, await self.card(notice(FILES_BELOW), None))
            for offer in offers:
                await self._connector.conversations.send_to_conversation(
                    chat, Activity(type="message", attachments=[offer])
                )
        except ClientResponseError as error:
            raise NotDelivered(f"Teams answered {error.status}") from None

    async def refresh_home(self, actor: Actor) -> None:
        """The personal chat shows home when asked; nothing is redrawn unasked."""

    async def reply_in_place(self, message: Message, place: str) -> None:
        """For everyone where the request was made: in the thread of the request, or as a new thread when it was
        made elsewhere (a dialog opened from a 1:1 chat)."""
        if not self.place.personal and self.place.place_id == place:
            await self.context.send_activity(await self.card(message, place))
        else:
            await self.post(place, message)

    async def card(self, message: Message, place: str | None) -> Activity:
        names = await self._roster.display_names(self.place.tenant_id, people_in(message))
        content = cards.message_card(message, names, place)
        return Activity(
            type="message", summary=cards.unmentionable(message.summary), attachments=[cards.attachment(content)]
        )

    async def _chat_with(self, person_id: str) -> str:
        known = self._chats.get((self.place.tenant_id, person_id))
        if known:
            return known
        parameters = ConversationParameters(
            is_group=False,
            agent=ChannelAccount(id=self.context.activity.recipient.id),
            members=[ChannelAccount(id=person_id)],
            tenant_id=self.place.tenant_id,
            channel_data={"tenant": {"id": self.place.tenant_id}},
        )
        created = await self._connector.conversations.create_conversation(parameters)
        self._chats[(self.place.tenant_id, person_id)] = created.id
        return created.id

    def answer_invoke(self, body: dict | None) -> None:
        answer_invoke(self.context, body)


def answer_invoke(context: TurnContext, body: dict | None) -> None:
    """What an invoke is answered with, in its HTTP body: a dialog, a note, or nothing (a dialog closes)."""
    context.turn_state[ChannelAdapter.INVOKE_RESPONSE_KEY] = Activity(
        type="invokeResponse", value=InvokeResponse(status=200, body=body)
    )


class InTheChat:
    """A message typed to the bot: answered in the person's 1:1 chat, or in the request's thread for everyone. A
    message cannot open a dialog, so a form is offered as a button that opens it."""

    def __init__(self, delivery: TeamsDelivery, actor: Actor, offer: Callable[[Form], Message]) -> None:
        self._delivery = delivery
        self._actor = actor
        self._offer = offer

    async def privately(self, message: Message) -> None:
        await self._delivery.tell(self._actor, message)

    async def publicly(self, message: Message) -> None:
        if self._actor.channel_id is None:
            await self.privately(message)
        else:
            await self._delivery.reply_in_place(message, self._actor.channel_id)

    async def refuse(self, failure: Failure) -> None:
        await self.privately(failure.message)

    async def open_form(self, form: Form) -> Message | None:
        await self.privately(self._offer(form))
        return None


class InTheDialog:
    """A press or a form in a dialog (task/fetch, task/submit, a message action): answered in the invoke's body,
    which shows a dialog (a form, or a form again with its problem) or says a few words; what is said is also
    sent to the person's 1:1 chat, to keep. A submitted form's dialog `closes` once its answer is sent."""

    def __init__(
        self,
        delivery: TeamsDelivery,
        actor: Actor,
        show_form: ShowForm,
        shown: ShownForm | None = None,
        closes: bool = False,
    ) -> None:
        self._delivery = delivery
        self._actor = actor
        self._show_form = show_form
        self._shown = shown
        self._closes = closes

    def _said(self, message: Message) -> None:
        self._delivery.answer_invoke(None if self._closes else cards.dialog_note(message.summary))

    async def privately(self, message: Message) -> None:
        await self._delivery.tell(self._actor, message)
        self._said(message)

    async def publicly(self, message: Message) -> None:
        if self._actor.channel_id is None:
            await self.privately(message)
            return
        await self._delivery.reply_in_place(message, self._actor.channel_id)
        self._said(message)

    async def refuse(self, failure: Failure) -> None:
        if self._shown is None:
            self._delivery.answer_invoke(cards.dialog_note(failure.message.summary))
            return
        form, opened, typed = self._shown
        problem = cards.Problem(failure.message.summary, failure.field)
        self._delivery.answer_invoke(await self._show_form(form, self._actor, opened, problem, typed))

    async def open_form(self, form: Form) -> Message | None:
        opened = self._shown[1] if self._shown is not None else None
        self._delivery.answer_invoke(await self._show_form(form, self._actor, opened, None, None))
        return None


class InTheCard:
    """An Action.Execute press (Teams' Universal Actions): answered with a note in the card's place."""

    def __init__(self, delivery: TeamsDelivery, actor: Actor, pressed: Button) -> None:
        self._delivery = delivery
        self._actor = actor
        self._pressed = pressed

    async def privately(self, message: Message) -> None:
        await self._delivery.tell(self._actor, message)
        self._delivery.answer_invoke(card_action_note(message.summary))

    async def publicly(self, message: Message) -> None:
        if self._actor.channel_id is None:
            await self.privately(message)
            return
        await self._delivery.reply_in_place(message, self._actor.channel_id)
        self._delivery.answer_invoke(card_action_note(message.summary))

    async def refuse(self, failure: Failure) -> None:
        self._delivery.answer_invoke(card_action_note(failure.message.summary))

    async def open_form(self, form: Form) -> Message | None:
        """An Action.Execute cannot open a dialog: the same button, as one that can, in the person's chat."""
        button = Button(form.title, self._pressed.action_id, self._pressed.value, style="primary")
        await self._delivery.tell(
            self._actor, Message(form.title, (paragraph(("Open the form to carry on.",), buttons=(button,)),))
        )
        self._delivery.answer_invoke(card_action_note("I've sent you the form in our chat."))
        return None


def card_action_note(text: str) -> dict:
    return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text}
