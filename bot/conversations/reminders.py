"""The buttons on reminders: a clerk's snooze, mute and unmute, a member's "stop these messages"."""

from bot import reminder_replies, replies
from bot.conversations import Conversation, Press
from bot.replies import Reply
from handlers import reminder_settings
from handlers.context import Actor, Services
from handlers.deadlines import describe_instant


async def press(services: Services, actor: Actor, pressed: Press) -> Reply:
    if pressed.action_id == "reminder.mutedm":
        await reminder_settings.stop_direct_messages(services, actor, pressed.value)
        return Reply(replies.notice("You won't get any more direct messages about this. The channel still will."))
    if pressed.action_id == "reminder.mute":
        return Reply(reminder_replies.muted_message(await reminder_settings.mute(services, actor, pressed.value)))
    if pressed.action_id == "reminder.unmute":
        return Reply(reminder_replies.unmuted_message(await reminder_settings.unmute(services, actor, pressed.value)))
    again, zone = await reminder_settings.snooze(services, actor, pressed.value)
    return Reply(
        replies.notice(
            f"Snoozed: I'll post this reminder again on {describe_instant(again, zone)}, unless another reminder "
            "about it comes first. Nothing else about it is held back."
        )
    )


CONVERSATION = Conversation(help={}, button_prefixes=("reminder",), press=press)
