"""Teams twins of the wording stories of tests/test_replies_e2e.py: what a person is told when there is nothing to
act on, they are in the wrong place for it, or what they typed needs reading, is the same in Teams; a question
Slack asks with buttons is asked with a card's buttons, and a form's problem is shown beside its field in the
dialog shown again."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from bot.teams.cards import CARD_TYPE, PRESS
from handlers.reminders import tick
from storage.models import Comment, CommentWindow, Meeting, Resolution, ResolutionChange
from tests.flows import FAST
from tests.support.fake_bot_connector import CHANNEL_ID
from tests.teams_reminders_stack import teams_instance
from tests.teams_stack import (
    CHAIR,
    CLERK,
    COMMITTEE,
    MEMBERS,
    OFFICER,
    STRANGER,
    Answer,
    allow_files,
    button_list,
    buttons,
    dialog_card,
    dialog_inputs,
    note,
    open_window,
    set_up_committee,
    shown,
    stored,
    unescaped,
)

PATEL, JONES, _ = MEMBERS
LONDON = ZoneInfo("Europe/London")
# A Wednesday in the week the clocks go forward (Sunday 31 March 2030).
WEDNESDAY = datetime(2030, 3, 27, 10, 0, tzinfo=UTC)
BOTH_FRIDAYS = (
    '"next Friday" could mean Friday 29 March 2030 (this week) or Friday 5 April 2030 (next week). Which did you mean?'
)


async def test_teams_comment_list_after_the_only_window_closed_shows_what_was_said(teams):
    await set_up_committee(teams)
    await open_window(teams, deadline="tomorrow")
    await teams.teams.say(PATEL, "comment annual-report-2021 no comments")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=2), tick=True):
        await teams.teams.say(PATEL, "comment list")
    told = teams.last_private(PATEL)
    listing = shown(told)
    assert told["summary"] == "Your responses to reports"
    assert listing.startswith("No reports are open for your comments at the moment.")
    assert "ask the committee's clerk to reopen it" in listing
    assert "**Draft annual report 2021/22**: closed " in listing and "You said you had no comments, " in listing
    assert listing.count("Draft annual report 2021/22") == 1


async def test_teams_comment_in_a_channel_that_is_no_committee_says_how_a_clerk_sets_one_up(teams):
    for typed in ("comment", "comment annual-report Hello", "comment list"):
        await teams.teams.say(PATEL, typed)
        answer = shown(teams.last_private(PATEL))
        assert "this channel isn't set up as a committee" in answer, answer
        assert "committee setup <committee name>" in answer and "report" in answer


async def test_teams_someone_outside_the_committee_is_told_so_not_that_nothing_is_open(teams):
    await set_up_committee(teams)
    await open_window(teams)
    for typed in ("comment", "comment list"):
        await teams.teams.say(STRANGER, typed)
        answer = shown(teams.last_private(STRANGER))
        assert "Only members of Children and Families Overview and Scrutiny Committee can comment" in answer, answer
        assert "No comment windows are open" not in answer


async def test_teams_an_empty_register_list_says_match_only_when_it_was_filtered(teams):
    await set_up_committee(teams)
    await teams.teams.say(CLERK, "actions")
    assert "There are no open resolutions in Children and Families Overview and Scrutiny Committee." in shown(
        teams.last_private(CLERK)
    )
    await teams.teams.say(CLERK, "actions overdue")
    assert "that match." in shown(teams.last_private(CLERK))
    await teams.teams.say(CLERK, "actions mine")
    assert "You own none of the open resolutions in Children and Families" in shown(teams.last_private(CLERK))
    await teams.teams.say(CLERK, "actions all")
    assert "There are no open resolutions in any of your committees." in shown(teams.last_private(CLERK))


# The wording stories of issue 9 (findings 8-14), as a Teams clerk, councillor or receiving officer reads them.


async def _clerk_says(teams, text: str, mentions: tuple = ()) -> dict:
    answer = await teams.teams.say(CLERK, text, mentions=mentions)
    assert answer.status == 202, answer.text
    return teams.last_private(CLERK)


async def _record(teams, text: str, kind: str = "action", **values) -> Answer:
    """`actions add`, its form opened from the button and submitted with `values` (the rest left empty)."""
    await teams.teams.say(CLERK, "actions add")
    dialog = await teams.teams.press(CLERK, buttons(teams.last_private(CLERK))["Record a resolution"])
    fields = {"owner_user_id": "", "owner_title": "", "due": "", "meeting_date": ""}
    return await teams.teams.submit(CLERK, dialog.json(), {"text": text, "kind": kind, **fields, **values})


def _problem_beside(answer: Answer, field: str) -> str:
    """The dialog shown again: the words next to `field` (the element right after its box) marked as a problem,
    and at the top only a line sending the reader down to it."""
    body = dialog_card(answer)["body"]
    problems = [index for index, element in enumerate(body) if element.get("color") == "attention"]
    top, at = problems
    assert top == 0 and unescaped(body[top]["text"]).startswith('⚠️ Please correct "'), body[top]
    assert body[at - 1].get("id") == field, f"the problem is not beside {field}: {body}"
    return unescaped(body[at]["text"]).removeprefix("⚠️ ")


def _last_reply_in_a_channel_thread(teams):
    replies = [
        reply
        for conversation, posted in teams.connector.posted.items()
        if conversation.startswith(f"{CHANNEL_ID};messageid=")
        for reply in posted
    ]
    return max(replies, key=lambda reply: reply.created_at)


def _press_of(action: str, value: str) -> dict:
    """A card button as our cards write it, for a press no card of ours offered."""
    return {
        "data": {"msteams": {"type": "task/fetch"}, PRESS: {"action": action, "value": value, "channel": CHANNEL_ID}}
    }


# --- 13. Reading deadlines ----------------------------------------------------------------------------------------


async def test_teams_next_friday_typed_on_a_wednesday_is_asked_about_with_both_fridays_as_buttons(teams):
    await set_up_committee(teams)
    with time_machine.travel(WEDNESDAY, tick=True):
        asked = await _clerk_says(teams, f"report open Draft plan | | @{OFFICER} | next Friday 5pm", (OFFICER,))
        assert shown(asked).startswith("❓ " + BOTH_FRIDAYS)
        assert [action["title"] for action in button_list(asked)] == ["Friday 29 March 2030", "Friday 5 April 2030"]
        chosen = await teams.teams.press(CLERK, buttons(asked)["Friday 5 April 2030"])
        assert chosen.status == 200, chosen.text
        preview = teams.last_private(CLERK)
        assert "**Deadline:** Friday 5 April 2030 at 17:00 (Europe/London)" in shown(preview)
        assert await stored(teams, CommentWindow) == []
        await teams.teams.press(CLERK, buttons(preview)["Open comment window"])
    [window] = await stored(teams, CommentWindow)
    assert window.deadline == datetime(2030, 4, 5, 16, 0, tzinfo=UTC)  # 17:00 BST


async def test_teams_choosing_a_meeting_date_twice_adds_one_meeting(teams):
    await set_up_committee(teams)
    with time_machine.travel(WEDNESDAY, tick=True):
        asked = await _clerk_says(teams, "meeting add next Friday 10:00")
        this_friday = buttons(asked)["Friday 29 March 2030"]
        for _ in range(2):
            await teams.teams.press(CLERK, this_friday)
            assert "Meeting added: **Friday 29 March 2030 at 10:00 (Europe/London)**" in shown(
                teams.last_private(CLERK)
            )
    assert [meeting.starts_at for meeting in await stored(teams, Meeting)] == [datetime(2030, 3, 29, 10, 0, tzinfo=UTC)]


async def test_teams_a_forged_choice_is_refused_politely(teams):
    await set_up_committee(teams)
    forged = _press_of("deadline.choose", '{"command": "/rm", "text": "-rf", "of": "x"}')
    refused = await teams.teams.press(CLERK, forged)
    assert "That choice is out of date. Please type the command again." in note(refused)
    # The same press as a Universal Action (Action.Execute) is refused the same way, in the card's place.
    executed = await teams.teams.invoke(CLERK, "adaptiveCard/action", {"action": {"type": "Action.Execute", **forged}})
    assert "That choice is out of date. Please type the command again." in executed.json()["value"]
    assert await stored(teams, CommentWindow) == [] and await stored(teams, Meeting) == []


async def test_teams_a_date_only_month_first_can_mean_is_read_so_and_the_clerk_told(teams):
    await set_up_committee(teams)
    preview = shown(await _clerk_says(teams, f"report open Draft plan | | @{OFFICER} | 09/20/2040", (OFFICER,)))
    assert "**Deadline:** Thursday 20 September 2040 at 23:59 (Europe/London)" in preview
    assert 'There is no month 20, so I read "09/20/2040" month first, as Thursday 20 September 2040.' in preview


async def test_teams_a_time_the_clocks_skip_is_said_when_moving_a_deadline(teams):
    await set_up_committee(teams)
    with time_machine.travel(datetime(2027, 3, 1, 10, 0, tzinfo=UTC), tick=True):
        await open_window(teams, "Draft plan", "20 March 2027")
        await teams.teams.say(CLERK, "report deadline plan 28 March 2027 1:30am")
    # Said for everyone, in the channel: in the thread the clerk's message started.
    moved = shown(_last_reply_in_a_channel_thread(teams).activity)
    assert "is now **Sunday 28 March 2027 at 02:30 (Europe/London)**" in moved
    assert "There is no 01:30 on Sunday 28 March 2027 in Europe/London: the clocks go forward that night" in moved
    [window] = await stored(teams, CommentWindow)
    assert window.deadline == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


async def test_teams_next_friday_in_the_report_form_names_both_fridays_beside_the_deadline(teams):
    await set_up_committee(teams)
    await teams.teams.say(CLERK, "report")
    dialog = await teams.teams.press(CLERK, buttons(teams.last_private(CLERK))["Open comment window"])
    values = {"title": "Draft plan", "document_url": "", "officer": OFFICER, "deadline": "next Friday"}
    with time_machine.travel(WEDNESDAY, tick=True):
        again = await teams.teams.submit(CLERK, dialog.json(), values)
    assert _problem_beside(again, "deadline") == BOTH_FRIDAYS
    assert dialog_inputs(again)["deadline"]["value"] == "next Friday"
    assert await stored(teams, CommentWindow) == []


async def test_teams_a_due_date_the_register_cannot_read_is_shown_beside_the_due_field(teams):
    await set_up_committee(teams)
    again = await _record(
        teams, "That the Director reports on waiting times.", owner_title="Director", due="whenever suits"
    )
    assert 'I couldn\'t read "whenever suits" as a date.' in _problem_beside(again, "due")
    assert await stored(teams, Resolution) == []


# --- 8. A report whose window has closed ------------------------------------------------------------------------


async def test_teams_commenting_on_a_closed_report_says_when_it_closed_and_to_ask_the_clerk(teams):
    await set_up_committee(teams)
    closing = await open_window(teams, "Draft annual report 2021/22", "tomorrow")
    await open_window(teams, "Budget consultation", "20 September 2040")
    await teams.teams.say(PATEL, "comment annual-report-2021 Section 2 needs figures")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=2), tick=True):
        for typed in ("comment annual-report-2021 One more thought", "comment annual-report-2021 no comments"):
            await teams.teams.say(JONES, typed)
            refusal = shown(teams.last_private(JONES))
            assert refusal.startswith("⚠️ Comments on Draft annual report 2021/22 closed on "), refusal
            assert "If you need more time, ask the committee's clerk to reopen it." in refusal
            assert "Which report is this about?" not in refusal
        pressed = await teams.teams.press(JONES, _press_of("comment.none", str(closing)))
        assert note(pressed).startswith("Comments on Draft annual report 2021/22 closed on ")
        await teams.teams.say(PATEL, "comment list")
        listing = shown(teams.last_private(PATEL))
    assert "**Closed lately** (these can no longer be changed)" in listing
    assert "**Draft annual report 2021/22**: closed " in listing and "Section 2 needs figures" in listing
    assert "**Budget consultation**: no response from you yet." in listing
    assert [c.author_user_id for c in await stored(teams, Comment)] == [PATEL]


# --- 10. Who is asked to comment --------------------------------------------------------------------------------


async def test_teams_the_officer_and_the_clerk_are_not_asked_to_comment_and_see_how_it_is_going(teams):
    await set_up_committee(teams)
    await open_window(teams)
    await teams.teams.say(PATEL, "comment annual-report-2021 Agreed")

    await teams.teams.say(OFFICER, "comment annual-report-2021 My own view")
    officer = shown(teams.last_private(OFFICER))
    assert officer.startswith("⚠️ You receive the comments on Draft annual report 2021/22, so you aren't asked")
    assert "@committee-bot report export annual-report-2021 sends you what members have said so far." in officer
    await teams.teams.say(CLERK, "comment annual-report-2021 no comments")
    assert shown(teams.last_private(CLERK)).startswith(
        "⚠️ Clerks aren't asked to comment on Draft annual report 2021/22"
    )
    announcement = teams.channel_posts()[-1].activity
    pressed = await teams.teams.press(OFFICER, buttons(announcement)["Add comment"])
    assert note(pressed).startswith("You receive the comments on Draft annual report 2021/22")
    for person in (OFFICER, CLERK):
        await teams.teams.say(person, "comment list")
        listing = shown(teams.last_private(person))
        assert "There is no report for you to comment on" in listing and "no response from you yet" not in listing

    # Teams' Home is a card in the person's chat with the bot.
    await teams.teams.say(OFFICER, "home", where="chat")
    home = shown(teams.last_private(OFFICER))
    assert "no response from you yet" not in home
    assert "**Comment windows you look after**" in home
    # The chair and the three councillors are asked; the clerk and the officer are not.
    assert "1 of 4 members responded · you receive the comments" in home
    assert [c.author_user_id for c in await stored(teams, Comment)] == [PATEL]


async def test_teams_a_chair_who_is_also_a_clerk_is_still_asked_and_listed_as_not_responding(teams):
    await teams.teams.say(CLERK, "committee setup")
    dialog = await teams.teams.press(CLERK, buttons(teams.last_private(CLERK))["Set up committee"])
    values = {"name": COMMITTEE, "timezone": "Europe/London", "clerks": f"{CLERK},{CHAIR}", "chair": CHAIR}
    assert (await teams.teams.submit(CLERK, dialog.json(), values)).status == 200
    window_id = await open_window(teams)
    for person in MEMBERS:
        await teams.teams.press(person, _press_of("comment.none", str(window_id)))
    await teams.teams.say(CLERK, "comment")
    assert "There is no report for you to comment on: you clerk Children and Families" in shown(
        teams.last_private(CLERK)
    )
    await teams.teams.say(OFFICER, "report export annual-report-2021")
    said = [shown(m.activity) for m in teams.chat(OFFICER) if m.activity.get("summary")]
    assert any('3 "no comments", 1 not yet responded' in text for text in said), said
    markdown = (await allow_files(teams, OFFICER))["md"].decode()
    assert "Cllr Chair" in markdown.split("Not yet responded", 1)[1]
    await teams.teams.press(CHAIR, _press_of("comment.none", str(window_id)))
    assert "you have no comments" in shown(teams.last_private(CHAIR))


async def test_teams_the_officer_answering_in_the_announcements_thread_is_not_offered_a_comment(teams):
    await set_up_committee(teams)
    await open_window(teams)
    [announcement] = teams.channel_posts()
    for person in (OFFICER, CLERK, PATEL):
        await teams.teams.say(person, "Section 3 is on page 12.", thread=announcement.id)
    offered = [
        person
        for person in (OFFICER, CLERK, PATEL)
        if any("Add as my comment" in buttons(m.activity) for m in teams.chat(person))
    ]
    assert offered == [PATEL]
    assert "Add your reply as your comment" in shown(teams.last_private(PATEL))


# --- 11. Decisions only noted, and comment deadlines that have passed ------------------------------------------


async def test_teams_noted_decisions_and_passed_comment_deadlines_are_in_the_register_not_the_open_list(teams):
    await set_up_committee(teams)
    meeting = {"meeting_date": "1 December 2026"}
    await _record(teams, "That the annual report be noted.", kind="noted", **meeting)
    await _record(teams, "That members comment by tomorrow.", kind="comment_deadline", due="tomorrow")
    await _record(
        teams, "That the Director reports on waiting times.", due="31 March 2041", owner_title="Director", **meeting
    )
    with time_machine.travel(datetime.now(UTC) + timedelta(days=3), tick=True):
        listing = shown(await _clerk_says(teams, "actions"))
        await teams.teams.say(CLERK, "home", where="chat")
        home = shown(teams.last_private(CLERK))
        await teams.teams.say(CLERK, "actions export")
        rows = list(csv.DictReader(io.StringIO((await allow_files(teams, CLERK))["csv"].decode("utf-8-sig"))))
    assert "(showing 1–1 of 1)" in listing
    assert "waiting times" in listing
    assert "be noted" not in listing and "members comment" not in listing and "no owner yet" not in listing
    assert "overdue" not in listing
    assert "Nothing is overdue." in home
    by_text = {row["text"]: row for row in rows}
    assert [(row["status"], row["meeting_date"]) for row in by_text.values()] == [
        ("open", "1 December 2026"),
        ("noted", "1 December 2026"),
        ("deadline passed", datetime.now(UTC).astimezone(LONDON).strftime("%-d %B %Y")),
    ]
    assert by_text["That members comment by tomorrow."]["overdue"] == "no"


async def test_teams_a_noted_decision_with_a_due_date_is_refused_beside_the_due_field(teams):
    await set_up_committee(teams)
    again = await _record(teams, "That the report be noted.", kind="noted", due="31 March 2041")
    assert _problem_beside(again, "due") == (
        "A resolution that is only noted asks nothing of anyone, so nothing is due. "
        "Leave this empty, or choose another kind."
    )
    assert await stored(teams, Resolution) == []


async def test_teams_moving_a_windows_deadline_moves_its_comment_deadline_in_the_register(teams):
    await set_up_committee(teams)
    minute = (
        "RESOLVED: That members submit their views on the draft annual report to the Director "
        "by no later than 20 September 2040."
    )
    offer = await _clerk_says(teams, f"minutes {minute}")
    dialog = await teams.teams.press(CLERK, button_list(offer)[0])
    # The minute gives no meeting date, so the form asks for one.
    assert "meeting_date" in dialog_inputs(dialog) and "officer_1" in dialog_inputs(dialog)
    done = await teams.teams.submit(CLERK, dialog.json(), {"officer_1": OFFICER, "meeting_date": "6 September 2040"})
    assert done.status == 200 and not done.text, done.text
    [window] = await stored(teams, CommentWindow)
    await teams.teams.say(CLERK, f"report deadline {window.ref} 4 October 2040")
    [resolution] = await stored(teams, Resolution)
    assert resolution.due_date == date(2040, 10, 4)
    [_, moved] = sorted(await stored(teams, ResolutionChange), key=lambda change: change.id)
    assert (moved.action, moved.actor_user_id, moved.note) == ("redated", CLERK, "the comment deadline was moved")


# --- 12. Forms keep what was given -----------------------------------------------------------------------------


async def test_teams_the_set_up_form_of_an_existing_committee_starts_from_how_it_is_set_up(teams):
    await set_up_committee(teams)
    await teams.teams.say(CLERK, "committee setup")
    dialog = await teams.teams.press(CLERK, buttons(teams.last_private(CLERK))["Set up committee"])
    inputs = dialog_inputs(dialog)
    assert inputs["name"]["value"] == COMMITTEE
    assert inputs["timezone"]["value"] == "Europe/London"
    assert inputs["clerks"]["value"] == CLERK
    assert "value" not in inputs["chair"]


# --- 14. Smaller ones -------------------------------------------------------------------------------------------


async def test_teams_actions_for_one_committee_are_headed_with_its_name(teams):
    await set_up_committee(teams)
    await _record(teams, "That the Director reports on waiting times.", due="31 March 2041")
    listing = shown(await _clerk_says(teams, "actions committee children"))
    assert f"**Open resolutions: {COMMITTEE}**" in listing
    assert "all your committees" not in listing


async def test_teams_an_officer_teams_does_not_know_is_not_told_to_use_at(teams):
    """Slack's story is about a typed "@nobody" that is no Slack mention; in Teams a typed "@nobody" is likewise
    plain text, not a mention Teams made, and the clerk is told no one is called that, not to use @."""
    await set_up_committee(teams)
    answer = shown(await _clerk_says(teams, "report open Draft plan | | @nobody | 20 September 2040"))
    assert 'I can\'t find anyone called "@nobody" here.' in answer
    assert "with @, e.g." not in answer
    assert await stored(teams, CommentWindow) == []


async def test_teams_comment_list_shows_the_section_and_the_form_hint_does_not_repeat_optional(teams):
    await set_up_committee(teams)
    window_id = await open_window(teams)
    await teams.teams.say(PATEL, "comment")
    dialog = await teams.teams.press(PATEL, button_list(teams.last_private(PATEL))[0])
    section = dialog_inputs(dialog)["section"]
    assert section["isRequired"] is False and section["placeholder"] == 'e.g. "Section 3" or "page 12"'
    assert "optional" not in section["placeholder"].lower()
    values = {"report": str(window_id), "section": "Section 4", "text": "The figures need a source."}
    assert (await teams.teams.submit(PATEL, dialog.json(), values)).status == 200
    await teams.teams.say(PATEL, "comment list")
    assert "**Draft annual report 2021/22** (Section 4) · " in shown(teams.last_private(PATEL))


async def test_teams_a_meeting_in_2207_is_refused_and_one_on_a_sunday_is_kept_but_said(teams):
    await set_up_committee(teams)
    refused = shown(await _clerk_says(teams, "meeting add 14 March 2207 10:00"))
    assert "is more than 20 years away, which is not a date a committee would use. Please check the year." in refused
    assert await stored(teams, Meeting) == []
    sunday = await _clerk_says(teams, "meeting add 17 March 2041 10:00")
    assert "Meeting added: **Sunday 17 March 2041 at 10:00 (Europe/London)**" in shown(sunday)
    assert "That is a Sunday. If that is not what you meant, move it." in shown(sunday)
    assert list(buttons(sunday)) == ["Move"]
    weekday = await _clerk_says(teams, "meeting add 14 March 2041 10:00")
    assert "That is a" not in shown(weekday) and buttons(weekday) == {}
    assert len(await stored(teams, Meeting)) == 2


async def test_teams_a_meeting_on_a_bank_holiday_is_kept_and_the_holiday_named_for_the_committees_part_of_the_uk(
    teams,
):
    await set_up_committee(teams)
    christmas = shown(await _clerk_says(teams, "meeting add 25 December 2041 10:00"))
    assert "That is Christmas Day, a bank holiday in England and Wales. If that is not what you meant" in christmas
    await _clerk_says(teams, "committee reminders 9 weekdays scotland")
    st_andrews = shown(await _clerk_says(teams, "meeting add 2 December 2041 10:00"))  # observed Monday
    assert "a bank holiday in Scotland" in st_andrews and "Andrew" in st_andrews
    assert len(await stored(teams, Meeting)) == 2


async def test_teams_closing_day_notice_gives_the_time_once_and_digest_lines_read_cleanly(teams):
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=UTC), tick=True):  # Monday
        await set_up_committee(teams)
        await open_window(teams, "Draft annual report 2025/26", "4 December 2026 5pm")
        await _record(teams, "That the Director reports on waiting times.", due="25 November 2026")
    services, sender, _ = teams_instance(teams.connector, teams.database)
    for instant in (datetime(2026, 11, 30, 9, 0, tzinfo=UTC), datetime(2026, 12, 4, 9, 0, tzinfo=UTC)):
        with time_machine.travel(instant, tick=False):  # Monday's overdue digest; Friday, the closing day
            await tick(services, sender, "teams-test", FAST)
    every = [message for messages in teams.connector.posted.values() for message in messages]
    posts = [shown(message.activity) for message in every if _is_a_card(message.activity)]
    [closing_day] = [text for text in posts if "close **today" in text]
    assert "close **today at 17:00** (4 December 2026)." in closing_day
    digests = [text for text in posts if "Overdue resolutions" in text]
    assert digests and all("waiting times: due 25 November 2026 **overdue**" in text for text in digests)
    assert not any("waiting times.:" in text for text in posts)


def _is_a_card(activity: dict) -> bool:
    return [a["contentType"] for a in activity.get("attachments") or []] == [CARD_TYPE]
