"""/api/messages beside Slack's routes in one aiohttp app: the SDK's JWT check on Teams' route alone, anonymous
mode only without credentials, and settings under the SDK's own names."""

import pytest
from aiohttp import ClientSession, web

from bot.config import Settings
from bot.server import Readiness, server_app
from bot.slack.app import SlackBot
from bot.teams.app import MESSAGES_PATH, TeamsBot
from bot.teams.settings import ANONYMOUS, CLIENT_ID, CLIENT_SECRET, TENANT_ID, TeamsSettings
from storage.database import schema_revisions
from storage.models import Committee
from tests.stack import SIGNING_SECRET
from tests.support.fake_bot_connector import TENANT_ID as OUR_TENANT
from tests.support.fake_bot_connector import FakeBotConnector
from tests.support.fake_slack import FakeSlackWebAPI
from tests.support.slack_client import SignedSlackClient
from tests.teams_stack import CLERK, TeamsClient, start_roster

CREDENTIALS = {CLIENT_ID: "00000000-0000-4000-8000-00000000b07a", CLIENT_SECRET: "s3cret", TENANT_ID: OUR_TENANT}


async def _serve(application: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(application)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"


async def test_slack_and_teams_share_one_app_and_only_teams_checks_a_bearer_token(database):
    slack_api = await FakeSlackWebAPI().start()
    slack_api.teams_by_token["xoxb-test"] = "T0001"
    connector = await FakeBotConnector().start()
    start_roster(connector)
    settings = Settings(bot_token="xoxb-test", signing_secret=SIGNING_SECRET, slack_api_url=slack_api.base_url)
    slack = SlackBot(settings, database)
    teams_bot = TeamsBot(TeamsSettings(tenant_id=OUR_TENANT, anonymous=True), database)
    readiness = Readiness(database, schema_revisions().head, None)
    application = server_app(database, readiness, None, [slack, teams_bot])
    runner, base = await _serve(application)
    session = ClientSession()
    try:
        teams = TeamsClient(base + MESSAGES_PATH, connector, session)
        forged = teams.activity("message", CLERK, text="<at>committee-bot</at> committee setup Forged")
        refused = await teams.post(forged, headers={"Authorization": "Bearer not.a.real-token"})
        assert refused.status == 401
        assert await stored_committees(database) == []

        signed = SignedSlackClient(base + "/slack/events", SIGNING_SECRET, team_id="T0001", fake=slack_api)
        answer = await signed.slash_command("/meeting", "", user_id="UCLERK", channel_id="CCOMMITTEE")
        assert answer.status == 200  # no bearer token asked of Slack
        await signed.close()

        accepted = await teams.post(
            teams.activity("message", CLERK, text="<at>committee-bot</at> committee setup Real")
        )
        assert accepted.status == 202
        assert [c.name for c in await stored_committees(database)] == ["Real"]
    finally:
        await session.close()
        await slack.delivery.drain()
        await runner.cleanup()
        await connector.stop()
        await slack_api.stop()


async def stored_committees(database) -> list:
    from sqlmodel import select

    async with database.session() as session:
        return list(await session.exec(select(Committee)))


async def test_with_credentials_a_request_without_a_token_gets_401(database):
    connector = await FakeBotConnector().start()
    bot = TeamsBot(TeamsSettings.from_environment(CREDENTIALS), database)
    application = web.Application()
    bot.mount(application)
    runner, base = await _serve(application)
    session = ClientSession()
    try:
        teams = TeamsClient(base + MESSAGES_PATH, connector, session)
        unsigned = await teams.post(teams.activity("message", CLERK, text="<at>committee-bot</at> committee setup X"))
        assert unsigned.status == 401
        assert connector.calls == []
    finally:
        await session.close()
        await runner.cleanup()
        await connector.stop()


def test_settings_are_read_under_the_sdks_own_names():
    assert TeamsSettings.from_environment({}) is None
    read = TeamsSettings.from_environment(CREDENTIALS)
    assert (read.client_id, read.client_secret, read.tenant_id, read.anonymous) == (
        CREDENTIALS[CLIENT_ID],
        "s3cret",
        OUR_TENANT,
        False,
    )
    assert TeamsSettings.from_environment({ANONYMOUS: "true"}).anonymous is True


@pytest.mark.parametrize(
    ("environment", "said"),
    [
        ({**CREDENTIALS, ANONYMOUS: "true"}, "refused beside a client id or secret"),
        ({CLIENT_ID: "x", TENANT_ID: "t"}, "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET is not set"),
        ({CLIENT_ID: "x", CLIENT_SECRET: "y"}, "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID is not set"),
        ({TENANT_ID: "t"}, "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID is not set"),
    ],
)
def test_a_missing_or_inconsistent_setting_stops_start_up_in_one_line(environment, said):
    with pytest.raises(SystemExit) as stopped:
        TeamsSettings.from_environment(environment)
    message = str(stopped.value)
    assert said in message and message.startswith("committee-bot: ") and "\n" not in message
    assert "s3cret" not in message


def test_the_sdks_own_error_handler_is_replaced(tmp_path):
    from storage.database import Database

    bot = TeamsBot(TeamsSettings(anonymous=True), Database(f"sqlite:///{tmp_path}/x.sqlite3"))
    assert bot.adapter.on_turn_error == bot._on_turn_error
