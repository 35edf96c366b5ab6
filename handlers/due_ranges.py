"""Reading the dates and date ranges clerks type to filter the register: "due this month", "due March 2027",
"due December", "due 1/3/2027 to 31/3/2027", "due before 1 April 2027"."""

import re
from datetime import date, datetime, timedelta

from dateutil import parser
from dateutil.relativedelta import relativedelta

from handlers.errors import InvalidInput

# Two defaults that differ in every field: a field that parses the same under both was really typed.
FIRST_DEFAULT = datetime(2000, 1, 1)
SECOND_DEFAULT = datetime(2004, 2, 2)
# Council business lies well within these; outside them date arithmetic can overflow.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
RANGE_SEPARATOR = re.compile(r"\s+(?:to|until|-|–)\s+", re.IGNORECASE)


def _read(text: str) -> tuple[datetime, datetime]:
    try:
        return (
            parser.parse(text, dayfirst=True, default=FIRST_DEFAULT),
            parser.parse(text, dayfirst=True, default=SECOND_DEFAULT),
        )
    except (ValueError, OverflowError):
        raise InvalidInput(f'I couldn\'t read "{text}" as a date. Try "31 March 2027" or "31/03/2027".') from None


def read_day(text: str, field: str | None = None) -> date:
    """A whole date, day first; a missing day, month or year is refused rather than guessed."""
    first, second = _read(text)
    if first.day != second.day or first.month != second.month or first.year != second.year:
        raise InvalidInput(f'Please give a full date, with day, month and year, instead of "{text}".', field=field)
    if not EARLIEST_YEAR <= first.year <= LATEST_YEAR:
        raise InvalidInput(f'"{text}" is not a date a committee would use. Please check the year.', field=field)
    return first.date()


def _month(text: str, today: date) -> tuple[date, date] | None:
    """A month named without a day ("March 2027"); without a year too ("December"), the next one of that name,
    this month's if it is the one named."""
    first, second = _read(text)
    if first.day == second.day or first.month != second.month:
        return None
    year = first.year if first.year == second.year else today.year + (first.month < today.month)
    start = date(year, first.month, 1)
    return start, start + relativedelta(months=1, days=-1)


def _named(text: str, today: date) -> tuple[date, date] | None:
    week_start = today - timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    ranges = {
        "today": (today, today),
        "tomorrow": (today + timedelta(days=1),) * 2,
        "this week": (week_start, week_start + timedelta(days=6)),
        "next week": (week_start + timedelta(days=7), week_start + timedelta(days=13)),
        "this month": (month_start, month_start + relativedelta(months=1, days=-1)),
        "next month": (month_start + relativedelta(months=1), month_start + relativedelta(months=2, days=-1)),
    }
    return ranges.get(text.lower())


def read_range(text: str, today: date) -> tuple[date | None, date | None]:
    """First and last day of the range, either of which may be open."""
    text = " ".join(text.split())
    if not text:
        raise InvalidInput('Please say when, e.g. "due this month", "due March 2027" or "due 1/3/2027 to 31/3/2027".')
    if named := _named(text, today):
        return named
    if text.lower().startswith("before "):
        return None, read_day(text[7:]) - timedelta(days=1)
    if text.lower().startswith("after "):
        return read_day(text[6:]) + timedelta(days=1), None
    if len(parts := RANGE_SEPARATOR.split(text)) == 2:
        return read_day(parts[0]), read_day(parts[1])
    return _month(text, today) or (read_day(text),) * 2
