"""What people do, routed to the conversation it belongs to.

The Slack app and the console drive the bot only through these functions: commands, button presses and
form submissions come in as plain values, and what people typed as TypedText, already read by their front end;
Replies (what to say) or Forms (what to ask) go out. Every text that comes in is made plain here
(handlers.plain_text), once, whatever the front end.
"""

import hashlib
import json
import logging

from bot import replies
from bot.conversations import (
    CommandRequest,
    Conversation,
    OnPress,
    OnSubmit,
    Press,
    Submission,
    comment_windows,
    meetings,
    minutes,
    register,
    reminders,
)
from bot.conversations.inputs import TypedText
from bot.forms import Form, FormValues
from bot.message import Person
from bot.replies import Reply
from handlers.context import Actor, Services
from handlers.deadlines import AmbiguousDeadline, Deadline
from handlers.errors import NotFound
from handlers.plain_text import plain

log = logging.getLogger(__name__)

CONVERSATIONS: tuple[Conversation, ...] = tuple(
    module.CONVERSATION for module in (comment_windows, meetings, register, minutes, reminders)
)
# The routing tables every front end registers, all derived from what the conversations declare.
HELP = {name: text for conversation in CONVERSATIONS for name, text in conversation.help.items()}
COMMANDS = tuple(HELP)
SHORTCUTS = {name: form for conversation in CONVERSATIONS for name, form in conversation.shortcuts.items()}
_CHOICES_OF_DATE = replies.CHOOSE_DATE.split(".", 1)[0]  # the buttons of `command` itself, below
BUTTON_PREFIXES = (*(p for c in CONVERSATIONS for p in c.button_prefixes), _CHOICES_OF_DATE)
FORM_PREFIXES = tuple(p for c in CONVERSATIONS for p in c.form_prefixes)
# A choice of dates carries its command again in each button; the longest value every front end's button carries.
MOST_BUTTON_VALUE = 2000


def _plain(value):
    """Text made plain, and a tuple of texts (people chosen in a form); anything else, which only a forged
    payload carries, is left for the conversation to refuse."""
    if isinstance(value, str):
        return plain(value)
    return tuple(map(_plain, value)) if isinstance(value, tuple) else value


# A minutes file the platform fetched (posted in a channel) or was given (a path in the console).
minutes_file = minutes.file_form


def _pressed_on(action_id: str) -> OnPress:
    """The press handler of the conversation whose buttons start with this prefix ("comment.edit")."""
    prefix = action_id.split(".", 1)[0]
    for conversation in CONVERSATIONS:
        if prefix in conversation.button_prefixes and conversation.press:
            return conversation.press
    raise NotFound("That button or form is no longer in use. Please type the command again.")


def _submitted_to(form_id: str) -> OnSubmit:
    prefix = form_id.split(".", 1)[0]
    for conversation in CONVERSATIONS:
        if prefix in conversation.form_prefixes and conversation.submit:
            return conversation.submit
    raise NotFound("That button or form is no longer in use. Please type the command again.")


async def command(services: Services, actor: Actor, name: str, typed: TypedText, request_key: str) -> Reply | Form:
    answers = next(c.command for c in CONVERSATIONS if name in c.help and c.command)
    typed = typed.with_text(plain)
    try:
        return await answers(services, actor, CommandRequest(name, typed, request_key))
    except AmbiguousDeadline as asked:
        # "next Friday" early in a week: the command again, with each reading spelled out, one button each.
        choices = [
            (
                reading.day_words,
                json.dumps({"command": name, "text": _parts(_spelled_out(asked, typed, reading)), "of": request_key}),
            )
            for reading in asked.readings
        ]
        if any(len(value) > MOST_BUTTON_VALUE for _, value in choices):
            raise  # too long to carry in a button: the question alone, to answer by typing the date
        return Reply(replies.which_date(asked.message, choices))


def _spelled_out(asked: AmbiguousDeadline, typed: TypedText, reading: Deadline) -> TypedText:
    """What was typed, its last "next <weekday>" spelled out as the date of `reading`."""
    parts = list(typed.parts)
    for n in reversed(range(len(parts))):
        if isinstance(parts[n], str) and (spelled := asked.spelled_out(parts[n], reading)) != parts[n]:
            parts[n] = spelled
            break
    return TypedText(tuple(parts))


def _parts(typed: TypedText) -> list[str | dict[str, str]]:
    return [part if isinstance(part, str) else {"person": part.member_id, "name": part.name} for part in typed.parts]


def _typed(parts: object) -> TypedText:
    """Typed text carried in a button; anything but what _parts writes is forged."""
    if not isinstance(parts, list):
        raise TypeError("not a list of parts")
    return TypedText(tuple(map(_part, parts)))


def _part(part: object) -> str | Person:
    if isinstance(part, str):
        return part
    person, name = part["person"], part["name"]
    if not (isinstance(person, str) and isinstance(name, str)):
        raise TypeError("not a person")
    return Person(person, name)


async def press(services: Services, actor: Actor, action_id: str, value: str, request_key: str) -> Reply | Form:
    value = _plain(value)
    if action_id == replies.CHOOSE_DATE:
        return await _chosen_date(services, actor, value)
    return await _pressed_on(action_id)(services, actor, Press(action_id, value, request_key))


async def _chosen_date(services: Services, actor: Actor, value: str) -> Reply | Form:
    """The command that asked which date was meant, run again as if typed with that date. Its request key follows
    from what was chosen, by whom, for which request: pressing twice, or both buttons, does one thing at most per
    date, and a forged value can only act as its presser."""
    try:
        chosen = json.loads(value)
        name, typed, of = chosen["command"], _typed(chosen["text"]), chosen["of"]
        if name not in HELP or not isinstance(of, str):
            raise ValueError(name)
    except (ValueError, KeyError, TypeError):
        log.warning("malformed %s value from %s", replies.CHOOSE_DATE, actor.user_id)
        raise NotFound("That choice is out of date. Please type the command again.") from None
    digest = hashlib.sha256(f"{actor.workspace_id}:{actor.user_id}:{value}".encode()).hexdigest()
    return await command(services, actor, name, typed, f"chosen:{digest}")


async def submit(
    services: Services, actor: Actor, form_id: str, context: str, values: FormValues, request_key: str
) -> Reply | Form:
    values = {name: _plain(value) for name, value in values.items()}
    return await _submitted_to(form_id)(services, actor, Submission(form_id, _plain(context), values, request_key))


async def shortcut(services: Services, actor: Actor, callback_id: str, typed: TypedText) -> Form:
    if callback_id not in SHORTCUTS:
        raise NotFound("That shortcut is no longer in use.")
    return await SHORTCUTS[callback_id](services, actor, typed.with_text(plain))


async def thread_reply(
    services: Services, actor: Actor, thread_ref: str, typed: TypedText, source_key: str
) -> Reply | None:
    return await comment_windows.thread_reply(services, actor, thread_ref, typed.with_text(plain), source_key)
