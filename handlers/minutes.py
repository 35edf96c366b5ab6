"""Resolutions read from a minutes extract: what was decided, who must act, and by when.

Only the decision block counts: "RESOLVED:", "Resolved -", "AGREED that", "DECISION", "RECOMMENDED to Cabinet",
or, in a minute with no such heading, the numbered list of decisions that closes it. The discussion above records
what was said, not what was decided. Everything read is a proposal the clerk corrects and confirms, so whatever
is uncertain is said in a doubt rather than guessed silently.

Every pattern works on one line or one resolution at a time and bounds its gaps, so the work grows with the
length of the minutes.
"""

from dataclasses import dataclass
from datetime import date

from handlers.minutes_blocks import Decision, closing_decision_list, items_under_headings
from handlers.minutes_dues import Due, due_of
from handlers.minutes_kinds import ACTOR_FINDERS, first_found, kind_of, owner_of
from handlers.minutes_layout import normalised_lines
from handlers.resolutions import MAX_TEXT_LENGTH
from storage.models import ResolutionKind

__all__ = ["ExtractedResolution", "ResolutionKind", "extract_resolutions"]


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


def extract_resolutions(minutes: str, meeting_date: date | None = None) -> list[ExtractedResolution]:
    """Every resolution in `minutes`, in order; periods and yearless dates count from `meeting_date`."""
    lines = normalised_lines(minutes)
    items = items_under_headings(lines) or closing_decision_list(lines)
    return [_resolution(item, meeting_date) for item in items]


# --- One resolution ------------------------------------------------------------------------------

TOO_LONG = f"This is longer than the {MAX_TEXT_LENGTH:,} characters a resolution may have; please check where it ends."
NO_OWNER = "I couldn't tell who owns this."
NO_RECEIVER = "I couldn't tell who the views go to."
NO_RESPONDENTS = "I couldn't tell who is asked for views."
NO_DEADLINE = "I couldn't find the deadline for views."
NO_RETURN = "I couldn't tell when this should come back."
UNKNOWN_KIND = "I couldn't tell what kind of resolution this is, so I took it as an action."


def _resolution(item: Decision, meeting_date: date | None) -> ExtractedResolution:
    # Anything longer than a resolution may be has swallowed text that is not one; reading only its opening keeps
    # the work for one item bounded.
    text = item.text[:MAX_TEXT_LENGTH]
    kind = kind_of(text, item.recommended_to)
    doubts = [TOO_LONG] if len(item.text) > MAX_TEXT_LENGTH else []
    doubts += [UNKNOWN_KIND] if kind is None else []
    kind = kind or ResolutionKind.ACTION
    owner = owner_of(text, kind, item.recommended_to)
    when = Due() if kind == ResolutionKind.NOTED else due_of(text, meeting_date)
    respondents = first_found(ACTOR_FINDERS, text) if kind == ResolutionKind.COMMENT_DEADLINE else None
    doubts += [*_missing(kind, owner, when, respondents), *when.doubts]
    base = 0.8 if item.headless else 0.95
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
    )


def _missing(kind: ResolutionKind, owner: str | None, due: Due, respondents: str | None) -> list[str]:
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
