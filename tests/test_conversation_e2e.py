"""Comments from the conversation: a reply in the announcement's thread, or the message shortcut."""

from storage.models import Comment, CommentDraft
from tests.flows import (
    buttons,
    ephemerals_to,
    on_ephemeral,
    open_window,
    opened_view,
    responses,
    set_up_committee,
    shown_text,
    stored,
)
from tests.stack import CHANNEL, MEMBERS, TEAM

PATEL, JONES, _ = MEMBERS


async def _announced(stack) -> str:
    await set_up_committee(stack)
    await open_window(stack)
    [announcement] = stack.fake.history[CHANNEL]
    return announcement["ts"]


def _reply(thread_ts: str, user: str, text: str, ts: str = "1800000000.000200") -> dict:
    return {
        "type": "message",
        "channel": CHANNEL,
        "channel_type": "channel",
        "user": user,
        "text": text,
        "ts": ts,
        "thread_ts": thread_ts,
        "team": TEAM,
        "event_ts": ts,
    }


async def test_thread_reply_becomes_a_comment_once_its_author_confirms(stack):
    thread_ts = await _announced(stack)
    reply = await stack.slack.event(_reply(thread_ts, PATEL, "I support recommendation 3."))
    assert reply.status == 200
    [offer] = await ephemerals_to(stack, PATEL)
    assert "Add your reply as your comment on *Draft annual report 2021/22*?" in shown_text(offer)
    assert await stored(stack, Comment) == []

    confirm = buttons(offer)["Add as my comment"]
    container = on_ephemeral()
    await stack.slack.block_action(
        "draft.confirm", confirm["value"], user_id=PATEL, channel_id=CHANNEL, container=container
    )
    await stack.slack.block_action(
        "draft.confirm", confirm["value"], user_id=PATEL, channel_id=CHANNEL, container=container
    )
    receipts = await responses(stack, count=2)
    assert all("I support recommendation 3." in shown_text(r) for r in receipts)
    [comment] = await stored(stack, Comment)
    assert (comment.author_user_id, comment.text) == (PATEL, "I support recommendation 3.")


async def test_retried_event_offers_once(stack):
    thread_ts = await _announced(stack)
    first = await stack.slack.event(_reply(thread_ts, PATEL, "Once"), event_id="Ev1")
    for retry in (1, 2, 3):
        assert (await stack.slack.replay(first, retry_num=retry)).status == 200
    await stack.bot.delivery.drain()
    assert len([c for c in stack.fake.calls_to("chat.postEphemeral") if c.params["user"] == PATEL]) == 1
    assert len(await stored(stack, CommentDraft)) == 1


async def test_only_the_author_can_confirm_their_reply(stack):
    thread_ts = await _announced(stack)
    await stack.slack.event(_reply(thread_ts, PATEL, "Mine"))
    [offer] = await ephemerals_to(stack, PATEL)
    await stack.slack.block_action(
        "draft.confirm", buttons(offer)["Add as my comment"]["value"], user_id=JONES, channel_id=CHANNEL
    )
    [refusal] = await responses(stack)
    assert "Only the person who wrote that reply" in shown_text(refusal)
    assert await stored(stack, Comment) == []


async def test_replies_elsewhere_and_bot_messages_are_left_alone(stack):
    thread_ts = await _announced(stack)
    await stack.slack.event(_reply("1700000999.000001", PATEL, "Unrelated thread"))
    await stack.slack.event({**_reply(thread_ts, PATEL, "From a bot"), "bot_id": "BOTHER", "subtype": "bot_message"})
    await stack.bot.delivery.drain()
    assert stack.fake.calls_to("chat.postEphemeral") == []
    assert await stored(stack, CommentDraft) == []


async def test_message_shortcut_opens_the_comment_form_with_the_message_text(stack):
    await set_up_committee(stack)
    await open_window(stack)
    message = {
        "type": "message",
        "user": JONES,
        "ts": "1800000000.000300",
        "text": "We should ask about school places.",
    }
    reply = await stack.slack.message_shortcut(
        "comment_from_message", user_id=PATEL, channel_id=CHANNEL, message=message
    )
    assert reply.status == 200
    view = await opened_view(stack)
    text_block = next(b for b in view["blocks"] if b.get("block_id") == "text")
    assert text_block["element"]["initial_value"] == "We should ask about school places."
    assert view["callback_id"] == "comment.add"


async def test_shortcut_with_no_open_window_says_so(stack):
    await set_up_committee(stack)
    message = {"type": "message", "user": JONES, "ts": "1800000000.000300", "text": "Anything"}
    await stack.slack.message_shortcut("comment_from_message", user_id=PATEL, channel_id=CHANNEL, message=message)
    [note] = await responses(stack)
    assert "No comment windows are open in Children and Families Overview and Scrutiny Committee" in shown_text(note)


async def test_a_reply_mentioning_someone_is_kept_as_the_member_wrote_it(stack):
    """Slack sends a message's mentions as <@U...> and its & < > escaped: the comment keeps the words people saw."""
    thread_ts = await _announced(stack)
    await stack.slack.event(_reply(thread_ts, PATEL, "As <@UJONES> said, school &amp; &lt;college&gt; places."))
    [offer] = await ephemerals_to(stack, PATEL)
    assert "> As @Cllr Jones said, school &amp; &lt;college&gt; places." in shown_text(offer)
    await stack.slack.block_action(
        "draft.confirm", buttons(offer)["Add as my comment"]["value"], user_id=PATEL, channel_id=CHANNEL
    )
    await responses(stack)
    [comment] = await stored(stack, Comment)
    assert comment.text == "As @Cllr Jones said, school & <college> places."


async def test_the_message_shortcut_fills_the_form_with_the_words_people_saw(stack):
    await set_up_committee(stack)
    await open_window(stack)
    message = {"type": "message", "user": JONES, "ts": "1800000000.000300", "text": "Ask <@UPATEL> &amp; the chair"}
    await stack.slack.message_shortcut("comment_from_message", user_id=PATEL, channel_id=CHANNEL, message=message)
    view = await opened_view(stack)
    text_block = next(b for b in view["blocks"] if b.get("block_id") == "text")
    assert text_block["element"]["initial_value"] == "Ask @Cllr Patel & the chair"
