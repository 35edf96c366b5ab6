"""Presses and submissions that arrive at the same moment, each with its own trigger, as impatient people make
them: one member has one live response per report, and the loser of a race is told what was done."""

import asyncio

from sqlalchemy import text

from storage.models import Comment, CommentKind, CommentRevision, Committee
from tests.flows import (
    buttons,
    comment_inline,
    open_window,
    opened_view,
    responses,
    set_up_committee,
    shown_text,
    stored,
    submit_view,
)
from tests.stack import CHAIR, CHANNEL, CLERK, MEMBERS
from tests.support.slack_client import text_value

PATEL, JONES, SMITH = MEMBERS


async def test_no_comments_pressed_three_times_at_once_is_one_live_response(stack):
    await set_up_committee(stack)
    window_id = await open_window(stack)
    for member in (PATEL, JONES, SMITH):
        presses = [
            stack.slack.block_action("comment.none", str(window_id), user_id=member, channel_id=CHANNEL)
            for _ in range(3)
        ]
        await asyncio.gather(*presses)
    live = [c for c in await stored(stack, Comment) if c.withdrawn_at is None]
    assert sorted((c.author_user_id, c.kind) for c in live) == sorted(
        (m, CommentKind.NO_COMMENTS) for m in (PATEL, JONES, SMITH)
    )
    # The presses that lost the race are answered as the winner was: no error, the same receipt.
    receipts = [shown_text(body) for body in await responses(stack, count=9)]
    assert all("you have no comments on *Draft annual report 2021/22*" in r for r in receipts), receipts


async def test_a_comment_and_no_comments_at_once_leave_the_comment_as_the_response(stack):
    """Either order makes sense on its own (a comment withdraws "no comments"; "no comments" after a comment is
    refused); at the same moment, the member must still not end up having said both."""
    await set_up_committee(stack)
    window_id = await open_window(stack)
    for member in (PATEL, JONES, SMITH):
        await asyncio.gather(
            stack.slack.block_action("comment.none", str(window_id), user_id=member, channel_id=CHANNEL),
            comment_inline(stack, member, "annual-report-2021 Section 3 needs a budget line."),
            stack.slack.block_action("comment.none", str(window_id), user_id=member, channel_id=CHANNEL),
        )
    live = [c for c in await stored(stack, Comment) if c.withdrawn_at is None]
    assert sorted((c.author_user_id, c.kind) for c in live) == sorted(
        (m, CommentKind.COMMENT) for m in (PATEL, JONES, SMITH)
    )


async def test_two_edits_at_once_are_both_kept_in_order(stack):
    await set_up_committee(stack)
    await open_window(stack)
    receipt = await comment_inline(stack, PATEL, "annual-report-2021 First thoughts")
    comment_id = buttons(receipt)["Edit"]["value"]
    edits = []
    for n in range(3):
        await stack.slack.block_action("comment.edit", comment_id, user_id=PATEL, channel_id=CHANNEL)
        edits.append(await opened_view(stack, count=n + 1))
    await asyncio.gather(
        *(submit_view(stack, view, {"text": text_value(f"Edit {n}")}, PATEL) for n, view in enumerate(edits))
    )
    revisions = sorted((r.number, r.action) for r in await stored(stack, CommentRevision))
    assert revisions == [(1, "created"), (2, "edited"), (3, "edited"), (4, "edited")]
    [comment] = await stored(stack, Comment)
    assert comment.revision_count == 4 and comment.text in {"Edit 0", "Edit 1", "Edit 2"}


async def test_two_clerks_setting_up_one_channel_at_once_are_each_told_what_happened(stack):
    names = {CLERK: "Children and Families Committee", CHAIR: "Scrutiny Commission"}
    for _ in range(3):  # the race is not lost the same way every time
        async with stack.database.engine.begin() as connection:
            for table in ("committee_clerk", "committee"):
                await connection.execute(text(f"DELETE FROM {table}"))
        replies = await asyncio.gather(
            *(
                stack.slack.slash_command("/committee", f"setup {n}", user_id=u, channel_id=CHANNEL)
                for u, n in names.items()
            )
        )
        said = {user: shown_text(reply.json()) for user, reply in zip(names, replies, strict=True)}
        [committee] = await stored(stack, Committee)
        winner = committee.created_by
        [loser] = [user for user in names if user != winner]
        assert committee.name == names[winner] and "is now set up in this channel" in said[winner], said
        assert "has been updated" not in said[loser] and "was not applied" in said[loser], said
        assert names[winner] in said[loser]
