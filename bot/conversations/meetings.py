"""/meeting: the committee's calendar, and its feed."""

from bot import forms, register_replies, replies
from bot.calendar_feed import calendar_url
from bot.conversations.inputs import TypedText, number, text_of
from bot.forms import Form, FormValues
from bot.message import Attachment, Inline
from bot.replies import Reply
from handlers import calendar, committees, meetings
from handlers.context import Actor, Services
from handlers.errors import NotFound
from handlers.wording import Command

PREFIXES = ("meeting",)
HELP: dict[str, Inline] = {
    "/meeting": (
        Command("meeting"),
        " shows the next meetings. Clerks: ",
        Command("meeting", "add 14 March 2027 10:00"),
        " (or ",
        Command("meeting", "add"),
        " for a form); Move and Cancel buttons on the list. ",
        Command("meeting", "calendar"),
        " gives the calendar feed and file.",
    ),
}


async def command(services: Services, actor: Actor, name: str, typed: TypedText, request_key: str) -> Reply | Form:
    verb, _, rest = typed.plain().strip().partition(" ")
    verb = verb.lower()
    if verb == "help":
        return Reply(replies.notice(*HELP[name]))
    if verb == "add":
        return await _add(services, actor, rest, request_key)
    if verb == "calendar":
        return await _calendar(services, actor)
    return Reply(register_replies.meetings_list(await meetings.upcoming_meetings(services, actor)))


async def _add(services: Services, actor: Actor, when: str, request_key: str) -> Reply | Form:
    if not when.strip():
        await committees.clerks_committee_here(services, actor, "keep the committee's calendar")
        return forms.meeting_when("meeting.add", "Add a meeting")
    meeting = await meetings.add_meeting(services, actor, when, request_key)
    return Reply(register_replies.meeting_saved(meeting, "added"))


async def _calendar(services: Services, actor: Actor) -> Reply:
    committee_name, token = await calendar.calendar_token(services, actor)
    content = await calendar.committee_calendar(services, token)
    url = calendar_url(services.public_url, token) if services.public_url else None
    where = (
        f"Subscribe in your calendar app with this private address:\n{url}"
        if url
        else ("Ask whoever runs the bot to set PUBLIC_URL, and this will give you an address to subscribe to.")
    )
    message = replies.notice(f"Calendar of {committee_name}. {where}\nI've also sent you the file.")
    file = Attachment(calendar.calendar_filename(committee_name), f"Calendar of {committee_name}", content)
    return Reply(message, files=(file,))


async def press(services: Services, actor: Actor, action_id: str, value: str, request_key: str) -> Reply | Form:
    if action_id == "meeting.move":
        meeting = await meetings.clerks_meeting(services, actor, number(value))
        return forms.meeting_when("meeting.move", "Move the meeting", context=str(meeting.id))
    if action_id == "meeting.cancel":
        meeting = await meetings.cancel_meeting(services, actor, number(value))
        return Reply(register_replies.meeting_saved(meeting, "cancelled"))
    raise NotFound("That button is no longer in use. Please type the command again.")


async def submit(
    services: Services, actor: Actor, form_id: str, context: str, values: FormValues, request_key: str
) -> Reply:
    when = text_of(values, "when")
    if form_id == "meeting.move":
        return Reply(
            register_replies.meeting_saved(await meetings.move_meeting(services, actor, number(context), when), "moved")
        )
    return Reply(
        register_replies.meeting_saved(await meetings.add_meeting(services, actor, when, request_key), "added")
    )
