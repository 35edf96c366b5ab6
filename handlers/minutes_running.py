"""Decisions recorded in the running text of a minute, outside any decision block: "It was agreed that ...",
"Members agreed to ...", "The Council noted the report.", "Cllr Morgan agreed to coordinate the delivery. Action
P Morgan", "Clair will draft something", "Move to next agenda".

What is only said is not a decision: a suggestion, an urging, a hope or what could be done; one member's
request; a report of what was decided earlier or elsewhere; the points listed under "the following points were
made". A sentence is read only when it says that the body decided, or that someone took a task on.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from handlers.minutes_blocks import ACTION_TAG, Decision
from handlers.minutes_layout import SENTENCE_END
from storage.models import ResolutionKind

_BODY = (
    r"(?:the\s+)?(?:(?:[A-Z][\w&'-]*|and|of|for|&)\s+){0,7}?(?:Cabinet|Committee|Sub-Committee|Council|Board|Panel|Commission|Forum"
    r"|Authority|Partnership|Group|Executive|Working\s+Party|Working\s+Group|Steering\s+Group|Mayor|Leader)"
)
_COLLECTIVE = rf"(?:{_BODY}|Members|Councillors|the\s+(?i:group|members|meeting|forum)|[Tt]hey|It)"
# "It was agreed that", "Members agreed to", "The Committee resolved that", "Cabinet agreed to recommend"
_AGREED = re.compile(
    rf"^(?:(?:Following|After|Having)\s[^,]{{2,120}},\s*)?(?:It\s+was\s+(?:further\s+|also\s+|then\s+|therefore\s+)?"
    r"(?:unanimously\s+)?(?:agreed|resolved|decided|AGREED|RESOLVED)"
    rf"|{_COLLECTIVE}\s+(?:(?:then|also|further|unanimously|therefore)\s+)?(?:agreed|resolved|decided|AGREED|RESOLVED)"
    r"(?!\s+(?:with|by)\b))\b(?!\s+that\s+(?:there|it|this|the\s+\w+\s+(?:had|was|were))\b)"
)
# "It was agreed the group should now concentrate on ...": what was agreed is a task.
_AGREED_TASK = re.compile(
    r"^[^,;]{0,80}?\bagreed\s+(?:that\s+)?[^,;]{2,80}?\s+(?:should|will|would|must|is\s+to|are\s+to)"
    r"\s+(?!be\s+(?:noted|received|approved|endorsed|accepted)\b)[a-z]"
)
# "That the draft savings proposals be approved for consultation purposes": a resolution without its heading.
_THAT_RESOLUTION = re.compile(r"^That\s+[^.;]{3,200}?\b(?:be|are|is)\s+[a-z]+ed\b")
# "The Council noted the report.", "The Committee received the update": a body taking note of a paper.
_BODY_NOTED = re.compile(
    rf"^{_BODY}\s+(?:(?:formally|unanimously)\s+)?(?:noted|received|approved|endorsed|adopted|accepted|welcomed)"
    r"\s+(?:the|its|this|these)\s+(?!fact\b)"
)
# "The quote of £3633 from WSBRC was reviewed and approved.", "The minutes from the October meeting were approved."
_PASSIVE_APPROVAL = re.compile(
    r"^(?:The|This|These|All|Both)\b[^.;]{2,160}?\b(?:was|were)\s+(?:(?:reviewed|considered|discussed|read)\s+and\s+)?"
    r"(?:unanimously\s+)?(?:approved|agreed|adopted|accepted|endorsed|ratified|confirmed)\b"
    r"(?!\s+(?:at|by)\s+(?:the|their|its)\s+[^.]{0,60}?(?:meeting|council)\b)"
)
# "Overall the group were happy with the report": the body's assent, recorded informally.
_ASSENT = re.compile(
    rf"^(?:Overall,?\s+)?{_COLLECTIVE}\s+(?:were|was)\s+(?:all\s+)?(?:happy|content|satisfied)\s+(?:with|to)\b"
)
# "Members requested that officers speak with the Press": the body asks someone to act.
_BODY_REQUEST = re.compile(
    rf"^(?:Members|Councillors|{_BODY})\s+(?:requested|asked|instructed|directed)\s+(?:that\s+)?"
    r"(?!whether\b|if\b|about\b|for\s+clarification\b|questions?\b)"
)
_PERSON = (
    r"(?:(?:Cllr|Councillor|Mr|Mrs|Ms|Miss|Dr)\.?\s+(?:[A-Z][\w'-]*\.?\s+){0,2}[A-Z][\w'-]+"
    r"|[Tt]he\s+(?:Chair(?:man|woman|person)?|Vice[\s-]Chair(?:man)?|Clerk|Mayor|Leader|(?:Deputy\s+)?Clerk"
    r"|(?:[A-Z][\w&,'-]*\s+){0,6}?(?:Officer|Director|Manager|Head\s+of\s+[A-Z][\w&'-]*(?:\s+[A-Z&][\w&'-]*){0,4}"
    r"|Clerk|Lead|Member|Holder|Executive))"
    r"|(?!(?:There|This|That|These|Those|It|They|We|He|She|The|A|An|Any|All|No|Some|Such|Members|Officers"
    r"|Councillors|Item|Policy|Document|Overall|Once|When|If|After|Following)\b)"
    r"[A-Z][a-z]+(?:\s+[A-Z][a-z]*\.?){0,2}(?:\s*(?:and|&|/)\s*[A-Z][a-z]+(?:\s+[A-Z]\.?)?)?"
    r"|[A-Z]{2,4}(?:\s*(?:&|and|/)\s*[A-Z]{2,4})?)"
)
# "Lynne Samuels agreed to pick this up", "Clair will draft something", "The document will be finalised by Clair"
_COMMITMENT = (
    re.compile(
        rf"^(?:(?:Once|When|After|If)\s[^,]{{2,80}},\s*)?(?P<who>{_PERSON})\s+"
        r"(?:(?:agreed|undertook|offered|volunteered)\s+to|(?:will|would|shall)(?:\s+(?:also|then|now))?"
        r"|(?:is|are)\s+to)\s+(?!be\b|have\b|continue\b|like\b|hope\b|consider\b|need\b)[a-z]"
    ),
    re.compile(rf"\bwhich\s+(?P<who>{_PERSON})\s+(?:will|would|agreed\s+to)\s+(?!be\b)[a-z]"),
    re.compile(rf"\b(?:will|would)\s+be\s+[a-z]+ed\s+by\s+(?P<who>{_PERSON})(?:\s+and\s+[a-z]+|[.,;]|$)"),
    re.compile(rf"\((?P<who>{_PERSON})\s+to\s+[a-z]+[^()]*\)"),
    # "The Chair advised that the response had only just been received and would forward on to the Members."
    re.compile(
        rf"^(?P<who>{_PERSON})\s+(?:advised|said|confirmed|explained|indicated|stated)\s+that\b[^.]{{0,200}}?"
        r"\b(?:and\s+would|(?:he|she|they)\s+would)\s+(?!be\b|have\b|continue\b|like\b|hope\b)[a-z]"
    ),
)
# "The group will try to take the remaining photos": a task the group takes on as a whole.
_GROUP_TASK = re.compile(r"^The\s+(?:group|members|working\s+group|committee)\s+will\s+(?!be\b|have\b|need\b)[a-z]")
# "It was noted that the CYPP would be re-considered at the January meeting", "A final decision will then be
# made in February 2018": something that is to come back, stated rather than resolved.
_TO_COME_BACK = re.compile(
    r"\b(?:will|would|is\s+to|are\s+to)\s+(?:then\s+|also\s+)?(?:be\s+)?(?:made|taken|presented|brought|re-?considered"
    r"|considered|reported|submitted|returned|come\s+back|go\s+back)\b[^.]{0,120}?"
    rf"\b(?:meeting|agenda|(?:in|by|at)\s+{r'(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*'}\b)",
    re.IGNORECASE,
)
_CARRIED_FORWARD = re.compile(
    r"^(?:Move|Moved|Carry|Carried|Deferred|Defer)\s+(?:forward\s+)?to\s+(?:the\s+)?next\s+(?:agenda|meeting)\b",
    re.IGNORECASE,
)
# Words that make a sentence a hope, a suggestion, a question or a report of the past, not a decision.
_HEDGED = re.compile(
    r"\b(?:suggest(?:ed|ion)|urged|hoped?|hoping|could|might|may\s+be|would\s+like|wish(?:ed)?\s+to"
    r"|(?:asked|queried|questioned|wondered)\s+(?:whether|if|why|how|what)"
    r"|had\s+(?:been\s+)?(?:agreed|resolved|decided|approved|requested)|previously|last\s+meeting|at\s+(?:its|their)"
    r"\s+meeting\s+on|was\s+approved\s+at\s+the|in\s+the\s+process\s+of\s+being)\b",
    re.IGNORECASE,
)
# Lines that start a list of what was said: "Arising from discussion, the following points were made:".
_DISCUSSION_LEAD = re.compile(
    r"\b(?:following\s+(?:points|comments|questions|issues|responses|matters)\s+(?:were|was)\s+(?:made|raised"
    r"|noted|discussed|provided|highlighted|asked)|arising\s+from\s+(?:the\s+)?discussion|points\s+were\s+(?:made|raised)"
    r"|highlighting\s+the\s+following|(?:comments|questions)\s+(?:were|was)\s+(?:made|raised|asked)|the\s+below"
    r"\s+responses|in\s+response\s+to\s+questions)\b",
    re.IGNORECASE,
)
_LIST_MARKER = re.compile(
    r"\s*(?:\((?:[a-z]|[ivx]{1,5}|\d{1,2})\)|(?:[a-z]|[ivx]{1,5}|\d{1,2})[.)]|[\u2022\u00b7\u25aa\u25cf\uf0b7*-])(?:\s|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Sentence:
    text: str
    line: int
    listed: bool  # an item of a list of discussion points


def running_decisions(lines: list[str], taken: set[int], item_starts: set[int]) -> list[Decision]:
    """The decisions in lines that no decision block has taken, outside lists of discussion points."""
    found: list[Decision] = []
    sentences = list(_sentences(lines, taken, item_starts))
    for index, sentence in enumerate(sentences):
        if sentence.listed:
            continue
        decision = _decision(sentence)
        tag = _tag_after(sentences, index)
        if decision is None and tag is not None:
            decision = Decision(sentence.text, None, line=sentence.line, kind_hint=ResolutionKind.ACTION)
        if decision is not None:
            found.append(decision if tag is None else _with_tag(decision, tag))
    return found


# "7. To consider the next steps – It was agreed the clerk would ...": an agenda title before the minute.
_TITLE_BEFORE = re.compile(r"^[^.;\u2013\u2014]{3,160}?\s?[\u2013\u2014]\s*(?=[A-Z])")


def _decision(sentence: _Sentence) -> Decision | None:
    found = _decision_in(sentence)
    if found is None and (title := _TITLE_BEFORE.match(sentence.text)):
        found = _decision_in(_Sentence(sentence.text[title.end() :], sentence.line, sentence.listed))
    return found


def _decision_in(sentence: _Sentence) -> Decision | None:
    tag = ACTION_TAG.search(sentence.text)
    text = sentence.text[: tag.start()].strip() if tag else sentence.text
    if (len(text) < 12 or _HEDGED.search(text)) and not _CARRIED_FORWARD.match(text):
        return None
    decision = Decision(sentence.text, None, line=sentence.line, running=True)
    if _CARRIED_FORWARD.match(text):
        return decision.hinted(ResolutionKind.REPORT_BACK)
    for pattern in _COMMITMENT:
        if match := pattern.search(text):
            return decision.hinted(ResolutionKind.ACTION, match["who"])
    if _GROUP_TASK.match(text):
        return decision.hinted(ResolutionKind.ACTION)
    if _AGREED.match(text) and _AGREED_TASK.search(text):
        return decision.hinted(ResolutionKind.ACTION)
    if _AGREED.match(text) or _BODY_REQUEST.match(text) or _THAT_RESOLUTION.match(text):
        return decision
    if _BODY_NOTED.match(text) or _PASSIVE_APPROVAL.match(text) or _ASSENT.match(text):
        return decision.hinted(ResolutionKind.NOTED)
    if re.match(r"^It\s+was\s+noted\s+that\b", text) and _TO_COME_BACK.search(text):
        return decision.hinted(ResolutionKind.REPORT_BACK)
    if _TO_COME_BACK.search(text) and re.match(r"^(?:A|An|The)\s+(?:final\s+|further\s+)?(?:decision|report)", text):
        return decision.hinted(ResolutionKind.REPORT_BACK)
    return None


def _tag_after(sentences: list[_Sentence], index: int) -> str | None:
    """The owner an "Action <name>" tag gives a sentence: in it, or starting the sentence after it."""
    own = ACTION_TAG.search(sentences[index].text)
    if own and own.start() > 0:
        return own["who"]
    following = sentences[index + 1] if index + 1 < len(sentences) else None
    if following and following.line - sentences[index].line <= 1 and (tag := ACTION_TAG.match(following.text)):
        return tag["who"]
    return None


def _with_tag(decision: Decision, who: str) -> Decision:
    kind = decision.kind_hint or ResolutionKind.ACTION
    return decision.hinted(kind, decision.owner_hint or who)


_PAGE_NUMBER = re.compile(r"(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?", re.IGNORECASE)


def _sentences(lines: list[str], taken: set[int], item_starts: set[int]) -> Iterator[_Sentence]:
    """The sentences of every paragraph no decision block has taken, each saying whether it is a listed point."""
    for line, paragraph, listed in _paragraphs(lines, taken, item_starts):
        for sentence in SENTENCE_END.split(" ".join(" ".join(paragraph).split())):
            if sentence.strip():
                yield _Sentence(sentence.strip(), line, listed)


def _paragraphs(lines: list[str], taken: set[int], item_starts: set[int]) -> Iterator[tuple[int, list[str], bool]]:
    """Runs of lines between blank lines and list markers. Under "the following points were made:" a marked
    paragraph, or one a bare marker or a page break interrupted, is a listed point; an unmarked one is not."""
    in_discussion = after_bare_marker = listed = False
    paragraph: list[str] = []
    start = 0
    for index, line in enumerate(lines):
        text = line.strip()
        marker = _LIST_MARKER.match(line)
        if index in taken or index in item_starts or not text or marker:
            if paragraph:
                yield start, paragraph, listed
            paragraph = []
            if index in taken or index in item_starts:
                in_discussion = after_bare_marker = False
        if index in taken or not text or _PAGE_NUMBER.fullmatch(text):
            continue
        if marker:
            text = line[marker.end() :].strip()
            listed, after_bare_marker = in_discussion, in_discussion and not text
            if not text:
                continue
        elif not paragraph:
            listed = after_bare_marker or (listed and text[0].islower())
            after_bare_marker = False
        if not paragraph:
            start = index
        paragraph.append(text)
        in_discussion = in_discussion or bool(_DISCUSSION_LEAD.search(text))
    if paragraph:
        yield start, paragraph, listed
