"""A clerk opens a comment window on a draft report; the bot echoes what it understood, then announces it."""

import json
import re
from datetime import UTC, datetime

import time_machine

from storage.models import CommentWindow
from tests.flows import (
    buttons,
    draft_value,
    ephemerals_to,
    open_window,
    opened_view,
    set_up_committee,
    shown_text,
    stored,
    submit_view,
)
from tests.stack import CHANNEL, CLERK, MEMBERS, OFFICER
from tests.support.slack_client import text_value, user_value

PATEL = MEMBERS[0]


async def _preview(stack, text: str) -> dict:
    reply = await stack.slack.slash_command("/report", text, user_id=CLERK, channel_id=CHANNEL)
    assert reply.status == 200, reply.text
    return reply.json()


async def test_inline_open_echoes_the_deadline_before_saving(stack):
    await set_up_committee(stack)
    preview = await _preview(
        stack,
        f"open Draft annual report | https://example.org/r.pdf | <@{OFFICER}|dir> | by no later than 20 September 2040",
    )
    text = shown_text(preview)
    assert "Thursday 20 September 2040 at 23:59 (Europe/London)" in text
    assert "end of that day" in text and f"<@{OFFICER}>" in text
    assert set(buttons(preview)) == {"Open comment window", "Cancel"}
    assert await stored(stack, CommentWindow) == []


async def test_confirming_announces_in_the_channel_with_an_add_comment_button(stack):
    await set_up_committee(stack)
    window_id = await open_window(stack, "Draft annual report 2021/22", "20/09/2040")
    [announcement] = [c.params for c in stack.fake.calls_to("chat.postMessage")]
    text = shown_text(announcement)
    assert announcement["channel"] == CHANNEL
    assert "<https://example.org/report.pdf|Draft annual report 2021/22>" in text
    assert "Thursday 20 September 2040 at 23:59 (Europe/London)" in text
    assert {"Add comment", "No comments"} <= set(buttons(announcement))
    [window] = await stored(stack, CommentWindow)
    assert window.id == window_id
    assert window.deadline == datetime(2040, 9, 20, 22, 59, 59, tzinfo=UTC)
    assert window.announcement_permalink.startswith("https://example.slack.com/archives/")


async def test_pressing_open_twice_opens_one_window(stack):
    await set_up_committee(stack)
    preview = await _preview(stack, f"open Budget consultation | | <@{OFFICER}> | 1 March 2041")
    value = buttons(preview)["Open comment window"]["value"]
    for _ in range(2):
        await stack.slack.block_action("report.confirm", value, user_id=CLERK, channel_id=CHANNEL)
    await stack.bot.delivery.drain()
    assert len(await stored(stack, CommentWindow)) == 1
    assert len(stack.fake.calls_to("chat.postMessage")) == 1


async def test_relative_deadline_in_the_committee_zone(stack):
    await set_up_committee(stack)
    with time_machine.travel(datetime(2030, 3, 27, 10, 0, tzinfo=UTC), tick=True):  # a Wednesday, clocks change Sunday
        preview = await _preview(stack, f"open Draft plan | | <@{OFFICER}> | Friday 5pm")
    assert "Friday 29 March 2030 at 17:00 (Europe/London)" in shown_text(preview)
    assert draft_value(preview)["deadline"] == "Friday 5pm"


async def test_report_form_then_preview_then_open(stack):
    await set_up_committee(stack)
    await stack.slack.slash_command("/report", "", user_id=CLERK, channel_id=CHANNEL)
    view = await opened_view(stack)
    assert view["callback_id"] == "report.open"
    values = {
        "title": text_value("Draft annual report"),
        "document_url": text_value("https://example.org/a.pdf"),
        "officer": user_value(OFFICER),
        "deadline": text_value("20/09/2040"),
    }
    answer = await submit_view(stack, view, values, CLERK)
    assert answer.status == 200 and not answer.text
    [preview] = await ephemerals_to(stack, CLERK)
    assert "Thursday 20 September 2040 at 23:59" in shown_text(preview)
    await stack.slack.block_action(
        "report.confirm", buttons(preview)["Open comment window"]["value"], user_id=CLERK, channel_id=CHANNEL
    )
    await stack.fake.wait_for("chat.postMessage")
    assert [w.title for w in await stored(stack, CommentWindow)] == ["Draft annual report"]


async def test_unreadable_deadline_in_the_form_is_explained_beside_the_field(stack):
    await set_up_committee(stack)
    await stack.slack.slash_command("/report", "", user_id=CLERK, channel_id=CHANNEL)
    view = await opened_view(stack)
    values = {
        "title": text_value("Draft"),
        "document_url": text_value(""),
        "officer": user_value(OFFICER),
        "deadline": text_value("whenever suits"),
    }
    answer = (await submit_view(stack, view, values, CLERK)).json()
    assert answer["response_action"] == "errors"
    assert "couldn't read" in answer["errors"]["deadline"]


async def test_past_deadline_is_echoed_and_refused(stack):
    await set_up_committee(stack)
    answer = await _preview(stack, f"open Draft | | <@{OFFICER}> | by no later than 20 September 2022")
    assert "Tuesday 20 September 2022 at 23:59 (Europe/London), has already passed" in shown_text(answer)
    assert "Open comment window" not in buttons(answer)


async def test_ambiguous_deadline_asks_which_was_meant(stack):
    await set_up_committee(stack)
    answer = await _preview(stack, f"open Draft | | <@{OFFICER}> | 20 or 27 September 2040")
    text = shown_text(answer)
    assert "20 September 2040" in text and "27 September 2040" in text
    assert buttons(answer) == {}


async def test_members_cannot_open_windows(stack):
    await set_up_committee(stack)
    answer = (await stack.slack.slash_command("/report", "", user_id=PATEL, channel_id=CHANNEL)).json()
    assert "Only the committee's clerks can open comment windows" in shown_text(answer)
    assert stack.fake.calls_to("views.open") == []
    answer = await stack.slack.slash_command(
        "/report", f"open X | | <@{OFFICER}> | 1 May 2041", user_id=PATEL, channel_id=CHANNEL
    )
    assert "Only the committee's clerks" in shown_text(answer.json())


async def test_forged_confirm_button_from_a_member_opens_nothing(stack):
    await set_up_committee(stack)
    preview = await _preview(stack, f"open Draft | | <@{OFFICER}> | 1 May 2041")
    value = buttons(preview)["Open comment window"]["value"]
    await stack.slack.block_action("report.confirm", value, user_id=PATEL, channel_id=CHANNEL)
    [response] = [body for _, body in await stack.fake.wait_for_response()]
    assert "Only the committee's clerks" in shown_text(response)
    assert await stored(stack, CommentWindow) == []


async def test_missing_parts_and_bad_link_are_explained(stack):
    await set_up_committee(stack)
    assert "four parts" in shown_text(await _preview(stack, "open Just a title"))
    answer = await _preview(stack, f"open Draft | not-a-link | <@{OFFICER}> | 1 May 2041")
    assert "not a web link" in shown_text(answer)
    answer = await _preview(stack, "open Draft | | the director | 1 May 2041")
    assert "mention the officer" in shown_text(answer)


async def test_a_clerk_moves_a_deadline_and_the_channel_is_told(stack):
    await set_up_committee(stack)
    await open_window(stack, "Draft annual report 2021/22", "20 September 2040")
    reply = await stack.slack.slash_command(
        "/report", "deadline annual-report-2021 4 October 2040", user_id=CLERK, channel_id=CHANNEL
    )
    answer = reply.json()
    assert answer["response_type"] == "in_channel"
    assert "is now *Thursday 4 October 2040 at 23:59 (Europe/London)*" in shown_text(answer)
    [window] = await stored(stack, CommentWindow)
    assert window.deadline == datetime(2040, 10, 4, 22, 59, 59, tzinfo=UTC)
    refusal = await stack.slack.slash_command(
        "/report", "deadline annual-report-2021 5 October 2040", user_id=PATEL, channel_id=CHANNEL
    )
    assert "Only the committee's clerks can change comment deadlines" in shown_text(refusal.json())


SPECIAL_MENTION = re.compile(r"<!(channel|here|everyone)")


async def _announced(stack, preview: dict) -> str:
    """Confirm a previewed window and return the announcement's blocks as text."""
    assert not SPECIAL_MENTION.search(json.dumps(preview)), preview
    confirm = buttons(preview)["Open comment window"]
    await stack.slack.block_action("report.confirm", confirm["value"], user_id=CLERK, channel_id=CHANNEL)
    posts = await stack.fake.wait_for("chat.postMessage")
    return json.dumps(posts[-1].params["blocks"])


async def _previewed_from_the_form(stack, link: str) -> dict:
    await stack.slack.slash_command("/report", "", user_id=CLERK, channel_id=CHANNEL)
    values = {
        "title": text_value("Draft plan"),
        "document_url": text_value(link),
        "officer": user_value(OFFICER),
        "deadline": text_value("1 May 2041"),
    }
    await submit_view(stack, await opened_view(stack), values, CLERK)
    return (await ephemerals_to(stack, CLERK))[-1]


async def test_a_link_that_closes_itself_early_cannot_ping_the_channel(stack):
    await set_up_committee(stack)
    announced = await _announced(stack, await _previewed_from_the_form(stack, "https://example.org/a><!channel"))
    assert not SPECIAL_MENTION.search(announced), announced
    assert "<https://example.org/a%3E%3C!channel|Draft plan>" in announced
    [window] = await stored(stack, CommentWindow)
    assert window.document_url == "https://example.org/a%3E%3C!channel"


async def test_the_same_link_typed_in_a_command_as_slack_escapes_it(stack):
    await set_up_committee(stack)
    typed = f"open Draft plan | https://example.org/a&gt;&lt;!channel | <@{OFFICER}> | 1 May 2041"
    announced = await _announced(stack, await _preview(stack, typed))
    assert "<https://example.org/a%3E%3C!channel|Draft plan>" in announced


async def test_an_ampersand_in_a_link_is_escaped_inside_the_link(stack):
    """Slack sends a typed link as <url> with & as &amp;; stored as the address it is, and escaped again when shown."""
    await set_up_committee(stack)
    typed = f"open Draft plan | <https://example.org/r?doc=1&amp;v=2|example.org/r> | <@{OFFICER}> | 1 May 2041"
    announced = await _announced(stack, await _preview(stack, typed))
    assert "<https://example.org/r?doc=1&amp;v=2|Draft plan>" in announced
    [window] = await stored(stack, CommentWindow)
    assert window.document_url == "https://example.org/r?doc=1&v=2"


async def test_only_web_addresses_are_accepted_as_links(stack):
    await set_up_committee(stack)
    for typed in ("javascript:alert(1)", "ftp://example.org/r.pdf", "mailto:clerk@example.org", "https://<!channel>/"):
        answer = await _preview(stack, f"open Draft | {typed} | <@{OFFICER}> | 1 May 2041")
        assert "is not a web link I can use" in shown_text(answer), typed
        assert not SPECIAL_MENTION.search(json.dumps(answer)), typed
    answer = await _preview(stack, f"open Draft | https://example.org@evil.example/r.pdf | <@{OFFICER}> | 1 May 2041")
    assert "is not a web link I can use" in shown_text(answer)
    assert await stored(stack, CommentWindow) == []
