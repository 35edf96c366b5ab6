"""Comment windows end to end: signed HTTP into the real Bolt app, Slack's Web API played by a fake."""

from tests.flows import buttons, open_window, set_up_committee, shown_text
from tests.stack import CHANNEL, CLERK, MEMBERS

PATEL, JONES, _ = MEMBERS


async def test_clerk_sets_up_a_committee_in_a_channel(stack):
    answer = await set_up_committee(stack)
    assert answer["response_type"] == "in_channel"
    assert "Children and Families Overview and Scrutiny Committee* is now set up" in shown_text(answer)
    assert "Europe/London" in shown_text(answer)


async def test_commands_in_a_channel_with_no_committee_say_how_to_set_one_up(stack):
    reply = await stack.slack.slash_command("/comment", "annual-report I agree", user_id=PATEL, channel_id="CELSEWHERE")
    answer = reply.json()
    assert answer["response_type"] == "ephemeral"
    assert "no comment windows open to you" in shown_text(answer)
    reply = await stack.slack.slash_command("/report", "", user_id=CLERK, channel_id="CELSEWHERE")
    assert "/committee setup" in shown_text(reply.json())


async def test_member_comments_inline_and_gets_a_receipt(stack):
    await set_up_committee(stack)
    await open_window(stack)
    reply = await stack.slack.slash_command("/comment", "annual-report-2021 I welcome the focus on mental health.", user_id=PATEL, channel_id=CHANNEL)
    answer = reply.json()
    text = shown_text(answer)
    assert answer["response_type"] == "ephemeral"
    assert "Draft annual report 2021/22" in text and "I welcome the focus on mental health." in text
    assert "https://example.slack.com/archives/" in text
    assert set(buttons(answer)) == {"Edit", "Withdraw"}
