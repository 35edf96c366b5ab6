"""Teams twins of the wording stories of tests/test_replies_e2e.py: what a person is told when there is nothing to
act on, or they are in the wrong place for it, is the same in Teams."""

from datetime import UTC, datetime, timedelta

import time_machine

from tests.teams_stack import CLERK, MEMBERS, STRANGER, open_window, set_up_committee, shown

PATEL, _, _ = MEMBERS


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
    assert "**Draft annual report 2021/22**: closed " in listing and "You said you had no comments (" in listing
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
    await teams.teams.say(CLERK, "actions mine")
    assert "that match." in shown(teams.last_private(CLERK))
