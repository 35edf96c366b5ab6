"""The Teams front end: `/api/messages` served by the Microsoft 365 Agents SDK beside the other routes.

Each activity is one turn. Commands are typed to the bot in a channel (`@committee-bot comment ...`); buttons
open dialogs (Teams' task modules: `task/fetch`, `task/submit`), which hold forms and are answered in the HTTP
body of the invoke; a message action fills the comment form. What is only for the person who asked goes to
their 1:1 chat with the bot, never to the channel. What is done and said is decided by the shared core
(bot.interactions, and bot.answers' answer policy); this package reads Teams' activities and writes its cards.
"""

import json
import logging
import uuid
from collections import OrderedDict
from dataclasses import replace

from aiohttp import web
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase
from pydantic import ValidationError

from bot import answers, interactions
from bot.conversations.inputs import TypedText
from bot.forms import Field, Form, FormValues
from bot.message import Button, Message, Person, paragraph
from bot.outcomes import WENT_WRONG, Failure, attempt
from bot.register_replies import home
from bot.replies import Reply, error_message, notice
from bot.teams import cards, files
from bot.teams.connector import PLATFORM, reference_to_keep
from bot.teams.delivery import (
    HomeCards,
    InTheCard,
    InTheChat,
    InTheDialog,
    TeamsDelivery,
    answer_invoke,
    card_action_note,
)
from bot.teams.outbound import teams_platform
from bot.teams.reading import (
    Unreadable,
    Where,
    actor,
    command_of,
    from_a_bot,
    message_action_files,
    message_action_text,
    typed_text,
    where,
)
from bot.teams.roster import TeamsRoster
from bot.teams.settings import TeamsSettings
from handlers import committees, places
from handlers.context import Actor, Services
from handlers.errors import NotFound
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
TOO_LONG = (
    "That message is too long for me to read, so nothing has changed. Long minutes can be sent to me as a file, "
    "here in our chat."
)
NOT_UNDERSTOOD = "Sorry, I didn't understand that. Nothing has changed."
FILE_SAVED = "It is saved in your OneDrive: open it from this card."
FILE_DECLINED = "You declined the file, so nothing was sent. Ask for it again whenever you want it."
# What a clerk may type with a minutes file, before the committee's name.
MINUTES = "minutes"
MINUTES_FROM_MESSAGE = "minutes_from_message"  # the manifest's "Import minutes" message action
# The message action on a message with a file: Teams gives a bot the files people send it in their 1:1 chat, not
# those posted in a channel (they are in the team's SharePoint, which the bot is not given).
POSTED_FILE = "I can't open files posted in a channel. Send {name} to me in our chat, and I'll read the minutes there."
# The button that opens the form a typed command asked for (a message cannot open a dialog itself).
OPEN_FORM = "form.command"
CONFIRMED = "confirmed"
# What reading an activity of a shape Teams never sends raises.
MALFORMED = (Unreadable, ValidationError, KeyError, TypeError, ValueError, AttributeError)


class TeamsBot:
    """The adapter and the bot's turn logic, so that a server can mount it beside the other routes."""

    def __init__(self, settings: TeamsSettings, database: Database, public_url: str = "") -> None:
        self.settings = settings
        self.connections = settings.connections()
        # The outbound half (bot/teams/outbound.py): reminders posted unprompted, with the cards written here, and
        # the roster read through a channel's kept reference when no turn is under way.
        self.platform = teams_platform(database, self.connections, cards.message_card, settings.graph_url)
        self.roster = TeamsRoster(self.platform.directory)
        self.services = Services(database, self.roster, public_url=public_url)
        self.adapter = CloudAdapter(connection_manager=self.connections)
        # The SDK's own handler sends the person the exception's text; ours says something polite, privately.
        self.adapter.on_turn_error = self._on_turn_error
        self.chats: dict[tuple[str, str], str] = {}  # (tenant, person) -> their 1:1 chat with the bot
        self.known_tenants: set[str] = set()  # recorded as Teams' in the database already
        self.offered_forms = OfferedForms()
        self.homes = HomeCards(self._home_of)

    async def _home_of(self, person: Actor) -> Message:
        return home(await home_for(self.services, person), self.services.clock())

    def mount(self, application: web.Application) -> None:
        add_teams_routes(application, self)

    async def on_turn(self, context: TurnContext) -> None:
        token = self.roster.during_turn(context.services.get(ConnectorClientBase))
        try:
            await _Turn(self, context).handle()
        finally:
            self.roster.end_turn(token)

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        malformed = isinstance(error, MALFORMED)
        if malformed:
            log.warning("ignored a Teams activity of a shape Teams does not send: %s: %s", type(error).__name__, error)
        else:
            log.error("a Teams activity failed outside its use case", exc_info=error)
        said = NOT_UNDERSTOOD if malformed else WENT_WRONG
        if context.activity.type == "invoke":
            answer_invoke(context, cards.dialog_note(said))
            return
        try:
            turn = _Turn(self, context)
            await turn.delivery.tell(turn.actor(), error_message(said))
        except Exception:
            log.warning("could not tell the person that their request failed", exc_info=True)


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
    """One activity: read, routed to the shared core, answered by the answer policy (bot.answers)."""

    def __init__(self, bot: TeamsBot, context: TurnContext) -> None:
        self.bot = bot
        self.context = context
        self.activity = context.activity
        self._where: Where | None = None
        self._delivery: TeamsDelivery | None = None

    @property
    def services(self) -> Services:
        return self.bot.services

    @property
    def place(self) -> Where:
        if self._where is None:
            self._where = where(self.activity)
        return self._where

    @property
    def delivery(self) -> TeamsDelivery:
        if self._delivery is None:
            self._delivery = TeamsDelivery(self.context, self.place, self.bot.roster, self.bot.chats, self.bot.homes)
        return self._delivery

    def actor(self, channel_id: str | None = None) -> Actor:
        person = actor(self.activity, self.place)
        return replace(person, channel_id=channel_id) if channel_id else person

    def key(self, person: Actor) -> str:
        """Teams sends a retried activity with its id unchanged."""
        return f"teams:{person.workspace_id}:{self.activity.id}"

    async def handle(self) -> None:
        kind = self.activity.type
        if kind not in ("message", "invoke", "conversationUpdate", "installationUpdate"):
            return
        if kind == "message" and from_a_bot(self.activity):
            return  # another bot's message (in an announcement's thread, say) is no one's to answer, as in Slack
        if kind == "invoke" and self.activity.name not in INVOKES:
            log.warning("unknown invoke %r", str(self.activity.name)[:100])
            self.answer_invoke(cards.dialog_note(NOT_OURS))
            return
        if self.bot.settings.tenant_id and self.place.tenant_id != self.bot.settings.tenant_id:
            log.warning("refused an activity from tenant %s", self.place.tenant_id[:64])
            if kind == "invoke":
                self.answer_invoke(cards.dialog_note(ANOTHER_TENANT))
            return
        if self.place.tenant_id not in self.bot.known_tenants:
            await places.remember_workspace(self.services, self.place.tenant_id, PLATFORM)
            self.bot.known_tenants.add(self.place.tenant_id)
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
        await self.delivery.finish()
        if not self.place.personal:
            await self._remember_place()

    async def _remember_place(self) -> None:
        """What reminders need to post in this committee's channel later, unprompted (bot/teams/reminders.py),
        kept fresh from each use of the bot there."""
        try:
            reference = reference_to_keep(self.context)
            await places.remember_place(self.services, self.place.tenant_id, self.place.place_id, PLATFORM, reference)
        except Exception:
            log.warning("could not keep the reference to %s for reminders", self.place.place_id[:80], exc_info=True)

    def answer_invoke(self, body: dict | None) -> None:
        answer_invoke(self.context, body)

    # Messages: commands, replies in an announcement's thread, and the personal chat.

    async def _message(self) -> None:
        person = self.actor()
        chat = InTheChat(self.delivery, person, _form_offer_for(self.bot.offered_forms, person, None))
        if isinstance(self.activity.value, dict) and not self.activity.text:
            await chat.refuse(Failure(error_message(NOT_OURS)))  # an Action.Submit our cards never send
            return
        try:
            typed = typed_text(self.activity)
        except Unreadable:
            await chat.refuse(Failure(error_message(TOO_LONG)))
            return
        for part in typed.parts:
            if isinstance(part, Person) and part.name:
                self.bot.roster.learn(self.place.tenant_id, self.place.place_id, None, part.member_id, part.name)
        if self.place.personal and (sent := files.file_sent(self.activity)) is not None:
            await self._minutes_file(person, chat, typed, *sent)
            return
        command = command_of(typed, set(interactions.HELP))
        if command is not None:
            await self._command(person, *command)
        elif self.place.thread_ref and not self.place.personal:
            await self._thread_reply(person, chat, typed)
        elif self.place.personal:
            await self._show_home()
        else:
            await chat.privately(_help())

    async def _command(self, person: Actor, name: str, typed: TypedText) -> None:
        chat = InTheChat(self.delivery, person, _form_offer_for(self.bot.offered_forms, person, (name, typed)))
        work = interactions.command(self.services, person, name, typed, self.key(person))
        await answers.answer(self.delivery, self.services, person, chat, work, name, typed.plain())

    async def _minutes_file(self, person: Actor, chat: InTheChat, typed: TypedText, name: str, url: str) -> None:
        """A file sent in the personal chat (the only place Teams gives a bot the files people send): minutes for
        the committee the person clerks, or the one named in what they typed with it ("minutes <committee>")."""
        words = typed.plain().strip()
        named = words[len(MINUTES) :] if words.lower().startswith(MINUTES) else words
        work = committees.in_a_committee_they_clerk(self.services, person, named, "record resolutions")
        there = await attempt(work, person, "minutes file")
        if isinstance(there, Failure):
            await chat.refuse(there)
            return
        # Answered as if asked in the committee's channel, so the form's buttons act for that committee.
        # A form lost before its button is pressed (a restart) is asked for again empty, not with these words.
        again = ("/minutes", TypedText.of(""))
        chat = InTheChat(self.delivery, there, _form_offer_for(self.bot.offered_forms, there, again))
        work = self._minutes_form(there, name, url)
        await answers.answer(self.delivery, self.services, there, chat, work, "minutes file")

    async def _minutes_form(self, there: Actor, name: str, url: str) -> Form:
        return await interactions.minutes_file(
            self.services, there, name, await files.downloaded(name, url, self.bot.settings.file_hosts)
        )

    async def _thread_reply(self, person: Actor, chat: InTheChat, typed: TypedText) -> None:
        # The message's own identity: a retried delivery offers nothing twice.
        source_key = f"teams:{person.workspace_id}:{person.channel_id}:{self.activity.id}"
        work = interactions.thread_reply(self.services, person, self.place.thread_ref or "", typed, source_key)
        await answers.answer(self.delivery, self.services, person, chat, work, "thread reply")

    async def _show_home(self) -> None:
        await self.delivery.show_home(self.actor())

    # Invokes: dialogs opened by buttons, forms submitted in them, message actions, Action.Execute.

    async def _task_fetch(self) -> None:
        await self._press(_invoke_data(self.activity.value))

    async def _task_submit(self) -> None:
        data = _invoke_data(self.activity.value)
        await (self._submit(data) if cards.FORM in data else self._press(data))

    async def _press(self, data: dict) -> None:
        press = _our_press(data)
        if press is None:
            log.warning("a dialog asked for by a card that is not ours")
            self.answer_invoke(cards.dialog_note(NOT_OURS))
            return
        person = self.actor(press.get("channel"))
        if press.get("confirm") and not press.get(CONFIRMED):
            self.answer_invoke(cards.dialog("Are you sure?", _confirmation(press)))
            return
        dialog = InTheDialog(self.delivery, person, self._show_form)
        if press["action"] == OPEN_FORM:
            work = self._command_again(person, press["value"])
        else:
            work = interactions.press(self.services, person, press["action"], press["value"], self.key(person))
        await answers.answer(self.delivery, self.services, person, dialog, work, press["action"])

    async def _command_again(self, person: Actor, value: str) -> Reply | Form:
        """A command that asked for a form, run again where its dialog can be opened."""
        asked = json.loads(value)
        if (kept := self.bot.offered_forms.take(person, asked.get("form"))) is not None:
            return kept
        name, parts = asked["command"], asked["text"]
        if name not in interactions.HELP or not isinstance(parts, list):
            raise NotFound(NOT_OURS)
        typed = TypedText(tuple(_part(part) for part in parts))
        return await interactions.command(self.services, person, name, typed, self.key(person))

    async def _submit(self, data: dict) -> None:
        try:
            submitted = cards.submitted(data)
            form = _form_from(data[cards.FORM].get("form"))
        except (TypeError, KeyError, ValueError):
            log.warning("a form submitted with data our dialogs never send")
            self.answer_invoke(cards.dialog_note(NOT_OURS))
            return
        person = self.actor(submitted.channel_id)
        shown = (form, submitted.opened, submitted.values) if form is not None else None
        dialog = InTheDialog(self.delivery, person, self._show_form, shown, closes=True)
        # The dialog's name, kept while it is open (corrected, or on to its next page): each thing is recorded once.
        key = f"teams:{person.workspace_id}:form:{submitted.opened}"
        work = interactions.submit(self.services, person, submitted.form_id, submitted.context, submitted.values, key)
        await answers.answer(self.delivery, self.services, person, dialog, work, submitted.form_id)

    async def _message_action(self) -> None:
        value = self.activity.value if isinstance(self.activity.value, dict) else {}
        command_id = value.get("commandId")
        if command_id not in interactions.SHORTCUTS:
            self.answer_invoke(cards.dialog_note("That message action is no longer in use."))
            return
        if command_id == MINUTES_FROM_MESSAGE and (posted := message_action_files(value)):
            self.answer_invoke(cards.dialog_note(POSTED_FILE.format(name=posted[0])))
            return
        person = self.actor()
        typed = TypedText.of(message_action_text(value))
        dialog = InTheDialog(self.delivery, person, self._show_form)
        work = interactions.shortcut(self.services, person, command_id, typed)
        await answers.answer(self.delivery, self.services, person, dialog, work, command_id)

    async def _card_action(self) -> None:
        """Action.Execute (Teams' Universal Actions): a press, answered with a note in the card's place."""
        value = self.activity.value if isinstance(self.activity.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        press = _our_press(action.get("data") if isinstance(action.get("data"), dict) else {})
        if press is None:
            self.answer_invoke(card_action_note(NOT_OURS))
            return
        person = self.actor(press.get("channel"))
        pressed = Button("", press["action"], press["value"])
        work = interactions.press(self.services, person, press["action"], press["value"], self.key(person))
        await answers.answer(
            self.delivery, self.services, person, InTheCard(self.delivery, person, pressed), work, press["action"]
        )

    async def _file_consent(self) -> None:
        """A person allowed (or declined) a file offered in their chat: it is made again for them, uploaded where
        Teams said, and a card that opens it is sent to them (bot/teams/files.py checks it was offered to them, in
        this tenant, and that they may still have it)."""
        person = self.actor()
        value = self.activity.value if isinstance(self.activity.value, dict) else {}
        uploaded = await attempt(
            files.upload_accepted(self.services, value, person, self.bot.settings.file_hosts), person, "file consent"
        )
        self.answer_invoke(None)
        if isinstance(uploaded, Failure):
            await self.delivery.tell(person, uploaded.message)
        elif uploaded is None:
            await self.delivery.tell(person, notice(FILE_DECLINED))
        else:
            await self.context.send_activity(Activity(type="message", text=FILE_SAVED, attachments=[uploaded]))

    async def _show_form(
        self, form: Form, person: Actor, opened: str | None, problem: cards.Problem | None, typed: FormValues | None
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
    "composeExtension/submitAction": _Turn._task_submit,
    "adaptiveCard/action": _Turn._card_action,
    "fileConsent/invoke": _Turn._file_consent,
}


def _invoke_data(value: object) -> dict:
    data = value.get("data") if isinstance(value, dict) else None
    return data if isinstance(data, dict) else {}


def _our_press(data: dict) -> dict | None:
    """A press of one of our buttons, as its data carries it; None for anything else."""
    press = data.get(cards.PRESS)
    if not (isinstance(press, dict) and isinstance(press.get("action"), str) and isinstance(press.get("value"), str)):
        return None
    if not isinstance(press.get("channel"), str | None) or not isinstance(press.get("confirm"), str | None):
        return None
    return press


def _confirmation(press: dict) -> dict:
    """A button that asks first (Slack's confirm): the question, and Yes pressing it for real."""
    yes = {**press, CONFIRMED: True}
    content = cards.card([{"type": "TextBlock", "text": cards.literal(press["confirm"]), "wrap": True}])
    content["actions"] = [{"type": "Action.Submit", "title": "Yes", "data": {cards.PRESS: yes}, "style": "destructive"}]
    return content


class OfferedForms:
    """Forms typed commands asked for, kept a while by this process so that the button that opens one shows that
    very form (a minutes import is held once, not again); a button whose form is not kept here (another instance,
    a restart) runs its command again."""

    MOST_KEPT = 500

    def __init__(self) -> None:
        self._kept: OrderedDict[str, tuple[str, str, Form]] = OrderedDict()

    def keep(self, person: Actor, form: Form) -> str:
        token = uuid.uuid4().hex
        self._kept[token] = (person.workspace_id, person.user_id, form)
        while len(self._kept) > self.MOST_KEPT:
            self._kept.popitem(last=False)
        return token

    def take(self, person: Actor, token: object) -> Form | None:
        kept = self._kept.get(token) if isinstance(token, str) else None
        if kept is None or kept[:2] != (person.workspace_id, person.user_id):
            return None
        return kept[2]


def _form_offer_for(offered: OfferedForms, person: Actor, command: tuple[str, TypedText] | None):
    """How a typed command's form is offered: a button that opens it in a dialog."""

    def offer(form: Form) -> Message:
        if command is None:
            return notice(NOT_OURS)
        name, typed = command
        parts = [
            part if isinstance(part, str) else {"person": part.member_id, "name": part.name} for part in typed.parts
        ]
        value = json.dumps({"command": name, "text": parts, "form": offered.keep(person, form)})
        words = form.intro.splitlines()[0] if form.intro else "Fill in the form to carry on."
        button = Button(form.title, OPEN_FORM, value, style="primary")
        return Message(form.title, (paragraph((words,), buttons=(button,)),))

    return offer


def _part(part: object) -> str | Person:
    if isinstance(part, str):
        return part
    if isinstance(part, dict) and isinstance(part.get("person"), str) and isinstance(part.get("name"), str):
        return Person(part["person"], part["name"])
    raise NotFound(NOT_OURS)


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
