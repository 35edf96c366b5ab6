"""Forms the bot asks people to fill in, independent of platform: a Slack modal, or prompts in the console."""

import re
from dataclasses import dataclass

from handlers.comment_windows import WindowSummary
from handlers.comments import MAX_COMMENT_LENGTH, MAX_SECTION_LENGTH, CommentReceipt
from handlers.committees import CommitteeSetup
from handlers.deadlines import describe_date, long_date
from handlers.resolutions import KIND_LABELS
from handlers.resolutions import MAX_TEXT_LENGTH as MAX_RESOLUTION_LENGTH
from storage.models import DEFAULT_TIMEZONE

# A long minute pasted in the form; a front end whose text boxes hold less runs it on into more boxes.
MAX_MINUTES_PASTE = 15_000
# As many as a clerk checks at a sitting, and few enough for every front end's form to hold.
RESOLUTIONS_PER_PAGE = 12


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    # text | multiline | user | users | choice | file (.txt, .docx, .pdf) | note (text to read, nothing to fill in)
    kind: str
    optional: bool = False
    initial: str | tuple[str, ...] | None = None
    choices: tuple[tuple[str, str], ...] = ()
    hint: str | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class Form:
    form_id: str
    title: str
    submit: str
    fields: tuple[Field, ...]
    context: str = ""
    intro: str | None = None


FormValues = dict[str, str | tuple[str, ...] | None]


def committee_setup(actor_id: str, current: CommitteeSetup | None = None) -> Form:
    """Set-up of a new committee, or of this one as it stands, to change what needs changing."""
    return Form(
        "committee.setup",
        "Set up committee",
        "Set up" if current is None else "Save",
        (
            Field(
                "name",
                "Committee name",
                "text",
                initial=current.name if current else None,
                max_length=200,
                hint="As it appears on the agenda",
            ),
            Field(
                "timezone",
                "Time zone",
                "text",
                initial=current.timezone if current else DEFAULT_TIMEZONE,
                max_length=64,
            ),
            Field(
                "clerks",
                "Clerks",
                "users",
                initial=current.clerk_ids if current else (actor_id,),
                hint="Clerks open comment windows and export comments",
            ),
            Field("chair", "Chair", "user", optional=True, initial=current.chair_id if current else None),
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
                hint='As you would write it: "by no later than 20 September 2022", "20/09/2022", "Friday 5pm"',
            ),
        ),
        intro="I'll show you what I understood before anything is saved.",
    )


def _choice_label(window: WindowSummary) -> str:
    return f"{window.title} (closes {describe_date(window.deadline, window.timezone)})"


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
                hint='e.g. "Section 3" or "page 12"',
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


def meeting_when(form_id: str, title: str, context: str = "") -> Form:
    return Form(
        form_id,
        title,
        "Save",
        (Field("when", "Date and start time", "text", max_length=100, hint="e.g. 14 March 2027 10:00"),),
        context=context,
    )


DUE_HINT = (
    '"31 March 2027", "by the end of March 2027", "within six months", "at its next meeting", "to a future meeting"'
)


def _kind_field(name: str = "kind", initial: str | None = None) -> Field:
    return Field(name, "Kind", "choice", initial=initial, choices=tuple(KIND_LABELS.items()))


def resolution_record() -> Form:
    return Form(
        "action.record",
        "Record a resolution",
        "Record",
        (
            Field("text", "Resolution", "multiline", max_length=MAX_RESOLUTION_LENGTH),
            _kind_field(),
            Field("owner_user_id", "Owner (a person here)", "user", optional=True),
            Field(
                "owner_title",
                "…or the owner's title",
                "text",
                optional=True,
                max_length=200,
                hint='e.g. "Director of Children and Family Services"',
            ),
            Field("due", "When it is due", "text", optional=True, max_length=200, hint=DUE_HINT),
            Field(
                "meeting_date",
                "Date of the meeting that made it",
                "text",
                optional=True,
                max_length=60,
                hint="Periods are counted from this date. Empty means today.",
            ),
        ),
    )


def action_close(resolution_id: int, action: str) -> Form:
    title = "Mark done" if action == "done" else "Cancel resolution"
    return Form(
        f"action.{action}",
        title,
        "Save",
        (
            Field(
                "note", "Note", "multiline", optional=True, max_length=1000, hint="What was done, or why it was dropped"
            ),
        ),
        context=str(resolution_id),
    )


def action_reassign(resolution_id: int) -> Form:
    return Form(
        "action.reassign",
        "Reassign",
        "Save",
        (
            Field("owner_user_id", "New owner (a person here)", "user", optional=True),
            Field("owner_title", "…or their title", "text", optional=True, max_length=200),
        ),
        context=str(resolution_id),
    )


def action_redate(resolution_id: int) -> Form:
    return Form(
        "action.redate",
        "Change when due",
        "Save",
        (Field("due", "When it is due", "text", max_length=200, hint=DUE_HINT),),
        context=str(resolution_id),
    )


def minutes_paste(problem: str | None = None) -> Form:
    intro = "I'll show you what I found before anything is saved."
    return Form(
        "minutes.paste",
        "Import minutes",
        "Find resolutions",
        (
            Field(
                "meeting_date",
                "Date of the meeting",
                "text",
                optional=True,
                max_length=60,
                hint="Leave it empty to use the date the minutes give.",
            ),
            Field(
                "minutes_file",
                "Minutes as a file",
                "file",
                optional=True,
                hint="A .txt, .docx or .pdf file of the whole meeting's minutes.",
            ),
            Field(
                "minutes",
                "Or paste the minutes",
                "multiline",
                optional=True,
                max_length=MAX_MINUTES_PASTE,
                hint="Include the RESOLVED parts. A long minute can run on into the boxes below.",
            ),
        ),
        intro=f"{problem}\n\n{intro}" if problem else intro,
    )


REPORT_NAMED = re.compile(r"views on (?:the )?(?P<title>.+?)\s+to\s+the\b", re.IGNORECASE | re.DOTALL)


def _report_title(text: str) -> str | None:
    """ "...submit their views on the draft annual report to the Director..." -> "draft annual report"."""
    named = REPORT_NAMED.search(text)
    return named.group("title")[:200] if named else None


def _due_words(due_date, due_rule: str | None) -> str:
    if due_rule:
        return due_rule
    return long_date(due_date) if due_date else ""


def _found_fields(number: int, found) -> tuple[Field, ...]:
    doubts = " ".join(found.doubts) if found.doubts else "I'm fairly sure of this one."
    own = found.marker.rstrip(".)").lstrip("(") if found.marker else ""
    marker = f" ({own})" if own and own != str(number) else ""  # the minutes' own numbering, where it differs
    item = _item_words(found.item_number, found.item_title)
    fields = (
        Field(f"about_{number}", f"Resolution {number}{marker}{item}: {doubts}", "note"),
        _kind_field(f"kind_{number}", str(found.kind)),
        Field(
            f"text_{number}",
            f"Text of resolution {number}",
            "multiline",
            initial=found.text,
            max_length=MAX_RESOLUTION_LENGTH,
        ),
        Field(f"owner_{number}", "Owner", "text", optional=True, initial=found.owner, max_length=200),
        Field(
            f"due_{number}",
            "When it is due",
            "text",
            optional=True,
            initial=_due_words(found.due_date, found.due_rule),
            max_length=200,
        ),
    )
    if str(found.kind) != "comment_deadline":
        return fields
    return (
        *fields,
        Field(
            f"title_{number}",
            "Report the comments are on",
            "text",
            optional=True,
            max_length=200,
            initial=_report_title(found.text),
        ),
        Field(
            f"officer_{number}",
            "Officer who receives the comments",
            "user",
            optional=True,
            hint="Needed to open a comment window for members",
        ),
    )


def _item_words(number: str | None, title: str | None) -> str:
    """ ", item 11 (Annual Report)": where in the minutes a resolution was found."""
    if not (number or title):
        return ""
    named = f" ({title[:80]})" if title and number else f" {title[:80]}" if title else ""
    return f", item {number}{named}" if number else f", item{named}"


def minutes_confirm(found: list, meeting_day: str, import_id: int, page: int = 1, date_known: bool = True) -> Form:
    """One page of the resolutions found; the meeting's date is asked on the first page."""
    pages = max(1, -(-len(found) // RESOLUTIONS_PER_PAGE))
    first = (page - 1) * RESOLUTIONS_PER_PAGE
    fields: list[Field] = []
    if page == 1:
        hint = None if date_known else "I couldn't find the meeting's date in the minutes; please give it."
        fields.append(
            Field("meeting_date", "Date of the meeting", "text", initial=meeting_day, max_length=60, hint=hint)
        )
    for number, resolution in enumerate(found[first : first + RESOLUTIONS_PER_PAGE], start=first + 1):
        fields.extend(_found_fields(number, resolution))
    count = f"I found {len(found)} resolution{'s' if len(found) != 1 else ''}."
    where = f" This is page {page} of {pages}." if pages > 1 else ""
    return Form(
        "minutes.confirm",
        "Check resolutions",
        "Save all" if page == pages else "Next page",
        tuple(fields),
        context=f"{import_id}:{page}",
        intro=f"{count}{where} Correct anything I got wrong, then save. Nothing is saved until you do.",
    )
