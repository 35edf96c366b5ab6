"""Deadlines as clerks type them: UK day-first dates, lead-ins from minutes, end of day in the committee's zone."""

from datetime import UTC, datetime

import pytest
import time_machine

from handlers.deadlines import (
    AmbiguousDeadline,
    Deadline,
    describe_date,
    describe_instant,
    parse_committee_date,
    parse_deadline,
)
from handlers.errors import DeadlineNotUnderstood

LONDON = "Europe/London"
# Tuesday 6 September 2022, 11:00 in London (BST).
NOW = datetime(2022, 9, 6, 10, 0, tzinfo=UTC)


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


def parse(text: str, now: datetime = NOW, zone: str = LONDON) -> Deadline:
    return parse_deadline(text, now, zone)


def refusal(text: str, now: datetime = NOW, zone: str = LONDON) -> str:
    with pytest.raises(DeadlineNotUnderstood) as raised:
        parse_deadline(text, now, zone)
    return raised.value.message


# --- The seed phrase and the ways minutes write the same date -------------------------------------


def test_seed_phrase_is_the_end_of_20_september_in_london() -> None:
    deadline = parse("by no later than 20 September 2022")

    assert deadline.instant == utc(2022, 9, 20, 22, 59, 59)
    assert deadline.instant.tzinfo == UTC
    assert deadline.zone == LONDON
    assert deadline.end_of_day_assumed
    assert deadline.local == datetime.fromisoformat("2022-09-20T23:59:59+01:00")
    assert deadline.describe() == "Tuesday 20 September 2022 at 23:59 (Europe/London)"


@pytest.mark.parametrize(
    "text",
    [
        "20/09/2022",
        "20/09/22",
        "20.09.2022",
        "20-09-2022",
        "2022-09-20",
        "20 Sept 2022",
        "20th September 2022",
        "the 20th of September 2022",
        "Tuesday 20 September 2022",
        "Tues, 20th Sept 2022",
        "no later than 20 September 2022",
        "by 20 September 2022.",
        "before 20/09/2022",
        "on or before 20 September 2022",
        "until 20 September 2022",
        "up to and including 20 September 2022",
        "Deadline: 20/09/2022",
        "close of play on 20 September 2022",
        "  BY 20 SEPTEMBER 2022  ",
    ],
)
def test_ways_of_writing_20_september_2022(text: str) -> None:
    deadline = parse(text)

    assert deadline.instant == utc(2022, 9, 20, 22, 59, 59)
    assert deadline.end_of_day_assumed


def test_slashed_dates_are_day_first() -> None:
    assert parse("01/02/2023").local.date().isoformat() == "2023-02-01"
    assert parse("01/02/2023").notes == ()


def test_a_date_that_can_only_be_month_first_is_read_so_and_said() -> None:
    deadline = parse("09/20/2027")

    assert deadline.local.date().isoformat() == "2027-09-20"
    assert deadline.notes == ('There is no month 20, so I read "09/20/2027" month first, as Monday 20 September 2027.',)


# --- Times ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20 September 2022 5pm", utc(2022, 9, 20, 16, 0)),
        ("20/09/2022 at 5.30pm", utc(2022, 9, 20, 16, 30)),
        ("5:30 p.m. on 20 September 2022", utc(2022, 9, 20, 16, 30)),
        ("20 September 2022, 17:00", utc(2022, 9, 20, 16, 0)),
        ("by 17.00 on 20 September 2022", utc(2022, 9, 20, 16, 0)),
        ("noon on 20 September 2022", utc(2022, 9, 20, 11, 0)),
        ("20/09/2022 at 12 midday", utc(2022, 9, 20, 11, 0)),
        ("midnight on 20 September 2022", utc(2022, 9, 20, 22, 59, 59)),
    ],
)
def test_times_of_day(text: str, expected: datetime) -> None:
    deadline = parse(text)

    assert deadline.instant == expected
    assert not deadline.end_of_day_assumed


def test_midnight_is_the_end_of_that_day_not_the_start() -> None:
    assert parse("20/09/2022 midnight").local.isoformat() == "2022-09-20T23:59:59+01:00"


def test_a_time_alone_is_today() -> None:
    assert parse("by 5pm").instant == utc(2022, 9, 6, 16, 0)


# --- Relative forms ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Friday 5pm", "this Friday at 5pm", "coming Friday 5pm", "5pm on Friday"])
def test_friday_5pm_is_the_coming_friday(text: str) -> None:
    deadline = parse(text)

    assert deadline.instant == utc(2022, 9, 9, 16, 0)
    assert deadline.describe() == "Friday 9 September 2022 at 17:00 (Europe/London)"


def test_a_weekday_named_on_that_weekday_is_next_week() -> None:
    friday_morning = utc(2022, 9, 9, 8, 0)

    assert parse("Friday", now=friday_morning).local.date().isoformat() == "2022-09-16"
    assert parse("next Friday", now=friday_morning).local.date().isoformat() == "2022-09-16"


def test_this_weekday_said_on_that_weekday_is_today() -> None:
    assert parse("this Tuesday").local.date().isoformat() == "2022-09-06"
    assert parse("this Tuesday 5pm").instant == utc(2022, 9, 6, 16, 0)


def test_next_friday_early_in_the_week_is_asked_about_with_both_fridays() -> None:
    with pytest.raises(AmbiguousDeadline) as raised:
        parse_deadline("Next Friday 5pm", NOW, LONDON, field="when")
    asked = raised.value

    assert asked.message == (
        '"Next Friday" could mean Friday 9 September 2022 (this week) or Friday 16 September 2022 (next week). '
        "Which did you mean?"
    )
    assert asked.field == "when"
    assert [reading.instant for reading in asked.readings] == [utc(2022, 9, 9, 16, 0), utc(2022, 9, 16, 16, 0)]
    # Each choice, typed in the person's own words, reads one way only.
    for reading in asked.readings:
        chosen = asked.spelled_out("open Next Friday's report | | <@U1> | Next Friday 5pm", reading)
        assert chosen.startswith("open Next Friday's report | | <@U1> | ")
        assert parse(chosen.rsplit("| ", 1)[1]).instant == reading.instant


def test_next_friday_said_at_the_weekend_is_the_coming_one() -> None:
    saturday = utc(2022, 9, 10, 9, 0)

    assert parse("next Friday 5pm", now=saturday).instant == utc(2022, 9, 16, 16, 0)


@pytest.mark.parametrize("text", ["Friday week", "a week on Friday", "a week on Friday 5pm"])
def test_friday_week_is_the_friday_after_the_coming_one(text: str) -> None:
    assert parse(text).local.date().isoformat() == "2022-09-16"


@pytest.mark.parametrize(
    ("text", "example"),
    [
        ("next week", 'e.g. "Friday 16 September 2022", or say "end of next week"'),
        ("this week", 'e.g. "Friday 9 September 2022", or say "end of this week"'),
        ("next month", 'e.g. "Monday 31 October 2022", or say "end of next month"'),
    ],
)
def test_a_week_or_month_without_a_day_asks_which_day(text: str, example: str) -> None:
    assert refusal(text) == f"Which day {text} did you mean? Please give the date, {example}."


@pytest.mark.parametrize(
    ("text", "local_day"),
    [
        ("today", "2022-09-06"),
        ("tomorrow", "2022-09-07"),
        ("in 10 days", "2022-09-16"),
        ("in two weeks", "2022-09-20"),
        ("in 2 weeks' time", "2022-09-20"),
        ("in 2 weeks\u2019 time", "2022-09-20"),
        ("in a fortnight", "2022-09-20"),
        ("in 3 months", "2022-12-06"),
        ("by the end of the month", "2022-09-30"),
        ("end of next month", "2022-10-31"),
        ("end of this week", "2022-09-09"),
        ("by the end of the week", "2022-09-09"),
        ("end of next week", "2022-09-16"),
        ("by the end of September", "2022-09-30"),
        ("end of October 2022", "2022-10-31"),
    ],
)
def test_relative_days_end_at_2359_local(text: str, local_day: str) -> None:
    deadline = parse(text)

    assert deadline.local.replace(tzinfo=None).isoformat() == f"{local_day}T23:59:59"
    assert deadline.end_of_day_assumed


def test_weeks_run_monday_to_sunday_and_end_on_friday() -> None:
    saturday = utc(2022, 9, 10, 9, 0)

    assert parse("end of next week", now=saturday).local.date().isoformat() == "2022-09-16"
    assert "Friday 9 September 2022 at 23:59 (Europe/London), has already passed" in refusal(
        "end of the week", now=saturday
    )


def test_relative_day_with_a_time() -> None:
    assert parse("tomorrow at noon").instant == utc(2022, 9, 7, 11, 0)


def test_end_of_february_falls_on_the_29th_in_a_leap_year() -> None:
    assert parse("end of February", now=utc(2024, 1, 10)).local.date().isoformat() == "2024-02-29"


def test_today_is_the_committees_today_not_utcs() -> None:
    # 23:30 UTC on 6 September is already 7 September in London.
    assert parse("today", now=utc(2022, 9, 6, 23, 30)).local.date().isoformat() == "2022-09-07"


# --- Dates without a year ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20 September", utc(2022, 9, 20, 22, 59, 59)),
        ("5 September", utc(2023, 9, 5, 22, 59, 59)),  # yesterday, so next year's
        ("6 September 5pm", utc(2022, 9, 6, 16, 0)),  # later today
        ("6 September 9am", utc(2023, 9, 6, 8, 0)),  # earlier today, so next year's
        ("29 February", utc(2024, 2, 29, 23, 59, 59)),  # the next 29 February
        ("end of August", utc(2023, 8, 31, 22, 59, 59)),
    ],
)
def test_a_date_without_a_year_is_its_next_occurrence(text: str, expected: datetime) -> None:
    assert parse(text).instant == expected


def test_todays_day_and_month_never_fill_a_gap() -> None:
    assert "no day" in refusal("September 2022")
    assert "no month" in refusal("the 20th")


# --- Daylight saving -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("28/03/2026", utc(2026, 3, 28, 23, 59, 59)),  # GMT
        ("29/03/2026", utc(2026, 3, 29, 22, 59, 59)),  # clocks went forward at 01:00 that morning
        ("29/03/2026 5pm", utc(2026, 3, 29, 16, 0)),
        ("24/10/2026", utc(2026, 10, 24, 22, 59, 59)),  # BST
        ("25/10/2026", utc(2026, 10, 25, 23, 59, 59)),  # clocks went back at 02:00 that morning
        ("25/10/2026 9am", utc(2026, 10, 25, 9, 0)),
        ("25/10/2026 1.30am", utc(2026, 10, 25, 0, 30)),  # 01:30 happens twice: the first, in BST, counts
        ("29/03/2026 1.30am", utc(2026, 3, 29, 1, 30)),  # 01:30 never happens: read as GMT, i.e. 02:30 BST
    ],
)
def test_london_clock_changes(text: str, expected: datetime) -> None:
    assert parse(text, now=utc(2026, 3, 1)).instant == expected


def test_a_time_the_clocks_skip_is_read_an_hour_on_and_said() -> None:
    deadline = parse("28 March 2027 1:30am")

    assert deadline.instant == utc(2027, 3, 28, 1, 30)
    assert deadline.describe() == "Sunday 28 March 2027 at 02:30 (Europe/London)"
    assert deadline.notes == (
        "There is no 01:30 on Sunday 28 March 2027 in Europe/London: the clocks go forward that night, "
        "so I've read it as 02:30 BST.",
    )


def test_a_time_the_clocks_repeat_is_the_first_and_said() -> None:
    deadline = parse("31 October 2027 1:30am")

    assert deadline.instant == utc(2027, 10, 31, 0, 30)
    assert deadline.notes == (
        "01:30 on Sunday 31 October 2027 comes twice in Europe/London, as the clocks go back that night; "
        "I've taken the first, 01:30 BST.",
    )
    assert parse("31 October 2027 3am").notes == ()


def test_next_friday_across_the_spring_clock_change_keeps_5pm_local() -> None:
    thursday_before_change = utc(2026, 3, 26, 12, 0)
    deadline = parse("next Friday 5pm", now=utc(2026, 3, 29, 12, 0))

    assert parse("Friday 5pm", now=thursday_before_change).instant == utc(2026, 3, 27, 17, 0)
    assert deadline.instant == utc(2026, 4, 3, 16, 0)


def test_in_a_week_across_the_autumn_clock_change_keeps_2359_local() -> None:
    deadline = parse("in a week", now=utc(2026, 10, 21, 12, 0))

    assert deadline.local.isoformat() == "2026-10-28T23:59:59+00:00"
    assert deadline.instant == utc(2026, 10, 28, 23, 59, 59)


# --- Other zones ---------------------------------------------------------------------------------


def test_new_york_committee() -> None:
    deadline = parse("20/09/2022", zone="America/New_York")

    assert deadline.instant == utc(2022, 9, 21, 3, 59, 59)
    assert deadline.describe() == "Tuesday 20 September 2022 at 23:59 (America/New_York)"


def test_new_york_changes_its_clocks_before_london() -> None:
    # 20 March 2026: New York is on EDT (UTC-4), London still on GMT.
    now = utc(2026, 3, 1)

    assert parse("20 March 2026 5pm", now=now, zone="America/New_York").instant == utc(2026, 3, 20, 21, 0)
    assert parse("20 March 2026 5pm", now=now, zone=LONDON).instant == utc(2026, 3, 20, 17, 0)


def test_sydney_committee() -> None:
    deadline = parse("20/09/2022", zone="Australia/Sydney")

    assert deadline.instant == utc(2022, 9, 20, 13, 59, 59)
    assert deadline.describe() == "Tuesday 20 September 2022 at 23:59 (Australia/Sydney)"


def test_sydney_tomorrow_is_counted_from_sydneys_today() -> None:
    # 22:00 UTC on 6 September is 08:00 on 7 September in Sydney.
    deadline = parse("tomorrow 5pm", now=utc(2022, 9, 6, 22, 0), zone="Australia/Sydney")

    assert deadline.describe() == "Thursday 8 September 2022 at 17:00 (Australia/Sydney)"
    assert deadline.instant == utc(2022, 9, 8, 7, 0)


def test_sydney_summer_time_starts_in_october() -> None:
    now = utc(2026, 9, 1)

    assert parse("3 October 2026 5pm", now=now, zone="Australia/Sydney").instant == utc(2026, 10, 3, 7, 0)
    assert parse("5 October 2026 5pm", now=now, zone="Australia/Sydney").instant == utc(2026, 10, 5, 6, 0)


# --- Refusals ------------------------------------------------------------------------------------


def test_a_past_deadline_is_refused_and_described() -> None:
    message = refusal("20 September 2022", now=utc(2022, 9, 21, 9, 0))

    assert message == (
        "That deadline, Tuesday 20 September 2022 at 23:59 (Europe/London), has already passed. "
        "Please give a date in the future."
    )


def test_yesterday_is_in_the_past_and_said_so() -> None:
    assert "Monday 5 September 2022 at 23:59 (Europe/London), has already passed" in refusal("yesterday")


def test_earlier_today_is_in_the_past() -> None:
    assert "Tuesday 6 September 2022 at 09:00 (Europe/London), has already passed" in refusal("9am today")


@pytest.mark.parametrize("text", ["banana", "", "next blue moon", "2022", "in 10 working days", "31 February 2023"])
def test_unreadable_text_is_echoed_with_examples(text: str) -> None:
    assert refusal(text) == (
        f'I couldn\'t read "{text}" as a date. Try something like "20 September 2022", "20/09/2022" or "Friday 5pm".'
    )


def test_the_example_dates_are_still_ahead() -> None:
    assert '"20 September 2023", "20/09/2023"' in refusal("banana", now=utc(2022, 11, 1))


def test_a_month_without_a_day_asks_for_the_day() -> None:
    assert refusal("by September 2022") == (
        "I read September 2022 but no day. Which day of September 2022 did you mean? "
        'For the last day of the month, say "end of September 2022".'
    )


def test_a_day_without_a_month_asks_for_the_month() -> None:
    assert refusal("by the 20th") == "I read 20 as the day but found no month. Which month did you mean?"


@pytest.mark.parametrize("text", ["20 or 27 September", "20th, 27th September 2022", "20 September or 27 September"])
def test_two_dates_are_ambiguous(text: str) -> None:
    assert refusal(text) == (
        f'"{text}" could mean Tuesday 20 September 2022 at 23:59 (Europe/London) '
        "or Tuesday 27 September 2022 at 23:59 (Europe/London). Which one did you mean? Please give just that date."
    )


def test_two_weekdays_are_ambiguous() -> None:
    message = refusal("Friday or Monday")

    assert "Friday 9 September 2022" in message
    assert "Monday 12 September 2022" in message
    assert "Which one did you mean?" in message


def test_the_same_date_twice_is_not_ambiguous() -> None:
    assert parse("Tuesday 20 September or 20/09/2022").instant == utc(2022, 9, 20, 22, 59, 59)


def test_a_weekday_that_contradicts_the_date_is_refused() -> None:
    assert refusal("Monday 20 September 2022") == (
        "20 September 2022 is a Tuesday, not a Monday. "
        "Did you mean Tuesday 20 September 2022 at 23:59 (Europe/London), or a different date?"
    )


@pytest.mark.parametrize("text", ["2022-09-20T17:00Z", "20/09/2022 17:00 +01:00"])
def test_a_written_offset_is_refused_not_guessed(text: str) -> None:
    assert "leave out the time zone" in refusal(text)


def test_a_written_zone_name_is_refused() -> None:
    assert refusal("20/09/2022 5pm GMT").startswith('I couldn\'t read "20/09/2022 5pm GMT"')


def test_a_year_no_committee_would_use_is_refused_naming_the_field() -> None:
    with pytest.raises(DeadlineNotUnderstood) as raised:
        parse_committee_date("14 March 2207 10:00", NOW, LONDON, field="when")

    assert raised.value.message == (
        "Saturday 14 March 2207 at 10:00 (Europe/London) is more than 20 years away, which is not a date a "
        "committee would use. Please check the year."
    )
    assert raised.value.field == "when"
    assert parse_committee_date("14 March 2042 10:00", NOW, LONDON).local.year == 2042


def test_an_unknown_zone_is_refused() -> None:
    message = refusal("20 September 2022", zone="Europe/Atlantis")

    assert message.startswith('"Europe/Atlantis" isn\'t a time zone I know')


# --- Describing ----------------------------------------------------------------------------------


def test_describe_instant_uses_the_zones_wall_clock() -> None:
    assert describe_instant(utc(2022, 9, 20, 16, 0), LONDON) == "Tuesday 20 September 2022 at 17:00 (Europe/London)"
    assert describe_instant(utc(2022, 12, 20, 17, 0), LONDON) == "Tuesday 20 December 2022 at 17:00 (Europe/London)"


def test_describe_date_is_the_day_in_the_zone() -> None:
    late_evening_utc = utc(2022, 9, 20, 23, 30)

    assert describe_date(late_evening_utc, LONDON) == "21 September 2022"
    assert describe_date(late_evening_utc, "America/New_York") == "20 September 2022"


def test_parsing_depends_on_the_given_now_not_the_clock() -> None:
    with time_machine.travel(datetime(2031, 1, 1, tzinfo=UTC), tick=False):
        assert parse("tomorrow").instant == utc(2022, 9, 7, 22, 59, 59)
