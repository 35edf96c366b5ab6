"""The Teams front end: `/api/messages` served by the Microsoft 365 Agents SDK beside the other routes.

Each activity is one turn. Commands are typed to the bot in a channel (`@committee-bot comment ...`); buttons
open dialogs (Teams' task modules: `task/fetch`, `task/submit`), which hold forms and are answered in the HTTP
body of the invoke; a message action fills the comment form. What is only for the person who asked goes to
their 1:1 chat with the bot, never to the channel. Everything is decided by the shared core (bot.interactions,
bot.outcomes); this package only reads Teams' activities and writes its cards.
"""

import json
import logging
import uuid
from dataclasses import replace

from aiohttp import web
from microsoft_agents.activity import Activity, ChannelAccount, ConversationParameters, InvokeResponse
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase
from pydantic import ValidationError

from bot import interactions
from bot.conversations.inputs import TypedText
from bot.forms import Field, Form
from bot.message import Button, Message, Person, paragraph, people_in
from bot.outcomes import WENT_WRONG, Failure, attempt
from bot.register_replies import home
from bot.replies import Reply, announcement, error_message, notice
from bot.teams import cards
from bot.teams.reading import Unreadable, Where, actor, command_of, message_action_text, typed_text, where
from bot.teams.roster import TeamsRoster
from bot.teams.settings import TeamsSettings
from handlers.comment_windows import WindowSummary, record_announcement
from handlers.context import Actor, Services
from handlers.home import home_for
from storage.database import Database

MESSAGES_PATH = "/api/messages"
# The most a request to /api/messages may carry: Teams' own messages are far smaller.
MOST_BODY_BYTES = 1024 * 1024
log = logging.getLogger(__name__)

ANOTHER_TENANT = (
    "Sorry, this committee-bot is installed for another Microsoft 365 organisation, so it can't act on requests "
    "from yours. Nothing has changed."
)
NOT_OURS = "That button or form is no longer in use. Please type the command again."
TOO_LONG = "That message is too long for me to read. Nothing has changed."
NOT_UNDERSTOOD = "Sorry, I didn't understand that. Nothing has changed."
OPEN_FORM = "form.command"
CONFIRMED = "confirmed"
SHORTCUT_COMMANDS = tuple(interactions.SHORTCUTS)
FILES_NOT_YET = (
    "The files are ready, but this bot can't send files in Teams yet. Ask the clerk to export them from the "
    "command line (committee-bot) or use the console."
)


class TeamsBot:
    """The adapter and the bot's turn logic, so that a server can mount it beside the other routes."""

    def __init__(self, settings: TeamsSettings, database: Database, public_url: str = "") -> None:
        self.settings = settings
        self.roster = TeamsRoster()
        self.services = Services(database, self.roster, public_url=public_url)
        self.connections = settings.connections()
        self.adapter = CloudAdapter(connection_manager=self.connections)
        # The SDK's own handler tells the person the exception's text; ours says something polite, privately.
        self.adapter.on_turn_error = self._on_turn_error
        self._chats: dict[tuple[str, str], str] = {}

    def mount(self, application: web.Application) -> None:
        add_teams_routes(application, self)

    async def on_turn(self, context: TurnContext) -> None:
        connector = context.services.get(ConnectorClientBase)
        token = self.roster.during_turn(connector)
        try:
            await _Turn(self, context).handle()
        finally:
            self.roster.end_turn(token)

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        if isinstance(error, Unreadable | ValidationError | KeyError | TypeError | ValueError | AttributeError):
            log.warning("ignored a Teams activity of a shape Teams does not send: %s: %s", type(error).__name__, error)
        else:
            log.error("a Teams activity failed outside its use case", exc_info=error)
        turn = _Turn(self, context)
        if context.activity.type == "invoke":
            turn.answer_invoke(cards.dialog_note(WENT_WRONG if not isinstance(error, Unreadable) else NOT_UNDERSTOOD))
            return
        try:
            await turn.privately(error_message(NOT_UNDERSTOOD if isinstance(error, Unreadable) else WENT_WRONG))
        except Exception:
            log.exception("could not tell the person that their request failed")


def add_teams_routes(application: web.Application, bot: TeamsBot) -> None:
    """`/api/messages` on `application`, with the SDK's JWT check on that route alone (the other routes are
    not Teams', and carry no bearer token)."""
    application["agent_configuration"] = bot.connections.get_default_connection_configuration()

    @jwt_authorization_decorator
    async def messages(request: web.Request) -> web.StreamResponse:
        if request.content_length is not None and request.content_length > MOST_BODY_BYTES:
            return web.Response(status=413)
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("not an object")
            Activity.model_validate(body)
        except (ValueError, ValidationError) as malformed:
            log.warning("refused a request to %s that is not an activity: %s", MESSAGES_PATH, str(malformed)[:200])
            return web.json_response({"error": "not an activity"}, status=400)
        return await bot.adapter.process(request, bot)

    application.router.add_post(MESSAGES_PATH, messages)


class _Turn:
    """One activity, and the ways of answering it."""

    def __init__(self, bot: TeamsBot, context: TurnContext) -> None:
        self.bot = bot
        self.context = context
        self.activity = context.activity
        self.connector = context.services.get(ConnectorClientBase)
        self._where: Where | None = None

    @property
    def services(self) -> Services:
        return self.bot.services

    @property
    def place(self) -> Where:
        if self._where is None:
            self._where = where(self.activity)
        return self._where

    def actor(self, channel_id: str | None = None) -> Actor:
        person = actor(self.activity, self.place)
        return replace(person, channel_id=channel_id) if channel_id else person

    async def handle(self) -> None:
        kind = self.activity.type
        if kind not in ("message", "invoke", "conversationUpdate", "installationUpdate"):
            return
        if kind == "invoke" and self.activity.name not in INVOKES:
            log.warning("unknown invoke %r", str(self.activity.name)[:100])
            self.answer_invoke(cards.dialog_note(NOT_OURS))
            return
        if self.bot.settings.tenant_id and self.place.tenant_id != self.bot.settings.tenant_id:
            await self._refuse_tenant()
            return
        sender = self.activity.from_property
        self.bot.roster.learn(
            self.place.tenant_id, self.place.place_id, self.place.team_id, sender.id or "", sender.name or ""
        )
        if kind == "invoke":
            await INVOKES[self.activity.name](self)
        elif kind == "message":
            await self._message()
        elif self.place.personal:
            await self._show_home()

    async def _refuse_tenant(self) -> None:
        log.warning("refused an activity from tenant %s", self.place.tenant_id[:64])
        if self.activity.type == "invoke":
            self.answer_invoke(cards.dialog_note(ANOTHER_TENANT))

    # Messages: commands, replies in an announcement's thread, and the personal chat.

    async def _message(self) -> None:
        if isinstance(self.activity.value, dict) and not self.activity.text:
            await self.privately(error_message(NOT_OURS))  # an Action.Submit our cards never send
            return
        try:
            typed = typed_text(self.activity)
        except Unreadable:
            await self.privately(error_message(TOO_LONG))
            return
        for part in typed.parts:
            if isinstance(part, Person) and part.name:
                self.bot.roster.learn(self.place.tenant_id, self.place.place_id, None, part.member_id, part.name)
        command = command_of(typed, set(interactions.HELP))
        if command is not None:
            await self._command(*command)
        elif self.place.thread_ref and not self.place.personal:
            await self._thread_reply(typed)
        elif self.place.personal:
            await self._show_home()
        else:
            await self.privately(_help())

    async def _command(self, name: str, typed: TypedText) -> None:
        person = self.actor()
        key = f"teams:{person.workspace_id}:{self.activity.id}"
        their_text = typed.plain() if name == "/comment" else None
        outcome = await attempt(interactions.command(self.services, person, name, typed, key), person, name, their_text)
        if isinstance(outcome, Form):
            await self.privately(_form_offer(outcome, name, typed), person.channel_id)
            return
        await self.answer(person, outcome)

    async def _thread_reply(self, typed: TypedText) -> None:
        person = self.actor()
        source_key = f"teams:{person.workspace_id}:{person.channel_id}:{self.activity.id}"
        work = interactions.thread_reply(self.services, person, self.place.thread_ref or "", typed, source_key)
        outcome = await attempt(work, person, "thread reply")
        if outcome is not None and outcome.message is not None:
            await self.privately(outcome.message, person.channel_id)

    async def _show_home(self) -> None:
        person = self.actor()
        view = home(await home_for(self.services, person), self.services.clock())
        await self.privately(view)

    # Invokes: dialogs opened by buttons, forms submitted in them, message actions.

    async def _task_fetch(self) -> None:
        data = _invoke_data(self.activity.value)
        await self._press(data)

    async def _task_submit(self) -> None:
        data = _invoke_data(self.activity.value)
        if cards.FORM in data:
            await self._submit(data)
        else:
            await self._press(data)

    async def _press(self, data: dict) -> None:
        press = data.get(cards.PRESS)
        if not (
            isinstance(press, dict) and isinstance(press.get("action"), str) and isinstance(press.get("value"), str)
        ):
            log.warning("a dialog asked for by a card that is not ours")
            self.answer_invoke(cards.dialog_note(NOT_OURS))
            return
        channel = press.get("channel") if isinstance(press.get("channel"), str) else None
        person = self.actor(channel)
        if isinstance(press.get("confirm"), str) and not press.get(CONFIRMED):
            self.answer_invoke(cards.dialog("Are you sure?", _confirmation(press)))
            return
        if press["action"] == OPEN_FORM:
            outcome = await attempt(self._command_again(person, press["value"]), person, OPEN_FORM)
        else:
            key = f"teams:{person.workspace_id}:{self.activity.id}"
            work = interactions.press(self.services, person, press["action"], press["value"], key)
            outcome = await attempt(work, person, press["action"])
        if isinstance(outcome, Form):
            self.answer_invoke(await self._dialog(outcome, person))
            return
        await self.answer(person, outcome)
        self.answer_invoke(cards.dialog_note(_summary(outcome)))

    async def _command_again(self, person: Actor, value: str) -> Reply | Form:
        """A command that asked for a form, run again where its dialog can be opened."""
        asked = json.loads(value)
        name, parts = asked["command"], asked["text"]
        if name not in interactions.HELP or not isinstance(parts, list):
            raise TypeError("not a command")
        typed = TypedText(tuple(_part(part) for part in parts))
        key = f"teams:{person.workspace_id}:{self.activity.id}"
        return await interactions.command(self.services, person, name, typed, key)

    async def _submit(self, data: dict) -> None:
        try:
            submitted = cards.submitted(data)
            form = _form_from(data[cards.FORM].get("form"))
        except (TypeError, KeyError, ValueError):
            log.warning("a form submitted with data our dialogs never send")
            self.answer_invoke(cards.dialog_note(NOT_OURS))
            return
        person = self.actor(submitted.channel_id)
        key = f"teams:{person.workspace_id}:form:{submitted.opened}"
        work = interactions.submit(self.services, person, submitted.form_id, submitted.context, submitted.values, key)
        outcome = await attempt(work, person, submitted.form_id)
        if isinstance(outcome, Form):
            self.answer_invoke(await self._dialog(outcome, person, submitted.opened))
        elif isinstance(outcome, Failure):
            if form is None:
                self.answer_invoke(cards.dialog_note(outcome.message.summary))
            else:
                shown_again = await self._dialog(
                    form, person, submitted.opened, outcome.message.summary, submitted.values
                )
                self.answer_invoke(shown_again)
        else:
            await self.answer(person, outcome)
            self.answer_invoke(None)

    async def _message_action(self) -> None:
        value = self.activity.value if isinstance(self.activity.value, dict) else {}
        command_id = value.get("commandId")
        person = self.actor()
        if command_id not in SHORTCUT_COMMANDS:
            self.answer_invoke(cards.dialog_note("That message action is no longer in use."))
            return
        typed = TypedText.of(message_action_text(value))
        outcome = await attempt(interactions.shortcut(self.services, person, command_id, typed), person, command_id)
        if isinstance(outcome, Failure):
            self.answer_invoke(cards.dialog_note(outcome.message.summary))
        else:
            self.answer_invoke(await self._dialog(outcome, person))

    async def _message_action_submit(self) -> None:
        data = _invoke_data(self.activity.value)
        await self._submit(data)

    async def _card_action(self) -> None:
        """Action.Execute (Teams' Universal Actions): a press, answered with a note in the card's place."""
        value = self.activity.value if isinstance(self.activity.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        press = data.get(cards.PRESS)
        if not (
            isinstance(press, dict) and isinstance(press.get("action"), str) and isinstance(press.get("value"), str)
        ):
            self.answer_invoke(_card_action_note(NOT_OURS))
            return
        person = self.actor(press.get("channel") if isinstance(press.get("channel"), str) else None)
        key = f"teams:{person.workspace_id}:{self.activity.id}"
        work = interactions.press(self.services, person, press["action"], press["value"], key)
        outcome = await attempt(work, person, press["action"])
        if isinstance(outcome, Form):
            await self.privately(_form_offer_for_press(outcome, press), person.channel_id)
            self.answer_invoke(_card_action_note("I've sent you the form in our chat."))
            return
        await self.answer(person, outcome)
        self.answer_invoke(_card_action_note(_summary(outcome)))

    # Answering.

    def answer_invoke(self, body: dict | None) -> None:
        self.context.turn_state[self.bot.adapter.INVOKE_RESPONSE_KEY] = Activity(
            type="invokeResponse", value=InvokeResponse(status=200, body=body)
        )

    async def answer(self, person: Actor, outcome: Reply | Failure | None) -> None:
        """The answer policy: a refusal, and any reply not meant for the place, privately; then what follows."""
        if outcome is None:
            return
        if isinstance(outcome, Failure):
            await self.privately(outcome.message)
            return
        if outcome.message is not None:
            if outcome.in_channel and person.channel_id:
                await self.publicly(person.channel_id, outcome.message)
            else:
                await self.privately(outcome.message, person.channel_id)
        for window in outcome.announce:
            await self._announce(person, window)
        if outcome.files:
            await self.privately(notice(FILES_NOT_YET))

    async def _card(self, message: Message, place: str | None) -> Activity:
        names = await self.bot.roster.display_names(self.place.tenant_id, people_in(message))
        content = cards.message_card(message, names, place)
        return Activity(type="message", summary=_no_tags(message.summary), attachments=[cards.attachment(content)])

    async def privately(self, message: Message, place: str | None = None) -> None:
        """To the person who asked, in their 1:1 chat with the bot; buttons on it act in `place`."""
        activity = await self._card(message, place)
        if self.place.personal:
            await self.context.send_activity(activity)
            return
        chat = await self._chat_with(self.activity.from_property.id)
        await self.connector.conversations.send_to_conversation(chat, activity)

    async def publicly(self, place: str, message: Message) -> None:
        """For everyone in the place: in the thread of the request where it was made there, else (a form
        submitted from a 1:1 chat) as a new post in the place."""
        activity = await self._card(message, place)
        if not self.place.personal and self.place.place_id == place:
            await self.context.send_activity(activity)
        else:
            await self._new_thread(place, activity)

    async def _new_thread(self, place: str, activity: Activity) -> str:
        """Posts `activity` as a new thread in the channel `place`; its ref (the thread's first message's id)."""
        parameters = ConversationParameters(
            is_group=True,
            agent=ChannelAccount(id=self.activity.recipient.id),
            tenant_id=self.place.tenant_id,
            channel_data={"channel": {"id": place}, "tenant": {"id": self.place.tenant_id}},
            activity=activity,
        )
        created = await self.connector.conversations.create_conversation(parameters)
        return created.activity_id or created.id.partition(";messageid=")[2]

    async def _chat_with(self, person_id: str) -> str:
        known = self.bot._chats.get((self.place.tenant_id, person_id))
        if known:
            return known
        parameters = ConversationParameters(
            is_group=False,
            agent=ChannelAccount(id=self.activity.recipient.id),
            members=[ChannelAccount(id=person_id)],
            tenant_id=self.place.tenant_id,
            channel_data={"tenant": {"id": self.place.tenant_id}},
        )
        created = await self.connector.conversations.create_conversation(parameters)
        self.bot._chats[(self.place.tenant_id, person_id)] = created.id
        return created.id

    async def _announce(self, person: Actor, window: WindowSummary) -> None:
        """A new thread in the committee's channel; replies in it are offered as comments."""
        ref = await self._new_thread(window.channel_id, await self._card(announcement(window), window.channel_id))
        link = f"https://teams.microsoft.com/l/message/{window.channel_id}/{ref}"
        await record_announcement(self.services, person, window.id, ref, link)
        log.info("announced window %s in %s at %s", window.id, window.channel_id, ref)

    async def _dialog(
        self, form: Form, person: Actor, opened: str | None = None, problem: str | None = None, typed=None
    ) -> dict:
        people = await self._people_to_choose(form, person)
        opened = opened or uuid.uuid4().hex
        return cards.dialog(form.title, cards.form_card(form, person.channel_id, people, opened, problem, typed))

    async def _people_to_choose(self, form: Form, person: Actor) -> list[cards.MemberChoice]:
        """The channel's members, for a form that asks for people: Teams' own people picker gives ids of another
        kind than the ones its messages carry."""
        if not any(field.kind in ("user", "users") for field in form.fields) or not person.channel_id:
            return []
        members = await self.bot.roster.channel_members(person.workspace_id, person.channel_id)
        names = await self.bot.roster.display_names(person.workspace_id, members)
        return sorted((cards.MemberChoice(m, names.get(m, m)) for m in members), key=lambda c: c.name.lower())


INVOKES = {
    "task/fetch": _Turn._task_fetch,
    "task/submit": _Turn._task_submit,
    "composeExtension/fetchTask": _Turn._message_action,
    "composeExtension/submitAction": _Turn._message_action_submit,
    "adaptiveCard/action": _Turn._card_action,
}


def _invoke_data(value: object) -> dict:
    data = value.get("data") if isinstance(value, dict) else None
    return data if isinstance(data, dict) else {}


def _summary(outcome: Reply | Failure | None) -> str:
    if outcome is None or outcome.message is None:
        return "Done."
    return outcome.message.summary


def _no_tags(text: str) -> str:
    return cards.AT_TAG.sub(lambda tag: f"<{tag.group(1)}\u200bat", text)


def _card_action_note(text: str) -> dict:
    return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text}


def _confirmation(press: dict) -> dict:
    yes = {**press, CONFIRMED: True}
    body = [{"type": "TextBlock", "text": cards.literal(press["confirm"]), "wrap": True}]
    content = cards.card(body)
    content["actions"] = [{"type": "Action.Submit", "title": "Yes", "data": {cards.PRESS: yes}, "style": "destructive"}]
    return content


def _form_offer(form: Form, name: str, typed: TypedText) -> Message:
    """A form asked for by a typed command: a message can't open a dialog, so a button that opens it."""
    parts = [part if isinstance(part, str) else {"person": part.member_id, "name": part.name} for part in typed.parts]
    value = json.dumps({"command": name, "text": parts})
    words = form.intro.splitlines()[0] if form.intro else "Fill in the form to carry on."
    return Message(form.title, (paragraph((words,), buttons=(Button(form.title, OPEN_FORM, value, style="primary"),)),))


def _form_offer_for_press(form: Form, press: dict) -> Message:
    button = Button(form.title, press["action"], press["value"], style="primary")
    return Message(form.title, (paragraph(("Open the form to carry on.",), buttons=(button,)),))


def _part(part: object) -> str | Person:
    if isinstance(part, str):
        return part
    if isinstance(part, dict) and isinstance(part.get("person"), str) and isinstance(part.get("name"), str):
        return Person(part["person"], part["name"])
    raise TypeError("not a part")


def _help() -> Message:
    names = ", ".join(name.lstrip("/") for name in interactions.HELP)
    return notice(f"Type @{cards.BOT_NAME} and then one of: {names}. For example: @{cards.BOT_NAME} comment list")


def _form_from(saved: object) -> Form | None:
    """The form a dialog showed, as its submit button carried it, to show it again with a problem."""
    if saved is None:
        return None
    if not isinstance(saved, dict):
        raise TypeError("not a form")
    fields = tuple(
        Field(
            name=str(field["name"]),
            label=str(field["label"]),
            kind=str(field["kind"]),
            optional=bool(field.get("optional")),
            initial=tuple(field["initial"]) if isinstance(field.get("initial"), list) else field.get("initial"),
            choices=tuple((str(value), str(label)) for value, label in field.get("choices") or ()),
            hint=field.get("hint"),
            max_length=field.get("max_length"),
        )
        for field in saved["fields"]
    )
    return Form(
        str(saved["form_id"]),
        str(saved["title"]),
        str(saved["submit"]),
        fields,
        str(saved.get("context") or ""),
        saved.get("intro"),
    )
