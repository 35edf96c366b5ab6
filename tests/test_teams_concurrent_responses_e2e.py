"""Teams twins of tests/test_concurrent_responses_e2e.py: presses and submissions that reach /api/messages at the
same moment, as impatient people make them. One member has one live response per report, and whoever loses a race
is told what was done."""

import asyncio

from sqlalchemy import text

from storage.models import Comment, CommentKind, CommentRevision, Committee
from tests.support.fake_bot_connector import CHANNEL_ID
from tests.teams_stack import (
    CHAIR,
    CLERK,
    MEMBERS,
    buttons,
    note,
    open_window,
    set_up_committee,
    shown,
    stored,
)

PATEL, JONES, SMITH = MEMBERS


def _said_in_the_channel(teams) -> list[str]:
    """Everything the bot said for everyone in the channel: its threads and its replies in them."""
    threads = [posts for where, posts in teams.connector.posted.items() if where.startswith(CHANNEL_ID)]
    return [shown(post.activity) for posts in threads for post in posts]


async def _announced(teams) -> dict:
    await set_up_committee(teams)
    await open_window(teams)
    return teams.channel_posts()[-1].activity


async def test_teams_no_comments_pressed_three_times_at_once_is_one_live_response(teams):
    none = buttons(await _announced(teams))["No comments"]
    answers = []
    for member in (PATEL, JONES, SMITH):
        answers += await asyncio.gather(*(teams.teams.press(member, none, where="channel") for _ in range(3)))
    live = [c for c in await stored(teams, Comment) if c.withdrawn_at is None]
    assert sorted((c.author_user_id, c.kind) for c in live) == sorted(
        (m, CommentKind.NO_COMMENTS) for m in (PATEL, JONES, SMITH)
    )
    # The presses that lost the race are answered as the winner was: no error, the same receipt.
    receipts = [note(answer) for answer in answers]
    assert all("you have no comments on Draft annual report 2021/22" in r for r in receipts), receipts


async def test_teams_a_comment_and_no_comments_at_once_leave_the_comment_as_the_response(teams):
    none = buttons(await _announced(teams))["No comments"]
    for member in (PATEL, JONES, SMITH):
        await asyncio.gather(
            teams.teams.press(member, none, where="channel"),
            teams.teams.say(member, "comment annual-report-2021 Section 3 needs a budget line."),
            teams.teams.press(member, none, where="channel"),
        )
    live = [c for c in await stored(teams, Comment) if c.withdrawn_at is None]
    assert sorted((c.author_user_id, c.kind) for c in live) == sorted(
        (m, CommentKind.COMMENT) for m in (PATEL, JONES, SMITH)
    )


async def test_teams_two_edits_at_once_are_both_kept_in_order(teams):
    await _announced(teams)
    await teams.teams.say(PATEL, "comment annual-report-2021 First thoughts")
    edit = buttons(teams.last_private(PATEL))["Edit"]
    dialogs = [(await teams.teams.press(PATEL, edit)).json() for _ in range(3)]
    await asyncio.gather(
        *(teams.teams.submit(PATEL, dialog, {"section": "", "text": f"Edit {n}"}) for n, dialog in enumerate(dialogs))
    )
    revisions = sorted((r.number, r.action) for r in await stored(teams, CommentRevision))
    assert revisions == [(1, "created"), (2, "edited"), (3, "edited"), (4, "edited")]
    [comment] = await stored(teams, Comment)
    assert comment.revision_count == 4 and comment.text in {"Edit 0", "Edit 1", "Edit 2"}


async def test_teams_two_clerks_setting_up_one_channel_at_once_are_each_told_what_happened(teams):
    names = {CLERK: "Children and Families Committee", CHAIR: "Scrutiny Commission"}
    for _ in range(3):  # the race is not lost the same way every time; Teams keeps the channel's reference too
        async with teams.database.engine.begin() as connection:
            for table in ("conversation_reference", "committee_clerk", "committee"):
                await connection.execute(text(f"DELETE FROM {table}"))
        said_before = len(_said_in_the_channel(teams))
        await asyncio.gather(*(teams.teams.say(user, f"committee setup {name}") for user, name in names.items()))
        [committee] = await stored(teams, Committee)
        winner = committee.created_by
        [loser] = [user for user in names if user != winner]
        [announced] = _said_in_the_channel(teams)[said_before:]
        assert committee.name == names[winner] and "is now set up" in announced, announced
        told_loser = shown(teams.last_private(loser))
        assert "has been updated" not in told_loser and "was not applied" in told_loser, told_loser
        assert names[winner] in told_loser
