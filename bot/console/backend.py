"""`committee-bot console`: the whole bot in a terminal, driven through bot.interactions as Slack's listeners drive it.

Modelled on Errbot's text backend: one person types at a time, and can become someone else (`/as`) or move to
another channel (`/channel`) to see the bot from their side. Buttons are pressed with `/press N`, forms are asked
one question at a time, announcements are printed as channel posts and exported files land in ./exports/.
Reminders are printed as they fall due, on a console clock that `/clock +7d` moves on.
"""

import asyncio
import dataclasses
import sys
import threading
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from bot import interactions, register_replies
from bot.answers import answer, answer_with
from bot.console import exports, render, seed
from bot.console.reminders import ConsoleClock, ConsoleReminders, ConsoleReminderTransport, UnreadableStep, read_step
from bot.console.render import BOT_NAME
from bot.console.seed import SeedDirectory
from bot.conversations.inputs import TypedText
from bot.forms import Field, Form, FormValues
from bot.message import Attachment, Button, Message, people_in
from bot.outcomes import Failure, attempt
from bot.reminder_delivery import ReminderDelivery
from bot.replies import Reply, count_of
from handlers import comment_windows, committees, console_time, meetings
from handlers.comment_windows import WindowSummary
from handlers.context import Actor, Services
from handlers.deadlines import describe_instant
from handlers.home import home_for
from storage.database import Database, shown_url, sqlite_path

QUIT = "/quit"
# @names in these commands' text are people; /comment text is kept as the member typed it.
COMMANDS_NAMING_PEOPLE = ("/committee", "/report")
CONSOLE_HELP = {
    "/as <user>": "act as someone else, e.g. `/as UCLERK` or `/as @director`",
    "/channel <id>": "act in another channel, e.g. `/channel CCFOS`",
    "/press <n>": "press button [n] of the last message",
    "/whoami": "who and where you are",
    "/home": "your Home tab: open comment windows and whether you have responded, resolutions you own",
    "/clock [+7d]": "the console's time; `/clock +7d`, `+3h` or `+1d12h` moves it on, reminders going out as due",
    "/help": "this list",
    QUIT: "leave (end of input does too)",
}
CANCEL = "/cancel"


class FormAbandoned(Exception):
    """The person typed /cancel in a form, or input ended part-way through one."""


class InvalidAnswer(Exception):
    """An answer to a form question that cannot be used; the message says why, and the question is asked again."""


class Terminal:
    """Lines in, text out. Piped input is echoed after its prompt, so that a scripted session reads as a transcript."""

    def __init__(self, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
        self._stdin, self._stdout = stdin, stdout
        self._interactive = stdin.isatty()
        self._ended = False

    async def ask(self, prompt: str) -> str | None:
        """The next line, or None once input has ended."""
        if self._ended:
            return None
        try:
            if self._interactive:
                return await _in_daemon_thread(lambda: input(prompt))
            line = await _in_daemon_thread(self._stdin.readline)
        except EOFError:
            line = ""
        if not line:
            self._ended = True
            return None
        line = line.rstrip("\r\n")
        self.say(prompt + line)
        return line

    def say(self, text: str = "") -> None:
        print(text, file=self._stdout, flush=True)


async def _in_daemon_thread(read: Callable[[], str]) -> str:
    """Block on input without blocking the event loop. A daemon thread, unlike asyncio.to_thread's pool, does not
    keep the process alive after Ctrl-C while it still waits for a line."""
    loop = asyncio.get_running_loop()
    line: asyncio.Future[str] = loop.create_future()

    def settle(outcome: str | Exception) -> None:
        if line.done():  # cancelled by Ctrl-C while the thread waited
            return
        line.set_exception(outcome) if isinstance(outcome, Exception) else line.set_result(outcome)

    def work() -> None:
        try:
            outcome: str | Exception = read()
        except Exception as error:  # noqa: BLE001 - EOFError above all; the awaiting coroutine raises it
            outcome = error
        loop.call_soon_threadsafe(settle, outcome)

    threading.Thread(target=work, name="console-input", daemon=True).start()
    return await line


def _request_key() -> str:
    return f"console:{uuid.uuid4()}"


@dataclass
class ConsoleSession:
    """The console front end: the bot's FrontEnd and the Answering of every request (bot/front_end.py), for one
    person typing at a time."""

    services: Services
    directory: SeedDirectory
    terminal: Terminal
    actor: Actor
    clock: ConsoleClock  # the one services.clock reads
    buttons: tuple[Button, ...] = ()  # of the last message shown, for /press
    reminders: ConsoleReminders = dataclasses.field(init=False)
    # What follows an answer (announcements, files), done before the next prompt.
    pending: list[Coroutine] = dataclasses.field(default_factory=list)

    def __post_init__(self) -> None:
        transport = ConsoleReminderTransport(self.services, self.directory, self.show_under)
        self.reminders = ConsoleReminders(self.services, self.clock, ReminderDelivery(self.services, transport))

    async def run(self) -> int:
        await self.reminders.tick()  # what fell due since the console last ran
        while (line := await self.terminal.ask(self.prompt())) is not None:
            line = line.strip()
            if line == QUIT:
                break
            if line:
                await self.handle(line)
                await self.reminders.tick()  # as the scheduler would within the minute: what falls due now
                await self.keep_the_time()
        self.terminal.say("Goodbye.")
        return 0

    async def keep_the_time(self) -> None:
        """The clock is kept with the data: started again, the console resumes at the time it had reached."""
        await console_time.keep_time_reached(self.services.database, self.services.clock())

    def prompt(self) -> str:
        return f"{self.directory.name_of(self.actor.user_id)} in {seed.channel_label(self.actor.channel_id)}> "

    async def handle(self, line: str) -> None:
        name, _, rest = line.partition(" ")
        if name in interactions.HELP:
            await self.command(name, rest)
        elif name in CONSOLE_COMMANDS:
            await CONSOLE_COMMANDS[name](self, rest.strip())
        elif name == "/cancel":
            self.terminal.say("There is no form open to cancel.")
        elif name.startswith("/"):
            self.terminal.say(f"I don't know {name}. Type /help to see the commands.")
        else:
            self.terminal.say(
                'I only understand commands starting with "/", such as /comment. Type /help to see them all.'
            )
        while self.pending:
            await self.pending.pop(0)

    async def command(self, name: str, text: str) -> None:
        typed = self.directory.typed_text(text) if name in COMMANDS_NAMING_PEOPLE else TypedText.of(text)
        if name == "/minutes" and (path := _minutes_file(text)):
            work = interactions.minutes_file(self.services, self.actor, path.name, path.read_bytes())
        else:
            work = interactions.command(self.services, self.actor, name, typed, _request_key())
        await answer(self, self.services, self.actor, self, work, name, text)

    # The answer to a request (bot.front_end.Answering): the console has one person, and one place they are in.

    async def privately(self, message: Message) -> None:
        await self.show(message)

    async def publicly(self, message: Message) -> None:
        await self.show(message, posted_in=self.actor.channel_id)

    async def refuse(self, failure: Failure) -> None:
        await self.show(failure.message)

    async def open_form(self, form: Form) -> Message | None:
        await self.fill_in(form)
        return None

    # What else goes out (bot.front_end.FrontEnd).

    def later(self, work: Coroutine) -> None:
        self.pending.append(work)

    async def post(self, place: str, message: Message) -> str:
        await self.show(message, posted_in=place)
        return seed.message_ts(self.services.clock())

    async def link_to(self, _place: str, _ref: str) -> str | None:
        return None  # a terminal has no addresses for what it printed

    async def tell(self, _actor: Actor, message: Message) -> None:
        await self.show(message)

    async def refresh_home(self, _actor: Actor) -> None:
        """The console's Home tab is shown when asked for (/home), as it is then."""

    async def show(self, message: Message, posted_in: str | None = None) -> None:
        """A message as its reader sees it; without `posted_in` it is ephemeral, for the actor alone."""
        audience = f"in {seed.channel_label(posted_in)}" if posted_in else "(only you can see this)"
        await self.show_under(render.heading(audience), message)

    async def show_under(self, heading: str, message: Message) -> None:
        """Any message the bot shows, whoever it is for; its buttons become the ones /press presses."""
        names = await self.directory.display_names(self.actor.workspace_id, people_in(message))
        text, self.buttons = render.message_text(message, names, heading)
        self.terminal.say(text + "\n")

    async def send_files(self, _actor: Actor, files: tuple[Attachment, ...], _note: Message | None) -> None:
        sent = count_of(len(files), "file")
        self.terminal.say(f"{BOT_NAME} sent you {sent} by direct message (saved in {exports.EXPORTS_DIR}/):")
        for attachment in files:
            path = exports.save(attachment.filename, attachment.content)
            self.terminal.say(f"{render.INDENT}{path}  {attachment.title}")
        self.terminal.say()

    async def press(self, number: str) -> None:
        if not self.buttons:
            self.terminal.say("The last message has no buttons to press.")
            return
        if not number.isdigit() or not 1 <= int(number) <= len(self.buttons):
            self.terminal.say(f"Please give the number of a button, 1 to {len(self.buttons)}, e.g. /press 1.")
            return
        button = self.buttons[int(number) - 1]
        if button.confirm and not await self.confirmed(button.confirm):
            self.terminal.say("OK, nothing has changed.")
            return
        work = interactions.press(self.services, self.actor, button.action_id, button.value, _request_key())
        await answer(self, self.services, self.actor, self, work, button.action_id)

    async def confirmed(self, question: str) -> bool:
        answer = await self.terminal.ask(f"{question} [y/N]> ")
        return (answer or "").strip().lower() in ("y", "yes")

    async def fill_in(self, form: Form) -> None:
        """A modal as questions, one field at a time, then submitted as Slack would submit it. An answer the bot
        refuses is asked again, alone, the others kept: as Slack keeps a modal open with the reason beside the field.
        """
        self.terminal.say(f"\n── {form.title} ──")
        if form.intro:
            self.terminal.say(form.intro)
        # One key for the form however often it is corrected, as Slack keys a submission by its view.
        request_key = _request_key()
        try:
            values: FormValues = {}
            for field in form.fields:
                if field.kind == "note":
                    self.terminal.say(f"\n{field.label}")
                elif field.kind == "file":  # a terminal has no upload: "/minutes <file>" reads one instead
                    continue
                else:
                    values[field.name] = await self.answer(field)
            while isinstance(outcome := await self.submit(form, values, request_key), Failure):
                if (wrong := _field_named(form, outcome.field)) is None:
                    break
                await self.show(outcome.message)
                self.terminal.say("Please answer that one again; your other answers are kept.")
                values[wrong.name] = await self.answer(_asked_again(wrong, outcome.choices))
        except FormAbandoned:
            self.terminal.say("Form abandoned; nothing was sent.")
            return
        await answer_with(self, self.services, self.actor, self, outcome)
        if isinstance(outcome, Failure):
            self.terminal.say("The form was not sent, so nothing was saved. Please start again with the command.")

    async def submit(self, form: Form, values: FormValues, request_key: str) -> Reply | Form | Failure:
        work = interactions.submit(self.services, self.actor, form.form_id, form.context, values, request_key)
        return await attempt(work, self.actor, form.form_id)

    async def answer(self, field: Field) -> str | tuple[str, ...] | None:
        names = await self.directory.display_names(self.actor.workspace_id, _people_named_in(field))
        self.terminal.say(render.field_question(field))
        prompt = render.field_prompt(field, names)
        while True:
            typed = await (self.read_lines(prompt, field) if field.kind == "multiline" else self.answer_line(prompt))
            try:
                return field_value(field, typed, self.directory)
            except InvalidAnswer as problem:
                self.terminal.say(f"{render.INDENT}{problem}")

    async def answer_line(self, prompt: str) -> str:
        while True:
            line = await self.terminal.ask(prompt)
            if line is None or line.strip() == CANCEL:
                raise FormAbandoned()
            if not _is_a_command(line):
                return line
            self.terminal.say(f"{render.INDENT}You are filling in a form: answer the question, or type {CANCEL} first.")

    async def read_lines(self, prompt: str, field: Field) -> str:
        """Lines up to one holding just "."; where there is text already, an empty first line keeps it, as an
        empty answer does in every other field."""
        lines = [await self.answer_line(prompt)]
        if field.initial and not lines[0].strip():
            return ""
        while lines[-1].strip() != ".":
            if (line := await self.terminal.ask("...> ")) is None:
                raise FormAbandoned()
            lines.append(line)
        return "\n".join(lines[:-1])

    async def act_as(self, typed: str) -> None:
        if not typed:
            self.terminal.say("Whom? E.g. /as UCLERK or /as @director.")
            return
        self.actor = replace(self.actor, user_id=self.directory.user_id_for(typed))
        await self.whoami("")

    async def move_to(self, typed: str) -> None:
        if not typed:
            self.terminal.say(f"Which channel? E.g. /channel {seed.CHANNEL_ID}.")
            return
        self.actor = replace(self.actor, channel_id=seed.channel_id_for(typed))
        await self.whoami("")

    async def whoami(self, _: str) -> None:
        person = self.directory.people.get(self.actor.user_id)
        who = (
            f"{person.name} ({person.user_id}), {person.role}"
            if person
            else f"{self.actor.user_id}, someone the seed doesn't know"
        )
        members = await self.directory.channel_members(self.actor.workspace_id, self.actor.channel_id)
        membership = "a member of" if self.actor.user_id in members else "not a member of"
        setup = await committees.current_setup(self.services, self.actor)
        committee = f"the channel of the {setup.name}" if setup else "not set up as a committee"
        channel = seed.channel_label(self.actor.channel_id)
        self.terminal.say(f"You are {who}; you are {membership} {channel} ({self.actor.channel_id}), {committee}.")

    async def home(self, _: str) -> None:
        outcome = await attempt(home_for(self.services, self.actor), self.actor, "/home")
        if isinstance(outcome, Failure):
            await self.show(outcome.message)
            return
        await self.show_under(render.heading("(your Home tab)"), register_replies.home(outcome, self.services.clock()))

    async def move_clock(self, typed: str) -> None:
        """`/clock` tells the time; `/clock +7d` also moves it on, showing each reminder as it falls due."""
        if typed:
            try:
                step = read_step(typed)
            except UnreadableStep as problem:
                self.terminal.say(str(problem))
                return
            if not await self.reminders.advance(step):
                self.terminal.say("No reminders fell due.")
        zone = await self.zone_here()
        self.terminal.say(
            f"The console's clock says {describe_instant(self.services.clock(), zone)}, {_ahead(self.clock.ahead)}."
        )

    async def zone_here(self) -> str:
        setup = await committees.current_setup(self.services, self.actor)
        return setup.timezone if setup else seed.TIMEZONE

    async def help(self, _: str) -> None:
        lines = ["The bot's commands, as in Slack:"]
        lines += [f"{render.INDENT}{name}  {render.inline_text(text, {})}" for name, text in interactions.HELP.items()]
        lines.append("The console's own commands:")
        lines += [f"{render.INDENT}{name}  {text}" for name, text in CONSOLE_HELP.items()]
        lines.append("People you can be (/as):")
        lines += [
            f"{render.INDENT}{p.user_id} (@{p.handle})  {p.name}, {p.role}" for p in self.directory.people.values()
        ]
        self.terminal.say("\n".join(lines))

    async def welcome(self, seeded: bool, database_url: str) -> None:
        what = "I've set up" if seeded else "Using, as set up on an earlier run,"
        say = self.terminal.say
        say(f"{BOT_NAME} console: the bot in your terminal, no Slack needed.")
        say(f"Its data, and its clock, are kept in {_where_kept(database_url)}.")
        say(
            f"{what} the {seed.COMMITTEE_NAME} in {seed.channel_label(seed.CHANNEL_ID)},"
            f" modelled on its minute of 6 September 2022 ({seed.MINUTE})."
        )
        windows = await comment_windows.open_windows_for_member(self.services, seed.actor(seed.DEFAULT_USER))
        for window in windows:
            say(f'Comments are open on "{window.title}" until {window.deadline_text}; its reference is {window.ref}.')
        calendar = await meetings.upcoming_meetings(self.services, seed.actor(seed.DEFAULT_USER))
        if calendar.meetings:
            say(f"The committee next meets on {calendar.meetings[0].when_text}.")
        say(f"You are {self.directory.name_of(self.actor.user_id)} ({self.actor.user_id}). Things to try:")
        for example in _examples(windows):
            say(f"{render.INDENT}{example}")
        say("/help lists every command; /quit leaves.")
        say()


def _minutes_file(typed: str) -> Path | None:
    """ "/minutes ~/Downloads/minutes.pdf": a file of minutes named by its path, as the console's upload."""
    words = typed.strip().strip("'\"")
    if not words or "\n" in words or len(words) > 4096:
        return None
    path = Path(words).expanduser()
    return path if path.suffix.lower() in (".txt", ".docx", ".pdf") and path.is_file() else None


def _examples(open_windows: list[WindowSummary]) -> list[str]:
    always = [
        "/home   (your Home tab)",
        "/as UCLERK, then /minutes   (a minute's resolutions into the register; /actions lists them)",
        "/clock +15d   (the console's clock a fortnight on: watch the reminders go out as they fall due)",
    ]
    if not open_windows:
        return ["/as UCLERK, then /report   (opens a comment window)", *always]
    # The seed's report, while it is open: the example comment is written for it.
    window = next((w for w in open_windows if w.title == seed.REPORT_TITLE), open_windows[0])
    return [
        f"/comment {window.ref} I welcome the focus on children's mental health",
        "/comment   (a form, one question at a time)",
        f"/as UCLERK, then /report export {window.ref}   (the comments as Word, Markdown and CSV)",
        *always,
    ]


def _ahead(ahead: timedelta) -> str:
    hours = round(ahead / timedelta(hours=1))
    if not hours:
        return "the same as real time"
    days, hours = divmod(hours, 24)
    parts = ([count_of(days, "day")] if days else []) + ([count_of(hours, "hour")] if hours else [])
    return " and ".join(parts) + " ahead of real time"


CONSOLE_COMMANDS = {
    "/as": ConsoleSession.act_as,
    "/channel": ConsoleSession.move_to,
    "/press": ConsoleSession.press,
    "/whoami": ConsoleSession.whoami,
    "/home": ConsoleSession.home,
    "/clock": ConsoleSession.move_clock,
    "/help": ConsoleSession.help,
}


def field_value(field: Field, typed: str, directory: SeedDirectory) -> str | tuple[str, ...] | None:
    """A typed answer as Slack's view state would give it: text, a choice's value, a user id or a tuple of them."""
    typed = typed.strip()
    if not typed:
        if field.initial:
            return field.initial
        if field.optional:
            return _empty(field)
        raise InvalidAnswer(f"This one is needed. Please answer, or type {CANCEL}.")
    if typed == "-" and field.optional:
        return _empty(field)
    if field.kind == "choice":
        return _choice(field, typed)
    if field.kind == "user":
        return _person(typed, directory)
    if field.kind == "users":
        return tuple(_person(name, directory) for name in typed.split(",") if name.strip())
    if field.max_length and len(typed) > field.max_length:
        raise InvalidAnswer(f"That has {len(typed):,} characters; at most {field.max_length:,} fit here.")
    return typed


def _is_a_command(line: str) -> bool:
    """A command typed where a form expects an answer: the person has forgotten the form, or wants out of it."""
    name = line.strip().split(" ", 1)[0]
    return name in interactions.HELP or name in CONSOLE_COMMANDS or name == QUIT


def _asked_again(field: Field, choices: tuple[str, ...]) -> Field:
    """The question again, empty, or as a choice between the answers the bot offered."""
    if choices:
        return replace(field, kind="choice", initial=None, choices=tuple((choice, choice) for choice in choices))
    return replace(field, initial=None)


def _field_named(form: Form, name: str | None) -> Field | None:
    """The question of `form` an error is about, if it is one the person can answer again."""
    return next((field for field in form.fields if field.name == name and field.kind != "note"), None)


def _people_named_in(field: Field) -> tuple[str, ...]:
    if field.kind not in ("user", "users") or not field.initial:
        return ()
    return (field.initial,) if isinstance(field.initial, str) else field.initial


def _empty(field: Field) -> tuple[str, ...] | None:
    return () if field.kind == "users" else None


def _choice(field: Field, typed: str) -> str:
    if typed.isdigit() and 1 <= int(typed) <= len(field.choices):
        return field.choices[int(typed) - 1][0]
    raise InvalidAnswer(f"Please type a number from 1 to {len(field.choices)}.")


def _person(typed: str, directory: SeedDirectory) -> str:
    user_id = directory.find(typed)
    if user_id is None:
        raise InvalidAnswer(
            f'I don\'t know anyone called "{typed.strip()}". Type /cancel, then /help to see who is here.'
        )
    return user_id


async def run_console(database: Database, database_url: str, user: str | None, channel: str | None) -> int:
    try:
        directory = SeedDirectory()
        clock = ConsoleClock(resume_at=await console_time.time_reached(database))
        services = Services(database, directory, clock)
        seeded = await seed.seed(services)
        session = ConsoleSession(services, directory, Terminal(), _first_actor(directory, user, channel), clock)
        await session.welcome(seeded, database_url)
        return await session.run()
    except asyncio.CancelledError:
        # Ctrl-C: asyncio.run cancels us. Leaving quietly reads better than a KeyboardInterrupt traceback.
        print("\nGoodbye.")
        return 130
    finally:
        await database.dispose()


def _where_kept(database_url: str) -> str:
    if path := sqlite_path(database_url):
        return f"{path} (delete it to start afresh)"
    return shown_url(database_url)


def _first_actor(directory: SeedDirectory, user: str | None, channel: str | None) -> Actor:
    user_id = directory.user_id_for(user) if user else seed.DEFAULT_USER
    return seed.actor(user_id, seed.channel_id_for(channel) if channel else seed.CHANNEL_ID)
