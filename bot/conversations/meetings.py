"""/meeting: the committee's calendar, and its feed."""

from bot import forms, register_replies, replies
from bot.calendar_feed import calendar_url
from bot.conversations import CommandRequest, Conversation, Press, Submission
from bot.conversations.inputs import number, text_of
from bot.exports import calendar_file
from bot.forms import Form
from bot.message import Inline
from bot.replies import Reply
from handlers import calendar, committees, meetings
from handlers.context import Actor, Services
from handlers.errors import NotFound
from handlers.wording import Command

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


async def command(services: Services, actor: Actor, request: CommandRequest) -> Reply | Form:
    verb, _, rest = request.typed.plain().strip().partition(" ")
    verb = verb.lower()
    if verb == "help":
        return Reply(replies.notice(*HELP[request.name]))
    if verb == "add":
        return await _add(services, actor, rest, request.request_key)
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
    committee, token = await calendar.calendar_token(services, actor)
    content = await calendar.committee_calendar(services, token)
    url = calendar_url(services.public_url, token) if services.public_url else None
    where = (
        f"Subscribe in your calendar app with this private address:\n{url}"
        if url
        else ("Ask whoever runs the bot to set PUBLIC_URL, and this will give you an address to subscribe to.")
    )
    message = replies.notice(f"Calendar of {committee.name}. {where}\nI've also sent you the file.")
    return Reply(message, files=(calendar_file(committee, content),))


async def press(services: Services, actor: Actor, pressed: Press) -> Reply | Form:
    if pressed.action_id == "meeting.move":
        meeting = await meetings.clerks_meeting(services, actor, number(pressed.value))
        return forms.meeting_when("meeting.move", "Move the meeting", context=str(meeting.id))
    if pressed.action_id == "meeting.cancel":
        meeting = await meetings.cancel_meeting(services, actor, number(pressed.value))
        return Reply(register_replies.meeting_saved(meeting, "cancelled"))
    raise NotFound("That button is no longer in use. Please type the command again.")


async def submit(services: Services, actor: Actor, submission: Submission) -> Reply:
    when = text_of(submission.values, "when")
    if submission.form_id == "meeting.move":
        moved = await meetings.move_meeting(services, actor, number(submission.context), when)
        return Reply(register_replies.meeting_saved(moved, "moved"))
    added = await meetings.add_meeting(services, actor, when, submission.request_key)
    return Reply(register_replies.meeting_saved(added, "added"))


CONVERSATION = Conversation(
    help=HELP, command=command, button_prefixes=("meeting",), press=press, form_prefixes=("meeting",), submit=submit
)
