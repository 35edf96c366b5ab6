"""Reminders: the exact messages at the exact times, in the committee's zone, each posted once."""

import asyncio
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import update

from handlers.reminders import tick
from storage.models import Committee, Reminder, ReminderState
from tests.flows import (
    FAST,
    add_meeting,
    buttons,
    comment_inline,
    open_window,
    record_resolution,
    responses,
    set_up_committee,
    shown_text,
    stored,
)
from tests.flows import reminder_kinds as _kinds
from tests.flows import reminder_posts as _posts
from tests.flows import tick_at as _tick_at
from tests.stack import CHAIR, CHANNEL, CLERK, MEMBERS, OFFICER

PATEL, JONES, SMITH = MEMBERS


async def _window_across_spring_clock_change(stack) -> int:
    with time_machine.travel(datetime(2026, 3, 16, 10, 0, tzinfo=UTC), tick=True):
        await set_up_committee(stack)
        window_id = await open_window(stack, "Draft annual report 2025/26", "31 March 2026")
        await comment_inline(stack, PATEL, "annual-report-2025 A view.")
    return window_id


async def test_a_whole_comment_window_across_the_spring_clock_change(stack):
    await _window_across_spring_clock_change(stack)
    announcement_count = len(stack.fake.calls_to("chat.postMessage"))
    expected = [
        (datetime(2026, 3, 24, 9, 0, tzinfo=UTC), ["window.week"]),  # Tuesday 24 March, 09:00 GMT
        (datetime(2026, 3, 30, 8, 0, tzinfo=UTC), ["window.tomorrow", *["window.nudge"] * 3]),  # 09:00 BST
        (datetime(2026, 3, 31, 8, 0, tzinfo=UTC), ["window.today"]),
        (datetime(2026, 3, 31, 22, 59, 59, tzinfo=UTC), ["window.closed", "window.compiled"]),
    ]
    for instant, kinds in expected:
        await _tick_at(stack, instant - timedelta(minutes=1))
        assert len(stack.fake.calls_to("chat.postMessage")) - announcement_count == sum(
            len(k) for i, k in expected if i < instant
        ), f"nothing may go out before {instant}"
        await _tick_at(stack, instant)
        await _tick_at(stack, instant + timedelta(minutes=1))
        assert sorted(_kinds(_posts(stack))[-len(kinds) :]) == sorted(kinds)
    posts = _posts(stack)
    texts = [shown_text(p.params) for p in posts]
    assert "close *in 7 days*, on Tuesday 31 March 2026 at 23:59 (Europe/London). 1 member has responded" in texts[0]
    assert "close *tomorrow*" in texts[1]
    nudged = {p.params["channel"] for p in posts if _kinds([p]) == ["window.nudge"]}
    assert nudged == {f"D{JONES}", f"D{SMITH}", f"D{CHAIR}"}  # members who have not responded; not Cllr Patel
    assert any("close *today at 23:59*" in t for t in texts)
    assert any("Comments closed" in t and "1 comment from 1 member" in t for t in texts)
    [compiled] = [f for f in stack.fake.uploaded_files if f.filename.endswith(".docx")]
    assert compiled.channel_id == f"D{OFFICER}"


async def test_each_reminder_is_posted_once_by_two_instances_ticking_together(stack):
    await _window_across_spring_clock_change(stack)
    instant = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    with time_machine.travel(instant, tick=False):
        await asyncio.gather(*(tick(stack.bot.services, stack.bot.reminders, f"instance-{n}", FAST) for n in range(3)))
    keys = [p.params["metadata"]["event_payload"]["key"] for p in _posts(stack)]
    assert len(keys) == len(set(keys)) and len(keys) >= 2


async def test_after_downtime_sensible_reminders_are_sent_and_stale_ones_dropped(stack):
    await _window_across_spring_clock_change(stack)
    await _tick_at(stack, datetime(2026, 3, 31, 12, 0, tzinfo=UTC))  # down since before the week's notice
    assert sorted(_kinds(_posts(stack))) == ["window.today"]
    dropped = [r.kind for r in await stored(stack, Reminder) if r.state == ReminderState.DROPPED]
    assert "window.week" in dropped and "window.tomorrow" in dropped
    # Easter Monday is a bank holiday: on the Tuesday, the clerk's weekly digest owns up to them.
    await _tick_at(stack, datetime(2026, 4, 7, 8, 0, tzinfo=UTC))
    [digest] = _posts(stack, f"D{CLERK}")
    text = shown_text(digest.params)
    assert "Not sent, because they were out of date" in text
    assert "the 7-day notice about comments on “Draft annual report 2025/26”, due to go out Tuesday 24 March" in text
    assert "window:" not in text


async def test_the_digest_owns_up_to_dropped_notices_of_a_committee_in_a_private_channel(stack):
    """Slack named private channels G... until 2021: what counts as the committee's own channel is its id, not a
    letter the platform happens to start ids with."""
    private = "GPRIVATECOMMITTEE"
    stack.fake.members[private] = stack.fake.members[CHANNEL]
    with time_machine.travel(datetime(2026, 3, 16, 10, 0, tzinfo=UTC), tick=True):
        await set_up_committee(stack, channel=private)
        await open_window(stack, "Draft annual report 2025/26", "31 March 2026", channel=private)
    await _tick_at(stack, datetime(2026, 3, 31, 12, 0, tzinfo=UTC))  # down since before the week's notice
    await _tick_at(stack, datetime(2026, 4, 7, 8, 0, tzinfo=UTC))
    [digest] = _posts(stack, f"D{CLERK}")
    text = shown_text(digest.params)
    assert "Not sent, because they were out of date" in text
    assert "the 7-day notice about comments on “Draft annual report 2025/26”, due to go out Tuesday 24 March" in text


def _in_history(stack, channel: str, kind: str) -> int:
    return sum(
        1 for m in stack.fake.history.get(channel, []) if kind in str((m.get("metadata") or {}).get("event_payload"))
    )


async def test_a_crash_between_posting_and_recording_does_not_post_twice(stack):
    await _window_across_spring_clock_change(stack)
    instant = datetime(2026, 3, 24, 9, 0, tzinfo=UTC)
    await _tick_at(stack, instant)
    async with stack.database.engine.begin() as connection:  # the process died before recording the post
        await connection.execute(
            update(Reminder).values(state=ReminderState.CLAIMED, completed_at=None, message_ref=None)
        )
    await _tick_at(stack, instant + timedelta(minutes=10))
    assert _in_history(stack, CHANNEL, "window.week") == 1
    [sent] = await stored(stack, Reminder)
    assert sent.state == ReminderState.SENT and sent.attempts == 2 and sent.message_ref


async def test_a_timed_out_post_is_retried_later_and_lands_once(stack):
    await _window_across_spring_clock_change(stack)
    instant = datetime(2026, 3, 24, 9, 0, tzinfo=UTC)
    stack.fake.fail("chat.postMessage", delay=3, times=1)  # longer than the client waits
    await _tick_at(stack, instant)
    [claimed] = await stored(stack, Reminder)
    assert claimed.state == ReminderState.CLAIMED
    await _tick_at(stack, instant + timedelta(minutes=2))  # too soon to take over the claim
    await _tick_at(stack, instant + timedelta(minutes=10))
    assert _in_history(stack, CHANNEL, "window.week") == 1
    [sent] = await stored(stack, Reminder)
    assert sent.state == ReminderState.SENT


async def test_a_permanent_error_is_recorded_and_reported_to_the_clerk(stack):
    await _window_across_spring_clock_change(stack)
    stack.fake.fail("chat.postMessage", error="channel_not_found", times=1)
    await _tick_at(stack, datetime(2026, 3, 24, 9, 0, tzinfo=UTC))
    [failed] = await stored(stack, Reminder)
    assert (failed.state, failed.error) == (ReminderState.FAILED, "channel_not_found")
    [report] = [c for c in stack.fake.calls_to("chat.postMessage") if c.params["channel"] == f"D{CLERK}"]
    told = shown_text(report.params)
    assert "could not be delivered" in told
    assert "the 7-day notice about comments on “Draft annual report 2025/26” in the channel" in told
    assert "the channel no longer exists" in told
    await _tick_at(stack, datetime(2026, 3, 24, 10, 0, tzinfo=UTC))
    assert (
        len([c for c in stack.fake.calls_to("chat.postMessage") if "window.week" in str(c.params.get("metadata"))]) == 1
    )


async def test_rate_limited_posts_are_retried_and_delivered_once(stack):
    await _window_across_spring_clock_change(stack)
    stack.fake.fail("chat.postMessage", status=429, retry_after=1, times=1)
    await _tick_at(stack, datetime(2026, 3, 24, 9, 0, tzinfo=UTC))
    assert _kinds(_posts(stack)) == ["window.week"]
    [sent] = await stored(stack, Reminder)
    assert sent.state == ReminderState.SENT


async def test_autumn_clock_change_and_a_committee_in_another_zone(stack):
    with time_machine.travel(datetime(2026, 10, 1, 10, 0, tzinfo=UTC), tick=True):
        await set_up_committee(stack)
        await stack.slack.slash_command("/committee", "reminders 8", user_id=CLERK, channel_id=CHANNEL)
        await open_window(stack, "Budget consultation", "27 October 2026")
    await _tick_at(stack, datetime(2026, 10, 20, 7, 0, tzinfo=UTC))  # 08:00 BST, a week before
    await _tick_at(stack, datetime(2026, 10, 26, 8, 0, tzinfo=UTC))  # 08:00 GMT after the change
    assert (
        _kinds(_posts(stack))
        == ["window.week", "window.tomorrow", "window.nudge", "window.nudge", "window.nudge", "window.nudge"][
            : len(_posts(stack))
        ]
    )
    assert _kinds(_posts(stack))[:2] == ["window.week", "window.tomorrow"]


async def test_weekend_notices_move_to_friday_unless_the_deadline_is_at_a_weekend(stack):
    with time_machine.travel(datetime(2026, 5, 1, 10, 0, tzinfo=UTC), tick=True):
        await set_up_committee(stack)
        await open_window(stack, "Draft plan", "Monday 18 May 2026")
    await _tick_at(stack, datetime(2026, 5, 11, 8, 0, tzinfo=UTC))  # Monday 11 May: the week's notice
    await _tick_at(stack, datetime(2026, 5, 15, 8, 0, tzinfo=UTC))  # Friday: "tomorrow" would be a Sunday
    kinds = _kinds(_posts(stack, CHANNEL))
    assert kinds == ["window.week", "window.tomorrow"]
    assert "close *in 3 days*" in shown_text(_posts(stack, CHANNEL)[1].params)
    assert "No member has responded yet." in shown_text(_posts(stack, CHANNEL)[0].params)


async def test_dated_action_reminds_owner_and_channel(stack):
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=UTC), tick=True):
        await set_up_committee(stack)
        await record_resolution(stack, "Write to the Minister.", due="17 June 2026", owner_user_id=OFFICER)
    await _tick_at(stack, datetime(2026, 6, 10, 8, 0, tzinfo=UTC))
    await _tick_at(stack, datetime(2026, 6, 17, 8, 0, tzinfo=UTC))
    posts = _posts(stack)
    assert sorted((p.params["channel"], _kinds([p])[0]) for p in posts) == sorted(
        [
            (CHANNEL, "action.week"),
            (f"D{OFFICER}", "action.week"),
            (CHANNEL, "action.today"),
            (f"D{OFFICER}", "action.today"),
        ]
    )
    assert "Due today" in shown_text(posts[-1].params)


async def test_report_back_and_the_clerks_agenda_digest(stack):
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=UTC), tick=True):
        await set_up_committee(stack)
        async with stack.database.engine.begin() as connection:  # as the set-up form would record a chair
            await connection.execute(update(Committee).values(chair_user_id=CHAIR))
        await add_meeting(stack, "29 July 2026 10:00")
        await record_resolution(
            stack,
            "Report from the task and finish group.",
            kind="report_back",
            due="to a future meeting",
            owner_user_id=OFFICER,
        )
    for day in (1, 8, 15):  # lead time begins 1 July, a week later, agenda deadline 15 July
        await _tick_at(stack, datetime(2026, 7, day, 8, 0, tzinfo=UTC))
    channel_kinds = _kinds(_posts(stack, CHANNEL))
    assert channel_kinds == ["report.lead", "report.week", "report.deadline"]
    assert "Report due back at the meeting on 29 July 2026" in shown_text(_posts(stack, CHANNEL)[0].params)
    [digest] = _posts(stack, f"D{CLERK}")
    assert "Agenda deadline for the meeting on 29 July 2026" in shown_text(digest.params)
    [escalation] = _posts(stack, f"D{CHAIR}")  # nobody updated the report through two reminders
    assert "You are told as chair: nobody has updated it through two reminders." in shown_text(escalation.params)
    assert "Report from the task and finish group: due at the meeting on 29 July 2026" in shown_text(digest.params)


async def test_closing_an_item_cancels_its_reminders(stack):
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=UTC), tick=True):
        await set_up_committee(stack)
        await record_resolution(stack, "Write to the Minister.", due="17 June 2026")
        await stack.slack.block_action("action.cancel", "1", user_id=CLERK, channel_id=CHANNEL)
        view = (await stack.fake.wait_for("views.open", count=2))[-1].params["view"]
        await stack.slack.view_submission(
            "action.cancelled",
            {"note": {"value": {"type": "plain_text_input", "value": "No longer needed"}}},
            user_id=CLERK,
            private_metadata=view["private_metadata"],
        )
    await _tick_at(stack, datetime(2026, 6, 10, 8, 0, tzinfo=UTC))
    assert _posts(stack) == []


async def test_members_cannot_snooze_but_can_stop_their_own_messages(stack):
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=UTC), tick=True):
        await set_up_committee(stack)
        await record_resolution(stack, "Write to the Minister.", due="17 June 2026", owner_user_id=OFFICER)
    await _tick_at(stack, datetime(2026, 6, 17, 8, 0, tzinfo=UTC))
    [due_today] = _posts(stack, CHANNEL)
    await stack.slack.block_action(
        "reminder.snooze", buttons(due_today.params)["Snooze a week"]["value"], user_id=JONES, channel_id=CHANNEL
    )
    [refusal] = await responses(stack)
    assert "Only the committee's clerks can snooze or mute reminders" in shown_text(refusal)
    [to_owner] = _posts(stack, f"D{OFFICER}")
    assert list(buttons(to_owner.params)) == ["History", "Stop these messages"], "its words are all shown"
