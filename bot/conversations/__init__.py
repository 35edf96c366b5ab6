"""The bot's conversations, one module per capability, each declaring what it answers as a Conversation;
bot.interactions routes to them, and derives every routing table (commands, button and form prefixes, shortcuts)
from these declarations."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from bot.conversations.inputs import TypedText
from bot.forms import Form, FormValues
from bot.message import Inline
from bot.replies import Reply
from handlers.context import Actor, Services


@dataclass(frozen=True)
class CommandRequest:
    name: str  # "/comment"
    typed: TypedText  # what followed it, read by the front end
    request_key: str  # the same for a request delivered twice: each write it makes is made once


@dataclass(frozen=True)
class Press:
    action_id: str  # "comment.edit": the prefix says whose button it is
    value: str  # what the button carries
    request_key: str


@dataclass(frozen=True)
class Submission:
    form_id: str  # "comment.add": the prefix says whose form it is
    context: str  # what the form carries besides its fields (Form.context)
    values: FormValues
    request_key: str


Answer = Reply | Form
OnCommand = Callable[[Services, Actor, CommandRequest], Awaitable[Answer]]
OnPress = Callable[[Services, Actor, Press], Awaitable[Answer]]
OnSubmit = Callable[[Services, Actor, Submission], Awaitable[Answer]]
OnShortcut = Callable[[Services, Actor, TypedText], Awaitable[Form]]


@dataclass(frozen=True)
class Conversation:
    """What one capability answers. Buttons' action ids and forms' ids are "<prefix>.<what>", and a prefix belongs
    to one conversation."""

    help: Mapping[str, Inline]  # the commands it answers ("/comment"), with what their help says
    command: OnCommand | None = None
    button_prefixes: tuple[str, ...] = ()
    press: OnPress | None = None
    form_prefixes: tuple[str, ...] = ()
    submit: OnSubmit | None = None
    # Message shortcuts ("Add as comment on a report" on any message), by their id.
    shortcuts: Mapping[str, OnShortcut] = field(default_factory=dict)
