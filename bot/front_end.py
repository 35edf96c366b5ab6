"""What a front end provides: the ways the bot's words leave on one platform.

The shared core decides what is said, to whom and where (bot/answers.py for answers to requests and what follows
them, bot/reminder_delivery.py for reminders); a front end only carries it, rendering the message model in its
platform's terms. Slack's is in bot/slack/, the console's in bot/console/; docs/adding-a-front-end.md says how to
add another.
"""

from collections.abc import Coroutine
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from bot.forms import Form
from bot.message import Attachment, Message
from bot.outcomes import Failure
from handlers.context import Actor
from storage.committees import CommitteeView


class NotDelivered(Exception):
    """The platform would not take what was sent; the reason is for the log, not for people."""


class FrontEnd(Protocol):
    """Everything the bot sends besides the answer to a request, on one platform."""

    def later(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` after the request is answered: a platform that waits a few seconds for an answer (Slack's
        three) runs it in the background; one that does not may run it before taking the next request."""
        ...

    async def post(self, place: str, message: Message) -> str:
        """Post in a committee's place (a Slack channel, a Teams channel) for everyone there; the post's ref."""
        ...

    async def link_to(self, place: str, ref: str) -> str | None:
        """Where people can open the post `ref` in `place`, if the platform has such addresses."""
        ...

    async def tell(self, actor: Actor, message: Message) -> None:
        """Tell one person privately: in `actor.channel_id` where only they see it, if the platform can and there
        is one; otherwise in a direct message."""
        ...

    async def send_files(self, actor: Actor, files: tuple[Attachment, ...], note: Message | None) -> None:
        """Files to one person, privately, with `note` as their covering words; raises NotDelivered."""
        ...

    async def refresh_home(self, actor: Actor) -> None:
        """Show this person's home view (Slack's Home tab) again, as it is now; a platform without one does
        nothing."""
        ...


class Answering(Protocol):
    """How one request is answered where it was made. The answer policy (bot/answers.py) chooses which of these to
    call; the front end chooses how, within what its platform allows for that kind of request."""

    async def privately(self, message: Message) -> None:
        """The answer, seen only by the person who asked."""
        ...

    async def publicly(self, message: Message) -> None:
        """The answer, seen by everyone in the place where it was asked."""
        ...

    async def refuse(self, failure: Failure) -> None:
        """A polite refusal, seen only by the person who asked; answering a form, beside `failure.field` with the
        form kept open as it was filled in, where the platform can."""
        ...

    async def open_form(self, form: Form) -> Message | None:
        """Open `form` (answering a form: show it in that form's place); None once it is open, else what to tell
        the person, whose request the platform no longer lets the bot answer with a form."""
        ...


@dataclass(frozen=True)
class Outgoing:
    """A reminder (or a note about reminders) as a front end carries it."""

    committee: CommitteeView  # whose it is: its place, workspace and zone
    target: str  # the committee's place (committee.channel_id), or a person for a direct message
    message: Message
    files: tuple[Attachment, ...] = ()  # belong with the message (Slack puts them in its thread)
    # The reminder's ledger key, which the post must carry so that `ReminderTransport.find_posted` finds it. A post
    # without one is not retried by the ledger, so the transport may retry it itself.
    key: str | None = None
    # The post in the committee's place that this one follows up (a report's announcement), for a platform that
    # keeps follow-ups under their post (Teams replies in its thread); None for a direct message.
    follows: str | None = None


class ReminderTransport(Protocol):
    """How a platform carries reminders; bot.reminder_delivery.ReminderDelivery makes them and keeps the ledger."""

    def sending(self) -> AbstractAsyncContextManager[None]:
        """Around one tick's posts: connections to keep open while they go out."""
        ...

    async def deliver(self, outgoing: Outgoing) -> str:
        """Post it; the posted message's ref. Raises handlers.reminders.DeliveryFailed (RateLimited for a refusal
        that did nothing and may be tried again after a wait)."""
        ...

    async def find_posted(self, workspace_id: str, target: str, keys: set[str]) -> dict[str, str]:
        """Recent posts to `target` carrying any of `keys`: the ref of each found, by key."""
        ...
