"""/actions: the register of open resolutions, overdue first, with clerks' buttons and every change kept."""

import json
from datetime import UTC, date, datetime, timedelta

import time_machine

from storage.models import Resolution, ResolutionChange, ResolutionStatus
from tests.flows import (
    add_meeting,
    button_list,
    buttons,
    opened_view,
    record_resolution,
    responses,
    set_up_committee,
    shown_text,
    stored,
    submit_view,
    tick_at,
)
from tests.stack import CHANNEL, CLERK, MEMBERS, OFFICER, STRANGER
from tests.support.slack_client import text_value, user_value

PATEL = MEMBERS[0]
OUTSIDER = "UOUTSIDER"  # in the workspace, not in the committee's channel


async def _actions(stack, text: str = "", user: str = CLERK) -> dict:
    reply = await stack.slack.slash_command("/actions", text, user_id=user, channel_id=CHANNEL)
    assert reply.status == 200, reply.text
    return reply.json()


def _item_order(answer: dict) -> list[str]:
    return [line.split(" · ")[0].strip("*") for line in shown_text(answer).splitlines() if line.startswith("*R")]


async def test_recording_a_resolution_with_a_date_and_owner_title(stack):
    await set_up_committee(stack)
    saved = await record_resolution(
        stack,
        "Officers to review school transport.",
        due="by the end of March 2041",
        owner_title="Director of Children and Family Services",
    )
    assert "Resolution R1 recorded" in shown_text(saved)
    [resolution] = await stored(stack, Resolution)
    assert resolution.due_date == date(2041, 3, 31)
    assert resolution.owner_title == "Director of Children and Family Services"
    [created] = await stored(stack, ResolutionChange)
    assert created.action == "created" and created.actor_user_id == CLERK


async def test_a_period_counts_from_the_meeting_date(stack):
    await set_up_committee(stack)
    await record_resolution(
        stack, "Report on progress.", kind="report_back", due="within six months", meeting_date="6 September 2040"
    )
    [resolution] = await stored(stack, Resolution)
    assert resolution.due_date == date(2041, 3, 6) and resolution.due_rule == "within six months"


async def test_a_due_date_before_the_meeting_is_refused_beside_the_field(stack):
    await set_up_committee(stack)
    answer = await record_resolution(stack, "Something.", due="1 August 2040", meeting_date="6 September 2040")
    assert answer["response_action"] == "errors"
    assert "before the meeting on 6 September 2040" in answer["errors"]["due"]
    assert await stored(stack, Resolution) == []


async def test_list_is_overdue_first_then_by_due_date_with_undated_last(stack):
    await set_up_committee(stack)
    await record_resolution(stack, "Later one.", due="1 June 2041")
    await record_resolution(stack, "No date.", due="")
    await record_resolution(stack, "Sooner one.", due="1 May 2041")
    with time_machine.travel(datetime(2041, 5, 10, 9, 0, tzinfo=UTC), tick=True):
        answer = await _actions(stack)
    assert _item_order(answer) == ["R3", "R1", "R2"]
    text = shown_text(answer)
    assert "*overdue*" in text.split("R1")[0] and "showing 1–3 of 3" in text


async def test_members_see_the_list_read_only(stack):
    await set_up_committee(stack)
    await record_resolution(stack, "An action.", due="1 June 2041")
    answer = await _actions(stack, user=PATEL)
    assert "An action." in shown_text(answer)
    assert set(buttons(answer)) == {"History", "Share in channel"}


async def test_a_member_forging_a_clerks_button_is_refused(stack, caplog):
    await set_up_committee(stack)
    await record_resolution(stack, "An action.", due="1 June 2041")
    await stack.slack.block_action("action.done", "1", user_id=PATEL, channel_id=CHANNEL)
    [refusal] = await responses(stack)
    assert "Only the committee's clerks can change resolutions" in shown_text(refusal)
    assert "is not a clerk" in caplog.text
    [resolution] = await stored(stack, Resolution)
    assert resolution.status == ResolutionStatus.OPEN


async def test_mark_done_with_a_note_then_history(stack):
    await set_up_committee(stack)
    await record_resolution(stack, "An action.", due="1 June 2041")
    listing = await _actions(stack)
    await stack.slack.block_action(
        "action.done", buttons(listing)["Mark done"]["value"], user_id=CLERK, channel_id=CHANNEL
    )
    view = await opened_view(stack, count=2)
    await submit_view(stack, view, {"note": text_value("Reported on 3 May.")}, CLERK)
    [resolution] = await stored(stack, Resolution)
    assert (resolution.status, resolution.closing_note) == ("done", "Reported on 3 May.")
    assert "no open resolutions" in shown_text(await _actions(stack))
    await stack.slack.block_action("action.history", "1", user_id=PATEL, channel_id=CHANNEL)
    [history] = await responses(stack)
    assert (
        "created by" in shown_text(history)
        and "done by" in shown_text(history)
        and "Reported on 3 May." in shown_text(history)
    )


async def test_history_pressed_on_the_home_tab_comes_by_direct_message(stack):
    """Home has no response_url to answer through, so a reply sent there would go nowhere."""
    await set_up_committee(stack)
    await record_resolution(stack, "That officers circulate the action log.", due="1 June 2041", owner_user_id=PATEL)
    await stack.slack.event({"type": "app_home_opened", "user": PATEL, "channel": "DHOME", "tab": "home"})
    [home] = await stack.fake.wait_for("views.publish", where=lambda call: call.params.get("user_id") == PATEL)
    view = {**home.params["view"], "id": "VHOME"}
    stack.fake.reset()

    pressed = await stack.slack.block_action(
        "action.history", buttons(view)["History"]["value"], user_id=PATEL, view=view
    )
    assert pressed.status == 200
    [direct] = await stack.fake.wait_for("chat.postMessage", where=lambda call: call.params.get("channel") == PATEL)
    assert "History of R1" in shown_text(direct.params) and "created by" in shown_text(direct.params)


async def test_reassign_and_redate_are_kept_in_history(stack):
    await set_up_committee(stack)
    await record_resolution(stack, "An action.", due="1 June 2041", owner_title="Head of Service")
    await stack.slack.block_action("action.reassign", "1", user_id=CLERK, channel_id=CHANNEL)
    await submit_view(
        stack,
        await opened_view(stack, count=2),
        {"owner_user_id": user_value(OFFICER), "owner_title": text_value("")},
        CLERK,
    )
    await stack.slack.block_action("action.redate", "1", user_id=CLERK, channel_id=CHANNEL)
    await submit_view(stack, await opened_view(stack, count=3), {"due": text_value("30 September 2041")}, CLERK)
    [resolution] = await stored(stack, Resolution)
    assert (resolution.owner_user_id, resolution.owner_title, resolution.due_date) == (OFFICER, None, date(2041, 9, 30))
    actions = [c.action for c in sorted(await stored(stack, ResolutionChange), key=lambda c: c.id)]
    assert actions == ["created", "reassigned", "redated"]


async def test_a_stale_button_shows_the_current_state(stack):
    await set_up_committee(stack)
    await record_resolution(stack, "An action.", due="1 June 2041")
    stale_list = await _actions(stack)
    await stack.slack.block_action("action.cancel", "1", user_id=CLERK, channel_id=CHANNEL)
    await submit_view(stack, await opened_view(stack, count=2), {"note": text_value("Superseded.")}, CLERK)
    await stack.slack.block_action(
        "action.done", buttons(stale_list)["Mark done"]["value"], user_id="UCLERK", channel_id=CHANNEL
    )
    [current] = await responses(stack)
    assert "R1 was already marked cancelled" in shown_text(current) and "Superseded." in shown_text(current)
    [resolution] = await stored(stack, Resolution)
    assert resolution.status == ResolutionStatus.CANCELLED


async def test_long_lists_page_within_block_kit_limits(stack):
    await set_up_committee(stack)
    for n in range(23):
        await record_resolution(stack, f"Action number {n}.", due=f"{n + 1} June 2041")
    first = await _actions(stack)
    assert len(first["blocks"]) <= 50 and "showing 1–10 of 23" in shown_text(first)
    await stack.slack.block_action(
        "actions.next",
        buttons(first)["Next page"]["value"],
        user_id=CLERK,
        channel_id=CHANNEL,
        container={"type": "message", "is_ephemeral": True, "channel_id": CHANNEL},
    )
    [second] = await responses(stack)
    assert "showing 11–20 of 23" in shown_text(second) and second["replace_original"] is True
    assert _item_order(second)[0] == "R11"


async def test_share_in_channel_posts_without_buttons(stack):
    await set_up_committee(stack)
    await record_resolution(stack, "An action.", due="1 June 2041")
    listing = await _actions(stack)
    await stack.slack.block_action(
        "actions.share", buttons(listing)["Share in channel"]["value"], user_id=PATEL, channel_id=CHANNEL
    )
    [shared] = await responses(stack)
    assert shared["response_type"] == "in_channel" and "An action." in shown_text(shared)
    assert set(buttons(shared)) <= {"Full text", "History"}


async def test_filters_mine_overdue_and_due_range(stack):
    await set_up_committee(stack)
    await record_resolution(stack, "Mine.", due="1 May 2041", owner_user_id=CLERK)
    await record_resolution(stack, "Theirs.", due="1 July 2041", owner_user_id=OFFICER)
    assert _item_order(await _actions(stack, "mine")) == ["R1"]
    assert _item_order(await _actions(stack, "due July 2041")) == ["R2"]
    assert _item_order(await _actions(stack, "due 1/5/2041 to 1/5/2041")) == ["R1"]  # due at the very end of the day
    with time_machine.travel(datetime(2041, 6, 1, tzinfo=UTC), tick=True):
        assert _item_order(await _actions(stack, "overdue")) == ["R1"]
    assert "don't know the filter" in shown_text(await _actions(stack, "soonish"))


async def test_future_meeting_attaches_with_lead_time_and_slips_when_the_meeting_passes(stack):
    await set_up_committee(stack)
    now = datetime.now(UTC)
    soon, later, latest = (now + timedelta(days=days) for days in (5, 30, 60))
    for meeting in (soon, later, latest):
        await add_meeting(stack, f"{meeting.day} {meeting:%B %Y} 10:00")
    await record_resolution(
        stack, "A report from the task and finish group.", kind="report_back", due="to a future meeting"
    )
    [resolution] = await stored(stack, Resolution)
    assert resolution.due_at.date() == later.date()
    assert f"meeting on {later.day} {later:%B %Y}" in shown_text(await _actions(stack))
    await tick_at(stack, later + timedelta(days=1))  # the scheduler moves the report on once the meeting passes
    with time_machine.travel(later + timedelta(days=1), tick=True):
        answer = await _actions(stack)
    assert f"meeting on {latest.day} {latest:%B %Y}" in shown_text(answer) and "slipped 1×" in shown_text(answer)
    assert "slipped" in [c.action for c in await stored(stack, ResolutionChange)]


async def test_cancelling_the_meeting_moves_its_reports_to_the_next(stack):
    await set_up_committee(stack)
    first, second = (datetime.now(UTC) + timedelta(days=days) for days in (3, 40))
    await add_meeting(stack, f"{first.day} {first:%B %Y} 10:00")
    await add_meeting(stack, f"{second.day} {second:%B %Y} 10:00")
    await record_resolution(stack, "Update at the next meeting.", kind="report_back", due="at its next meeting")
    [resolution] = await stored(stack, Resolution)
    assert resolution.due_at.date() == first.date()
    listing = (await stack.slack.slash_command("/meeting", "", user_id=CLERK, channel_id=CHANNEL)).json()
    first_cancel = next(b for b in button_list(listing) if b["action_id"] == "meeting.cancel")
    await stack.slack.block_action("meeting.cancel", first_cancel["value"], user_id=CLERK, channel_id=CHANNEL)
    [answer] = await responses(stack)
    moved = f"• R1 Update at the next meeting: now due at the meeting on {second.day} {second:%B %Y}"
    assert "Reports due at meetings that this moves:\n" + moved in shown_text(answer)  # the clerk sees where
    [resolution] = await stored(stack, Resolution)
    assert resolution.due_at.date() == second.date() and resolution.slipped_count == 1


async def test_no_meeting_scheduled_is_shown_not_dropped(stack):
    await set_up_committee(stack)
    await record_resolution(stack, "Report back later.", kind="report_back", due="to a future meeting")
    assert "at a future meeting (none scheduled yet)" in shown_text(await _actions(stack))


async def test_a_due_range_outside_any_committee_business_is_refused_with_a_reason(stack):
    await set_up_committee(stack)
    answer = await _actions(stack, "due before 1/1/0001")
    assert "is not a date a committee would use. Please check the year." in shown_text(answer)


async def test_a_resolution_is_shown_only_to_its_committee_whatever_button_is_forged(stack):
    """Anyone in the workspace can press a button carrying any id or channel; only clerks, the people in the
    committee's channel and the resolution's owner see it."""
    await set_up_committee(stack)
    secret = "Confidential: to review the children's home contract."
    await record_resolution(stack, secret, due="1 May 2041", owner_user_id=STRANGER)
    listing = '{"everywhere": false, "mine": false, "overdue": false, "due_from": null, "due_to": null, '
    listing += '"committee_name": null, "page": 0}'
    forged = [("action.more", "1"), ("action.history", "1"), ("actions.share", listing), ("actions.next", listing)]
    stack.fake.responses.clear()
    for action_id, value in forged:
        await stack.slack.block_action(action_id, value, user_id=OUTSIDER, channel_id=CHANNEL)
    refusals = [shown_text(body) for body in await responses(stack, count=len(forged))]
    assert all("belongs to a committee you are not a member of" in r and secret not in r for r in refusals), refusals
    assert not [c for c in stack.fake.calls_to("chat.postMessage") if secret in str(c.params)]
    stack.fake.responses.clear()
    for person in (PATEL, STRANGER, CLERK):
        await stack.slack.block_action("action.more", "1", user_id=person, channel_id="DSOMEWHERE")
    shown = [shown_text(body) for body in await responses(stack, count=3)]
    assert all(secret in text for text in shown), shown


async def test_a_change_form_sent_without_its_answer_changes_nothing(stack):
    """Slack never sends a required field empty; a broken or forged submission that does must be refused beside
    the field, and never read as "clear the due date" or "no owner"."""
    await set_up_committee(stack)
    await record_resolution(stack, "Officers to review school transport.", due="1 June 2041", owner_title="Director")
    before = await stored(stack, Resolution)
    context = json.dumps({"context": "1", "channel": CHANNEL})
    submissions = [
        ("action.redate", {}, "due"),
        ("action.redate", {"due": {"value": text_value("  ")}}, "due"),
        (
            "action.reassign",
            {"owner_user_id": {"value": user_value(None)}, "owner_title": {"value": text_value("")}},
            "owner_user_id",
        ),
    ]
    for form_id, values, field in submissions:
        answer = (await stack.slack.view_submission(form_id, values, user_id=CLERK, private_metadata=context)).json()
        # Beside the field when the form sent it; a form that left it out has it nowhere to show it.
        [(shown_beside, message)] = answer["errors"].items()
        assert message.startswith("Please") and (shown_beside == field or field not in values), answer
    assert await stored(stack, Resolution) == before
    assert [c.action for c in await stored(stack, ResolutionChange)] == ["created"]


def _sections(answer: dict) -> list[str]:
    return [block["text"]["text"] for block in answer["blocks"] if block["type"] == "section"]


def _unquoted(sections: list[str]) -> str:
    lines = "\n".join(sections).splitlines()
    return " ".join(" ".join(line.removeprefix("> ") for line in lines if line.startswith("> ")).split())


async def test_full_text_of_a_long_resolution_is_shown_whole_over_several_blocks(stack):
    await set_up_committee(stack)
    text = ("That the Director & officers review <home-to-school> transport costs. " * 50)[:3000].strip()
    await record_resolution(stack, text, due="1 June 2041")
    await stack.slack.block_action("action.more", "1", user_id=CLERK, channel_id=CHANNEL)
    [answer] = await responses(stack)
    sections = _sections(answer)
    assert len(sections) > 1 and all(len(section) <= 3000 for section in sections)
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert _unquoted(sections) == " ".join(escaped.split())
