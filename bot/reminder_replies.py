"""What reminders say. Each names what to do next and links to it (see replies.py for the conventions).

Days are counted from the day a reminder actually goes out, so a notice moved off a weekend or bank holiday says
"in 3 days" rather than "tomorrow". Items are named as people name them, never by the bot's own ids.
"""

from datetime import date
from zoneinfo import ZoneInfo

from bot.message import (
    Actions,
    Bullets,
    Button,
    Context,
    Icon,
    Inline,
    Line,
    Message,
    Paragraph,
    Person,
    Strong,
    paragraph,
    plain_text,
    someone,
)
from bot.replies import comment_buttons, count_of, days_left, how_to_comment, link_or_title
from handlers.deadlines import describe_date, describe_instant, long_date
from handlers.reminder_plan import AGAIN, DroppedNotice, DueReminder, ResponseCounts, agenda_deadline, local_day
from handlers.reminder_settings import MutedItem, ReminderSettings
from handlers.resolutions import ActionItem
from handlers.wording import Command, shortened

MOST_LISTED = 15
REMINDER_TEXT = 200  # of a resolution's words; "Full text" shows the rest
MOST_UNMUTES_SHOWN = 15  # two blocks each in Slack, within its 50 a message
KIND_NAMES = {
    "window.week": "the 7-day notice",
    "window.tomorrow": "the day-before notice",
    "window.today": "the closing-day notice",
    "window.nudge": "the day-before direct message",
    "window.closed": "the “comments closed” notice",
    "window.compiled": "the compiled comments",
    "action.week": "the 7-day notice",
    "action.today": "the due-day notice",
    "report.lead": "the first report reminder",
    "report.week": "the second report reminder",
    "report.deadline": "the agenda-deadline report reminder",
    "report.escalation": "the note to the chair",
    "report.slipped": "the notice that it moved to a later meeting",
    "meeting.digest": "the agenda digest",
    "overdue.digest": "the weekly overdue digest",
}
# Slack's error codes a clerk can act on, in words.
FAILURE_WORDS = {
    "channel_not_found": "the channel no longer exists",
    "not_in_channel": "the bot is no longer in the channel",
    "is_archived": "the channel is archived",
    "account_inactive": "their account is deactivated",
    "user_not_found": "they are no longer in the workspace",
    "user_disabled": "their account is deactivated",
}


def kind_name(kind: str) -> str:
    name = KIND_NAMES.get(kind.removesuffix(AGAIN), "a reminder")
    return f"{name} again, as snoozed" if kind.endswith(AGAIN) else name


def _days_left(reminder: DueReminder, day: date) -> int:
    return (day - local_day(reminder.due, reminder.committee)).days


def _window_day_phrase(reminder: DueReminder) -> str:
    deadline, zone = reminder.window.deadline, reminder.committee.timezone
    left = days_left(deadline, reminder.due, zone)
    return f"today at {deadline.astimezone(ZoneInfo(zone)):%H:%M}" if left == "today" else left


def _mute_buttons(reminder: DueReminder) -> tuple[Button, ...]:
    if reminder.is_direct:
        return (Button("Stop these messages", "reminder.mutedm", reminder.item),)
    snooze = (
        (Button("Snooze a week", "reminder.snooze", f"{reminder.item}|{reminder.kind}|{reminder.occasion}"),)
        if reminder.snoozable
        else ()
    )
    return (
        *snooze,
        Button(
            "Mute for this item",
            "reminder.mute",
            reminder.item,
            style="danger",
            confirm="Stop every reminder about this item, for everyone in the committee? A clerk can unmute it later.",
        ),
    )


def _what_is_attached(counts: ResponseCounts) -> str:
    if counts.comments:
        return "The compiled comments are attached."
    if counts.responded:
        return "The attached file says who responded."
    return "The attached file lists the members who were asked."


def _window_message(reminder: DueReminder) -> Message:
    window = reminder.window
    counts = reminder.counts
    title = link_or_title(window.announcement_permalink or window.document_url, window.title)
    again = " again" if reminder.compiled_before else ""  # a clerk reopened it after it had closed
    if reminder.kind == "window.closed":
        text = (Icon("lock"), Strong(f"Comments closed{again}"), " on ", title, f": {_tally(counts)}.")
        has_them = (" ", someone(window.officer_user_id), " has them.") if counts.comments else ()
        return Message(f"Comments closed{again} on {window.title}", (paragraph((*text, *has_them)),))
    if reminder.kind == "window.compiled":
        compiled = ("Comments on ", title, f" have closed{again}: {_tally(counts)}. {_what_is_attached(counts)}")
        return Message(f"Compiled comments on {window.title}", (paragraph((*compiled, *_replaces(reminder))),))
    when = _window_day_phrase(reminder)
    if reminder.kind == "window.nudge":
        text = ("Comments on ", title, " close ", Strong(when))
        text += (" and you have not responded yet. Add a comment, or say you have none.",)
    else:
        # "today at 17:00" already gives the time: the date alone, so it is not said twice.
        today = when.startswith("today")
        on = f" ({describe_date(window.deadline, window.timezone)})" if today else f", on {window.deadline_text}"
        text = (Icon("hourglass"), "Comments on ", title, " close ", Strong(when), f"{on}. {_so_far(counts.responded)}")
    how = how_to_comment(window)
    return Message(
        f"Comments on {window.title} close {when}",
        (paragraph(text, buttons=comment_buttons(window.id, "primary")), how, _mute_note(reminder)),
    )


def _replaces(reminder: DueReminder) -> tuple[str, ...]:
    """The officer already has the comments of an earlier closing: this file is the one to use."""
    if not reminder.compiled_before:
        return ()
    sent = describe_date(reminder.compiled_before, reminder.committee.timezone)
    return (f" This file replaces the one I sent you on {sent}.",)


def _tally(counts: ResponseCounts) -> str:
    """E.g. "3 comments from 2 members; 1 member said they had none", or "no comments, and no member responded"."""
    had_none = f"{count_of(counts.had_none, 'member')} said they had none" if counts.had_none else ""
    if not counts.comments:
        return f"no comments ({had_none})" if had_none else "no comments, and no member responded"
    tally = f"{count_of(counts.comments, 'comment')} from {count_of(counts.commenters, 'member')}"
    return f"{tally}; {had_none}" if had_none else tally


def _so_far(responded: int) -> str:
    if responded == 0:
        return "No member has responded yet."
    return f"{count_of(responded, 'member')} {'has' if responded == 1 else 'have'} responded so far."


def _mute_note(reminder: DueReminder) -> Actions:
    return Actions(_mute_buttons(reminder))


def _owner(action: ActionItem) -> Person | str:
    return someone(action.owner_user_id) if action.owner_user_id else action.owner_title or "no owner yet"


def _action_message(reminder: DueReminder) -> Message:
    action = reminder.action
    text = shortened(action.text, REMINDER_TEXT)
    about = f"R{action.id} {text}"
    if reminder.base_kind == "report.slipped":
        lines = _slipped_lines(reminder, about)
    elif reminder.base_kind.startswith("report."):
        heading = Strong(f"Report due back at the meeting on {reminder.meeting.date_text}")
        lines = ((Icon("report"), heading, f": {about}"), ("Owner: ", _owner(action), f". {_agenda_words(reminder)}"))
        if reminder.kind == "report.escalation":
            lines += (("You are told as chair: nobody has updated it through two reminders.",),)
    else:
        lines = ((Icon("date"), Strong(_due_words(reminder)), f": {about}"), ("Owner: ", _owner(action), "."))
    reading = (Button("Full text", "action.more", str(action.id)),) if text != action.text else ()
    buttons = (*reading, Button("History", "action.history", str(action.id)))
    note = Context(("Clerks can mark it done or change it from ", Command("actions"), "."))
    return Message(f"R{action.id} due", (paragraph(*lines, buttons=buttons), note, _mute_note(reminder)))


def _due_words(reminder: DueReminder) -> str:
    action = reminder.action
    days = _days_left(reminder, action.due_date)
    if days < 0:
        return f"Overdue (due {action.due_text})"
    if days == 0:
        return "Due today"
    return f"Due tomorrow ({action.due_text})" if days == 1 else f"Due in {days} days ({action.due_text})"


def _slipped_lines(reminder: DueReminder, about: str) -> tuple[Inline, ...]:
    action, zone = reminder.action, reminder.committee.timezone
    was = f"It was due at the meeting on {describe_date(reminder.slipped_from, zone)}."
    if reminder.meeting is None:
        heading, after = "Report still owed", "The next meeting is not in the calendar yet."
    else:
        heading, after = f"Report now due at the meeting on {reminder.meeting.date_text}", _agenda_words(reminder)
    return (
        (Icon("moved"), Strong(heading), f": {about}"),
        ("Owner: ", _owner(action), f". {was} {after}"),
    )


def _agenda_words(reminder: DueReminder) -> str:
    """When the owner's report must reach the clerk, counted from the day the notice goes out: each of a report's
    notices says how long is left, so that the second and third are not the first said again."""
    day = agenda_deadline(reminder.meeting, reminder.committee)
    left, by = _days_left(reminder, day), long_date(day)
    if left < 0:
        return f"Reports for the agenda were due by {by}."
    if left == 0:
        return f"Reports for the agenda are due today ({by})."
    return f"Reports for the agenda are due {'tomorrow' if left == 1 else f'in {left} days'}, by {by}."


def _digest_line(item: ActionItem, reminder: DueReminder) -> Inline:
    late = (" ", Strong("overdue")) if item.is_overdue(reminder.due) else ()
    return (f"R{item.id} {shortened(item.text, 120).removesuffix('.')}: due {item.due_text}", *late)


def _digest_message(reminder: DueReminder) -> Message:
    committee = reminder.committee.name
    if reminder.kind == "meeting.digest":
        title = (Strong(f"Agenda deadline for the meeting on {reminder.meeting.date_text}"), f" ({committee})")
    else:
        title = (Strong(f"Overdue resolutions in {committee}"),)
    lines: list[Line] = [title, *_digest_items(reminder), *_dropped_lines(reminder)]
    if len(reminder.items) > MOST_LISTED:
        lines.append((f"…and {len(reminder.items) - MOST_LISTED} more: see ", Command("actions"), "."))
    if not reminder.items:
        return Message(plain_text(title), (paragraph(*lines),))
    note = Context((Command("actions"), " lists them with buttons to update each."))
    return Message(plain_text(title), (paragraph(*lines), note))


def _digest_items(reminder: DueReminder) -> list[Line]:
    """An agenda digest sets what is due at its meeting apart from what is owed before it (a report due at an
    earlier meeting, which moves to this one if not taken there): listed together, they read as due here."""
    shown = reminder.items[:MOST_LISTED]
    if not shown and reminder.kind == "meeting.digest":
        return [("No report is due at this meeting, and none is still owed to an earlier one.",)]
    if not shown:  # sent only to own up to notices that were not sent in time
        return [("Nothing is overdue.",)]
    if reminder.kind != "meeting.digest":
        return [Bullets(tuple(_digest_line(item, reminder) for item in shown))]
    groups = (
        ("Due at this meeting:", [item for item in shown if item.due_meeting_id == reminder.meeting.id]),
        ("Still owed before then:", [item for item in shown if item.due_meeting_id != reminder.meeting.id]),
    )
    return [
        line
        for heading, items in groups
        if items
        for line in ((heading,), Bullets(tuple(_digest_line(item, reminder) for item in items)))
    ]


def _dropped_line(dropped: DroppedNotice, zone: str) -> Inline:
    return (f"{kind_name(dropped.kind)} about {dropped.about}, due to go out {describe_instant(dropped.due, zone)}",)


def _dropped_lines(reminder: DueReminder) -> list[Line]:
    """Reminders the bot could not send in time (it was down) and did not send late, so the clerk knows."""
    if not reminder.dropped:
        return []
    lines = tuple(_dropped_line(dropped, reminder.committee.timezone) for dropped in reminder.dropped)
    why = "Not sent, because they were out of date by the time the bot could send them:"
    return [(), (Strong(why),), Bullets(lines[:MOST_LISTED])]


def reminder_message(reminder: DueReminder) -> Message:
    if reminder.window is not None:
        return _window_message(reminder)
    if reminder.action is not None:
        return _action_message(reminder)
    return _digest_message(reminder)


def _to_whom(reminder: DueReminder) -> Inline:
    return ("to ", someone(reminder.target)) if reminder.is_direct else ("in the channel",)


def _failure_line(reminder: DueReminder, reason: str) -> Inline:
    about = f"{kind_name(reminder.kind)} about {reminder.about} "
    return (about, *_to_whom(reminder), f": {FAILURE_WORDS.get(reason, reason)}")


def failures_message(committee_name: str, failures: list[tuple[DueReminder, str]]) -> Message:
    lines = Bullets(tuple(_failure_line(reminder, reason) for reminder, reason in failures[:20]))
    heading = (Strong(f"Some reminders for {committee_name} could not be delivered:"),)
    # "Workspace" is Slack's word: a Teams clerk has a team, so say what to check in words every platform shares.
    check = Context(("Check the bot is still in the channel and the people are still in your organisation.",))
    return Message(f"Reminders not delivered for {committee_name}", (paragraph(heading, lines), check))


def settings_message(settings: ReminderSettings) -> Message:
    """The committee's reminder settings, as `/committee reminders` sets or shows them."""
    name = settings.committee_name
    if settings.skip_weekends:
        days = f"on working days: not at weekends or on bank holidays in {settings.region_name}"
        moved = (
            "A deadline on a day off keeps its day; its reminders go out on the working day before. "
            "“Comments closed” goes out at the deadline itself."
        )
    else:
        days, moved = "every day, weekends and bank holidays included", "“Comments closed” goes out at the deadline."
    text = ("Reminders for ", Strong(name), f" go out at {settings.hour:02d}:00 {days}.")
    return Message(plain_text(text), (paragraph(text), Context((moved,)), *_muted_items(settings)))


def _muted_items(settings: ReminderSettings) -> tuple[Paragraph, ...]:
    """What a clerk muted for everyone, each with the button that turns its reminders back on; the most recent
    first, and no more than a message can hold (Slack's 50 blocks)."""
    if not settings.muted:
        return ()
    shown = settings.muted[-MOST_UNMUTES_SHOWN:][::-1]
    more = len(settings.muted) - len(shown)
    heading = paragraph((Strong("Muted for everyone:"),))
    items = tuple(paragraph((muted.about,), buttons=(unmute_button(muted.item),)) for muted in shown)
    return (heading, *items, *((paragraph((f"…and {more} more, muted earlier.",)),) if more else ()))


def unmute_button(item: str) -> Button:
    return Button("Unmute", "reminder.unmute", item)


def muted_message(muted: MutedItem) -> Message:
    text = f"Reminders about {muted.about} are muted for everyone."
    return Message(text, (paragraph((text,), buttons=(unmute_button(muted.item),)),))


def unmuted_message(muted: MutedItem) -> Message:
    text = f"Reminders about {muted.about} are on again: any still current go out now, the rest as planned."
    return Message(text, (paragraph((text,)),))
