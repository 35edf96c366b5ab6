"""Configuration from the environment; a missing required variable stops start-up with one clear line."""

import os
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from storage.database import DEFAULT_DATABASE_URL, NotADatabaseURL, async_url

SLACK_API_DEFAULT = "https://slack.com/api/"


class MissingSetting(SystemExit):
    def __init__(self, name: str, purpose: str) -> None:
        super().__init__(f"committee-bot: the environment variable {name} is not set; it is needed {purpose}.")


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    bot_token: str | None = None
    signing_secret: str | None = None
    # Given together instead of a bot token: the bot is installed by OAuth ("Add to Slack") in any number of
    # workspaces, each with its own token kept in the database.
    client_id: str | None = None
    client_secret: str | None = None
    app_token: str | None = None
    port: int = 3000
    # Whether PORT was given: `scheduler` serves its health and metrics only then, so that several on one host
    # (each with no PORT) do not contend for the default.
    port_set: bool = False
    slack_api_url: str = SLACK_API_DEFAULT
    public_url: str = ""
    slack_timeout_seconds: float = 10
    reminder_tick_seconds: float = 60
    reminder_claim_timeout_seconds: float = 300
    # Off where a separate `committee-bot scheduler` process sends the reminders.
    reminders: bool = True
    # Processes serving requests on the one port; gunicorn's conventional variable.
    workers: int = 1
    # Comments are deleted this many years after their report's comment window closed: the usual council retention
    # period for committee records.
    comment_retention_years: int = 6
    # A workspace that uninstalled the bot keeps its data this long, so that a reinstall finds it; then it goes.
    uninstalled_retention_days: int = 90

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        port, workers = _whole_number(env, "PORT", "3000"), _whole_number(env, "WEB_CONCURRENCY", "1")
        slack_timeout = _number(env, "SLACK_TIMEOUT_SECONDS", 10)
        claim_timeout = _number(env, "REMINDER_CLAIM_TIMEOUT_SECONDS", 300)
        # A tick stops posting a third of a claim timeout before its claims could be taken over; a post has to
        # fit in that third, or a reminder could go out from two instances.
        if claim_timeout < 3 * slack_timeout:
            raise SystemExit(
                "committee-bot: REMINDER_CLAIM_TIMEOUT_SECONDS must be at least three times SLACK_TIMEOUT_SECONDS "
                f"({slack_timeout:g}), not {claim_timeout:g}."
            )
        return cls(
            database_url=checked_database_url(env.get("DATABASE_URL") or DEFAULT_DATABASE_URL),
            bot_token=env.get("SLACK_BOT_TOKEN") or None,
            signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            client_id=env.get("SLACK_CLIENT_ID") or None,
            client_secret=env.get("SLACK_CLIENT_SECRET") or None,
            app_token=env.get("SLACK_APP_TOKEN") or None,
            port=port,
            port_set=bool(env.get("PORT")),
            slack_api_url=env.get("SLACK_API_URL") or SLACK_API_DEFAULT,
            public_url=env.get("PUBLIC_URL") or "",
            slack_timeout_seconds=slack_timeout,
            reminder_tick_seconds=_number(env, "REMINDER_TICK_SECONDS", 60),
            reminder_claim_timeout_seconds=claim_timeout,
            reminders=(env.get("REMINDERS") or "on").lower() not in ("off", "0", "false", "no"),
            workers=max(1, workers),
            comment_retention_years=_years(env, "COMMENT_RETENTION_YEARS", 6),
            uninstalled_retention_days=_days(env, "UNINSTALLED_RETENTION_DAYS", 90),
        )

    @property
    def slack_configured(self) -> bool:
        """Any of Slack's settings says Slack is meant to be served; `require_slack` then asks for the rest."""
        return bool(self.bot_token or self.signing_secret or self.installs_by_oauth)

    @property
    def installs_by_oauth(self) -> bool:
        """Many workspaces, each installed through "Add to Slack", rather than one bot token for one workspace."""
        return bool(self.client_id or self.client_secret)

    def require_slack(self, purpose: str, signed: bool = True) -> None:
        """Stop with one line if Slack's settings are given in part, or for both ways of installing at once.
        `signed`: Slack's requests are to be answered, which takes the signing secret."""
        if self.installs_by_oauth:
            if self.bot_token:
                raise SystemExit(
                    "committee-bot: set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
                    "SLACK_CLIENT_SECRET (installed by OAuth in many workspaces), not both."
                )
            names = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")
        else:
            names = ("SLACK_BOT_TOKEN",)
        self.require(*names, *(("SLACK_SIGNING_SECRET",) if signed else ()), purpose=purpose)

    def require(self, *names: str, purpose: str) -> None:
        """Stop with a clear message naming the first of `names` (environment variable names) that is unset."""
        for name in names:
            if not getattr(self, _ATTRIBUTES[name]):
                raise MissingSetting(name, purpose)


def checked_database_url(url: str, name: str = "DATABASE_URL") -> str:
    """A URL the bot can use, or start-up stops with one line saying how to write one (never echoing the URL,
    which may hold a password)."""
    how = "sqlite:///path/to/file.sqlite3 or postgresql://user@host:5432/dbname"
    try:
        async_url(url)
    except NotADatabaseURL:
        raise SystemExit(f"committee-bot: {name} is not a database URL; write it as {how}.") from None
    except ValueError:
        scheme = url.split(":", 1)[0]
        raise SystemExit(f"committee-bot: {name} must be a URL like {how}, not a {scheme}:// one.") from None
    return url


LOG_FORMATS = ("human", "json")


def log_format(env: Mapping[str, str]) -> str:
    value = (env.get("LOG_FORMAT") or "human").lower()
    if value not in LOG_FORMATS:
        raise SystemExit(f"committee-bot: LOG_FORMAT must be human or json, not {value!r}.")
    return value


def secrets_in(env: Mapping[str, str]) -> list[str]:
    """What must never reach a log line: the tokens and secrets set, and the database's password."""
    secrets = [env.get(name, "") for name in _ATTRIBUTES]
    with suppress(ArgumentError):  # not a URL: start-up refuses it, without echoing it
        secrets.append(make_url(env.get("DATABASE_URL") or DEFAULT_DATABASE_URL).password or "")
    return [secret for secret in secrets if secret]


def _whole_number(env, name: str, default: str) -> int:
    value = env.get(name) or default
    if not value.isascii() or not value.isdigit():
        raise SystemExit(f"committee-bot: {name} must be a whole number, not {value!r}.")
    return int(value)


_ATTRIBUTES = {
    "SLACK_BOT_TOKEN": "bot_token",
    "SLACK_SIGNING_SECRET": "signing_secret",
    "SLACK_APP_TOKEN": "app_token",
    "SLACK_CLIENT_ID": "client_id",
    "SLACK_CLIENT_SECRET": "client_secret",
}


def _years(env, name: str, default: int) -> int:
    value = env.get(name) or str(default)
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise SystemExit(f"committee-bot: {name} must be a whole number of years, at least 1, not {value!r}.")
    return int(value)


def _days(env, name: str, default: int) -> int:
    value = env.get(name) or str(default)
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise SystemExit(f"committee-bot: {name} must be a whole number of days, at least 1, not {value!r}.")
    return int(value)


def _number(env, name: str, default: float) -> float:
    value = env.get(name)
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise SystemExit(f"committee-bot: {name} must be a number of seconds, not {value!r}.") from None
