"""The text of a minutes file a clerk uploads: plain text, a Word document, or the PDF the council published."""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterator
from pathlib import PurePath
from typing import TYPE_CHECKING
from zipfile import BadZipFile

from handlers.errors import InvalidInput

if TYPE_CHECKING:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

MAX_BYTES = 5 * 1024 * 1024
# A small compressed .docx can hold far more text than any minutes; this bounds what the extractor is given.
MAX_CHARACTERS = 5_000_000
PASTE_INSTEAD = "Please paste the minutes as text instead."


def minutes_text(filename: str, content: bytes) -> str:
    """The text of `content`, read according to the extension of `filename` (.txt, .docx or .pdf)."""
    suffix = PurePath(filename).suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise InvalidInput(
            f"I can read minutes from .txt, .docx and .pdf files, but {PurePath(filename).name or 'that file'} "
            f"is not one of those. Please save it in one of those formats, or paste the minutes as text."
        )
    if len(content) > MAX_BYTES:
        raise InvalidInput(
            f"That file is larger than the {MAX_BYTES // 1024 // 1024} MB I can read. "
            "Please send just the pages with the resolutions, or paste them as text."
        )
    text = reader(content)
    if len(text) > MAX_CHARACTERS:
        raise InvalidInput(f"That file holds more text than any minutes I expect to read. {PASTE_INSTEAD}")
    return text


def _plain_text(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Notepad's "Unicode"
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8-sig", "cp1252"]  # Windows editors without a BOM usually mean cp1252
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _with_text(text, "That file is empty.")
    raise InvalidInput(f"I couldn't read that file as text. {PASTE_INSTEAD}")


def _word_text(content: bytes) -> str:
    # Imported here, like pypdf below: python-docx (with lxml) is slow to import and only a Word file needs it.
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        document = docx.Document(io.BytesIO(content))
    except (BadZipFile, KeyError, ValueError, PackageNotFoundError, XMLSyntaxError):
        raise InvalidInput(
            f"I couldn't open that Word document; it may be damaged or not really a .docx file. {PASTE_INSTEAD}"
        ) from None
    return _with_text("\n".join(_lines_of(document.iter_inner_content())), "That Word document has no text in it.")


def _lines_of(blocks: Iterator[Paragraph | Table]) -> Iterator[str]:
    """Paragraphs and table cells in reading order; a cell merged across columns is read once."""
    from docx.text.paragraph import Paragraph

    for block in blocks:
        if isinstance(block, Paragraph):
            yield _paragraph_line(block)
            continue
        seen: set[int] = set()
        for row in block.rows:
            for cell in row.cells:
                if id(cell._tc) not in seen:
                    seen.add(id(cell._tc))
                    yield from _lines_of(cell.iter_inner_content())


def _paragraph_line(paragraph: Paragraph) -> str:
    # Word's automatic list numbers are not part of the text; a bullet keeps each numbered paragraph an item.
    numbered = paragraph._p.xpath("./w:pPr/w:numPr") or _style_is_numbered(paragraph)
    return f"\u2022 {paragraph.text}" if numbered and paragraph.text.strip() else paragraph.text


def _style_is_numbered(paragraph: Paragraph) -> bool:
    style = paragraph.style
    return style is not None and bool(style.element.xpath("./w:pPr/w:numPr"))


def _pdf_text(content: bytes) -> str:
    # Imported here: pypdf is a slow import that only a PDF of minutes needs, and the bot starts often.
    import pypdf
    from pypdf.errors import PyPdfError

    try:
        reader = pypdf.PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InvalidInput(f"That PDF is protected with a password, so I can't read it. {PASTE_INSTEAD}")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError):
        raise InvalidInput(f"I couldn't open that PDF; it may be damaged. {PASTE_INSTEAD}") from None
    return _with_text(text, "This PDF has no text I can read; it may be a scan. Please paste the minutes as text.")


def _with_text(text: str, refusal: str) -> str:
    if not text.strip():
        raise InvalidInput(refusal)
    return text


_READERS: dict[str, Callable[[bytes], str]] = {".txt": _plain_text, ".docx": _word_text, ".pdf": _pdf_text}
