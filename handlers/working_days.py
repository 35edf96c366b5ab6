"""Working days: Monday to Friday, less the bank holidays of the committee's part of the UK."""

from datetime import date, timedelta
from functools import cache

FRIDAY = 4
# Each part of the UK with its own bank holidays: its setting, its code in the holidays package, and its name.
REGIONS = {
    "england-and-wales": ("ENG", "England and Wales"),
    "scotland": ("SCT", "Scotland"),
    "northern-ireland": ("NIR", "Northern Ireland"),
}
REGION_WORDS = {
    "england": "england-and-wales",
    "wales": "england-and-wales",
    "england-wales": "england-and-wales",
    "scotland": "scotland",
    "northern-ireland": "northern-ireland",
    "ni": "northern-ireland",
}
# A fortnight of non-working days in a row is more than any calendar has: the search for a working day stops.
LONGEST_BREAK = 14


@cache
def _bank_holidays(region: str):
    # Imported here: the package takes a third of a second to load, and only the reminder tick and a meeting being
    # arranged need it.
    from holidays.countries.united_kingdom import UnitedKingdom

    return UnitedKingdom(subdiv=REGIONS[region][0])


def is_working_day(day: date, region: str) -> bool:
    return day.weekday() <= FRIDAY and day not in _bank_holidays(region)


def bank_holiday(day: date, region: str) -> str | None:
    """The bank holiday `day` is in the region ("Christmas Day", "Boxing Day (observed)"), or None."""
    return _bank_holidays(region).get(day)


def on_or_before(day: date, region: str) -> date:
    """The last working day on or before `day`."""
    for back in range(LONGEST_BREAK):
        if is_working_day(candidate := day - timedelta(days=back), region):
            return candidate
    return day


def on_or_after(day: date, region: str) -> date:
    """The first working day on or after `day`."""
    for ahead in range(LONGEST_BREAK):
        if is_working_day(candidate := day + timedelta(days=ahead), region):
            return candidate
    return day


def holiday_note(day: date, region: str) -> str | None:
    """For a clerk who set a meeting or a deadline on a bank holiday, in case it was a slip: "That is Christmas
    Day, a bank holiday in England and Wales."; None on any other day."""
    holiday = bank_holiday(day, region)
    return f"That is {holiday}, a bank holiday in {region_name(region)}." if holiday else None


def region_name(region: str) -> str:
    return REGIONS[region][1]


def read_region(words: str) -> str | None:
    """A part of the UK as a clerk types it ("scotland", "Northern Ireland", "England and Wales"), or None."""
    return REGION_WORDS.get("-".join(word for word in words.lower().replace("-", " ").split() if word != "and"))
