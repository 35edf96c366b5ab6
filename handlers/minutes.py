"""Resolutions read from a minutes extract: what was decided, who must act, and by when.

Only the decision block counts: "RESOLVED:", "Resolved -", "AGREED that", "DECISION", "RECOMMENDED to Cabinet",
or, in a minute with no such heading, the numbered list of decisions that closes it. The discussion above records
what was said, not what was decided. Everything read is a proposal the clerk corrects and confirms, so whatever
is uncertain is said in a doubt rather than guessed silently.

Every pattern works on one line or one resolution at a time and bounds its gaps, so the work grows with the
length of the minutes.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from handlers.deadlines import local_date, parse_deadline
from handlers.due_meetings import FUTURE_MEETING, NEXT_MEETING
from handlers.errors import DeadlineNotUnderstood
from handlers.resolutions import MAX_TEXT_LENGTH
from storage.models import ResolutionKind

__all__ = ["ExtractedResolution", "ResolutionKind", "extract_resolutions"]

# Minutes of UK councils date things in UK time; the zone only matters to the deadline reader we reuse.
ZONE = "Europe/London"


@dataclass(frozen=True)
class ExtractedResolution:
    text: str  # the resolution's own words on one line, without its list marker
    kind: ResolutionKind
    owner: str | None  # who must act or receive: "Director of Children and Family Services", "Cabinet"
    due_date: date | None
    due_rule: str | None  # "next meeting", "future meeting", "March 2023 meeting" or a period: "within six months"
    confidence: float  # 0..1, lower for each doubt
    doubts: tuple[str, ...]  # sentences for the clerk confirming it: "I couldn't tell who owns this."
    respondents: str | None = None  # for comment deadlines: who is asked for views
    marker: str | None = None  # as written: "a)", "(ii)", "1.", "(b)(i)" for a sub-item

    def as_json(self) -> dict:
        return {
            "text": self.text,
            "kind": str(self.kind),
            "owner": self.owner,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "due_rule": self.due_rule,
            "confidence": self.confidence,
            "doubts": list(self.doubts),
            "respondents": self.respondents,
            "marker": self.marker,
        }


def extract_resolutions(minutes: str, meeting_date: date) -> list[ExtractedResolution]:
    """Every resolution in `minutes`, in order; periods and yearless dates count from `meeting_date`."""
    lines = _normalised(minutes).split("\n")
    items = _items_under_headings(lines) or _closing_decision_list(lines)
    return [_resolution(item, meeting_date) for item in items]


# --- Normalising what was pasted ----------------------------------------------------------------

_PLAIN = str.maketrans(
    {
        "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\t": " ",
        "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
        "\u200b": None, "\ufeff": None, "\u00ad": None,
    }
)  # fmt: skip


def _normalised(minutes: str) -> str:
    # splitlines() also breaks on \r\n, \r and the form feeds PDF text uses between pages.
    return "\n".join(minutes.translate(_PLAIN).splitlines())


# --- Finding the decision blocks ----------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """One resolution as written, before it is interpreted."""

    text: str
    marker: str | None
    recommended_to: str | None = None  # "Cabinet" under "RECOMMENDED to Cabinet that"
    headless: bool = False  # taken from a closing list because the minute has no decision heading


_HEADING = re.compile(
    r"\s*(?P<lead>(?:it\s+was(?:\s+further)?|members|the\s+[a-z][\w ,'&-]{0,80}?)\s+)?"
    r"(?P<word>resolved|agreed|decisions?|recommended)\b"
    r"(?:\s*\((?:unanimously|nem\.?\s*con\.?|by\s[^()]{1,40})\)|\s+unanimously)?"
    r"(?:\s+to\s+(?:the\s+)?(?P<body>cabinet|full\s+council|council|executive)\b)?"
    r"\s*(?:[:.,\-\u2013\u2014]+\s*|(?=that\b)|$)",
    re.IGNORECASE,
)
_TERMINATOR = re.compile(
    r"(?:supporting\s+documents?|reasons?\s+for\s+(?:the\s+)?(?:decision|recommendation)s?|reasons?\s*:"
    r"|alternative\s+options|background\s+papers?|\(?the\s+meeting\s+(?:closed|ended|finished)"
    r"|date\s+of\s+(?:the\s+)?next\s+meeting|any\s+other\s+(?:urgent\s+)?business|apologies\s+for\s+absence"
    r"|declarations?\s+of\s+interests?)\b",
    re.IGNORECASE,
)
_PAGE_NOISE = re.compile(r"(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?", re.IGNORECASE)


@dataclass(frozen=True)
class _Heading:
    rest: str  # what follows the heading on its own line
    recommended_to: str | None


def _heading(line: str) -> _Heading | None:
    match = _HEADING.match(line)
    if match is None:
        return None
    word = match["word"]
    # After a lead such as "The Committee", only capitals mark a decision; "the Committee agreed" is narrative.
    if not (word.isupper() if match["lead"] else word[0].isupper()):
        return None
    body = match["body"]
    return _Heading(line[match.end() :], " ".join(body.split()).title() if body else None)


def _items_under_headings(lines: list[str]) -> list[_Item]:
    items: list[_Item] = []
    index = 0
    while index < len(lines):
        heading = _heading(lines[index])
        if heading is None:
            index += 1
            continue
        block, index = _read_block(lines, index + 1, heading.rest)
        items += [replace(item, recommended_to=heading.recommended_to) for item in block]
    return items


_DECISION_OPENING = re.compile(
    r"\s*(?:that\b|the\s+(?:[\w-]+\s+){0,3}?"
    r"(?:commission|committee|sub-committee|board|panel|cabinet|council|executive|forum|partnership|group)\s+"
    r"(?:notes|requests|recogni[sz]es|welcomes|agrees|approves|endorses|asks|recommends|resolves|thanks|supports"
    r"|receives|acknowledges|commends|instructs|authori[sz]es|delegates|confirms|calls|invites|urges)\b)",
    re.IGNORECASE,
)


def _closing_decision_list(lines: list[str]) -> list[_Item]:
    """The last list whose every item reads as a decision ("That ...", "The Commission notes ...").

    Discussion bullets are narrative in the past tense ("The Commission noted that ..."), so they do not pass.
    """
    closing: list[_Item] = []
    index = 0
    while index < len(lines):
        marker = _MARKER.match(lines[index])
        if marker is None or not _DECISION_OPENING.match(lines[index][marker.end() :]):
            index += 1
            continue
        block, end = _read_block(lines, index, "")
        if block and all(_DECISION_OPENING.match(item.text) for item in block):
            closing = [replace(item, headless=True) for item in block]
        index = max(end, index + 1)
    return closing


# --- Reading the items of one block -------------------------------------------------------------

_MARKER = re.compile(
    r"\s*(?:\((?P<paren>[a-z]|[ivx]{1,5}|\d{1,2})\)"
    r"|(?P<closed>[a-z]|[ivx]{1,5}|\d{1,2})\)"
    r"|(?P<dotted>[a-z]|[ivx]{1,5}|\d{1,2})\.(?=\s|$)"
    r"|(?P<bullet>[\u2022\u00b7\u25aa\u25cf\u25e6\u2023\u2219\uf0b7*\u2013\u2014-])(?=\s))\s*",
    re.IGNORECASE,
)
# "(a) That the report be noted; (b) That ..." on one line: split before a marker that follows a ";" or ".".
_INLINE_ITEM = re.compile(r"(?<=[;.])(?:\s+(?:and|or))?\s+(?=\(?(?:[a-z]|[ivx]{1,5}|\d{1,2})\)\s)", re.IGNORECASE)
_ROMAN = re.compile(r"x{0,3}(?:ix|iv|v?i{0,3})", re.IGNORECASE)
_STEM_END = re.compile(r"(?:[:\-\u2013\u2014]|\bto)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class _Numbering:
    """One reading of a list marker: its style ("(x)", "x)", "x.", "bullet"), what it counts in, and its value."""

    style: str
    counts_in: str  # "letters", "roman", "numbers" or "bullets"
    value: int

    def continues(self, level: "_Level") -> bool:
        same_list = (self.style, self.counts_in) == (level.style, level.counts_in)
        return same_list and (self.counts_in == "bullets" or self.value == level.next_value)


def _numberings(marker: re.Match[str]) -> list[_Numbering]:
    """The ways a marker can be read; "(i)" is the first roman numeral or the ninth letter, by context."""
    if marker["bullet"]:
        return [_Numbering("bullet", "bullets", 0)]
    style = "(x)" if marker["paren"] else "x)" if marker["closed"] else "x."
    token = (marker["paren"] or marker["closed"] or marker["dotted"]).lower()
    if token.isdigit():
        return [_Numbering(style, "numbers", int(token))]
    readings = []
    if _ROMAN.fullmatch(token):
        readings.append(_Numbering(style, "roman", _roman_value(token)))
    if len(token) == 1:
        readings.append(_Numbering(style, "letters", ord(token) - ord("a") + 1))
    return readings


def _roman_value(numeral: str) -> int:
    values = [{"i": 1, "v": 5, "x": 10}[letter] for letter in numeral]
    return sum(-v if v < after else v for v, after in zip(values, [*values[1:], 0], strict=True))


@dataclass
class _Level:
    """A list being read, perhaps hanging from a stem such as "That the Director be requested to:"."""

    style: str
    counts_in: str
    next_value: int
    stem: str = ""
    stem_marker: str = ""


@dataclass
class _Draft:
    marker: str | None
    level: _Level | None
    lines: list[str] = field(default_factory=list)


class _BlockReader:
    """Reads list items, or "That ..." paragraphs, line by line until the decision block ends."""

    def __init__(self) -> None:
        self.items: list[_Item] = []
        self.levels: list[_Level] = []
        self.current: _Draft | None = None
        self.blank_before = False
        self.sentence_ended = False

    def take(self, line: str) -> bool:
        """Consume `line` if it belongs to the block; False where the block ends."""
        if _MARKER.match(line):
            return all(self._take_line(piece) for piece in _INLINE_ITEM.split(line))
        return self._take_line(line)

    def _take_line(self, line: str) -> bool:
        text = line.strip()
        if not text:
            self.blank_before = True
            return True
        if _PAGE_NOISE.fullmatch(text):
            return True
        marker = _MARKER.match(text)
        readings = _numberings(marker) if marker else []
        words = text[marker.end() :] if readings else text
        if _heading(line) or _TERMINATOR.match(words) or self._is_agenda_heading(words):
            return False
        taken = self._take_marked(readings, marker, words) if readings else self._take_plain(text)
        self.blank_before, self.sentence_ended = False, text.endswith(".")
        return taken

    def finish(self) -> list[_Item]:
        self._flush()
        return self.items

    def _is_agenda_heading(self, words: str) -> bool:
        at_break = self.blank_before or self.sentence_ended
        return at_break and words.isupper() and not words.startswith("THAT ") and sum(map(str.isalpha, words)) >= 8

    def _take_plain(self, text: str) -> bool:
        current = self.current
        if current is not None and not current.lines:  # a marker alone on its line
            current.lines.append(text)
            return True
        if self._starts_narrative(text):
            return False
        if current is not None and (not self.blank_before or text[0].islower()):
            if self._starts_unmarked_item(text):
                self._start(None, text, None)
            else:
                current.lines.append(text)
            return True
        if not self.levels and ((current is None and not self.items) or text.startswith("That ")):
            self._start(None, text, None)
            return True
        return False

    def _starts_narrative(self, text: str) -> bool:
        """A new sentence on a new line that is not a new item: the minute has moved on ("The meeting closed.")."""
        return self.current is not None and self.sentence_ended and text[0].isupper() and not text.startswith("That ")

    def _starts_unmarked_item(self, text: str) -> bool:
        return not self.levels and text.startswith("That ") and self.current.lines[-1].endswith((".", ";"))

    def _take_marked(self, readings: list[_Numbering], marker: re.Match[str], rest: str) -> bool:
        return self._continue_list(readings, marker, rest) or self._begin_list(readings, marker, rest)

    def _continue_list(self, readings: list[_Numbering], marker: re.Match[str], rest: str) -> bool:
        """The next item of an open list, innermost first; closing a sub-list returns to its parent."""
        for depth in range(len(self.levels) - 1, -1, -1):
            level = self.levels[depth]
            reading = next((r for r in readings if r.continues(level)), None)
            if reading is not None:
                del self.levels[depth + 1 :]
                self._start_in(level, reading, marker, rest)
                return True
        return False

    def _begin_list(self, readings: list[_Numbering], marker: re.Match[str], rest: str) -> bool:
        """The block's first list, or a sub-list under an item ending "to:", whose words its items continue."""
        first = next((r for r in readings if r.value in (0, 1)), readings[-1])
        if self.current is None and not self.items:
            self._open_level(first, marker, rest, stem="", stem_marker="")
            return True
        current = self.current
        if current is None or first.value not in (0, 1) or not _STEM_END.search(_joined(current.lines)):
            return False
        stem = _STEM_END.sub("", _joined(current.lines)).strip()
        stem = f"{current.level.stem} {stem}".strip() if current.level else stem
        self.current = None  # the stem is not itself a resolution; its items are
        self._open_level(first, marker, rest, stem=stem, stem_marker=current.marker or "")
        return True

    def _open_level(self, reading: _Numbering, marker: re.Match[str], rest: str, stem: str, stem_marker: str) -> None:
        level = _Level(reading.style, reading.counts_in, reading.value, stem, stem_marker)
        self.levels.append(level)
        self._start_in(level, reading, marker, rest)

    def _start_in(self, level: _Level, reading: _Numbering, marker: re.Match[str], rest: str) -> None:
        level.next_value = reading.value + 1
        self._start(level.stem_marker + marker.group(0).strip(), rest, level)

    def _start(self, marker: str | None, text: str, level: _Level | None) -> None:
        self._flush()
        self.current = _Draft(marker, level, [text] if text else [])

    def _flush(self) -> None:
        current, self.current = self.current, None
        if current is None or not current.lines:
            return
        stem = current.level.stem if current.level else ""
        text = _tidy(f"{stem} {_joined(current.lines)}")
        if text:
            self.items.append(_Item(text, current.marker or None))


def _read_block(lines: list[str], start: int, first_line: str) -> tuple[list[_Item], int]:
    """The items from `first_line` (the rest of a heading's line) and the lines from `start`, and where they end."""
    reader = _BlockReader()
    if first_line.strip():
        reader.take(first_line)
    index = start
    while index < len(lines) and reader.take(lines[index]):
        index += 1
    return reader.finish(), index


def _joined(lines: list[str]) -> str:
    parts = lines[:1]
    for line in lines[1:]:
        # A word broken across lines ("multi-" / "agency") keeps its hyphen but not the line break.
        broken_word = parts[-1].endswith("-") and parts[-1][-2:-1].isalpha() and line[:1].islower()
        parts.append(line if broken_word else f" {line}")
    return " ".join("".join(parts).split())


_LIST_JOINER = re.compile(r"(?:[;,]\s*(?:and|or)?|\s+(?:and|or))\s*$", re.IGNORECASE)


def _tidy(text: str) -> str:
    """One resolution's words: one line, without the "; and" that joined it to the next, starting with a capital."""
    text = _LIST_JOINER.sub("", " ".join(text.split()))
    return text[:1].upper() + text[1:]


# --- What kind of resolution ---------------------------------------------------------------------

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
)
_RECOMMENDATION = re.compile(
    r"\brecommend(?:ed|s)?\s+to\s+(?:the\s+)?(?P<body>cabinet|full\s+council|council|executive)\b"
    r"|\b(?P<subject>cabinet|full\s+council|council|executive)\s+be\s+recommended\b",
    re.IGNORECASE,
)
_COMMENT_NOUN = re.compile(r"\b(?:views|comments|feedback|observations)\b", re.IGNORECASE)
_COMMENT_REQUEST = re.compile(
    r"\b(?:submit|send|provide|forward|e-?mail|return)s?\b[^.;]{0,60}?\b(?:views|comments|feedback|observations)\b"
    r"|\b(?:invited|asked|requested)\s+to\s+comment\b",
    re.IGNORECASE,
)
# "Comments be submitted to X by <date>" asks for views; "the Committee's comments be forwarded to X" with no
# deadline passes the committee's own views on, which is an action.
_COMMENTS_SENT = re.compile(
    r"\b(?:views|comments|feedback|observations)\b[^.;]{0,80}?\bbe\s+(?:submitted|sent|provided|forwarded|e-?mailed)",
    re.IGNORECASE,
)
_MEETING_TARGET = re.compile(
    r"\b(?:to|at|for|before|by|until)\s+(?:the\s+|a\s+|an\s+|its\s+|their\s+)?(?:[a-z]+'s\s+)?"
    rf"(?P<which>next|future|later|subsequent|forthcoming|early|(?P<month>{_MONTHS})(?:\s+\d{{4}})?)"
    r"(?:\s+(?:available|appropriate|scheduled))?\s+meeting\b",
    re.IGNORECASE,
)
_REPORT_BACK = re.compile(
    r"\breport(?:s|ed|ing)?\s+(?:back|its|their)\b"
    r"|\b(?:brought|bought|brough|bring|brings|come|comes|coming|taken|take|returns?|returned)\s+back\b"
    r"|\bfurther\s+(?:report|update|briefing)\b|\bupdate\s+(?:the|this)\s+(?:committee|commission|board|panel)\b"
    r"|\b(?:requests?|requested|receives?|received|asks?\s+for|seeks?|provides?|submits?|presents?|brings?)"
    r"\s+(?:a|an)\s+(?:[\w-]+\s+){0,2}?(?:report|update|briefing|presentation)\b"
    r"|(?<!the\s)(?<!this\s)(?<!a\s)\breport\s+to\s+(?:the|this)\s+(?:committee|commission|board|panel)\b",
    re.IGNORECASE,
)
_REQUEST_VERBS = (
    r"(?:requests?|requested|asks?|asked|instructs?|instructed|authori[sz]es?|authori[sz]ed|invites?|invited"
    r"|urges?|urged|directs?|directed|calls\s+(?:up)?on|called\s+(?:up)?on)"
)
_BE_REQUESTED = re.compile(
    r"\bbe\s+(?:requested|asked|invited|instructed|authori[sz]ed|directed|tasked|urged|encouraged)\s+to\b",
    re.IGNORECASE,
)
_REQUEST_OF = re.compile(
    rf"\b{_REQUEST_VERBS}\s+(?:that\s+)?(?!to\b|a\b|an\b)(?P<owner>[^;:.]{{2,120}}?)"
    r"\s+to\s+(?!be\b|the\b|a\b|an\b|its\b|their\b)[a-z]+",
    re.IGNORECASE,
)
_DELEGATION = re.compile(
    r"\bdelegat(?:ed|es?)\s+(?:authority|powers?)\s+(?:(?:be|is)\s+given\s+)?to\s+(?P<owner>[^,;.]{2,120}?)"
    r"(?=\s+to\b|\s+in\s+consultation\b|[,;.]|$)",
    re.IGNORECASE,
)
_ACTION = re.compile(
    r"\b(?:write\s+to|arrange|circulate|liaise|lobby|convene|investigate|explore)s?\b"
    r"|\bagree(?:s|d)?\s+to\s+(?!the\b|a\b|an\b|its\b|their\b|this\b|these\b)[a-z]+"
    r"|\bbe\s+(?:\w+\s+and\s+)?(?:circulated|arranged|sent|written|established|set\s+up|convened|investigated"
    r"|explored|undertaken|prepared|published|shared|implemented|reviewed|added|amended|updated|submitted"
    r"|forwarded|passed|referred)\b",
    re.IGNORECASE,
)
# Approving, agreeing or endorsing with nothing further to do records a decision but asks no one to act, so a
# clerk files it with the noted items; anything that also asks someone to act is caught as an action first.
_NOTING = re.compile(
    r"\b(?:not(?:e|es|ed|ing)|receiv(?:e|es|ed)|welcom(?:e|es|ed)|recogni[sz](?:e|es|ed)|acknowledg(?:e|es|ed)"
    r"|thank(?:s|ed)?|endors(?:e|es|ed)|approv(?:e|es|ed|al)|agree(?:s|d)?|support(?:s|ed)?|commend(?:s|ed)?"
    r"|congratulat(?:e|es|ed)|accept(?:s|ed)?|confirm(?:s|ed)?|adopt(?:s|ed)?|appoint(?:s|ed)?|record(?:s|ed)?"
    r"|ratif(?:y|ies|ied)|(?:re-?)?elect(?:s|ed)?)\b",
    re.IGNORECASE,
)


def _kind(text: str, recommended_to: str | None) -> ResolutionKind | None:
    """The first that fits, in the order a clerk weighs them: a request for views, a report to come back,
    something someone must do, then a decision simply recorded."""
    if recommended_to or _RECOMMENDATION.search(text):
        return ResolutionKind.ACTION
    if _COMMENT_REQUEST.search(text) or (_COMMENTS_SENT.search(text) and _DATE.search(text)):
        return ResolutionKind.COMMENT_DEADLINE
    if _REPORT_BACK.search(text) or _MEETING_TARGET.search(text):
        return ResolutionKind.REPORT_BACK
    if any(p.search(text) for p in (_BE_REQUESTED, _REQUEST_OF, _DELEGATION, _ACTION)):
        return ResolutionKind.ACTION
    if _NOTING.search(text):
        return ResolutionKind.NOTED
    return None


# --- Who -----------------------------------------------------------------------------------------

# "That, further to the last meeting, the Clerk be asked": an aside between commas after "that" is skipped, but
# other commas are not clause breaks, since posts are named like "Director of, and Lead Member for, Children".
_CLAUSE_START = re.compile(r"\bthat\s*,[^,;]{0,120},\s*|\bthat\s+|[;:]\s*|\b\w+ed\s+and\s+", re.IGNORECASE)
_NOT_A_NAME = re.compile(
    r"\b(?:be|is|are|was|were|has|have|will|would|it|they|this|which|who|notes?|noted|agrees?|requests?|asks?"
    r"|approves?|welcomes?|endorses?|receives?|recogni[sz]es?)\b",
    re.IGNORECASE,
)
_NOT_A_NAME_START = re.compile(r"(?:a|an|any|further|report|update|to|next|end|no|not|within)\b", re.IGNORECASE)
_CONSULTATION = re.compile(r",?\s+(?:in\s+consultation|following\s+consultation|after\s+consulting)\b", re.IGNORECASE)
_ACTING_VERB = re.compile(
    r"\b(?:to\s+)?(?:(?:write|arrange|circulate|liaise|contact|lobby|convene|investigate|explore|present|provide"
    r"|submit|send|bring|prepare|undertake|publish|share|seek|establish|produce|organi[sz]e)s?"
    r"|reports?\s+(?:back|its|their)|agree(?:s|d)?\s+to)\b",
    re.IGNORECASE,
)
_REPORT_AUTHOR = re.compile(
    r"\b(?:report|update|briefing|presentation)s?\s+from\s+(?P<owner>[^,;.]{2,120}?)"
    r"(?=\s+(?:to|by|at|within|in|for)\b|\s+on\s+(?:the|progress|its|their)\b|[,;.]|$)",
    re.IGNORECASE,
)
_BACK_BY = re.compile(
    r"\b(?:back|submitted|presented)\s+by\s+(?P<owner>[^,;.]{2,120}?)(?=\s+(?:to|at|in|within|by)\b|[,;.]|$)",
    re.IGNORECASE,
)
_ADDRESSEE = re.compile(
    r"\b(?i:to)\s+(?P<owner>(?i:the)\s+[^;.]{2,150}?|[A-Z][^;.]{1,150}?)"
    r"(?=\s+(?i:by|before|no\s+later|not\s+later|on\s+or\s+before|within|in\s+respect|regarding|on\s+the"
    r"|for\s+(?:consideration|information|comment|approval|decision))\b|[;.]|$)"
)
_REFERRED_TO = re.compile(
    r"\bbe\s+referred\s+to\s+(?P<owner>[^,;.]{2,120}?)(?=\s+(?:for|by|at|within)\b|[,;.]|$)", re.IGNORECASE
)


def _owner_phrase(raw: str) -> str | None:
    """`raw` as a body or post, or None where it does not read as one."""
    phrase = _CONSULTATION.split(" ".join(raw.split()), maxsplit=1)[0].strip(" ,;:")
    phrase = re.sub(r"^the\s+", "", phrase, flags=re.IGNORECASE)
    if not phrase or len(phrase) > 120 or _NOT_A_NAME.search(phrase) or _NOT_A_NAME_START.match(phrase):
        return None
    return phrase


def _subject_before(text: str, position: int) -> str | None:
    """The subject of the clause that reaches `position`: "officers" in "noted and that officers be asked"."""
    window_start = max(0, position - 160)
    starts = [m.end() for m in _CLAUSE_START.finditer(text, window_start, position)]
    if not starts and window_start:
        return None
    return _owner_phrase(text[starts[-1] if starts else 0 : position])


def _requested_subject(text: str) -> str | None:
    match = _BE_REQUESTED.search(text)
    return _subject_before(text, match.start()) if match else None


def _acting_subject(text: str) -> str | None:
    return next(filter(None, (_subject_before(text, m.start()) for m in _ACTING_VERB.finditer(text))), None)


def _captured(pattern: re.Pattern[str]) -> Callable[[str], str | None]:
    def owner(text: str) -> str | None:
        return next(filter(None, (_owner_phrase(m["owner"]) for m in pattern.finditer(text))), None)

    return owner


def _not_a_date(find: Callable[[str], str | None]) -> Callable[[str], str | None]:
    def owner(text: str) -> str | None:
        found = find(text)
        return None if found is None or _DATE.match(found) or found[:1].isdigit() else found

    return owner


_ACTOR_FINDERS = (
    _requested_subject,
    _captured(_DELEGATION),
    _captured(_REQUEST_OF),
    _captured(_REFERRED_TO),
    _acting_subject,
)
_OWNER_FINDERS = {
    ResolutionKind.ACTION: _ACTOR_FINDERS,
    ResolutionKind.REPORT_BACK: (_captured(_REPORT_AUTHOR), *_ACTOR_FINDERS, _not_a_date(_captured(_BACK_BY))),
}


def _first(finders: tuple[Callable[[str], str | None], ...], text: str) -> str | None:
    return next(filter(None, (find(text) for find in finders)), None)


def _owner(text: str, kind: ResolutionKind, recommended_to: str | None) -> str | None:
    if recommended_to:
        return recommended_to
    if recommendation := _RECOMMENDATION.search(text):
        return " ".join((recommendation["body"] or recommendation["subject"]).split()).title()
    if kind == ResolutionKind.COMMENT_DEADLINE:
        return _views_receiver(text)
    return _first(_OWNER_FINDERS.get(kind, ()), text)


def _views_receiver(text: str) -> str | None:
    """Whom views go to: "submit their views on the report to the Director ... by ..."."""
    noun = _COMMENT_NOUN.search(text)
    found = _ADDRESSEE.search(text, noun.end()) if noun else None
    return _owner_phrase(found["owner"]) if found else None


# --- When ----------------------------------------------------------------------------------------

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty-four": 24,
}  # fmt: skip
_PERIOD = re.compile(
    rf"\b(?:within|in|after)\s+(?:the\s+next\s+)?(?P<count>\d{{1,3}}|{'|'.join(_NUMBER_WORDS)})\s+"
    r"(?P<unit>day|week|fortnight|month|year)s?(?:'s|')?(?:\s+time)?(?!\w)",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?P<financial>end\s+of\s+(?:the\s+)?(?:current\s+)?financial\s+year)\b"
    rf"|\b(?P<end_of>end\s+of\s+(?:the\s+month\s+of\s+)?{_MONTHS}(?:\s+\d{{4}})?)"
    rf"|\b(?P<day_month>\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?(?:,?\s+\d{{4}})?)"
    r"|\b(?P<numeric>\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2}))\b"
    rf"|\b(?P<month_day>{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})\b"
    rf"|\b(?P<month_year>{_MONTHS}(?:\s+\d{{4}}|(?=\s+meeting)))"
    # A season is a date only when introduced ("by the spring") or dated ("spring 2023"), not in "the spring term".
    r"|(?:\b(?:by|in|before|during)\s+(?:the\s+)?(?=(?:spring|summer|autumn|winter)\b)|\b(?=\w+\s+\d{4}\b))"
    r"(?P<season>(?:spring|summer|autumn|winter)(?:\s+\d{4})?)\b",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(
    r"(?:\bby|\bbefore|\buntil|\bthan|\bdeadline(?:\s+of)?|\bon\s+or\s+before)\s+(?:the\s+)?(?:[a-z]+day\s+)?$",
    re.IGNORECASE,
)
_SEASON_ENDS = {"spring": 5, "summer": 8, "autumn": 11, "winter": 2}  # winter runs into the new year
_LONG_AGO = datetime(1900, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _Due:
    on: date | None = None
    rule: str | None = None
    doubts: tuple[str, ...] = ()


def _due(text: str, meeting_date: date) -> _Due:
    if period := _PERIOD.search(text):
        return _Due(meeting_date + _period_length(period), " ".join(period.group(0).lower().split()))
    written = _written_date(text, meeting_date)
    target = _MEETING_TARGET.search(text)
    if target is None:
        return written
    which = target["which"].lower()
    rule = NEXT_MEETING if which == "next" else f"{target['which']} meeting" if target["month"] else FUTURE_MEETING
    return _Due(written.on, rule, written.doubts)


def _period_length(period: re.Match[str]) -> relativedelta:
    count = period["count"].lower()
    times = int(count) if count.isdigit() else _NUMBER_WORDS[count]
    unit = period["unit"].lower()
    return relativedelta(weeks=2 * times) if unit == "fortnight" else relativedelta(**{f"{unit}s": times})


def _written_date(text: str, meeting_date: date) -> _Due:
    """The date a resolution is due by; one introduced by "by", "before" or "no later than" wins over others."""
    found = list(_DATE.finditer(text))
    if not found:
        return _Due()
    led_in = [m for m in found if m["end_of"] or m["financial"] or _led_in(text, m.start())]
    candidates = led_in or found
    chosen = candidates[0] if led_in else candidates[-1]
    on, doubts = _date_of(chosen, meeting_date)
    if len({m.group(0).lower() for m in candidates}) > 1 and on is not None:
        doubts = (*doubts, f"I found more than one date; I took {_spoken(on)}.")
    return _Due(on, None, doubts)


def _led_in(text: str, position: int) -> bool:
    return _LEAD_IN.search(text, max(0, position - 40), position) is not None


def _date_of(match: re.Match[str], meeting_date: date) -> tuple[date | None, tuple[str, ...]]:
    phrase = " ".join(match.group(0).split())
    if match["financial"]:
        year_end = meeting_date + relativedelta(month=3, day=31)
        return (year_end if year_end >= meeting_date else year_end + relativedelta(years=1)), ()
    if match["season"]:
        season = match["season"]
        on = _season_end(season.lower(), meeting_date)
        return on, (f"The date '{season}' is vague; I took {_spoken(on)}.",)
    if match["month_year"]:
        on, doubts = _meeting_relative_date(f"end of {phrase}", meeting_date)
        return on, doubts or (f"The date '{phrase}' has no day; I took {_spoken(on)}.",)
    return _meeting_relative_date(phrase, meeting_date)


def _season_end(phrase: str, meeting_date: date) -> date:
    season, _, year = phrase.partition(" ")
    month = _SEASON_ENDS[season]
    if year:
        return date(int(year) + (month == 2), month, 1) + relativedelta(day=31)
    end = meeting_date + relativedelta(month=month, day=31)
    return end if end >= meeting_date else end + relativedelta(years=1)


def _meeting_relative_date(phrase: str, meeting_date: date) -> tuple[date | None, tuple[str, ...]]:
    """`phrase` read as on or after the meeting, as the deadline reader does for a window opened that day."""
    meeting_start = datetime.combine(meeting_date, time.min, tzinfo=ZoneInfo(ZONE))
    try:
        return local_date(parse_deadline(phrase, meeting_start, ZONE).instant, ZONE), ()
    except DeadlineNotUnderstood:
        pass
    try:
        earlier = local_date(parse_deadline(phrase, _LONG_AGO, ZONE).instant, ZONE)
    except DeadlineNotUnderstood:
        return None, (f"I couldn't read '{phrase}' as a date.",)
    return earlier, (f"The date '{phrase}' is before the meeting on {_spoken(meeting_date)}; please check it.",)


def _spoken(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# --- One resolution ------------------------------------------------------------------------------

TOO_LONG = f"This is longer than the {MAX_TEXT_LENGTH:,} characters a resolution may have; please check where it ends."
NO_OWNER = "I couldn't tell who owns this."
NO_RECEIVER = "I couldn't tell who the views go to."
NO_RESPONDENTS = "I couldn't tell who is asked for views."
NO_DEADLINE = "I couldn't find the deadline for views."
NO_RETURN = "I couldn't tell when this should come back."
UNKNOWN_KIND = "I couldn't tell what kind of resolution this is, so I took it as an action."


def _resolution(item: _Item, meeting_date: date) -> ExtractedResolution:
    # Anything longer than a resolution may be has swallowed text that is not one; reading only its opening keeps
    # the work for one item bounded.
    text = item.text[:MAX_TEXT_LENGTH]
    kind = _kind(text, item.recommended_to)
    doubts = [TOO_LONG] if len(item.text) > MAX_TEXT_LENGTH else []
    doubts += [UNKNOWN_KIND] if kind is None else []
    kind = kind or ResolutionKind.ACTION
    owner = _owner(text, kind, item.recommended_to)
    due = _Due() if kind == ResolutionKind.NOTED else _due(text, meeting_date)
    respondents = _first(_ACTOR_FINDERS, text) if kind == ResolutionKind.COMMENT_DEADLINE else None
    doubts += [*_missing(kind, owner, due, respondents), *due.doubts]
    base = 0.8 if item.headless else 0.95
    return ExtractedResolution(
        text=item.text,
        kind=kind,
        owner=owner,
        due_date=due.on,
        due_rule=due.rule,
        confidence=round(max(0.1, base - 0.2 * len(doubts)), 2),
        doubts=tuple(doubts),
        respondents=respondents,
        marker=item.marker,
    )


def _missing(kind: ResolutionKind, owner: str | None, due: _Due, respondents: str | None) -> list[str]:
    """What a clerk must supply before the resolution can be tracked."""
    if kind == ResolutionKind.NOTED:
        return []
    if kind == ResolutionKind.COMMENT_DEADLINE:
        missing = {NO_RECEIVER: owner, NO_RESPONDENTS: respondents, NO_DEADLINE: due.on}
        return [doubt for doubt, value in missing.items() if value is None]
    doubts = [NO_OWNER] if owner is None else []
    if kind == ResolutionKind.REPORT_BACK and due.on is None and due.rule is None:
        doubts.append(NO_RETURN)
    return doubts
