"""When a resolution read from minutes is due: a calendar date, a meeting, a period from the meeting, or a
recurrence, read the way a clerk reads them.

Periods and yearless dates count from the meeting. When the meeting date is not known they stay rules ("within
six months", "next meeting") with a doubt, never a guessed date. A vague time ("by the summer") is a doubt, not a
date. A recurring report back ("annually", "quarterly", "regular updates") is the rule alone: it has no one due
date, and the clerk is asked for the first one if they want a reminder.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from handlers.deadlines import local_date, long_date, parse_deadline
from handlers.due_meetings import FUTURE_MEETING, NEXT_MEETING
from handlers.errors import DeadlineNotUnderstood

# Minutes of UK councils date things in UK time; the zone only matters to the deadline reader we reuse.
ZONE = "Europe/London"

MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
)
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty-four": 24,
}  # fmt: skip
_COUNT = rf"(?P<count>\d{{1,3}}|{'|'.join(_NUMBER_WORDS)})"
_UNIT = r"(?P<unit>day|week|fortnight|month|year)s?"
PERIODS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        rf"\b(?:within|in|after)\s+(?:the\s+next\s+)?{_COUNT}\s+{_UNIT}(?:'s|')?(?:\s+time)?(?!\w)",
        rf"\bfor\s+(?:a\s+(?:further\s+)?period\s+of\s+)?{_COUNT}\s+{_UNIT}\b",
        # "a six-week period", "six month reviews", "a three month public consultation": the length as an adjective,
        # but not in "the timing of the 6 week consultation", which describes something else.
        rf"(?<!the\s)\b{_COUNT}[\s-]{_UNIT.replace('s?', '')}\s+(?:[a-z]+\s+){{0,2}}?"
        r"(?:period|consultation|review|update|report)s?\b",
    )
)
# "in the third quarter of 2023/24", "Q3 2023/24", "by quarter 3": councils count quarters from April.
QUARTER = re.compile(
    r"\b(?:q(?P<q>[1-4])|quarter\s+(?P<quarter>[1-4])|(?P<ordinal>first|second|third|fourth)\s+quarter)"
    r"(?:\s+(?:of\s+)?(?P<year>(?:20)?\d{2}/(?:20)?\d{2}))?\b",
    re.IGNORECASE,
)
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
MUNICIPAL_YEAR_END = re.compile(r"\bend\s+of\s+(?:the\s+)?(?:current\s+)?municipal\s+year\b", re.IGNORECASE)
DATE = re.compile(
    r"\b(?P<financial>end\s+of\s+(?:the\s+)?(?:current\s+)?financial\s+year)\b"
    rf"|\b(?P<end_of>end\s+of\s+(?:the\s+month\s+of\s+)?{MONTHS}(?:\s+\d{{4}})?)"
    rf"|\b(?P<day_month>\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS}\.?(?:,?\s+\d{{4}})?)"
    r"|\b(?P<numeric>\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2}))\b"
    rf"|\b(?P<month_day>{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})\b"
    rf"|\b(?P<month_year>{MONTHS}(?:\s+\d{{4}}|(?=\s+meeting)))"
    # A season is a date only when introduced ("by the spring") or dated ("spring 2023"), not in "the spring term".
    r"|(?:\b(?:by|in|before|during)\s+(?:the\s+)?(?=(?:spring|summer|autumn|winter)\b)|\b(?=\w+\s+\d{4}\b))"
    r"(?P<season>(?:spring|summer|autumn|winter)(?:\s+\d{4})?)\b",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(
    r"(?:\bby|\bbefore|\buntil|\bthan|\bdeadline(?:\s+of)?|\bon\s+or\s+before|\bcloses?\s+on|\bclosing\s+date\s+of"
    r"|\bto)\s+(?:the\s+)?(?:[a-z]+day,?\s+)?$",
    re.IGNORECASE,
)
_BY = re.compile(r"\b(?:by|before|until|no\s+later\s+than)\s+(?:the\s+end\s+of\s+)?$", re.IGNORECASE)
# A date a change takes effect from, an earlier meeting or document, or the start of a window is not a due date.
_NOT_A_DUE = re.compile(
    r"(?:\bwith\s+effect\s+from|\beffective\s+from|\bfrom|\bproceed\s+from|\bcommenc\w*\s+(?:on\s+)?|\bheld\s+on"
    r"|\bdated|\bmade\s+by\s+[^,.;]{0,80}?\s+on|\bminutes\s+of\s+[^,.;]{0,60}?"
    r"|\bsince|\bon\s+behalf\s+of[^,.;]{0,60})\s+(?:the\s+)?(?:[a-z]+day,?\s+)?$",
    re.IGNORECASE,
)
MEETING_TARGET = re.compile(
    r"\b(?:to|at|for|before|by|until|in)\s+(?:the\s+|a\s+|an\s+|its\s+|their\s+)?(?:[a-z]+'s\s+)?"
    rf"(?P<which>next|future|later|subsequent|forthcoming|early|(?P<month>{MONTHS})(?:\s+\d{{4}})?)"
    r"(?:\s+(?:available|appropriate|scheduled))?\s+(?:meetings?|agenda)\b"
    r"|\b(?P<first>first\s+meeting\s+of\s+the\s+(?:new\s+)?municipal\s+year)\b"
    r"|\b(?P<appropriate>at\s+(?:an|the)\s+appropriate\s+time)\b",
    re.IGNORECASE,
)
# "to Cabinet in December 2022", "the October meeting of Council": a named meeting, whose day is not given.
NAMED_MEETING = re.compile(
    r"\b(?:to|at|before)\s+(?:the\s+)?(?P<body>(?:[Ff]ull\s+)?[Cc]ouncil|[Cc]abinet|[Ee]xecutive|(?:[A-Z][\w&]*\s+){1,4}"
    rf"(?i:committee|board|panel|forum))\s+(?:in|on)\s+(?P<when>(?i:{MONTHS})(?:\s+\d{{4}})?)(?!\s+\d)",
)
# How often a recurring report back is due, most specific first: "regular quarterly updates" is quarterly.
RECURRING = tuple(
    (re.compile(pattern, re.IGNORECASE), rule)
    for pattern, rule in (
        (r"\b(?:six[\s-]monthly|half[\s-]yearly|bi-?annual(?:ly)?|every\s+(?:six|6)\s+months)\b", "every six months"),
        (r"\b(?:annually|every\s+year|each\s+year|yearly|once\s+a\s+year|on\s+an\s+annual\s+basis)\b", "annually"),
        (r"\b(?:quarterly|every\s+(?:three|3)\s+months)\b", "quarterly"),
        (r"\b(?:monthly|every\s+month)\b", "monthly"),
        (r"\bregular(?:ly)?\s+(?:[\w-]+\s+)?(?:updates?|reports?|reviews?)\b|\b(?:updates?|reports?)\b[^.;]{0,40}\bregularly\b"
         r"|\bon\s+a\s+regular\s+basis\b", "regular updates"),
    )
)  # fmt: skip
_SEASON_ENDS = {"spring": 5, "summer": 8, "autumn": 11, "winter": 2}  # winter runs into the new year
_LONG_AGO = datetime(1900, 1, 1, tzinfo=UTC)

NO_MEETING_DATE = "I don't know the meeting's date, so I couldn't work out the date for '{phrase}'."
NO_WINDOW_START = "The minutes don't say when the consultation opens, so I couldn't work out when '{phrase}' ends."
RECURS = "This recurs ('{phrase}'), so I set no date; give the first one if you want a reminder."
VAGUE = "'{phrase}' gives no date; please give one."


@dataclass(frozen=True)
class Due:
    on: date | None = None
    rule: str | None = None
    doubts: tuple[str, ...] = ()


def due_of(text: str, meeting_date: date | None, window: bool = False) -> Due:
    """When `text` is due; periods and yearless dates count from `meeting_date` when it is known, except the
    length of a consultation `window`, which counts from the day it opens."""
    if recurs := next((rule for pattern, rule in RECURRING if pattern.search(text)), None):
        return Due(None, recurs, (RECURS.format(phrase=recurs),))
    if period := _period(text):
        return _period_due(text, period, meeting_date, from_meeting=not window)
    if quarter := QUARTER.search(text):
        return _quarter_due(quarter, meeting_date)
    if MUNICIPAL_YEAR_END.search(text):
        return Due(None, "end of the municipal year", (VAGUE.format(phrase="the end of the municipal year"),))
    written = _written_date(text, meeting_date)
    named = NAMED_MEETING.search(text)
    if named and (written.on is None or not _BY.search(text, 0, named.start("when"))):
        rule = f"{' '.join(named['body'].split())} in {named['when']}"
        return Due(None, rule, (VAGUE.format(phrase=rule),))
    target = MEETING_TARGET.search(text)
    if target is not None:
        rule = _meeting_rule(target)
        vague = (VAGUE.format(phrase=rule),) if target["first"] else ()
        return Due(written.on, rule, (*written.doubts, *vague))
    if written == Due() and (week := _WEEK_AFTER.search(text)):
        rule = " ".join(week.group(0).lower().split())
        return Due(None, rule, (VAGUE.format(phrase=rule),))
    if written == Due() and (back := _BACK_IN_MONTH.search(text)):
        rule = back["when"].title()
        return Due(None, rule, (VAGUE.format(phrase=f"in {rule}"),))
    return written


# "at their meeting, the following week": no day is given.
_WEEK_AFTER = re.compile(r"\b(?:the\s+following|next)\s+week\b", re.IGNORECASE)
# "until it comes back in September": a month, with neither day nor year.
_BACK_IN_MONTH = re.compile(
    rf"\b(?:back|return\w*|again|reconsider\w*|revisit\w*)\b[^.;]{{0,30}}?\bin\s+(?P<when>{MONTHS})(?!\s+\d)",
    re.IGNORECASE,
)


def _meeting_rule(target: re.Match[str]) -> str:
    if target["first"]:
        return " ".join(target["first"].lower().split())
    if target["appropriate"]:
        return FUTURE_MEETING
    which = target["which"].lower()
    return NEXT_MEETING if which == "next" else f"{target['which']} meeting" if target["month"] else FUTURE_MEETING


def _period(text: str) -> re.Match[str] | None:
    found = [match for pattern in PERIODS if (match := pattern.search(text))]
    return min(found, key=lambda match: match.start(), default=None)


def _period_due(text: str, period: re.Match[str], meeting_date: date | None, from_meeting: bool) -> Due:
    """The end of a period: stated ("for 6 weeks ... to the 17th December 2018"), or counted from the day it
    starts, which is the meeting unless it is a consultation's window."""
    phrase = _period_words(period)
    written = _written_date(text, meeting_date)
    if written.on is not None and any(_led_in(text, m.start()) for m in DATE.finditer(text)):
        return Due(written.on, phrase, written.doubts)
    start = _window_start(text, meeting_date)
    if start is None and not from_meeting:
        return Due(None, phrase, (NO_WINDOW_START.format(phrase=phrase),))
    if start is None and meeting_date is None:
        return Due(None, phrase, (NO_MEETING_DATE.format(phrase=phrase),))
    return Due((start or meeting_date) + _period_length(period), phrase)


_WINDOW_START = re.compile(r"\b(?:from|starting(?:\s+on)?|commencing(?:\s+on)?|beginning(?:\s+on)?)\s+(?:the\s+)?$")


def _window_start(text: str, meeting_date: date | None) -> date | None:
    """The day a period runs from, where the resolution gives it: "from 20 March 2017, for a period of 6 weeks"."""
    for match in DATE.finditer(text):
        has_day = match["day_month"] or match["numeric"] or match["month_day"]
        if has_day and _WINDOW_START.search(text, max(0, match.start() - 30), match.start()):
            return _date_of(match, meeting_date)[0]
    return None


def _period_words(period: re.Match[str]) -> str:
    """ "within six months" as written; "for a period of 6 weeks" and "a six-week period" as "6 weeks", "six weeks"."""
    if period.re is PERIODS[0]:
        return " ".join(period.group(0).lower().split())
    return f"{period['count'].lower()} {period['unit'].lower()}s"


def _period_length(period: re.Match[str]) -> relativedelta:
    count = period["count"].lower()
    times = int(count) if count.isdigit() else _NUMBER_WORDS[count]
    unit = period["unit"].lower()
    return relativedelta(weeks=2 * times) if unit == "fortnight" else relativedelta(**{f"{unit}s": times})


def _quarter_due(quarter: re.Match[str], meeting_date: date | None) -> Due:
    number = int(quarter["q"] or quarter["quarter"] or _ORDINALS[quarter["ordinal"].lower()])
    phrase = " ".join(quarter.group(0).split())
    if quarter["year"]:
        first_year = int(quarter["year"].split("/")[0][-2:]) + 2000
    elif meeting_date is not None:
        first_year = meeting_date.year if meeting_date.month >= 4 else meeting_date.year - 1
    else:
        return Due(None, phrase, (NO_MEETING_DATE.format(phrase=phrase),))
    # Quarter 1 is April to June; quarter 4 ends on 31 March of the financial year's second calendar year.
    end = date(first_year, 4, 1) + relativedelta(months=3 * number, days=-1)
    if quarter["year"] is None and end < meeting_date:
        end += relativedelta(years=1, day=31)
    return Due(end, phrase)


def _written_date(text: str, meeting_date: date | None) -> Due:
    """The date a resolution is due by; one introduced by "by", "before" or "no later than" wins over others."""
    found = [m for m in DATE.finditer(text) if not _NOT_A_DUE.search(text, max(0, m.start() - 80), m.start())]
    if not found:
        return Due()
    led_in = [m for m in found if m["end_of"] or m["financial"] or _led_in(text, m.start())]
    candidates = led_in or found
    chosen = candidates[-1] if _is_range_end(text, candidates) or not led_in else candidates[0]
    if chosen["month_year"] and not text[chosen.end() :].lstrip().lower().startswith("meeting"):
        return _month_due(text, chosen, meeting_date)
    if chosen["season"] and " " not in chosen["season"].strip():
        season = chosen["season"].strip().lower()
        return Due(None, season, (VAGUE.format(phrase=f"by the {season}"),))
    on, doubts = _date_of(chosen, meeting_date)
    if len({m.group(0).lower() for m in candidates}) > 1 and on is not None:
        doubts = (*doubts, f"I found more than one date; I took {long_date(on)}.")
    return Due(on, None, doubts)


def _month_due(text: str, month: re.Match[str], meeting_date: date | None) -> Due:
    """ "by February 2023" is the end of February; "in December 2022" gives no day, so it stays a rule."""
    phrase = " ".join(month.group(0).split())
    if _BY.search(text, max(0, month.start() - 30), month.start()):
        on, doubts = meeting_relative_date(f"end of {phrase}", meeting_date)
        return Due(on, None, doubts)
    return Due(None, phrase, (VAGUE.format(phrase=f"in {phrase}"),))


def _is_range_end(text: str, candidates: list[re.Match[str]]) -> bool:
    """ "from the 5th November to the 17th December 2018": the window closes on the second date."""
    last = candidates[-1]
    return len(candidates) > 1 and re.search(r"\b(?:to|until|and)\s+(?:the\s+)?$", text[: last.start()]) is not None


def _led_in(text: str, position: int) -> bool:
    return _LEAD_IN.search(text, max(0, position - 40), position) is not None


def _date_of(match: re.Match[str], meeting_date: date | None) -> tuple[date | None, tuple[str, ...]]:
    phrase = " ".join(match.group(0).split())
    if match["financial"]:
        if meeting_date is None:
            return None, (NO_MEETING_DATE.format(phrase=phrase),)
        year_end = meeting_date + relativedelta(month=3, day=31)
        return (year_end if year_end >= meeting_date else year_end + relativedelta(years=1)), ()
    if match["season"]:
        return _season_date(match["season"])
    if match["month_year"]:
        on, doubts = meeting_relative_date(f"end of {phrase}", meeting_date)
        return on, doubts or (f"The date '{phrase}' has no day; I took {long_date(on)}.",)
    return meeting_relative_date(phrase, meeting_date)


def _season_date(season: str) -> tuple[date | None, tuple[str, ...]]:
    name, _, year = season.lower().partition(" ")
    month = _SEASON_ENDS[name]
    on = date(int(year) + (month == 2), month, 1) + relativedelta(day=31)
    return on, (f"The date '{season}' is vague; I took {long_date(on)}.",)


def meeting_relative_date(phrase: str, meeting_date: date | None) -> tuple[date | None, tuple[str, ...]]:
    """`phrase` read as on or after the meeting, as the deadline reader does for a window opened that day."""
    if meeting_date is not None:
        meeting_start = datetime.combine(meeting_date, time.min, tzinfo=ZoneInfo(ZONE))
        try:
            return local_date(parse_deadline(phrase, meeting_start, ZONE).instant, ZONE), ()
        except DeadlineNotUnderstood:
            pass
    elif not re.search(r"\d{4}\b|\d{1,2}[/.-]\d{1,2}[/.-]\d{2}\b", phrase):
        return None, (NO_MEETING_DATE.format(phrase=phrase),)
    try:
        earlier = local_date(parse_deadline(phrase, _LONG_AGO, ZONE).instant, ZONE)
    except DeadlineNotUnderstood:
        return None, (f"I couldn't read '{phrase}' as a date.",)
    if meeting_date is None:
        return earlier, ()
    return earlier, (f"The date '{phrase}' is before the meeting on {long_date(meeting_date)}; please check it.",)


# What minutes give as when something is due without a day: a recurrence, a named meeting or month, a season.
_STANDING = re.compile(
    rf"^(?:{'|'.join(rule for _, rule in RECURRING)}|end of the municipal year"
    r"|first meeting of the (?:new )?municipal year|(?:the following|next) week|(?:spring|summer|autumn|winter)"
    rf"|(?:[\w&' ]{{1,40}} in )?{MONTHS}(?:\s+\d{{4}})?)$",
    re.IGNORECASE,
)
_RULE_LENGTH = 60  # what the register keeps of a rule


def standing_rule(text: str) -> str | None:
    """`text` as a due rule with no date, where it is one the minutes reader gives ("quarterly", "autumn")."""
    phrase = " ".join(text.split())
    return phrase[:_RULE_LENGTH] if _STANDING.match(phrase) else None
