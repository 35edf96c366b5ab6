"""The resolutions register as the files the officer keeps: a Word document to file and a CSV for spreadsheets.

Both carry every resolution with its history. Resolution text, owner titles and notes are typed by clerks, so the
comment export's defences apply here too (see export_formats): XML-illegal characters are dropped from Word, and
cells a spreadsheet would run as formulas are defused.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from handlers.deadlines import describe_date, long_date
from handlers.due_meetings import FUTURE_MEETING, NEXT_MEETING
from handlers.export_formats import _lines, _spreadsheet_safe, _xml_safe, file_slug, set_up_a4
from handlers.resolutions import DEADLINE_PASSED_STATUS, NOTED_STATUS, minuted_due
from storage.models import DEFAULT_TIMEZONE, ResolutionStatus

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.text.paragraph import Paragraph

NO_RESOLUTIONS = "No resolutions recorded yet."
NOT_RECORDED = "not recorded"
OVERDUE = "overdue"
BOT_NAME = "committee-bot"
_NO_OWNER = "not assigned"
_MEETING_RULES = {NEXT_MEETING: "the next meeting", FUTURE_MEETING: "a future meeting"}
_RARER_STATUSES = (NOTED_STATUS, DEADLINE_PASSED_STATUS)  # counted in the summary only where there are any


@dataclass(frozen=True)
class RegisterChange:
    at: str  # formatted, in the committee's zone
    who: str  # display name, or "committee-bot" for automatic changes
    action: str  # created | done | cancelled | reassigned | redated | slipped | moved | scheduled
    before: str  # describe_snapshot of the state before; "" if none
    after: str
    note: str | None


@dataclass(frozen=True)
class RegisterEntry:
    reference: str  # e.g. "R12"
    committee_name: str
    text: str  # verbatim
    kind: str  # label, e.g. "Report back"
    status: str  # open | done | cancelled | noted | deadline passed (a comment deadline)
    owner: str  # display name or title, or "Not assigned"
    due: str  # "31 March 2023" / "meeting on 14 March 2023" / "no due date"
    overdue: bool
    slipped_count: int
    recorded_on: str
    closing_note: str | None
    history: tuple[RegisterChange, ...]
    meeting_date: str = NOT_RECORDED  # of the meeting that made it, e.g. "6 September 2022"

    @property
    def is_open(self) -> bool:
        return self.status == ResolutionStatus.OPEN

    @property
    def is_noted(self) -> bool:
        return self.status == NOTED_STATUS


@dataclass(frozen=True)
class Register:
    title: str  # e.g. "Resolutions register: Children and Families Overview and Scrutiny Committee"
    generated_at: str
    entries: tuple[RegisterEntry, ...]

    @property
    def file_stem(self) -> str:
        return file_slug(self.title) or "resolutions-register"


def _grouped(register: Register) -> list[tuple[str, list[RegisterEntry]]]:
    """Open resolutions with the overdue ones first, since those are what the officer has to chase; the decisions
    only noted; then the closed ones."""
    entries = register.entries
    open_entries = sorted((entry for entry in entries if entry.is_open), key=lambda entry: not entry.overdue)
    return [
        ("Open resolutions", open_entries),
        ("Noted", [entry for entry in entries if entry.is_noted]),
        ("Closed resolutions", [entry for entry in entries if not (entry.is_open or entry.is_noted)]),
    ]


def _summary(register: Register) -> str:
    statuses = [entry.status for entry in register.entries]
    overdue = sum(entry.overdue for entry in register.entries if entry.is_open)
    counts = [f"{statuses.count(ResolutionStatus.OPEN)} open, of which {overdue} overdue"]
    counts += [f"{statuses.count(status)} {status}" for status in _RARER_STATUSES if status in statuses]
    counts += [
        f"{statuses.count(ResolutionStatus.DONE)} done",
        f"{statuses.count(ResolutionStatus.CANCELLED)} cancelled",
    ]
    return "; ".join(counts) + "."


def _heading(entry: RegisterEntry) -> str:
    state = [] if entry.is_noted else [entry.status]  # "Noted · noted" would say it twice
    return " · ".join([entry.reference, entry.kind, *state] + ([OVERDUE] if entry.overdue else []))


def _describe_change(change: RegisterChange) -> str:
    """E.g. "14 March 2023 10:02 Jane Clerk reassigned: owner: A; due: 31 March 2023 → owner: B; due: ... (note)"."""
    line = f"{change.at} {change.who} {change.action}"
    if states := " → ".join(state for state in (change.before, change.after) if state):
        line += f": {states}"
    return f"{line} ({change.note})" if change.note else line


# --- Snapshots ----------------------------------------------------------------------------------------------------


def describe_snapshot(snapshot: dict | None, owner_names: dict[str, str], zone: str = DEFAULT_TIMEZONE) -> str:
    """A resolution_change snapshot as "owner: Director of Children's Services; due: 31 March 2023".

    Each kind of change stores only the fields it is about (see resolutions._snapshot and due_meetings._record_move),
    so each part is said only when its keys are there. `zone` is the committee's, for the day a meeting falls on.
    """
    return "; ".join(part for part in _parts(snapshot, owner_names, zone) if part)


def describe_change(
    before: dict | None, after: dict | None, owner_names: dict[str, str], zone: str = DEFAULT_TIMEZONE
) -> tuple[str, str]:
    """A change's before and after, each saying only what the change altered: a new due date, not the owner it
    kept as well. A resolution's first entry has no before, and says all of what it was recorded with."""
    if not (before and after):
        return describe_snapshot(before, owner_names, zone), describe_snapshot(after, owner_names, zone)
    altered = [
        (was, now)
        for was, now in zip(_parts(before, owner_names, zone), _parts(after, owner_names, zone), strict=True)
        if was != now
    ]
    return "; ".join(was for was, _ in altered if was), "; ".join(now for _, now in altered if now)


def _parts(snapshot: dict | None, owner_names: dict[str, str], zone: str) -> tuple[str | None, ...]:
    if not snapshot:
        return ()
    return _status_part(snapshot), _owner_part(snapshot, owner_names), _due_part(snapshot, zone)


def _status_part(snapshot: dict) -> str | None:
    # Every change before a resolution closes is made to an open one, so only a closed status tells the reader anything.
    status = snapshot.get("status")
    return f"status: {status}" if status and status != ResolutionStatus.OPEN else None


def _owner_part(snapshot: dict, owner_names: dict[str, str]) -> str | None:
    if "owner_user_id" not in snapshot and "owner_title" not in snapshot:
        return None
    user_id, title = snapshot.get("owner_user_id"), snapshot.get("owner_title")
    # Someone who has since left the workspace has no name to look up; their title, or at worst their id, remains.
    owner = (owner_names.get(user_id) if user_id else None) or title or user_id
    return f"owner: {owner or _NO_OWNER}"


def _due_part(snapshot: dict, zone: str) -> str | None:
    """A report due at a meeting is said by the meeting where one is known (due_meetings.where_due), else by its
    rule ("a future meeting"); a move between meetings records no rule, and says when none was scheduled."""
    if snapshot.get("due_at"):
        return f"due: {_meeting_due(snapshot['due_at'], snapshot.get('due_meeting_id'), zone)}"
    if "due_date" in snapshot or "due_rule" in snapshot:
        return f"due: {_date_or_rule_due(snapshot.get('due_date'), snapshot.get('due_rule'))}"
    return "due: no meeting scheduled" if "due_at" in snapshot else None


def _meeting_due(due_at: str, meeting_id: int | None, zone: str) -> str:
    """A start with no meeting is one held without the report, with none after it yet (due_meetings._due_at)."""
    meeting = f"meeting on {describe_date(datetime.fromisoformat(due_at), zone)}"
    return meeting if meeting_id is not None else f"{meeting}, still owed (no later meeting scheduled)"


def _date_or_rule_due(due_date: str | None, due_rule: str | None) -> str:
    if due_rule in _MEETING_RULES:
        return _MEETING_RULES[due_rule]
    if due_date:
        day = date.fromisoformat(due_date)
        return long_date(day)
    return minuted_due(due_rule)


# --- Word ---------------------------------------------------------------------------------------------------------


def register_to_docx(register: Register) -> bytes:
    # Imported here for start-up time, as in export_formats.to_docx.
    from docx import Document

    document = Document()
    _set_up_page_and_properties(document, register)
    document.add_heading(_xml_safe(register.title), level=0)
    _add_labelled_line(document, "Generated", register.generated_at)
    if register.entries:
        document.add_paragraph(_summary(register))
        _add_entries(document, register)
    else:
        document.add_paragraph(NO_RESOLUTIONS)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _set_up_page_and_properties(document: WordDocument, register: Register) -> None:
    committees = ", ".join(dict.fromkeys(entry.committee_name for entry in register.entries))
    set_up_a4(document, register.title, committees or BOT_NAME)


def _add_entries(document: WordDocument, register: Register) -> None:
    # A register exported across several committees has to say which one each resolution belongs to.
    show_committee = len({entry.committee_name for entry in register.entries}) > 1
    for heading, entries in _grouped(register):
        if entries:
            document.add_heading(heading, level=1)
        for entry in entries:
            _add_entry(document, entry, show_committee)


def _add_entry(document: WordDocument, entry: RegisterEntry, show_committee: bool) -> None:
    document.add_heading(_xml_safe(_heading(entry)), level=2)
    _add_text(document.add_paragraph(), entry.text)
    for label, value in _entry_details(entry, show_committee):
        _add_labelled_line(document, label, value)
    _add_history(document, entry.history)


def _entry_details(entry: RegisterEntry, show_committee: bool) -> list[tuple[str, str]]:
    details = [("Committee", entry.committee_name)] if show_committee else []
    details.append(("Meeting", entry.meeting_date))
    if not entry.is_noted:
        details += [("Owner", entry.owner), ("Due", f"{entry.due} ({OVERDUE})" if entry.overdue else entry.due)]
    if entry.slipped_count:
        details.append(("Slipped", f"{entry.slipped_count} time{'s' if entry.slipped_count != 1 else ''}"))
    details.append(("Recorded", entry.recorded_on))
    if entry.closing_note:
        details.append(("Closing note", entry.closing_note))
    return details


def _add_labelled_line(document: WordDocument, label: str, value: str) -> None:
    from docx.shared import Mm

    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Mm(1)
    paragraph.add_run(f"{label}: ").bold = True
    _add_text(paragraph, value)


def _add_history(document: WordDocument, history: tuple[RegisterChange, ...]) -> None:
    if not history:
        return
    label = document.add_paragraph()
    label.paragraph_format.keep_with_next = True  # never strand the label at the foot of a page
    label.add_run("History").bold = True
    for change in history:
        _add_text(document.add_paragraph(style="List Bullet"), _describe_change(change))


def _add_text(paragraph: Paragraph, text: str) -> None:
    """Typed text with its line breaks kept as breaks inside the one paragraph."""
    lines = _lines(_xml_safe(text))
    for line_number, line in enumerate(lines, start=1):
        run = paragraph.add_run(line)
        if line_number < len(lines):
            run.add_break()


# --- CSV ----------------------------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "reference",
    "committee",
    "meeting_date",
    "kind",
    "status",
    "owner",
    "due",
    "overdue",
    "slipped",
    "recorded_on",
    "closing_note",
    "text",
    "history",
)


def register_to_csv(register: Register) -> str:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(CSV_COLUMNS)
    for entry in (entry for _, entries in _grouped(register) for entry in entries):
        writer.writerow([_spreadsheet_safe(cell) for cell in _csv_row(entry)])
    return output.getvalue()


def _csv_row(entry: RegisterEntry) -> tuple[str, ...]:
    return (
        entry.reference,
        entry.committee_name,
        entry.meeting_date,
        entry.kind,
        entry.status,
        "" if entry.is_noted else entry.owner,  # a decision only noted asks nothing of anyone
        "" if entry.is_noted else entry.due,
        "yes" if entry.overdue else "no",
        str(entry.slipped_count),
        entry.recorded_on,
        entry.closing_note or "",
        entry.text,
        "; ".join(_describe_change(change) for change in entry.history),
    )
