"""Minutes uploaded as files: .txt, .docx and .pdf give the same resolutions as pasted text; bad files are refused
politely; `committee-bot minutes extract` prints what was found."""

import argparse
import io
import json
from datetime import date
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from bot import minutes_command
from handlers.document_text import MAX_BYTES, minutes_text
from handlers.errors import InvalidInput
from handlers.minutes import ResolutionKind, extract_resolutions

CFOS = Path(__file__).parent / "fixtures" / "leicestershire-cfos-2022-09-06-minute-extract.txt"
CFOS_TEXT = CFOS.read_text(encoding="utf-8")
MEETING = date(2022, 9, 6)
SCAN_REFUSAL = "This PDF has no text I can read; it may be a scan. Please paste the minutes as text."


def word_document(lines: list[str], numbered: tuple[str, ...] = ()) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line, style="List Number" if line in numbered else None)
    return _saved(document)


def _saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_document(lines: list[str]) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in lines:
        # The core PDF fonts are Latin-1; the resolutions themselves have no curly quotes.
        plain = line.replace("\u2019", "'").replace("\u2018", "'")
        if plain:
            pdf.multi_cell(0, 5, plain, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(5)
    return bytes(pdf.output())


def blank_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 150, style="F")  # what a scanned page looks like to a text reader: no text at all
    return bytes(pdf.output())


def refusal(filename: str, content: bytes) -> str:
    with pytest.raises(InvalidInput) as raised:
        minutes_text(filename, content)
    return raised.value.message


def seed_summary(text: str) -> list[tuple]:
    return [(r.kind, r.owner, r.respondents, r.due_date, r.marker, r.text) for r in extract_resolutions(text, MEETING)]


EXPECTED = seed_summary(CFOS_TEXT)


def test_the_seed_minute_as_pasted_is_the_reference() -> None:
    kinds = [summary[0] for summary in EXPECTED]
    assert kinds == [ResolutionKind.NOTED, ResolutionKind.COMMENT_DEADLINE]


# --- The same minute in each format ---------------------------------------------------------------


def test_text_file_in_utf8_gives_the_same_resolutions() -> None:
    assert seed_summary(minutes_text("minutes.txt", CFOS.read_bytes())) == EXPECTED


def test_text_file_saved_by_a_windows_editor_gives_the_same_resolutions() -> None:
    windows = CFOS_TEXT.replace("\n", "\r\n").encode("cp1252")

    assert seed_summary(minutes_text("MINUTES.TXT", windows)) == EXPECTED


def test_text_file_saved_as_notepad_unicode_gives_the_same_resolutions() -> None:
    assert seed_summary(minutes_text("minutes.txt", CFOS_TEXT.encode("utf-16"))) == EXPECTED


def test_word_document_gives_the_same_resolutions() -> None:
    content = word_document(CFOS_TEXT.splitlines())

    assert seed_summary(minutes_text("minutes.docx", content)) == EXPECTED


def test_pdf_gives_the_same_resolutions() -> None:
    content = pdf_document(CFOS_TEXT.splitlines())

    assert seed_summary(minutes_text("Minutes 6 September 2022.pdf", content)) == EXPECTED


def test_word_tables_are_read_in_order_and_merged_cells_once() -> None:
    document = docx.Document()
    document.add_paragraph("Minute 11: Annual Report")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "RESOLVED:"
    table.cell(1, 0).text = "a) That the report be noted."
    table.cell(1, 1).text = "b) That the Clerk be asked to circulate the action plan."
    text = minutes_text("minutes.docx", _saved(document))

    assert text.count("RESOLVED:") == 1
    resolutions = extract_resolutions(text, MEETING)
    assert [(r.marker, r.kind, r.owner) for r in resolutions] == [
        ("a)", ResolutionKind.NOTED, None),
        ("b)", ResolutionKind.ACTION, "Clerk"),
    ]


def test_word_automatic_numbering_keeps_each_item_separate() -> None:
    items = ("the report be noted;", "officers be asked to arrange a site visit.")
    content = word_document(["RESOLVED that:", *items], numbered=items)

    resolutions = extract_resolutions(minutes_text("minutes.docx", content), MEETING)

    assert [(r.text, r.kind) for r in resolutions] == [
        ("That the report be noted", ResolutionKind.NOTED),
        ("That officers be asked to arrange a site visit.", ResolutionKind.ACTION),
    ]


# --- Files that cannot be read ----------------------------------------------------------------------


def test_a_scanned_pdf_is_refused_with_the_reason() -> None:
    assert refusal("scan.pdf", blank_pdf()) == SCAN_REFUSAL


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        pytest.param("minutes.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "I couldn't open that PDF", id="pdf"),
        pytest.param("minutes.pdf", b"", "I couldn't open that PDF", id="empty pdf"),
        pytest.param("minutes.docx", b"PK\x03\x04 not really", "I couldn't open that Word document", id="docx"),
        pytest.param("minutes.docx", b"plain text", "I couldn't open that Word document", id="docx not a zip"),
        pytest.param("minutes.txt", b"\x81\x8d\x8f", "I couldn't read that file as text", id="txt bytes"),
        pytest.param("minutes.txt", b"  \n\n ", "That file is empty.", id="empty txt"),
    ],
)
def test_damaged_or_empty_files_are_refused_politely(filename: str, content: bytes, expected: str) -> None:
    message = refusal(filename, content)

    assert message.startswith(expected)
    assert message.endswith(".")


@pytest.mark.parametrize("filename", ["minutes.doc", "minutes.rtf", "minutes", "agenda.odt"])
def test_unsupported_types_are_named_and_refused(filename: str) -> None:
    message = refusal(filename, b"anything")

    assert message.startswith("I can read minutes from .txt, .docx and .pdf files")
    assert filename in message


def test_a_file_over_the_size_limit_is_refused_before_reading() -> None:
    message = refusal("minutes.pdf", b"%" * (MAX_BYTES + 1))

    assert message.startswith("That file is larger than the 5 MB I can read.")


def test_an_empty_word_document_is_refused() -> None:
    assert refusal("minutes.docx", word_document([])) == "That Word document has no text in it."


# --- committee-bot minutes extract ----------------------------------------------------------------


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="committee-bot minutes")
    minutes_command.add_arguments(parser)
    code = minutes_command.run(parser.parse_args(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_extract_prints_a_readable_list(capsys) -> None:
    code, out, err = run(["extract", str(CFOS), "--meeting-date", "2022-09-06"], capsys)

    assert (code, err) == (0, "")
    assert out.startswith(f"2 resolutions in {CFOS.name} (meeting of 6 September 2022):")
    assert "1. Noted - item a)\n   That the draft annual report" in out
    assert "2. Comment deadline - item b)\n" in out
    assert "   Owner: Director of, and Cabinet Lead Member for, Children and Family Services\n" in out
    assert "   Views from: Members of the Children and Families Overview and Scrutiny Committee\n" in out
    assert "   Due: 20 September 2022\n" in out


def test_extract_json_from_a_pdf(tmp_path, capsys) -> None:
    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(pdf_document(CFOS_TEXT.splitlines()))

    code, out, err = run(["extract", str(pdf), "--meeting-date", "2022-09-06", "--json"], capsys)

    assert (code, err) == (0, "")
    noted, comments = json.loads(out)
    assert set(noted) == {"text", "kind", "owner", "due_date", "due_rule", "confidence", "doubts", "respondents",
                          "marker", "item"}  # fmt: skip
    assert noted["item"] == {
        "number": "11",
        "title": "ANNUAL REPORT OF THE LEICESTERSHIRE AND RUTLAND SAFEGUARDING CHILDREN'S PARTNERSHIP",
    }
    assert (noted["kind"], noted["due_date"], noted["due_rule"]) == ("noted", None, None)
    assert (comments["kind"], comments["due_date"]) == ("comment_deadline", "2022-09-20")
    assert comments["owner"] == "Director of, and Cabinet Lead Member for, Children and Family Services"


def test_extract_says_when_there_is_nothing(tmp_path, capsys) -> None:
    empty = tmp_path / "discussion.txt"
    empty.write_text("Members discussed the report at length.\n", encoding="utf-8")

    code, out, _ = run(["extract", str(empty), "--meeting-date", "2022-09-06"], capsys)

    assert code == 0
    assert out == "I found no resolutions in discussion.txt (meeting of 6 September 2022).\n"


@pytest.mark.parametrize(
    ("file", "meeting_date", "expected"),
    [
        pytest.param(str(CFOS), "06/09/2022", '"06/09/2022" isn\'t a meeting date I can read.', id="bad date"),
        pytest.param("no-such-minutes.txt", "2022-09-06", "I couldn't find no-such-minutes.txt.", id="missing"),
        pytest.param(str(CFOS.parent), "2022-09-06", f"I couldn't open {CFOS.parent}: ", id="folder"),
    ],
)
def test_extract_refuses_bad_input_with_one_line_and_exit_2(file, meeting_date, expected, capsys) -> None:
    code, out, err = run(["extract", file, "--meeting-date", meeting_date], capsys)

    assert (code, out) == (2, "")
    assert err.startswith(expected)
    assert err.count("\n") == 1


def test_extract_refuses_a_damaged_pdf_with_one_line(tmp_path, capsys) -> None:
    damaged = tmp_path / "minutes.pdf"
    damaged.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")

    code, out, err = run(["extract", str(damaged), "--meeting-date", "2022-09-06"], capsys)

    assert (code, out) == (2, "")
    assert err == "I couldn't open that PDF; it may be damaged. Please paste the minutes as text instead.\n"
