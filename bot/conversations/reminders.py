"""The buttons on reminders: a clerk's snooze and mute, a member's "stop these messages"."""

from bot import replies
from bot.forms import Form
from bot.replies import Reply
from handlers import reminder_settings
from handlers.context import Actor, Services
from handlers.deadlines import describe_date

PREFIXES = ("reminder",)
HELP: dict[str, str] = {}


async def press(services: Services, actor: Actor, action_id: str, value: str, request_key: str) -> Reply | Form:
    if action_id == "reminder.mutedm":
        await reminder_settings.stop_direct_messages(services, actor, value)
        return Reply(replies.notice("You won't get any more direct messages about this. The channel still will."))
    until, zone = await reminder_settings.silence(services, actor, value, for_good=action_id == "reminder.mute")
    if until is None:
        return Reply(replies.notice("Reminders about this item are muted for everyone."))
    return Reply(replies.notice(f"Reminders about this item are snoozed until {describe_date(until, zone)}."))
