"""Reminders in the console: printed as the posts and direct messages they would be, on a clock `/clock` moves on.

The console runs the tick the Slack scheduler runs (handlers.reminders), so a reminder goes out here when, and as
often as, it would in Slack; moving the clock a fortnight on shows a comment window's whole run in seconds.
"""

import itertools
import re
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.console import exports, render, seed
from bot.console.seed import SeedDirectory
from bot.front_end import Outgoing
from bot.message import Context, Message
from bot.reminder_delivery import ReminderDelivery
from handlers.context import Services, system_clock
from handlers.reminders import ReminderTiming, instants_to_tick, tick

INSTANCE = "console"
# Nothing to rate-limit: the terminal is not Slack.
UNPACED = ReminderTiming(pace_seconds=0)
# The plan is read one day ahead at a time: a weekly digest is planned only within its own week, so reading
# further ahead could miss one.
PLAN_STEP = timedelta(days=1)
LONGEST_STEP = timedelta(days=366)
# Digits are bounded so that no typed number overflows a timedelta before it can be refused politely.
STEP = re.compile(r"\+(?:(?P<days>\d{1,4})d)?(?:(?P<hours>\d{1,5})h)?")
STEP_EXAMPLES = "/clock +7d, /clock +3h or /clock +1d12h"

ShowPost = Callable[[str, Message], Awaitable[None]]  # a heading and the message under it


class ConsoleClock:
    """Real time plus an offset that only ever grows, so that a fortnight of reminders can be watched in seconds;
    started again, it resumes where an earlier run had got to."""

    def __init__(self, resume_at: datetime | None = None) -> None:
        self.ahead = timedelta(0)
        if resume_at is not None:
            self.move_to(resume_at)

    def __call__(self) -> datetime:
        return system_clock() + self.ahead

    def move_to(self, instant: datetime) -> None:
        self.ahead = max(self.ahead, instant - system_clock())


class UnreadableStep(ValueError):
    """A `/clock` argument that is not a step forward; the message says what to type instead."""


def read_step(typed: str) -> timedelta:
    """How far to move the clock forward, from "+7d", "+3h" or "+1d12h" (spaces and case ignored)."""
    written = typed.replace(" ", "").lower()
    if written.startswith("-"):
        raise UnreadableStep(f"The console's clock only moves forward. Try {STEP_EXAMPLES}.")
    found = STEP.fullmatch(written)
    if not found or not any(found.groups()):
        raise UnreadableStep(f'I can\'t read "{typed}" as a step forward. Try {STEP_EXAMPLES}.')
    step = timedelta(days=int(found["days"] or 0), hours=int(found["hours"] or 0))
    if not step:
        raise UnreadableStep(f"That would leave the clock where it is. Try {STEP_EXAMPLES}.")
    if step > LONGEST_STEP:
        raise UnreadableStep(f"At most {LONGEST_STEP.days} days at a time, please.")
    return step


def time_label(instant: datetime, zone: str) -> str:
    """When a reminder went out on the console's clock, e.g. "Fri 4 Dec 2026 09:00"."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %Y %H:%M}"


class ConsoleReminderTransport:
    """The ReminderTransport for the console: each reminder is printed, labelled with the console's time, and its
    files saved in ./exports/."""

    def __init__(self, services: Services, directory: SeedDirectory, show_post: ShowPost) -> None:
        self._services = services
        self._directory = directory
        self._show_post = show_post
        self._posted: dict[str, str] = {}  # reminder key -> message id: the console's channel history, for find()
        self._sequence = itertools.count(1)

    def sending(self) -> AbstractAsyncContextManager[None]:
        return nullcontext()

    async def deliver(self, outgoing: Outgoing) -> str:
        attached = tuple(
            Context((f"Attached: {file.title} (saved as {exports.save(file.filename, file.content)})",))
            for file in outgoing.files
        )
        message = replace(outgoing.message, blocks=(*outgoing.message.blocks, *attached))
        await self._show_post(self._heading(outgoing), message)
        message_id = f"{self._services.clock().timestamp():.0f}.{next(self._sequence):06d}"
        if outgoing.key is not None:
            self._posted[outgoing.key] = message_id
        return message_id

    async def find_posted(self, _workspace_id: str, _target: str, keys: set[str]) -> dict[str, str]:
        return {key: self._posted[key] for key in keys if key in self._posted}

    def _heading(self, outgoing: Outgoing) -> str:
        committee = outgoing.committee
        to = (
            f"in {seed.channel_label(outgoing.target)}"
            if outgoing.target == committee.channel_id
            else f"(direct message to {self._directory.name_of(outgoing.target)})"
        )
        return f"[{time_label(self._services.clock(), committee.timezone)}] {render.heading(to)}"


class ConsoleReminders:
    """The console's scheduler: a tick after each command, and one at each instant a reminder falls due while
    `/clock` moves the clock on."""

    def __init__(self, services: Services, clock: ConsoleClock, sender: ReminderDelivery) -> None:
        self._services = services
        self._clock = clock
        self._sender = sender

    async def tick(self) -> int:
        """Send whatever is due now; how many went out."""
        return (await tick(self._services, self._sender, INSTANCE, UNPACED)).sent

    async def advance(self, step: timedelta) -> int:
        """Move the clock on by `step`, ticking at each instant the scheduler, ticking all the time, would find
        something to do (a reminder falling due, a meeting starting, whose reports then move on); how many
        reminders went out. What is due next is worked out again after each tick, which may have changed it."""
        end = self._clock() + step
        sent = 0
        while (now := self._clock()) < end:
            until = min(now + PLAN_STEP, end)
            instants = await instants_to_tick(self._services, now, until)
            self._clock.move_to(instants[0] if instants else until)
            sent += await self.tick()
        return sent
