"""An in-process front end, as Errbot's test backend is: it drives the shared core (bot.interactions, the answer
policy in bot.answers, reminders made by bot.reminder_delivery) with no platform in between, and records everything
that goes out in the message model, before any platform renders it. Behaviour is tested once, here; each adapter's
own tests need only check that it translates.

It is a front end like any other (bot/front_end.py): a FrontEnd, an Answering for each request, and a
ReminderTransport.
"""

import itertools
from collections.abc import Coroutine, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from bot import interactions
from bot.answers import answer
from bot.conversations.inputs import TypedText
from bot.forms import Form, FormValues
from bot.front_end import Outgoing
from bot.message import Actions, Attachment, Bullets, Button, Context, Message, Paragraph, Person, Quote, plain_text
from bot.outcomes import Failure
from bot.reminder_delivery import ReminderDelivery
from handlers.context import Actor, Services
from handlers.reminders import ReminderTiming, TickReport, tick
from storage.database import Database

WORKSPACE = "TCORE"
CHANNEL = "CCORE"
CLERK = "UCLERK"
OFFICER = "UOFFICER"
MEMBERS = ("UPATEL", "UJONES")
STRANGER = "USTRANGER"
NAMES = {CLERK: "Dana Clerk", OFFICER: "Director", "UPATEL": "Cllr Patel", "UJONES": "Cllr Jones"}


@dataclass(frozen=True)
class Went:
    """One thing the bot sent. `how`: privately, publicly or refused (answers to a request), form (opened), posted
    (in a place), told (a private note outside an answer), files, home (refreshed) or reminder."""

    how: str
    to: str  # a person, or a place
    message: Message | None = None
    form: Form | None = None
    files: tuple[Attachment, ...] = ()
    field: str | None = None  # refused: the field of the form at fault
    key: str | None = None  # reminder: its ledger key

    @property
    def text(self) -> str:
        return words(self.message) if self.message else ""

    def button(self, label: str) -> Button:
        found = {b.label: b for b in buttons(self.message)} if self.message else {}
        assert label in found, f"no {label!r} button in {sorted(found)}"
        return found[label]


def words(message: Message) -> str:
    """What a message says, people as @their-id, with no platform's rendering."""
    lines: list[str] = []
    for block in message.blocks:
        if isinstance(block, Context):
            lines.append(_inline(block.inline))
        elif isinstance(block, Paragraph):
            for line in block.lines:
                if isinstance(line, Quote):
                    lines.append(line.text)
                elif isinstance(line, Bullets):
                    lines += [_inline(item) for item in line.items]
                else:
                    lines.append(_inline(line))
    return "\n".join(lines)


def _inline(runs: Iterable) -> str:
    return "".join(f"@{run.member_id}" if isinstance(run, Person) else plain_text((run,)) for run in runs)


def buttons(message: Message) -> tuple[Button, ...]:
    return tuple(
        button for block in message.blocks if isinstance(block, Paragraph | Actions) for button in block.buttons
    )


class Directory:
    """Everyone named is in the committee's channel; the stranger is in none."""

    async def channel_members(self, workspace_id: str, channel_id: str) -> frozenset[str]:
        return frozenset(NAMES)

    async def display_names(self, workspace_id: str, user_ids: Iterable[str]) -> dict[str, str]:
        return {user_id: NAMES[user_id] for user_id in user_ids if user_id in NAMES}


class _Answering:
    def __init__(self, front_end: "InProcess", actor: Actor) -> None:
        self._front_end, self._actor = front_end, actor

    async def privately(self, message: Message) -> None:
        self._front_end.went(Went("privately", self._actor.user_id, message))

    async def publicly(self, message: Message) -> None:
        self._front_end.went(Went("publicly", self._actor.channel_id or "", message))

    async def refuse(self, failure: Failure) -> None:
        self._front_end.went(Went("refused", self._actor.user_id, failure.message, field=failure.field))

    async def open_form(self, form: Form) -> Message | None:
        self._front_end.went(Went("form", self._actor.user_id, form=form))
        return None


@dataclass
class InProcess:
    database: Database
    now: datetime
    out: list[Went] = field(default_factory=list)
    services: Services = field(init=False)
    reminders: ReminderDelivery = field(init=False)
    _pending: list[Coroutine] = field(default_factory=list)
    _refs: itertools.count = field(default_factory=lambda: itertools.count(1))
    _posted_keys: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.services = Services(self.database, Directory(), clock=lambda: self.now)
        self.reminders = ReminderDelivery(self.services, self)

    def went(self, what: Went) -> None:
        self.out.append(what)

    # Driving the core, as a person would through any front end: what went out for each request is returned.

    async def command(self, user: str, name: str, *typed: str | Person, channel: str = CHANNEL) -> list[Went]:
        actor = Actor(WORKSPACE, user, channel)
        text = TypedText.of(*typed)
        work = interactions.command(self.services, actor, name, text, self._key())
        return await self._answered(actor, work, name, text.plain())

    async def press(self, user: str, button: Button, channel: str = CHANNEL) -> list[Went]:
        actor = Actor(WORKSPACE, user, channel)
        work = interactions.press(self.services, actor, button.action_id, button.value, self._key())
        return await self._answered(actor, work, button.action_id)

    async def submit(self, user: str, form: Form, values: FormValues, channel: str = CHANNEL) -> list[Went]:
        """The form submitted with its fields as they were shown (initial values), changed by `values`."""
        actor = Actor(WORKSPACE, user, channel)
        filled = {f.name: f.initial for f in form.fields if f.kind not in ("note", "file")} | values
        work = interactions.submit(self.services, actor, form.form_id, form.context, filled, self._key())
        return await self._answered(actor, work, form.form_id)

    async def tick(self) -> TickReport:
        """The scheduler's tick at `now`, reminders coming out here."""
        return await tick(self.services, self.reminders, "in-process", ReminderTiming(pace_seconds=0))

    async def _answered(self, actor: Actor, work, what: str, typed: str | None = None) -> list[Went]:
        before = len(self.out)
        await answer(self, self.services, actor, _Answering(self, actor), work, what, typed)
        while self._pending:
            await self._pending.pop(0)
        return self.out[before:]

    def _key(self) -> str:
        return f"in-process:{next(self._refs)}"

    # FrontEnd

    def later(self, work: Coroutine) -> None:
        self._pending.append(work)

    async def post(self, place: str, message: Message) -> str:
        self.went(Went("posted", place, message))
        return f"ref-{next(self._refs)}"

    async def link_to(self, place: str, ref: str) -> str | None:
        return f"https://chat.example/{place}/{ref}"

    async def tell(self, actor: Actor, message: Message) -> None:
        self.went(Went("told", actor.user_id, message))

    async def send_files(self, actor: Actor, files: tuple[Attachment, ...], note: Message | None) -> None:
        self.went(Went("files", actor.user_id, note, files=files))

    async def refresh_home(self, actor: Actor) -> None:
        self.went(Went("home", actor.user_id))

    # ReminderTransport

    def sending(self):
        return nullcontext()

    async def deliver(self, outgoing: Outgoing) -> str:
        self.went(Went("reminder", outgoing.target, outgoing.message, files=outgoing.files, key=outgoing.key))
        ref = f"ref-{next(self._refs)}"
        if outgoing.key:
            self._posted_keys[outgoing.key] = ref
        return ref

    async def find_posted(self, _workspace_id: str, target: str, keys: set[str]) -> dict[str, str]:
        return {key: self._posted_keys[key] for key in keys if key in self._posted_keys}
