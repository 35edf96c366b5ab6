"""Retries (issue 5): Slack delivers a request again, up to three more times, when it got no answer in time.

Each trial builds one request exactly as Slack would send it, delivers it, then delivers it again with
X-Slack-Retry-Num 1..n and an X-Slack-Retry-Reason, sometimes one copy after another and sometimes at the
same moment. With two bot instances on one PostgreSQL database the original goes to one and the retries to
the other, so the only thing that can keep the effect single is the database's unique request keys. Every
trial must leave exactly one stored effect, and every delivery must get the answer the first one got.
"""

import asyncio
import json
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Select, func, select, text

from storage.database import Database
from storage.models import Meeting
from tests.flows import open_window, record_resolution, set_up_committee, shown_text
from tests.stack import CHANNEL, CLERK, MEMBERS, SIGNING_SECRET, TEAM, Stack, start_stack
from tests.support.slack_client import Reply, SignedSlackClient, retry_headers, select_value, text_value

REF = "annual-report-2021"
RETRY_REASONS = ("http_timeout", "http_error", "too_many_requests", "unknown_error", "ssl_error")
# How the copies of one request arrive: Slack retries after a timeout, so a retry can land while the original
# is still being worked on by another instance.
PATTERNS = ("one after another", "first retry races the original", "all at once")
TRIALS_AT_ONCE = 32
# Hundreds of requests share the test's event loop with the fake Slack, so a follow-up post can wait its turn
# well past the two seconds the other tests allow; a timeout there would be the harness's, not the bot's.
PATIENT_SLACK_TIMEOUT_SECONDS = 15


class Composer(SignedSlackClient):
    """Builds requests exactly as Slack sends them, without sending them: the trials deliver them."""

    async def send(self, body: bytes, headers: dict[str, str]) -> Reply:
        return Reply(status=0, text="", body=body, headers=dict(headers))


# ---------------------------------------------------------------------------------------------- the kinds


@dataclass(frozen=True)
class Kind:
    """One kind of request: how to build trial n, and which stored rows show its effect."""

    compose: Callable[[Composer, int], Awaitable[Reply]]
    # A query giving (marker, count) pairs: one row, exactly, per trial.
    effects: str | Select
    answered: Callable[[Reply], bool]


def marker_prefix(kind: str) -> str:
    return kind.replace("/", "").replace(" ", "-") + "-trial-"


def marker(kind: str, n: int) -> str:
    """Unique text for trial n of a kind, so its stored effect can be found and counted."""
    return f"{marker_prefix(kind)}{n:04d}"


def meeting_day(n: int) -> date:
    return date(2041, 1, 1) + timedelta(days=n)


def _metadata(context: str = "") -> str:
    return json.dumps({"context": context, "channel": CHANNEL})


def _receipt(reply: Reply) -> bool:
    answer = reply.json()
    return reply.status == 200 and isinstance(answer, dict) and ":warning:" not in shown_text(answer)


def _closed(reply: Reply) -> bool:
    return reply.status == 200 and not reply.text


def _acknowledged(reply: Reply) -> bool:
    return reply.status == 200


def _thread_reply(n: int) -> dict:
    ts = f"1800000000.{n:06d}"
    return {
        "type": "message",
        "channel": CHANNEL,
        "channel_type": "channel",
        "user": MEMBERS[n % 3],
        "text": marker("thread reply", n),
        "ts": ts,
        "thread_ts": ANNOUNCEMENT_TS,
        "team": TEAM,
    }


def marked_comments(kind: str) -> str:
    """1 for a trial's comment with exactly one revision; 0 or more is a lost or doubled effect."""
    return (
        "SELECT c.text, count(DISTINCT c.id) + count(r.id) - 1 FROM comment c JOIN comment_revision r "
        f"ON r.comment_id = c.id WHERE c.text LIKE '{marker_prefix(kind)}%' GROUP BY c.text"
    )


def marked_resolutions(kind: str) -> str:
    """1 for a trial's resolution with exactly one "created" entry in its history."""
    return (
        "SELECT r.text, count(DISTINCT r.id) + count(h.id) - 1 FROM resolution r JOIN resolution_change h "
        f"ON h.resolution_id = r.id AND h.action = 'created' WHERE r.text LIKE '{marker_prefix(kind)}%' "
        "GROUP BY r.text"
    )


def marked_committees(kind: str) -> str:
    return f"SELECT name, count(*) FROM committee WHERE name LIKE '{marker_prefix(kind)}%' GROUP BY name"


def _form_values(**fields: dict) -> dict:
    return {block_id: {"value": entry} for block_id, entry in fields.items()}


ANNOUNCEMENT_TS = "1700000000.000100"  # the first message the fake posts: the window's announcement
# Sets up the trial committees: were it CLERK, every Home tab CLERK's forms refresh would list them all.
SETUP_CLERK = "USETUPCLERK"
KINDS = {
    "/comment": Kind(
        lambda c, n: c.slash_command(
            "/comment", f"{REF} {marker('/comment', n)}", user_id=MEMBERS[n % 3], channel_id=CHANNEL
        ),
        marked_comments("/comment"),
        _receipt,
    ),
    "/meeting add": Kind(
        lambda c, n: c.slash_command(
            "/meeting", f"add {meeting_day(n):%d %B %Y} 10:00", user_id=CLERK, channel_id=CHANNEL
        ),
        # Through the model, so that SQLite's naive timestamps come back as the UTC instants they are.
        select(Meeting.starts_at, func.count()).group_by(Meeting.starts_at),
        _receipt,
    ),
    "/committee setup": Kind(
        lambda c, n: c.slash_command(
            "/committee", f"setup {marker('/committee setup', n)}", user_id=SETUP_CLERK, channel_id=f"CTRIAL{n:05d}"
        ),
        marked_committees("/committee setup"),
        _receipt,
    ),
    "comment form": Kind(
        lambda c, n: c.view_submission(
            "comment.add",
            _form_values(report=select_value("1"), text=text_value(marker("comment form", n))),
            user_id=MEMBERS[n % 3],
            private_metadata=_metadata(),
            view_id=f"VCOMMENT{n:05d}",
        ),
        marked_comments("comment form"),
        _closed,
    ),
    "resolution form": Kind(
        lambda c, n: c.view_submission(
            "action.record",
            _form_values(text=text_value(marker("resolution form", n)), kind=select_value("action")),
            user_id=CLERK,
            private_metadata=_metadata(),
            view_id=f"VRECORD{n:05d}",
        ),
        marked_resolutions("resolution form"),
        _closed,
    ),
    "re-date form": Kind(
        lambda c, n: c.view_submission(
            "action.redate",
            _form_values(due=text_value(f"{meeting_day(n):%d %B %Y}")),
            user_id=CLERK,
            private_metadata=_metadata("1"),
            view_id=f"VREDATE{n:05d}",
        ),
        "SELECT request_key, count(*) FROM resolution_change WHERE action = 'redated' GROUP BY request_key",
        _closed,
    ),
    "thread reply": Kind(
        lambda c, n: c.event(_thread_reply(n), event_id=f"EvTRIAL{n:05d}"),
        "SELECT text, count(*) FROM comment_draft GROUP BY text",
        _acknowledged,
    ),
}


def expected_marker(kind: str, n: int) -> str:
    """What the effects query reports for trial n of this kind."""
    if kind == "/meeting add":
        return datetime.combine(meeting_day(n), time(10), ZoneInfo("Europe/London")).astimezone(UTC)
    if kind == "re-date form":
        return f"slack:{TEAM}:view:VREDATE{n:05d}"
    return marker(kind, n)


# ---------------------------------------------------------------------------------------------- trials


@dataclass(frozen=True, eq=False)  # each trial is itself, whatever it holds
class Trial:
    kind: str
    n: int
    request: Reply
    retries: int
    pattern: str
    reason: str


async def compose_trials(composer: Composer, count: int, seed: int) -> list[Trial]:
    """`count` trials spread evenly over the kinds, each with its number of retries and its timing."""
    chance, kinds = random.Random(seed), sorted(KINDS)
    trials = []
    for n in range(1, count + 1):
        kind = kinds[n % len(kinds)]
        request = await KINDS[kind].compose(composer, n)
        retries, pattern, reason = chance.randint(1, 3), chance.choice(PATTERNS), chance.choice(RETRY_REASONS)
        trials.append(Trial(kind, n, request, retries, pattern, reason))
    return trials


async def deliver(slack: SignedSlackClient, request: Reply, retry_num: int | None, reason: str) -> Reply:
    """The composed request with a fresh signature, and Slack's retry headers from the first retry on."""
    content_type = request.headers["Content-Type"]
    headers = slack.signed_headers(request.body, content_type=content_type) | retry_headers(retry_num, reason)
    return await slack.send(request.body, headers)


async def run_trial(trial: Trial, first: Stack, again: Stack) -> list[Reply]:
    """The original goes to `first`, every retry to `again` (the same instance when there is only one)."""
    original = deliver(first.slack, trial.request, None, trial.reason)
    retries = [deliver(again.slack, trial.request, n, trial.reason) for n in range(1, trial.retries + 1)]
    if trial.pattern == "all at once":
        return list(await asyncio.gather(original, *retries))
    if trial.pattern == "first retry races the original":
        raced = list(await asyncio.gather(original, retries[0]))
        return raced + [await retry for retry in retries[1:]]
    return [await original] + [await retry for retry in retries]


async def run_all(trials: list[Trial], first: Stack, again: Stack) -> dict[Trial, list[Reply]]:
    """Every trial, TRIALS_AT_ONCE in flight at any moment, then the bots' background deliveries."""
    in_flight = asyncio.Semaphore(TRIALS_AT_ONCE)

    async def one(trial: Trial) -> list[Reply]:
        async with in_flight:
            return await run_trial(trial, first, again)

    answers = dict(zip(trials, await asyncio.gather(*(one(trial) for trial in trials)), strict=True))
    await first.bot.delivery.drain()
    await again.bot.delivery.drain()
    return answers


# ---------------------------------------------------------------------------------------------- checks


async def stored_effects(stack: Stack, kind: str) -> Counter:
    query = KINDS[kind].effects
    async with stack.database.engine.connect() as connection:
        rows = (await connection.execute(text(query) if isinstance(query, str) else query)).all()
    return Counter({key: n for key, n in rows})


async def effect_problems(stack: Stack, trials: list[Trial]) -> dict[str, object]:
    """Trials whose effect is missing or doubled, and effects no trial asked for, by kind."""
    found = {}
    for kind in KINDS:
        expected = Counter(expected_marker(kind, t.n) for t in trials if t.kind == kind)
        stored = await stored_effects(stack, kind)
        wrong = {key: stored.get(key, 0) for key in expected if stored.get(key, 0) != 1}
        extra = sorted(set(stored) - set(expected))
        if wrong or extra:
            found[kind] = {"not exactly once": dict(list(wrong.items())[:10]), "unasked": extra[:10]}
    return found


def offers_made(stacks: list[Stack]) -> Counter:
    """How many times each thread reply was offered as a comment, across every instance's posts."""
    posted = {id(call): call for stack in stacks for call in stack.fake.calls_to("chat.postEphemeral")}
    return Counter(
        marker("thread reply", n)
        for call in posted.values()
        for n in [_trial_number(shown_text(call.params))]
        if n is not None and "Add your reply as your comment" in shown_text(call.params)
    )


def _trial_number(shown: str) -> int | None:
    _, found, rest = shown.partition(marker_prefix("thread reply"))
    return int(rest[:4]) if found else None


def wrong_answers(answers: dict[Trial, list[Reply]]) -> list[tuple[Trial, int, Reply]]:
    """Every copy of a request gets the answer the first would have: a receipt, not an error."""
    return [
        (trial, i, reply)
        for trial, replies in answers.items()
        for i, reply in enumerate(replies)
        if not KINDS[trial.kind].answered(reply)
    ]


def offer_problems(stacks: list[Stack], trials: list[Trial]) -> dict[str, int]:
    """Each thread reply offered as a comment exactly once, whichever instance got which copy."""
    offers = offers_made(stacks)
    expected = {marker("thread reply", t.n) for t in trials if t.kind == "thread reply"}
    return {key: offers[key] for key in expected | set(offers) if offers[key] != 1 or key not in expected}


def errors_logged(caplog) -> list[str]:
    return [f"{r.name}: {r.getMessage()[:200]}" for r in caplog.records if r.levelno >= logging.ERROR]


async def assert_each_trial_had_one_effect(stacks: list[Stack], trials, answers, caplog) -> None:
    wrong = wrong_answers(answers)
    problems = {
        "effects": await effect_problems(stacks[0], trials),
        "offers": offer_problems(stacks, trials),
        "wrong answers by kind": Counter(f"{trial.kind} ({trial.pattern})" for trial, _, _ in wrong),
        "wrong answers": [f"{t.kind} #{t.n}, delivery {i}: {r.status} {r.text[:140]}" for t, i, r in wrong[:8]],
        "errors logged": errors_logged(caplog)[:8],
    }
    assert not any(problems.values()), json.dumps(problems, indent=1, default=str)


# ---------------------------------------------------------------------------------------------- set-up


async def committee_ready(stack: Stack) -> None:
    """A committee with an open window (id 1, announced first) and a resolution (R1) to re-date."""
    await set_up_committee(stack)
    assert await open_window(stack) == 1
    await record_resolution(stack, "Officers to review school transport.", due="1 June 2041")
    await stack.bot.delivery.drain()
    stack.fake.reset()


def composer_for(stack: Stack) -> Composer:
    return Composer(stack.slack.url, SIGNING_SECRET, team_id=TEAM, fake=stack.fake)


@pytest.fixture
async def stack(database):
    running = await start_stack(database, slack_timeout_seconds=PATIENT_SLACK_TIMEOUT_SECONDS)
    yield running
    await running.stop()


@pytest.fixture
async def second_instance(stack, postgres_url):
    other = await start_stack(Database(postgres_url), PATIENT_SLACK_TIMEOUT_SECONDS, fake=stack.fake)
    yield other
    await other.bot.delivery.drain()
    await other.runner.cleanup()
    await other.slack.close()
    await other.database.dispose()


# ---------------------------------------------------------------------------------------------- tests

# 1,000 trials in all: SQLite, having no second-instance share, takes most of the one-instance trials.
ONE_INSTANCE_TRIALS = {"sqlite": 500, "postgresql": 100}
TWO_INSTANCE_TRIALS = 400  # PostgreSQL only


async def test_each_retried_request_has_one_effect(stack, caplog):
    await committee_ready(stack)
    count = ONE_INSTANCE_TRIALS[stack.database.engine.dialect.name]
    trials = await compose_trials(composer_for(stack), count, seed=5)
    caplog.clear()
    answers = await run_all(trials, stack, stack)
    await assert_each_trial_had_one_effect([stack], trials, answers, caplog)


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
async def test_retries_reaching_another_instance_have_one_effect(stack, second_instance, caplog):
    await committee_ready(stack)
    trials = await compose_trials(composer_for(stack), TWO_INSTANCE_TRIALS, seed=55)
    caplog.clear()
    answers = await run_all(trials, stack, second_instance)
    await assert_each_trial_had_one_effect([stack, second_instance], trials, answers, caplog)
