"""What reminders say. Each names what to do next and links to it (see replies.py for the conventions)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.replies import Button, Message, Note, Section, count_of, escape, link, mention
from handlers.deadlines import describe_date, describe_instant
from handlers.reminder_plan import DueReminder, agenda_deadline
from handlers.resolutions import ActionItem

MOST_LISTED = 15


def _day_phrase(reminder: DueReminder, deadline: datetime) -> str:
    zone = ZoneInfo(reminder.committee.timezone)
    days = (deadline.astimezone(zone).date() - reminder.due.astimezone(zone).date()).days
    if days == 0:
        return f"today at {deadline.astimezone(zone):%H:%M}"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def _mute_buttons(reminder: DueReminder) -> tuple[Button, ...]:
    if reminder.is_direct:
        return (Button("Stop these messages", "reminder.mutedm", reminder.item),)
    return (
        Button("Snooze a week", "reminder.snooze", reminder.item),
        Button(
            "Mute for this item",
            "reminder.mute",
            reminder.item,
            style="danger",
            confirm="Stop all reminders about this item? Clerks can undo this with /committee reminders.",
        ),
    )


def _window_message(reminder: DueReminder) -> Message:
    window = reminder.window
    comments, responded = reminder.counts
    title = link(window.announcement_permalink or window.document_url, window.title)
    counted = f"{count_of(comments, 'comment')} from {count_of(responded, 'member')}"
    if reminder.kind == "window.closed":
        text = f":lock: *Comments closed* on {title}: {counted}. {mention(window.officer_user_id)} has them."
        return Message(f"Comments closed on {window.title}", (Section(text),))
    if reminder.kind == "window.compiled":
        text = f"Comments on {title} have closed: {counted}. The compiled comments are attached."
        return Message(f"Compiled comments on {window.title}", (Section(text),))
    when = _day_phrase(reminder, window.deadline)
    if reminder.kind == "window.nudge":
        text = (
            f"Comments on {title} close *{when}* and you have not responded yet. Add a comment, or say you have none."
        )
    else:
        so_far = f"{count_of(responded, 'member')} {'has' if responded == 1 else 'have'} responded so far"
        # "today at 17:00" already gives the time: the day alone, so it is not said twice.
        on = describe_date(window.deadline, window.timezone) if when.startswith("today") else window.deadline_text
        text = f":hourglass: Comments on {title} close *{when}* ({on}). {so_far}."
    buttons = (
        Button("Add comment", "comment.add", str(window.id), style="primary"),
        Button("No comments", "comment.none", str(window.id)),
    )
    return Message(
        f"Comments on {window.title} close {when}",
        (Section(text, buttons), Note(f"Or type `/comment {window.ref} your comment`."), _mute_note(reminder)),
    )


def _mute_note(reminder: DueReminder) -> Section:
    return Section("", _mute_buttons(reminder))


def _action_message(reminder: DueReminder) -> Message:
    action = reminder.action
    owner = mention(action.owner_user_id) if action.owner_user_id else escape(action.owner_title or "no owner yet")
    if reminder.kind.startswith("report."):
        meeting = reminder.meeting.date_text
        text = (
            f":page_facing_up: *Report due back at the meeting on {meeting}*: R{action.id} "
            f"{escape(_short(action.text))}\nOwner: {owner}. Reports for the agenda are due {_agenda_words(reminder)}."
        )
        if reminder.kind == "report.escalation":
            text += "\nYou are told as chair: the owner has not updated it through two reminders."
    else:
        when = "today" if reminder.kind == "action.today" else f"in 7 days ({action.due_text})"
        text = f":date: *Due {when}*: R{action.id} {escape(_short(action.text))}\nOwner: {owner}."
    buttons = (Button("Full text", "action.more", str(action.id)), Button("History", "action.history", str(action.id)))
    note = Note("Clerks can mark it done or change it from `/actions`.")
    return Message(f"R{action.id} due", (Section(text, buttons), note, _mute_note(reminder)))


def _agenda_words(reminder: DueReminder) -> str:
    day = agenda_deadline(reminder.meeting, reminder.committee)
    return f"by {day.day} {day:%B %Y}"


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def _digest_line(item: ActionItem, now: datetime) -> str:
    late = " *overdue*" if item.is_overdue(now) else ""
    return f"• R{item.id} {escape(_short(item.text, 120))} · due {item.due_text}{late}"


def _digest_message(reminder: DueReminder) -> Message:
    committee = escape(reminder.committee.name)
    if reminder.kind == "meeting.digest":
        title = f"*Agenda deadline for the meeting on {reminder.meeting.date_text}* ({committee})"
    else:
        title = f"*Overdue resolutions in {committee}*"
    lines = [_digest_line(item, reminder.due) for item in reminder.items[:MOST_LISTED]] or ["Nothing outstanding."]
    lines += _dropped_lines(reminder)
    more = (
        [f"…and {len(reminder.items) - MOST_LISTED} more: see `/actions`."] if len(reminder.items) > MOST_LISTED else []
    )
    return Message(
        title,
        (Section("\n".join([title, *lines, *more])[:2900]), Note("`/actions` lists them with buttons to update each.")),
    )


KIND_NAMES = {
    "window.week": "the week's notice",
    "window.tomorrow": "the day-before notice",
    "window.today": "the closing-day notice",
    "action.week": "the week's notice",
    "action.today": "the due-day notice",
    "report.lead": "the first report notice",
    "report.week": "the second report notice",
    "report.deadline": "the agenda-deadline notice",
}


def _dropped_lines(reminder: DueReminder) -> list[str]:
    """Reminders the bot could not send in time (it was down) and did not send late, so the clerk knows."""
    if not reminder.dropped:
        return []
    zone = reminder.committee.timezone
    lines = [
        f"• {KIND_NAMES.get(kind, kind)} for {item}, due {describe_instant(due, zone)}"
        for kind, item, due in reminder.dropped
    ]
    return ["", "*Not sent, because they were out of date by the time the bot could send them:*", *lines[:MOST_LISTED]]


def reminder_message(reminder: DueReminder) -> Message:
    if reminder.window is not None:
        return _window_message(reminder)
    if reminder.action is not None:
        return _action_message(reminder)
    return _digest_message(reminder)


def failures_message(committee_name: str, failures: list[tuple[DueReminder, str]]) -> Message:
    lines = [
        f"• {reminder.kind} for {reminder.item} to {reminder.target}: {escape(reason)}"
        for reminder, reason in failures[:20]
    ]
    text = f"*Some reminders for {escape(committee_name)} could not be delivered:*\n" + "\n".join(lines)
    return Message(
        f"Reminders not delivered for {committee_name}",
        (Section(text), Note("Check the bot is still in the channel and the people are still in the workspace.")),
    )
