"""The bot installed by OAuth ("Add to Slack") in any number of workspaces, served on loopback as `serve` serves
it, with Slack's Web API (oauth.v2.access and token refreshes included) played by the fake server. A person's
browser is an aiohttp client that keeps the install page's state cookie, as a browser does."""

from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import aiohttp
from aiohttp import web

from bot.config import Settings
from bot.server import Readiness, server_app
from bot.slack.app import EVENTS_PATH, SlackBot
from bot.slack.installs import INSTALL_PATH, REDIRECT_PATH
from storage.database import Database
from tests.stack import SIGNING_SECRET, SLACK_TIMEOUT_SECONDS, Stack, _people, newest_schema
from tests.support.fake_slack import FakeSlackWebAPI
from tests.support.slack_client import SignedSlackClient

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "test-client-secret"
STATE_COOKIE = "slack-app-oauth-state"


@dataclass
class Page:
    status: int
    text: str
    state: str | None = None  # the state the install page set in its cookie


@dataclass
class InstallsStack:
    fake: FakeSlackWebAPI
    bot: SlackBot
    database: Database
    runner: web.AppRunner
    root: str  # http://127.0.0.1:port
    _workspaces: dict[str, Stack] = field(default_factory=dict)

    def workspace(self, team: str) -> Stack:
        """The bot as seen from `team`: requests signed as coming from there (tests/flows.py takes it)."""
        if team not in self._workspaces:
            slack = SignedSlackClient(f"{self.root}{EVENTS_PATH}", SIGNING_SECRET, team_id=team, fake=self.fake)
            self._workspaces[team] = Stack(slack, self.fake, self.bot, self.database, self.runner)
        return self._workspaces[team]

    async def install_page(self) -> Page:
        async with aiohttp.ClientSession() as browser, browser.get(f"{self.root}{INSTALL_PATH}") as answer:
            cookie = SimpleCookie(answer.headers.get("Set-Cookie", ""))
            state = cookie[STATE_COOKIE].value if STATE_COOKIE in cookie else None
            return Page(answer.status, await answer.text(), state)

    async def redirect(self, query: dict[str, str], cookie_state: str | None = None) -> Page:
        """Slack sending the browser back; the browser sends the cookie the install page set (if any)."""
        headers = {"Cookie": f"{STATE_COOKIE}={cookie_state}"} if cookie_state else {}
        async with (
            aiohttp.ClientSession() as browser,
            browser.get(f"{self.root}{REDIRECT_PATH}", params=query, headers=headers, allow_redirects=False) as answer,
        ):
            return Page(answer.status, await answer.text())

    async def install(self, team: str) -> Page:
        """Someone in `team` clicks "Add to Slack", approves, and comes back."""
        page = await self.install_page()
        assert page.status == 200 and page.state, page
        return await self.redirect({"code": self.fake.install_code(team), "state": page.state}, page.state)

    async def uninstall(self, team: str) -> None:
        reply = await self.workspace(team).slack.event({"type": "app_uninstalled"})
        assert reply.status == 200, reply.text

    async def stop(self) -> None:
        await self.bot.delivery.drain()
        await self.runner.cleanup()
        for stack in self._workspaces.values():
            await stack.slack.close()
        await self.fake.stop()


def oauth_settings(fake: FakeSlackWebAPI, **overrides) -> Settings:
    return Settings(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        signing_secret=SIGNING_SECRET,
        slack_api_url=fake.base_url,
        slack_timeout_seconds=SLACK_TIMEOUT_SECONDS,
        **overrides,
    )


async def start_installs_stack(database: Database) -> InstallsStack:
    fake = await FakeSlackWebAPI().start()
    _people(fake)
    bot = SlackBot(oauth_settings(fake), database)
    runner = web.AppRunner(server_app(database, Readiness(database, newest_schema(), None), bot.services, [bot]))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return InstallsStack(fake, bot, database, runner, f"http://127.0.0.1:{port}")
