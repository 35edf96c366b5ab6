"""Decisions recorded in the running text of a minute, outside any decision block: "It was agreed that ...",
"Members agreed to ...", "The Council noted the report.", "Cllr Morgan agreed to coordinate the delivery. Action
P Morgan", "Clair will draft something", "Move to next agenda".

What is only said is not a decision: a suggestion, an urging, a hope or what could be done; one member's
request; a report of what was decided earlier or elsewhere; the points listed under "the following points were
made". A sentence is read only when it says that the body decided, or that someone took a task on.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from handlers.minutes_blocks import ACTION_TAG, LIST_MARKER, PAGE_NOISE, Decision
from handlers.minutes_dues import MONTHS
from handlers.minutes_kinds import PERSON as _PERSON
from handlers.minutes_layout import SENTENCE_END
from storage.models import ResolutionKind

_BODY = (
    r"(?:the\s+)?(?:(?:[A-Z][\w&'-]*|and|of|for|&)\s+){0,7}?(?:Cabinet|Committee|Sub-Committee|Council|Board|Panel|Commission|Forum"
    r"|Authority|Partnership|Group|Executive|Working\s+Party|Working\s+Group|Steering\s+Group|Mayor|Leader|Team)"
)
_AFTER_DISCUSSION = r"(?:(?:Following|After|Having)\s[^,]{2,120},\s*)?"
_COLLECTIVE = rf"(?:{_BODY}|Members|Councillors|the\s+(?i:group|members|meeting|forum)|[Tt]hey|It)"
# "It was agreed that", "Members agreed to", "The Committee resolved that", "Cabinet agreed to recommend"
_AGREED = re.compile(
    rf"^{_AFTER_DISCUSSION}(?:[Ii]t\s+was\s+(?:further\s+|also\s+|then\s+|therefore\s+)?"
    r"(?:unanimously\s+)?(?:agreed|resolved|decided|AGREED|RESOLVED)"
    rf"|{_COLLECTIVE}\s+(?:(?:then|also|further|unanimously|therefore)\s+)?(?:agreed|resolved|decided|AGREED|RESOLVED)"
    r"(?!\s+(?:with|by)\b))\b(?!\s+that\s+(?:there|it|this|the\s+\w+)\s+(?:had|was|were)\b)"
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
    rf"^{_AFTER_DISCUSSION}{_BODY}\s+(?:(?:formally|unanimously|then|also|fully|further)\s+)*"
    r"(?:considered\s+and\s+)?(?:noted|received|approved|endorsed|adopted|accepted|welcomed|supported|agreed"
    r"|(?:was|were)\s+(?:pleased|happy|glad|delighted)\s+to\s+(?:note|welcome|receive))"
    r"\s+(?:the|its|this|these|that\s+all)\s+(?!fact\b)"
)
# "The quote of £3633 from WSBRC was reviewed and approved.", "The minutes from the October meeting were approved."
_PASSIVE_APPROVAL = re.compile(
    r"^(?!It\b|There\b|He\b|She\b|They\b)[A-Z](?:(?!\bthat\b)[^.;]){2,160}?\b(?:was|were)\s+"
    r"(?:(?:reviewed|considered|discussed|read)\s+and\s+)?"
    r"(?:unanimously\s+|duly\s+)?(?:approved|agreed|adopted|accepted|endorsed|ratified|confirmed|noted)\b"
    r"(?!\s+that\b)(?!\s+(?:at|by)\s+(?:the\s+|their\s+|its\s+)?[^.]{0,60}?(?:meeting|council)\b)(?!\s+in\s+\d{4})"
)
# "Previous minutes accepted", "The Chairman was authorised to sign the minutes": the minutes of the last meeting.
_MINUTES_AGREED = re.compile(
    r"^(?:The\s+|Previous\s+)?minutes\b[^.]{0,100}?\b(?:approved|accepted|agreed|signed|confirmed|taken\s+as\s+read)\b"
    r"|\bauthori[sz]ed\s+to\s+sign\s+the\s+minutes\b",
    re.IGNORECASE,
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
# "Lynne Samuels agreed to pick this up", "Clair will draft something", "The document will be finalised by Clair"
_COMMITMENT = (
    re.compile(
        rf"^(?:(?:Once|When|After|If)\s[^,]{{2,80}},\s*)?(?P<who>{_PERSON})\s+"
        r"(?:(?:agreed|undertook|offered|volunteered)\s+to|(?:will|would|shall)(?:\s+(?:also|then|now)(?=\s))?"
        r"|(?:is|are)\s+to)\s+(?!be\b|have\b|continue\b|like\b|hope\b|consider\b|need\b|also\b|then\b)[a-z]"
    ),
    re.compile(rf"\bwhich\s+(?P<who>{_PERSON})\s+(?:will|would|agreed\s+to)\s+(?!be\b)[a-z]"),
    re.compile(
        rf"\b(?:will|would)\s+be\s+[a-z]+ed(?:\s+to\s+[\w\s]{{1,40}}?)?\s+by\s+(?P<who>{_PERSON})"
        r"(?:\s+(?:and|on|by)\s+\w+|[.,;]|$)"
    ),
    # "it was agreed that the Chair and Vice Chair would hold a meeting"
    re.compile(rf"\bagreed\s+that\s+(?P<who>{_PERSON})\s+(?:would|will|should)\s+(?!be\b)[a-z]"),
    re.compile(rf"\((?P<who>{_PERSON})\s+to\s+[a-z]+[^()]*\)"),
    # "The Chair advised that the response had only just been received and would forward on to the Members."
    re.compile(
        rf"^(?P<who>{_PERSON})\s+(?:advised|said|confirmed|explained|indicated|stated)\s+that\b"
        # "... that the Council would continue to lobby and would keep Members informed" is the Council's, not theirs
        r"(?:(?!\bwould\b)[^.]){0,200}?"
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
    rf"\b(?:meetings?|agenda|(?:in|by|at)\s+(?:the\s+)?(?:{MONTHS}|spring|summer|autumn|winter)"
    r"|to\s+(?:the\s+)?(?:[A-Z][\w&-]*\s+){0,4}"
    r"(?:Forum|Committee|Cabinet|Board|Panel|Council|Executive|Commission))\b",
    re.IGNORECASE,
)
# "Consultation responses and final recommendations would be presented for further consideration in the Autumn":
# the sentence's own subject is to come back (not a clause about something else).
_COMES_BACK_AS_SUBJECT = re.compile(r"^(?!It\b|There\b)[A-Z](?:[\w'-]*\s+(?!that\b|which\b)){1,12}?(?:will|would)\s")
# "This item was deferred to allow Councillor Riggott to present the report at the next meeting."
_DEFERRED = re.compile(
    r"^(?:This|The)\s+(?:item|matter|report|decision)\s+(?:was|is)\s+(?:deferred|postponed|adjourned)"
)
# "Decision/Action: The Senior Leadership Team agreed ...": a label before the decision.
_LABEL = re.compile(r"^(?:Decisions?(?:\s*/\s*Actions?)?|Actions?|Outcome|Agreed)\s*:\s*(?=[A-Z])")
# "... and it was agreed to refer to the work", "In addition, it was agreed that": a decision after narrative.
_AGREED_MID_SENTENCE = re.compile(r"(?:,|\band|[\u2013\u2014]|\bIn\s+addition,)\s+(?=it\s+was\s+(?:also\s+)?agreed\b)")
# "the minute ... was amended to provide that Beechvale Farm be included": what the amendment decides.
_PROVIDES_THAT = re.compile(r"\bto\s+provide\s+that\s+(?=[^.]*\bbe\s+\w+ed\b)")
# "This was approved by members.": the proposal before it is the decision.
_APPROVES_THE_LAST = re.compile(r"^(?:This|That|The\s+proposal)\s+was\s+(?:approved|agreed|accepted|endorsed)\b")
# "This will take place ... on 8 July 2020", "This, along with the covering page, will be provided to CW by 3 July":
# a sentence that carries the decision before it on.
_CARRIES_ON = re.compile(
    r"^(?:This|It|These|They)\b(?!\s+(?:was|were)\s+(?:noted|agreed|resolved|reported|suggested))[^.]{0,60}?"
    r"\b(?:will|would|is\s+to|are\s+to|must)\s"
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
# "... the proposal to develop an improved relationship, and how this could be adopted": a hedge in a clause that
# explains the decision does not make the decision a hope.
_SUBORDINATE = re.compile(r",?\s+(?:in\s+order\s+to|and\s+how|which|so\s+that|with\s+the\s+aim)\b")
# Lines that start a list of what was said: "Arising from discussion, the following points were made:".
_DISCUSSION_LEAD = re.compile(
    r"\b(?:following\s+(?:points|comments|questions|issues|responses|matters)\s+(?:were|was)\s+(?:made|raised"
    r"|noted|discussed|provided|highlighted|asked)|arising\s+from\s+(?:the\s+)?discussion|points\s+were\s+(?:made|raised)"
    r"|highlighting\s+the\s+following|(?:comments|questions)\s+(?:were|was)\s+(?:made|raised|asked)|the\s+below"
    r"\s+responses|in\s+response\s+to\s+questions)\b",
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
        previous = sentences[index - 1] if index else None
        if found and previous and found[-1].line == previous.line and _CARRIES_ON.match(sentence.text):
            found[-1] = replace(found[-1], text=f"{found[-1].text} {sentence.text}")
            continue
        if previous and _APPROVES_THE_LAST.match(sentence.text) and not (found and found[-1].line == previous.line):
            found.append(Decision(f"{previous.text} {sentence.text}", None, line=previous.line, running=True))
            continue
        decision = _decision(sentence)
        tag = _tag_after(sentences, index)
        if decision is None and tag is not None:
            decision = Decision(sentence.text, None, line=sentence.line, kind_hint=ResolutionKind.ACTION)
        if decision is not None:
            found.append(decision if tag is None else _with_tag(decision, tag))
    return found


# A paste without line breaks runs an agenda title into the minute: "Proposal to scope a programme The Board fully
# supported ...". A capital "The" or "That" in the middle of a sentence is where the minute starts.
_GLUED_START = re.compile(r"(?<=[A-Za-z0-9)])\s+(?=(?:That|The|It\s+was)\s)", re.ASCII)
# "7. To consider the next steps – It was agreed the clerk would ...": an agenda title before the minute.
_TITLE_BEFORE = re.compile(r"^[^.;\u2013\u2014]{3,160}?\s?[\u2013\u2014]\s*(?=[A-Z]|it\s+was\b)")


def _decision(sentence: _Sentence) -> Decision | None:
    """The decision the sentence records: all of it, or what follows an agenda title, a label, the narrative before
    "it was agreed", or an amendment's "to provide that"."""
    text = sentence.text
    for pattern in (_TITLE_BEFORE, _LABEL, _AGREED_MID_SENTENCE):
        if found := _decision_in(_Sentence(text, sentence.line, sentence.listed)):
            return found
        start = pattern.search(text)
        if start is not None:
            text = text[start.end() :]
    if found := _decision_in(_Sentence(text, sentence.line, sentence.listed)):
        return found
    for glued in _GLUED_START.finditer(text):  # "Draft Budget That the draft savings ... be approved"
        if found := _decision_in(_Sentence(text[glued.end() :], sentence.line, sentence.listed)):
            return found
    provided = _PROVIDES_THAT.search(text)
    return Decision(text[provided.end() :], None, line=sentence.line, running=True) if provided else None


def _decision_in(sentence: _Sentence) -> Decision | None:
    tag = ACTION_TAG.search(sentence.text)
    text = sentence.text[: tag.start()].strip() if tag else sentence.text
    if (len(text) < 12 or _HEDGED.search(_SUBORDINATE.split(text, maxsplit=1)[0])) and not _CARRIED_FORWARD.match(text):
        return None
    decision = Decision(sentence.text, None, line=sentence.line, running=True)
    if _CARRIED_FORWARD.match(text) or _DEFERRED.match(text):
        return decision.hinted(ResolutionKind.REPORT_BACK)
    if _MINUTES_AGREED.search(text):
        return decision.hinted(ResolutionKind.NOTED)
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
    if _TO_COME_BACK.search(text) and (
        re.match(r"^It\s+was\s+noted\s+that\b", text) or _COMES_BACK_AS_SUBJECT.match(text)
    ):
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


# Sentences, and "Move to next agenda" that ends a note without a full stop ("... next agenda Review the quote").
_SENTENCES = re.compile(rf"{SENTENCE_END.pattern}|(?<=\bnext\sagenda)\s+(?=[A-Z])")
_LABEL_LINE = re.compile(r"[A-Z][\w /&-]{0,40}:-?")


def _sentences(lines: list[str], taken: set[int], item_starts: set[int]) -> Iterator[_Sentence]:
    """The sentences of every paragraph no decision block has taken, each saying whether it is a listed point."""
    for line, paragraph, listed in _paragraphs(lines, taken, item_starts):
        for sentence in _SENTENCES.split(" ".join(" ".join(paragraph).split())):
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
        marker = LIST_MARKER.match(line)
        # After a listed point, a new sentence on a new line is the minute's own text again.
        moves_on = listed and paragraph and paragraph[-1].endswith((".", "!", "?")) and text[:1].isupper()
        if index in taken or index in item_starts or not text or marker or moves_on:
            if paragraph:
                yield start, paragraph, listed
            paragraph = []
            if index in taken or index in item_starts:
                in_discussion = after_bare_marker = False
        if index in taken or not text or PAGE_NOISE.fullmatch(text):
            continue
        if moves_on and not marker:
            listed = False
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
        if index in item_starts or _LABEL_LINE.fullmatch(text):  # a title or a page's label stands alone
            yield start, paragraph, listed
            paragraph = []
    if paragraph:
        yield start, paragraph, listed
