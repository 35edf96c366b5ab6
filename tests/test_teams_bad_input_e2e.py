"""Bad input through Teams, as for Slack (tests/test_bad_input_e2e.py, test_abuse.py): malformed activities,
unknown invoke names, forged card data, a tenant that is not ours, oversized text. Each gets a polite private
answer where there is someone to answer, never a 5xx, and changes nothing."""

import json
import logging

from storage.models import Comment, CommentRevision, CommentWindow, Committee, CommitteeClerk, Resolution
from tests.support.fake_bot_connector import CHANNEL_ID
from tests.teams_stack import (
    CLERK,
    COMMITTEE,
    MEMBERS,
    OFFICER,
    OTHER_TENANT,
    buttons,
    note,
    open_window,
    set_up_committee,
    shown,
    stored,
)
from tests.test_bad_input_e2e import revisions_fail
from tests.test_teams_register_e2e import ADULTS_TEAM, _record, _say_elsewhere

PATEL, JONES, _ = MEMBERS


async def _nothing_stored(teams) -> bool:
    return all([await stored(teams, model) == [] for model in (Comment, CommentWindow, Resolution)])


async def test_bodies_that_are_not_activities_get_400_and_change_nothing(teams, caplog):
    await set_up_committee(teams)
    bodies = [
        b"not json at all",
        b"[1, 2, 3]",
        json.dumps({"type": "message", "text": "no conversation"}).encode(),
        json.dumps({**teams.teams.activity("message", PATEL), "entities": "not a list"}).encode(),
        json.dumps({**teams.teams.activity("message", PATEL), "conversation": "not an object"}).encode(),
    ]
    with caplog.at_level(logging.WARNING):
        answers = [await teams.teams.post_raw(body) for body in bodies]
    assert [answer.status for answer in answers] == [400] * len(bodies)
    assert "not an activity" in caplog.text or "must have type" in " ".join(a.text for a in answers)
    assert await _nothing_stored(teams)


async def test_an_activity_missing_what_teams_always_sends_is_ignored_with_a_log_line(teams, caplog):
    await set_up_committee(teams)
    for missing in ("from", "channelData"):
        activity = teams.teams.activity("message", PATEL, text="<at>committee-bot</at> comment annual-report x")
        activity.pop(missing)
        activity["conversation"].pop("tenantId")
        with caplog.at_level(logging.WARNING):
            answer = await teams.teams.post(activity)
        assert answer.status < 500, answer.text
    assert "shape Teams does not send" in caplog.text
    assert await _nothing_stored(teams)


async def test_unknown_invoke_names_are_answered_politely(teams):
    await set_up_committee(teams)
    for name in ("signin/verifyState", "composeExtension/query", "made/up"):
        answer = await teams.teams.invoke(PATEL, name, {"data": {}})
        assert answer.status == 200
        assert "no longer in use" in note(answer)
    assert await _nothing_stored(teams)


async def test_forged_card_data_is_refused_politely(teams):
    await set_up_committee(teams)
    await open_window(teams)
    forged = [
        {"committee_bot_press": "a string"},
        {"committee_bot_press": {"action": "comment.withdraw", "value": 999999}},
        {"committee_bot_press": {"action": "nothing.here", "value": "1"}},
        {"committee_bot_press": {"action": "comment.none", "value": "not-a-number"}},
        {"committee_bot_press": {"action": "form.command", "value": "{not json"}},
        {"committee_bot_press": {"action": "form.command", "value": json.dumps({"command": "/nope", "text": []})}},
        {},
    ]
    for data in forged:
        answer = await teams.teams.invoke(PATEL, "task/fetch", {"data": data})
        assert answer.status == 200, answer.text
        assert note(answer)  # a polite sentence
    bad_forms = [
        {"committee_bot_form": {"id": "comment.add"}},
        {"committee_bot_form": {"id": "comment.add", "opened": "x", "context": 3}},
        {"committee_bot_form": {"id": "comment.add", "opened": "x"}, "text": ["not", "text"]},
        {"committee_bot_form": {"id": "comment.add", "opened": "x", "form": "not a form"}, "text": "hi"},
    ]
    for data in bad_forms:
        answer = await teams.teams.invoke(PATEL, "task/submit", {"data": data})
        assert answer.status == 200 and note(answer), answer.text
    assert await stored(teams, Comment) == []


async def test_a_forged_form_from_a_non_clerk_changes_nothing(teams):
    await set_up_committee(teams)
    await teams.teams.say(CLERK, "actions add")
    dialog = await teams.teams.press(CLERK, buttons(teams.last_private(CLERK))["Record a resolution"])
    # A member replays the clerk's form with their own values.
    answer = await teams.teams.submit(PATEL, dialog.json(), {"text": "Forged.", "kind": "action", "due": ""})
    assert answer.status == 200
    assert "clerk" in json.dumps(answer.json()).lower()
    setup = {"committee_bot_form": {"id": "committee.setup", "opened": "x", "channel": CHANNEL_ID}}
    values = {"name": "Taken over", "timezone": "Europe/London", "clerks": PATEL}
    again = await teams.teams.invoke(PATEL, "task/submit", {"data": {**setup, **values}})
    assert again.status == 200 and "clerk" in json.dumps(again.json()).lower()
    [committee] = await stored(teams, Committee)
    assert committee.name != "Taken over"
    assert {clerk.user_id for clerk in await stored(teams, CommitteeClerk)} == {CLERK}
    assert await stored(teams, Resolution) == []


async def test_a_tenant_that_is_not_ours_is_refused_and_changes_nothing(teams, caplog):
    teams.teams.tenant = OTHER_TENANT
    with caplog.at_level(logging.WARNING):
        answer = await teams.teams.say(CLERK, "committee setup Another council's committee")
        invoke = await teams.teams.invoke(
            CLERK, "task/fetch", {"data": {"committee_bot_press": {"action": "x", "value": ""}}}
        )
    assert answer.status == 202
    assert "another Microsoft 365 organisation" in note(invoke)
    assert "refused an activity from tenant" in caplog.text
    assert await stored(teams, Committee) == []
    assert teams.channel_posts() == []


async def test_oversized_text_is_refused_privately(teams):
    await set_up_committee(teams)
    await open_window(teams)
    answer = await teams.teams.say(PATEL, "comment annual-report-2021 " + "x" * 30_000)
    assert answer.status == 202
    assert "too long" in shown(teams.last_private(PATEL))
    huge = await teams.teams.post_raw(b'{"type": "message", "text": "' + b"x" * (2 * 1024 * 1024) + b'"}')
    assert huge.status in (400, 413)
    assert await stored(teams, Comment) == []


async def test_overlong_comment_says_the_limit_and_gives_all_of_it_back(teams):
    await set_up_committee(teams)
    await open_window(teams)
    paragraph = ("A point about placements that I want the Director to read. " * 60)[:3001]
    await teams.teams.say(PATEL, "comment annual-report-2021 " + paragraph)
    refusal = teams.last_private(PATEL)
    assert "at most 3,000 characters; yours has 3,001" in shown(refusal)
    assert " ".join(paragraph.split()) in " ".join(shown(refusal).split())
    assert await stored(teams, Comment) == []


async def test_a_failure_outside_the_use_case_is_told_politely_without_its_details(teams, caplog):
    """The SDK's own turn-error handler would send the exception's text to the person; ours does not."""
    await set_up_committee(teams)
    await teams.teams.say(CLERK, "report")
    offer = buttons(teams.last_private(CLERK))["Open comment window"]
    teams.bot.roster.forget_channel(teams.teams.tenant, CHANNEL_ID)
    teams.connector.fail("paged_members", 502)
    with caplog.at_level(logging.ERROR):
        answer = await teams.teams.press(CLERK, offer)
    assert answer.status == 200
    said = note(answer)
    assert said.startswith("Sorry, something went wrong on our side") and "502" not in said and "Exception" not in said
    assert "failed outside its use case" in caplog.text
    assert await stored(teams, CommentWindow) == []


# Teams twins of the remaining stories of tests/test_bad_input_e2e.py.


async def _two_windows(teams) -> None:
    await set_up_committee(teams)
    await open_window(teams, "Draft annual report 2021/22")
    await open_window(teams, "Draft annual report 2022/23", "1 March 2041")


async def test_teams_empty_comment(teams, caplog):
    await _two_windows(teams)
    with caplog.at_level(logging.INFO):
        await teams.teams.say(PATEL, "comment annual-report-2021")
    assert "What would you like to say about Draft annual report 2021/22?" in shown(teams.last_private(PATEL))
    assert "refused" in caplog.text
    assert await stored(teams, Comment) == []
    assert len(teams.channel_posts()) == 2  # the two announcements, nothing more


async def test_teams_exactly_the_limit_is_accepted(teams):
    await _two_windows(teams)
    await teams.teams.say(PATEL, "comment annual-report-2021 " + "x" * 3000)
    assert "is saved" in shown(teams.last_private(PATEL))
    [comment] = await stored(teams, Comment)
    assert comment.text == "x" * 3000


async def test_teams_ambiguous_report_lists_the_candidates(teams):
    await _two_windows(teams)
    teams.connector.add_member(ADULTS_TEAM, "Cllr Patel", member_id=PATEL)
    teams.connector.add_member(ADULTS_TEAM, "Director of Children and Family Services", member_id=OFFICER)
    await _say_elsewhere(teams, "committee setup Adults Scrutiny Commission")
    await _say_elsewhere(
        teams,
        f"report open Draft annual report 2021/22 | https://example.org/a.pdf | @{OFFICER} | 20 September 2040",
        mentions=(OFFICER,),
    )
    answer = await teams.teams.press(CLERK, buttons(teams.last_private(CLERK))["Open comment window"])
    assert answer.status == 200, answer.text
    assert len(await stored(teams, CommentWindow)) == 3
    await teams.teams.say(PATEL, "comment annual-report-2021 I like it")
    refusal = shown(teams.last_private(PATEL))
    assert '"annual-report-2021 I like it" could mean more than one report' in refusal
    assert "Adults Scrutiny Commission" in refusal and COMMITTEE in refusal
    assert await stored(teams, Comment) == []


async def test_teams_invisible_control_characters_are_dropped_and_word_line_breaks_kept_everywhere(teams):
    await set_up_committee(teams, "Children\x00 and Families Committee")
    await open_window(teams, "Draft annual\x00 report 2021/22")
    await teams.teams.say(PATEL, "comment annual-report-2021 First line\vsecond line\fthird\x07 line")
    assert "is saved" in shown(teams.last_private(PATEL))
    answer = await _record(teams, "Officers\x00 to review\vschool transport.", due="1 June 2041")
    assert answer.status == 200, answer.text
    assert "R1" in shown(teams.last_private(CLERK))
    [committee] = await stored(teams, Committee)
    [window] = await stored(teams, CommentWindow)
    [comment] = await stored(teams, Comment)
    [resolution] = await stored(teams, Resolution)
    assert (committee.name, window.title) == ("Children and Families Committee", "Draft annual report 2021/22")
    assert comment.text == "First line\nsecond line\nthird line"
    assert resolution.text == "Officers to review\nschool transport."


async def test_teams_a_database_failure_tells_the_member_and_gives_their_text_back(teams):
    await _two_windows(teams)
    async with revisions_fail(teams.database):
        await teams.teams.say(PATEL, "comment annual-report-2021 My carefully written view")
    refusal = shown(teams.last_private(PATEL))
    assert "was not saved" in refusal and "annual-report-2021 My carefully written view" in refusal
    assert await stored(teams, Comment) == [] and await stored(teams, CommentRevision) == []
    await teams.teams.say(PATEL, "comment annual-report-2021 My carefully written view")
    assert "is saved" in shown(teams.last_private(PATEL))


async def test_teams_a_refused_paragraph_is_given_back(teams):
    await _two_windows(teams)
    paragraph = "budget-2024 I have read the whole report carefully and would like to raise three points."
    await teams.teams.say(PATEL, "comment " + paragraph)
    assert paragraph in shown(teams.last_private(PATEL))
    assert await stored(teams, Comment) == []
