"""Resolutions read from minutes: what was decided, who must act, and by when, under which agenda item.

What counts: the items of a decision block ("RESOLVED:", "Resolved -", "AGREED that", "DECISION", "RECOMMENDED to
Cabinet"); in an agenda item with no such heading, a list of decisions ("1. That the Commission notes the
report."); and decisions the running text records ("It was agreed that ...", "Clair will draft the letter.
Action Clair"). The discussion records what was said, not what was decided, and is not read as decisions.
A resolution printed twice is listed once. Everything read is a proposal the clerk corrects and confirms, so
whatever is uncertain is said in a doubt rather than guessed silently.

Every pattern works on one line or one resolution at a time and bounds its gaps, so the work grows with the
length of the minutes.
"""

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date

from handlers.due_meetings import FUTURE_MEETING
from handlers.minutes_blocks import Block, Decision, action_tag, blocks_under_headings, decision_lists
from handlers.minutes_dues import Due, due_of
from handlers.minutes_kinds import (
    ACTOR_FINDERS,
    CONSULTATION_WINDOW,
    first_found,
    kind_of,
    owner_of,
    recommended_body,
    requested_subject,
)
from handlers.minutes_layout import SENTENCE_END, AgendaItem, agenda_items, lines_of, meeting_date_in
from handlers.minutes_running import running_decisions
from handlers.resolutions import MAX_TEXT_LENGTH
from storage.models import ResolutionKind

__all__ = ["ExtractedResolution", "MinutesReading", "ResolutionKind", "extract_resolutions", "read_minutes"]


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
    item_number: str | None = None  # the agenda item it was minuted under: "11"
    item_title: str | None = None  # "Annual Report of the Safeguarding Children Partnership"

    def as_json(self) -> dict:
        """Its fields as JSON values; the agenda item only where the minutes name one."""
        fields = {
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
        if self.item_number or self.item_title:
            fields["item"] = {"number": self.item_number, "title": self.item_title}
        return fields

    @classmethod
    def from_json(cls, fields: dict) -> "ExtractedResolution":
        item = fields.get("item") or {}
        return cls(
            text=fields["text"],
            kind=ResolutionKind(fields["kind"]),
            owner=fields["owner"],
            due_date=date.fromisoformat(fields["due_date"]) if fields["due_date"] else None,
            due_rule=fields["due_rule"],
            confidence=fields["confidence"],
            doubts=tuple(fields["doubts"]),
            respondents=fields["respondents"],
            marker=fields["marker"],
            item_number=item.get("number"),
            item_title=item.get("title"),
        )


@dataclass(frozen=True)
class MinutesReading:
    meeting_date: date | None  # as given, or as the minutes state it
    meeting_date_read: bool  # whether it was read from the minutes
    resolutions: list[ExtractedResolution]


def extract_resolutions(minutes: str, meeting_date: date | None = None) -> list[ExtractedResolution]:
    """Every resolution in `minutes`, in order; periods and yearless dates count from `meeting_date`, or from
    the date the minutes give for the meeting."""
    return read_minutes(minutes, meeting_date).resolutions


def read_minutes(minutes: str, meeting_date: date | None = None) -> MinutesReading:
    lines = lines_of(minutes)
    stated = meeting_date_in(lines) if meeting_date is None else None
    meeting = meeting_date or stated
    items = agenda_items(lines)
    decisions = _deduplicated(_decisions(lines, items), items)
    windows_taken: set[str] = set()  # a consultation window stated in a minute belongs to one resolution
    resolutions = [
        _resolution(part, meeting, _item_of(decision, items), _item_lines(decision.line, items, lines), windows_taken)
        for decision in decisions
        for part in _parts(decision, meeting)
    ]
    return MinutesReading(meeting, stated is not None, resolutions)


def _decisions(lines: list[str], items: list[AgendaItem]) -> list[Decision]:
    blocks = blocks_under_headings(lines)
    starts = [item.line for item in items]
    bounds = list(zip([0, *starts], [*starts, len(lines)], strict=True))
    for start, end in bounds:
        if not any(start <= block.first_line < end for block in blocks):
            blocks += decision_lists(lines, start, end)
    taken = {line for block in blocks for line in block.lines}
    decisions = [decision for block in blocks for decision in _tagged(block, lines)]
    decisions += running_decisions(lines, taken, set(starts))
    return sorted(decisions, key=lambda decision: decision.line)


def _tagged(block: Block, lines: list[str]) -> list[Decision]:
    """A block's decisions; an "ACTION BY; COMMITTEE MANAGER" line after it names the owner of its last one."""
    decisions = list(block.decisions)
    owner = action_tag(lines[block.end_line]) if block.end_line < len(lines) else None
    if decisions and owner:
        decisions[-1] = decisions[-1].hinted(decisions[-1].kind_hint, owner)
    return decisions


_WORD = re.compile(r"[a-z0-9]+")
_LITTLE_WORDS = frozenset(
    re.findall(r"\w+", "a an and the of to in on for be is was were that this with by as at it its their from or any")
    + ["all", "also", "which", "will", "would", "should"]
)


def _content_words(text: str) -> Counter:
    return Counter(word for word in _WORD.findall(text.lower()) if word not in _LITTLE_WORDS)


# "Cabinet agreed to make the post permanent because ...": the reason is not part of what was decided.
_REASON = re.compile(r"\s(?:because|since|so\s+that|in\s+order\s+to|as\s+(?:it|this|the|there)\b)\s.*$", re.IGNORECASE)


def _repeats(text: str, other: str) -> bool:
    """Whether the content words of one text, with or without its reasons, are mostly those of the other."""
    return _mostly_shared(text, other) or _mostly_shared(_REASON.sub("", text), other)


def _mostly_shared(text: str, other: str) -> bool:
    words, others = _content_words(text), _content_words(other)
    shorter = min(sum(words.values()), sum(others.values()))
    return shorter > 0 and sum((words & others).values()) * 2 >= shorter


def _deduplicated(decisions: list[Decision], items: list[AgendaItem]) -> list[Decision]:
    """A resolution printed twice (a Decision block and the minutes) once; a sentence of the narrative that
    repeats an item of its decision block is not a second resolution."""
    kept: list[Decision] = []
    seen: set[tuple[int, str]] = set()
    formal: dict[int, list[Decision]] = {}  # the decision blocks' and lists' decisions, by agenda item
    for decision in decisions:
        if not decision.running:
            formal.setdefault(_item_index(decision.line, items), []).append(decision)
    for decision in decisions:
        item = _item_index(decision.line, items)
        key = (item, " ".join(_WORD.findall(decision.text.lower())))
        if key in seen:
            continue
        if decision.running and any(_repeats(decision.text, other.text) for other in formal.get(item, ())):
            continue
        seen.add(key)
        kept.append(decision)
    return kept


def _item_lines(line: int, items: list[AgendaItem], lines: list[str]) -> list[str]:
    """The lines of the agenda item that `line` is in."""
    index = _item_index(line, items)
    start = items[index - 1].line if index else 0
    end = items[index].line if index < len(items) else len(lines)
    return lines[start:end]


def _parts(decision: Decision, meeting_date: date | None) -> list[Decision]:
    """A decision as the resolutions it holds: each "that" clause of a sentence is one, and so is each part of
    an item that joins obligations of different kinds or due at different times."""
    return [
        by_due
        for that_clause in _split_at(_THAT_CLAUSE, decision)
        for by_kind in _split_by_kind(that_clause)
        for by_due in _split_by_due(by_kind, meeting_date)
    ]


# "it was agreed that an update ... be brought to the next meeting; that the items ... be deferred; and that ..."
_THAT_CLAUSE = re.compile(r";\s*(?:and\s+)?(?=that\s)", re.IGNORECASE)
# "... be authorised to commence a consultation, and that the outcome be reported back", "Committee agreed to
# continue any decision until a later date and asked officers to negotiate"
_JOINED_OBLIGATION = re.compile(
    r",?\s+and\s+(?=that\s|(?:asked|requested|instructed|authori[sz]ed|agreed)\s)", re.IGNORECASE
)


def _split_at(pattern: re.Pattern[str], decision: Decision) -> list[Decision]:
    texts = [text for text in pattern.split(decision.text) if text.strip()]
    return [replace(decision, text=text) for text in texts] if len(texts) > 1 else [decision]


def _split_by_kind(decision: Decision) -> list[Decision]:
    """Obligations of different kinds joined by "and" are resolutions of their own; a noting joined to an
    obligation is not ("noted, and that comments be forwarded to ..." is one request for comments)."""
    parts = _split_at(_JOINED_OBLIGATION, decision)
    kinds = [kind_of(part.text, decision.recommended_to) for part in parts]
    if len(parts) == 1 or None in kinds or ResolutionKind.NOTED in kinds or len(set(kinds)) == 1:
        return [decision]
    return parts


# "Commented on the report and agreed ... a SEND update to Cabinet in December 2022; emergency planning update
# by February 2023; and resident engagement": one item, two obligations due at different times.
_CLAUSE_BREAK = re.compile(r";\s*(?:and\s+)?")


def _split_by_due(decision: Decision, meeting_date: date | None) -> list[Decision]:
    """A decision whose clauses are due at different times, as one decision for each; a clause with no due of
    its own stays with the one before it."""
    clauses = _CLAUSE_BREAK.split(decision.text)
    if decision.running or len(clauses) == 1:
        return [decision]
    dues = [due_of(clause, meeting_date) for clause in clauses]
    if len({(d.on, d.rule) for d in dues if d.on or d.rule}) < 2:
        return [decision]
    parts: list[list[str]] = []
    for clause, due in zip(clauses, dues, strict=True):
        if due.on or due.rule or not parts:
            parts.append([clause])
        else:
            parts[-1].append(clause)
    return [replace(decision, text="; ".join(part)) for part in parts]


def _item_index(line: int, items: list[AgendaItem]) -> int:
    """How many agenda items start at or before `line` (items are in order of their lines)."""
    return bisect_right(items, line, key=lambda item: item.line)


def _item_of(decision: Decision, items: list[AgendaItem]) -> AgendaItem | None:
    index = _item_index(decision.line, items)
    return items[index - 1] if index else None


# --- One resolution ------------------------------------------------------------------------------

TOO_LONG = f"This is longer than the {MAX_TEXT_LENGTH:,} characters a resolution may have; please check where it ends."
NO_OWNER = "I couldn't tell who owns this."
NO_RECEIVER = "I couldn't tell who the views go to."
NO_RESPONDENTS = "I couldn't tell who is asked for views."
NO_DEADLINE = "I couldn't find the deadline for views."
UNTIMED_RETURN = "No time was given for this to come back, so I took it to a future meeting."
RECOMMENDED_TO = "I put {body}, which this goes to, as the owner; change it if someone here must send it on."
A_BODY_OWNS = "I put {body} as a whole as the owner; name the person who will see to it if there is one."
# An owner that is a body, not a person or post: "Cabinet", "the Panel", "Council".
_A_BODY = re.compile(
    r"(?:the\s+)?(?:full\s+)?(?:cabinet|council|committee|sub-committee|panel|board|commission|executive|forum|group"
    r"|working\s+(?:group|party)|authority|members|partnership)",
    re.IGNORECASE,
)
UNKNOWN_KIND = "I couldn't tell what kind of resolution this is, so I took it as an action."


def _resolution(
    item: Decision,
    meeting_date: date | None,
    agenda_item: AgendaItem | None,
    item_lines: list[str],
    windows_taken: set[str],
) -> ExtractedResolution:
    # Anything longer than a resolution may be has swallowed text that is not one; reading only its opening keeps
    # the work for one item bounded.
    text = item.text[:MAX_TEXT_LENGTH]
    kind = _weightier(kind_of(text, item.recommended_to), item.kind_hint)
    window_text = text if kind == ResolutionKind.COMMENT_DEADLINE else _window_elsewhere(text, item_lines)
    if window_text is not None and window_text not in windows_taken:
        kind = ResolutionKind.COMMENT_DEADLINE
        windows_taken.add(window_text)
    else:
        window_text = None if kind != ResolutionKind.COMMENT_DEADLINE else window_text
    doubts = [TOO_LONG] if len(item.text) > MAX_TEXT_LENGTH else []
    doubts += [UNKNOWN_KIND] if kind is None else []
    kind = kind or ResolutionKind.ACTION
    owner = None if kind == ResolutionKind.NOTED else item.owner_hint or owner_of(text, kind, item.recommended_to)
    if kind == ResolutionKind.COMMENT_DEADLINE and owner is None and CONSULTATION_WINDOW.search(window_text):
        owner = requested_subject(text)  # a consultation run under a named officer's authority
    when = _when(kind, window_text or text, meeting_date)
    respondents = first_found(ACTOR_FINDERS, text) if kind == ResolutionKind.COMMENT_DEADLINE else None
    doubts += [*_missing(kind, owner, when, respondents), *when.doubts]
    if owner is not None and owner == recommended_body(text, item.recommended_to):
        doubts.append(RECOMMENDED_TO.format(body=owner))
    elif owner is not None and _A_BODY.fullmatch(owner):
        doubts.append(A_BODY_OWNS.format(body=owner))
    base = 0.8 if item.headless or item.running else 0.95
    return ExtractedResolution(
        text=item.text,
        kind=kind,
        owner=owner,
        due_date=when.on,
        due_rule=when.rule,
        confidence=round(max(0.1, base - 0.2 * len(doubts)), 2),
        doubts=tuple(doubts),
        respondents=respondents,
        marker=item.marker,
        item_number=agenda_item.number if agenda_item else None,
        item_title=agenda_item.title if agenda_item else None,
    )


def _when(kind: ResolutionKind, text: str, meeting_date: date | None) -> Due:
    if kind == ResolutionKind.NOTED:
        return Due()
    when = due_of(text, meeting_date, window=CONSULTATION_WINDOW.search(text) is not None)
    if kind == ResolutionKind.REPORT_BACK and when == Due():
        return Due(None, FUTURE_MEETING, (UNTIMED_RETURN,))
    return when


# "That the draft proposals be approved for consultation purposes", with the window in the minute around it.
_CONSULTATION_APPROVED = re.compile(
    r"\bconsultation\b(?:[^.;]|\.\d){0,80}?\bbe\s+(?:approved|agreed|endorsed)\b"
    r"|\b(?:approved?|agreed?|endorsed?)\b[^.;]{0,80}?\bfor\s+(?:public\s+)?consultation\b"
    r"|\bcarry\s+out\s+the\s+(?:said\s+)?consultation\b",
    re.IGNORECASE,
)


def _window_elsewhere(text: str, item_lines: list[str]) -> str | None:
    """The sentence of the minute that sets the window of a consultation the resolution approves."""
    if not _CONSULTATION_APPROVED.search(text):
        return None
    minute = " ".join(" ".join(item_lines).split())
    return next((s for s in SENTENCE_END.split(minute) if CONSULTATION_WINDOW.search(s) and s not in text), None)


# A resolution that mixes kinds is read as the one that asks most of someone.
_PRECEDENCE = (ResolutionKind.NOTED, ResolutionKind.ACTION, ResolutionKind.COMMENT_DEADLINE, ResolutionKind.REPORT_BACK)


def _weightier(found: ResolutionKind | None, hinted: ResolutionKind | None) -> ResolutionKind | None:
    if found is None or hinted is None:
        return found or hinted
    return max(found, hinted, key=_PRECEDENCE.index)


def _missing(kind: ResolutionKind, owner: str | None, due: Due, respondents: str | None) -> list[str]:
    """What a clerk must supply before the resolution can be tracked."""
    if kind == ResolutionKind.NOTED:
        return []
    if kind == ResolutionKind.COMMENT_DEADLINE:
        missing = {NO_RECEIVER: owner, NO_RESPONDENTS: respondents, NO_DEADLINE: due.on}
        return [doubt for doubt, value in missing.items() if value is None]
    return [NO_OWNER] if owner is None else []
