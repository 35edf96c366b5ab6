"""Comment-window deadlines typed the way UK council clerks write them.

Dates are read day-first. A date without a time means the end of that day in the committee's zone.
Anything unclear is refused with a sentence that says what was understood, because a deadline read
wrongly closes a window on the wrong day.
"""

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser
from dateutil.relativedelta import MO, relativedelta

from handlers.errors import DeadlineNotUnderstood

END_OF_DAY = time(23, 59, 59)
# Further ahead than this, a date is a slip of the keyboard ("2207" for "2027"), not committee business.
YEARS_WITHIN_REACH = 20


@dataclass(frozen=True)
class Deadline:
    instant: datetime  # aware, UTC
    zone: str  # IANA zone name, e.g. "Europe/London"
    end_of_day_assumed: bool  # the text gave a date but no time
    notes: tuple[str, ...] = ()  # how something unusual in the text was read, to tell whoever typed it

    @property
    def local(self) -> datetime:
        return self.instant.astimezone(ZoneInfo(self.zone))

    def describe(self) -> str:
        return describe_instant(self.instant, self.zone)

    @property
    def day_words(self) -> str:
        """The day spelled out: "Friday 11 December 2026"."""
        return f"{self.local:%A} {describe_date(self.instant, self.zone)}"

    @property
    def spelled_out(self) -> str:
        """As a clerk could type it to mean this deadline and no other: "Friday 11 December 2026 17:00"."""
        return self.day_words if self.end_of_day_assumed else f"{self.day_words} {self.local:%H:%M}"


class AmbiguousDeadline(DeadlineNotUnderstood):
    """ "next Friday" typed early in a week: this week's Friday, or the one after? The person is asked."""

    def __init__(self, phrase: str, readings: tuple[Deadline, Deadline], field: str = "deadline") -> None:
        this_week, next_week = readings
        super().__init__(
            f'"{phrase}" could mean {this_week.day_words} (this week) or {next_week.day_words} (next week). '
            "Which did you mean?",
            field,
        )
        self.phrase, self.readings = phrase, readings
        self.choices = tuple(reading.spelled_out for reading in readings)

    def spelled_out(self, typed: str, reading: Deadline) -> str:
        """`typed` with its last "next <weekday>" replaced by the date of `reading`, so it reads one way only."""
        found = list(_NEXT_WEEKDAY.finditer(typed.lower()))
        if not found:
            return typed
        last = found[-1]
        return typed[: last.start()] + describe_date(reading.instant, reading.zone) + typed[last.end() :]


def describe_instant(instant: datetime, zone: str) -> str:
    """E.g. "Tuesday 20 September 2022 at 23:59 (Europe/London)"."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{DAY_NAMES[local.weekday()]} {long_date(local)} at {local.hour:02d}:{local.minute:02d} ({zone})"


MONTH_NAMES = (
    None, "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def long_date(day: date) -> str:
    """E.g. "20 September 2022". Not strftime's %B: that took 3 µs a date, ten of them for a page of the register."""
    return f"{day.day} {MONTH_NAMES[day.month]} {day.year}"


def describe_date(instant: datetime, zone: str) -> str:
    """E.g. "20 September 2022", the day `instant` falls on in `zone`."""
    local = instant.astimezone(ZoneInfo(zone))
    return long_date(local)


def parse_deadline(text: str, now: datetime, zone: str, field: str = "deadline") -> Deadline:
    """Read `text` as one future deadline in `zone`, relative to `now`; raise DeadlineNotUnderstood otherwise,
    naming `field`, the form's field the text came from."""
    try:
        return _future_deadline(text, now, zone)
    except AmbiguousDeadline as ambiguous:
        raise AmbiguousDeadline(_as_typed(text, ambiguous.phrase), ambiguous.readings, field) from None
    except DeadlineNotUnderstood as problem:
        raise DeadlineNotUnderstood(problem.message, field) from None


def parse_committee_date(text: str, now: datetime, zone: str, field: str = "deadline") -> Deadline:
    """A deadline or meeting a committee sets now: in the future, and not so far ahead that the year is a typo."""
    deadline = parse_deadline(text, now, zone, field)
    latest = now + relativedelta(years=YEARS_WITHIN_REACH)
    if deadline.instant > latest:
        raise DeadlineNotUnderstood(
            f"{deadline.describe()} is more than {YEARS_WITHIN_REACH} years away, which is not a date a committee "
            "would use. Please check the year.",
            field,
        )
    return deadline


def _future_deadline(text: str, now: datetime, zone: str) -> Deadline:
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


def _as_typed(text: str, phrase: str) -> str:
    """`phrase`, found in the lower-cased reading of `text`, as it was typed."""
    start = text.lower().rfind(phrase)
    return text[start : start + len(phrase)] if start >= 0 else phrase


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
        f'Try something like "20 September {year}", "20/09/{year}" or "Friday 5pm".'
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
# "This Friday" and "coming Friday" mean the first Friday after today, as does a bare "Friday"; "this Monday" said
# on a Monday is today. "Next Friday" is told apart in _read: early in a week, people mean either Friday.
_WEEKDAY_QUALIFIER = re.compile(rf"\b(?P<qualifier>next|this|coming)\s+(?=(?:{_WEEKDAY_NAMES})\b)")
_NEXT_WEEKDAY = re.compile(rf"\bnext\s+(?:{_WEEKDAY_NAMES})\b")
# "Friday week" and "a week on Friday": the Friday after the coming one.
_WEEK_ON = re.compile(rf"\b(?:a week on\s+(?P<after>{_WEEKDAY_NAMES})|(?P<before>{_WEEKDAY_NAMES})\s+week)\b")
# A period with no day in it: the person is asked which day they mean.
_WHOLE_PERIOD = re.compile(r"^(?:this|next) (?:week|month)$")
# A numeric date whose second number cannot be a month (09/20/2027) is read month first, and the person told.
_MONTH_FIRST = re.compile(r"\b(?P<month>\d{1,2})[/.-](?P<day>\d{1,2})[/.-]\d{2,4}\b")
_NOON = re.compile(r"\b(?:12\s*)?(?:noon|midday)\b")
_MIDNIGHT = re.compile(r"\b(?:12\s*)?midnight\b")
# dateutil drops the minutes of "5.30pm" and reads "17.30" as a day, so UK dotted times become colon times;
# the lookarounds leave dotted dates such as 20.09.2022 alone.
_DOTTED_TIME = re.compile(r"(?<![\d.])([01]?\d|2[0-3])\.([0-5]\d)(?![\d.])")


def _normalise(text: str) -> str:
    words = text.lower().replace("\u2019", "'").strip().rstrip(".!;,")
    words = _DOTTED_TIME.sub(r"\1:\2", words)
    words = _MIDNIGHT.sub(END_OF_DAY.isoformat(), _NOON.sub("12:00", words))
    words = " ".join(_FILLER.sub(" ", words).split())
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
    (re.compile(r"\byesterday\b"), lambda _, today: today - timedelta(days=1)),  # refused as past, and said so
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
    if _WHOLE_PERIOD.match(words):
        end = _read(f"end of {words}", now_local)
        raise DeadlineNotUnderstood(
            f'Which day {words} did you mean? Please give the date, e.g. "{end.day_words}", or say "end of {words}".'
        )
    if week_on := _WEEK_ON.search(words):
        return _week_on(week_on, words, now_local)
    qualifier = _WEEKDAY_QUALIFIER.search(words)
    fields = _fields(_WEEKDAY_QUALIFIER.sub("", words))
    if fields.weekday is not None and fields.year is None and fields.month is None and fields.day is None:
        return _on_weekday(fields, qualifier, now_local)
    return _told_if_month_first(_dated(fields, now_local), words)


def _coming(weekday: int, today: date) -> date:
    """The first such weekday after today."""
    return today + relativedelta(days=1, weekday=weekday)


def _on_weekday(fields: "_Fields", qualifier: re.Match[str] | None, now_local: datetime) -> Deadline:
    today, said = now_local.date(), qualifier["qualifier"] if qualifier else None
    if said == "this" and today.weekday() == fields.weekday:
        return _deadline(today, fields.clock, now_local)
    coming = _coming(fields.weekday, today)
    if said == "next" and _week_start(coming) == _week_start(today):
        phrase = _NEXT_WEEKDAY.search(qualifier.string, qualifier.start()).group(0)
        later = coming + timedelta(weeks=1)
        raise AmbiguousDeadline(
            phrase, (_deadline(coming, fields.clock, now_local), _deadline(later, fields.clock, now_local))
        )
    return _deadline(coming, fields.clock, now_local)


def _week_on(match: re.Match[str], words: str, now_local: datetime) -> Deadline:
    rest = _fields(words[: match.start()] + words[match.end() :])
    if rest.dated:
        raise _Unreadable
    weekday = _PARSER.info.weekday(match["after"] or match["before"])
    return _deadline(_coming(weekday, now_local.date()) + timedelta(weeks=1), rest.clock, now_local)


def _told_if_month_first(deadline: Deadline, words: str) -> Deadline:
    written = _MONTH_FIRST.search(words)
    if written is None or not int(written["month"]) <= 12 < int(written["day"]):
        return deadline
    note = (
        f'There is no month {int(written["day"])}, so I read "{written.group(0)}" month first, as {deadline.day_words}.'
    )
    return replace(deadline, notes=(*deadline.notes, note))


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
    month = MONTH_NAMES[fields.month]
    return month if fields.year is None else f"{month} {fields.year}"


def _deadline(day: date, clock: time | None, now_local: datetime) -> Deadline:
    # zoneinfo's fold=0: a wall time repeated when the clocks go back is its first occurrence, and one skipped
    # when they go forward is read with the offset in force before the change. Either way the person is told.
    local = datetime.combine(day, END_OF_DAY if clock is None else clock, tzinfo=now_local.tzinfo)
    zone = now_local.tzinfo.key
    return Deadline(local.astimezone(UTC), zone, clock is None, _clock_change_notes(local, zone))


def _clock_change_notes(local: datetime, zone: str) -> tuple[str, ...]:
    on_the_clock = local.astimezone(UTC).astimezone(local.tzinfo)
    wall_time = f"{local:%H:%M} on {local:%A} {long_date(local)}"
    if on_the_clock.replace(tzinfo=None) != local.replace(tzinfo=None):
        return (
            f"There is no {wall_time} in {zone}: the clocks go forward that night, "
            f"so I've read it as {on_the_clock:%H:%M} {on_the_clock.tzname()}.",
        )
    if local.replace(fold=1).utcoffset() != local.utcoffset():
        return (
            f"{wall_time} comes twice in {zone}, as the clocks go back that night; "
            f"I've taken the first, {local:%H:%M} {local.tzname()}.",
        )
    return ()


def end_of_day(day: date, zone: str) -> datetime:
    """The last second of `day` in `zone`, in UTC: when something due "by" that day falls due."""
    return datetime.combine(day, END_OF_DAY, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def local_date(instant: datetime, zone: str) -> date:
    return instant.astimezone(ZoneInfo(zone)).date()
