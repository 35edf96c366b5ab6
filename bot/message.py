"""What the bot says, as structure rather than any platform's markup.

A message is blocks of inline runs. A plain `str` in a run is literal text: each front end escapes it for its
platform and never reads anything in it as markup, so nothing a member typed can ping anyone or change how a
message looks. Each front end renders the model its own way (Block Kit and mrkdwn for Slack, plain text for the
console), splitting long text to its own limits.
"""

from dataclasses import dataclass
from typing import NamedTuple

from handlers.wording import Command, Verbatim
from storage.models import FORMER_MEMBER


@dataclass(frozen=True, slots=True)
class Strong:
    text: str


@dataclass(frozen=True, slots=True)
class Em:
    """Quieter than the words around it: "no owner yet"."""

    text: str


@dataclass(frozen=True, slots=True)
class Link:
    url: str  # an http(s) address, checked where it came in
    label: str


@dataclass(frozen=True, slots=True)
class Person:
    """Someone by our own member id (the id kept in our tables); each front end names or mentions them its way.
    `name` is how they were written where someone typed the mention, for their words as typed."""

    member_id: str
    name: str = ""


def someone(member_id: str) -> "Person | str":
    """Someone the platform shows by name; a former member (their personal data erased) is no one it knows, and
    is only described."""
    return FORMER_MEMBER if member_id == FORMER_MEMBER else Person(member_id)


@dataclass(frozen=True, slots=True)
class Icon:
    """A mark before the words it goes with. The one that carries meaning is "warning"; the rest decorate."""

    name: str  # warning, question, information, memo, hourglass, lock, report, date, moved, overdue, done


Run = str | Strong | Em | Link | Person | Command | Verbatim | Icon
Inline = tuple[Run, ...]


@dataclass(frozen=True, slots=True)
class Quote:
    """A person's words, verbatim, however many lines."""

    text: str


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[Inline, ...]


# A paragraph's lines: text, a quotation or a list, each starting on a line of its own.
Line = Inline | Quote | Bullets


class Button(NamedTuple):
    """A tuple rather than a frozen dataclass, as immutable and a third of the cost to make: a page of the
    register has sixty."""

    label: str
    action_id: str
    value: str
    style: str | None = None
    confirm: str | None = None


@dataclass(frozen=True, slots=True)
class Paragraph:
    lines: tuple[Line, ...]
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True, slots=True)
class Context:
    """Small print under a message."""

    inline: Inline


@dataclass(frozen=True, slots=True)
class Actions:
    """Buttons on a line of their own."""

    buttons: tuple[Button, ...]


Block = Paragraph | Context | Actions


@dataclass(frozen=True, slots=True)
class Message:
    summary: str  # plain text, for notifications and screen readers
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    title: str
    content: bytes
    # What the file is made from, for a platform that makes it again when its person asks for it (Teams uploads a
    # file only once they accept it, maybe in another process): the kind of file, and the id of its subject.
    made_from: tuple[str, int] | None = None


def paragraph(*lines: Line, buttons: tuple[Button, ...] = ()) -> Paragraph:
    return Paragraph(lines, buttons)


def plain_text(inline: Inline) -> str:
    """The words of `inline` without their marks, for a summary."""
    return "".join(_plain_run(run) for run in inline)


def _plain_run(run: Run) -> str:
    if isinstance(run, str):
        return run
    if isinstance(run, Strong | Em):
        return run.text
    if isinstance(run, Link):
        return run.label
    if isinstance(run, Command | Verbatim):
        return run.plain()
    return ""  # a person is named by the front end; an icon has no words


def people_in(message: Message) -> set[str]:
    """The member ids a message mentions, for a front end to look their names up at once."""
    return {run.member_id for inline in _inlines(message) for run in inline if isinstance(run, Person)}


def _inlines(message: Message):
    for block in message.blocks:
        if isinstance(block, Context):
            yield block.inline
        elif isinstance(block, Paragraph):
            for piece in block.lines:
                if isinstance(piece, Bullets):
                    yield from piece.items
                elif not isinstance(piece, Quote):
                    yield piece
