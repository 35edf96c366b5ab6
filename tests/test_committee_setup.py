"""A clerk sets up a channel as a committee; other commands refuse politely until one exists."""

import json

from storage.models import Committee, CommitteeClerk
from tests.flows import opened_view, set_up_committee, shown_text, stored, submit_view
from tests.stack import CHAIR, CHANNEL, CLERK, MEMBERS
from tests.support.slack_client import text_value, user_value, users_value

PATEL = MEMBERS[0]
IN_CHANNEL = json.dumps({"context": "", "channel": CHANNEL})


async def test_set_up_through_the_form_with_zone_clerks_and_chair(stack):
    reply = await stack.slack.slash_command("/committee", "setup", user_id=CLERK, channel_id=CHANNEL)
    assert reply.status == 200
    view = await opened_view(stack)
    assert view["callback_id"] == "committee.setup"
    zone_block = next(b for b in view["blocks"] if b.get("block_id") == "timezone")
    assert zone_block["element"]["initial_value"] == "Europe/London"

    values = {
        "name": text_value("Children and Families OSC"),
        "timezone": text_value("Europe/Dublin"),
        "clerks": users_value([CLERK, "UCLERK2"]),
        "chair": user_value(CHAIR),
    }
    answer = await submit_view(stack, view, values, CLERK)
    assert answer.status == 200 and not answer.text

    [committee] = await stored(stack, Committee)
    assert (committee.name, committee.timezone, committee.chair_user_id) == (
        "Children and Families OSC",
        "Europe/Dublin",
        CHAIR,
    )
    assert {c.user_id for c in await stored(stack, CommitteeClerk)} == {CLERK, "UCLERK2"}
    [announcement] = [c.params for c in await stack.fake.wait_for("chat.postMessage")]
    assert announcement["channel"] == CHANNEL
    assert "is now set up" in shown_text(announcement) and "Europe/Dublin" in shown_text(announcement)
    assert "Next: open a comment window with `/report`" in shown_text(announcement)


async def test_unknown_time_zone_is_shown_beside_the_field_and_nothing_is_saved(stack):
    await stack.slack.slash_command("/committee", "setup", user_id=CLERK, channel_id=CHANNEL)
    view = await opened_view(stack)
    values = {
        "name": text_value("Scrutiny"),
        "timezone": text_value("Mars/Olympus"),
        "clerks": users_value([CLERK]),
        "chair": user_value(None),
    }
    answer = (await submit_view(stack, view, values, CLERK)).json()
    assert answer["response_action"] == "errors"
    assert "Mars/Olympus" in answer["errors"]["timezone"]
    assert await stored(stack, Committee) == []


async def test_only_a_clerk_can_change_an_existing_committee(stack):
    await set_up_committee(stack, "Original name")
    reply = await stack.slack.slash_command("/committee", "setup Hijacked", user_id=PATEL, channel_id=CHANNEL)
    said = shown_text(reply.json())
    assert "already set up as Original name, so what you entered was not applied" in said
    assert "Only its clerks (Dana Clerk) can change its set-up" in said
    assert [c.name for c in await stored(stack, Committee)] == ["Original name"]


async def test_clerk_renames_and_keeps_zone_and_clerks(stack):
    await set_up_committee(stack, "Original name")
    answer = await set_up_committee(stack, "New name")
    assert "New name* has been updated" in shown_text(answer)
    assert "Next: open a comment window" not in shown_text(answer), "a committee already set up is past its first step"
    assert [(c.name, c.timezone) for c in await stored(stack, Committee)] == [("New name", "Europe/London")]


async def test_a_committee_needs_a_name(stack):
    reply = await stack.slack.slash_command("/committee", "setup    ", user_id=CLERK, channel_id=CHANNEL)
    assert reply.status == 200
    assert (await opened_view(stack))["callback_id"] == "committee.setup"


async def test_commands_elsewhere_point_to_setup(stack):
    reply = await stack.slack.slash_command("/report", "open", user_id=CLERK, channel_id="CNOTACOMMITTEE")
    answer = reply.json()
    assert answer["response_type"] == "ephemeral"
    assert "isn't set up as a committee" in shown_text(answer) and "/committee setup" in shown_text(answer)


async def test_a_setup_form_sent_without_zone_or_clerks_changes_nothing(stack):
    """The form always sends the zone and clerks it shows; without them, a re-setup must not reset the zone to
    London or leave only the person submitting as clerk."""
    await set_up_committee(stack)
    form = {"name": {"value": text_value("Renamed")}, "timezone": {"value": text_value("Europe/Dublin")}}
    form |= {"clerks": {"value": users_value([CLERK, CHAIR])}}
    await stack.slack.view_submission("committee.setup", form, user_id=CLERK, private_metadata=IN_CHANNEL)
    before = (await stored(stack, Committee), await stored(stack, CommitteeClerk))
    emptied = {"timezone": {"value": text_value(" ")}, "clerks": {"value": users_value([])}}
    for missing in ("timezone", "clerks"):
        for values in (
            {name: entry for name, entry in form.items() if name != missing},
            form | {missing: emptied[missing]},
        ):
            reply = await stack.slack.view_submission(
                "committee.setup", values, user_id=CLERK, private_metadata=IN_CHANNEL
            )
            errors = reply.json()["errors"]
            assert list(errors.values())[0].startswith("Please"), errors
            assert missing not in values or list(errors) == [missing], errors
    assert (await stored(stack, Committee), await stored(stack, CommitteeClerk)) == before
