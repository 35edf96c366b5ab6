"""Operating the bot: /healthz, /readyz and /metrics over HTTP, structured logs, and `serve` without Slack.

The server is driven as in production: signed requests over loopback, either to the in-process stack (which serves
bot/server.py's application) or to `committee-bot serve` / `scheduler` started as processes of their own.
"""

import asyncio
import json
import logging
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
import time_machine
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from bot.config import Settings
from bot.scheduler import ReminderScheduler
from bot.server import Readiness, server_app
from handlers.calendar import calendar_token
from handlers.context import Actor
from storage.database import Database
from tests.flows import buttons, comment_inline, open_window, set_up_committee, shown_text
from tests.stack import CHANNEL, CLERK, MEMBERS, OFFICER, SIGNING_SECRET, TEAM, newest_schema
from tests.support.fake_slack import FakeSlackWebAPI
from tests.support.slack_client import SignedSlackClient
from tests.test_serve import _environment, _free_port, _wait_until_healthy

PATEL = MEMBERS[0]
BOT_TOKEN = "xoxb-4242-operations-test-token"
# Shaped like what people do paste by mistake: a password and a token. Neither may reach a log line.
TYPED_SECRET = "my council password is Tr0ub4dor-horse-staple and xoxp-1111-2222-pasted-token"


async def _get(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text(), response.headers.get("Content-Type", "")


def _samples(exposition: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


async def _scrape(base: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, text, content_type = await _get(f"{base}/metrics")
    assert status == 200 and content_type.startswith("text/plain")
    return _samples(text)


def _moved(before: dict, after: dict, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def _base(stack) -> str:
    return stack.slack.url.removesuffix("/slack/events")


# ------------------------------------------------------------------------------------------------ in process


async def test_health_answers_ok_and_readiness_ready_with_no_data_in_either(stack):
    assert await _get(f"{_base(stack)}/healthz") == (200, "ok", "text/plain; charset=utf-8")
    assert await _get(f"{_base(stack)}/readyz") == (200, "ready", "text/plain; charset=utf-8")


async def test_metrics_move_with_signed_requests_and_a_reminder_tick(stack):
    base = _base(stack)
    before = await _scrape(base)
    with time_machine.travel(datetime(2026, 3, 16, 10, 0, tzinfo=UTC), tick=True):
        await set_up_committee(stack)
        await open_window(stack, "Draft annual report 2025/26", "31 March 2026")
        await comment_inline(stack, PATEL, "annual-report-2025 A view.")
        refused = await comment_inline(stack, PATEL, "annual-report-2025 " + "Too long. " * 400)
        assert "at most 3,000 characters" in shown_text(refused)
    unsigned = await stack.slack.send(
        b"command=/comment&text=hello", {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert unsigned.status == 401
    assert (await _get(f"{base}/calendar/not-a-token.ics"))[0] == 404
    scheduler = ReminderScheduler(stack.bot.services, stack.bot.reminders, Settings())
    with time_machine.travel(datetime(2026, 3, 24, 9, 0, tzinfo=UTC), tick=False):
        await scheduler.run_once()  # "closes in 7 days", posted
    stack.fake.fail("chat.postMessage", status=503)
    with time_machine.travel(datetime(2026, 3, 31, 8, 5, tzinfo=UTC), tick=False):
        await scheduler.run_once()  # "closes today" refused for now; "tomorrow" and the nudges are out of date
    async with stack.database.engine.connect():
        during = await _scrape(base)  # with a connection of the pool in use
    after = await _scrape(base)

    assert _moved(before, after, "committee_bot_requests_total", kind="command /comment", outcome="ok") == 1
    assert _moved(before, after, "committee_bot_requests_total", kind="command /comment", outcome="refused") == 1
    assert _moved(before, after, "committee_bot_requests_total", kind="command /committee", outcome="ok") == 1
    assert _moved(before, after, "committee_bot_requests_total", kind="button", outcome="ok") == 1
    assert _moved(before, after, "committee_bot_requests_total", kind="/slack/events", outcome="unsigned") == 1
    assert _moved(before, after, "committee_bot_requests_total", kind="/calendar/{token}.ics", outcome="not found") == 1
    assert _moved(before, after, "committee_bot_ack_seconds_count", kind="command /comment") == 2
    assert _moved(before, after, "committee_bot_ack_seconds_bucket", kind="command /comment", le="5.0") == 2
    assert _moved(before, after, "committee_bot_reminders_total", outcome="sent") == 1
    assert _moved(before, after, "committee_bot_reminders_total", outcome="dropped") >= 2
    # "Closes today" was planned for 08:00 and is still claimed at 08:05, waiting to be tried again.
    assert after[("committee_bot_ledger_lag_seconds", ())] == 300
    assert (
        after[("committee_bot_reminder_tick_finished_timestamp_seconds", ())]
        >= datetime(2026, 3, 31, tzinfo=UTC).timestamp()
    )
    in_use = ("committee_bot_database_connections_in_use", ())
    assert during[in_use] >= after[in_use] + 1


async def _serve_readiness(database: Database, scheduler: ReminderScheduler | None, head: str) -> web.AppRunner:
    runner = web.AppRunner(server_app(database, Readiness(database, head, scheduler and scheduler.heartbeat), None, ()))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


def _address(runner: web.AppRunner) -> str:
    host, port = runner.addresses[0][:2]
    return f"http://{host}:{port}"


async def test_readiness_fails_while_the_reminder_tick_is_late_and_recovers_when_it_runs(stack):
    settings = Settings(reminder_tick_seconds=0.5, reminder_claim_timeout_seconds=1.5)
    scheduler = ReminderScheduler(stack.bot.services, stack.bot.reminders, settings)
    runner = await _serve_readiness(stack.database, scheduler, newest_schema())
    try:
        assert await _get(f"{_address(runner)}/readyz") == (200, "ready", "text/plain; charset=utf-8")
        await asyncio.sleep(1.6)  # three ticks' time and more, with no tick: the scheduler is stuck or gone
        assert (await _get(f"{_address(runner)}/readyz"))[:2] == (503, "not ready: the reminder tick is late")
        await scheduler.run_once()
        await asyncio.sleep(1.0)  # readiness is checked at most once a second
        assert (await _get(f"{_address(runner)}/readyz"))[:2] == (200, "ready")
    finally:
        await runner.cleanup()


async def test_readiness_fails_on_a_database_behind_the_code_or_unreachable(tmp_path, postgres_url):
    behind = Database(f"sqlite:///{tmp_path / 'behind.sqlite3'}")
    await behind.upgrade("0008_personal_data")
    unreachable = Database(postgres_url.replace(":5432/", f":{_free_port()}/"))
    for database, problem in (
        (behind, "the database schema is not the one this version needs"),
        (unreachable, "the database does not answer"),
    ):
        runner = await _serve_readiness(database, None, newest_schema())
        try:
            assert (await _get(f"{_address(runner)}/readyz"))[:2] == (503, f"not ready: {problem}")
            assert (await _get(f"{_address(runner)}/healthz"))[:2] == (200, "ok")  # up, all the same
        finally:
            await runner.cleanup()
            await database.dispose()


# ------------------------------------------------------------------------------------------------ processes


class Served:
    def __init__(self, process: subprocess.Popen, port: int, log: Path) -> None:
        self.process, self.port, self.log = process, port, log
        self.base = f"http://127.0.0.1:{port}"

    def lines(self) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if line.strip()]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


async def _started(tmp_path: Path, command: str, **env: str) -> Served:
    port = _free_port()
    log = tmp_path / f"{command}-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", command],
            env=_environment(PORT=str(port), **env),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    served = Served(process, port, log)
    try:
        await _wait_until_healthy(port, process)
    except BaseException:
        served.stop()
        raise
    return served


async def _calendar_path(stack) -> str:
    await set_up_committee(stack)
    await open_window(stack, "Draft annual report 2041", "1 June 2041")
    _, token = await calendar_token(stack.bot.services, Actor(TEAM, CLERK, CHANNEL))
    return f"/calendar/{token}.ics"


async def test_serve_without_slack_serves_the_calendar_and_health_and_says_so_in_one_line(stack, tmp_path):
    calendar = await _calendar_path(stack)
    served = await _started(tmp_path, "serve", DATABASE_URL=stack.database.url, PUBLIC_URL="https://bot.example.org")
    try:
        status, body, content_type = await _get(served.base + calendar)
        assert status == 200 and content_type.startswith("text/calendar") and "Draft annual report 2041" in body
        assert (await _get(f"{served.base}/readyz"))[:2] == (200, "ready")
        assert (await _get(f"{served.base}/metrics"))[0] == 200
        async with aiohttp.ClientSession() as session, session.post(f"{served.base}/slack/events", data=b"x") as reply:
            assert reply.status == 404  # no Slack route where Slack is not configured
    finally:
        served.stop()
    [line] = [line for line in served.lines() if "answered" not in line]  # one for each request besides
    assert f"listening on port {served.port} with Slack not configured" in line
    assert "calendar and health only" in line and "reminders off (no platform to send them through)" in line


@pytest.mark.parametrize(
    ("command", "env", "said"),
    [
        (
            "serve",
            {"SLACK_SIGNING_SECRET": SIGNING_SECRET},
            "committee-bot: the environment variable SLACK_BOT_TOKEN is not set; "
            "it is needed to serve Slack's requests.",
        ),
        ("serve", {"LOG_FORMAT": "xml"}, "committee-bot: LOG_FORMAT must be human or json, not 'xml'."),
        (
            "scheduler",
            {},
            "committee-bot: the environment variable SLACK_BOT_TOKEN is not set; it is needed to post reminders in "
            "Slack (or set Microsoft Teams' CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID, CLIENTSECRET and "
            "TENANTID to post them in Teams).",
        ),
    ],
    ids=["half-of-slack", "unknown-log-format", "scheduler-with-no-platform"],
)
def test_a_missing_or_inconsistent_setting_stops_start_up_in_one_line(tmp_path, command, env, said):
    result = subprocess.run(
        [sys.executable, "-m", "bot", command],
        env=_environment(DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3", PORT=str(_free_port()), **env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert (result.stdout + result.stderr).strip().splitlines() == [said]


async def _slack_served(
    tmp_path: Path, database_url: str, **env: str
) -> tuple[Served, FakeSlackWebAPI, SignedSlackClient]:
    fake = await FakeSlackWebAPI().start()
    fake.members[CHANNEL] = [CLERK, OFFICER, *MEMBERS]
    served = await _started(
        tmp_path,
        "serve",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=database_url,
        REMINDERS="off",
        **env,
    )
    return served, fake, SignedSlackClient(f"{served.base}/slack/events", SIGNING_SECRET, fake=fake)


async def _open_report(slack: SignedSlackClient, fake: FakeSlackWebAPI) -> None:
    await slack.slash_command("/committee", "setup Scrutiny Commission", user_id=CLERK, channel_id=CHANNEL)
    preview = (
        await slack.slash_command(
            "/report", f"open Draft plan | | <@{OFFICER}> | 1 June 2041", user_id=CLERK, channel_id=CHANNEL
        )
    ).json()
    await slack.block_action(
        "report.confirm", buttons(preview)["Open comment window"]["value"], user_id=CLERK, channel_id=CHANNEL
    )
    await fake.wait_for("chat.getPermalink")


async def test_json_logs_carry_each_request_and_never_a_secret_or_what_people_typed(database, tmp_path):
    served, fake, slack = await _slack_served(tmp_path, database.url, LOG_FORMAT="json")
    try:
        await _open_report(slack, fake)
        saved = await slack.slash_command("/comment", f"plan {TYPED_SECRET}", user_id=PATEL, channel_id=CHANNEL)
        assert "is saved" in shown_text(saved.json())
        too_long = await slack.slash_command("/comment", f"plan {TYPED_SECRET * 50}", user_id=PATEL, channel_id=CHANNEL)
        assert "at most 3,000 characters" in shown_text(too_long.json())
        # A deadline that cannot be read is echoed back to the clerk; the log says only that it was refused.
        unreadable = await slack.slash_command(
            "/report", f"open Other plan | | <@{OFFICER}> | {TYPED_SECRET}", user_id=CLERK, channel_id=CHANNEL
        )
        assert "Tr0ub4dor" in unreadable.text
        assert (await slack.send(b"token=x&text=" + TYPED_SECRET.encode(), {})).status == 401
    finally:
        await slack.close()
        served.stop()
        await fake.stop()
    entries = [json.loads(line) for line in served.lines()]  # every line is one JSON object
    written = "\n".join(served.lines())
    for secret in ("Tr0ub4dor", "pasted-token", BOT_TOKEN, SIGNING_SECRET):
        assert secret not in written
    answered = [entry for entry in entries if entry["message"].startswith("answered ")]
    comments = [entry for entry in answered if entry["kind"] == "command /comment"]
    assert [entry["outcome"] for entry in comments] == ["ok", "refused"]
    assert all(entry["workspace"] == "T0001" for entry in comments) and comments[0]["committee"] == 1
    assert len({entry["request_id"] for entry in comments}) == 2
    assert [entry["outcome"] for entry in answered if entry["kind"] == "command /report"] == ["ok", "refused"]
    assert [entry["outcome"] for entry in answered if entry["kind"] == "/slack/events"] == ["unsigned"]
    refusal = next(entry for entry in entries if "refused (" in entry["message"] and entry["kind"] == "command /report")
    assert refusal["request_id"] in {entry["request_id"] for entry in answered}


async def test_metrics_add_up_every_worker_of_serve(database, tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_1.db").write_bytes(b"left by an earlier run")  # emptied at start, or the scrape would fail
    served, fake, slack = await _slack_served(
        tmp_path, database.url, WEB_CONCURRENCY="2", PROMETHEUS_MULTIPROC_DIR=str(folder)
    )
    try:
        for _ in range(12):
            assert (await slack.slash_command("/comment", "list", user_id=PATEL, channel_id=CHANNEL)).status == 200
        # Each scrape lands on either worker; each must count all twelve.
        for _ in range(4):
            scraped = await _scrape(served.base)
            assert scraped[("committee_bot_requests_total", (("kind", "command /comment"), ("outcome", "ok")))] == 12
        workers = {path.stem.rsplit("_", 1)[1] for path in folder.glob("*.db")}
        assert len(workers) == 2 and "1" not in workers
    finally:
        await slack.close()
        served.stop()
        await fake.stop()


async def test_the_scheduler_serves_health_readiness_and_metrics_and_builds_no_slack_app(database, tmp_path):
    fake = await FakeSlackWebAPI().start()
    try:
        served = await _started(
            tmp_path, "scheduler", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=fake.base_url, DATABASE_URL=database.url
        )
        try:
            assert (await _get(f"{served.base}/readyz"))[:2] == (200, "ready")
            for _ in range(50):
                scraped = await _scrape(served.base)
                if scraped.get(("committee_bot_reminder_tick_finished_timestamp_seconds", ()), 0) > 0:
                    break
                await asyncio.sleep(0.1)
            assert scraped[("committee_bot_reminder_tick_finished_timestamp_seconds", ())] > 0
            assert (await _get(f"{served.base}/calendar/x.ics"))[0] == 404  # it serves no requests but these
        finally:
            served.stop()
    finally:
        await fake.stop()
    assert f"committee-bot sending reminders, health and metrics on port {served.port}" in served.lines()[0]
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, bot.server, bot.slack.sending; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "slack_bolt" not in loaded


def test_a_secret_or_token_that_reaches_a_log_line_is_masked(capsys):
    """Whatever line a token or secret got into (an error quoting a request, a library's message), it is masked."""
    from bot import logs

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    logs.configure("json", [SIGNING_SECRET, "db-password-123"])
    try:
        logging.getLogger("tests").warning(
            "failed with %s, %s, %s and %s", SIGNING_SECRET, "db-password-123", "xoxb-9-9-unconfigured", "xapp-1-A1-2"
        )
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    [line] = capsys.readouterr().err.splitlines()
    assert json.loads(line)["message"] == "failed with [redacted], [redacted], [redacted] and [redacted]"
