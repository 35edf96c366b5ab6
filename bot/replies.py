"""What the bot says, independent of platform.

Presenters turn handler results into Messages: sections of Slack-style mrkdwn (the common denominator of
chat formatting) with buttons. Every piece of text a person typed is escaped here, once, so that nothing
the bot posts can ever ping a channel. Each backend renders Messages its own way: Block Kit for Slack,
plain text for the console.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.comment_windows import WindowPreview, WindowSummary
from handlers.comments import CommentReceipt, DraftOffer, MyResponses
from handlers.committees import CommitteeSummary
from handlers.export_formats import CompiledComments
from storage.models import FORMER_MEMBER, CommentKind

MAX_LISTED = 15
MOST_CLOSED_LISTED = 5
MAX_BUTTON_VALUE = 2000  # Slack's limit
# How chat text writes a mention: <@U123> or, from a slash command with escaping on, <@U123|name>.
USER_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


def escape(text: str) -> str:
    """Slack's three mrkdwn control characters; `<!channel>` becomes harmless `&lt;!channel&gt;`."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quote(text: str) -> str:
    return "\n".join("> " + line for line in escape(text).splitlines())


def mention(user_id: str) -> str:
    """Someone the platform shows by name; a former member (erased) is no one it knows, and is only described."""
    return FORMER_MEMBER if user_id == FORMER_MEMBER else f"<@{user_id}>"


def link(url: str | None, label: str) -> str:
    """Both halves escaped: a `>` in either would end the link early, and what follows would be read as markup."""
    return f"<{escape(url)}|{escape(label)}>" if url else f"*{escape(label)}*"


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str
    style: str | None = None
    confirm: str | None = None


@dataclass(frozen=True)
class Section:
    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Note:
    text: str


@dataclass(frozen=True)
class Message:
    summary: str
    parts: tuple[Section | Note, ...]


@dataclass(frozen=True)
class Attachment:
    filename: str
    title: str
    content: bytes


@dataclass(frozen=True)
class Reply:
    """The outcome of one request: what its author sees, and anything to post or deliver besides."""

    message: Message | None = None
    announce: tuple[WindowSummary, ...] = ()
    files: tuple[Attachment, ...] = field(default=())
    in_channel: bool = False


def notice(text: str) -> Message:
    return Message(text, (Section(text),))


def plain_notice(text: str) -> Message:
    """A sentence from the handlers: plain text that may quote what someone typed, so it is escaped."""
    return notice(escape(text))


def error_message(text: str, their_text: str | None = None) -> Message:
    """A refusal or failure in plain words; `their_text`, if given, is handed back so nothing typed is lost."""
    shown = f":warning: {escape(text)}"
    if their_text:
        shown += f"\nHere is what you wrote, so you can send it again:\n{quote(their_text)}"
    return Message(text, (Section(shown),))


CHOOSE_DATE = "deadline.choose"


def which_date(question: str, choices: list[tuple[str, str]]) -> Message:
    """A date the bot could read two ways, asked about: one button per reading, each carrying its value."""
    buttons = tuple(Button(label, CHOOSE_DATE, value) for label, value in choices)
    return Message(question, (Section(f":question: {escape(question)}", buttons),))


def committee_set_up(summary: CommitteeSummary) -> Message:
    verb = "is now set up" if summary.created else "has been updated"
    clerks = ", ".join(mention(c) for c in summary.clerk_ids)
    chair = mention(summary.chair_id) if summary.chair_id else "not set"
    text = f"*{escape(summary.name)}* {verb} in this channel."
    return Message(
        text,
        (
            Section(text),
            Note(f"Time zone: {summary.timezone} · Clerks: {clerks} · Chair: {chair}"),
            Note("Members are the people in this channel. Next: open a comment window with `/report`."),
        ),
    )


def window_preview(preview: WindowPreview, confirm_value: str) -> Message:
    assumed = " (no time was given, so the end of that day)" if preview.deadline.end_of_day_assumed else ""
    text = (
        f"Please check before I open this comment window for *{escape(preview.committee_name)}*:\n"
        f"*Report:* {link(preview.document_url, preview.title)}\n"
        f"*Comments go to:* {mention(preview.officer_user_id)}\n"
        f"*Deadline:* {preview.deadline.describe()}{assumed}"
        + "".join(f"\n:information_source: {escape(note)}" for note in preview.deadline.notes)
    )
    return Message(
        "Please check the comment window before it opens",
        (
            Section(
                text,
                (
                    Button("Open comment window", "report.confirm", confirm_value, style="primary"),
                    Button("Cancel", "report.cancel", "cancel"),
                ),
            ),
        ),
    )


def days_left(deadline: datetime, since: datetime, zone: str) -> str:
    """How far off a deadline is from `since`, in the committee's days: "today", "tomorrow", "in 2 days"."""
    days = (deadline.astimezone(ZoneInfo(zone)).date() - since.astimezone(ZoneInfo(zone)).date()).days
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def closes_in(window: WindowSummary) -> str:
    """How long the window has, from when its deadline was set: what its announcement says in place of the
    advance notices that came too late for it."""
    return days_left(window.deadline, window.deadline_set_at, window.timezone)


def announcement(window: WindowSummary) -> Message:
    text = (
        f":memo: *Comments invited:* {link(window.document_url, window.title)}\n"
        f"Comments go to {mention(window.officer_user_id)} by *{window.deadline_text}*: they close {closes_in(window)}."
    )
    return Message(
        f"Comments invited on {window.title}",
        (
            Section(
                text,
                (
                    Button("Add comment", "comment.add", str(window.id), style="primary"),
                    Button("No comments", "comment.none", str(window.id)),
                ),
            ),
            Note(f"Or type `/comment {window.ref} your comment`, or reply in this thread. Reference: `{window.ref}`"),
        ),
    )


def deadline_moved(window: WindowSummary, notes: tuple[str, ...]) -> Message:
    """Posted in the channel: the note on how the date was read is for everyone who reads the new deadline."""
    text = (
        f"The deadline for comments on *{escape(window.title)}* is now *{window.deadline_text}*: "
        f"comments close {closes_in(window)}."
    )
    return Message(text, (Section(text), *(Note(f":information_source: {escape(note)}") for note in notes)))


def window_opened(window: WindowSummary) -> Message:
    return notice(
        f"The comment window on *{escape(window.title)}* is open until {window.deadline_text}. "
        "I've announced it in the channel."
    )


def receipt(comment: CommentReceipt, now: datetime) -> Message:
    window = comment.window
    if comment.withdrawn:
        text = f"Your comment on *{escape(window.title)}* has been withdrawn ({comment.at_text})."
        return Message(text, (Section(text), _back_link(window)))
    if comment.kind == CommentKind.NO_COMMENTS:
        text = f"Thank you. I've recorded that you have no comments on *{escape(window.title)}* ({comment.at_text})."
    else:
        verb = "updated" if comment.edited else "saved"
        text = (
            f"Your comment on *{escape(window.title)}*{_section_of(comment)} is {verb} ({comment.at_text}):\n"
            f"{quote(comment.text)}"
        )
    return Message(
        text, (Section(text, _change_buttons(comment, now)), _back_link(window), _how_to_change(comment, now))
    )


def _change_buttons(comment: CommentReceipt, now: datetime) -> tuple[Button, ...]:
    if not comment.can_change(now):
        return ()
    edit = () if comment.kind == CommentKind.NO_COMMENTS else (Button("Edit", "comment.edit", str(comment.comment_id)),)
    withdraw = Button(
        "Withdraw",
        "comment.withdraw",
        str(comment.comment_id),
        style="danger",
        confirm=f"Withdraw your response on {comment.window.title}?",
    )
    return (*edit, withdraw)


def _back_link(window: WindowSummary) -> Note:
    where = (
        link(window.announcement_permalink, "the announcement") if window.announcement_permalink else "the announcement"
    )
    return Note(f"See {where} in {escape(window.committee_name)}. Deadline: {window.deadline_text}.")


def _how_to_change(comment: CommentReceipt, now: datetime) -> Note:
    if comment.can_change(now):
        return Note(
            f"You can edit or withdraw this until {comment.window.deadline_text}, here or with `/comment list`."
        )
    return Note("The comment window has closed, so this can no longer be changed.")


def my_comments(mine: MyResponses, now: datetime) -> Message:
    if not mine.open and not mine.closed:
        return plain_notice(mine.nothing_open or "")
    parts: list[Section | Note] = []
    if mine.open:
        parts += _open_responses(mine, now)
    else:  # the closed ones are listed below, so only what to do about them is said here
        parts.append(
            Section(
                "No reports are open for your comments at the moment. If you need more time on one that has "
                "closed, ask the committee's clerk to reopen it."
            )
        )
    if mine.closed:
        parts.append(Section("*Closed lately* (these can no longer be changed)"))
        parts += [Section(_closed_window(window, mine.responses)) for window in mine.closed[:MOST_CLOSED_LISTED]]
    return Message("Your responses to reports", tuple(parts))


def _open_responses(mine: MyResponses, now: datetime) -> list[Section | Note]:
    parts: list[Section | Note] = [Section("*Your responses on open reports*")]
    on_open = [comment for comment in mine.responses if comment.window.is_open(now)]
    for comment in on_open[:MAX_LISTED]:
        parts.append(Section(f"{_response_heading(comment)}\n{_response_text(comment)}", _change_buttons(comment, now)))
    if len(on_open) > MAX_LISTED:
        parts.append(Note(f"…and {len(on_open) - MAX_LISTED} more."))
    answered = {comment.window.id for comment in on_open}
    for window in [w for w in mine.open if w.id not in answered][:MAX_LISTED]:
        parts.append(
            Section(
                f"*{escape(window.title)}*: no response from you yet. Closes {window.deadline_text}.",
                (
                    Button("Add comment", "comment.add", str(window.id)),
                    Button("No comments", "comment.none", str(window.id)),
                ),
            )
        )
    return parts


def _response_heading(comment: CommentReceipt) -> str:
    return f"*{escape(comment.window.title)}*{_section_of(comment)} · {comment.at_text}"


def _response_text(comment: CommentReceipt) -> str:
    return "No comments" if comment.kind == CommentKind.NO_COMMENTS else quote(comment.text)


def _closed_window(window: WindowSummary, responses: list[CommentReceipt]) -> str:
    theirs = [comment for comment in responses if comment.window.id == window.id]
    said = [
        f"You said you had no comments ({comment.at_text})."
        if comment.kind == CommentKind.NO_COMMENTS
        else f"Your comment{_section_of(comment)}, {comment.at_text}:\n{quote(comment.text)}"
        for comment in theirs
    ]
    return f"*{escape(window.title)}*: closed {window.deadline_text}.\n" + (
        "\n".join(said) if said else "You did not respond."
    )


def _section_of(comment: CommentReceipt) -> str:
    return f" ({escape(comment.section)})" if comment.section else ""


def draft_offer(offer: DraftOffer) -> Message:
    text = f"Add your reply as your comment on *{escape(offer.window.title)}*?\n{quote(offer.text)}"
    return Message(
        "Add your reply as a comment?",
        (
            Section(
                text,
                (
                    Button("Add as my comment", "draft.confirm", str(offer.draft_id), style="primary"),
                    Button("No thanks", "draft.dismiss", str(offer.draft_id)),
                ),
            ),
        ),
    )


def export_sent(compiled: CompiledComments) -> Message:
    return notice(
        f"I've sent you the comments on *{escape(compiled.report_title)}* "
        f'({count_of(compiled.comment_count, "comment")}, {compiled.no_comments_count} "no comments", '
        f"{len(compiled.not_responded)} not yet responded) as Word, Markdown and CSV files in a direct message."
    )


def count_of(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
