"""What the bot answers, read as a councillor, a clerk or the receiving officer would read it (issue 9, findings
8-14), each through signed HTTP to the real Bolt app, on SQLite and PostgreSQL."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from handlers.reminders import ReminderTiming, tick
from storage.models import Comment, CommentWindow, Meeting, Resolution, ResolutionChange
from tests.flows import (
    accepted_values,
    buttons,
    comment_inline,
    on_ephemeral,
    open_window,
    opened_view,
    record_resolution,
    responses,
    set_up_committee,
    shown_text,
    stored,
    submit_view,
)
from tests.stack import CHAIR, CHANNEL, CLERK, MEMBERS, OFFICER, STRANGER, TEAM
from tests.support.slack_client import text_value, user_value, users_value

PATEL, JONES, SMITH = MEMBERS

LONDON = ZoneInfo("Europe/London")
# A Wednesday in the week the clocks go forward (Sunday 31 March 2030).
WEDNESDAY = datetime(2030, 3, 27, 10, 0, tzinfo=UTC)


async def _as_clerk(stack, command: str, text: str) -> dict:
    reply = await stack.slack.slash_command(command, text, user_id=CLERK, channel_id=CHANNEL)
    assert reply.status == 200, reply.text
    return reply.json()


async def _press(stack, button: dict, user_id: str = CLERK) -> dict:
    stack.fake.responses.clear()
    await stack.slack.block_action(
        button["action_id"], button["value"], user_id=user_id, channel_id=CHANNEL, container=on_ephemeral()
    )
    [answer] = await responses(stack)
    return answer


# --- 13. Reading deadlines ----------------------------------------------------------------------------------------


async def test_next_friday_typed_on_a_wednesday_is_asked_about_with_both_fridays_as_buttons(stack):
    await set_up_committee(stack)
    with time_machine.travel(WEDNESDAY, tick=True):
        asked = await _as_clerk(stack, "/report", f"open Draft plan | | <@{OFFICER}> | next Friday 5pm")
        assert shown_text(asked).startswith(
            '"next Friday" could mean Friday 29 March 2030 (this week) or Friday 5 April 2030 (next week). '
            "Which did you mean?"
        )
        assert list(buttons(asked)) == ["Friday 29 March 2030", "Friday 5 April 2030"]
        preview = await _press(stack, buttons(asked)["Friday 5 April 2030"])
        assert "*Deadline:* Friday 5 April 2030 at 17:00 (Europe/London)" in shown_text(preview)
        assert await stored(stack, CommentWindow) == []
        await _press(stack, buttons(preview)["Open comment window"])
    [window] = await stored(stack, CommentWindow)
    assert window.deadline == datetime(2030, 4, 5, 16, 0, tzinfo=UTC)  # 17:00 BST


async def test_choosing_a_meeting_date_twice_adds_one_meeting(stack):
    await set_up_committee(stack)
    with time_machine.travel(WEDNESDAY, tick=True):
        asked = await _as_clerk(stack, "/meeting", "add next Friday 10:00")
        this_friday = buttons(asked)["Friday 29 March 2030"]
        for _ in range(2):
            added = await _press(stack, this_friday)
            assert "Meeting added: *Friday 29 March 2030 at 10:00 (Europe/London)*" in shown_text(added)
    assert [meeting.starts_at for meeting in await stored(stack, Meeting)] == [datetime(2030, 3, 29, 10, 0, tzinfo=UTC)]


async def test_a_forged_choice_is_refused_politely(stack):
    await set_up_committee(stack)
    await stack.slack.block_action(
        "deadline.choose", '{"command": "/rm", "text": "-rf", "of": "x"}', user_id=CLERK, channel_id=CHANNEL
    )
    [refusal] = await responses(stack)
    assert "That choice is out of date. Please type the command again." in shown_text(refusal)


async def test_a_date_only_month_first_can_mean_is_read_so_and_the_clerk_told(stack):
    await set_up_committee(stack)
    preview = await _as_clerk(stack, "/report", f"open Draft plan | | <@{OFFICER}> | 09/20/2040")
    text = shown_text(preview)
    assert "*Deadline:* Thursday 20 September 2040 at 23:59 (Europe/London)" in text
    assert 'There is no month 20, so I read "09/20/2040" month first, as Thursday 20 September 2040.' in text


async def test_a_time_the_clocks_skip_is_said_when_moving_a_deadline(stack):
    await set_up_committee(stack)
    with time_machine.travel(datetime(2027, 3, 1, 10, 0, tzinfo=UTC), tick=True):
        preview = await _as_clerk(stack, "/report", f"open Draft plan | | <@{OFFICER}> | 20 March 2027")
        await _press(stack, buttons(preview)["Open comment window"])
        await stack.bot.delivery.drain()
        moved = await _as_clerk(stack, "/report", "deadline plan 28 March 2027 1:30am")
    text = shown_text(moved)
    assert "is now *Sunday 28 March 2027 at 02:30 (Europe/London)*" in text
    assert "There is no 01:30 on Sunday 28 March 2027 in Europe/London: the clocks go forward that night" in text
    [window] = await stored(stack, CommentWindow)
    assert window.deadline == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


async def test_next_friday_in_the_report_form_names_both_fridays_beside_the_deadline(stack):
    await set_up_committee(stack)
    await stack.slack.slash_command("/report", "", user_id=CLERK, channel_id=CHANNEL)
    view = await opened_view(stack)
    values = {
        "title": text_value("Draft plan"),
        "document_url": text_value(""),
        "officer": user_value(OFFICER),
        "deadline": text_value("next Friday"),
    }
    with time_machine.travel(WEDNESDAY, tick=True):
        answer = (await submit_view(stack, view, values, CLERK)).json()
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "deadline": '"next Friday" could mean Friday 29 March 2030 (this week) or Friday 5 April 2030 (next week). '
        "Which did you mean?"
    }


async def test_a_due_date_the_register_cannot_read_is_shown_beside_the_due_field(stack):
    await set_up_committee(stack)
    await stack.slack.slash_command("/actions", "add", user_id=CLERK, channel_id=CHANNEL)
    view = await opened_view(stack)
    values = {
        "text": text_value("That the Director reports on waiting times."),
        "kind": {"type": "static_select", "selected_option": {"value": "action", "text": {"text": "Action"}}},
        "owner_user_id": user_value(None),
        "owner_title": text_value("Director"),
        "due": text_value("whenever suits"),
        "meeting_date": text_value(""),
    }
    answer = (await submit_view(stack, view, values, CLERK)).json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["due"]
    assert 'I couldn\'t read "whenever suits" as a date.' in answer["errors"]["due"]


# --- 8. A report whose window has closed ------------------------------------------------------------------------


async def _two_windows_one_closing_tomorrow(stack) -> tuple[int, int]:
    await set_up_committee(stack)
    closing = await open_window(stack, "Draft annual report 2021/22", "tomorrow")
    later = await open_window(stack, "Budget consultation", "20 September 2040")
    return closing, later


async def test_commenting_on_a_closed_report_says_when_it_closed_and_to_ask_the_clerk(stack):
    closing, _ = await _two_windows_one_closing_tomorrow(stack)
    await comment_inline(stack, PATEL, "annual-report-2021 Section 2 needs figures")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=2), tick=True):
        for typed in ("annual-report-2021 One more thought", "annual-report-2021 no comments"):
            refusal = shown_text(await comment_inline(stack, JONES, typed))
            assert refusal.startswith("Comments on Draft annual report 2021/22 closed on "), refusal
            assert "If you need more time, ask the committee's clerk to reopen it." in refusal
            assert "Which report is this about?" not in refusal
        await stack.slack.block_action("comment.none", str(closing), user_id=JONES, channel_id=CHANNEL)
        [pressed] = await responses(stack)
        assert shown_text(pressed).startswith("Comments on Draft annual report 2021/22 closed on ")
        listing = shown_text(await comment_inline(stack, PATEL, "list"))
    assert "*Closed lately* (these can no longer be changed)" in listing
    assert "*Draft annual report 2021/22*: closed " in listing and "> Section 2 needs figures" in listing
    assert "*Budget consultation*: no response from you yet." in listing
    assert [c.author_user_id for c in await stored(stack, Comment)] == [PATEL]


async def test_comment_list_after_the_only_window_closed_shows_what_was_said(stack):
    await set_up_committee(stack)
    await open_window(stack, deadline="tomorrow")
    await comment_inline(stack, PATEL, "annual-report-2021 no comments")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=2), tick=True):
        listing = shown_text(await comment_inline(stack, PATEL, "list"))
    assert listing.startswith("Your responses to reports\nNo reports are open for your comments at the moment.")
    assert "ask the committee's clerk to reopen it" in listing
    assert "*Draft annual report 2021/22*: closed " in listing and "You said you had no comments, " in listing
    assert listing.count("Draft annual report 2021/22") == 1


# --- 9. /comment where there is nothing to comment on ----------------------------------------------------------


async def test_comment_in_a_channel_that_is_no_committee_says_how_a_clerk_sets_one_up(stack):
    for typed in ("", "annual-report Hello", "list"):
        reply = await stack.slack.slash_command("/comment", typed, user_id=PATEL, channel_id="CELSEWHERE")
        answer = shown_text(reply.json())
        assert "this channel isn't set up as a committee" in answer, answer
        assert "`/committee setup &lt;committee name&gt;`" in answer and "`/report`" in answer
    assert stack.fake.calls_to("views.open") == []


async def test_someone_outside_the_committee_is_told_so_not_that_nothing_is_open(stack):
    await set_up_committee(stack)
    await open_window(stack)
    for typed in ("", "list"):
        reply = await stack.slack.slash_command("/comment", typed, user_id=STRANGER, channel_id=CHANNEL)
        answer = shown_text(reply.json())
        assert answer.startswith("Only members of Children and Families Overview and Scrutiny Committee can comment")
        assert "No comment windows are open" not in answer


async def test_an_empty_register_list_says_match_only_when_it_was_filtered(stack):
    await set_up_committee(stack)
    assert shown_text(await _as_clerk(stack, "/actions", "")).startswith(
        "There are no open resolutions in Children and Families Overview and Scrutiny Committee."
    )
    assert "that match." in shown_text(await _as_clerk(stack, "/actions", "overdue"))
    mine = shown_text(await _as_clerk(stack, "/actions", "mine"))
    assert mine.startswith("You own none of the open resolutions in Children and Families Overview and Scrutiny")
    assert shown_text(await _as_clerk(stack, "/actions", "all")).startswith(
        "There are no open resolutions in any of your committees."
    )


# --- 10. Who is asked to comment --------------------------------------------------------------------------------


async def test_the_officer_and_the_clerk_are_not_asked_to_comment_and_see_how_it_is_going(stack):
    await set_up_committee(stack)
    window_id = await open_window(stack)
    await comment_inline(stack, PATEL, "annual-report-2021 Agreed")

    officer = shown_text(await comment_inline(stack, OFFICER, "annual-report-2021 My own view"))
    assert officer.startswith("You receive the comments on Draft annual report 2021/22, so you aren't asked")
    assert "`/report export annual-report-2021` sends you what members have said so far." in officer
    clerk = shown_text(await comment_inline(stack, CLERK, "annual-report-2021 no comments"))
    assert clerk.startswith("Clerks aren't asked to comment on Draft annual report 2021/22")
    await stack.slack.block_action("comment.add", str(window_id), user_id=OFFICER, channel_id=CHANNEL)
    [pressed] = await responses(stack)
    assert shown_text(pressed).startswith("You receive the comments on Draft annual report 2021/22")
    for person in (OFFICER, CLERK):
        listing = shown_text(await comment_inline(stack, person, "list"))
        assert "There is no report for you to comment on" in listing and "no response from you yet" not in listing

    await stack.slack.event({"type": "app_home_opened", "user": OFFICER, "channel": "DHOME", "tab": "home"})
    [home] = await stack.fake.wait_for("views.publish", where=lambda c: c.params.get("user_id") == OFFICER)
    shown = shown_text(home.params["view"])
    assert "no response from you yet" not in shown
    assert "*Comment windows you look after*" in shown
    # The chair and the three councillors are asked; the clerk and the officer are not.
    assert "1 of 4 members responded · you receive the comments" in shown
    assert [c.author_user_id for c in await stored(stack, Comment)] == [PATEL]


async def test_a_chair_who_is_also_a_clerk_is_still_asked_and_listed_as_not_responding(stack):
    await stack.slack.slash_command("/committee", "setup", user_id=CLERK, channel_id=CHANNEL)
    view = await opened_view(stack)
    values = {
        "name": text_value("Children and Families Overview and Scrutiny Committee"),
        "timezone": text_value("Europe/London"),
        "clerks": users_value([CLERK, CHAIR]),
        "chair": user_value(CHAIR),
    }
    await submit_view(stack, view, values, CLERK)
    await stack.fake.wait_for("chat.postMessage")
    window_id = await open_window(stack)
    for person in MEMBERS:
        await stack.slack.block_action("comment.none", str(window_id), user_id=person, channel_id=CHANNEL)
    await responses(stack, count=len(MEMBERS))
    nothing = shown_text(await comment_inline(stack, CLERK, ""))
    assert "There is no report for you to comment on: you clerk Children and Families" in nothing
    export = await stack.slack.slash_command(
        "/report", "export annual-report-2021", user_id=OFFICER, channel_id=CHANNEL
    )
    assert '3 "no comments", 1 not yet responded' in shown_text(export.json())
    await stack.fake.wait_for("files.completeUploadExternal")
    markdown = next(f for f in stack.fake.uploaded_files if f.filename.endswith(".md")).content.decode()
    assert "Cllr Chair" in markdown.split("Not yet responded", 1)[1]
    await stack.slack.block_action("comment.none", str(window_id), user_id=CHAIR, channel_id=CHANNEL)
    assert "you have no comments" in shown_text((await responses(stack, count=len(MEMBERS) + 1))[-1])


async def test_the_officer_answering_in_the_announcements_thread_is_not_offered_a_comment(stack):
    await set_up_committee(stack)
    await open_window(stack)
    [announcement] = stack.fake.history[CHANNEL]
    thread = announcement["ts"]
    for person, ts in ((OFFICER, "1800000000.000200"), (CLERK, "1800000000.000300"), (PATEL, "1800000000.000400")):
        reply = {"type": "message", "channel": CHANNEL, "user": person, "text": "Section 3 is on page 12.", "ts": ts}
        await stack.slack.event(reply | {"thread_ts": thread, "team": TEAM, "channel_type": "channel"})
    [offer] = await stack.fake.wait_for("chat.postEphemeral")
    await stack.bot.delivery.drain()
    assert [call.params["user"] for call in stack.fake.calls_to("chat.postEphemeral")] == [PATEL]
    assert "Add your reply as your comment" in shown_text(offer.params)


# --- 11. Decisions only noted, and comment deadlines that have passed ------------------------------------------


async def _register_csv(stack) -> list[dict]:
    await stack.slack.slash_command("/actions", "export", user_id=CLERK, channel_id=CHANNEL)
    await stack.fake.wait_for("files.completeUploadExternal")
    content = next(f for f in stack.fake.uploaded_files if f.filename.endswith(".csv")).content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


async def test_noted_decisions_and_passed_comment_deadlines_are_in_the_register_not_the_open_list(stack):
    await set_up_committee(stack)
    meeting = {"meeting_date": "1 December 2026"}
    await record_resolution(stack, "That the annual report be noted.", kind="noted", **meeting)
    await record_resolution(stack, "That members comment by tomorrow.", kind="comment_deadline", due="tomorrow")
    await record_resolution(
        stack, "That the Director reports on waiting times.", due="31 March 2041", owner_title="Director", **meeting
    )
    with time_machine.travel(datetime.now(UTC) + timedelta(days=3), tick=True):
        listing = shown_text(await _as_clerk(stack, "/actions", ""))
        await stack.slack.event({"type": "app_home_opened", "user": CLERK, "channel": "DHOME", "tab": "home"})
        [home] = await stack.fake.wait_for("views.publish", where=lambda c: c.params.get("user_id") == CLERK)
        rows = await _register_csv(stack)
    assert "(showing 1–1 of 1)" in listing
    assert "waiting times" in listing
    assert "be noted" not in listing and "members comment" not in listing and "no owner yet" not in listing
    assert "overdue" not in listing
    assert "Nothing is overdue." in shown_text(home.params["view"])
    by_text = {row["text"]: row for row in rows}
    assert [(row["status"], row["meeting_date"]) for row in by_text.values()] == [
        ("open", "1 December 2026"),
        ("noted", "1 December 2026"),
        ("deadline passed", datetime.now(UTC).astimezone(LONDON).strftime("%-d %B %Y")),
    ]
    assert by_text["That members comment by tomorrow."]["overdue"] == "no"


async def test_a_noted_decision_with_a_due_date_is_refused_beside_the_due_field(stack):
    await set_up_committee(stack)
    answer = await record_resolution(stack, "That the report be noted.", kind="noted", due="31 March 2041")
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "due": "A resolution that is only noted asks nothing of anyone, so nothing is due. "
        "Leave this empty, or choose another kind."
    }
    assert await stored(stack, Resolution) == []


async def test_moving_a_windows_deadline_moves_its_comment_deadline_in_the_register(stack):
    await set_up_committee(stack)
    minute = (
        "RESOLVED: That members submit their views on the draft annual report to the Director "
        "by no later than 20 September 2040."
    )
    await stack.slack.slash_command("/minutes", minute, user_id=CLERK, channel_id=CHANNEL)
    view = await opened_view(stack)
    # The minute gives no meeting date, so the form asks for one.
    values = accepted_values(view, officer_1=user_value(OFFICER), meeting_date=text_value("6 September 2040"))
    await submit_view(stack, view, values, CLERK)
    [window] = await stack.fake.wait_for("chat.getPermalink")
    await stack.bot.delivery.drain()
    [window] = await stored(stack, CommentWindow)
    await _as_clerk(stack, "/report", f"deadline {window.ref} 4 October 2040")
    [resolution] = await stored(stack, Resolution)
    assert resolution.due_date == date(2040, 10, 4)
    [_, moved] = sorted(await stored(stack, ResolutionChange), key=lambda change: change.id)
    assert (moved.action, moved.actor_user_id, moved.note) == ("redated", CLERK, "the comment deadline was moved")


# --- 12. Forms keep what was given -----------------------------------------------------------------------------


async def test_the_set_up_form_of_an_existing_committee_starts_from_how_it_is_set_up(stack):
    await set_up_committee(stack)
    await stack.slack.slash_command("/committee", "setup", user_id=CLERK, channel_id=CHANNEL)
    view = await opened_view(stack)
    elements = {block["block_id"]: block["element"] for block in view["blocks"] if block.get("type") == "input"}
    assert elements["name"]["initial_value"] == "Children and Families Overview and Scrutiny Committee"
    assert elements["timezone"]["initial_value"] == "Europe/London"
    assert elements["clerks"]["initial_users"] == [CLERK]
    assert "initial_user" not in elements["chair"]


# --- 14. Smaller ones -------------------------------------------------------------------------------------------


async def test_actions_for_one_committee_are_headed_with_its_name(stack):
    await set_up_committee(stack)
    await record_resolution(stack, "That the Director reports on waiting times.", due="31 March 2041")
    listing = shown_text(await _as_clerk(stack, "/actions", "committee children"))
    assert "*Open resolutions: Children and Families Overview and Scrutiny Committee*" in listing
    assert "all your committees" not in listing


async def test_an_officer_slack_does_not_know_is_not_told_to_use_at(stack):
    await set_up_committee(stack)
    answer = shown_text(await _as_clerk(stack, "/report", "open Draft plan | | @nobody | 20 September 2040"))
    assert 'I can\'t find anyone called "@nobody" here.' in answer
    assert "with @, e.g." not in answer


async def test_report_export_without_a_report_lists_those_you_can_export(stack):
    await set_up_committee(stack)
    await open_window(stack, "Draft annual report 2021/22")
    await open_window(stack, "Budget consultation", "1 March 2041")
    for person in (CLERK, OFFICER):
        reply = await stack.slack.slash_command("/report", "export", user_id=person, channel_id=CHANNEL)
        answer = shown_text(reply.json())
        # The example is a real report, the soonest to close; every one they can export is listed.
        assert "e.g. `/report export annual-report-2021`.\nReports you can choose from:" in answer
        assert "• `annual-report-2021`: Draft annual report 2021/22" in answer
        assert "• `budget-consultation`: Budget consultation" in answer
    refused = await stack.slack.slash_command("/report", "export", user_id=PATEL, channel_id=CHANNEL)
    assert "Only the officer who receives a report's comments" in shown_text(refused.json())


async def test_comment_list_shows_the_section_and_the_form_hint_does_not_repeat_optional(stack):
    await set_up_committee(stack)
    window_id = await open_window(stack)
    await stack.slack.slash_command("/comment", "", user_id=PATEL, channel_id=CHANNEL)
    view = await opened_view(stack)
    section = next(b for b in view["blocks"] if b.get("block_id") == "section")
    assert section["optional"] is True and section["hint"]["text"] == 'e.g. "Section 3" or "page 12"'
    values = {
        "report": {"type": "static_select", "selected_option": {"value": str(window_id)}},
        "section": text_value("Section 4"),
        "text": text_value("The figures need a source."),
    }
    await submit_view(stack, view, values, PATEL)
    listing = shown_text(await comment_inline(stack, PATEL, "list"))
    assert "*Draft annual report 2021/22* (Section 4) · " in listing


async def test_a_meeting_in_2207_is_refused_and_one_on_a_sunday_is_kept_but_said(stack):
    await set_up_committee(stack)
    refused = shown_text(await _as_clerk(stack, "/meeting", "add 14 March 2207 10:00"))
    assert "is more than 20 years away, which is not a date a committee would use. Please check the year." in refused
    assert await stored(stack, Meeting) == []
    sunday = await _as_clerk(stack, "/meeting", "add 17 March 2041 10:00")
    assert "Meeting added: *Sunday 17 March 2041 at 10:00 (Europe/London)*" in shown_text(sunday)
    assert "That is a Sunday. If that is not what you meant, move it." in shown_text(sunday)
    assert list(buttons(sunday)) == ["Move"]
    weekday = await _as_clerk(stack, "/meeting", "add 14 March 2041 10:00")
    assert "That is a" not in shown_text(weekday) and buttons(weekday) == {}
    assert len(await stored(stack, Meeting)) == 2


async def test_a_meeting_on_a_bank_holiday_is_kept_and_the_holiday_named_for_the_committees_part_of_the_uk(stack):
    await set_up_committee(stack)
    christmas = shown_text(await _as_clerk(stack, "/meeting", "add 25 December 2041 10:00"))
    assert "That is Christmas Day, a bank holiday in England and Wales. If that is not what you meant" in christmas
    await _as_clerk(stack, "/committee", "reminders 9 weekdays scotland")
    st_andrews = shown_text(await _as_clerk(stack, "/meeting", "add 2 December 2041 10:00"))  # observed Monday
    assert "a bank holiday in Scotland" in st_andrews and "Andrew" in st_andrews
    assert len(await stored(stack, Meeting)) == 2


async def _tick_at(stack, instant: datetime) -> None:
    with time_machine.travel(instant, tick=False):
        await tick(stack.bot.services, stack.bot.reminders, "test", ReminderTiming(pace_seconds=0))


async def test_closing_day_notice_gives_the_time_once_and_digest_lines_read_cleanly(stack):
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=UTC), tick=True):  # Monday
        await set_up_committee(stack)
        await open_window(stack, "Draft annual report 2025/26", "4 December 2026 5pm")
        await record_resolution(stack, "That the Director reports on waiting times.", due="25 November 2026")
    await _tick_at(stack, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # Monday: the overdue digest
    await _tick_at(stack, datetime(2026, 12, 4, 9, 0, tzinfo=UTC))  # Friday, the closing day
    posts = [shown_text(call.params) for call in stack.fake.calls_to("chat.postMessage")]
    [closing_day] = [text for text in posts if "close *today" in text]
    assert "close *today at 17:00* (4 December 2026)." in closing_day
    digests = [text for text in posts if "Overdue resolutions" in text]
    assert digests and all("waiting times: due 25 November 2026 *overdue*" in text for text in digests)
    assert not any("waiting times.:" in text for text in posts)
