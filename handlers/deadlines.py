"""Comment-window deadlines typed the way UK council clerks write them.

Dates are read day-first. A date without a time means the end of that day in the committee's zone.
Anything unclear is refused with a sentence that says what was understood, because a deadline read
wrongly closes a window on the wrong day.
"""

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser
from dateutil.relativedelta import MO, relativedelta

from handlers.errors import DeadlineNotUnderstood

END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class Deadline:
    instant: datetime  # aware, UTC
    zone: str  # IANA zone name, e.g. "Europe/London"
    end_of_day_assumed: bool  # the text gave a date but no time

    @property
    def local(self) -> datetime:
        return self.instant.astimezone(ZoneInfo(self.zone))

    def describe(self) -> str:
        return describe_instant(self.instant, self.zone)


def describe_instant(instant: datetime, zone: str) -> str:
    """E.g. "Tuesday 20 September 2022 at 23:59 (Europe/London)"."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%A} {describe_date(instant, zone)} at {local:%H:%M} ({zone})"


def describe_date(instant: datetime, zone: str) -> str:
    """E.g. "20 September 2022", the day `instant` falls on in `zone`."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local.day} {local:%B %Y}"


def parse_deadline(text: str, now: datetime, zone: str) -> Deadline:
    """Read `text` as one future deadline in `zone`, relative to `now`; raise DeadlineNotUnderstood otherwise."""
    now_local = now.astimezone(_zone_info(zone))
    try:
        deadline = _only_reading(text, now_local)
    except _Unreadable:
        raise DeadlineNotUnderstood(_unreadable_message(text, now_local)) from None
    if deadline.instant <= now:
        raise DeadlineNotUnderstood(
            f"That deadline, {deadline.describe()}, has already passed. Please give a date in the future."
        )
    return deadline


class _Unreadable(Exception):
    """Raised deep in the reading; parse_deadline turns it into the message that quotes the clerk's text."""


def _zone_info(zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise DeadlineNotUnderstood(
            f"\"{zone}\" isn't a time zone I know, so I can't place the deadline. "
            'The committee\'s zone should be a name like "Europe/London".'
        ) from None


def _unreadable_message(text: str, now_local: datetime) -> str:
    # The example must itself be accepted, so it is the next 20 September rather than this year's.
    year = now_local.year + (now_local.date() > date(now_local.year, 9, 20))
    return (
        f'I couldn\'t read "{text.strip()}" as a date. '
        f'Try something like "20 September {year}", "20/09/{year}" or "next Friday 5pm".'
    )


# --- Normalising what clerks type ---------------------------------------------------------------


class _ClerksParserInfo(parser.parserinfo):
    """dateutil's English names plus the short weekdays clerks write in minutes."""

    WEEKDAYS = (
        ("Mon", "Monday"),
        ("Tue", "Tues", "Tuesday"),
        ("Wed", "Weds", "Wednesday"),
        ("Thu", "Thur", "Thurs", "Thursday"),
        ("Fri", "Friday"),
        ("Sat", "Saturday"),
        ("Sun", "Sunday"),
    )


_WEEKDAY_NAMES = "|".join(name.lower() for names in _ClerksParserInfo.WEEKDAYS for name in names)
_LEAD_IN = re.compile(
    r"(?:by|before|until|till?|up to(?: and including)?|(?:no|not) later than|on or before|on"
    r"|close of (?:play|business)|deadline(?: is)?|closing date(?: is)?|due)\b[\s:,-]*"
)
_FILLER = re.compile(r"\b(?:the|inclusive)\b")
# "Next Friday" and "this Friday" both mean the first Friday after today, as does a bare "Friday".
_WEEKDAY_QUALIFIER = re.compile(rf"\b(?:next|this|coming)\s+(?=(?:{_WEEKDAY_NAMES})\b)")
_NOON = re.compile(r"\b(?:12\s*)?(?:noon|midday)\b")
_MIDNIGHT = re.compile(r"\b(?:12\s*)?midnight\b")
# dateutil drops the minutes of "5.30pm" and reads "17.30" as a day, so UK dotted times become colon times;
# the lookarounds leave dotted dates such as 20.09.2022 alone.
_DOTTED_TIME = re.compile(r"(?<![\d.])([01]?\d|2[0-3])\.([0-5]\d)(?![\d.])")


def _normalise(text: str) -> str:
    words = text.lower().replace("\u2019", "'").strip().rstrip(".!;,")
    words = _DOTTED_TIME.sub(r"\1:\2", words)
    words = _MIDNIGHT.sub(END_OF_DAY.isoformat(), _NOON.sub("12:00", words))
    words = " ".join(_WEEKDAY_QUALIFIER.sub("", _FILLER.sub(" ", words)).split())
    while lead_in := _LEAD_IN.match(words):
        words = words[lead_in.end() :]
    return words


# --- More than one date -------------------------------------------------------------------------

# "20 or 27 September" and "20, 27 September"; a comma before a time ("20/09/2022, 5pm") is not a split.
_ALTERNATIVES = re.compile(r"\s+(?:or|and|&)\s+|(?<=\d)(?:st|nd|rd|th)?\s*,\s*(?=\d{1,2}(?:st|nd|rd|th)?\s+[a-z]{3})")


def _only_reading(text: str, now_local: datetime) -> Deadline:
    *earlier, last = _ALTERNATIVES.split(_normalise(text))
    readings = {r.instant: r for r in [*(_read_sharing(a, last, now_local) for a in earlier), _read(last, now_local)]}
    if len(readings) > 1:
        choices = [r.describe() for _, r in sorted(readings.items())]
        raise DeadlineNotUnderstood(
            f'"{text.strip()}" could mean {", ".join(choices[:-1])} or {choices[-1]}. '
            "Which one did you mean? Please give just that date."
        )
    return readings.popitem()[1]


def _read_sharing(alternative: str, last: str, now_local: datetime) -> Deadline:
    """Read an earlier alternative, borrowing the month and year of the last one as in "20 or 27 September"."""
    try:
        return _read(alternative, now_local)
    except (_Unreadable, DeadlineNotUnderstood):
        _, _, shared = last.partition(" ")
        return _read(f"{alternative} {shared}", now_local)


# --- Reading one date ---------------------------------------------------------------------------

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_UNITS = {
    "day": relativedelta(days=1),
    "week": relativedelta(weeks=1),
    "fortnight": relativedelta(weeks=2),
    "month": relativedelta(months=1),
}


def _in_so_many(match: re.Match[str], today: date) -> date:
    amount = match["count"]
    times = int(amount) if amount.isdigit() else _NUMBER_WORDS[amount]
    return today + _UNITS[match["unit"]] * times


def _week_start(today: date) -> date:
    return today + relativedelta(weekday=MO(-1))


# A week runs Monday to Sunday and its working end is Friday: "end of the week" on a Saturday has passed,
# and "end of next week" is the Friday of the following Monday-to-Sunday week.
_RELATIVE_DAYS: list[tuple[re.Pattern[str], Callable[[re.Match[str], date], date]]] = [
    (re.compile(r"\b(?:today|tonight)\b"), lambda _, today: today),
    (re.compile(r"\btomorrow\b"), lambda _, today: today + timedelta(days=1)),
    (
        re.compile(rf"\bin (?P<count>\d+|{'|'.join(_NUMBER_WORDS)}) (?P<unit>{'|'.join(_UNITS)})s?'?s?(?: time)?\b"),
        _in_so_many,
    ),
    (re.compile(r"\bend of (?:this )?week\b"), lambda _, today: _week_start(today) + timedelta(days=4)),
    (re.compile(r"\bend of next week\b"), lambda _, today: _week_start(today) + timedelta(weeks=1, days=4)),
    (re.compile(r"\bend of (?:this )?month\b"), lambda _, today: today + relativedelta(day=31)),
    (re.compile(r"\bend of next month\b"), lambda _, today: today + relativedelta(months=1, day=31)),
]
_END_OF = "end of "


def _read(words: str, now_local: datetime) -> Deadline:
    """The deadline `words` give, not yet checked against the present."""
    for pattern, day_from in _RELATIVE_DAYS:
        if match := pattern.search(words):
            rest = _fields(words[: match.start()] + words[match.end() :])
            if rest.dated:
                raise _Unreadable
            return _deadline(day_from(match, now_local.date()), rest.clock, now_local)
    if words.startswith(_END_OF):
        return _month_end(_fields(words.removeprefix(_END_OF)), now_local)
    return _dated(_fields(words), now_local)


@dataclass(frozen=True)
class _Fields:
    """What the text itself gave; None where dateutil would have filled in a default."""

    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    clock: time | None = None

    @property
    def dated(self) -> bool:
        return any(field is not None for field in (self.year, self.month, self.day, self.weekday))


# dateutil fills missing fields from its default, so the text is read against two defaults that differ in
# every field: a field that comes out the same both times was written. Both years are leap years so that
# "29 February" parses, and the days are far enough apart that a weekday shift from either cannot meet.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2004, 6, 15, 13, 47, 59))
_PARSER = parser.parser(_ClerksParserInfo(dayfirst=True))


def _fields(words: str) -> _Fields:
    if not words.strip():
        return _Fields()
    try:
        first, second = (_PARSER.parse(words, default=default) for default in _DEFAULTS)
    except (ValueError, OverflowError):
        raise _Unreadable from None
    if first.tzinfo is not None:
        # "5pm GMT" in summer usually means UK time, so a written zone is refused rather than guessed at.
        raise DeadlineNotUnderstood(
            "Please leave out the time zone or offset: times are read in the committee's own time zone."
        )
    weekdays = {_PARSER.info.weekday(word) for word in re.findall(r"[a-z]+", words)} - {None}
    if len(weekdays) > 1:
        raise _Unreadable

    def written(name: str) -> int | None:
        return getattr(first, name) if getattr(first, name) == getattr(second, name) else None

    return _Fields(
        year=written("year"),
        month=written("month"),
        day=written("day"),
        weekday=next(iter(weekdays), None),
        clock=first.time() if written("hour") is not None else None,  # the first default's minutes are zero
    )


def _dated(fields: _Fields, now_local: datetime) -> Deadline:
    if fields.month is not None and fields.day is not None:
        deadline = _in_year(lambda year: date(year, fields.month, fields.day), fields, now_local)
        _check_weekday(deadline, fields.weekday)
        return deadline
    if fields.month is not None:
        month = _month_words(fields)
        raise DeadlineNotUnderstood(
            f"I read {month} but no day. Which day of {month} did you mean? "
            f'For the last day of the month, say "end of {month}".'
        )
    if fields.day is not None:
        raise DeadlineNotUnderstood(f"I read {fields.day} as the day but found no month. Which month did you mean?")
    if fields.year is not None:
        raise _Unreadable
    if fields.weekday is not None:
        return _deadline(now_local.date() + relativedelta(days=1, weekday=fields.weekday), fields.clock, now_local)
    if fields.clock is not None:
        return _deadline(now_local.date(), fields.clock, now_local)
    raise _Unreadable


def _month_end(fields: _Fields, now_local: datetime) -> Deadline:
    """The last day of the month named after "end of", as in "end of September 2022"."""
    if fields.month is None or fields.day is not None or fields.weekday is not None:
        raise _Unreadable
    return _in_year(lambda year: date(year, fields.month, 1) + relativedelta(day=31), fields, now_local)


def _in_year(on: Callable[[int], date], fields: _Fields, now_local: datetime) -> Deadline:
    """The date in the year written or, with no year, its next occurrence that is not in the past."""
    if fields.year is not None:
        return _deadline(on(fields.year), fields.clock, now_local)
    return next(d for d in _every_year(on, fields.clock, now_local) if d.instant > now_local)


def _every_year(on: Callable[[int], date], clock: time | None, now_local: datetime) -> Iterator[Deadline]:
    for year in count(now_local.year):
        try:
            day = on(year)
        except ValueError:  # 29 February outside a leap year
            continue
        yield _deadline(day, clock, now_local)


def _check_weekday(deadline: Deadline, weekday: int | None) -> None:
    if weekday is not None and deadline.local.weekday() != weekday:
        raise DeadlineNotUnderstood(
            f"{describe_date(deadline.instant, deadline.zone)} is a {deadline.local:%A}, "
            f"not a {calendar.day_name[weekday]}. Did you mean {deadline.describe()}, or a different date?"
        )


def _month_words(fields: _Fields) -> str:
    month = calendar.month_name[fields.month]
    return month if fields.year is None else f"{month} {fields.year}"


def _deadline(day: date, clock: time | None, now_local: datetime) -> Deadline:
    # zoneinfo's fold=0: a wall time repeated when the clocks go back is its first occurrence, and one skipped
    # when they go forward is read with the offset in force before the change.
    local = datetime.combine(day, END_OF_DAY if clock is None else clock, tzinfo=now_local.tzinfo)
    return Deadline(local.astimezone(UTC), now_local.tzinfo.key, end_of_day_assumed=clock is None)


def end_of_day(day: date, zone: str) -> datetime:
    """The last second of `day` in `zone`, in UTC: when something due "by" that day falls due."""
    return datetime.combine(day, END_OF_DAY, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def local_date(instant: datetime, zone: str) -> date:
    return instant.astimezone(ZoneInfo(zone)).date()
