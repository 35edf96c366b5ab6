"""Log lines: readable by default, one JSON object per line with LOG_FORMAT=json, and never a secret.

Each line carries the request (or tick) it was written for, from handlers.log_context. What people typed is kept out
by what is logged (ids, kinds and counts, never a message's text), and the database's error messages leave out the
values of their statements (storage.database); tokens and secrets are masked here, whatever line they got into.
"""

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime

from handlers import log_context

MASK = "[redacted]"
# Slack's tokens (bot, user, app-level, configuration, refresh), wherever one turns up, configured or not.
TOKEN_SHAPES = re.compile(r"\b(?:xox[a-z]|xapp|xoxe(?:\.xox[a-z])?)-[A-Za-z0-9-]+")
HUMAN_LAYOUT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _Masking:
    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so that a secret containing another is masked whole.
        self._secrets = sorted({secret for secret in secrets if secret and len(secret) >= 6}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        # The search is the costly part of a line; most lines hold nothing like a token.
        return TOKEN_SHAPES.sub(MASK, text) if "xox" in text or "xapp" in text else text


class HumanFormatter(logging.Formatter):
    """The usual line, and the request's id, kind, workspace, committee and outcome after it when there is one."""

    def __init__(self, masked: _Masking) -> None:
        super().__init__(HUMAN_LAYOUT)
        self._masked = masked

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        if context := log_context.current():
            fields = _context_fields(context)
            line += " [" + " ".join(f"{name}={value}" for name, value in fields.items() if value is not None) + "]"
        return self._masked(line)


class JsonFormatter(logging.Formatter):
    def __init__(self, masked: _Masking) -> None:
        super().__init__()
        self._masked = masked

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if context := log_context.current():
            entry |= {name: value for name, value in _context_fields(context).items() if value is not None}
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return self._masked(json.dumps(entry, ensure_ascii=False, default=str))


def _context_fields(context: log_context.LogContext) -> dict[str, object]:
    return {
        "request_id": context.request_id,
        "kind": context.kind,
        "workspace": context.workspace,
        "committee": context.committee,
        "outcome": context.outcome,
    }


def configure(log_format: str, secrets: Iterable[str] = ()) -> None:
    """The root logger writes to standard error in `log_format`, masking `secrets` and anything shaped like a token."""
    masked = _Masking(secrets)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(masked) if log_format == "json" else HumanFormatter(masked))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
