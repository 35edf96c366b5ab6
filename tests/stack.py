"""The whole bot as Slack sees it: the real Bolt app served over HTTP on loopback, Slack's Web API
played by a fake server, and a client that signs requests as Slack does."""

import functools
from dataclasses import dataclass

from aiohttp import web

from bot.config import Settings
from bot.server import Readiness, server_app
from bot.slack.app import EVENTS_PATH, SlackBot
from storage.database import Database, schema_revisions
from tests.support.fake_slack import FakeSlackWebAPI
from tests.support.slack_client import SignedSlackClient

SIGNING_SECRET = "test-signing-secret"
TEAM = "T0001"
CHANNEL = "CCOMMITTEE"
CLERK = "UCLERK"
CHAIR = "UCHAIR"
OFFICER = "UOFFICER"
MEMBERS = ("UPATEL", "UJONES", "USMITH")
STRANGER = "USTRANGER"


@dataclass
class Stack:
    slack: SignedSlackClient
    fake: FakeSlackWebAPI
    bot: SlackBot
    database: Database
    runner: web.AppRunner

    async def stop(self) -> None:
        await self.stop_instance()
        await self.fake.stop()

    async def stop_instance(self) -> None:
        """Stop this bot, leaving the fake Slack running for the other instances that share it."""
        await self.bot.delivery.drain()
        await self.runner.cleanup()
        await self.slack.close()


def _people(fake: FakeSlackWebAPI) -> None:
    fake.members[CHANNEL] = [CLERK, CHAIR, OFFICER, *MEMBERS, "UBOT"]
    fake.add_user(CLERK, "Dana Clerk")
    fake.add_user(CHAIR, "Cllr Chair")
    fake.add_user(OFFICER, "Director of Children and Family Services")
    for member, name in zip(MEMBERS, ("Cllr Patel", "Cllr Jones", "Cllr Smith"), strict=True):
        fake.add_user(member, name)


@functools.cache
def newest_schema() -> str:
    return schema_revisions().head


# Short, so that tests of a Slack that answers late finish quickly.
SLACK_TIMEOUT_SECONDS = 2


async def start_stack(
    database: Database,
    slack_timeout_seconds: float = SLACK_TIMEOUT_SECONDS,
    fake: FakeSlackWebAPI | None = None,
    team: str = TEAM,
) -> Stack:
    """The bot served on loopback; given another stack's `fake`, a second instance talking to the same Slack,
    installed in `team`'s workspace (requests are signed as coming from there)."""
    if fake is None:
        fake = await FakeSlackWebAPI().start()
        _people(fake)
    token = "xoxb-test" if team == TEAM else f"xoxb-{team.lower()}"
    fake.teams_by_token[token] = team
    settings = Settings(
        bot_token=token,
        signing_secret=SIGNING_SECRET,
        slack_api_url=fake.base_url,
        slack_timeout_seconds=slack_timeout_seconds,
    )
    bot = SlackBot(settings, database)
    runner = web.AppRunner(server_app(database, Readiness(database, newest_schema(), None), bot.services, [bot]))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    slack = SignedSlackClient(f"http://127.0.0.1:{port}{EVENTS_PATH}", SIGNING_SECRET, team_id=team, fake=fake)
    return Stack(slack, fake, bot, database, runner)
