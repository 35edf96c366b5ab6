"""Signed Slack requests and the load client that sends them.

Bodies are built once per request kind by the test suite's SignedSlackClient (so their shape is exactly what
the end-to-end tests send) with placeholder ids; each request then only swaps in fresh ids and is signed with
the current timestamp, a few microseconds of work, so the client stays far from being the bottleneck. One
aiohttp session with a keep-alive connection pool serves all the simulated clients.
"""

import asyncio
import itertools
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
from benchlib import SIGNING_SECRET, median, percentile
from slack_sdk.signature import SignatureVerifier

from tests.support.slack_client import Reply, SignedSlackClient, select_value, text_value

VIEW_SLOT = "VSLOTSLOTSLOTSLOT"
TRIGGER_SLOT = "TRIGGERSLOTTRIGGERSLOT"
RUN = secrets.token_hex(3).upper()  # keeps view ids unique across benchmark runs on one database
_sequence = itertools.count(1)

Request = tuple[bytes, dict[str, str]]


class _Recorder(SignedSlackClient):
    """SignedSlackClient that keeps the body it would have sent instead of sending it."""

    async def send(self, body: bytes, headers: dict[str, str]) -> Reply:
        return Reply(status=0, text="", body=body, headers=headers)


def _recorder() -> _Recorder:
    return _Recorder("http://unused", SIGNING_SECRET)


async def actions_template(user_id: str, channel_id: str, text: str = "") -> bytes:
    reply = await _recorder().slash_command(
        "/actions", text, user_id=user_id, channel_id=channel_id, trigger_id=TRIGGER_SLOT
    )
    return reply.body


async def comment_template(user_id: str, channel_id: str, window_id: int, number: int) -> bytes:
    """A comment.add submission as the bot's modal comes back: metadata as bot/slack/blocks.py sets it."""
    values = {
        "report": {"value": select_value(str(window_id))},
        "section": {"value": text_value(f"Section {number % 9 + 1}")},
        "text": {"value": text_value(f"Paragraph {number % 40 + 1} should say how schools will refer children.")},
    }
    metadata = json.dumps({"context": "", "channel": channel_id})
    reply = await _recorder().view_submission(
        "comment.add", values, user_id=user_id, private_metadata=metadata, view_id=VIEW_SLOT, trigger_id=TRIGGER_SLOT
    )
    return reply.body


class Signer:
    """Fresh ids in a template, signed as Slack signs: unique requests at a few microseconds each."""

    def __init__(self, templates: list[bytes]) -> None:
        self._templates = itertools.cycle(templates)
        self._verifier = SignatureVerifier(SIGNING_SECRET)

    def __call__(self) -> Request:
        number = next(_sequence)
        body = next(self._templates)
        body = body.replace(VIEW_SLOT.encode(), f"V{RUN}{number:010d}".encode())
        body = body.replace(TRIGGER_SLOT.encode(), f"{number}.{int(time.time())}.{RUN}".encode())
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": self._verifier.generate_signature(timestamp=timestamp, body=body),
        }
        return body, headers


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)  # seconds, of answered requests
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def p50_ms(self) -> float:
        return median(self.latencies) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 99) * 1000

    def describe(self) -> str:
        failed = f", {len(self.failures)} FAILED (e.g. {self.failures[0][:160]!r})" if self.failures else ""
        return (
            f"{len(self.latencies)} answered in {self.seconds:.1f} s: {self.throughput:,.0f} req/s, "
            f"p50 {self.p50_ms:.2f} ms, p99 {self.p99_ms:.2f} ms{failed}"
        )


Check = Callable[[int, bytes], bool]


async def run_load(
    url: str,
    next_request: Callable[[], Request],
    check: Check,
    *,
    clients: int,
    seconds: float | None = None,
    count: int | None = None,
) -> LoadResult:
    """`clients` simulated clients, each sending its next request as soon as the last is answered, until
    `seconds` have passed or `count` requests were sent."""
    result = LoadResult()
    budget = itertools.count() if count is None else iter(range(count))
    stop_at = time.perf_counter() + seconds if seconds else float("inf")
    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def client() -> None:
            while time.perf_counter() < stop_at and next(budget, None) is not None:
                await _one(session, url, next_request(), check, result)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        result.seconds = time.perf_counter() - started
    return result


async def _one(session: aiohttp.ClientSession, url: str, request: Request, check: Check, result: LoadResult) -> None:
    body, headers = request
    started = time.perf_counter()
    try:
        async with session.post(url, data=body, headers=headers) as response:
            answer = await response.read()
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as error:
        result.failures.append(repr(error))
        return
    elapsed = time.perf_counter() - started
    if check(status, answer):
        result.latencies.append(elapsed)
    else:
        result.failures.append(f"{status} {answer[:300]!r}")


def listing_answered(status: int, body: bytes) -> bool:
    """/actions answered with a page of resolutions, not a refusal."""
    return status == 200 and b'"blocks"' in body and b"Sorry" not in body and b"can't" not in body


def plain_ack(status: int, body: bytes) -> bool:
    """A submission the bot accepted: an empty 200 (a refusal would carry response_action "errors")."""
    return status == 200 and b"response_action" not in body


def any_ack(status: int, _body: bytes) -> bool:
    return status == 200
