"""Installing by OAuth: "Add to Slack", uninstall and reinstall end to end, the install's bad inputs and faults,
and each workspace's token refreshed before it expires, on both databases."""

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import event, select
from sqlalchemy.exc import DisconnectionError, OperationalError

from bot.config import Settings
from bot.scheduler import ReminderScheduler
from bot.server import configured_platforms, reminder_sending
from bot.slack.tokens import installed_workspaces
from bot.slack.web_api import web_client
from handlers.reminders import tick
from storage.database import Database
from storage.models import (
    SLACK_BOTS,
    SLACK_INSTALLATIONS,
    SLACK_OAUTH_STATES,
    Comment,
    CommentWindow,
    Committee,
    PersonalDataLog,
    Reminder,
    ReminderState,
    Workspace,
)
from tests.flows import FAST, comment_inline, open_window, reminder_posts, set_up_committee, shown_text, stored
from tests.installs_stack import oauth_settings, start_installs_stack
from tests.stack import CHANNEL, CLERK, MEMBERS, Stack

COUNCIL = "TCOUNCIL"
ONE_WAY = (
    "committee-bot: set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
    "(installed by OAuth in many workspaces), not both."
)


def _missing(name: str, purpose: str = "to serve Slack's requests") -> str:
    return f"committee-bot: the environment variable {name} is not set; it is needed {purpose}."


@pytest.mark.parametrize(
    ("environment", "stopped_with"),
    [
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_SIGNING_SECRET": "s"}, _missing("SLACK_CLIENT_SECRET")),
        ({"SLACK_CLIENT_SECRET": "c", "SLACK_SIGNING_SECRET": "s"}, _missing("SLACK_CLIENT_ID")),
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c"}, _missing("SLACK_SIGNING_SECRET")),
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c", "SLACK_BOT_TOKEN": "xoxb-1"}, ONE_WAY),
        ({"SLACK_SIGNING_SECRET": "s"}, _missing("SLACK_BOT_TOKEN")),
    ],
)
def test_slack_settings_given_in_part_stop_start_up_with_one_line(environment, stopped_with):
    with pytest.raises(SystemExit) as stopped:
        configured_platforms(Settings.from_environment(environment))
    assert str(stopped.value) == stopped_with


@pytest.mark.parametrize(
    "environment",
    [
        {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c", "SLACK_SIGNING_SECRET": "s"},
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"},
    ],
)
def test_either_way_of_installing_serves_slack(environment):
    assert configured_platforms(Settings.from_environment(environment)) == ["Slack"]


def test_the_scheduler_needs_no_signing_secret_to_send_an_installed_workspaces_reminders():
    settings = Settings.from_environment({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c"})
    settings.require_slack(purpose="to post reminders", signed=False)
    assert settings.uninstalled_retention_days == 90


@pytest.fixture
async def installs(database):
    running = await start_installs_stack(database)
    yield running
    await running.stop()


async def _rows(database, table) -> list:
    async with database.engine.connect() as connection:
        return list((await connection.execute(select(table))).mappings())


async def test_add_to_slack_installs_the_bot_and_its_clerks_can_use_it(installs):
    page = await installs.install_page()
    assert page.status == 200 and "Add to Slack" in page.text and page.state

    done = await installs.redirect({"code": installs.fake.install_code(COUNCIL), "state": page.state}, page.state)

    assert done.status == 200, done.text
    [bot] = await _rows(installs.database, SLACK_BOTS)
    assert bot["team_id"] == COUNCIL and bot["bot_token"] in installs.fake.tokens_of(COUNCIL)
    [workspace] = await stored(installs.workspace(COUNCIL), Workspace, id=COUNCIL)
    assert workspace.uninstalled_at is None
    council = installs.workspace(COUNCIL)
    answer = await set_up_committee(council)
    assert "set up" in shown_text(answer).lower(), answer
    [committee] = await stored(council, Committee)
    assert committee.workspace_id == COUNCIL
    posts = installs.fake.calls_to("chat.postMessage") + installs.fake.calls_to("chat.postEphemeral")
    assert all(installs.fake.team_of(call) == COUNCIL for call in posts)


async def test_a_workspace_that_never_installed_is_answered_politely_and_nothing_changes(installs, caplog):
    stranger = installs.workspace("TSTRANGER")
    reply = await stranger.slack.slash_command("/committee", "setup Planning", user_id=CLERK, channel_id=CHANNEL)
    assert reply.status == 200
    [(_, answer)] = await installs.fake.wait_for_response()
    assert "not installed in this Slack workspace" in answer["text"] and "Nothing has changed" in answer["text"]
    assert await stored(stranger, Committee) == []
    assert await stored(stranger, Workspace) == []
    assert "workspace TSTRANGER, which has not installed the bot" in caplog.text
    assert not [record for record in caplog.records if record.levelname == "ERROR"]


async def test_uninstall_forgets_the_token_keeps_the_data_and_a_reinstall_finds_it(installs):
    await installs.install(COUNCIL)
    council = installs.workspace(COUNCIL)
    await set_up_committee(council)

    await installs.uninstall(COUNCIL)

    assert await _rows(installs.database, SLACK_BOTS) == []
    assert await _rows(installs.database, SLACK_INSTALLATIONS) == []
    [workspace] = await stored(council, Workspace, id=COUNCIL)
    assert workspace.uninstalled_at is not None
    assert len(await stored(council, Committee)) == 1
    installs.fake.responses.clear()
    await council.slack.slash_command("/committee", "", user_id=CLERK, channel_id=CHANNEL)
    [(_, refused)] = await installs.fake.wait_for_response()
    assert "not installed" in refused["text"]

    assert (await installs.install(COUNCIL)).status == 200

    [workspace] = await stored(council, Workspace, id=COUNCIL)
    assert workspace.uninstalled_at is None
    answer = await council.slack.slash_command("/committee", "reminders", user_id=CLERK, channel_id=CHANNEL)
    assert "Children and Families" in answer.text, answer.text


async def test_a_forged_state_is_refused_politely_and_nothing_is_installed(installs):
    page = await installs.install_page()
    code = installs.fake.install_code(COUNCIL)

    forged = await installs.redirect({"code": code, "state": "forged-state"}, "forged-state")
    other_browser = await installs.redirect({"code": code, "state": page.state}, cookie_state=None)

    assert forged.status == 401 and "expired or was already used" in forged.text
    assert other_browser.status == 400 and "different browser" in other_browser.text
    assert await _rows(installs.database, SLACK_BOTS) == []
    assert installs.fake.calls_to("oauth.v2.access") == []


async def test_a_replayed_state_is_refused_and_the_first_install_stands(installs):
    page = await installs.install_page()
    first = await installs.redirect({"code": installs.fake.install_code(COUNCIL), "state": page.state}, page.state)
    replay = await installs.redirect({"code": installs.fake.install_code(COUNCIL), "state": page.state}, page.state)

    assert first.status == 200
    assert replay.status == 401 and "expired or was already used" in replay.text
    assert len(await _rows(installs.database, SLACK_BOTS)) == 1


async def test_an_expired_state_is_refused(installs):
    page = await installs.install_page()
    async with installs.database.engine.begin() as connection:
        await connection.execute(
            SLACK_OAUTH_STATES.update().values(expire_at=SLACK_OAUTH_STATES.c.expire_at - timedelta(minutes=11))
        )
    expired = await installs.redirect({"code": installs.fake.install_code(COUNCIL), "state": page.state}, page.state)
    assert expired.status == 401 and "expired" in expired.text
    assert await _rows(installs.database, SLACK_BOTS) == []


async def test_slack_refusing_the_code_is_answered_politely_and_nothing_is_installed(installs):
    page = await installs.install_page()
    installs.fake.fail("oauth.v2.access", error="invalid_code")
    refused = await installs.redirect({"code": installs.fake.install_code(COUNCIL), "state": page.state}, page.state)
    assert refused.status == 401 and "did not accept" in refused.text
    assert await _rows(installs.database, SLACK_BOTS) == []
    assert await stored(installs.workspace(COUNCIL), Workspace) == []


async def test_cancelling_in_slack_changes_nothing(installs):
    page = await installs.install_page()
    cancelled = await installs.redirect({"error": "access_denied", "state": page.state}, page.state)
    assert cancelled.status == 200 and "cancelled" in cancelled.text
    assert await _rows(installs.database, SLACK_BOTS) == []


class DatabaseDown:
    """The database refusing every connection while `down` (a fault in the driver's connect, nothing of ours)."""

    def __init__(self, database) -> None:
        self.down = False
        event.listen(database.engine.sync_engine, "checkout", self._refuse_pooled)
        event.listen(database.engine.sync_engine, "do_connect", self._refuse_new)

    def _refuse_pooled(self, *_connection) -> None:
        if self.down:
            raise DisconnectionError("the database went away")

    def _refuse_new(self, *_connection) -> None:
        if self.down:
            raise OperationalError("connect", None, ConnectionRefusedError("the database is down"))


async def test_the_database_down_during_an_install_gets_a_polite_page_and_nothing_half_written(installs):
    outage = DatabaseDown(installs.database)
    page = await installs.install_page()
    code = installs.fake.install_code(COUNCIL)

    outage.down = True
    page_while_down = await installs.install_page()
    state_unreadable = await installs.redirect({"code": code, "state": page.state}, page.state)
    outage.down = False

    assert page_while_down.status == 503 and "try again" in page_while_down.text
    assert state_unreadable.status == 401 and "Nothing was changed" in state_unreadable.text
    assert await _rows(installs.database, SLACK_BOTS) == []


async def test_the_database_down_when_an_installed_workspace_asks_something_is_answered_politely(installs):
    await installs.install(COUNCIL)
    outage = DatabaseDown(installs.database)

    outage.down = True
    reply = await installs.workspace(COUNCIL).slack.slash_command(
        "/committee", "setup Planning", user_id=CLERK, channel_id=CHANNEL
    )
    outage.down = False

    assert reply.status == 200
    [(_, answer)] = await installs.fake.wait_for_response()
    assert "something went wrong on our side" in answer["text"] and "Nothing has changed" in answer["text"]
    assert await stored(installs.workspace(COUNCIL), Committee) == []


async def test_the_database_failing_after_slack_approved_the_install_leaves_nothing_half_written(installs):
    outage = DatabaseDown(installs.database)
    installs.fake.while_answering["oauth.v2.access"] = lambda: setattr(outage, "down", True)

    failed = await installs.install(COUNCIL)
    outage.down = False

    assert failed.status == 503 and "nothing was installed" in failed.text
    assert await _rows(installs.database, SLACK_BOTS) == []
    assert await _rows(installs.database, SLACK_INSTALLATIONS) == []
    assert await stored(installs.workspace(COUNCIL), Workspace) == []
    del installs.fake.while_answering["oauth.v2.access"]
    assert (await installs.install(COUNCIL)).status == 200


# --- Each workspace's token, refreshed before it expires, and reminders after an uninstall ----------------------

OPENED = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
WEEK_NOTICE = datetime(2026, 3, 24, 9, 0, tzinfo=UTC)  # a week before the window closes, 09:00 GMT


async def _window_in(installs, team: str) -> Stack:
    """`team` installs the bot, sets up a committee and opens a comment window closing on 31 March 2026."""
    with time_machine.travel(OPENED, tick=True):
        assert (await installs.install(team)).status == 200
        workspace = installs.workspace(team)
        await set_up_committee(workspace)
        await open_window(workspace, "Draft annual report 2025/26", "31 March 2026")
    return workspace


async def _token_expires(database, team: str, at: datetime) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(
            SLACK_BOTS.update().where(SLACK_BOTS.c.team_id == team).values(bot_token_expires_at=at.replace(tzinfo=None))
        )


async def _scheduler_tick(installs, instant: datetime) -> None:
    """A tick of `committee-bot scheduler`, which builds no Bolt app, only bot.server.reminder_sending's senders."""
    services, sender = reminder_sending(oauth_settings(installs.fake), installs.database)
    with time_machine.travel(instant, tick=False):
        await tick(services, sender, "scheduler", FAST)


def _refreshes(fake) -> list:
    return [call for call in fake.calls_to("oauth.v2.access") if call.params.get("grant_type") == "refresh_token"]


async def test_a_request_is_answered_with_a_token_refreshed_just_before_it_expires(installs):
    installs.fake.token_lifetime_seconds = 43200
    await installs.install(COUNCIL)
    [first_token] = installs.fake.tokens_of(COUNCIL)
    await _token_expires(installs.database, COUNCIL, datetime.now(UTC) + timedelta(minutes=5))

    answer = await set_up_committee(installs.workspace(COUNCIL))

    assert "set up" in shown_text(answer).lower()
    assert len(_refreshes(installs.fake)) == 1
    [_, refreshed] = installs.fake.tokens_of(COUNCIL)
    [bot] = await _rows(installs.database, SLACK_BOTS)
    assert bot["bot_token"] == refreshed != first_token
    assert bot["bot_token_expires_at"] > datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=11)


async def test_reminders_go_out_with_the_workspaces_own_token_refreshed_outside_any_request(installs):
    installs.fake.token_lifetime_seconds = 43200
    await _window_in(installs, COUNCIL)
    await _token_expires(installs.database, COUNCIL, WEEK_NOTICE + timedelta(minutes=5))

    await _scheduler_tick(installs, WEEK_NOTICE)

    [notice] = reminder_posts(installs.workspace(COUNCIL))
    [_, refreshed] = installs.fake.tokens_of(COUNCIL)
    assert notice.token == refreshed and len(_refreshes(installs.fake)) == 1


async def test_two_instances_refreshing_the_same_token_at_once_spend_its_refresh_token_once(installs):
    installs.fake.token_lifetime_seconds = 43200
    await installs.install(COUNCIL)
    await _token_expires(installs.database, COUNCIL, datetime.now(UTC) + timedelta(minutes=5))
    # Two processes: each its own engine (its own connections) and its own token finder.
    other = Database(installs.database.engine.url.render_as_string(hide_password=False))
    instances = [
        installed_workspaces(oauth_settings(installs.fake), database, web_client(oauth_settings(installs.fake)))
        for database in (installs.database, other)
    ]
    try:
        bots = await asyncio.gather(*(instance.bot(COUNCIL) for instance in instances for _ in range(3)))
    finally:
        await other.dispose()

    [_, refreshed] = installs.fake.tokens_of(COUNCIL)
    assert {bot.bot_token for bot in bots} == {refreshed}
    assert [call.failed for call in _refreshes(installs.fake)] == [False]


async def test_after_an_uninstall_its_reminders_are_dropped_once_and_never_retried(installs):
    await _window_in(installs, COUNCIL)
    await installs.uninstall(COUNCIL)
    posted_before = len(installs.fake.calls_to("chat.postMessage"))

    await _scheduler_tick(installs, WEEK_NOTICE)
    await _scheduler_tick(installs, WEEK_NOTICE + timedelta(minutes=10))

    assert len(installs.fake.calls_to("chat.postMessage")) == posted_before
    ledger = await stored(installs.workspace(COUNCIL), Reminder)
    assert [(row.kind, row.state) for row in ledger] == [("window.week", ReminderState.DROPPED)]


async def test_a_token_revoked_while_reminders_go_out_fails_them_for_good_without_retrying(installs):
    await _window_in(installs, COUNCIL)
    installs.fake.revoked_tokens.update(installs.fake.tokens_of(COUNCIL))

    await _scheduler_tick(installs, WEEK_NOTICE)
    attempts = len(installs.fake.calls_to("chat.postMessage"))
    await _scheduler_tick(installs, WEEK_NOTICE + timedelta(minutes=10))

    assert len(installs.fake.calls_to("chat.postMessage")) == attempts
    ledger = await stored(installs.workspace(COUNCIL), Reminder)
    assert [(row.kind, row.state) for row in ledger] == [("window.week", ReminderState.FAILED)]


async def test_a_revoked_bot_token_is_forgotten_like_an_uninstall(installs):
    await installs.install(COUNCIL)
    council = installs.workspace(COUNCIL)
    await set_up_committee(council)

    reply = await council.slack.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}})

    assert reply.status == 200
    assert await _rows(installs.database, SLACK_BOTS) == []
    [workspace] = await stored(council, Workspace, id=COUNCIL)
    assert workspace.uninstalled_at is not None
    assert len(await stored(council, Committee)) == 1


# --- Retention after an uninstall ---------------------------------------------------------------------------------


async def test_an_uninstalled_workspaces_data_is_kept_for_the_retention_period_then_deleted_by_the_scheduler(
    installs,
):
    await _window_in(installs, COUNCIL)
    kept = await _window_in(installs, "TKEPT")
    with time_machine.travel(OPENED + timedelta(days=1), tick=True):
        await comment_inline(installs.workspace(COUNCIL), MEMBERS[0], "annual-report-2025 Our view.")
        await installs.uninstall(COUNCIL)
    services, sender = reminder_sending(oauth_settings(installs.fake), installs.database)
    scheduler = ReminderScheduler(services, sender, oauth_settings(installs.fake, uninstalled_retention_days=90))

    with time_machine.travel(OPENED + timedelta(days=90), tick=False):
        await scheduler.run_once()
    assert {c.workspace_id for c in await stored(kept, Committee)} == {COUNCIL, "TKEPT"}

    with time_machine.travel(OPENED + timedelta(days=92), tick=False):
        await scheduler.run_once()
    assert {c.workspace_id for c in await stored(kept, Committee)} == {"TKEPT"}
    assert await stored(kept, Workspace, id=COUNCIL) == []
    assert len(await stored(kept, CommentWindow)) == 1
    assert await stored(kept, Comment) == []
    [logged] = await stored(kept, PersonalDataLog, workspace_id=COUNCIL)
    assert logged.action == "uninstalled" and json.loads(logged.counts)["comment"] == 1


async def test_a_reinstall_within_the_retention_period_keeps_the_data_for_good(installs):
    council = await _window_in(installs, COUNCIL)
    with time_machine.travel(OPENED + timedelta(days=1), tick=True):
        await installs.uninstall(COUNCIL)
    with time_machine.travel(OPENED + timedelta(days=30), tick=True):
        await installs.install(COUNCIL)
    services, sender = reminder_sending(oauth_settings(installs.fake), installs.database)
    scheduler = ReminderScheduler(services, sender, oauth_settings(installs.fake))

    with time_machine.travel(OPENED + timedelta(days=200), tick=False):
        await scheduler.run_once()

    assert len(await stored(council, Committee)) == 1
