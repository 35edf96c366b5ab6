"""The scheduler over a Slack committee and a Teams committee in one database, built as `committee-bot scheduler`
builds it (bot.server.reminder_sending, from the settings and environment) and as `serve` runs it with
REMINDERS=on (bot.server.serving_app). Each committee is set up by its clerk through its own platform's requests
(slash commands signed as Slack signs them; activities POSTed to /api/messages), so the channel's conversation
reference the Teams reminders need is the one the bot kept when it was used there. Slack's Web API and Teams' Bot
Connector (with Graph) are the fakes on loopback; every reminder must land exactly once, on its own platform."""

import asyncio
import copy
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from aiohttp import web
from sqlalchemy import update

from bot.config import Settings
from bot.platforms import NOT_CONFIGURED
from bot.scheduler import ReminderScheduler
from bot.server import reminder_sending, serving_app
from bot.teams.cards import PRESS
from bot.teams.settings import ANONYMOUS, GRAPH_URL_SETTING
from bot.teams.settings import TENANT_ID as TENANT_ID_SETTING
from handlers.reminder_plan import ledger_key
from storage.database import Database, schema_revisions
from storage.models import Reminder, ReminderSnooze, ReminderState, Resolution
from tests import flows
from tests import teams_stack as teams_flows
from tests.stack import CHANNEL as SLACK_CHANNEL
from tests.stack import SLACK_TIMEOUT_SECONDS, Stack, start_stack
from tests.support.fake_bot_connector import (
    CHANNEL_ID,
    CREATE,
    GRAPH_CHANNEL_MESSAGES,
    GRAPH_CHAT_MESSAGES,
    REPLY,
    SEND,
    TENANT_ID,
)
from tests.teams_stack import CHAIR, MEMBERS, OFFICER, TeamsStack, shown, start_teams_stack

TITLE = "Draft annual report 2021/22"  # both stacks' report, open until 20 September 2040
WEEK_NOTICE = datetime(2040, 9, 13, 9, 0, tzinfo=UTC)  # "7 days left": a notice in the channel only
TOMORROW_NOTICE = datetime(2040, 9, 19, 9, 0, tzinfo=UTC)  # the last day: the notice, and a nudge to each member
AFTER_THE_CLAIM_TIMEOUT = timedelta(minutes=10)
NUDGED = (CHAIR, *MEMBERS)  # the committee's members but its clerk and the report's officer; nobody commented


@pytest.fixture
async def teams(database, monkeypatch):
    """A Teams committee, set up by its clerk in the channel, its report opened and announced there; the
    environment configures Teams (no tenant: the SDK's anonymous mode, Graph at the fake's address)."""
    stack = await start_teams_stack(database)
    monkeypatch.setenv(ANONYMOUS, "true")
    monkeypatch.setenv(TENANT_ID_SETTING, TENANT_ID)
    monkeypatch.setenv(GRAPH_URL_SETTING, stack.connector.graph_url)
    await teams_flows.set_up_committee(stack)
    await teams_flows.open_window(stack)
    stack.connector.calls.clear()  # what the tests look at is what the scheduler did
    yield stack
    await stack.stop()


@pytest.fixture
async def slack(database):
    """A Slack committee in the same database, set up and its report opened by signed slash commands."""
    stack = await start_stack(database)
    await flows.set_up_committee(stack)
    await flows.open_window(stack)
    yield stack
    await stack.stop()


def _slack_settings(slack: Stack | None, **more) -> Settings:
    if slack is None:
        return Settings(**more)
    return Settings(
        bot_token="xoxb-test",
        slack_api_url=slack.fake.base_url,
        slack_timeout_seconds=SLACK_TIMEOUT_SECONDS,
        **more,
    )


def _scheduler(database: Database, slack: Stack | None) -> ReminderScheduler:
    """One `committee-bot scheduler` instance: what it sends through is what the settings and environment give."""
    settings = _slack_settings(slack)
    return ReminderScheduler(*reminder_sending(settings, database), settings)


async def _tick(instant: datetime, *schedulers: ReminderScheduler) -> None:
    """Each scheduler's tick, all at once, with the clock standing at `instant`."""
    with time_machine.travel(instant, tick=False):
        await asyncio.gather(*(scheduler.run_once() for scheduler in schedulers))


async def _ledger(database: Database) -> list[Reminder]:
    from sqlmodel import select

    async with database.session() as session:
        return list(await session.exec(select(Reminder)))


async def _recorded(database: Database, count: int, seconds: float = 10) -> None:
    """Wait until `count` reminders are recorded as sent (by a tick running in the background)."""
    for _ in range(int(seconds / 0.05)):
        if sum(row.state == ReminderState.SENT for row in await _ledger(database)) >= count:
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"fewer than {count} reminders were sent")


def _key(row: Reminder) -> str:
    return ledger_key(row.item, row.kind, row.occasion, row.target)


async def _forget_the_outcomes(database: Database) -> None:
    """As if each instance died after posting and before recording: the claims stand, nothing is known."""
    async with database.engine.begin() as connection:
        await connection.execute(
            update(Reminder)
            .where(Reminder.state == ReminderState.SENT)
            .values(state=ReminderState.CLAIMED, completed_at=None, message_ref=None)
        )


def _teams_posts(teams: TeamsStack) -> list[tuple[str, str]]:
    """(ledger key, where) of each reminder the Bot Connector took: a card whose id is its ledger key."""
    posts = []
    for call in teams.connector.calls:
        if call.kind not in (SEND, REPLY, CREATE) or call.failed:
            continue
        activity = call.body.get("activity") or call.body
        for attachment in activity.get("attachments") or []:
            key = (attachment.get("content") or {}).get("id")
            if isinstance(key, str):
                posts.append((key, call.conversation_id or "a new thread"))
    return posts


def _slack_keys(slack: Stack) -> list[str]:
    return [post.params["metadata"]["event_payload"]["key"] for post in flows.reminder_posts(slack)]


def _announcement(teams: TeamsStack) -> str:
    [announcement] = teams.channel_posts()
    return announcement.id


def _nudged(teams: TeamsStack) -> dict[str, list[str]]:
    """What each member found in their 1:1 chat with the bot."""
    return {member: [shown(message.activity) for message in teams.chat(member)] for member in NUDGED}


async def _every_reminder_sent_once(database: Database, teams: TeamsStack | None, slack: Stack | None) -> None:
    """Each reminder due is sent, in the one post that carries its key, on its own platform."""
    everything = await _ledger(database)
    # A notice whose time had long passed when the tick came (the week's, here) is dropped, not sent late.
    ledger = [row for row in everything if row.state != ReminderState.DROPPED]
    assert ledger and all(row.state == ReminderState.SENT for row in ledger), [(r.kind, r.error) for r in ledger]
    posted = {}
    if teams is not None:
        teams_keys = [key for key, _where in _teams_posts(teams)]
        assert len(teams_keys) == len(set(teams_keys)), "a Teams reminder was posted twice"
        posted |= dict.fromkeys(teams_keys, "Teams")
    if slack is not None:
        slack_keys = _slack_keys(slack)
        assert len(slack_keys) == len(set(slack_keys)), "a Slack reminder was posted twice"
        posted |= dict.fromkeys(slack_keys, "Slack")
    assert set(posted) == {_key(row) for row in ledger}
    for row in ledger:
        assert posted[_key(row)] == ("Teams" if row.target.startswith(("19:", "29:")) else "Slack"), row.target


# ---------------------------------------------------------------------- one platform at a time


async def test_teams_only_a_scheduler_with_no_slack_setting_posts_in_the_channel_the_clerk_set_up(teams):
    scheduler = _scheduler(teams.database, slack=None)
    await _tick(WEEK_NOTICE, scheduler)
    [notice] = teams.connector.thread_replies(CHANNEL_ID, _announcement(teams))
    assert TITLE in shown(notice.activity) and "7 days" in shown(notice.activity)
    [sent] = await _ledger(teams.database)
    assert (sent.state, sent.message_ref) == (ReminderState.SENT, notice.id)


async def test_slack_only_the_scheduler_posts_as_before(slack, monkeypatch):
    for name in (ANONYMOUS, TENANT_ID_SETTING, GRAPH_URL_SETTING):
        monkeypatch.delenv(name, raising=False)
    await _tick(WEEK_NOTICE, _scheduler(slack.database, slack))
    [notice] = flows.reminder_posts(slack, SLACK_CHANNEL)
    assert "7 days" in str(notice.params) and TITLE in str(notice.params)
    await _every_reminder_sent_once(slack.database, None, slack)


async def test_teams_only_a_slack_committee_left_in_the_database_holds_up_nothing(teams, slack):
    """Slack's settings removed: its committee's reminders wait (a later tick with Slack configured may send them)
    and nothing of it goes to Teams, while the Teams committee's go out as usual."""
    await _tick(WEEK_NOTICE, _scheduler(teams.database, slack=None))
    [notice] = teams.connector.thread_replies(CHANNEL_ID, _announcement(teams))
    assert "7 days" in shown(notice.activity)
    assert flows.reminder_posts(slack) == [] and all(key.endswith(CHANNEL_ID) for key, _ in _teams_posts(teams))
    waiting = [row for row in await _ledger(teams.database) if row.target == SLACK_CHANNEL]
    assert [(row.state, row.error) for row in waiting] == [(ReminderState.CLAIMED, NOT_CONFIGURED)]


# ---------------------------------------------------------------------- both, over one database


async def test_both_two_schedulers_ticking_together_post_each_reminder_once_on_its_own_platform(teams, slack):
    schedulers = [_scheduler(teams.database, slack) for _ in range(2)]
    await _tick(TOMORROW_NOTICE, *schedulers)
    await _every_reminder_sent_once(teams.database, teams, slack)
    [notice] = teams.connector.thread_replies(CHANNEL_ID, _announcement(teams))
    assert TITLE in shown(notice.activity)
    assert all(len(messages) == 1 and TITLE in messages[0] for messages in _nudged(teams).values())
    assert len(flows.reminder_posts(slack, SLACK_CHANNEL)) == 1, "Slack's notice, in Slack's channel"

    await _tick(TOMORROW_NOTICE + AFTER_THE_CLAIM_TIMEOUT, *schedulers)  # nothing is due twice
    await _every_reminder_sent_once(teams.database, teams, slack)


async def test_both_after_a_crash_between_posting_and_recording_each_post_is_found_not_repeated(teams, slack):
    await _tick(TOMORROW_NOTICE, _scheduler(teams.database, slack))
    await _forget_the_outcomes(teams.database)
    await _tick(TOMORROW_NOTICE + AFTER_THE_CLAIM_TIMEOUT, _scheduler(teams.database, slack))
    await _every_reminder_sent_once(teams.database, teams, slack)
    assert len(teams.connector.calls_to(GRAPH_CHANNEL_MESSAGES)) == 1, "the channel was read through Graph"
    assert len(teams.connector.calls_to(GRAPH_CHAT_MESSAGES)) == len(NUDGED), "and each nudged member's chat"
    assert slack.fake.calls_to("conversations.history"), "Slack's channel history was read"
    [notice] = teams.connector.thread_replies(CHANNEL_ID, _announcement(teams))
    sent = [row for row in await _ledger(teams.database) if row.state == ReminderState.SENT]
    [notice_row] = [row for row in sent if row.target == CHANNEL_ID]
    assert notice_row.message_ref == notice.id and notice_row.attempts == 2


async def test_both_under_teams_throttling_and_gateway_errors_each_reminder_lands_once(teams, slack):
    """Teams answers 429 with Retry-After to the notice, 502 to a chat's creation and 504 to a nudge; Slack asks
    to slow down too. The 429s are waited out within the tick; the 5xx are tried again after the claim timeout."""
    teams.connector.fail(REPLY, 429, retry_after=1, times=2)
    teams.connector.fail(CREATE, 502)
    teams.connector.fail(SEND, 504)
    slack.fake.fail("chat.postMessage", status=429, retry_after=1)
    started = asyncio.get_running_loop().time()
    await _tick(TOMORROW_NOTICE, _scheduler(teams.database, slack), _scheduler(teams.database, slack))
    assert asyncio.get_running_loop().time() - started >= 2, "each Retry-After was honoured"
    assert [call.failure for call in teams.connector.calls_to(REPLY)] == ["http 429", "http 429", None]
    errors = {row.error for row in await _ledger(teams.database) if row.state == ReminderState.CLAIMED}
    assert errors == {"Teams answered 502", "Teams answered 504"}, "each gateway error is left to try again"

    await _tick(TOMORROW_NOTICE + AFTER_THE_CLAIM_TIMEOUT, _scheduler(teams.database, slack))
    await _every_reminder_sent_once(teams.database, teams, slack)
    assert all(len(messages) == 1 for messages in _nudged(teams).values())


# ---------------------------------------------------------------------- `serve` with REMINDERS=on


async def test_serve_with_reminders_on_ticks_for_both_platforms_at_start(teams, slack):
    settings = _slack_settings(slack, signing_secret="not-asked-here", reminders=True)
    with time_machine.travel(WEEK_NOTICE, tick=True):
        application = serving_app(settings, Database(teams.database.url), schema_revisions().head)
        runner = web.AppRunner(application)
        await runner.setup()  # the reminder tick starts with the application, and runs at once
        try:
            await _recorded(teams.database, count=2)  # the notice in each committee's channel
        finally:
            await runner.cleanup()
    [notice] = teams.connector.thread_replies(CHANNEL_ID, _announcement(teams))
    assert "7 days" in shown(notice.activity)
    assert len(_slack_keys(slack)) == 1, "Slack's notice"
    await _every_reminder_sent_once(teams.database, teams, slack)


# Reminders about the resolutions register (tests/test_reminders_e2e.py), recorded through the Teams dialog.

RECORDED_ON = datetime(2039, 6, 1, 10, 0, tzinfo=UTC)  # long before the report's notices of September 2040
WEEK_BEFORE_DUE, DUE_DAY = datetime(2039, 6, 10, 8, 0, tzinfo=UTC), datetime(2039, 6, 17, 8, 0, tzinfo=UTC)


async def _record_action_due_17_june(teams: TeamsStack) -> None:
    clerk = teams_flows.CLERK
    with time_machine.travel(RECORDED_ON, tick=True):
        await teams.teams.say(clerk, "actions add")
        form = teams_flows.buttons(teams.last_private(clerk))["Record a resolution"]
        dialog = await teams.teams.press(clerk, form)
        values = {"text": "Write to the Minister.", "kind": "action", "owner_user_id": OFFICER, "due": "17 June 2039"}
        answer = await teams.teams.submit(clerk, dialog.json(), values)
    assert answer.status == 200 and not answer.text, answer.text
    teams.connector.calls.clear()


async def test_teams_a_dated_action_reminds_its_owner_and_the_channel(teams):
    await _record_action_due_17_june(teams)
    scheduler = _scheduler(teams.database, slack=None)
    await _tick(WEEK_BEFORE_DUE, scheduler)
    await _tick(DUE_DAY, scheduler)
    sent = sorted((row.kind, row.target) for row in await _ledger(teams.database) if row.state == ReminderState.SENT)
    assert sent == sorted(
        [("action.week", CHANNEL_ID), ("action.week", OFFICER), ("action.today", CHANNEL_ID), ("action.today", OFFICER)]
    )
    assert len(_teams_posts(teams)) == 4  # each once, where it belongs
    to_owner = teams.connector.messages_in(teams.connector.chat_with(OFFICER))
    assert "Due today" in shown(to_owner[-1].activity) and "Write to the Minister." in shown(to_owner[-1].activity)


async def test_teams_closing_an_item_cancels_its_reminders(teams):
    await _record_action_due_17_june(teams)
    clerk = teams_flows.CLERK
    with time_machine.travel(RECORDED_ON, tick=True):
        await teams.teams.say(clerk, "actions")
        dialog = await teams.teams.press(clerk, teams_flows.buttons(teams.last_private(clerk))["Cancel"])
        await teams.teams.submit(clerk, dialog.json(), {"note": "No longer needed"})
    [resolution] = await teams_flows.stored(teams, Resolution)
    assert resolution.status == "cancelled"
    teams.connector.calls.clear()
    await _tick(WEEK_BEFORE_DUE, _scheduler(teams.database, slack=None))
    assert _teams_posts(teams) == []


async def test_teams_members_cannot_snooze_but_can_stop_their_own_messages(teams):
    await _record_action_due_17_june(teams)
    await _tick(DUE_DAY, _scheduler(teams.database, slack=None))
    due_today = teams.channel_posts()[-1].activity
    snooze = teams_flows.buttons(due_today)["Snooze a week"]
    refusal = await teams.teams.press(MEMBERS[1], snooze, where="channel")
    assert "Only the committee's clerks can snooze or mute reminders" in teams_flows.note(refusal)
    assert await teams_flows.stored(teams, ReminderSnooze) == [], "nothing was snoozed"
    [to_owner] = teams.connector.messages_in(teams.connector.chat_with(OFFICER))
    assert list(teams_flows.buttons(to_owner.activity)) == ["History", "Stop these messages"]


async def test_teams_after_downtime_the_clerks_digest_owns_up_to_stale_notices_in_teams_words(teams):
    """The twin of test_after_downtime_sensible_reminders_are_sent_and_stale_ones_dropped, read on the real card."""
    scheduler = _scheduler(teams.database, slack=None)
    await _tick(datetime(2040, 9, 20, 12, 0, tzinfo=UTC), scheduler)  # down since before the week's notice
    [today] = teams.connector.thread_replies(CHANNEL_ID, _announcement(teams))
    assert "today at 23:59" in shown(today.activity)
    dropped = {row.kind for row in await _ledger(teams.database) if row.state == ReminderState.DROPPED}
    assert {"window.week", "window.tomorrow"} <= dropped
    await _tick(datetime(2040, 9, 24, 8, 0, tzinfo=UTC), scheduler)  # Monday, 09:00 in London: the weekly digest
    [digest] = [text for text in map(shown, (m.activity for m in teams.chat(teams_flows.CLERK))) if "Not sent" in text]
    assert "Not sent, because they were out of date" in digest
    assert f"the 7-day notice about comments on “{TITLE}”, due to go out Thursday 13 September" in digest
    assert "window:" not in digest and "/actions" not in digest, "no ledger key, no Slack command"
    assert "Nothing is overdue." in digest and "lists them" not in digest, "nothing is listed for a command to update"


async def test_teams_a_snoozed_due_day_notice_is_posted_again_a_week_later(teams):
    """The twin of the Slack story in tests/test_reminder_occasions_e2e.py, pressed on the real card."""
    await _record_action_due_17_june(teams)
    scheduler = _scheduler(teams.database, slack=None)
    await _tick(DUE_DAY, scheduler)
    due_today = teams.channel_posts()[-1].activity
    with time_machine.travel(DUE_DAY + timedelta(minutes=5), tick=True):
        answer = await teams.teams.press(
            teams_flows.CLERK, teams_flows.buttons(due_today)["Snooze a week"], where="channel"
        )
    said = teams_flows.note(answer)
    assert "again on Friday 24 June 2039 at 09:00 (Europe/London)" in said
    assert "Nothing else about it is held back" in said
    for day in range(18, 26):
        await _tick(datetime(2039, 6, day, 8, 0, tzinfo=UTC), scheduler)
    _announced, _due_today, again = (post.activity for post in teams.channel_posts())
    assert "Overdue (due 17 June 2039)" in shown(again)
    assert "Snooze a week" not in teams_flows.buttons(again)
    sent = [
        row for row in await _ledger(teams.database) if row.target == CHANNEL_ID and row.state == ReminderState.SENT
    ]
    assert sorted(row.completed_at.date().day for row in sent) == [17, 24], "posted on the day, and a week later"


async def test_teams_snoozing_the_seven_day_notice_holds_back_no_later_notice(teams):
    """The twin of the Slack story in tests/test_reminder_occasions_e2e.py, on the real cards."""
    scheduler = _scheduler(teams.database, slack=None)
    await _tick(WEEK_NOTICE, scheduler)
    [week] = teams.connector.thread_replies(CHANNEL_ID, _announcement(teams))
    week_buttons = teams_flows.buttons(week.activity)
    assert list(week_buttons) == ["Add comment", "No comments", "Mute for this item"]
    window_id = teams_flows.press_data(week_buttons["Add comment"])["value"]
    old_snooze = copy.deepcopy(week_buttons["Mute for this item"])  # the Snooze button reminders carried before
    old_snooze["data"][PRESS].pop("confirm")  # Mute asks first; Snooze never did
    old_snooze["data"][PRESS] |= {"action": "reminder.snooze", "value": f"window:{window_id}"}
    with time_machine.travel(WEEK_NOTICE + timedelta(minutes=5), tick=True):
        answer = await teams.teams.press(teams_flows.CLERK, old_snooze, where="channel")
    assert "snoozes nothing" in teams_flows.note(answer)
    for instant in (TOMORROW_NOTICE, datetime(2040, 9, 20, 8, 0, tzinfo=UTC), datetime(2040, 9, 20, 23, 0, tzinfo=UTC)):
        await _tick(instant, scheduler)
    notices = [reply.activity for reply in teams.connector.thread_replies(CHANNEL_ID, _announcement(teams))]
    sent = sorted((row.completed_at, row.kind) for row in await _ledger(teams.database) if row.target == CHANNEL_ID)
    assert [kind for _at, kind in sent] == ["window.week", "window.tomorrow", "window.today", "window.closed"]
    assert len(notices) == 4 and all("Snooze a week" not in teams_flows.buttons(notice) for notice in notices)
    assert all(len(messages) == 1 and TITLE in messages[0] for messages in _nudged(teams).values())
    assert not [text for text in map(shown, (m.activity for m in teams.chat(teams_flows.CLERK))) if "Not sent" in text]
