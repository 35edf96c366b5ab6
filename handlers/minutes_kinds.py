"""What kind of resolution a decision is (noted, action, comment deadline, report back) and who owns it.

Each reading is a pattern over one resolution's words, weighed in the order a clerk weighs them: a request for
views, a report to come back, something someone must do, then a decision simply recorded.
"""

import re
from collections.abc import Callable

from handlers.minutes_dues import DATE, MEETING_TARGET
from storage.models import ResolutionKind

# A person or post as minutes name them: "Cllr P Morgan", "the Chair and Vice Chair", "Clair and Ian K",
# "KJO & GB", "Karen Ogden/GB", "members of the SC", "the Head of Democratic Services".
_ONE_PERSON = (
    r"(?:(?:Cllr|Councillor|Mr|Mrs|Ms|Miss|Dr)\.?\s+(?:[A-Z][\w'-]*\.?\s+){0,2}[A-Z][\w'-]+"
    r"|(?:[Tt]he\s+)?(?:Chair(?:man|woman|person)?|Vice[\s-]Chair(?:man)?|Mayor|Leader|(?:Deputy\s+)?Clerk)\b"
    r"|[Tt]he\s+(?:[A-Z][\w&,'-]*\s+){0,6}?(?:Officer|Director|Manager|Head\s+of\s+[A-Z][\w&'-]*(?:\s+[A-Z&][\w&'-]*){0,4}"
    r"|Lead|Member|Holder|Executive)"
    r"|(?!(?:There|This|That|These|Those|It|They|We|He|She|The|A|An|Any|All|No|Some|Such|Members|Officers"
    r"|Councillors|Item|Policy|Document|Overall|Once|When|If|After|Following|Minutes|Papers|Agenda|Ask|Create"
    r"|Contact|Support|Council|Cabinet|Committee|Board|Panel|Executive|Government)\b)[A-Z][a-z]+(?:\s+[A-Z][a-z]*\.?){0,2}"
    r"|[A-Z]{2,4}\b"
    r"|(?:all\s+)?members\s+of\s+(?:the\s+)?[A-Z][\w&]*)"
)
PERSON = rf"(?:{_ONE_PERSON}(?:\s*(?:and|&|/)\s*{_ONE_PERSON})?)"
# "(Gail Booth to source)", "Collation of the details – KJO & GB by 14/03/17": who a task list names.
_TASK_TAG = re.compile(rf"\((?P<owner>{PERSON})\s+to\s+[a-z]+|[\u2013\u2014-]\s+(?P<by>{PERSON})\s+by\s+\d")


# --- What kind of resolution ---------------------------------------------------------------------

_RECOMMENDATION = re.compile(
    r"\brecommend(?:ed|s|ation\s+be\s+made)?\s+(?:[^.;:]{0,80}?\s)??to\s+(?:the\s+)?"
    r"(?P<body>cabinet|full\s+council|council|executive)\b"
    r"|\b(?P<subject>cabinet|full\s+council|council|executive)\s+be\s+recommended\b",
    re.IGNORECASE,
)
# A public consultation whose window the resolution sets: "for a period of six weeks", "a six-week period",
# "from 20 March 2017", "will run ... to the 17th December 2018", "until 15 January 2018".
CONSULTATION_WINDOW = re.compile(
    r"\bconsultation\b[^.;]{0,200}?(?:\b(?:period\s+of|for)\s+(?:\d{1,2}|[a-z]+)\s+(?:weeks?|months?)\b"
    r"|\b[a-z]+[\s-](?:weeks?|months?)\s+period"
    r"|\b(?:until|to|closing|closes|ending|ends|from|between)\s+(?:on\s+)?(?:the\s+)?(?:period\s+of\s+)?"
    r"\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+)"
    # "a three month public consultation", but not "the timing of the 6 week consultation process"
    r"|(?<!the\s)\b(?:\d{1,2}|[a-z]+)[\s-](?:weeks?|months?)\s+(?:period\s+(?:of\s+)?)?(?:[a-z]+\s+){0,3}?consultation\b",
    re.IGNORECASE,
)
_COMMENT_NOUN = re.compile(r"\b(?:views|comments|feedback|observations)\b", re.IGNORECASE)
_COMMENT_REQUEST = re.compile(
    r"\b(?:submit|send|provide|forward|e-?mail|return)s?\b[^.;]{0,60}?\b(?:views|comments|feedback|observations)\b"
    r"|\b(?:invited|asked|requested)\s+to\s+comment\b"
    # "any further comments from Members be forwarded to X", "all by 14/03/17 comments to Lucy Hughes"
    r"|\b(?:any\s+(?:further\s+)?|members'?\s+)(?:comments|views|feedback|observations)\b[^.;]{0,60}?\bbe\s+"
    r"(?:forwarded|sent|submitted|provided|e-?mailed)\b|\b(?:comments|views|feedback)\s+from\s+(?:members|councillors)\b"
    r"|(?<!will\s)(?<!would\s)(?<!to\s)\b(?:comments|views|feedback)\s+to\s+(?-i:[A-Z])",
    re.IGNORECASE,
)
# "Comments be submitted to X by <date>" asks for views; "the Committee's comments be forwarded to X" with no
# deadline passes the committee's own views on, which is an action.
_COMMENTS_SENT = re.compile(
    r"\b(?:views|comments|feedback|observations)\b[^.;]{0,80}?\bbe\s+(?:submitted|sent|provided|forwarded|e-?mailed)",
    re.IGNORECASE,
)
_REPORT_BACK = re.compile(
    r"\breport(?:s|ed|ing)?\s+(?:back|its|their)\b"
    r"|\b(?:brought|bought|brough|bring|brings|come|comes|coming|taken|take|returns?|returned)\s+back\b(?!\s+from)"
    r"|\b(?:reports?|updates?|reviews?|briefings?|responses?)\s+(?:be\s+|being\s+)?(?:provided|brought|submitted"
    r"|presented|given|made)\s+to\s+(?:(?:this|the|a)\s+(?:[\w&-]+\s+){0,5}?(?:committee|commission|board|panel|meeting)"
    r"|(?:the\s+)?(?:cabinet|executive|council)\b)"
    # "an update on West Park be provided", "that the items ... be deferred", "continue any decision until a later
    # date", "return to the Licensing Committee", "will be presented ... to the Executive"
    r"|\b(?:an?\s+)?(?:update|report|briefing)\s+on\b[^.;]{0,80}?\bbe\s+(?:provided|brought|submitted|presented|given)\b"
    r"|\bbe\s+deferred\b|\bdeferred\s+(?:to|until)\b|\b(?:continue|defer|postpone|adjourn)\w*\b[^.;]{0,40}?"
    r"\b(?:until|to)\s+(?:a\s+)?(?:later|future|subsequent)\s+(?:date|meeting)"
    r"|\breturns?\s+to\s+(?:the\s+)?(?:[\w&-]+\s+){0,4}?(?:committee|cabinet|board|panel|council|executive|forum)\b"
    r"|\b(?:will|would|to)\s+be\s+(?:presented|brought|submitted|reported)\b[^.;]{0,80}?\bto\s+(?:the\s+)?"
    r"(?:[\w&-]+\s+){0,4}?(?:executive|cabinet|committee|board|panel|forum|commission)\b"
    r"|\b(?:report|update)\s+being\s+brought\s+to\b|\bbe\s+re-?considered\s+(?:at|by)\b"
    r"|\b(?:prepare|bring|submit|present)s?\s+(?:a|an)\s+(?:[\w-]+\s+){0,2}?(?:report|response|proposals?|update|paper)\b"
    r"[^.;]{0,60}?\bfor\s+(?:[\w']+\s+)?consideration\b"
    r"|\b(?:further|regular|periodic|progress)\s+(?:[\w-]+\s+)?(?:reports?|updates?|briefings?|reviews?)\b"
    r"(?!\s+(?:be|was|were|is)\s+(?:noted|received|welcomed|considered))"
    r"|\bupdate\s+(?:the|this)\s+(?:committee|commission|board|panel)\b"
    r"|\bupdates?\s+(?:to\s+(?:the\s+)?(?:cabinet|committee|council|board|panel|commission|executive|forum|meeting)"
    r"|by\s+(?:the\s+end\s+of\s+)?[A-Z][a-z]+\s+\d{4})\b"
    r"|\b(?:requests?|requested|receives?|received|asks?\s+for|seeks?|provides?|submits?|presents?|brings?)"
    r"\s+(?:a|an)\s+(?:[\w-]+\s+){0,2}?(?:report|update|briefing|presentation)\b"
    r"|(?<!the\s)(?<!this\s)(?<!a\s)\breport\s+to\s+(?:the\s+|this\s+)?(?:committee|commission|board|panel|cabinet"
    r"|executive)\b",
    re.IGNORECASE,
)
# The council sending its own consultation response is an action, not a window for views.
_OWN_RESPONSE = re.compile(r"\b(?:submission|response)\s+(?:to|on)\b[^.;]{0,80}\bconsultation\b", re.IGNORECASE)
_REQUEST_VERBS = (
    r"(?:requests?|requested|asks?|asked|instructs?|instructed|authori[sz]es?|authori[sz]ed|invites?|invited"
    r"|urges?|urged|directs?|directed|calls\s+(?:up)?on|called\s+(?:up)?on|allows?|allowed)"
)
_BE_REQUESTED = re.compile(
    r"\bbe\s+(?:requested|asked|invited|instructed|authori[sz]ed|directed|tasked|urged|encouraged"
    r"|given\s+(?:delegated\s+)?(?:authority|powers?))\s+to\b",
    re.IGNORECASE,
)
# "requested that officers speak with the Press": the owner is the subject of the verb that follows.
_REQUESTED_THAT = re.compile(
    rf"\b{_REQUEST_VERBS}\s+that\s+(?P<owner>(?:the\s+)?(?:officers|members|councillors|staff|[A-Z][\w&'/-]*)"
    r"(?:,?\s+(?:of|and|for|&|[A-Z][\w&'/-]*))*?)\s+(?:be\s+)?(?!of\b|and\b|for\b)[a-z]+"
)
_REQUEST_OF = re.compile(
    rf"\b{_REQUEST_VERBS}\s+(?!that\b|to\b|a\b|an\b)(?P<owner>[^;:.]{{2,120}}?)"
    r"\s+to\s+(?!be\b|the\b|a\b|an\b|its\b|their\b)[a-z]+",
    re.IGNORECASE,
)
_DELEGATION = re.compile(
    r"\b(?:delegat(?:ed|es?)\s+(?:authority|powers?)\s+(?:(?:be|is|are|was)\s+(?:given|granted)\s+)?"
    r"|(?:authority|powers?)\s+(?:is|are|be)\s+delegated\s+|^(?:to\s+)?delegate\s+)"
    r"to\s+(?P<owner>(?:the\s+)?(?-i:[A-Z])[^;.]{1,120}?)"
    r"(?=\s+(?:to|any|all|such|for)\b|,?\s+in\s+(?:consultation|liaison)\b|,\s+(?![A-Z])|[;.]|$)",
    re.IGNORECASE,
)
_ACTION = re.compile(
    r"\b(?:write\s+to|arrange|circulate|liaise|lobby|convene|investigate|explore)s?\b"
    r"|\bagree(?:s|d)?\s+to\s+(?!the\b|a\b|an\b|its\b|their\b|this\b|these\b)[a-z]+"
    r"|\bbe\s+(?:\w+\s+and\s+)?(?:circulated|arranged|sent|written|established|set\s+up|convened|investigated"
    r"|explored|undertaken|prepared|published|shared|implemented|reviewed|added|amended|updated|submitted"
    r"|forwarded|passed|referred|attached|produced|drafted|instructed|commissioned|held|organi[sz]ed|informed"
    r"|notified|contacted|carried\s+out|put\s+in\s+place|made\s+(?:to|with|available)|included|sought)\b"
    r"|\b(?:inform|notify|attend|obtain|coordinate|organi[sz]e)s?\b|\bnext\s+steps\b"
    # approval to consult with no window set: the consultation must still be run
    r"|\b(?:approved?|agreed?)\s+for\s+(?:public\s+)?consultation\b|\bfor\s+consultation\s+purposes\b"
    r"|\bgoing\s+out\s+to\s+consultation\b|\bfor\s+submission\s+to\b"
    # a working group set up, a proposal supported so that work follows
    r"|\b(?:establish(?:ment)?|setting\s+up|creation|formation)\s+of\b[^.;]{0,80}?\b(?:group|panel|party|forum)\b"
    r"|\b(?:group|panel|party)\b[^.;]{0,40}\bbe\s+(?:established|set\s+up|formed|created)\b"
    r"|\b(?:support(?:s|ed)?|approv(?:e|es|ed))\s+(?:the|a)\s+proposal\b[^.;]{0,80}?\bto\s+(?:develop|establish"
    r"|create|set\s+up|scope|introduce|deliver|implement)\b",
    re.IGNORECASE,
)
# "To review the charges ...": a decision in the infinitive names its task by its verb.
_TO_DO = re.compile(
    r"^(?:That\s+)?To\s+(?!note|endorse|approve|agree|accept|receive|adopt|welcome|support|confirm|thank|record|the\b"
    r"|a\b|an\b)[a-z]+\b"
)
# "That funding is taken from the Incursion Defence budget": a funding decision records where money comes from.
_FUNDING = re.compile(
    r"\b(?:funding|costs?|expenditure)\b[^.;]{0,40}\b(?:is|be|are)\s+(?:taken|met|funded|allocated|drawn|financed)\s+from\b",
    re.IGNORECASE,
)
# A decision that only notes or approves, but sets a date something is owed by ("approved for submission ... by
# 31 July 2008"), asks someone to do something by then.
_OWED_BY = re.compile(
    r"\bby\s+(?:the\s+end\s+of\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+|\d{1,2}/\d{1,2}/\d{2,4}|[A-Z][a-z]+\s+\d{4})"
)
# Approving, agreeing or endorsing with nothing further to do records a decision but asks no one to act, so a
# clerk files it with the noted items; anything that also asks someone to act is caught as an action first.
_NOTING = re.compile(
    r"\b(?:not(?:e|es|ed|ing)|receiv(?:e|es|ed)|welcom(?:e|es|ed)|recogni[sz](?:e|es|ed)|acknowledg(?:e|es|ed)"
    r"|thank(?:s|ed)?|endors(?:e|es|ed)|approv(?:e|es|ed|al)|agree(?:s|d)?|support(?:s|ed)?|commend(?:s|ed)?"
    r"|congratulat(?:e|es|ed)|accept(?:s|ed)?|confirm(?:s|ed)?|adopt(?:s|ed)?|appoint(?:s|ed)?|record(?:s|ed)?"
    r"|ratif(?:y|ies|ied)|(?:re-?)?elect(?:s|ed)?|(?:was|were)\s+suggested)\b",
    re.IGNORECASE,
)


def kind_of(text: str, recommended_to: str | None) -> ResolutionKind | None:
    """The first that fits, in the order a clerk weighs them: a request for views, a report to come back,
    something someone must do, then a decision simply recorded."""
    if recommended_to or _RECOMMENDATION.search(text):
        return ResolutionKind.ACTION
    if _COMMENT_REQUEST.search(text) or (_COMMENTS_SENT.search(text) and DATE.search(text)):
        return ResolutionKind.COMMENT_DEADLINE
    if CONSULTATION_WINDOW.search(text) and not _OWN_RESPONSE.search(text):
        return ResolutionKind.COMMENT_DEADLINE
    if _REPORT_BACK.search(text) or MEETING_TARGET.search(text):
        return ResolutionKind.REPORT_BACK
    if any(
        p.search(text) for p in (_BE_REQUESTED, _REQUESTED_THAT, _REQUEST_OF, _DELEGATION, _ACTION, _TO_DO, _TASK_TAG)
    ):
        return ResolutionKind.ACTION
    if _NOTING.search(text) or _FUNDING.search(text):
        return ResolutionKind.ACTION if _OWED_BY.search(text) else ResolutionKind.NOTED
    return None


# --- Who -----------------------------------------------------------------------------------------


# "That, further to the last meeting, the Clerk be asked": an aside between commas after "that" is skipped, but
# other commas are not clause breaks, since posts are named like "Director of, and Lead Member for, Children".
_CLAUSE_START = re.compile(
    r"\bthat\s*,[^,;]{0,120},\s*|\bthat\s+|[;:]\s*|\b\w+ed\s+and\s+|\bagreed\s+(?!to\b|that\b)"
    # "... be approved for consultation purposes and the Chief Executive be authorised to ..."
    r"|\band\s+(?=the\s+(?-i:[A-Z]))",
    re.IGNORECASE,
)
_NOT_A_NAME = re.compile(
    r"\b(?:be|is|are|was|were|has|have|will|would|it|they|them|him|her|us|this|which|who|notes?|noted|agree[sd]?"
    r"|requests?|asks?"
    r"|requested|asked|approved|endorsed|proposed|resolved"
    r"|approves?|welcomes?|endorses?|receives?|recogni[sz]es?)\b",
    re.IGNORECASE,
)
_NOT_A_NAME_START = re.compile(r"(?:a|an|any|further|report|update|to|next|end|no|not|within)\b", re.IGNORECASE)
_NOT_A_NAME_END = re.compile(r"\b(?:to|of|for|with|and|or|by|on|in|at|the|a|an)$", re.IGNORECASE)
_CONSULTATION = re.compile(r",?\s+(?:in\s+consultation|following\s+consultation|after\s+consulting)\b", re.IGNORECASE)
_ACTING_VERB = re.compile(
    r"\b(?:to\s+|will\s+|would\s+)?(?:(?:write|arrange|circulate|liaise|contact|lobby|convene|investigate|explore"
    r"|present|provide|submit|send|bring|prepare|undertake|publish|share|seek|establish|produce|organi[sz]e|attend"
    r"|obtain|finalise|coordinate|deliver|inform|speak)s?"
    r"|reports?\s+(?:back|its|their|to)|agree(?:s|d)?\s+to)\b",
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


# "Councillor Aidy Riggott, Chair of the Overview and Scrutiny Committee": the person, not their post as well.
_APPOSITION = re.compile(r"^((?:Cllr|Councillor|Mr|Mrs|Ms|Dr)\.?(?:\s[A-Z][\w'.-]*){1,3}),\s.*$")


def _owner_phrase(raw: str) -> str | None:
    """`raw` as a body or post, or None where it does not read as one."""
    phrase = _CONSULTATION.split(" ".join(raw.split()), maxsplit=1)[0].strip(" ,;:")
    phrase = re.sub(r"^the\s+", "", phrase, flags=re.IGNORECASE)
    phrase = _APPOSITION.sub(r"\1", phrase)
    if not phrase or len(phrase) > 120 or _NOT_A_NAME.search(phrase) or _NOT_A_NAME_START.match(phrase):
        return None
    if _NOT_A_NAME_END.search(phrase):
        return None
    return phrase


def _subject_before(text: str, position: int) -> str | None:
    """The subject of the clause that reaches `position`: "officers" in "noted and that officers be asked"."""
    window_start = max(0, position - 160)
    starts = [m.end() for m in _CLAUSE_START.finditer(text, window_start, position)]
    if not starts and window_start:
        return None
    return _owner_phrase(text[starts[-1] if starts else 0 : position])


def requested_subject(text: str) -> str | None:
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
        return None if found is None or DATE.match(found) or found[:1].isdigit() else found

    return owner


def _tagged(text: str) -> str | None:
    tag = _TASK_TAG.search(text)
    return (tag["owner"] or tag["by"]) if tag else None


ACTOR_FINDERS = (
    _tagged,
    requested_subject,
    _captured(_DELEGATION),
    _captured(_REQUESTED_THAT),
    _captured(_REQUEST_OF),
    _captured(_REFERRED_TO),
    _acting_subject,
)
_OWNER_FINDERS = {
    ResolutionKind.ACTION: ACTOR_FINDERS,
    ResolutionKind.REPORT_BACK: (_captured(_REPORT_AUTHOR), *ACTOR_FINDERS, _not_a_date(_captured(_BACK_BY))),
}


def first_found(finders: tuple[Callable[[str], str | None], ...], text: str) -> str | None:
    return next(filter(None, (find(text) for find in finders)), None)


def recommended_body(text: str, recommended_to: str | None) -> str | None:
    """The body a recommendation goes to: "Cabinet" in "RECOMMENDED to Cabinet that" or "recommend ... to Council"."""
    if recommended_to:
        return recommended_to
    if recommendation := _RECOMMENDATION.search(text):
        return " ".join((recommendation["body"] or recommendation["subject"]).split()).title()
    return None


def owner_of(text: str, kind: ResolutionKind, recommended_to: str | None) -> str | None:
    """Who must act; for a recommendation, the body that must decide, unless it names who is to act."""
    if body := recommended_body(text, recommended_to):
        return first_found((requested_subject, _captured(_DELEGATION)), text) or body
    if kind == ResolutionKind.COMMENT_DEADLINE:
        return _views_receiver(text)
    return first_found(_OWNER_FINDERS.get(kind, ()), text)


def _views_receiver(text: str) -> str | None:
    """Whom views go to: "submit their views on the report to the Director ... by ..."."""
    noun = _COMMENT_NOUN.search(text)
    found = _ADDRESSEE.search(text, noun.end()) if noun else None
    return _owner_phrase(found["owner"]) if found else None
