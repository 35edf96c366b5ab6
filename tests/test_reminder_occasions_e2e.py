"""Reminders a clerk can trust: each is one occasion of one item, posted once, at the committee's reminder hour on
a working day, only while it still makes sense, and naming things as people do.

Each test drives the real Bolt app over signed HTTP through the weeks in which a clerk met the problem, ticking
the scheduler at the instants it would tick, and reads what reached the channel and the clerks' direct messages.
"""

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from storage.models import Reminder, ReminderState, Resolution
from tests.flows import (
    add_meeting,
    buttons,
    open_window,
    opened_view,
    record_resolution,
    reminder_kinds,
    reminder_posts,
    responses,
    set_up_committee,
    shown_text,
    stored,
    submit_view,
    tick_at,
)
from tests.stack import CHANNEL, CLERK, MEMBERS, OFFICER
from tests.support.slack_client import text_value, user_value, users_value

LONDON = ZoneInfo("Europe/London")
REPORT = "Draft annual report 2026/27"
CLERKS_DM = f"D{CLERK}"


def london(year: int, month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=LONDON).astimezone(UTC)


@contextmanager
def at(instant: datetime) -> Iterator[None]:
    """What a person does at `instant`, with the clock running on from there."""
    with time_machine.travel(instant, tick=True):
        yield


async def _each_day_at_the_hour(stack, first: date, last: date, hour: int = 9) -> None:
    day = first
    while day <= last:
        await tick_at(stack, london(day.year, day.month, day.day, hour))
        day += timedelta(days=1)


def _texts(posts) -> list[str]:
    return [shown_text(post.params) for post in posts]


async def _reminder_hour(stack, words: str) -> str:
    reply = await stack.slack.slash_command("/committee", f"reminders {words}", user_id=CLERK, channel_id=CHANNEL)
    return shown_text(reply.json())


# ---------------------------------------------------------------------------------------------------- finding 1


async def test_changing_the_reminder_hour_never_posts_a_sent_reminder_again(stack):
    with at(london(2026, 11, 2, 10)):
        await set_up_committee(stack)
        await record_resolution(stack, "Write to the Minister about school transport.", due="20 November 2026")
    for day in (13, 20, 23, 30):  # the action's two notices, then Mondays' overdue digests
        await tick_at(stack, london(2026, 11, day))
    with at(london(2026, 11, 30, 10)):
        await open_window(stack, REPORT, "11 December 2026")
    await tick_at(stack, london(2026, 12, 4, 9))  # Friday: "close in 7 days"
    for minute, hour in ((30, 8), (31, 7)):
        with at(london(2026, 12, 4, 9, minute)):
            await _reminder_hour(stack, f"{hour} weekdays")
        await tick_at(stack, london(2026, 12, 4, 9, minute, 30))
    await tick_at(stack, london(2026, 12, 7, 7))  # Monday at the new hour: the overdue digest
    with at(london(2026, 12, 7, 7, 30)):
        await _reminder_hour(stack, "9")
    await _each_day_at_the_hour(stack, date(2026, 12, 7), date(2026, 12, 10))
    with at(london(2026, 12, 10, 9, 30)):  # after the day-before notice, so the 7-day one is out of date
        await _reminder_hour(stack, "8")
    await tick_at(stack, london(2026, 12, 10, 9, 31))
    await _each_day_at_the_hour(stack, date(2026, 12, 11), date(2026, 12, 14), hour=8)
    await tick_at(stack, london(2026, 12, 11, 23, 59, 59))

    channel = reminder_kinds(reminder_posts(stack, CHANNEL))
    assert channel == ["action.week", "action.today", "window.week", "window.tomorrow", "window.today", "window.closed"]
    digests = _texts(reminder_posts(stack, CLERKS_DM))
    assert len(digests) == 4 and all("Overdue resolutions" in text for text in digests)  # 23, 30 Nov, 7, 14 Dec
    assert not [text for text in digests if "Not sent" in text], "notices sent at the old hour were called out of date"
    assert {row.state for row in await stored(stack, Reminder)} == {ReminderState.SENT}


async def _move_the_meeting(stack, when: str) -> None:
    """A clerk presses Move on the committee's next meeting and gives its new time."""
    listing = (await stack.slack.slash_command("/meeting", "", user_id=CLERK, channel_id=CHANNEL)).json()
    await stack.slack.block_action("meeting.move", buttons(listing)["Move"]["value"], user_id=CLERK, channel_id=CHANNEL)
    view = await opened_view(stack, count=len(stack.fake.calls_to("views.open")))
    await submit_view(stack, view, {"when": text_value(when)}, CLERK)


async def _change_zone(stack, zone: str) -> None:
    await stack.slack.slash_command("/committee", "setup", user_id=CLERK, channel_id=CHANNEL)
    view = await opened_view(stack, count=len(stack.fake.calls_to("views.open")))
    values = {
        "name": text_value("Children and Families Overview and Scrutiny Committee"),
        "timezone": text_value(zone),
        "clerks": users_value([CLERK]),
        "chair": user_value(None),
    }
    assert (await submit_view(stack, view, values, CLERK)).status == 200


async def test_moving_a_deadline_by_hours_a_meeting_within_its_day_or_changing_the_zone_posts_nothing_again(stack):
    with at(london(2026, 11, 30, 10)):
        await set_up_committee(stack)
        await open_window(stack, REPORT, "11 December 2026 17:00")
        await add_meeting(stack, "21 December 2026 10:00")
        await record_resolution(stack, "Update on foster care.", kind="report_back", due="at its next meeting")
    await tick_at(stack, london(2026, 12, 4, 9))  # the 7-day notice
    with at(london(2026, 12, 4, 10)):
        await stack.slack.slash_command(
            "/report", "deadline annual-report-2026 11 December 2026 23:00", user_id=CLERK, channel_id=CHANNEL
        )
    await tick_at(stack, london(2026, 12, 4, 10, 1))
    await tick_at(stack, london(2026, 12, 7, 9))  # the agenda deadline: the report's notice and the clerk's digest
    with at(london(2026, 12, 7, 10)):
        await _move_the_meeting(stack, "21 December 2026 14:00")
    await tick_at(stack, london(2026, 12, 7, 10, 1))
    with at(london(2026, 12, 7, 10, 30)):
        await _change_zone(stack, "Europe/Paris")
    await tick_at(stack, london(2026, 12, 7, 10, 31))
    await tick_at(stack, london(2026, 12, 8, 9))

    assert reminder_kinds(reminder_posts(stack, CHANNEL)) == ["window.week", "report.deadline"]
    assert reminder_kinds(reminder_posts(stack, CLERKS_DM)) == ["meeting.digest"]


# ---------------------------------------------------------------------------------------------------- finding 2


async def test_a_window_opened_two_days_before_its_deadline_gets_no_seven_day_notice(stack):
    with at(london(2026, 12, 2, 10)):  # a Wednesday
        await set_up_committee(stack)
        await open_window(stack, REPORT, "Friday 4 December 2026")
    await tick_at(stack, london(2026, 12, 2, 10, 1))
    assert reminder_posts(stack) == [], "a notice planned before the window existed went out at once"
    [announcement] = [c for c in stack.fake.calls_to("chat.postMessage") if "Comments invited" in str(c.params)]
    assert "they close in 2 days" in shown_text(announcement.params)  # what the 7-day notice would have said
    await _each_day_at_the_hour(stack, date(2026, 12, 3), date(2026, 12, 4))
    channel = reminder_posts(stack, CHANNEL)
    assert reminder_kinds(channel) == ["window.tomorrow", "window.today"]
    assert "close *tomorrow*" in shown_text(channel[0].params)
    assert reminder_kinds(reminder_posts(stack)).count("window.nudge") == 4


async def test_an_action_due_in_three_days_gets_its_due_day_notice_only(stack):
    with at(london(2026, 12, 7, 10)):
        await set_up_committee(stack)
        await record_resolution(stack, "Circulate the budget papers.", due="10 December 2026", owner_user_id=OFFICER)
    await tick_at(stack, london(2026, 12, 7, 10, 1))
    await _each_day_at_the_hour(stack, date(2026, 12, 8), date(2026, 12, 10))
    assert reminder_kinds(reminder_posts(stack, CHANNEL)) == ["action.today"]
    assert reminder_kinds(reminder_posts(stack, f"D{OFFICER}")) == ["action.today"]


async def test_a_report_owed_to_a_meeting_arranged_at_short_notice_skips_the_notices_already_past(stack):
    with at(london(2026, 12, 7, 10)):
        await set_up_committee(stack)
        await add_meeting(stack, "29 December 2026 10:00")  # agenda deadline 15 December; run-up began 1 December
        await record_resolution(
            stack, "Report on the review of SEND transport.", kind="report_back", due="at its next meeting"
        )
    await tick_at(stack, london(2026, 12, 7, 10, 1))
    assert reminder_posts(stack) == []
    await _each_day_at_the_hour(stack, date(2026, 12, 8), date(2026, 12, 15))
    assert reminder_kinds(reminder_posts(stack, CHANNEL)) == ["report.week", "report.deadline"]


async def test_a_deadline_moved_closer_skips_the_notices_already_past_and_one_moved_to_another_day_starts_afresh(
    stack,
):
    with at(london(2026, 11, 30, 10)):
        await set_up_committee(stack)
        await open_window(stack, REPORT, "31 December 2026")
    with at(london(2026, 12, 7, 10)):
        moved = await stack.slack.slash_command(
            "/report", "deadline annual-report-2026 10 December 2026", user_id=CLERK, channel_id=CHANNEL
        )
    await tick_at(stack, london(2026, 12, 7, 10, 1))
    assert reminder_posts(stack) == []
    assert "comments close in 3 days" in shown_text(moved.json())
    await _each_day_at_the_hour(stack, date(2026, 12, 8), date(2026, 12, 10))
    with at(london(2026, 12, 10, 12)):  # reopened for another week, the same day: a new occasion
        await stack.slack.slash_command(
            "/report", "deadline annual-report-2026 17 December 2026", user_id=CLERK, channel_id=CHANNEL
        )
    await tick_at(stack, london(2026, 12, 10, 12, 1))
    await _each_day_at_the_hour(stack, date(2026, 12, 11), date(2026, 12, 17))
    kinds = reminder_kinds(reminder_posts(stack, CHANNEL))
    assert kinds == ["window.tomorrow", "window.today", "window.tomorrow", "window.today"]


# ---------------------------------------------------------------------------------------------------- finding 3

MEETINGS = (date(2027, 1, 26), date(2027, 2, 9), date(2027, 3, 9))
REPORT_BACK = "Report back on the placement sufficiency strategy."


async def _what_the_register_says(stack) -> dict[str, str]:
    """R1 as /actions, the officer's Home tab and the register's CSV export show it."""
    listing = shown_text((await stack.slack.slash_command("/actions", "", user_id=CLERK, channel_id=CHANNEL)).json())
    await stack.slack.event({"type": "app_home_opened", "user": OFFICER, "channel": "DHOME", "tab": "home"})
    homes = await stack.fake.wait_for("views.publish", where=lambda c: c.params.get("user_id") == OFFICER)
    await stack.slack.slash_command("/actions", "export", user_id=CLERK, channel_id=CHANNEL)
    await stack.fake.wait_for(
        "files.completeUploadExternal", count=len(stack.fake.calls_to("files.completeUploadExternal")) + 1
    )
    [export] = [f for f in stack.fake.uploaded_files if f.filename.endswith(".csv")][-1:]
    [row] = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    return {
        "actions": listing,
        "home": shown_text(homes[-1].params["view"]),
        "export": f"due {row['due']} overdue {row['overdue']} slipped {row['slipped']}",
    }


async def test_a_report_owed_at_the_next_meeting_moves_on_as_each_meeting_passes_without_anyone_asking(stack):
    with at(london(2027, 1, 4, 10)):
        await set_up_committee(stack)
        for day in MEETINGS:
            await add_meeting(stack, f"{day.day} {day:%B %Y} 10:00")
        await record_resolution(
            stack, REPORT_BACK, kind="report_back", due="at its next meeting", owner_user_id=OFFICER
        )
    await _each_day_at_the_hour(stack, date(2027, 1, 5), date(2027, 1, 26))
    await tick_at(stack, london(2027, 1, 26, 10, 1))  # the meeting has started without the report
    with at(london(2027, 1, 26, 11, 45)):
        shown = await _what_the_register_says(stack)
    assert "due at the meeting on 9 February 2027" in shown["actions"] and "slipped 1×" in shown["actions"]
    assert "due at the meeting on 9 February 2027" in shown["home"]
    assert shown["export"] == "due at the meeting on 9 February 2027 overdue no slipped 1"
    await tick_at(stack, london(2027, 1, 26, 11, 46))
    assert "report.slipped" not in reminder_kinds(reminder_posts(stack)), "routine notices wait for the hour"
    await _each_day_at_the_hour(stack, date(2027, 1, 27), date(2027, 2, 9))
    await tick_at(stack, london(2027, 2, 9, 10, 1))
    await _each_day_at_the_hour(stack, date(2027, 2, 10), date(2027, 3, 8))

    channel = reminder_posts(stack, CHANNEL)
    assert reminder_kinds(channel) == [
        "report.week",  # 5 January, for 26 January (the first notice was due before the report was recorded)
        "report.deadline",  # 12 January
        "report.slipped",  # 27 January: now due 9 February, whose agenda deadline was the day of the meeting
        "report.slipped",  # 10 February: now due 9 March
        "report.week",  # 16 February
        "report.deadline",  # 23 February
    ]
    slipped = _texts(channel)[2]
    assert "Report now due at the meeting on 9 February 2027" in slipped
    assert "It was due at the meeting on 26 January 2027" in slipped
    assert "Report due back at the meeting on 9 March 2027" in _texts(channel)[4]
    digests = _texts(reminder_posts(stack, CLERKS_DM))
    assert [text.split("*")[1] for text in digests] == [
        f"Agenda deadline for the meeting on {day.day} {day:%B %Y}" for day in MEETINGS
    ], "the weekly overdue digest never lists the report: it was never overdue"
    # Due at the first meeting; at the second's agenda deadline still owed to the first, and may slip here:
    assert "Due at this meeting:\n• R1 " in digests[0] and "Still owed" not in digests[0]
    owed = digests[1].split("Still owed before then:\n", 1)[1]
    assert owed.startswith("• R1 ") and "due at the meeting on 26 January 2027" in owed
    assert "Due at this meeting" not in digests[1]
    assert "Nothing outstanding" not in "".join(digests)
    [resolution] = await stored(stack, Resolution)
    assert resolution.slipped_count == 2 and resolution.due_at == london(2027, 3, 9, 10)


async def test_moving_a_meeting_is_not_a_slip(stack):
    with at(london(2027, 1, 4, 10)):
        await set_up_committee(stack)
        await add_meeting(stack, "26 January 2027 10:00")
        await record_resolution(stack, REPORT_BACK, kind="report_back", due="at its next meeting")
        await _move_the_meeting(stack, "2 February 2027 10:00")
        shown = shown_text((await stack.slack.slash_command("/actions", "", user_id=CLERK, channel_id=CHANNEL)).json())
    assert "due at the meeting on 2 February 2027" in shown and "slipped" not in shown
    [resolution] = await stored(stack, Resolution)
    assert resolution.slipped_count == 0


async def test_on_the_day_of_an_agenda_digest_the_overdue_list_comes_once(stack):
    with at(london(2026, 11, 2, 10)):
        await set_up_committee(stack)
        await record_resolution(stack, "Write to the Minister about school transport.", due="20 November 2026")
        await add_meeting(stack, "21 December 2026 10:00")  # agenda deadline Monday 7 December
    await tick_at(stack, london(2026, 12, 7))
    [digest] = _texts(reminder_posts(stack, CLERKS_DM))
    assert "Agenda deadline for the meeting on 21 December 2026" in digest
    assert "Write to the Minister about school transport: due 20 November 2026 *overdue*" in digest


# ---------------------------------------------------------------------------------------------------- finding 4


async def test_snoozing_the_seven_day_notice_holds_back_no_later_notice(stack):
    with at(london(2026, 11, 30, 10)):
        await set_up_committee(stack)
        window_id = await open_window(stack, REPORT, "11 December 2026")
    await tick_at(stack, london(2026, 12, 4, 9))
    [week] = reminder_posts(stack, CHANNEL)
    assert list(buttons(week.params)) == ["Add comment", "No comments", "Mute for this item"]
    with at(london(2026, 12, 4, 9, 5)):  # the Snooze button reminders carried before this change
        await stack.slack.block_action("reminder.snooze", f"window:{window_id}", user_id=CLERK, channel_id=CHANNEL)
        [answer] = await responses(stack)
    assert "snoozes nothing" in shown_text(answer)
    await _each_day_at_the_hour(stack, date(2026, 12, 5), date(2026, 12, 14))
    channel = reminder_posts(stack, CHANNEL)
    assert reminder_kinds(channel) == ["window.week", "window.tomorrow", "window.today", "window.closed"]
    assert all("Snooze a week" not in buttons(post.params) for post in channel)
    nudged = {post.params["channel"] for post in reminder_posts(stack) if reminder_kinds([post]) == ["window.nudge"]}
    assert nudged == {f"D{member}" for member in ("UCHAIR", *MEMBERS)}
    assert not [text for text in _texts(reminder_posts(stack, CLERKS_DM)) if "Not sent" in text]


async def test_a_snoozed_due_day_notice_is_posted_again_a_week_later(stack):
    with at(london(2026, 11, 30, 10)):
        await set_up_committee(stack)
        await record_resolution(stack, "Write to the Minister about school transport.", due="9 December 2026")
    await tick_at(stack, london(2026, 12, 9, 9))
    [due_today] = reminder_posts(stack, CHANNEL)
    with at(london(2026, 12, 9, 9, 5)):
        await stack.slack.block_action(
            "reminder.snooze", buttons(due_today.params)["Snooze a week"]["value"], user_id=CLERK, channel_id=CHANNEL
        )
        [answer] = await responses(stack)
    assert "again on Wednesday 16 December 2026 at 09:00 (Europe/London)" in shown_text(answer)
    assert "Nothing else about it is held back" in shown_text(answer)
    await _each_day_at_the_hour(stack, date(2026, 12, 10), date(2026, 12, 17))
    [_, again] = reminder_posts(stack, CHANNEL)
    assert "Overdue (due 9 December 2026)" in shown_text(again.params)
    assert "Snooze a week" not in buttons(again.params)


# ---------------------------------------------------------------------------------------------------- finding 5


async def test_weekly_digests_wait_for_the_working_day_after_a_bank_holiday_monday(stack):
    with at(london(2026, 11, 2, 10)):
        await set_up_committee(stack)
        await record_resolution(stack, "Write to the Minister about school transport.", due="20 November 2026")
    digests_by_then = {date(2026, 12, 28): 0, date(2026, 12, 29): 1, date(2027, 5, 3): 1, date(2027, 5, 4): 2}
    for day, digests in digests_by_then.items():
        await tick_at(stack, london(day.year, day.month, day.day))
        assert len(reminder_posts(stack, CLERKS_DM)) == digests, f"by {day:%A %d %B %Y}"


async def test_notices_of_a_deadline_on_a_bank_holiday_go_out_on_the_working_day_before(stack):
    with at(london(2026, 12, 1, 10)):
        await set_up_committee(stack)
        await open_window(stack, REPORT, "28 December 2026")  # Boxing Day's bank holiday, after Christmas
    await _each_day_at_the_hour(stack, date(2026, 12, 21), date(2026, 12, 28))
    await tick_at(stack, london(2026, 12, 28, 23, 59, 59))
    channel = reminder_posts(stack, CHANNEL)
    assert reminder_kinds(channel) == ["window.week", "window.today", "window.closed"]
    assert "close *in 7 days*" in shown_text(channel[0].params)  # Monday 21 December
    assert "close *in 4 days*" in shown_text(channel[1].params)  # Thursday 24 December, not Christmas Day
    nudges = [p for p in reminder_posts(stack) if reminder_kinds([p]) == ["window.nudge"]]
    assert len(nudges) == 4 and all("close *in 4 days*" in shown_text(p.params) for p in nudges)


async def test_an_agenda_deadline_on_a_bank_holiday_is_kept_on_the_working_day_before(stack):
    with at(london(2027, 4, 1, 10)):
        await set_up_committee(stack)
        await add_meeting(stack, "17 May 2027 10:00")  # agenda deadline Monday 3 May, a bank holiday
        await record_resolution(stack, REPORT_BACK, kind="report_back", due="at its next meeting")
    await _each_day_at_the_hour(stack, date(2027, 4, 2), date(2027, 4, 29))
    before = len(reminder_posts(stack))
    await tick_at(stack, london(2027, 4, 30))  # Friday
    friday = reminder_posts(stack)[before:]
    assert sorted(reminder_kinds(friday)) == ["meeting.digest", "report.deadline"]
    assert (
        "Reports for the agenda are due in 3 days, by 3 May 2027"
        in _texts(friday)[reminder_kinds(friday).index("report.deadline")]
    )
    await tick_at(stack, london(2027, 5, 3))
    assert len(reminder_posts(stack)) == before + 2, "a reminder went out on the bank holiday"
    assert reminder_kinds(reminder_posts(stack, CHANNEL)) == ["report.lead", "report.week", "report.deadline"]
    # Each notice says how long is left, so none of them reads as the one before it sent again.
    lead, week, _deadline = (re.search(r"due in \d+ days", t)[0] for t in _texts(reminder_posts(stack, CHANNEL)))
    assert (lead, week) == ("due in 14 days", "due in 7 days")


async def test_a_committee_in_scotland_keeps_scottish_bank_holidays(stack):
    with at(london(2026, 7, 1, 10)):
        await set_up_committee(stack)
        said = await _reminder_hour(stack, "9 weekdays scotland")
        shown = await _reminder_hour(stack, "")
        await record_resolution(stack, "Write to the Minister about school transport.", due="20 July 2026")
    assert "09:00 on working days: not at weekends or on bank holidays in Scotland" in said
    assert "bank holidays in Scotland" in shown
    await tick_at(stack, london(2026, 8, 3))  # Scotland's summer bank holiday
    assert reminder_posts(stack, CLERKS_DM) == []
    await tick_at(stack, london(2026, 8, 4))
    assert reminder_kinds(reminder_posts(stack, CLERKS_DM)) == ["overdue.digest"]
    with at(london(2026, 8, 4, 10)):
        assert "England and Wales" in await _reminder_hour(stack, "england and wales")


# ---------------------------------------------------------------------------------------------------- finding 6


async def test_something_falling_overdue_midweek_waits_for_the_next_weekly_digest(stack):
    with at(london(2026, 11, 30, 10)):
        await set_up_committee(stack)
        await record_resolution(stack, "Circulate the budget papers.", due="8 December 2026")
    await tick_at(stack, london(2026, 12, 7))  # Monday: nothing overdue yet
    await tick_at(stack, london(2026, 12, 9, 11, 45))  # Wednesday: overdue since Tuesday night
    assert reminder_posts(stack, CLERKS_DM) == [], "the week's digest went out late, at 11:45"
    await tick_at(stack, london(2026, 12, 14))
    [digest] = reminder_posts(stack, CLERKS_DM)
    assert "R1 Circulate the budget papers: due 8 December 2026 *overdue*" in shown_text(digest.params)


# ---------------------------------------------------------------------------------------------------- finding 7


async def test_notices_not_sent_after_downtime_are_named_as_people_name_them(stack):
    with at(london(2027, 1, 4, 10)):
        await set_up_committee(stack)
        await add_meeting(stack, "23 February 2027 10:00")  # agenda deadline 9 February
        await record_resolution(stack, REPORT_BACK, kind="report_back", due="at its next meeting")
    await tick_at(stack, london(2027, 2, 9, 12))  # down since before the first two report reminders
    await tick_at(stack, london(2027, 2, 15))  # Monday: the clerk's weekly digest owns up to them
    [digest] = [text for text in _texts(reminder_posts(stack, CLERKS_DM)) if "Not sent" in text]
    named = "the second report reminder about R1 Report back on the placement sufficiency strategy, due to go out"
    assert f"{named} Tuesday 2 February 2027 at 09:00" in digest
    assert "resolution:" not in digest


async def test_a_long_digest_is_posted_whole_over_as_many_sections_as_it_needs(stack):
    """Fifteen notices owned up to run past what one Slack section holds: split, never cut off mid-line."""
    topics = "placements, waiting times, school places, transport, respite, adoption, youth work, early help, "
    topics += "fostering, leaving care, mental health, libraries, parks, housing, play areas, sport"
    committee = "Joint Children, Young People, Families, Education and Skills Overview and Scrutiny Committee of the "
    committee += "Combined Authority, the County Council and the Unitary Councils of the Sub-Region"
    with at(london(2027, 1, 4, 10)):
        await set_up_committee(stack, committee)
        await add_meeting(stack, "23 February 2027 10:00")
        for topic in topics.split(", "):
            report = f"Report back on {topic} with the figures for each locality and the plan for the year ahead"
            await record_resolution(stack, report, kind="report_back", due="at its next meeting")
    await tick_at(stack, london(2027, 2, 9, 12))  # down since before the second reminder of each report
    await tick_at(stack, london(2027, 2, 15))
    [digest] = [post for post in reminder_posts(stack, CLERKS_DM) if "Not sent" in shown_text(post.params)]
    sections = [block["text"]["text"] for block in digest.params["blocks"] if block["type"] == "section"]
    assert len(sections) > 1 and all(len(section) <= 3000 for section in sections)
    owned_up = [line for section in sections for line in section.splitlines() if line.startswith("• ")]
    assert len(owned_up) == 15
    assert all(line.endswith("at 09:00 (Europe/London)") for line in owned_up)
