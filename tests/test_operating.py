"""Running the bot as an operator does: the real `committee-bot` command in a process of its own."""

import re
import subprocess
import sys
from urllib.parse import urlparse

import pytest

from tests.conftest import POSTGRES_ADMIN_URL
from tests.stack import SIGNING_SECRET
from tests.test_serve import _environment, _free_port, _wait_until_healthy

ADMIN = urlparse(POSTGRES_ADMIN_URL)


def _refusal(env: dict[str, str], *command: str) -> list[str]:
    """What a command that would not start printed, line by line."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", *command], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0, result.stdout + result.stderr
    return (result.stdout + result.stderr).strip().splitlines()


def _postgres(port: int | None = None, database: str = "test") -> str:
    return f"postgresql://{ADMIN.username}@{ADMIN.hostname}:{port or ADMIN.port or 5432}/{database}"


WRONG_DATABASES = {
    "a database that does not exist": (
        lambda tmp: _postgres(database="committee_bot_no_such_database"),
        'the database "committee_bot_no_such_database" does not exist on',
        "createdb committee_bot_no_such_database",
    ),
    "a MySQL URL": (lambda tmp: "mysql://bot@localhost/committees", "not a mysql:// one", "postgresql://user@host"),
    "a port nothing listens on": (
        lambda tmp: _postgres(port=_free_port()),
        "nothing accepts connections at",
        "is DATABASE_URL's port right?",
    ),
    "an SQLite file where no folder can be": (
        lambda tmp: f"sqlite:///{tmp / 'a-file' / 'bot.sqlite3'}",
        "cannot open the SQLite database",
        "check that its folder exists and that this user can write there",
    ),
    "not a URL at all": (lambda tmp: "committee database please", "is not a database URL", "sqlite:///"),
}


@pytest.mark.parametrize("case", list(WRONG_DATABASES))
@pytest.mark.parametrize("command", [("db", "upgrade"), ("serve",), ("scheduler",)])
def test_a_wrong_database_url_stops_start_up_with_one_line_saying_what_to_do(tmp_path, case, command):
    (tmp_path / "a-file").write_text("not a folder")
    url, what, how = WRONG_DATABASES[case]
    env = _environment(SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SIGNING_SECRET, DATABASE_URL=url(tmp_path))
    env |= {"PORT": str(_free_port())}
    said = _refusal(env, *command)
    assert len(said) == 1, "\n".join(said)
    [line] = said
    assert line.startswith("committee-bot: ") and what in line and how in line, line


@pytest.mark.parametrize("workers", ["1", "2"])
async def test_a_started_server_logs_one_line_saying_where_and_on_which_database(tmp_path, postgres_url, workers):
    """Not alembic's plugins and migrations, not Bolt's warning about its token; and never the password."""
    with_password = postgres_url.replace(f"//{ADMIN.username}@", f"//{ADMIN.username}:not-for-the-log@")
    port = _free_port()
    env = _environment(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL="http://127.0.0.1:9/api/",
        DATABASE_URL=with_password,
        PORT=str(port),
        REMINDERS="off",
        WEB_CONCURRENCY=workers,
    )
    [line] = await _started_and_stopped(tmp_path, env, port)
    processes = " in 2 processes" if workers == "2" else ""
    assert re.search(rf"INFO bot.cli: committee-bot listening on port {port}{processes} at /slack/events, ", line), line
    assert f"database {postgres_url}, reminders off" in line and "not-for-the-log" not in line


@pytest.mark.parametrize("command", ["serve", "scheduler"])
async def test_teams_alone_starts_with_no_slack_setting(tmp_path, command):
    """Microsoft Teams with no tenant (the SDK's anonymous mode): `serve` answers at /api/messages and sends
    reminders; `scheduler` sends them, asking for no Slack setting."""
    port = _free_port()
    env = _environment(
        CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED="true",
        DATABASE_URL=f"sqlite:///{tmp_path}/teams.sqlite3",
        PORT=str(port),
    )
    lines = await _started_and_stopped(tmp_path, env, port, command)
    if command == "serve":
        assert any(f"listening on port {port} at /api/messages, " in line for line in lines), lines
        assert any("sending reminders" in line for line in lines), lines
    else:
        assert any("committee-bot sending reminders, health and metrics on port" in line for line in lines), lines


async def _started_and_stopped(tmp_path, env: dict[str, str], port: int, command: str = "serve") -> list[str]:
    """What `serve` (or another command that listens) logged from start to a clean stop."""
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "bot", command], env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            await _wait_until_healthy(port, server)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return [line for line in log.read_text().splitlines() if line.strip()]
