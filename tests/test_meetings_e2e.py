"""Clerks keep the committee's calendar; members see the next meetings."""

from datetime import UTC, datetime

from storage.models import Meeting, MeetingStatus
from tests.flows import buttons, opened_view, responses, set_up_committee, shown_text, stored, submit_view
from tests.stack import CHANNEL, CLERK, MEMBERS
from tests.support.slack_client import text_value

PATEL = MEMBERS[0]


async def _meeting(stack, when: str) -> dict:
    reply = await stack.slack.slash_command("/meeting", f"add {when}", user_id=CLERK, channel_id=CHANNEL)
    return reply.json()


async def test_clerk_adds_a_meeting_inline_in_the_committee_zone(stack):
    await set_up_committee(stack)
    answer = await _meeting(stack, "14 March 2041 10:00")
    assert "Meeting added: *Thursday 14 March 2041 at 10:00 (Europe/London)*" in shown_text(answer)
    [meeting] = await stored(stack, Meeting)
    assert meeting.starts_at == datetime(2041, 3, 14, 10, 0, tzinfo=UTC)


async def test_summer_meeting_is_stored_in_utc(stack):
    await set_up_committee(stack)
    await _meeting(stack, "14 July 2041 10:00")
    [meeting] = await stored(stack, Meeting)
    assert meeting.starts_at == datetime(2041, 7, 14, 9, 0, tzinfo=UTC)


async def test_a_meeting_needs_a_time(stack):
    await set_up_committee(stack)
    answer = await _meeting(stack, "14 March 2041")
    assert "start time" in shown_text(answer)
    assert await stored(stack, Meeting) == []


async def test_members_see_the_next_meetings_without_clerks_buttons(stack):
    await set_up_committee(stack)
    await _meeting(stack, "14 March 2041 10:00")
    await _meeting(stack, "9 May 2041 18:30")
    answer = (await stack.slack.slash_command("/meeting", "", user_id=PATEL, channel_id=CHANNEL)).json()
    text = shown_text(answer)
    assert text.index("14 March 2041") < text.index("9 May 2041")
    assert buttons(answer) == {}
    clerk_view = (await stack.slack.slash_command("/meeting", "", user_id=CLERK, channel_id=CHANNEL)).json()
    assert {"Move", "Cancel meeting"} <= set(buttons(clerk_view))


async def test_members_cannot_add_meetings(stack):
    await set_up_committee(stack)
    answer = (
        await stack.slack.slash_command("/meeting", "add 14 March 2041 10:00", user_id=PATEL, channel_id=CHANNEL)
    ).json()
    assert "Only the committee's clerks can keep the committee's calendar" in shown_text(answer)
    assert await stored(stack, Meeting) == []


async def test_clerk_moves_and_cancels_with_buttons(stack):
    await set_up_committee(stack)
    await _meeting(stack, "14 March 2041 10:00")
    listing = (await stack.slack.slash_command("/meeting", "", user_id=CLERK, channel_id=CHANNEL)).json()
    meeting_id = buttons(listing)["Move"]["value"]
    await stack.slack.block_action("meeting.move", meeting_id, user_id=CLERK, channel_id=CHANNEL)
    view = await opened_view(stack)
    await submit_view(stack, view, {"when": text_value("21 March 2041 14:00")}, CLERK)
    [meeting] = await stored(stack, Meeting)
    assert meeting.starts_at == datetime(2041, 3, 21, 14, 0, tzinfo=UTC)
    await stack.slack.block_action("meeting.cancel", meeting_id, user_id=CLERK, channel_id=CHANNEL)
    [cancelled] = await responses(stack)
    assert "Meeting cancelled" in shown_text(cancelled)
    [meeting] = await stored(stack, Meeting)
    assert meeting.status == MeetingStatus.CANCELLED


async def test_the_add_form(stack):
    await set_up_committee(stack)
    await stack.slack.slash_command("/meeting", "add", user_id=CLERK, channel_id=CHANNEL)
    view = await opened_view(stack)
    assert view["callback_id"] == "meeting.add"
    await submit_view(stack, view, {"when": text_value("2/4/2041 10:30")}, CLERK)
    [meeting] = await stored(stack, Meeting)
    assert meeting.starts_at == datetime(2041, 4, 2, 9, 30, tzinfo=UTC)
