"""What the bot says about meetings and the resolutions register (see replies.py for the conventions)."""

from datetime import datetime

from bot.message import (
    Actions,
    Bullets,
    Button,
    Context,
    Em,
    Icon,
    Line,
    Message,
    Paragraph,
    Person,
    Quote,
    Strong,
    paragraph,
    plain_text,
    someone,
)
from bot.replies import comment_buttons, count_of, notice
from handlers.comment_windows import Role
from handlers.deadlines import long_date
from handlers.home import Home, LookedAfter
from handlers.meetings import Calendar, MeetingSummary
from handlers.register_export import RegisterChange
from handlers.reminder_plan import resolution_about
from handlers.resolutions import ActionItem, ActionPage, ActionQuery
from handlers.wording import Command, Words, as_wording, shortened
from storage.models import ResolutionKind

SHORT_TEXT = 180


def meeting_saved(meeting: MeetingSummary, verb: str) -> Message:
    headline = (f"Meeting {verb}: ", Strong(meeting.when_text), ".")
    parts = [paragraph(headline, *_replanned_lines(meeting))]
    if meeting.notes:
        check = " ".join(meeting.notes) + " If that is not what you meant, move it."
        parts.append(
            paragraph((Icon("information"), check), buttons=(Button("Move", "meeting.move", str(meeting.id)),))
        )
    return Message(plain_text(headline), tuple(parts))


def _replanned_lines(meeting: MeetingSummary) -> tuple[Line, ...]:
    """Which reports owed to meetings this made due at another time, and when they are due now."""
    if not meeting.replanned:
        return ()
    lines = tuple((f"{resolution_about(item.id, item.text)}: now due {item.due_text}",) for item in meeting.replanned)
    return (("Reports due at meetings that this moves:",), Bullets(lines))


def meetings_list(calendar: Calendar) -> Message:
    if not calendar.meetings:
        hint = (
            (" Add one with ", Command("meeting", "add 14 March 2027 10:00"), ".") if calendar.viewer_is_clerk else ()
        )
        return notice(f"No meetings of {calendar.committee_name} are scheduled.", *hint)
    parts: list[Paragraph | Context] = [paragraph((Strong(f"Next meetings of {calendar.committee_name}"),))]
    for meeting in calendar.meetings:
        buttons = (
            (
                Button("Move", "meeting.move", str(meeting.id)),
                Button(
                    "Cancel meeting",
                    "meeting.cancel",
                    str(meeting.id),
                    style="danger",
                    confirm=f"Cancel the meeting on {meeting.date_text}? Reports due at it move to the next one.",
                ),
            )
            if calendar.viewer_is_clerk
            else ()
        )
        parts.append(paragraph((meeting.when_text,), buttons=buttons))
    parts.append(
        Context(
            (Command("meeting", "calendar"), " gives a calendar feed of meetings, comment deadlines and due dates.")
        )
    )
    return Message(f"Next meetings of {calendar.committee_name}", tuple(parts))


def _owner(item: ActionItem) -> Person | str | Em:
    if item.owner_user_id:
        return someone(item.owner_user_id)
    return item.owner_title or Em("no owner yet")


def _age(item: ActionItem, now: datetime) -> str:
    days = (now - item.created_at).days
    if days < 1:
        return "recorded today"
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''} old"
    if days < 60:
        return f"{days // 7} weeks old"
    return f"{days // 30} months old"


def _summary_lines(item: ActionItem, now: datetime, name_committee: bool) -> tuple[Line, ...]:
    committee = f" · {item.committee_name}" if name_committee else ""
    if item.kind == ResolutionKind.NOTED:  # asks nothing of anyone: no owner, nothing due
        return ((Strong(f"R{item.id}"), f" · {item.kind_label} · {_age(item, now)}{committee}"),)
    flags = (" · ", Icon("overdue"), Strong("overdue")) if item.is_overdue(now) else ()
    slipped = f" · slipped {item.slipped_count}×" if item.slipped_count else ""
    return (
        (Strong(f"R{item.id}"), f" · {item.kind_label} · {_due_words(item)}", *flags, slipped),
        ("Owner: ", _owner(item), f" · {_age(item, now)}{committee}"),
    )


def _due_words(item: ActionItem) -> str:
    due = item.due_text  # worked out afresh each time it is read
    return due if due == "no due date" else f"due {due}"


def _short(text: str) -> tuple[str, bool]:
    short = shortened(text, SHORT_TEXT)
    return short, short != text


def _item_buttons(item: ActionItem, can_change: bool, shortened: bool) -> tuple[Button, ...]:
    reading = (Button("Full text", "action.more", str(item.id)),) if shortened else ()
    reading += (Button("History", "action.history", str(item.id)),)
    if not can_change or not item.is_open():
        return reading
    value = str(item.id)
    return (
        Button("Mark done", "action.done", value, style="primary"),
        Button("Reassign", "action.reassign", value),
        Button("Change due", "action.redate", value),
        Button("Cancel", "action.cancel", value, style="danger"),
        *reading,
    )


def action_item(item: ActionItem, now: datetime, can_change: bool, name_committee: bool = True) -> Paragraph:
    """One resolution; its committee is named unless the message is about that committee alone."""
    text, shortened = _short(item.text)
    lines = _summary_lines(item, now, name_committee)
    return paragraph(*lines, Quote(text), buttons=_item_buttons(item, can_change, shortened))


def _nothing_listed(page: ActionPage) -> Message:
    query = page.query
    everywhere = query.everywhere and not query.committee_name
    if query.mine and not (query.overdue or query.due_from or query.due_to):
        return notice(f"You own none of the open resolutions in {'your committees' if everywhere else page.scope}.")
    match = " that match" if query.mine or query.overdue else ""
    where = "any of your committees" if everywhere else page.scope
    return notice(f"There are no open resolutions in {where}{_due_range(query)}{match}.")


def _due_range(query: ActionQuery) -> str:
    """The due dates asked for, as read (" due 1 December 2026 to 31 December 2026"; nothing if none were): "due
    December" shows which December it was taken to mean."""
    start, end = query.due_from, query.due_to
    if start and end:
        return f" due {long_date(start)}" if start == end else f" due {long_date(start)} to {long_date(end)}"
    if start or end:
        return f" due from {long_date(start)}" if start else f" due by {long_date(end)}"
    return ""


def action_page(page: ActionPage, now: datetime, page_value: str, shared: bool = False) -> Message:
    if not page.items:
        return _nothing_listed(page)
    last = page.first_shown + len(page.items) - 1
    header = (
        Strong(f"Open resolutions{_due_range(page.query)}: {page.scope}"),
        f" (showing {page.first_shown}–{last} of {page.total})",
    )
    parts: list[Paragraph | Actions] = [paragraph(header)]
    for item in page.items:
        can_change = not shared and item.committee_id in page.clerk_of
        parts.append(action_item(item, now, can_change, name_committee=page.query.names_committees))
    if not shared:
        parts.append(Actions(_page_buttons(page, page_value)))
    return Message(f"Open resolutions: {page.scope}", tuple(parts))


def _page_buttons(page: ActionPage, page_value: str) -> tuple[Button, ...]:
    buttons = (Button("Next page", "actions.next", page_value),) if page.has_next else ()
    buttons += (Button("Share in channel", "actions.share", page_value),)
    if page.clerk_of:
        buttons += (Button("Record a resolution", "actions.record", "new"),)
    return buttons


def resolution_saved(item: ActionItem, verb: str, now: datetime, due_read_from_text: bool = False) -> Message:
    """A resolution is recorded in its committee's channel, which needs no naming; a change may be made from a
    listing of every committee the clerk keeps."""
    text = f"Resolution R{item.id} {verb}."
    read = (DUE_READ_FROM_TEXT,) if due_read_from_text else ()
    shown = action_item(item, now, can_change=False, name_committee=verb != "recorded")
    return Message(text, (paragraph((text,)), shown, *read))


# No due was given, so the resolution's own words were read for one ("at its next meeting", "within six months").
DUE_READ_FROM_TEXT = Context(
    (
        "I read when it is due from the resolution's own words. If that is not right, use ",
        Strong("Change due"),
        " in ",
        Command("actions"),
        ".",
    )
)


def no_longer_open(message: str, item: ActionItem, now: datetime) -> Message:
    note = [(f"Closing note: {item.closing_note}",)] if item.closing_note else []
    return Message(message, (paragraph((Icon("information"), message), *note), action_item(item, now, False)))


def one_resolution(item: ActionItem, now: datetime, clerks_it: bool) -> Message:
    if not item.is_open():
        return no_longer_open(f"R{item.id} was marked {item.status}.", item, now)
    return Message(f"R{item.id}", (action_item(item, now, can_change=clerks_it),))


def full_text(item: ActionItem) -> Message:
    heading = (Strong(f"R{item.id}"), f" · {item.committee_name}")
    return Message(f"R{item.id}", (paragraph(heading, Quote(item.text)),))


def history(item: ActionItem, changes: list[RegisterChange]) -> Message:
    lines = Bullets(tuple((_history_line(change),) for change in changes))
    return Message(f"History of R{item.id}", (paragraph((Strong(f"History of R{item.id}"),), lines),))


def _history_line(change: RegisterChange) -> str:
    moved = f": {change.before} → {change.after}" if change.before and change.after else ""
    note = f" ({change.note})" if change.note else ""
    return f"{change.at}: {change.action} by {change.who}{moved}{note}"


SAVED_SHOWN = 20  # a whole meeting's minutes can hold more resolutions than one message should show


def minutes_saved(saved: list[ActionItem], windows: list, notes: list[Words], now: datetime) -> Message:
    text = f"Saved {len(saved)} resolution{'s' if len(saved) != 1 else ''} to the register."
    if windows:
        text += (
            f" Opened {len(windows)} comment window{'s' if len(windows) != 1 else ''} and announced it in the channel."
        )
    parts: list[Paragraph | Context] = [paragraph((text,))]
    parts += [action_item(item, now, can_change=False, name_committee=False) for item in saved[:SAVED_SHOWN]]
    if len(saved) > SAVED_SHOWN:
        more = f"... and {len(saved) - SAVED_SHOWN} more. "
        parts.append(Context((more, Command("actions"), " lists them all.")))
    parts += [Context(as_wording(note)) for note in notes]
    return Message(text, tuple(parts))


def _looked_after(entry: LookedAfter) -> Paragraph:
    window = entry.window
    why = "you receive the comments" if entry.role == Role.OFFICER else "you clerk this committee"
    counted = f"{entry.responded} of {count_of(entry.expected, 'member')} responded"
    return paragraph(
        (Strong(window.title), f" ({window.committee_name})"),
        (f"Closes {window.deadline_text} · {counted} · {why} · ", Command("report", f"export {window.ref}")),
    )


def home(view: Home, now: datetime) -> Message:
    parts: list[Paragraph | Context] = [paragraph((Strong("Comment windows open to you"),))]
    for window, responded in view.windows:
        state = (Icon("done"), "you have responded") if responded else (Icon("hourglass"), "no response from you yet")
        parts.append(
            paragraph(
                (Strong(window.title), f" ({window.committee_name})"),
                (f"Closes {window.deadline_text} · ", *state),
                buttons=() if responded else comment_buttons(window.id)[:1],
            )
        )
    if not view.windows:
        parts.append(Context(("None at the moment.",)))
    if view.looked_after:
        parts.append(paragraph((Strong("Comment windows you look after"),)))
        parts += [_looked_after(entry) for entry in view.looked_after]
    parts.append(paragraph((Strong("Resolutions you own"),)))
    parts += [action_item(item, now, can_change=False) for item in view.owned] or [Context(("None.",))]
    if view.overdue_for_clerk is not None:
        parts.append(paragraph((Strong("Overdue in the committees you clerk"),)))
        parts += [action_item(item, now, can_change=False) for item in view.overdue_for_clerk] or [
            Context(("Nothing is overdue.",))
        ]
    return Message("Your committees", tuple(parts))
