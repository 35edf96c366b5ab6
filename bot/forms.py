"""Forms the bot asks people to fill in, independent of platform: a Slack modal, or prompts in the console."""

from dataclasses import dataclass

from handlers.comment_windows import WindowSummary
from handlers.comments import MAX_COMMENT_LENGTH, MAX_SECTION_LENGTH, CommentReceipt
from handlers.deadlines import describe_date
from storage.models import DEFAULT_TIMEZONE

MAX_CHOICE_LABEL = 75  # Slack's limit for an option's text


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # text | multiline | user | users | choice
    optional: bool = False
    initial: str | tuple[str, ...] | None = None
    choices: tuple[tuple[str, str], ...] = ()
    hint: str | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class Form:
    form_id: str
    title: str  # at most 24 characters, Slack's limit for a modal title
    submit: str
    fields: tuple[Field, ...]
    context: str = ""
    intro: str | None = None


FormValues = dict[str, str | tuple[str, ...] | None]


def committee_setup(actor_id: str) -> Form:
    return Form(
        "committee.setup",
        "Set up committee",
        "Set up",
        (
            Field("name", "Committee name", "text", max_length=200, hint="As it appears on the agenda"),
            Field("timezone", "Time zone", "text", initial=DEFAULT_TIMEZONE, max_length=64),
            Field(
                "clerks", "Clerks", "users", initial=(actor_id,), hint="Clerks open comment windows and export comments"
            ),
            Field("chair", "Chair", "user", optional=True),
        ),
    )


def report_open() -> Form:
    return Form(
        "report.open",
        "Open comment window",
        "Check",
        (
            Field("title", "Report title", "text", max_length=200),
            Field("document_url", "Link to the document", "text", optional=True, max_length=1000),
            Field("officer", "Officer receiving comments", "user"),
            Field(
                "deadline",
                "Deadline",
                "text",
                max_length=200,
                hint='As you would write it: "by no later than 20 September 2022", "20/09/2022", "next Friday 5pm"',
            ),
        ),
        intro="I'll show you what I understood before anything is saved.",
    )


def _choice_label(window: WindowSummary) -> str:
    label = f"{window.title} (closes {describe_date(window.deadline, window.timezone)})"
    return label if len(label) <= MAX_CHOICE_LABEL else label[: MAX_CHOICE_LABEL - 1] + "…"


def comment_add(windows: list[WindowSummary], chosen: WindowSummary | None = None, text: str | None = None) -> Form:
    choices = tuple((str(w.id), _choice_label(w)) for w in windows)
    initial = str(chosen.id) if chosen else (choices[0][0] if len(choices) == 1 else None)
    return Form(
        "comment.add",
        "Comment on a report",
        "Send comment",
        (
            Field("report", "Report", "choice", initial=initial, choices=choices),
            Field(
                "section",
                "Section or paragraph",
                "text",
                optional=True,
                max_length=MAX_SECTION_LENGTH,
                hint='Optional, e.g. "Section 3" or "page 12"',
            ),
            Field("text", "Your comment", "multiline", initial=text, max_length=MAX_COMMENT_LENGTH),
        ),
        intro="\n".join(f"{w.title}: closes {w.deadline_text}" for w in windows[:10]),
    )


def comment_edit(comment: CommentReceipt) -> Form:
    return Form(
        "comment.edit",
        "Edit your comment",
        "Save changes",
        (
            Field(
                "section",
                "Section or paragraph",
                "text",
                optional=True,
                initial=comment.section,
                max_length=MAX_SECTION_LENGTH,
            ),
            Field("text", "Your comment", "multiline", initial=comment.text, max_length=MAX_COMMENT_LENGTH),
        ),
        context=str(comment.comment_id),
        intro=f"{comment.window.title}: you can change this until {comment.window.deadline_text}.",
    )
