import csv
import io
import re
from dataclasses import replace

import docx
import pytest
from docx.text.paragraph import Paragraph

from handlers.export_formats import (
    CompiledComments,
    ExportedComment,
    ReportSection,
    to_csv,
    to_docx,
    to_markdown,
)

MULTI_LINE = "Paragraph 3.2 overstates the savings.\nThe figure should be £1.2m, not £2.1m.\n\nHappy otherwise."
TRICKY = '# Urgent <!channel>\n*not bold* | a, "quoted" reply 👍\nمرحبا بالجميع'

EXAMPLE = CompiledComments(
    committee_name="Audit & Governance Committee",
    report_title="Draft Annual Report 2021/22",
    document_url="https://docs.example.gov.uk/annual-report?v=2&draft=1",
    deadline="Tuesday 20 September 2022 at 23:59 (Europe/London)",
    generated_at="21 September 2022 00:00",
    sections=(
        ReportSection(
            "General comments",
            (
                ExportedComment("Cllr Jane Smith", "14 September 2022 16:05", MULTI_LINE, edited=True),
                ExportedComment("Cllr Dafydd Ap Rhys", "15 September 2022 09:30", TRICKY, edited=False),
            ),
        ),
        ReportSection(
            "Section 3: Finance",
            (ExportedComment("Cllr Priya Patel", "16 September 2022 11:00", "=SUM(A1:A9) looks wrong", False),),
        ),
    ),
    no_comments=("Cllr Tom Brown",),
    not_responded=("Cllr Amy Green", "Cllr Sam O'Neill"),
)
NOBODY_COMMENTED = replace(EXAMPLE, sections=(), no_comments=(), not_responded=())


def _with_one_comment(text: str) -> CompiledComments:
    comment = ExportedComment("Cllr Jane Smith", "14 September 2022 16:05", text, edited=False)
    return replace(EXAMPLE, sections=(ReportSection("General comments", (comment,)),))


def _docx_paragraphs(compiled: CompiledComments) -> list[Paragraph]:
    return docx.Document(io.BytesIO(to_docx(compiled))).paragraphs


def _docx_headings(compiled: CompiledComments) -> list[str]:
    return [p.text for p in _docx_paragraphs(compiled) if p.style.name.startswith(("Heading", "Title"))]


def _docx_text(compiled: CompiledComments) -> str:
    return "\n".join(p.text for p in _docx_paragraphs(compiled))


def _csv_rows(compiled: CompiledComments) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(to_csv(compiled), newline="")))


def _starts_a_markdown_block(line: str) -> bool:
    """Whether a line inside a block quote would open a heading, list, quote, code block or setext underline."""
    return re.match(r"> ( {4}| {0,3}([#>+*=-]|\d+[.)]|```|~~~))", line) is not None


def _markdown_headings(markdown: str) -> list[str]:
    # CommonMark ATX headings, including inside block quotes: up to three spaces, 1-6 hashes, then space or line end.
    return [line for line in markdown.splitlines() if re.match(r"(> ?)* {0,3}#{1,6}(\s|$)", line)]


# --- Summary properties -------------------------------------------------------------------------------------------


def test_comment_count_covers_every_section():
    assert EXAMPLE.comment_count == 3
    assert NOBODY_COMMENTED.comment_count == 0


@pytest.mark.parametrize(
    ("title", "stem"),
    [
        ("Draft Annual Report 2021/22", "comments-draft-annual-report-2021-22"),
        ("Adroddiad Blynyddol Drafft: Café & Llŷr", "comments-adroddiad-blynyddol-drafft-cafe-llyr"),
        ("../../etc/passwd", "comments-etc-passwd"),
        ("👍👍", "comments"),
    ],
)
def test_file_stem_is_safe_for_any_title(title, stem):
    assert replace(EXAMPLE, report_title=title).file_stem == stem


def test_file_stem_stays_a_reasonable_length():
    stem = replace(EXAMPLE, report_title="Very long report title " * 20).file_stem
    assert len(stem) <= 100 and not stem.endswith("-")


# --- Word ---------------------------------------------------------------------------------------------------------


def test_docx_has_title_and_a_heading_per_section_and_list():
    assert _docx_headings(EXAMPLE) == [
        "Comments on Draft Annual Report 2021/22",
        "General comments",
        "Section 3: Finance",
        "No comments",
        "Not yet responded",
    ]


def test_docx_shows_the_committee_link_deadline_and_when_it_was_compiled():
    text = _docx_text(EXAMPLE)
    assert "Committee: Audit & Governance Committee" in text
    assert "Deadline: Tuesday 20 September 2022 at 23:59 (Europe/London)" in text
    assert "Compiled: 21 September 2022 00:00" in text
    links = [link.address for p in _docx_paragraphs(EXAMPLE) for link in p.hyperlinks]
    assert links == [EXAMPLE.document_url]


def test_docx_shows_each_member_their_time_and_edited_only_where_edited():
    bylines = {p.text for p in _docx_paragraphs(EXAMPLE) if p.text.startswith("Cllr ")}
    assert "Cllr Jane Smith — 14 September 2022 16:05 (edited)" in bylines
    assert "Cllr Dafydd Ap Rhys — 15 September 2022 09:30" in bylines
    assert "Cllr Priya Patel — 16 September 2022 11:00" in bylines


def test_docx_keeps_line_breaks_as_real_breaks_in_one_paragraph():
    paragraph = next(p for p in _docx_paragraphs(EXAMPLE) if p.text.startswith("Paragraph 3.2"))
    assert paragraph.text == MULTI_LINE
    assert len(paragraph._p.xpath(".//w:br")) == MULTI_LINE.count("\n")
    assert all("\n" not in text for text in paragraph._p.xpath(".//w:t/text()"))


def test_docx_keeps_member_text_verbatim():
    assert TRICKY in _docx_text(EXAMPLE)


def test_docx_lists_members_with_no_comments_and_those_yet_to_respond():
    paragraphs = _docx_paragraphs(EXAMPLE)
    texts = [p.text for p in paragraphs]
    no_comments_at, not_responded_at = texts.index("No comments"), texts.index("Not yet responded")
    assert texts[no_comments_at + 1 : not_responded_at] == ["Cllr Tom Brown"]
    assert texts[not_responded_at + 1 :] == ["Cllr Amy Green", "Cllr Sam O'Neill"]
    assert {p.style.name for p in paragraphs if p.text.startswith(("Cllr Tom", "Cllr Amy"))} == {"List Bullet"}


def test_docx_when_nobody_commented_and_everyone_responded():
    text = _docx_text(NOBODY_COMMENTED)
    assert "No comments were received." in text
    assert "Everyone has responded." in text
    assert _docx_headings(NOBODY_COMMENTED) == [
        "Comments on Draft Annual Report 2021/22",
        "No comments",
        "Not yet responded",
    ]


def test_docx_is_a4_with_its_own_properties():
    document = docx.Document(io.BytesIO(to_docx(EXAMPLE)))
    page = document.sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)
    assert document.core_properties.title == "Comments on Draft Annual Report 2021/22"
    assert "python-docx" not in (document.core_properties.author, document.core_properties.comments)


def test_docx_survives_control_characters_pasted_into_a_comment():
    text = _docx_text(_with_one_comment("bell\x07 and\x0c form feed"))
    assert "bell and form feed" in text


def test_docx_does_not_link_to_anything_but_a_web_address():
    compiled = replace(EXAMPLE, document_url="javascript:alert(1)")
    assert not [link for p in _docx_paragraphs(compiled) for link in p.hyperlinks]
    assert "javascript:alert(1)" in _docx_text(compiled)


def test_docx_says_when_no_document_link_was_given():
    assert "Document: No link was given." in _docx_text(replace(EXAMPLE, document_url=None))


# --- Markdown -----------------------------------------------------------------------------------------------------


def test_markdown_member_text_cannot_create_headings():
    assert _markdown_headings(to_markdown(EXAMPLE)) == [
        "# Comments on Draft Annual Report 2021/22",
        "## General comments",
        "## Section 3: Finance",
        "## No comments",
        "## Not yet responded",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "# Heading",
        "  ### Indented",
        "- list",
        "+ list",
        "* list",
        "1. numbered",
        "2) numbered",
        "> quote",
        "```",
        "~~~",
        "    code",
        "\tcode",
        "===",
        "---",
        "***",
        "___",
    ],
)
def test_markdown_escapes_block_syntax_at_the_start_of_a_comment_line(text):
    markdown = to_markdown(_with_one_comment(f"Intro\n{text}"))
    quoted_lines = [line for line in markdown.splitlines() if line.startswith(">")]
    assert len(quoted_lines) == 2
    assert not any(_starts_a_markdown_block(line) for line in quoted_lines)


def test_markdown_escapes_inline_syntax_and_mentions():
    markdown = to_markdown(EXAMPLE)
    assert "\\<!channel\\>" in markdown
    assert "\\*not bold\\* \\| a" in markdown
    assert "<!channel>" not in markdown


def test_markdown_keeps_every_comment_line_inside_its_quote_with_hard_breaks():
    markdown = to_markdown(EXAMPLE)
    assert (
        "> Paragraph 3.2 overstates the savings.\\\n> The figure should be £1.2m, not £2.1m.\n>\n> Happy otherwise.\n"
    ) in markdown


def test_markdown_shows_details_members_times_and_edited():
    markdown = to_markdown(EXAMPLE)
    assert "**Committee:** Audit & Governance Committee" in markdown
    assert "[https://docs.example.gov.uk/annual-report?v=2&draft=1](<https://docs.example.gov.uk/" in markdown
    assert "**Deadline:** Tuesday 20 September 2022 at 23:59 (Europe/London)" in markdown
    assert "**Cllr Jane Smith** — 14 September 2022 16:05 (edited)" in markdown
    assert "**Cllr Dafydd Ap Rhys** — 15 September 2022 09:30\n" in markdown


def test_markdown_lists_no_comments_and_not_responded():
    markdown = to_markdown(EXAMPLE)
    assert "## No comments\n\n- Cllr Tom Brown\n" in markdown
    assert "## Not yet responded\n\n- Cllr Amy Green\n- Cllr Sam O'Neill\n" in markdown


def test_markdown_names_and_titles_cannot_break_structure():
    compiled = replace(EXAMPLE, report_title="Report\n# Injected", no_comments=("# Cllr Hash", "* Cllr Star"))
    markdown = to_markdown(compiled)
    assert _markdown_headings(markdown)[0] == "# Comments on Report # Injected"
    assert "# Injected" not in _markdown_headings(markdown)
    assert "- \\# Cllr Hash\n- \\* Cllr Star" in markdown


def test_markdown_when_nobody_commented_and_everyone_responded():
    markdown = to_markdown(NOBODY_COMMENTED)
    assert "No comments were received." in markdown
    assert "## Not yet responded\n\nEveryone has responded.\n" in markdown


# --- CSV ----------------------------------------------------------------------------------------------------------


def test_csv_round_trips_commas_quotes_newlines_and_unicode():
    texts = [row["text"] for row in _csv_rows(EXAMPLE) if row["response"] == "comment"]
    assert texts[:2] == [MULTI_LINE, TRICKY]


def test_csv_has_the_agreed_columns():
    header = next(csv.reader(io.StringIO(to_csv(EXAMPLE), newline="")))
    assert header == ["section", "member", "submitted_at", "edited", "response", "text"]


def test_csv_has_a_row_for_every_member():
    responses = {row["member"]: row["response"] for row in _csv_rows(EXAMPLE)}
    assert responses == {
        "Cllr Jane Smith": "comment",
        "Cllr Dafydd Ap Rhys": "comment",
        "Cllr Priya Patel": "comment",
        "Cllr Tom Brown": "no comments",
        "Cllr Amy Green": "not responded",
        "Cllr Sam O'Neill": "not responded",
    }


def test_csv_comment_rows_carry_section_time_and_edited():
    jane, dafydd, priya = _csv_rows(EXAMPLE)[:3]
    assert (jane["section"], jane["submitted_at"], jane["edited"]) == (
        "General comments",
        "14 September 2022 16:05",
        "yes",
    )
    assert dafydd["edited"] == "no"
    assert priya["section"] == "Section 3: Finance"


@pytest.mark.parametrize("text", ["=SUM(A1:A9)", "+44 1234", "-1 from me", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_defuses_spreadsheet_formulas(text):
    rows = _csv_rows(_with_one_comment(text))
    assert rows[0]["text"] == "'" + text


def test_csv_defuses_formulas_in_names_too():
    rows = _csv_rows(replace(EXAMPLE, not_responded=('=HYPERLINK("http://evil.example","Click")',)))
    assert rows[-1]["member"].startswith("'=")


def test_csv_leaves_ordinary_text_alone():
    assert _csv_rows(EXAMPLE)[0]["text"] == MULTI_LINE


def test_csv_when_nobody_commented_has_only_the_header():
    assert to_csv(NOBODY_COMMENTED).splitlines() == ["section,member,submitted_at,edited,response,text"]
