"""`committee-bot serve` as a separate process answers signed requests, with SLACK_API_URL at a local fake."""

import asyncio
import os
import socket
import subprocess
import sys

import aiohttp
import pytest

from tests.flows import buttons, shown_text
from tests.stack import CHANNEL, CLERK, MEMBERS, OFFICER, SIGNING_SECRET
from tests.support.fake_slack import FakeSlackWebAPI
from tests.support.slack_client import SignedSlackClient

STARTUP_SECONDS = 20


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    return env | overrides


async def _wait_until_healthy(port: int, server: subprocess.Popen) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(STARTUP_SECONDS * 10):
            assert server.poll() is None, "committee-bot serve exited during start-up"
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
    pytest.fail("committee-bot serve did not start")


@pytest.fixture(params=["1", "2"], ids=["one-process", "two-workers"])
async def served(tmp_path, request):
    fake = await FakeSlackWebAPI().start()
    fake.members[CHANNEL] = [CLERK, OFFICER, *MEMBERS]
    port = _free_port()
    env = _environment(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.base_url,
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{tmp_path}/served.sqlite3",
        WEB_CONCURRENCY=request.param,
    )
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        # A file, not a pipe: nobody reads a pipe here, and a full one would block the server's logging.
        [sys.executable, "-m", "bot", "serve"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        await _wait_until_healthy(port, server)
        client = SignedSlackClient(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET, fake=fake)
        yield client, fake
        await client.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:  # a loaded machine may be slow to shut down; the test is not about that
            server.kill()
            server.wait()
        log.close()
        await fake.stop()


async def test_serve_answers_a_signed_comment(served):
    slack, fake = served
    await slack.slash_command("/committee", "setup Scrutiny Commission", user_id=CLERK, channel_id=CHANNEL)
    preview = (
        await slack.slash_command(
            "/report", f"open Draft plan | | <@{OFFICER}> | 1 June 2041", user_id=CLERK, channel_id=CHANNEL
        )
    ).json()
    value = buttons(preview)["Open comment window"]["value"]
    await slack.block_action("report.confirm", value, user_id=CLERK, channel_id=CHANNEL)
    await fake.wait_for("chat.getPermalink")
    reply = await slack.slash_command("/comment", "plan Looks good to me.", user_id=MEMBERS[0], channel_id=CHANNEL)
    assert reply.status == 200
    assert "Your comment on *Draft plan* is saved" in shown_text(reply.json())


def _start_up_error(command: str, env: dict[str, str]) -> str:
    """The last line a command that refused to start printed."""
    result = subprocess.run([sys.executable, "-m", "bot", command], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    return result.stderr.strip().splitlines()[-1]


def test_a_missing_variable_stops_start_up_naming_it(tmp_path):
    env = _environment(SLACK_BOT_TOKEN="xoxb-test", DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3")
    assert _start_up_error("serve", env) == (
        "committee-bot: the environment variable SLACK_SIGNING_SECRET is not set; "
        "it is needed to serve Slack's requests."
    )


def test_a_worker_count_that_is_not_a_number_stops_start_up_naming_it(tmp_path):
    env = _environment(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3",
        WEB_CONCURRENCY="two",
    )
    assert _start_up_error("serve", env) == "committee-bot: WEB_CONCURRENCY must be a whole number, not 'two'."


def test_a_claim_timeout_too_short_for_a_post_stops_start_up_naming_it(tmp_path):
    env = _environment(
        SLACK_BOT_TOKEN="xoxb-test",
        DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3",
        SLACK_TIMEOUT_SECONDS="10",
        REMINDER_CLAIM_TIMEOUT_SECONDS="20",
    )
    assert _start_up_error("scheduler", env) == (
        "committee-bot: REMINDER_CLAIM_TIMEOUT_SECONDS must be at least three times SLACK_TIMEOUT_SECONDS (10), not 20."
    )


def test_serving_starts_without_loading_the_document_libraries():
    """Word, PDF and calendar files are built or read only on request; loading their libraries at start-up
    cost a tenth of a second of every restart."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, bot.cli, bot.slack.app; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert not {"docx", "lxml.etree", "icalendar", "pypdf", "alembic"} & set(loaded)
