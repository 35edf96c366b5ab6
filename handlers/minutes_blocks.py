"""Decision blocks: the items under "RESOLVED:", "Resolved -", "AGREED that", "DECISION", "RECOMMENDED to
Cabinet that", and, in a minute with no such heading, a list whose every item reads as a decision.

The reader works line by line and bounds its gaps, so the work grows with the length of the minutes.
"""

import re
from dataclasses import dataclass, field, replace

from storage.models import ResolutionKind


@dataclass(frozen=True)
class Decision:
    """One resolution as written, before it is interpreted."""

    text: str
    marker: str | None
    recommended_to: str | None = None  # "Cabinet" under "RECOMMENDED to Cabinet that"
    headless: bool = False  # taken from a list because the minute has no decision heading
    line: int = 0  # where it starts, to order it among the others and find its agenda item
    running: bool = False  # read from the running text, not a decision block
    kind_hint: ResolutionKind | None = None  # what the way it is written says: "Clair will ..." is an action
    owner_hint: str | None = None  # "Cllr P Morgan" from "Action Cllr P Morgan"

    def hinted(self, kind: ResolutionKind, owner: str | None = None) -> "Decision":
        return replace(self, kind_hint=kind, owner_hint=owner or self.owner_hint)


# "Action P Morgan", "ACTION BY; COMMITTEE MANAGER – CH – BRIEFING SHEET TO FOLLOW", "Action: Clerk"
ACTION_TAG = re.compile(
    r"(?<![A-Za-z,]\s)(?<![A-Za-z])(?:Action(?:\s+by)?|ACTION(?:\s+BY)?)\s*[:;]?\s+(?!Plan|Points?\b|Log\b|Tracker\b)"
    r"(?P<who>(?:(?:Cllr|Councillor)\s+)?[A-Z][\w.'&/-]*(?:\s+(?!Cllr\b|Councillor\b|The\b|It\b)[A-Z][\w.'&/-]*){0,3})"
)


def action_tag(line: str) -> str | None:
    """Who an action tag on `line` names, as a title ("Committee Manager", not "COMMITTEE MANAGER")."""
    tag = ACTION_TAG.match(line.strip())
    if tag is None:
        return None
    who = tag["who"]
    return who.title() if who.isupper() and len(who) > 4 else who


# --- Finding the decision blocks ----------------------------------------------------------------


_HEADING = re.compile(
    # "16.2 RESOLVED –": a minute's paragraph number may come first
    r"\s*(?:\d{1,3}(?:\.\d{1,2})+\s+)?(?P<lead>(?:it\s+was(?:\s+further)?|members|the\s+[a-z][\w ,'&-]{0,80}?)\s+)?"
    r"(?P<word>resolved|agreed|decisions?|recommended)\b"
    r"(?:\s*\((?:unanimously|nem\.?\s*con\.?|by\s[^()]{1,40})\)|\s+unanimously)?"
    r"(?:\s+to\s+(?:the\s+)?(?P<body>cabinet|full\s+council|council|executive)\b)?"
    r"\s*(?:[:.,\-\u2013\u2014]+\s*|(?=that\b)|(?=\(?[a-z0-9]{1,3}[.)]\s)|$)",
    re.IGNORECASE,
)
# "Having considered the report, the Mayor agreed" or "Accordingly, it was resolved to:" ending a line, with the
# decisions listed below it.
_HEADING_AT_LINE_END = re.compile(
    r"(?:^\s*(?:[\u2022\u00b7*-]\s*)?|[,.;]\s*|\b(?:accordingly|therefore|thereupon)\s+)"
    r"(?:(?:it\s+was|the\s+[A-Za-z][\w&'-]*(?:\s+[A-Z][\w&'-]*){0,5}|members|cabinet|council)\s+"
    r"(?:(?:unanimously|then|therefore|also|further|discussed\s+and)\s+)*(?:resolved|agreed|decided)"
    r"(?:\s+(?:to|that|as\s+follows|the\s+following))?"
    # "The recommendation as set out in the report was moved, seconded, voted on and carried."
    r"|the\s+recommendations?\b[^.]{0,80}?\b(?:moved|seconded|put\s+to\s+the\s+vote|voted)\b[^.]{0,60}?\b(?:carried|agreed))"
    r"\s*[:.\-\u2013]?\s*$",
    re.IGNORECASE,
)
# "4. Remaining actions required in advance of Reg 14", "Actions:", "Action points agreed:": a list of tasks.
_ACTIONS_HEADING = re.compile(
    r"^\s*(?:\d{1,3}\.?\s+)?(?:[A-Z][\w\s]{0,40}?\s)?(?:actions?|action\s+points|tasks)\b"
    r"(?:\s+(?:required|agreed|arising|to\s+be\s+taken|outstanding)\b[^.:]{0,60})?\s*:?\s*$",
    re.IGNORECASE,
)
_TERMINATOR = re.compile(
    r"(?:supporting\s+documents?|reasons?\s+for\s+(?:the\s+)?(?:decision|recommendation)s?|reasons?\s*:"
    r"|alternative\s+options|background\s+papers?|\(?the\s+meeting\s+(?:closed|ended|finished)"
    r"|date\s+of\s+(?:the\s+)?next\s+meeting|any\s+other\s+(?:urgent\s+)?business|apologies\s+for\s+absence"
    r"|declarations?\s+of\s+interests?|\(?other\s+options\s+considered|publication\s+date|date\s+of\s+decision"
    r"|action\s+by\b|voting\s*:|portfolio\s+holder\s*:|implementation\s+of\s+decision)\b",
    re.IGNORECASE,
)
PAGE_NOISE = re.compile(r"(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?", re.IGNORECASE)


@dataclass(frozen=True)
class _Heading:
    rest: str  # what follows the heading on its own line
    recommended_to: str | None
    kind_hint: ResolutionKind | None = None  # ACTION under "Actions required:"


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


@dataclass(frozen=True)
class Block:
    """The decisions read from a run of lines, and which lines those were."""

    decisions: list[Decision]
    first_line: int
    end_line: int  # the first line after it

    @property
    def lines(self) -> range:
        return range(self.first_line, self.end_line)


def blocks_under_headings(lines: list[str]) -> list[Block]:
    """Every decision block that opens with a heading, in order."""
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        heading = _heading(lines[index]) or _heading_at_line_end(lines, index)
        if heading is None:
            index += 1
            continue
        decisions, end = _read_block(lines, index + 1, heading.rest, index)
        if not (_is_field_label(lines[index]) and _heading_follows(lines, index + 1, decisions)):
            decisions = [
                replace(d, recommended_to=heading.recommended_to, kind_hint=heading.kind_hint or d.kind_hint)
                for d in decisions
            ]
            blocks.append(Block(decisions, index, max(end, index + 1)))
        index = max(end, index + 1)
    return blocks


def _others(lines: list[str], index: int) -> bool:
    before = next((line for line in reversed(lines[max(0, index - 4) : index]) if line.strip()), "")
    return _OTHERS_RECOMMENDATIONS.search(before) is not None


def _heading_at_line_end(lines: list[str], index: int) -> _Heading | None:
    following = next((line for line in lines[index + 1 : index + 4] if line.strip()), "")
    if not LIST_MARKER.match(following):
        return None
    if _HEADING_AT_LINE_END.search(lines[index]):
        return _Heading("", None)
    if _ACTIONS_HEADING.match(lines[index]):
        return _Heading("", None, ResolutionKind.ACTION)
    return None


_FIELD_LABEL = re.compile(r"\s*Decisions?\s*:\s*$")
_LABEL_REACH = 40  # lines


def _is_field_label(line: str) -> bool:
    """A decision page's "Decision:" field, whose text may be narrative with the decision under its own heading."""
    return _FIELD_LABEL.match(line) is not None


def _heading_follows(lines: list[str], start: int, decisions: list["Decision"]) -> bool:
    if any(decision.marker for decision in decisions):
        return False
    return any(_heading(line) for line in lines[start : start + _LABEL_REACH])


_DECISION_VERBS = (
    r"(?:note|request|recogni[sz]e|welcome|agree|approve|endorse|ask|recommend|resolve|thank|support|receive"
    r"|acknowledge|commend|instruct|authori[sz]e|delegate|confirm|call|invite|urge|adopt|accept|defer|refer)"
)
# How an item of a list of decisions opens: "That ...", "The Commission notes ...", "Cabinet note and approve",
# "To note ...", "Noted the progress ...", "Approve the submission ...", "Authority is delegated to ...".
_DECISION_OPENING = re.compile(
    r"\s*(?:that\b"
    r"|(?:the\s+)?(?:[\w&'-]+\s+){0,6}?"
    r"(?:commission|committee|sub-committee|board|panel|cabinet|council|executive|forum|partnership|group|mayor)\s+"
    rf"(?:{_DECISION_VERBS}s?\b|(?:noted|agreed|approved|endorsed|resolved|welcomed|received)\s+(?!that\b))"
    r"|to\s+(?:note|endorse|approve|agree|instruct|authori[sz]e|delegate|adopt|recommend|request|accept|confirm"
    rf"|support|welcome|defer|refer)\b|{_DECISION_VERBS}d?\b|(?:noted|commented|requested|asked|instructed|resolved)\b"
    r"|consider\s+and\s+\w+|authority\s+(?:is|be)\s+delegated"
    # "the principles and content of the draft Leisure Strategy be endorsed": a resolution in the subjunctive
    r"|[^.;:]{0,150}?\b(?:be|to\s+be)\s+(?:\w+\s+)?(?:noted|endorsed|approved|agreed|adopted|considered|received"
    r"|delegated|authori[sz]ed|requested|asked|established|deferred|referred|submitted|presented|brought|reported"
    r"|published|circulated|updated|amended|accepted|confirmed|made|given|taken|included|forwarded|sent)\b)",
    re.IGNORECASE,
)
# "having received and considered recommendations from Overview and Scrutiny Management Committee ...:": the list
# below is what another body recommended, not what this one decided.
_OTHERS_RECOMMENDATIONS = re.compile(r"\brecommendations?\s+(?:from|of|made\s+by)\b[^:]{0,200}:\s*$", re.IGNORECASE)
# Most items of a list of decisions say so; one may have lost its verb in conversion ("6. To the publication of").
_DECISIONS_AT_LEAST = 0.75


def decision_lists(lines: list[str], start: int, end: int) -> list[Block]:
    """The lists between `start` and `end` that read as decisions ("That ...", "The Commission notes ...",
    "To note ..."), for minutes whose decision heading was lost or never written.

    Discussion bullets are narrative in the past tense ("The Commission noted that ..."), so they do not pass.
    """
    blocks: list[Block] = []
    index = start
    while index < end:
        marker = LIST_MARKER.match(lines[index])
        # A list of decisions starts at its first item; "49. The minutes ... were approved" is a minute's number.
        first = marker is not None and any(reading.value <= 1 for reading in _numberings(marker))
        if not first or not _DECISION_OPENING.match(lines[index][marker.end() :]):
            index += 1
            continue
        decisions, block_end = _read_block(lines, index, "", index, end)
        if _others(lines, index):  # taken, so that no one reads it as this body's decisions, but not listed
            blocks.append(Block([], index, block_end))
            index = max(block_end, index + 1)
            continue
        opening = [bool(_DECISION_OPENING.match(d.text)) for d in decisions]
        if opening and opening[0] and sum(opening) >= _DECISIONS_AT_LEAST * len(opening):
            blocks.append(Block([replace(d, headless=True) for d in decisions], index, block_end))
        index = max(block_end, index + 1)
    return blocks


# --- Reading the items of one block -------------------------------------------------------------

LIST_MARKER = re.compile(
    r"\s*(?:\((?P<paren>[a-z]|[ivx]{1,5}|\d{1,2})\)"
    r"|(?P<closed>[a-z]|[ivx]{1,5}|\d{1,2})\)"
    r"|(?P<dotted>[a-z]|[ivx]{1,5}|\d{1,2})\.(?=\s|$)"
    r"|(?P<bullet>[\u2022\u00b7\u25aa\u25cf\u25e6\u2023\u2219\uf0b7*\u2013\u2014-])(?=\s))\s*",
    re.IGNORECASE,
)
# "(a) That the report be noted; (b) That ..." on one line: split before a marker that follows a ";" or ".".
_INLINE_ITEM = re.compile(r"(?<=[;.])(?:\s+(?:and|or))?\s+(?=\(?(?:[a-z]|[ivx]{1,5}|\d{1,2})\)\s)", re.IGNORECASE)
_ROMAN = re.compile(r"x{0,3}(?:ix|iv|v?i{0,3})", re.IGNORECASE)
_STEM_END = re.compile(r"(?:[:\-\u2013\u2014]|\bto|\bthat)\s*$", re.IGNORECASE)


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
    absorbed: bool = False  # its items are part of the resolution above them ("outcomes be approved:- · ...")


@dataclass
class _Draft:
    marker: str | None
    level: _Level | None
    line: int
    lines: list[str] = field(default_factory=list)


class _BlockReader:
    """Reads list items, or "That ..." paragraphs, line by line until the decision block ends."""

    def __init__(self, first_line: int) -> None:
        self.line = first_line  # the line being read
        self.upcoming = ""  # the next line with words on it
        self.items: list[Decision] = []
        self.levels: list[_Level] = []
        self.current: _Draft | None = None
        self.blank_before = False
        self.sentence_ended = False

    def take(self, line: str) -> bool:
        """Consume `line` if it belongs to the block; False where the block ends."""
        if LIST_MARKER.match(line):
            return all(self._take_line(piece) for piece in _INLINE_ITEM.split(line))
        return self._take_line(line)

    def _take_line(self, line: str) -> bool:
        text = line.strip()
        if not text:
            self.blank_before = True
            return True
        if PAGE_NOISE.fullmatch(text):
            return True
        marker = LIST_MARKER.match(text)
        readings = _numberings(marker) if marker else []
        words = text[marker.end() :] if readings else text
        if _heading(line) or _TERMINATOR.match(words) or self._is_agenda_heading(words) or _introduces(words):
            return False
        taken = self._take_marked(readings, marker, words) if readings else self._take_plain(text)
        self.blank_before, self.sentence_ended = False, text.endswith(".")
        return taken

    def finish(self) -> list[Decision]:
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
        """A new sentence on a new line that is not a new item: the minute has moved on ("The meeting closed."),
        unless the list goes on after it, when the sentence is the item's own."""
        new_sentence = self.sentence_ended and text[0].isupper() and not text.startswith("That ")
        return self.current is not None and new_sentence and not (self.current.marker and self._list_goes_on())

    def _list_goes_on(self) -> bool:
        marker = LIST_MARKER.match(self.upcoming)
        readings = _numberings(marker) if marker else []
        return any(reading.continues(level) for level in self.levels for reading in readings)

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
                if level.absorbed and self.current is not None:
                    level.next_value = reading.value + 1
                    self.current.lines.append(f"; {rest}")
                else:
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
        if current is not None and first.value in (0, 1) and _holds_its_list(_joined(current.lines), rest):
            self.levels.append(_Level(first.style, first.counts_in, first.value + 1, absorbed=True))
            current.lines.append(rest)
            return True
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
        self.current = _Draft(marker, level, self.line, [text] if text else [])

    def _flush(self) -> None:
        current, self.current = self.current, None
        if current is None or not current.lines:
            return
        stem = current.level.stem if current.level else ""
        text = _tidy(f"{stem} {_joined(current.lines)}")
        if text:
            self.items.append(Decision(text, current.marker or None, line=current.line))


def _read_block(
    lines: list[str], start: int, first_line: str, heading_line: int, end: int | None = None
) -> tuple[list[Decision], int]:
    """The items from `first_line` (the rest of a heading's line) and the lines from `start` (up to `end`), and
    where they end."""
    reader = _BlockReader(heading_line)
    if first_line.strip():
        reader.take(first_line)
    index, end = start, len(lines) if end is None else end
    while index < end:
        reader.line = index
        reader.upcoming = next((line for line in lines[index + 1 : min(index + 3, end)] if line.strip()), "")
        if not reader.take(lines[index]):
            break
        index += 1
    return reader.finish(), index


# "The following five key outcomes be approved as the basis of the strategy:-", "To endorse the approach which
# will include:": a resolution complete in itself, whose list says what it approves.
_COMPLETE_STEM = re.compile(
    r"(?:\b(?:be|to\s+be)\s+(?:\w+\s+)?\w+ed\b|^(?:That\s+)?To\s+[a-z]+\b|\binclude)[^:]*:-?\s*$", re.IGNORECASE
)
_INCOMPLETE_STEM = re.compile(r"\b(?:to|that)\s*:?-?\s*$", re.IGNORECASE)


def _holds_its_list(stem: str, first_item: str) -> bool:
    listed_thing = first_item[:1].isupper() and not re.match(r"(?:That|To)\b", first_item)
    return listed_thing and bool(_COMPLETE_STEM.search(stem)) and not _INCOMPLETE_STEM.search(stem)


def _introduces(words: str) -> bool:
    """A line that introduces the decisions below it ("It was also discussed and agreed that:") ends a block."""
    return words.rstrip().endswith(":") and _HEADING_AT_LINE_END.search(words) is not None


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
