"""What people do, routed to the conversation it belongs to.

The Slack app and the console drive the bot only through these functions: commands, button presses and
form submissions come in as plain values; Replies (what to say) or Forms (what to ask) go out.
"""

from bot.conversations import comment_windows, meetings, minutes, register, reminders
from bot.forms import Form, FormValues
from bot.replies import Reply
from handlers.context import Actor, Services
from handlers.errors import NotFound

CONVERSATIONS = (comment_windows, meetings, register, minutes, reminders)
HELP = {name: text for conversation in CONVERSATIONS for name, text in conversation.HELP.items()}
SHORTCUTS = {"comment_from_message": comment_windows.shortcut_form, "minutes_from_message": minutes.shortcut_form}
thread_reply = comment_windows.thread_reply
# A minutes file the platform fetched (posted in a channel) or was given (a path in the console).
minutes_file = minutes.file_form


def _owner_of(identifier: str):
    """The conversation whose buttons or forms start with this prefix ("comment.edit" -> comment windows)."""
    prefix = identifier.split(".", 1)[0]
    for conversation in CONVERSATIONS:
        if prefix in conversation.PREFIXES:
            return conversation
    raise NotFound("That button or form is no longer in use. Please type the command again.")


async def command(services: Services, actor: Actor, name: str, text: str, request_key: str) -> Reply | Form:
    conversation = next(c for c in CONVERSATIONS if name in c.HELP)
    return await conversation.command(services, actor, name, text, request_key)


async def press(services: Services, actor: Actor, action_id: str, value: str, request_key: str) -> Reply | Form:
    return await _owner_of(action_id).press(services, actor, action_id, value, request_key)


async def submit(
    services: Services, actor: Actor, form_id: str, context: str, values: FormValues, request_key: str
) -> Reply | Form:
    return await _owner_of(form_id).submit(services, actor, form_id, context, values, request_key)


async def shortcut(services: Services, actor: Actor, callback_id: str, text: str) -> Form:
    if callback_id not in SHORTCUTS:
        raise NotFound("That shortcut is no longer in use.")
    return await SHORTCUTS[callback_id](services, actor, text)
