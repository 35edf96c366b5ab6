import csv
import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime

import docx
import pytest
from docx.text.paragraph import Paragraph

from handlers.due_meetings import _record_move
from handlers.register_export import (
    Register,
    RegisterChange,
    RegisterEntry,
    describe_snapshot,
    register_to_csv,
    register_to_docx,
)
from handlers.resolutions import _snapshot
from storage.models import Meeting, Resolution, ResolutionStatus

COMMITTEE = "Children and Families Overview and Scrutiny Committee"
MULTI_LINE = (
    "That the Director of Children's Services report back on:\n"
    '(a) placement sufficiency, and\n(b) the "Staying Close" pilot.\n\nThe report to include costs, in full.'
)
TRICKY = '=1+1 <!channel> a, "quoted" reply 👍\nمرحبا بالجميع'
OWNER_NAMES = {"UDIRECTOR": "Jane Smith", "UCLERK": "Sam Clerk"}

CREATED = RegisterChange(
    "6 September 2022 14:05", "Sam Clerk", "created", "", "owner: Jane Smith; due: 31 March 2023", None
)
REASSIGNED = RegisterChange(
    "1 October 2022 09:00",
    "Sam Clerk",
    "reassigned",
    "owner: Jane Smith; due: 31 March 2023",
    "owner: Director of Children's Services; due: 31 March 2023",
    "Jane is on leave",
)
SLIPPED = RegisterChange(
    "15 March 2023 00:00",
    "committee-bot",
    "slipped",
    "due: meeting on 14 March 2023",
    "due: meeting on 13 June 2023",
    None,
)


def _entry(reference: str, **changes) -> RegisterEntry:
    entry = RegisterEntry(
        reference=reference,
        committee_name=COMMITTEE,
        text="That the report be noted.",
        kind="Action",
        status="open",
        owner="Jane Smith",
        due="no due date",
        overdue=False,
        slipped_count=0,
        recorded_on="6 September 2022",
        closing_note=None,
        history=(CREATED,),
        meeting_date="6 September 2022",
    )
    return replace(entry, **changes)


# Given in reference order; the register puts the overdue one first and the closed ones last.
EXAMPLE = Register(
    title=f"Resolutions register: {COMMITTEE}",
    generated_at="20 March 2023 10:15",
    entries=(
        _entry("R1", status="done", closing_note="Report received\non 14 March 2023."),
        _entry("R2", status="cancelled", owner="Not assigned", history=(CREATED, replace(CREATED, action="cancelled"))),
        _entry("R5", kind="Report back", due="meeting on 13 June 2023", slipped_count=1, history=(CREATED, SLIPPED)),
        _entry(
            "R12",
            text=MULTI_LINE,
            kind="Report back",
            owner="Director of Children's Services",
            due="31 March 2023",
            overdue=True,
            history=(CREATED, REASSIGNED),
        ),
    ),
)
EMPTY = replace(EXAMPLE, entries=())


def _with_one_entry(**changes) -> Register:
    return replace(EXAMPLE, entries=(_entry("R7", **changes),))


def _docx_paragraphs(register: Register) -> list[Paragraph]:
    return docx.Document(io.BytesIO(register_to_docx(register))).paragraphs


def _docx_headings(register: Register) -> list[str]:
    return [p.text for p in _docx_paragraphs(register) if p.style.name.startswith(("Heading", "Title"))]


def _docx_text(register: Register) -> str:
    return "\n".join(p.text for p in _docx_paragraphs(register))


def _entry_paragraphs(register: Register, heading: str) -> list[str]:
    """The paragraphs under one resolution's heading, up to the next heading."""
    texts = [(p.text, p.style.name.startswith("Heading")) for p in _docx_paragraphs(register)]
    start = texts.index((heading, True)) + 1
    end = next((i for i in range(start, len(texts)) if texts[i][1]), len(texts))
    return [text for text, _ in texts[start:end]]


def _csv_rows(register: Register) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(register_to_csv(register), newline="")))


# --- Register -----------------------------------------------------------------------------------------------------


def test_file_stem_names_the_register_and_committee():
    assert EXAMPLE.file_stem == "resolutions-register-children-and-families-overview-and-scrutiny-committee"


@pytest.mark.parametrize(("title", "stem"), [("../../etc/passwd", "etc-passwd"), ("👍", "resolutions-register")])
def test_file_stem_is_safe_for_any_title(title, stem):
    assert replace(EXAMPLE, title=title).file_stem == stem


# --- Word ---------------------------------------------------------------------------------------------------------


def test_docx_puts_open_resolutions_first_overdue_at_the_top_then_closed_ones():
    assert _docx_headings(EXAMPLE) == [
        f"Resolutions register: {COMMITTEE}",
        "Open resolutions",
        "R12 · Report back · open · overdue",
        "R5 · Report back · open",
        "Closed resolutions",
        "R1 · Action · done",
        "R2 · Action · cancelled",
    ]


def test_noted_decisions_have_their_own_heading_without_owner_or_due_and_are_counted():
    noted = _entry("R20", kind="Noted", status="noted", owner="Not assigned", meeting_date="3 December 2020")
    passed = _entry("R21", kind="Comment deadline", status="deadline passed", due="20 September 2022")
    register = replace(EXAMPLE, entries=(*EXAMPLE.entries, noted, passed))
    headings = _docx_headings(register)
    assert headings[headings.index("Noted") + 1] == "R20 · Noted"
    assert (
        headings.index("Noted")
        < headings.index("Closed resolutions")
        < headings.index("R21 · Comment deadline · deadline passed")
    )
    assert _entry_paragraphs(register, "R20 · Noted")[:2] == [
        "That the report be noted.",
        "Meeting: 3 December 2020",
    ]
    assert not [line for line in _entry_paragraphs(register, "R20 · Noted") if line.startswith(("Owner", "Due"))]
    assert "2 open, of which 1 overdue; 1 noted; 1 deadline passed; 1 done; 1 cancelled." in _docx_text(register)
    assert [row["reference"] for row in _csv_rows(register)] == ["R12", "R5", "R20", "R1", "R2", "R21"]
    noted_row = _csv_rows(register)[2]
    assert (noted_row["meeting_date"], noted_row["status"], noted_row["owner"], noted_row["due"]) == (
        "3 December 2020",
        "noted",
        "",
        "",
    )


def test_docx_says_when_it_was_generated_and_counts_the_resolutions():
    text = _docx_text(EXAMPLE)
    assert "Generated: 20 March 2023 10:15" in text
    assert "2 open, of which 1 overdue; 1 done; 1 cancelled." in text


def test_docx_shows_an_entry_with_its_text_details_and_history():
    assert _entry_paragraphs(EXAMPLE, "R12 · Report back · open · overdue") == [
        MULTI_LINE,
        "Meeting: 6 September 2022",
        "Owner: Director of Children's Services",
        "Due: 31 March 2023 (overdue)",
        "Recorded: 6 September 2022",
        "History",
        "6 September 2022 14:05 Sam Clerk created: owner: Jane Smith; due: 31 March 2023",
        "1 October 2022 09:00 Sam Clerk reassigned: owner: Jane Smith; due: 31 March 2023 → "
        "owner: Director of Children's Services; due: 31 March 2023 (Jane is on leave)",
    ]


def test_docx_keeps_line_breaks_as_real_breaks_in_one_paragraph():
    paragraph = next(p for p in _docx_paragraphs(EXAMPLE) if p.text.startswith("That the Director"))
    assert paragraph.text == MULTI_LINE
    assert len(paragraph._p.xpath(".//w:br")) == MULTI_LINE.count("\n")


def test_docx_lists_history_as_bullets():
    bullets = [p.text for p in _docx_paragraphs(EXAMPLE) if p.style.name == "List Bullet"]
    slipped = "15 March 2023 00:00 committee-bot slipped: due: meeting on 14 March 2023 → due: meeting on 13 June 2023"
    assert slipped in bullets
    assert len(bullets) == sum(len(entry.history) for entry in EXAMPLE.entries)


def test_docx_marks_only_overdue_resolutions_overdue():
    assert "Due: meeting on 13 June 2023" in _entry_paragraphs(EXAMPLE, "R5 · Report back · open")
    assert _docx_text(EXAMPLE).count("overdue") == 3  # the summary, R12's heading and R12's due date


def test_docx_shows_slipping_only_when_it_happened():
    assert "Slipped: 1 time" in _entry_paragraphs(EXAMPLE, "R5 · Report back · open")
    assert not [line for line in _entry_paragraphs(EXAMPLE, "R1 · Action · done") if line.startswith("Slipped")]


def test_docx_shows_the_closing_note_with_its_line_breaks():
    assert "Closing note: Report received\non 14 March 2023." in _entry_paragraphs(EXAMPLE, "R1 · Action · done")


def test_docx_keeps_resolution_text_verbatim():
    assert TRICKY in _docx_text(_with_one_entry(text=TRICKY))


def test_docx_names_the_committee_only_when_the_register_spans_several():
    assert "Committee:" not in _docx_text(EXAMPLE)
    several = replace(EXAMPLE, entries=(*EXAMPLE.entries, _entry("R40", committee_name="Audit Committee")))
    assert f"Committee: {COMMITTEE}" in _docx_text(several)
    assert "Committee: Audit Committee" in _docx_text(several)


def test_docx_survives_control_characters_pasted_into_a_resolution():
    assert "bell and form feed" in _docx_text(_with_one_entry(text="bell\x07 and\x0c form feed"))


def test_docx_of_an_empty_register_says_so():
    assert _docx_headings(EMPTY) == [f"Resolutions register: {COMMITTEE}"]
    assert "No resolutions recorded yet." in _docx_text(EMPTY)
    assert "open, of which" not in _docx_text(EMPTY)


def test_docx_is_a4_with_its_own_properties():
    document = docx.Document(io.BytesIO(register_to_docx(EXAMPLE)))
    page = document.sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)
    assert document.core_properties.title == f"Resolutions register: {COMMITTEE}"
    assert document.core_properties.author == COMMITTEE
    assert "python-docx" not in (document.core_properties.author, document.core_properties.comments)


# --- CSV ----------------------------------------------------------------------------------------------------------


def test_csv_has_the_agreed_columns():
    header = next(csv.reader(io.StringIO(register_to_csv(EXAMPLE), newline="")))
    assert header == [
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
    ]


def test_csv_has_one_row_per_entry_in_register_order():
    assert [row["reference"] for row in _csv_rows(EXAMPLE)] == ["R12", "R5", "R1", "R2"]


def test_csv_round_trips_commas_quotes_newlines_and_unicode():
    register = replace(EXAMPLE, entries=(*EXAMPLE.entries, _entry("R13", text=TRICKY)))
    texts = {row["reference"]: row["text"] for row in _csv_rows(register)}
    assert (texts["R12"], texts["R13"]) == (MULTI_LINE, "'" + TRICKY)  # TRICKY starts with "=", hence the quote


def test_csv_carries_status_owner_due_overdue_slipped_and_closing_note():
    r12, r5, r1, _ = _csv_rows(EXAMPLE)
    assert (r12["status"], r12["owner"], r12["due"], r12["overdue"]) == (
        "open",
        "Director of Children's Services",
        "31 March 2023",
        "yes",
    )
    assert (r5["overdue"], r5["slipped"]) == ("no", "1")
    assert r1["closing_note"] == "Report received\non 14 March 2023."


def test_csv_joins_the_history_into_one_cell():
    r12 = _csv_rows(EXAMPLE)[0]
    assert r12["history"] == (
        "6 September 2022 14:05 Sam Clerk created: owner: Jane Smith; due: 31 March 2023; "
        "1 October 2022 09:00 Sam Clerk reassigned: owner: Jane Smith; due: 31 March 2023 → "
        "owner: Director of Children's Services; due: 31 March 2023 (Jane is on leave)"
    )


@pytest.mark.parametrize("text", ["=1+1", "+44 1234", "-1 from me", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_defuses_spreadsheet_formulas_in_the_text(text):
    assert _csv_rows(_with_one_entry(text=text))[0]["text"] == "'" + text


def test_csv_defuses_formulas_in_typed_owner_titles_and_closing_notes():
    row = _csv_rows(_with_one_entry(owner='=HYPERLINK("http://evil.example")', closing_note="@cmd"))[0]
    assert (row["owner"], row["closing_note"]) == ('\'=HYPERLINK("http://evil.example")', "'@cmd")


def test_csv_of_an_empty_register_has_only_the_header():
    assert register_to_csv(EMPTY).splitlines() == [
        "reference,committee,meeting_date,kind,status,owner,due,overdue,slipped,recorded_on,closing_note,text,history"
    ]


# --- Snapshots ----------------------------------------------------------------------------------------------------
# Built with the functions that write resolution_change, and stored as JSON the same way, so these stay the real thing.


def _resolution(**fields) -> Resolution:
    defaults = {"committee_id": 1, "text": "Noted.", "kind": "action", "created_by": "UCLERK", "request_key": "k"}
    return Resolution(**(defaults | fields))


def _stored_snapshot(resolution: Resolution) -> dict:
    return json.loads(json.dumps(_snapshot(resolution)))


class _RecordingSession:
    def __init__(self) -> None:
        self.added: list = []

    def add(self, row) -> None:
        self.added.append(row)


def _stored_move(due_at: datetime, meeting_starts: datetime | None) -> tuple[dict, dict]:
    """The before and after of moving a resolution due at the meeting at `due_at` to one starting `meeting_starts`."""
    resolution = _resolution(id=5, due_rule="next meeting", due_meeting_id=1, due_at=due_at)
    meeting = Meeting(id=2, committee_id=1, starts_at=meeting_starts, created_by="UCLERK", request_key="m")
    session = _RecordingSession()
    now = datetime(2023, 3, 1, tzinfo=UTC)
    target = meeting if meeting_starts else None
    _record_move(session, resolution, target, meeting_starts, "moved", "system", now, slipped=False)
    change = session.added[-1]
    return json.loads(change.before), json.loads(change.after)


def test_describe_snapshot_names_an_owner_by_name_and_gives_the_due_date():
    snapshot = _stored_snapshot(_resolution(owner_user_id="UDIRECTOR", due_date=date(2023, 3, 31)))
    assert describe_snapshot(snapshot, OWNER_NAMES) == "owner: Jane Smith; due: 31 March 2023"


def test_describe_snapshot_gives_an_owner_by_title():
    snapshot = _stored_snapshot(_resolution(owner_title="Director of Children's Services", due_rule="next meeting"))
    assert describe_snapshot(snapshot, OWNER_NAMES) == "owner: Director of Children's Services; due: the next meeting"


def test_describe_snapshot_keeps_a_due_the_minutes_give_without_a_day():
    snapshot = _stored_snapshot(_resolution(due_rule="quarterly"))
    assert describe_snapshot(snapshot, OWNER_NAMES) == "owner: not assigned; due: “quarterly” (as minuted, no date)"


def test_describe_snapshot_when_nobody_owns_it_and_nothing_is_due():
    assert describe_snapshot(_stored_snapshot(_resolution()), OWNER_NAMES) == "owner: not assigned; due: no due date"


def test_describe_snapshot_falls_back_to_title_then_id_for_someone_unknown():
    known_by_title = _stored_snapshot(_resolution(owner_user_id="UGONE", owner_title="Head of Finance"))
    assert describe_snapshot(known_by_title, {}).startswith("owner: Head of Finance;")
    assert describe_snapshot(_stored_snapshot(_resolution(owner_user_id="UGONE")), {}).startswith("owner: UGONE;")


def test_describe_snapshot_says_a_closed_status_but_not_an_open_one():
    snapshot = _stored_snapshot(_resolution(status=ResolutionStatus.DONE, due_rule="future meeting"))
    assert describe_snapshot(snapshot, OWNER_NAMES) == "status: done; owner: not assigned; due: a future meeting"


def test_describe_snapshot_of_a_move_between_meetings_uses_the_committees_day():
    # 13 June 2023 23:30 UTC is already 14 June in London.
    before, after = _stored_move(datetime(2023, 3, 14, 10, tzinfo=UTC), datetime(2023, 6, 13, 23, 30, tzinfo=UTC))
    assert describe_snapshot(before, OWNER_NAMES) == "due: meeting on 14 March 2023"
    assert describe_snapshot(after, OWNER_NAMES) == "due: meeting on 14 June 2023"
    assert describe_snapshot(after, OWNER_NAMES, zone="UTC") == "due: meeting on 13 June 2023"


def test_describe_snapshot_of_a_move_off_every_meeting():
    _, after = _stored_move(datetime(2023, 3, 14, 10, tzinfo=UTC), None)
    assert describe_snapshot(after, OWNER_NAMES) == "due: no meeting scheduled"


def test_describe_snapshot_of_a_report_its_meeting_was_held_without_says_it_is_still_owed():
    held = {"due_meeting_id": None, "due_at": datetime(2023, 3, 14, 10, tzinfo=UTC).isoformat()}
    assert (
        describe_snapshot(held, OWNER_NAMES) == "due: meeting on 14 March 2023, still owed (no later meeting scheduled)"
    )


@pytest.mark.parametrize("snapshot", [None, {}, {"status": "open"}, {"colour": "red", "due_meeting_id": 3}])
def test_describe_snapshot_of_nothing_worth_saying_is_empty(snapshot):
    assert describe_snapshot(snapshot, OWNER_NAMES) == ""
