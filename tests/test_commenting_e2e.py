"""Members comment, say "no comments", list, edit and withdraw, through Slack as they would."""

from datetime import UTC, datetime, timedelta

import time_machine

from storage.models import Comment, CommentKind, CommentRevision, RevisionAction
from tests.flows import (
    buttons,
    comment_inline,
    ephemerals_to,
    on_ephemeral,
    open_window,
    opened_view,
    responses,
    set_up_committee,
    shown_text,
    stored,
    submit_view,
)
from tests.stack import CHANNEL, MEMBERS, STRANGER
from tests.support.slack_client import select_value, text_value

PATEL, JONES, SMITH = MEMBERS


async def _ready(stack, **window) -> int:
    await set_up_committee(stack)
    return await open_window(stack, **window)


async def test_comment_form_lists_open_windows_with_deadlines_and_saves_the_comment(stack):
    window_id = await _ready(stack)
    await stack.slack.slash_command("/comment", "", user_id=PATEL, channel_id=CHANNEL)
    view = await opened_view(stack)
    report_field = next(b for b in view["blocks"] if b.get("block_id") == "report")
    [option] = report_field["element"]["options"]
    assert option["text"]["text"] == "Draft annual report 2021/22 (closes 20 September 2040)"
    assert next(b for b in view["blocks"] if b.get("block_id") == "text")["element"]["multiline"] is True

    values = {
        "report": select_value(str(window_id)),
        "section": text_value("Section 4"),
        "text": text_value("Line one.\nLine two."),
    }
    answer = await submit_view(stack, view, values, PATEL)
    assert answer.status == 200 and not answer.text
    [receipt] = await ephemerals_to(stack, PATEL)
    assert "Your comment on *Draft annual report 2021/22* (Section 4) is saved" in shown_text(receipt)
    assert "> Line one.\n> Line two." in shown_text(receipt)
    assert "You can edit or withdraw this until" in shown_text(receipt)
    [comment] = await stored(stack, Comment)
    assert (comment.author_user_id, comment.section, comment.text) == (PATEL, "Section 4", "Line one.\nLine two.")


async def test_no_comments_in_one_click_from_the_announcement(stack):
    window_id = await _ready(stack)
    await stack.slack.block_action("comment.none", str(window_id), user_id=JONES, channel_id=CHANNEL)
    [receipt] = await responses(stack)
    assert receipt["response_type"] == "ephemeral" and receipt["replace_original"] is False
    assert "you have no comments" in shown_text(receipt)
    [comment] = await stored(stack, Comment)
    assert (comment.author_user_id, comment.kind) == (JONES, CommentKind.NO_COMMENTS)


async def test_add_comment_button_opens_the_form_with_that_report_chosen(stack):
    window_id = await _ready(stack)
    await stack.slack.block_action("comment.add", str(window_id), user_id=SMITH, channel_id=CHANNEL)
    view = await opened_view(stack)
    report_field = next(b for b in view["blocks"] if b.get("block_id") == "report")
    assert report_field["element"]["initial_option"]["value"] == str(window_id)


async def test_list_edit_and_withdraw_keep_every_revision(stack):
    await _ready(stack)
    receipt = await comment_inline(stack, PATEL, "annual-report-2021 First thoughts")
    comment_id = buttons(receipt)["Edit"]["value"]

    listing = await comment_inline(stack, PATEL, "list")
    assert "First thoughts" in shown_text(listing) and {"Edit", "Withdraw"} <= set(buttons(listing))

    await stack.slack.block_action(
        "comment.edit",
        comment_id,
        user_id=PATEL,
        channel_id=CHANNEL,
        container=on_ephemeral(),
    )
    view = await opened_view(stack)
    assert (
        next(b for b in view["blocks"] if b.get("block_id") == "text")["element"]["initial_value"] == "First thoughts"
    )
    await submit_view(stack, view, {"section": text_value(""), "text": text_value("Second thoughts")}, PATEL)
    [updated] = await ephemerals_to(stack, PATEL)
    assert "is updated" in shown_text(updated) and "Second thoughts" in shown_text(updated)

    await stack.slack.block_action(
        "comment.withdraw",
        comment_id,
        user_id=PATEL,
        channel_id=CHANNEL,
        container=on_ephemeral(),
    )
    [withdrawn] = await responses(stack)
    assert "has been withdrawn" in shown_text(withdrawn) and withdrawn["replace_original"] is True

    [comment] = await stored(stack, Comment)
    assert comment.withdrawn_at is not None and comment.text == "Second thoughts"
    revisions = sorted(await stored(stack, CommentRevision), key=lambda r: r.number)
    assert [(r.action, r.text) for r in revisions] == [
        (RevisionAction.CREATED, "First thoughts"),
        (RevisionAction.EDITED, "Second thoughts"),
        (RevisionAction.WITHDRAWN, "Second thoughts"),
    ]
    assert "no response from you yet" in shown_text(await comment_inline(stack, PATEL, "list"))


async def test_commenting_after_no_comments_replaces_it(stack):
    window_id = await _ready(stack)
    await stack.slack.block_action("comment.none", str(window_id), user_id=PATEL, channel_id=CHANNEL)
    await responses(stack)
    await comment_inline(stack, PATEL, "annual-report-2021 On reflection, one point.")
    live = [c for c in await stored(stack, Comment) if c.withdrawn_at is None]
    assert [(c.kind, c.text) for c in live] == [(CommentKind.COMMENT, "On reflection, one point.")]


async def test_inline_no_comments(stack):
    await _ready(stack)
    answer = await comment_inline(stack, SMITH, "annual-report-2021 no comments")
    assert "you have no comments" in shown_text(answer)
    assert [c.kind for c in await stored(stack, Comment)] == [CommentKind.NO_COMMENTS]


async def test_after_the_deadline_nothing_changes(stack):
    await _ready(stack, deadline="in 2 days")
    receipt = await comment_inline(stack, PATEL, "annual-report-2021 Before the deadline")
    comment_id = buttons(receipt)["Edit"]["value"]
    window_deadline = (await stored(stack, Comment))[0]
    with time_machine.travel(datetime.now(UTC) + timedelta(days=3), tick=True):
        await stack.slack.block_action("comment.withdraw", comment_id, user_id=PATEL, channel_id=CHANNEL)
        [refusal] = await responses(stack)
        assert "Comments on Draft annual report 2021/22 closed on" in shown_text(refusal)
        answer = await comment_inline(stack, PATEL, "annual-report-2021 Too late")
        assert "Comments on Draft annual report 2021/22 closed on" in shown_text(answer)
        assert "ask the committee's clerk to reopen it" in shown_text(answer)
    [comment] = await stored(stack, Comment)
    assert comment.withdrawn_at is None and comment.text == window_deadline.text == "Before the deadline"


async def test_a_member_cannot_change_someone_elses_comment(stack):
    await _ready(stack)
    receipt = await comment_inline(stack, PATEL, "annual-report-2021 Mine")
    comment_id = buttons(receipt)["Withdraw"]["value"]
    await stack.slack.block_action("comment.withdraw", comment_id, user_id=JONES, channel_id=CHANNEL)
    [refusal] = await responses(stack)
    assert "You can only change your own comments." in shown_text(refusal)
    await stack.slack.block_action("comment.edit", comment_id, user_id=JONES, channel_id=CHANNEL)
    refusal = (await responses(stack, count=2))[-1]
    assert "You can only change your own comments." in shown_text(refusal)
    [comment] = await stored(stack, Comment)
    assert comment.withdrawn_at is None and comment.revision_count == 1
    assert stack.fake.calls_to("views.open") == []


async def test_non_members_cannot_comment(stack):
    window_id = await _ready(stack)
    answer = await comment_inline(stack, STRANGER, "annual-report-2021 Let me in")
    assert "Only members of Children and Families Overview and Scrutiny Committee can comment" in shown_text(answer)
    await stack.slack.block_action("comment.none", str(window_id), user_id=STRANGER, channel_id=CHANNEL)
    [refusal] = await responses(stack)
    assert "Only members of Children and Families Overview and Scrutiny Committee" in shown_text(refusal)
    assert await stored(stack, Comment) == []


async def test_someone_outside_the_committee_learns_nothing_of_a_closed_report(stack):
    window_id = await _ready(stack, deadline="in 2 days")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=3), tick=True):
        await stack.slack.block_action("comment.none", str(window_id), user_id=STRANGER, channel_id="CELSEWHERE")
        [refusal] = await responses(stack)
    assert "Only members of" in shown_text(refusal)
    assert "annual report" not in shown_text(refusal)
    assert await stored(stack, Comment) == []


async def test_a_retried_command_stores_one_comment(stack):
    await _ready(stack)
    first = await stack.slack.slash_command(
        "/comment", "annual-report-2021 Once only", user_id=PATEL, channel_id=CHANNEL
    )
    for retry in (1, 2, 3):
        again = await stack.slack.replay(first, retry_num=retry)
        assert again.status == 200
        assert "Once only" in shown_text(again.json())
    assert len(await stored(stack, Comment)) == 1
    assert len(await stored(stack, CommentRevision)) == 1


async def test_a_comment_sent_before_the_deadline_and_retried_after_it_keeps_its_receipt(stack):
    """Slack retries a request whose answer was slow; the retry may arrive once the window has closed. The
    member is told their comment is stored, which it is, and not that comments have closed."""
    await _ready(stack, deadline="in 2 days")
    first = await stack.slack.slash_command(
        "/comment", "annual-report-2021 Just in time", user_id=PATEL, channel_id=CHANNEL
    )
    with time_machine.travel(datetime.now(UTC) + timedelta(days=3), tick=True):
        again = await stack.slack.replay(first, retry_num=1)
    shown = shown_text(again.json())
    assert "Just in time" in shown and "can no longer be added" not in shown
    assert [c.text for c in await stored(stack, Comment)] == ["Just in time"]
    assert len(await stored(stack, CommentRevision)) == 1


async def test_mentions_are_stored_verbatim_and_never_ping(stack):
    await _ready(stack)
    text = "Please note <!channel> <!here> <!everyone> and <@UJONES> & co"
    answer = await comment_inline(stack, PATEL, f"annual-report-2021 {text}")
    shown = shown_text(answer)
    assert "<!channel>" not in shown and "<!here>" not in shown and "<@UJONES>" not in shown
    assert "&lt;!channel&gt;" in shown and "&amp; co" in shown
    [comment] = await stored(stack, Comment)
    assert comment.text == text


async def test_a_retried_form_submission_stores_one_comment(stack):
    window_id = await _ready(stack)
    await stack.slack.slash_command("/comment", "", user_id=PATEL, channel_id=CHANNEL)
    view = await opened_view(stack)
    values = {
        "report": select_value(str(window_id)),
        "section": text_value(""),
        "text": text_value("Only once, please"),
    }
    first = await submit_view(stack, view, values, PATEL)
    for retry in (1, 2):
        assert (await stack.slack.replay(first, retry_num=retry)).status == 200
    await stack.bot.delivery.drain()
    assert [c.text for c in await stored(stack, Comment)] == ["Only once, please"]


async def test_add_comment_on_a_closed_window_says_when_it_closed(stack):
    window_id = await _ready(stack, deadline="tomorrow")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=2), tick=True):
        await stack.slack.block_action("comment.add", str(window_id), user_id=PATEL, channel_id=CHANNEL)
        [refusal] = await responses(stack)
    assert "Comments on Draft annual report 2021/22 closed on" in shown_text(refusal)
    assert stack.fake.calls_to("views.open") == []


async def _home_of(stack, user_id: str) -> dict:
    [home] = await stack.fake.wait_for("views.publish", where=lambda call: call.params.get("user_id") == user_id)
    return {**home.params["view"], "id": "VHOME"}


async def test_a_comment_sent_from_the_home_tab_shows_there_at_once(stack):
    await set_up_committee(stack)
    window_id = await open_window(stack)
    await stack.slack.event({"type": "app_home_opened", "user": PATEL, "channel": "DHOME", "tab": "home"})
    home = await _home_of(stack, PATEL)
    assert "no response from you yet" in shown_text(home)
    stack.fake.reset()

    await stack.slack.block_action("comment.add", str(window_id), user_id=PATEL, view=home)
    form = await opened_view(stack)
    values = {"report": select_value(str(window_id)), "section": text_value(""), "text": text_value("Agreed.")}
    assert (await submit_view(stack, form, values, PATEL)).status == 200

    assert "you have responded" in shown_text(await _home_of(stack, PATEL))


async def test_a_comment_sent_in_the_channel_leaves_home_to_be_drawn_when_opened(stack):
    await set_up_committee(stack)
    await open_window(stack)
    await stack.bot.delivery.drain()
    stack.fake.reset()
    assert "is saved" in shown_text(await comment_inline(stack, PATEL, "annual-report-2021 Agreed."))
    await stack.bot.delivery.drain()
    assert stack.fake.calls_to("views.publish") == []


async def test_a_comment_begun_with_a_word_of_the_reference_is_offered_in_slack_and_saved_once_confirmed(stack):
    await _ready(stack)
    await open_window(stack, title="Draft budget 2027/28")
    offer = await comment_inline(stack, PATEL, "budget Youth services need protecting.")
    assert "Is this your comment on *Draft budget 2027/28*?" in shown_text(offer)
    assert "`/comment budget-2027-28 your comment`" in shown_text(offer)
    assert await stored(stack, Comment) == []

    confirm = buttons(offer)["Add as my comment"]
    await stack.slack.block_action(
        "draft.confirm", confirm["value"], user_id=PATEL, channel_id=CHANNEL, container=on_ephemeral()
    )
    [receipt] = await responses(stack)
    assert "Youth services need protecting." in shown_text(receipt)
    [comment] = await stored(stack, Comment)
    assert (comment.author_user_id, comment.text) == (PATEL, "Youth services need protecting.")
