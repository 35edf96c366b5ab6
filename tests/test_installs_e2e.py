"""Installing by OAuth: "Add to Slack", uninstall and reinstall end to end, the install's bad inputs and faults,
and each workspace's token refreshed before it expires, on both databases."""

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import DisconnectionError, OperationalError

from bot.config import Settings
from bot.server import configured_platforms
from storage.models import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES, Committee, Workspace
from tests.flows import set_up_committee, shown_text, stored
from tests.installs_stack import start_installs_stack
from tests.stack import CHANNEL, CLERK

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


async def test_a_workspace_that_never_installed_is_answered_politely_and_nothing_changes(installs):
    stranger = installs.workspace("TSTRANGER")
    reply = await stranger.slack.slash_command("/committee", "setup Planning", user_id=CLERK, channel_id=CHANNEL)
    assert reply.status == 200
    [(_, answer)] = await installs.fake.wait_for_response()
    assert "not installed in this Slack workspace" in answer["text"] and "Nothing has changed" in answer["text"]
    assert await stored(stranger, Committee) == []
    assert await stored(stranger, Workspace) == []


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
        await connection.execute(SLACK_OAUTH_STATES.update().values(expire_at=SLACK_OAUTH_STATES.c.expire_at - _hour()))
    expired = await installs.redirect({"code": installs.fake.install_code(COUNCIL), "state": page.state}, page.state)
    assert expired.status == 401 and "expired" in expired.text
    assert await _rows(installs.database, SLACK_BOTS) == []


def _hour():
    from datetime import timedelta

    return timedelta(minutes=11)


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
