"""The register seen from elsewhere: the Word and CSV export, the calendar feed, the Home tab, all committees."""

import csv
import io
from datetime import UTC, datetime, timedelta

import aiohttp
import time_machine
from docx import Document
from icalendar import Calendar

from tests.flows import add_meeting, opened_view, record_resolution, set_up_committee, shown_text, submit_view
from tests.stack import CHANNEL, CLERK, MEMBERS, OFFICER
from tests.support.slack_client import text_value

PATEL = MEMBERS[0]


async def test_register_export_in_word_and_csv_with_history(stack):
    await set_up_committee(stack)
    await record_resolution(
        stack,
        "Officers to write to the Minister, costs included.",
        due="31 January 2041",
        owner_title="Director of Children and Family Services",
    )
    await stack.slack.block_action("action.done", "1", user_id=CLERK, channel_id=CHANNEL)
    await submit_view(stack, await opened_view(stack, count=2), {"note": text_value("Letter sent.")}, CLERK)
    reply = await stack.slack.slash_command("/actions", "export", user_id=CLERK, channel_id=CHANNEL)
    assert "register (1 resolutions)" in shown_text(reply.json()) or "register (1 resolution" in shown_text(
        reply.json()
    )
    await stack.fake.wait_for("files.completeUploadExternal")
    files = {f.filename.rsplit(".", 1)[1]: f for f in stack.fake.uploaded_files}
    words = "\n".join(p.text for p in Document(io.BytesIO(files["docx"].content)).paragraphs)
    assert "Officers to write to the Minister, costs included." in words and "Letter sent." in words
    [row] = list(csv.DictReader(io.StringIO(files["csv"].content.decode("utf-8-sig"))))
    assert row["status"] == "done" and "Dana Clerk" in row["history"]


async def test_members_cannot_export_the_register(stack):
    await set_up_committee(stack)
    reply = await stack.slack.slash_command("/actions", "export", user_id=PATEL, channel_id=CHANNEL)
    assert "Only the committee's clerks can export the resolutions register" in shown_text(reply.json())


async def test_calendar_feed_served_with_its_token_and_sent_as_a_file(stack):
    await set_up_committee(stack)
    await add_meeting(stack, "14 March 2041 10:00")
    reply = await stack.slack.slash_command("/meeting", "calendar", user_id=PATEL, channel_id=CHANNEL)
    assert "Calendar of Children and Families Overview and Scrutiny Committee" in shown_text(reply.json())
    await stack.fake.wait_for("files.completeUploadExternal")
    [ics] = stack.fake.uploaded_files
    events = Calendar.from_ical(ics.content).walk("VEVENT")
    assert [event["DTSTART"].dt for event in events] == [
        datetime(2041, 3, 14, 10, 0, tzinfo=events[0]["DTSTART"].dt.tzinfo)
    ]
    base = stack.slack.url.rsplit("/slack/events", 1)[0]
    async with aiohttp.ClientSession() as session, session.get(f"{base}/calendar/not-the-token.ics") as wrong:
        assert wrong.status == 404


async def test_home_tab_shows_what_concerns_the_person(stack):
    await set_up_committee(stack)
    await record_resolution(stack, "Director to report on placements.", due="1 January 2041", owner_user_id=OFFICER)
    await stack.bot.delivery.drain()
    stack.fake.reset()  # only the Home tabs published from here on count
    with time_machine.travel(datetime(2041, 2, 1, tzinfo=UTC), tick=True):
        await stack.slack.event({"type": "app_home_opened", "user": CLERK, "channel": "DHOME", "tab": "home"})
        [clerk_home] = await stack.fake.wait_for("views.publish", where=lambda c: c.params.get("user_id") == CLERK)
        await stack.slack.event({"type": "app_home_opened", "user": OFFICER, "channel": "DHOME", "tab": "home"})
        [officer_home] = await stack.fake.wait_for("views.publish", where=lambda c: c.params.get("user_id") == OFFICER)
    clerk_text = shown_text(clerk_home.params["view"])
    officer_text = shown_text(officer_home.params["view"])
    assert "Overdue in the committees you clerk" in clerk_text and "Director to report on placements." in clerk_text
    assert "Resolutions you own" in officer_text and "Director to report on placements." in officer_text
    assert "Overdue in the committees you clerk" not in officer_text


async def test_actions_all_covers_every_committee_the_clerk_clerks(stack):
    await set_up_committee(stack)
    stack.fake.members["COTHER"] = [CLERK]
    await set_up_committee(stack, "Adults Scrutiny Commission", channel="COTHER")
    await record_resolution(stack, "Here.", due="1 May 2041")
    await stack.slack.slash_command("/actions", "add", user_id=CLERK, channel_id="COTHER")
    view = (await stack.fake.wait_for("views.open", count=2))[-1].params["view"]
    await submit_view(
        stack,
        view,
        {
            "text": text_value("There."),
            "kind": {"type": "static_select", "selected_option": {"value": "action"}},
            "due": text_value("1 June 2041"),
        },
        CLERK,
    )
    answer = (await stack.slack.slash_command("/actions", "all", user_id=CLERK, channel_id=CHANNEL)).json()
    assert "Here." in shown_text(answer) and "There." in shown_text(answer)
    only = (await stack.slack.slash_command("/actions", "committee adults", user_id=CLERK, channel_id=CHANNEL)).json()
    assert "There." in shown_text(only) and "Here." not in shown_text(only)


async def test_an_owner_who_does_not_exist_is_refused(stack):
    await set_up_committee(stack)
    stack.fake.generate_unknown_users = False
    answer = await record_resolution(stack, "Someone to do something.", owner_user_id="UNOBODY")
    assert "can't find that person" in answer["errors"]["owner_user_id"]


async def test_upcoming_deadline_is_not_overdue(stack):
    await set_up_committee(stack)
    soon = datetime.now(UTC) + timedelta(days=3)
    await record_resolution(stack, "Due soon.", due=f"{soon.day} {soon:%B %Y}")
    answer = (await stack.slack.slash_command("/actions", "overdue", user_id=CLERK, channel_id=CHANNEL)).json()
    assert "no open resolutions" in shown_text(answer)
