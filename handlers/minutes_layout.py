"""The layout of pasted or uploaded minutes: plain characters, one line per line, where each agenda item starts,
and the meeting's date.

A slash command delivers a paste as one line. Such text is given its lines back: a break before each list
marker, decision heading and closing section, and after each sentence, so that it reads as the same text with its
line breaks would.
"""

import re
from dataclasses import dataclass
from datetime import date

from handlers.minutes_dues import MONTHS, meeting_relative_date

_PLAIN = str.maketrans(
    {
        "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\t": " ",
        "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
        "\u200b": None, "\ufeff": None, "\u00ad": None,
    }
)  # fmt: skip

# A decision heading in the middle of a line, after the end of a sentence or clause or an agenda title's dash:
# "To consider apologies – It was RESOLVED: That ...", "... a verbal update. RESOLVED that ...".
_HEADING_MID_LINE = re.compile(
    r"(?:(?<=[.;:),])|(?<=\s[\u2013\u2014-])|(?<=[a-z][\u2013\u2014])|(?<=\sand))\s+"
    r"(?=(?:[Ii]t\s+was\s+(?:further\s+|also\s+|unanimously\s+)?)?(?:RESOLVED|AGREED|DECISIONS?|RECOMMENDED)\b"
    r"|(?:[Ii]t\s+was\s+)?Resolved\s*[:\u2013\u2014-])"
)

# --- Flat text: one line holding what had many -----------------------------------------------------

_ABBREVIATIONS = ("Cllr", "Mr", "Mrs", "Ms", "Dr", "No", "Nos", "St", "Co", "e.g", "i.e", "etc", "approx", "cf")
# A full stop ends a sentence unless it ends an initial ("J. Smith"), an abbreviation ("Cllr.") or a list marker
# ("1.", "b.", "ii.").
_NOT_AN_END = (
    *(rf"\b{re.escape(abbreviation)}" for abbreviation in _ABBREVIATIONS),
    *(
        rf"{before}{token}"
        for before in (r"\s", "^")
        for token in ("[A-Z]", "[a-z]", r"\d", r"\d\d", "ii", "iv", "vi", "iii")
    ),
)
SENTENCE_END = re.compile(
    r"(?<=[.?!])" + "".join(rf"(?<!{token}\.)" for token in _NOT_AN_END) + r"[\"')]?\s+(?=[A-Z0-9£(\"'])"
)
# Words a number follows as a reference, not as a list marker: "Appendix 1. The", "section 5. It".
_NUMBERED_THINGS = re.findall(
    r"\w+", "Appendix Annex Item item para paragraph page section Section minute Minute No Table Figure Regulation Reg"
)
_MARKER = r"(?:\((?:[a-zA-Z]|[ivx]{1,5}|\d{1,2})\)|(?:[a-z]|[ivx]{1,5}|\d{1,2})[.)]|[\u2022\u00b7\u25aa\u25cf])"
_FIRST_MARKER = r"(?:\((?:a|A|i|1)\)|(?:a|i|1)[.)])"
_ITEM_STARTS = r"\s+(?:[A-Z]|th(?:at|e)\b)"
_FIELDS = (
    r"Publication\s+date|Date\s+of\s+decision|Decided\s+at\s+meeting|Made\s+at\s+meeting|Meeting(?:\s+Date)?:"
    r"|Decision\s+(?:Maker|status)|Is\s+(?:Key\s+decision|subject\s+to\s+call\s+in)|Effective\s+from|Published:|Venue:"
    r"|Contact:|Present:|Apologies:|In\s+attendance:|Report\s+author:|Portfolio\s+Holder:|Voting:|Purpose:"
    r"|Additional\s+documents|Call-in\s+deadline|Date\s+comes\s+into\s+force|Supporting\s+documents?"
    r"|Reasons?\s+for\s+decision|Action\s+by|ACTION\s+BY|Other\s+options\s+considered|\(Other\s+options"
)
_FLAT_BREAKS = re.compile(
    # a list marker after the end of a sentence or clause, after a heading word or "That"; any list's first marker
    r"(?:(?<=[.;:,])|(?<=\sand)|(?<=\sor)|(?<=RESOLVED)|(?<=AGREED)|(?<=DECISION)|(?<=[Tt]hat))\s+"
    rf"(?={_MARKER}{_ITEM_STARTS})|\s+(?={_FIRST_MARKER}{_ITEM_STARTS})"
    # a bullet; a numbered paragraph ("Apologies: None 49. The minutes ..."), unless the number is a reference
    r"|\s+(?=[\u2022\u00b7\u25aa\u25cf]\s)|(?<=[.;:])\s+(?=-\s+[A-Z])|"
    + "".join(rf"(?<!\b{word})" for word in _NUMBERED_THINGS)
    + r"\s+(?=\d{1,3}\.\s+[A-Z])"
    # "That" starting a resolution after an agenda title; a new heading after "Move to next agenda"
    r"|(?<![).])\s+(?=That\s+[a-z])|(?<=next\sagenda)\s+(?=[A-Z])|(?<=next\smeeting)\s+(?=[A-Z][a-z]+\s+[a-z])"
    # a decision heading; a page's field; a page's "Decision:" or "Minutes:" label, on a line of its own
    r"|\s+(?=(?:RESOLVED|AGREED|DECISIONS?|RECOMMENDED)\b|(?:It\s+was\s+)?Resolved\s*[:\u2013\u2014-]"
    rf"|Decision\s+(?=(?:The|That)\b)|Minutes\s*:|(?:{_FIELDS})(?!\w))"
    r"|(?<!\bof)(?<!\bfor)\s+(?=Decisions?\s*:)|(?<=Decision:)\s+|(?<=Decisions:)\s+|(?<=Minutes:)\s+"
    r"|(?<=^Decision)\s+(?=(?:The|That)\s)|(?<=\sDecision)\s+(?=(?:The|That)\s)"
    # a bracketed list marker anywhere: "... and wellbeing (iii) The timescales ..."
    r"|\s+(?=\((?:[a-z]|[ivx]{1,5}|\d{1,2})\)\s+(?:[A-Z]|th(?:at|e)\b))"
    r"|(?<!:)\s+(?=\d{1,2}/\d{1,2}/\d{4}\s+-\s)"
    # the end of a sentence
    r"|" + SENTENCE_END.pattern
)
# "8. LIBRARY STRATEGY Members were ...": an agenda title in capitals runs into the minute's first sentence.
_CAPITALS_THEN_SENTENCE = re.compile(r"(?<=[A-Z]{2}\s[A-Z]{3})\s+(?=[A-Z][a-z]+\s+[a-z])")


def lines_of(minutes: str) -> list[str]:
    """`minutes` as plain lines, with a flat paste given its lines back and mid-line headings on their own."""
    text = minutes.translate(_PLAIN).strip("\n\r ")
    # splitlines() also breaks on \r\n, \r and the form feeds PDF text uses between pages.
    lines = text.splitlines()
    if len(lines) == 1 and len(text) > 200:
        lines = _CAPITALS_THEN_SENTENCE.sub("\n", _FLAT_BREAKS.sub("\n", text)).split("\n")
    return [piece for line in lines for piece in _HEADING_MID_LINE.split(line)]


# --- Agenda items ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaItem:
    line: int  # where its heading is
    number: str | None  # "11", "50"; None for a title without a number
    title: str | None


_ITEM_TITLE = r"(?P<title>[A-Z][^.;:?!]{2,120}?)"
_AGENDA_ITEM = tuple(
    re.compile(pattern)
    for pattern in (
        # "Agenda Item 11", "Agenda item", "Minute 11: Annual Report", "Item 5 - Budget"
        r"\s*(?i:agenda\s+item|minute|item)\s*(?P<number>\d{1,3}[a-z]?)?\s*(?:[:.\u2013\u2014-]\s*"
        + _ITEM_TITLE
        + r")?\s*$",
        # "50 Lincolnshire Homelessness Strategy 2017-21", "7. BUDGET MONITORING 2022/23"
        r"\s*(?P<number>\d{1,3}[a-z]?)\.?\s+" + _ITEM_TITLE + r"\s*$",
        # "53. Leaflet & questionnaire – both documents are now printed": a parish minute's numbered paragraph
        r"\s*(?P<number>\d{1,3})\.\s+(?P<title>[A-Z][^.;:?!\u2013\u2014]{2,120}?)\s+[\u2013\u2014-]\s+\S",
        # "25/11/2022 - Improvement and Recovery Update" on a decisions page
        r"\s*(?P<number>)\d{1,2}/\d{1,2}/\d{4}\s+[\u2013\u2014-]\s+" + _ITEM_TITLE + r"(?:\s+ref:.*)?$",
    )
)
# A title that is really a sentence, a resolution or page furniture.
_NOT_A_TITLE = re.compile(
    r"(?i:that|to\s+note|noted|agreed|resolved|the\s+\w+\s+(?:was|were|had|has|noted|agreed))\b"
    r"|.*\b(?:was|were|had|has|is|are|be|will|would)\b.*[a-z]{3}$"
)


_NUMBER_ALONE = re.compile(r"\s*(?P<number>\d{1,3}[a-z]?)\.?\s*$")


def agenda_items(lines: list[str]) -> list[AgendaItem]:
    """The agenda items the lines are minuted under, in order."""
    items = []
    for index, line in enumerate(lines):
        if (alone := _NUMBER_ALONE.match(line)) and (title := _title_below(lines, index)):
            items.append(AgendaItem(index, alone["number"], title))  # "1a" above "Minutes" on a page of items
            continue
        if len(line) > 160 and not re.match(r"\s*\d{1,3}\.\s+[A-Z]", line):
            continue
        for pattern in _AGENDA_ITEM:
            match = pattern.match(line)
            if match and not _NOT_A_TITLE.match(match["title"] or ""):
                items.append(AgendaItem(index, match["number"] or None, _title(match["title"], lines, index)))
                break
    return items


# Lines under a bare "Agenda Item 11" that are not its title: the committee's name, the date, "MINUTE EXTRACT".
_NOT_THE_TITLE = re.compile(
    rf"(?i:.*\b(?:committee|council|board|cabinet|panel|commission|forum|executive)|minute\s+extract|minutes?:?"
    rf"|.*\b\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTHS}\s+\d{{4}})\s*$"
)


def _title_below(lines: list[str], index: int) -> str | None:
    following = next((line.strip() for line in lines[index + 1 : index + 3] if line.strip()), "")
    short_heading = following[:1].isupper() and len(following) <= 80 and not following.endswith((".", ":"))
    return following if short_heading else None


def _title(title: str | None, lines: list[str], index: int) -> str | None:
    """The title as written, or for a bare "Agenda Item 11" the heading under it (in capitals, perhaps over two
    lines), passing over the committee's name and the date."""
    if title is None:
        following = [line.strip() for line in lines[index + 1 : index + 8] if line.strip()]
        candidates = [line for line in following if len(line) <= 120 and not _NOT_THE_TITLE.match(line)]
        title = candidates[0] if candidates else None
        if title and title.isupper():
            after = following[following.index(title) + 1 :]
            title = " ".join(
                [title, *[line for line in after[:1] if line.isupper() and not _NOT_THE_TITLE.match(line)]]
            )
    return " ".join(title.split()).strip(" -\u2013\u2014") if title else None


# --- The meeting's date ----------------------------------------------------------------------------

_DAY = (
    rf"(?P<date>\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS},?\s+\d{{4}}|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{4}}"
    rf"|{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
_MEETING_DATE = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # page fields: "Date of decision: 14/12/2022", "Decided at meeting: 14/12/2022 - Cabinet",
        # "Meeting: 13/02/2018 - Cabinet (Item 50)", "Made at meeting: 03/06/2025"
        rf"^\s*(?:date\s+of\s+(?:decision|meeting)|decided\s+at\s+meeting|made\s+at\s+meeting|meeting(?:\s+date)?"
        rf"|date)\s*:\s*(?:[a-z]+day,?\s+)?{_DAY}",
        # "Minutes of the meeting held on Tuesday 2nd March 2021", "notes of a meeting of ... held ... on ..."
        rf"^\s*(?:(?:draft\s+)?(?:minutes|notes)\s+of\s+(?:the\s+|a\s+)?)[^.]{{0,120}}?\bheld\b[^.]{{0,80}}?"
        rf"\bon\s+(?:[a-z]+day,?\s+)?(?:the\s+)?{_DAY}",
        # a dated heading: "6th SEPTEMBER 2022", "Draft notes - Neighbourhood Plan sub-committee 21 September 2020",
        # "12/09/2019 - Recommendations Tracker"
        rf"^\s*(?:[A-Za-z][^.:;]{{0,80}}?\s+)?(?:[a-z]+day,?\s+)?{_DAY}\s*(?:$|[\u2013\u2014-]\s+[A-Z])",
    )
)
# Where the date of the meeting is stated, it is near the top, or in the decision page's fields.
_TOP_LINES = 40


def meeting_date_in(lines: list[str]) -> date | None:
    """The date of the meeting, as the minutes state it: a dated heading, "held on ...", or a page's fields."""
    for pattern in _MEETING_DATE:
        for number, line in enumerate(lines):
            if pattern is not _MEETING_DATE[0] and number >= _TOP_LINES:
                break
            match = pattern.search(line)
            if match and not re.search(r"\b(?:confirm|approv|previous|last)\w*", line[: match.start("date")], re.I):
                day, _ = meeting_relative_date(match["date"], None)
                if day is not None:
                    return day
    return None
