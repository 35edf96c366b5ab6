"""What the bot says about committees, comment windows and comments, independent of platform.

Presenters turn handler results into Messages (bot/message.py): structure, never markup. What a person typed
stays literal text, which each front end escapes, so nothing the bot posts can ever ping a channel.
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.message import (
    Attachment,
    Button,
    Context,
    Icon,
    Inline,
    Line,
    Link,
    Message,
    Paragraph,
    Quote,
    Run,
    Strong,
    paragraph,
    plain_text,
    someone,
)
from handlers.comment_windows import WindowPreview, WindowSummary
from handlers.comments import CommentReceipt, DraftOffer, MyResponses, says_no_comments
from handlers.committees import CommitteeSummary
from handlers.export_formats import CompiledComments
from handlers.wording import Command, Verbatim, Words, as_wording, plain
from storage.models import CommentKind

MAX_LISTED = 15
MOST_CLOSED_LISTED = 5


@dataclass(frozen=True)
class Reply:
    """The outcome of one request: what its author sees, and anything to post or deliver besides."""

    message: Message | None = None
    announce: tuple[WindowSummary, ...] = ()
    files: tuple[Attachment, ...] = field(default=())
    in_channel: bool = False


def notice(*runs: Run) -> Message:
    return Message(plain_text(runs), (paragraph(runs),))


def said(words: Words) -> Message:
    """A handler's sentence, as it stands."""
    return notice(*as_wording(words))


def error_message(words: Words, their_text: str | None = None) -> Message:
    """A refusal or failure in plain words; `their_text`, if given, is handed back so nothing typed is lost."""
    shown: list[Line] = [(Icon("warning"), *as_wording(words))]
    if their_text:
        shown += [("Here is what you wrote, so you can send it again:",), Quote(their_text)]
    return Message(plain(words), (Paragraph(tuple(shown)),))


CHOOSE_DATE = "deadline.choose"


def which_date(question: str, choices: list[tuple[str, str]]) -> Message:
    """A date the bot could read two ways, asked about: one button per reading, each carrying its value."""
    buttons = tuple(Button(label, CHOOSE_DATE, value) for label, value in choices)
    return Message(question, (paragraph((Icon("question"), question), buttons=buttons),))


def link_or_title(url: str | None, label: str) -> Link | Strong:
    return Link(url, label) if url else Strong(label)


def people(member_ids: tuple[str, ...]) -> Inline:
    """Each person mentioned, separated by commas."""
    runs: list[Run] = []
    for member in member_ids:
        runs += [", ", someone(member)] if runs else [someone(member)]
    return tuple(runs)


def committee_set_up(summary: CommitteeSummary) -> Message:
    verb = "is now set up" if summary.created else "has been updated"
    chair = (someone(summary.chair_id),) if summary.chair_id else ("not set",)
    headline = (Strong(summary.name), f" {verb} in this channel.")
    settings = Context((f"Time zone: {summary.timezone} · Clerks: ", *people(summary.clerk_ids), " · Chair: ", *chair))
    if not summary.created:
        return Message(plain_text(headline), (paragraph(headline), settings))
    next_step = ("Members are the people in this channel. Next: open a comment window with ", Command("report"), ".")
    return Message(plain_text(headline), (paragraph(headline), settings, Context(next_step)))


def window_preview(preview: WindowPreview, confirm_value: str) -> Message:
    assumed = " (no time was given, so the end of that day)" if preview.deadline.end_of_day_assumed else ""
    lines: tuple[Line, ...] = (
        ("Please check before I open this comment window for ", Strong(preview.committee_name), ":"),
        (Strong("Report:"), " ", link_or_title(preview.document_url, preview.title)),
        (Strong("Comments go to:"), " ", someone(preview.officer_user_id)),
        (Strong("Deadline:"), f" {preview.deadline.describe()}{assumed}"),
        *((Icon("information"), note) for note in preview.deadline.notes),
    )
    buttons = (
        Button("Open comment window", "report.confirm", confirm_value, style="primary"),
        Button("Cancel", "report.cancel", "cancel"),
    )
    return Message("Please check the comment window before it opens", (Paragraph(lines, buttons),))


def days_left(deadline: datetime, since: datetime, zone: str) -> str:
    """How far off a deadline is from `since`, in the committee's days: "today", "tomorrow", "in 2 days"."""
    days = (deadline.astimezone(ZoneInfo(zone)).date() - since.astimezone(ZoneInfo(zone)).date()).days
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def closes_in(window: WindowSummary) -> str:
    """How long the window has, from when its deadline was set: what its announcement says in place of the
    advance notices that came too late for it."""
    return days_left(window.deadline, window.deadline_set_at, window.timezone)


def how_to_comment(window: WindowSummary) -> Context:
    """Beside the comment buttons: the command, for those who type."""
    return Context(("Or type ", Command("comment", f"{window.ref} your comment"), "."))


def comment_buttons(window_id: int, add_style: str | None = None) -> tuple[Button, ...]:
    return (
        Button("Add comment", "comment.add", str(window_id), style=add_style),
        Button("No comments", "comment.none", str(window_id)),
    )


def announcement(window: WindowSummary) -> Message:
    text = paragraph(
        (Icon("memo"), Strong("Comments invited:"), " ", link_or_title(window.document_url, window.title)),
        (
            "Comments go to ",
            someone(window.officer_user_id),
            " by ",
            Strong(window.deadline_text),
            f": they close {closes_in(window)}.",
        ),
        buttons=comment_buttons(window.id, "primary"),
    )
    how = ("Or type ", Command("comment", f"{window.ref} your comment"), ", or reply in this thread. Reference: ")
    return Message(f"Comments invited on {window.title}", (text, Context((*how, Verbatim(window.ref)))))


def deadline_moved(window: WindowSummary, notes: tuple[str, ...], reopened: bool) -> Message:
    """Posted in the channel: the note on how the date was read is for everyone who reads the new deadline. Members
    told that comments had closed are told they may comment again, with the means to."""
    read = tuple(Context((Icon("information"), note)) for note in notes)
    if reopened:
        headline = ("Comments on ", Strong(window.title), " are open again until ", Strong(window.deadline_text))
        headline += (f": they close {closes_in(window)}.",)
        body = paragraph(headline, buttons=comment_buttons(window.id, "primary"))
        return Message(plain_text(headline), (body, how_to_comment(window), *read))
    headline = ("The deadline for comments on ", Strong(window.title), " is now ", Strong(window.deadline_text))
    headline += (f": comments close {closes_in(window)}.",)
    return Message(plain_text(headline), (paragraph(headline), *read))


def window_opened(window: WindowSummary) -> Message:
    return notice(
        "The comment window on ",
        Strong(window.title),
        f" is open until {window.deadline_text}. I've announced it in the channel.",
    )


def receipt(comment: CommentReceipt, now: datetime) -> Message:
    window = comment.window
    if comment.withdrawn:
        headline = ("Your comment on ", Strong(window.title), f" has been withdrawn, {comment.at_text}.")
        return Message(plain_text(headline), (paragraph(headline), _back_link(window)))
    if comment.kind == CommentKind.NO_COMMENTS:
        headline = (
            "Thank you. I've recorded that you have no comments on ",
            Strong(window.title),
            f", {comment.at_text}.",
        )
        text = paragraph(headline, buttons=_change_buttons(comment, now))
    else:
        verb = "updated" if comment.edited else "saved"
        headline = (
            "Your comment on ",
            Strong(window.title),
            f"{_section_of(comment)} is {verb}, {comment.at_text}:",
        )
        text = paragraph(headline, Quote(comment.text), buttons=_change_buttons(comment, now))
    summary = plain_text(headline).removesuffix(":")
    return Message(summary, (text, _back_link(window), _how_to_change(comment, now)))


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


def _back_link(window: WindowSummary) -> Context:
    permalink = window.announcement_permalink
    where = Link(permalink, "the announcement") if permalink else "the announcement"
    return Context(("See ", where, f" in {window.committee_name}. Deadline: {window.deadline_text}."))


def _how_to_change(comment: CommentReceipt, now: datetime) -> Context:
    if comment.can_change(now):
        # "No comments" has nothing to edit: it is withdrawn, and a comment added instead.
        change = "withdraw" if comment.kind == CommentKind.NO_COMMENTS else "edit or withdraw"
        until = f"You can {change} this until {comment.window.deadline_text}, here or with "
        return Context((until, Command("comment", "list"), "."))
    return Context(("The comment window has closed, so this can no longer be changed.",))


def my_comments(mine: MyResponses, now: datetime) -> Message:
    if not mine.open and not mine.closed:
        return said(mine.nothing_open or "")
    parts: list[Paragraph | Context] = []
    if mine.open:
        parts += _open_responses(mine, now)
    else:  # the closed ones are listed below, so only what to do about them is said here
        parts.append(
            paragraph(
                (
                    "No reports are open for your comments at the moment. If you need more time on one that has "
                    "closed, ask the committee's clerk to reopen it.",
                )
            )
        )
    if mine.closed:
        parts.append(paragraph((Strong("Closed lately"), " (these can no longer be changed)")))
        parts += [_closed_window(window, mine.responses) for window in mine.closed[:MOST_CLOSED_LISTED]]
    return Message("Your responses to reports", tuple(parts))


def _open_responses(mine: MyResponses, now: datetime) -> list[Paragraph | Context]:
    parts: list[Paragraph | Context] = [paragraph((Strong("Your responses on open reports"),))]
    on_open = [comment for comment in mine.responses if comment.window.is_open(now)]
    for comment in on_open[:MAX_LISTED]:
        parts.append(
            paragraph(_response_heading(comment), _response_text(comment), buttons=_change_buttons(comment, now))
        )
    if len(on_open) > MAX_LISTED:
        parts.append(Context((f"…and {len(on_open) - MAX_LISTED} more.",)))
    answered = {comment.window.id for comment in on_open}
    for window in [w for w in mine.open if w.id not in answered][:MAX_LISTED]:
        parts.append(
            paragraph(
                (Strong(window.title), f": no response from you yet. Closes {window.deadline_text}."),
                buttons=comment_buttons(window.id),
            )
        )
    return parts


def _response_heading(comment: CommentReceipt) -> Inline:
    return (Strong(comment.window.title), f"{_section_of(comment)} · {comment.at_text}")


def _response_text(comment: CommentReceipt) -> Line:
    return ("No comments",) if comment.kind == CommentKind.NO_COMMENTS else Quote(comment.text)


def _closed_window(window: WindowSummary, responses: list[CommentReceipt]) -> Paragraph:
    said_there: list[Line] = []
    for comment in (comment for comment in responses if comment.window.id == window.id):
        if comment.kind == CommentKind.NO_COMMENTS:
            said_there.append((f"You said you had no comments, {comment.at_text}.",))
        else:
            said_there += [(f"Your comment{_section_of(comment)}, {comment.at_text}:",), Quote(comment.text)]
    heading = (Strong(window.title), f": closed {window.deadline_text}.")
    return paragraph(heading, *(said_there or [("You did not respond.",)]))


def _section_of(comment: CommentReceipt) -> str:
    return f" ({comment.section})" if comment.section else ""


def draft_offer(offer: DraftOffer) -> Message:
    if offer.guessed:
        return _guessed_report_offer(offer)
    buttons = (
        Button("Add as my comment", "draft.confirm", str(offer.draft_id), style="primary"),
        Button("No thanks", "draft.dismiss", str(offer.draft_id)),
    )
    question = ("Add your reply as your comment on ", Strong(offer.window.title), "?")
    return Message("Add your reply as a comment?", (paragraph(question, Quote(offer.text), buttons=buttons),))


def _guessed_report_offer(offer: DraftOffer) -> Message:
    window = offer.window
    none_to_add = says_no_comments(offer.text)
    confirm = "Yes, no comments" if none_to_add else "Add as my comment"
    buttons = (
        Button(confirm, "draft.confirm", str(offer.draft_id), style="primary"),
        Button("Not that report", "draft.forget", str(offer.draft_id)),
    )
    asking = "Do you mean you have no comments on " if none_to_add else "Is this your comment on "
    question = (asking, Strong(window.title), "?")
    hint = (
        f"Comments close {window.deadline_text}. Next time you can start with the report's reference: ",
        Command("comment", f"{window.ref} your comment"),
        ".",
    )
    return Message(
        f"{asking}{window.title}?",
        (paragraph(question, Quote(offer.text), buttons=buttons), paragraph(hint)),
    )


def export_sent(compiled: CompiledComments) -> Message:
    counts = [count_of(compiled.comment_count, "comment")]
    counts += [f'{compiled.no_comments_count} "no comments"'] if compiled.no_comments_count else []
    counts += [f"{len(compiled.not_responded)} not yet responded"] if compiled.not_responded else []
    return notice(
        "I've sent you the comments on ",
        Strong(compiled.report_title),
        f" ({', '.join(counts)}) as Word, Markdown and CSV files in a direct message.",
    )


def count_of(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
