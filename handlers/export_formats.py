"""The compiled comments on a draft report, as the files the receiving officer is sent: Word, Markdown and CSV.

All three carry the same responses. Member text arrives verbatim from chat, so each format neutralises what
could break its own structure: XML-illegal characters in Word, Markdown syntax, spreadsheet formulas in CSV.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from storage.models import FORMER_MEMBER

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.text.paragraph import Paragraph

NO_COMMENTS_RECEIVED = "No comments were received."
EVERYONE_RESPONDED = "Everyone has responded."
NOBODY_DECLINED = "None."
NO_DOCUMENT_LINK = "No link was given."
EDITED_MARKER = "(edited)"
_MAX_SLUG_LENGTH = 80


@dataclass(frozen=True)
class ExportedComment:
    member_name: str
    submitted_at: str
    text: str
    edited: bool


@dataclass(frozen=True)
class ReportSection:
    title: str
    comments: tuple[ExportedComment, ...]


@dataclass(frozen=True)
class CompiledComments:
    committee_name: str
    report_title: str
    document_url: str | None
    deadline: str
    generated_at: str
    sections: tuple[ReportSection, ...]
    no_comments: tuple[str, ...]
    not_responded: tuple[str, ...]
    # Responses of members whose personal data was erased: counted, never shown.
    former_members_comments: int = 0
    former_members_no_comments: int = 0

    @property
    def comment_count(self) -> int:
        return sum(len(section.comments) for section in self.sections) + self.former_members_comments

    @property
    def no_comments_count(self) -> int:
        return len(self.no_comments) + self.former_members_no_comments

    @property
    def former_members_line(self) -> str | None:
        """E.g. "2 comments from former members, whose personal data has been erased."."""
        count = self.former_members_comments
        if not count:
            return None
        if count == 1:
            return "1 comment from a former member, whose personal data has been erased."
        return f"{count} comments from former members, whose personal data has been erased."

    @property
    def no_comments_listed(self) -> tuple[str, ...]:
        """Who said "no comments", former members counted at the end."""
        count = self.former_members_no_comments
        former = (f"{count} former member{'s' if count != 1 else ''}",) if count else ()
        return self.no_comments + former

    @property
    def file_stem(self) -> str:
        slug = file_slug(self.report_title)
        return f"comments-{slug}" if slug else "comments"


def file_slug(title: str) -> str:
    """A file-name-safe, ASCII form of a title; empty when nothing usable is left."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:_MAX_SLUG_LENGTH].rstrip("-")


def _title(compiled: CompiledComments) -> str:
    return f"Comments on {compiled.report_title}"


def _details(compiled: CompiledComments) -> list[tuple[str, str, str | None]]:
    """Label, text and, for the document, the address to link to."""
    url = compiled.document_url
    return [
        ("Committee", compiled.committee_name, None),
        ("Document", url or NO_DOCUMENT_LINK, url if url and _is_web_link(url) else None),
        ("Deadline", compiled.deadline, None),
        ("Compiled", compiled.generated_at, None),
    ]


def _lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)


def _is_web_link(url: str) -> bool:
    # Only plain web addresses become clickable; anything else (javascript:, file:, malformed) stays inert text.
    # Excluding spaces, controls, quotes, angle brackets and backslashes keeps the address valid in both formats.
    return re.fullmatch(r'https?://[^\s\x00-\x1f<>"\\]+', url, re.IGNORECASE) is not None


# --- Word ---------------------------------------------------------------------------------------------------------

# Characters XML 1.0 forbids; python-docx raises on them, which would lose the whole export over one stray byte.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LINK_BLUE = "0563C1"


def _xml_safe(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def to_docx(compiled: CompiledComments) -> bytes:
    # Imported here: python-docx (with lxml) is a slow import that only a Word export needs, and the bot starts often.
    from docx import Document

    document = Document()
    _set_up_page_and_properties(document, compiled)
    document.add_heading(_xml_safe(_title(compiled)), level=0)
    _add_details(document, compiled)
    _add_comments(document, compiled)
    _add_name_list(document, "No comments", compiled.no_comments_listed, NOBODY_DECLINED)
    _add_name_list(document, "Not yet responded", compiled.not_responded, EVERYONE_RESPONDED)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _set_up_page_and_properties(document: WordDocument, compiled: CompiledComments) -> None:
    set_up_a4(document, _title(compiled), compiled.committee_name)


def set_up_a4(document: WordDocument, title: str, author: str) -> None:
    """A4 and honest properties: python-docx's template is US Letter and claims to be "generated by
    python-docx" in 2013."""
    from docx.shared import Cm, Mm

    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Cm(2.54)
    properties = document.core_properties
    properties.title = _xml_safe(title)
    properties.subject = properties.author = properties.last_modified_by = _xml_safe(author)
    properties.comments = ""
    properties.created = properties.modified = datetime.now(UTC)


def _add_details(document: WordDocument, compiled: CompiledComments) -> None:
    for label, value, link in _details(compiled):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        if link:
            _add_hyperlink(paragraph, link)
        else:
            paragraph.add_run(_xml_safe(value))


def _add_hyperlink(paragraph: Paragraph, url: str) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import RGBColor

    # python-docx has no API for writing hyperlinks, so the run is built in OOXML directly.
    relationship_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), relationship_id)
    run = paragraph.add_run(url)
    run.font.color.rgb = RGBColor.from_string(_LINK_BLUE)
    run.font.underline = True
    hyperlink.append(run._r)
    paragraph._p.append(hyperlink)


def _add_comments(document: WordDocument, compiled: CompiledComments) -> None:
    if compiled.comment_count == 0:
        document.add_paragraph(NO_COMMENTS_RECEIVED)
        return
    for section in compiled.sections:
        if section.comments:
            document.add_heading(_xml_safe(section.title), level=1)
            for comment in section.comments:
                _add_comment(document, comment)
    if compiled.former_members_line:
        document.add_paragraph(compiled.former_members_line)


def _add_comment(document: WordDocument, comment: ExportedComment) -> None:
    from docx.shared import Cm, Mm

    byline = document.add_paragraph()
    byline.paragraph_format.keep_with_next = True  # never strand a name at the foot of a page
    byline.paragraph_format.space_after = Mm(1)
    byline.add_run(_xml_safe(comment.member_name)).bold = True
    byline.add_run(f" — {_xml_safe(comment.submitted_at)}")
    if comment.edited:
        byline.add_run(f" {EDITED_MARKER}").italic = True
    body = document.add_paragraph()
    body.paragraph_format.left_indent = Cm(0.75)
    lines = _lines(_xml_safe(comment.text))
    for line_number, line in enumerate(lines, start=1):
        run = body.add_run(line)
        if line_number < len(lines):
            run.add_break()


def _add_name_list(document: WordDocument, heading: str, names: tuple[str, ...], when_empty: str) -> None:
    document.add_heading(heading, level=1)
    if not names:
        document.add_paragraph(when_empty)
    for name in names:
        document.add_paragraph(_xml_safe(name), style="List Bullet")


# --- Markdown -----------------------------------------------------------------------------------------------------

# Characters with inline meaning anywhere in a line (emphasis, code, links, HTML, tables, strikethrough), and an
# ampersand only where it would start an entity such as "&amp;", so ordinary "Audit & Risk" stays readable.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>|~]|&(?=#?\w+;))")
# Only at the start of a line: a heading, a list item or a setext underline ("*", "_" and ">" are escaped inline).
_MARKDOWN_BLOCK_MARKER = re.compile(r"^[#+\-=]")
_MARKDOWN_ORDERED_LIST = re.compile(r"^(\d+)([.)])")


def _escape_markdown_line(line: str) -> str:
    # Rendered Markdown drops leading indentation anyway, and left in it would make an indented code block.
    escaped = _MARKDOWN_INLINE.sub(r"\\\1", line.lstrip(" \t"))
    escaped = _MARKDOWN_BLOCK_MARKER.sub(r"\\\g<0>", escaped)
    return _MARKDOWN_ORDERED_LIST.sub(r"\1\\\2", escaped)


def _escape_markdown(text: str) -> str:
    """A single-line field such as a name or title, with any line breaks flattened so it cannot split a heading."""
    return _escape_markdown_line(" ".join(_lines(text)).strip())


def to_markdown(compiled: CompiledComments) -> str:
    blocks = [f"# {_escape_markdown(_title(compiled))}", _markdown_details(compiled)]
    blocks += _markdown_comments(compiled)
    blocks += _markdown_name_list("No comments", compiled.no_comments_listed, NOBODY_DECLINED)
    blocks += _markdown_name_list("Not yet responded", compiled.not_responded, EVERYONE_RESPONDED)
    return "\n\n".join(blocks) + "\n"


def _markdown_details(compiled: CompiledComments) -> str:
    return "\n".join(f"- **{label}:** {_markdown_link(value, link)}" for label, value, link in _details(compiled))


def _markdown_link(text: str, url: str | None) -> str:
    return f"[{_escape_markdown(text)}](<{url}>)" if url else _escape_markdown(text)


def _markdown_comments(compiled: CompiledComments) -> list[str]:
    if compiled.comment_count == 0:
        return [NO_COMMENTS_RECEIVED]
    blocks = []
    for section in compiled.sections:
        if section.comments:
            blocks.append(f"## {_escape_markdown(section.title)}")
            blocks += [_markdown_comment(comment) for comment in section.comments]
    return blocks + ([compiled.former_members_line] if compiled.former_members_line else [])


def _markdown_comment(comment: ExportedComment) -> str:
    byline = f"**{_escape_markdown(comment.member_name)}** — {_escape_markdown(comment.submitted_at)}"
    if comment.edited:
        byline += f" {EDITED_MARKER}"
    return f"{byline}\n\n{_markdown_quote(comment.text)}"


def _markdown_quote(text: str) -> str:
    """The member's text as a block quote, so every line stays inside it, with their line breaks kept."""
    lines = [_escape_markdown_line(line).rstrip() for line in _lines(text)]
    quoted = []
    for index, line in enumerate(lines):
        # A trailing backslash is a hard line break, but only between two lines of the same paragraph.
        continues = bool(line) and index + 1 < len(lines) and bool(lines[index + 1])
        quoted.append(f"> {line}\\" if continues else f"> {line}".rstrip())
    return "\n".join(quoted)


def _markdown_name_list(heading: str, names: tuple[str, ...], when_empty: str) -> list[str]:
    listing = "\n".join(f"- {_escape_markdown(name)}" for name in names) if names else when_empty
    return [f"## {heading}", listing]


# --- CSV ----------------------------------------------------------------------------------------------------------

CSV_COLUMNS = ("section", "member", "submitted_at", "edited", "response", "text")
# A cell starting with one of these is run as a formula by Excel and LibreOffice (OWASP "CSV injection").
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(cell: str) -> str:
    return f"'{cell}" if cell.startswith(_FORMULA_TRIGGERS) else cell


def to_csv(compiled: CompiledComments) -> str:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(CSV_COLUMNS)
    for row in _csv_rows(compiled):
        writer.writerow([_spreadsheet_safe(cell) for cell in row])
    return output.getvalue()


def _csv_rows(compiled: CompiledComments) -> list[tuple[str, ...]]:
    rows = [_comment_row(section, comment) for section in compiled.sections for comment in section.comments]
    rows += [("", FORMER_MEMBER, "", "", "comment", "")] * compiled.former_members_comments
    rows += [("", name, "", "", "no comments", "") for name in compiled.no_comments]
    rows += [("", FORMER_MEMBER, "", "", "no comments", "")] * compiled.former_members_no_comments
    rows += [("", name, "", "", "not responded", "") for name in compiled.not_responded]
    return rows


def _comment_row(section: ReportSection, comment: ExportedComment) -> tuple[str, ...]:
    edited = "yes" if comment.edited else "no"
    return (section.title, comment.member_name, comment.submitted_at, edited, "comment", comment.text)
