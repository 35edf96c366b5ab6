"""Reminders at scale: many due at once, several instances, a crash part-way, and a flaky Web API.

Each test builds its load straight into the tables (tests/reminder_load.py), ticks independent bot instances
over one database against one fake Slack, and checks the fake's history: every expected reminder posted
exactly once, read from the ledger key each post carries in its metadata.
"""

import asyncio
import logging
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.config import Settings
from handlers.reminders import MOST_ATTEMPTS, ReminderTiming, TickReport
from storage.models import ReminderState
from tests.flows import shown_text
from tests.reminder_load import (
    ZONE,
    Instance,
    Load,
    channel_of,
    clerk_of,
    day_notices_by_state,
    ledger,
    post_calls_by_key,
    posted_keys,
    posting_summary,
    reminder_key,
    seed_actions,
    start_instance,
    wait_until,
)
from tests.support.fake_slack import FakeSlackWebAPI, Fault

TODAY = date(2026, 6, 17)  # a Wednesday in British Summer Time
AFTER_REMINDER_HOUR = datetime(2026, 6, 17, 9, 30, tzinfo=UTC)  # 10:30 in London; the reminder hour is 09:00
FAST = ReminderTiming(pace_seconds=0)


class ScriptedSlack(FakeSlackWebAPI):
    """The fake Web API, counting the calls it is still answering: a post delayed past the client's timeout
    lands after the client gave up, and a later instance must be able to find it, as it would after a real
    claim timeout of minutes."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = 0

    async def _handle_api_call(self, request):
        self.in_flight += 1
        try:
            return await super()._handle_api_call(request)
        finally:
            self.in_flight -= 1

    async def settle(self, timeout: float = 5) -> None:
        async def answered_all() -> bool:
            return self.in_flight == 0

        assert await wait_until(answered_all, timeout, poll=0.01), f"{self.in_flight} Web API calls still pending"


@pytest.fixture
async def fake():
    running = await ScriptedSlack().start()
    yield running
    await running.stop()


def _report(label: str, posted, expected: list[str]) -> None:
    delivered, duplicates = posting_summary(posted, expected)
    print(f"\n[{label}] reminders posted vs expected: {delivered}/{len(expected)}, duplicates: {duplicates}")


async def _tick_together(instances: list[Instance], at: datetime) -> list[TickReport]:
    """Each instance ticks once, all of them at once, with the clock standing at `at`; then they stop."""
    with time_machine.travel(at, tick=False):
        reports = await asyncio.gather(*(instance.tick(FAST) for instance in instances))
    for instance in instances:
        await instance.stop()
    return reports


def _assert_each_posted_once(posted, expected: list[str]) -> None:
    assert not [key for key in expected if posted[key] != 1], "reminders not posted exactly once"
    assert set(posted) <= set(expected), f"unexpected reminders: {sorted(set(posted) - set(expected))[:5]}"


@pytest.mark.parametrize(
    ("database", "load"),
    [("postgresql", Load(committees=100, actions_per_committee=10)), ("sqlite", Load(20, 10))],
    indirect=["database"],
    ids=["postgresql-1000", "sqlite-200"],
)
async def test_two_instances_ticking_together_post_each_reminder_once(database, fake, load):
    expected = await seed_actions(database, load, TODAY)
    # At the bot's own Web API timeout, not the harness's short one: the fake and both instances share this one
    # event loop, late in a suite whose heap has grown, and a single pause of that loop timed out 46 posts that
    # had landed (each still posted once), which measured the test process, not the bot.
    timeout = Settings().slack_timeout_seconds
    instances = [start_instance(name, database.url, fake, timeout) for name in ("instance-a", "instance-b")]
    started = asyncio.get_running_loop().time()
    reports = await _tick_together(instances, AFTER_REMINDER_HOUR)
    elapsed = asyncio.get_running_loop().time() - started

    posted = posted_keys(fake)
    _report(f"two instances, {database.engine.dialect.name}", posted, expected)
    print(f"sent by each instance: {[r.sent for r in reports]} in {elapsed:.1f} s")
    _assert_each_posted_once(posted, expected)
    assert sum(r.sent for r in reports) == len(expected)
    assert await day_notices_by_state(database) == {ReminderState.SENT: len(expected)}


# ---------------------------------------------------------------- a tick that outlasts the claim timeout


async def _another_instance_ticks_meanwhile(database, fake, timing: ReminderTiming, interlude) -> TickReport:
    """One instance ticks; once `interlude(traveller)` is over, a second ticks beside it. The second's report."""
    first, second = start_instance("first", database.url, fake), start_instance("second", database.url, fake)
    with time_machine.travel(AFTER_REMINDER_HOUR, tick=True) as traveller:
        first_tick = asyncio.create_task(first.tick(timing))
        await interlude(traveller)
        meanwhile = await second.tick(timing)
        await first_tick
    await first.stop()
    await second.stop()
    return meanwhile


@pytest.mark.parametrize("database", ["postgresql", "sqlite"], indirect=True)
async def test_a_tick_longer_than_the_claim_timeout_is_not_taken_over_while_it_posts(database, fake):
    """A tick held back by Slack's pace (thousands of posts, or a storm of 429s) must not look abandoned: its
    claims are renewed as it goes, so another instance ticking meanwhile posts nothing of it again."""
    load = Load(committees=5, actions_per_committee=6)
    expected = await seed_actions(database, load, TODAY)
    # Six posts a channel: about 8 s, twice the claim timeout, the other instance ticking at one and a half.
    # Renewal comes every 4/3 s and a late one has 4/3 s more before posting stops: with a 2 s timeout, a pause of
    # this shared test process's loop late in the suite once outlasted the 2/3 s left, and the tick rightly
    # stopped posting.
    slow = ReminderTiming(pace_seconds=1.6, claim_timeout=timedelta(seconds=4))

    async def half_as_long_again_as_the_claim_timeout(_traveller) -> None:
        await asyncio.sleep(6)

    meanwhile = await _another_instance_ticks_meanwhile(database, fake, slow, half_as_long_again_as_the_claim_timeout)

    posted = posted_keys(fake)
    _report(f"a long tick and another instance, {database.engine.dialect.name}", posted, expected)
    assert meanwhile.retried == 0
    _assert_each_posted_once(posted, expected)


@pytest.mark.parametrize("database", ["postgresql", "sqlite"], indirect=True)
async def test_a_tick_stalled_past_the_claim_timeout_leaves_the_rest_to_the_instance_that_took_it_over(database, fake):
    """A process frozen for longer than the claim timeout (a paused VM, a stopped container, a database too
    slow to renew) wakes to find its claims taken over: it must not go on posting them beside the new owner."""
    load = Load(committees=5, actions_per_committee=6)
    expected = await seed_actions(database, load, TODAY)
    timing = ReminderTiming(pace_seconds=0.5, claim_timeout=timedelta(seconds=30))

    async def frozen_between_two_posts(traveller) -> None:
        # Two posts a channel: every claim is in and renewed, and the next renewal is a third of a timeout away.
        assert await wait_until(partial(_posted_at_least, fake, 2 * load.committees), timeout=10, poll=0.005)
        traveller.shift(timing.claim_timeout + timedelta(seconds=1))

    took_over = await _another_instance_ticks_meanwhile(database, fake, timing, frozen_between_two_posts)

    posted = posted_keys(fake)
    _report(f"a stalled tick and the instance that took it over, {database.engine.dialect.name}", posted, expected)
    assert took_over.retried >= len(expected) - 2 * load.committees  # all but what was posted and recorded
    _assert_each_posted_once(posted, expected)
    assert await day_notices_by_state(database) == {ReminderState.SENT: len(expected)}


class StarvedSlack(ScriptedSlack):
    """Slack as a starved machine sees it: after the first post of each tick, the bot's process stalls (on the
    clock) for a claim timeout, far past the point where it stops posting on its claims, so the rest of its
    claims lapse untried, to be taken over by the next tick."""

    def __init__(self) -> None:
        super().__init__()
        self.stall: Callable[[], None] | None = None

    async def _handle_api_call(self, request):
        response = await super()._handle_api_call(request)
        if request.match_info["method"] == "chat.postMessage" and self.stall is not None:
            stall, self.stall = self.stall, None
            stall()
        return response


@pytest.fixture
async def starved():
    running = await StarvedSlack().start()
    yield running
    await running.stop()


@pytest.mark.parametrize("database", ["postgresql", "sqlite"], indirect=True)
async def test_a_reminder_is_never_given_up_because_the_machine_was_too_busy_to_post_it(database, starved):
    """Claims that lapse untried, tick after tick, are no failed tries: each reminder is still posted, once."""
    # One channel, so each tick posts one reminder before the stall; more reminders than MOST_ATTEMPTS, so the
    # last ones are taken over more often than that before their turn comes.
    expected = await seed_actions(database, Load(committees=1, actions_per_committee=MOST_ATTEMPTS + 2), TODAY)
    instance = start_instance("starved", database.url, starved)
    instant = AFTER_REMINDER_HOUR
    for _ in expected:
        with time_machine.travel(instant, tick=True) as traveller:
            starved.stall = partial(traveller.shift, FAST.claim_timeout)
            await instance.tick(FAST)
        await starved.settle()
        instant += FAST.claim_timeout + timedelta(minutes=1)  # the next tick takes the lapsed claims over
    await instance.stop()

    posted = posted_keys(starved)
    _report(f"a starved instance, {database.engine.dialect.name}", posted, expected)
    _assert_each_posted_once(posted, expected)
    assert await day_notices_by_state(database) == {ReminderState.SENT: len(expected)}


# ---------------------------------------------------------------- a crash part-way through a tick


async def _posted_at_least(fake: FakeSlackWebAPI, count: int) -> bool:
    return sum(posted_keys(fake).values()) >= count


async def _crash_part_way(instance, fake: ScriptedSlack, crash_after_posts: int) -> None:
    """A tick cancelled once `crash_after_posts` reminders have landed: claims made, some posted, none
    recorded, as when the process is killed. Posts already on the wire still land, as they would in Slack."""
    # Outcomes are recorded in batches; none is due before the kill, however slowly the machine runs.
    timing = ReminderTiming(pace_seconds=0.02, record_every_seconds=60)
    with time_machine.travel(AFTER_REMINDER_HOUR, tick=False):
        run = asyncio.create_task(instance.tick(timing))
        assert await wait_until(lambda: _posted_at_least(fake, crash_after_posts), timeout=10, poll=0.005)
        run.cancel()
        with suppress(asyncio.CancelledError):
            await run
    await instance.stop()
    await fake.settle()


@pytest.mark.parametrize("fresh_instances", [1, 2], ids=["one-fresh-instance", "two-fresh-instances"])
async def test_a_tick_killed_part_way_is_finished_by_fresh_instances_without_reposting(database, fake, fresh_instances):
    load = Load(committees=20, actions_per_committee=5)
    expected = await seed_actions(database, load, TODAY)
    await _crash_part_way(start_instance("killed", database.url, fake), fake, random.Random(7).randint(20, 80))
    before_crash = posted_keys(fake)
    assert 0 < len(before_crash) < len(expected)

    # With two, as after a rolling restart, each abandoned claim must still be taken over by only one of them,
    # even when both read the abandoned claims before either has recorded taking them over.
    in_step = asyncio.Barrier(fresh_instances)
    fresh = [start_instance(f"fresh-{n}", database.url, fake, in_step=in_step) for n in range(fresh_instances)]
    reports = await _tick_together(fresh, AFTER_REMINDER_HOUR + FAST.claim_timeout + timedelta(seconds=1))

    posted = posted_keys(fake)
    _report(f"restart after a crash, {fresh_instances} fresh, {database.engine.dialect.name}", posted, expected)
    print(f"posted before the crash: {len(before_crash)}; taken over: {[r.retried for r in reports]}")
    _assert_each_posted_once(posted, expected)
    assert all(count == 1 for count in post_calls_by_key(fake).values()), "a post found in history was posted again"
    assert sum(r.retried for r in reports) == len(expected)
    assert sum(r.sent for r in reports) == len(expected) - len(before_crash)
    rows = [row for row in await ledger(database) if row.kind == "action.today"]
    # Each was posted once, before the crash or after it: taking a claim over is not a try.
    assert {(row.state, row.attempts) for row in rows} == {(ReminderState.SENT, 1)}
    # Slack allows about 50 history reads a minute: one per channel, not one per reminder taken over.
    assert len(fake.calls_to("conversations.history")) <= load.committees * fresh_instances


# ---------------------------------------------------------------- a real scheduler process killed with SIGKILL


def _scheduler_process(database_url: str, fake: FakeSlackWebAPI, log: Path) -> subprocess.Popen:
    """`committee-bot scheduler` as it runs in production, on the real clock, ticking every second."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_API_URL": fake.base_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "REMINDER_TICK_SECONDS": "1",
        "REMINDER_CLAIM_TIMEOUT_SECONDS": "6",
        "SLACK_TIMEOUT_SECONDS": "2",
    }
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "scheduler"], env=environment, stdout=output, stderr=subprocess.STDOUT
        )


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)


async def _all_sent(database, count: int) -> bool:
    return await day_notices_by_state(database) == {ReminderState.SENT: count}


def _start(count: int, database_url: str, fake: FakeSlackWebAPI, log: Path) -> list[subprocess.Popen]:
    return [_scheduler_process(database_url, fake, log) for _ in range(count)]


KILLS = 3


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
@pytest.mark.parametrize("at_once", [1, 2], ids=["one-process", "two-processes"])
async def test_scheduler_processes_killed_at_random_points_post_each_reminder_once(database, fake, tmp_path, at_once):
    # Reminder hour 0 makes today's notices due at local midnight: already past, and fresh all day. No clerks:
    # should the test straddle midnight, the actions turn overdue and a clerks' digest would join in.
    load = Load(committees=250, actions_per_committee=4, reminder_hour=0, clerks=False)
    expected = await seed_actions(database, load, datetime.now(ZoneInfo(ZONE)).date())
    log = tmp_path / "scheduler.log"
    # Counts of posts landed at which every running scheduler is SIGKILLed; any may come while one is starting.
    kill_points = sorted(random.Random(at_once).sample(range(1, len(expected) - 100), KILLS))
    started = asyncio.get_running_loop().time()
    processes: list[subprocess.Popen] = []
    try:
        for kill_after in kill_points:
            processes = _start(at_once, database.url, fake, log)
            reached = await wait_until(partial(_posted_at_least, fake, kill_after), timeout=40, poll=0.005)
            _stop(processes)
            assert reached, f"the schedulers never posted {kill_after} reminders:\n{log.read_text()[-3000:]}"
            await fake.settle()
        before_last_start = sum(posted_keys(fake).values())
        assert (await day_notices_by_state(database)).get(ReminderState.SENT, 0) < len(expected), "killed too late"
        processes = _start(at_once, database.url, fake, log)
        finished = await wait_until(lambda: _all_sent(database, len(expected)), timeout=60, poll=0.2)
    finally:
        _stop(processes)
    elapsed = asyncio.get_running_loop().time() - started

    posted = posted_keys(fake)
    _report(f"{at_once} scheduler process(es) SIGKILLed after {kill_points} posts", posted, expected)
    print(f"{before_last_start} posted before the last start; all recorded sent after {elapsed:.1f} s")
    assert finished, f"ledger: {await day_notices_by_state(database)}\n{log.read_text()[-3000:]}"
    _assert_each_posted_once(posted, expected)
    assert all(count == 1 for count in post_calls_by_key(fake).values()), "a post found in history was posted again"


# ---------------------------------------------------------------- a Web API that misbehaves on a share of calls


@dataclass(frozen=True)
class Misbehaviour:
    name: str
    share: float  # of the calls that may fail
    status: int | None = None
    delay: float | None = None

    def fault(self) -> Fault:
        return Fault(status=self.status, delay=self.delay, retry_after=1 if self.status == 429 else None)


class FaultySlack(ScriptedSlack):
    """Misbehaves on a seeded share of the calls about reminders, and answers channel_not_found for deleted
    channels.

    Whether a call fails is drawn from (seed, method, the reminder key or channel, how many such calls came
    before), so the same calls fail on every run whatever order concurrent targets call in. Only the first
    `faulty_calls` calls about one thing can fail, so every reminder can get through well within the ledger's
    MOST_ATTEMPTS: one still missing at the end was lost by the bot, not by the dice.
    """

    def __init__(
        self, seed: int, faults: dict[str, tuple[Misbehaviour, ...]], faulty_calls: int, deleted_channels=()
    ) -> None:
        super().__init__()
        self.seed, self.faults, self.faulty_calls = seed, faults, faulty_calls
        self.deleted_channels = set(deleted_channels)
        self.injected: Counter[str] = Counter()
        self._calls_about: Counter[tuple[str, str]] = Counter()

    def _rate_limit_fault(self, method: str, params: dict) -> Fault | None:
        # The fake asks this hook, with the call's parameters, about every call that `fail` did not script.
        return super()._rate_limit_fault(method, params) or self._drawn_fault(method, params)

    def _drawn_fault(self, method: str, params: dict) -> Fault | None:
        channel = str(params.get("channel"))
        if channel in self.deleted_channels and method in ("chat.postMessage", "conversations.history"):
            return Fault(error="channel_not_found")
        key = ((params.get("metadata") or {}).get("event_payload") or {}).get("key")
        if method == "chat.postMessage" and key is None:
            # A clerks' report of undelivered reminders: the bot sends it once and never retries, so a fault there
            # would only stop the test seeing whether it was sent.
            return None
        subject = (method, key or channel)
        self._calls_about[subject] += 1
        if self._calls_about[subject] > self.faulty_calls:
            return None
        draw = random.Random(f"{self.seed}|{subject}|{self._calls_about[subject]}").random()
        for misbehaviour in self.faults.get(method, ()):
            if draw < misbehaviour.share:
                self.injected[f"{method} {misbehaviour.name}"] += 1
                return misbehaviour.fault()
            draw -= misbehaviour.share
        return None


@pytest.fixture
async def faulty_fake(request):
    running = await FaultySlack(**request.param).start()
    yield running
    await running.stop()


SLACK_TIMEOUT = 0.5  # seconds the instances' clients wait; "late" posts take longer, then land all the same
LATE = 1.0
POST_FAULTS = {
    "chat.postMessage": (
        Misbehaviour("429", 0.02, status=429),  # few: the client waits out Retry-After (1 s) before retrying
        Misbehaviour("500", 0.05, status=500),
        Misbehaviour("503", 0.05, status=503),
        Misbehaviour("late", 0.08, delay=LATE),
    )
}
DELETED = (3, 11)  # committees whose channel was deleted: every post there fails for good


async def _tick_as_the_scheduler_does(instance) -> bool:
    """One tick; whether it finished. Like ReminderScheduler.run_once, a tick that raises is logged and left
    for the next one to make up."""
    try:
        await instance.tick(FAST)
        return True
    except Exception:
        logging.getLogger(__name__).exception("tick by %s failed", instance.name)
        return False


async def _tick_until_settled(
    database, fake: ScriptedSlack, instances, most_rounds: int, start: datetime = AFTER_REMINDER_HOUR
) -> tuple[int, int]:
    """Rounds of ticks, each a claim timeout after the last (so unfinished claims are taken over), until no
    reminder is left claimed; how many rounds it took, and how many ticks raised."""
    instant, raised = start, 0
    for round_number in range(1, most_rounds + 1):
        with time_machine.travel(instant, tick=False):
            finished = await asyncio.gather(*(_tick_as_the_scheduler_does(instance) for instance in instances))
        raised += finished.count(False)
        await fake.settle()
        if ReminderState.CLAIMED not in await day_notices_by_state(database):
            return round_number, raised
        instant += FAST.claim_timeout + timedelta(minutes=1)
    return most_rounds, raised


def _attempted_posts(fake: FakeSlackWebAPI) -> Counter[str]:
    """Posts per reminder key, not counting those answered 429: the client retries those itself, Slack did
    nothing, and the ledger sees one attempt."""
    return Counter(
        call.params["metadata"]["event_payload"]["key"]
        for call in fake.calls_to("chat.postMessage")
        if "metadata" in call.params and call.failure != "http 429"
    )


def _failure_report_to(fake: FakeSlackWebAPI, clerk: str) -> str:
    return "\n".join(
        shown_text(c.params) for c in fake.calls_to("chat.postMessage") if c.params["channel"] == f"D{clerk}"
    )


def _named(key: str) -> str:
    """A reminder's resolution as clerks are told of it: "R7", not the ledger's "resolution:7"."""
    return "R" + key.split("|")[0].removeprefix("resolution:")


def _assert_reported_to_clerks(fake: FakeSlackWebAPI, undeliverable: list[str]) -> None:
    """Each deleted committee's clerk, and no other, hears by direct message which reminders failed and why."""
    for committee in DELETED:
        report = _failure_report_to(fake, clerk_of(committee))
        assert "could not be delivered" in report and "the channel no longer exists" in report
        items = [_named(key) for key in undeliverable if key.endswith(channel_of(committee))]
        assert all(f"{item} " in report for item in items), f"not all of {items} reported to the clerk"
    told = {c.params["channel"] for c in fake.calls_to("chat.postMessage") if c.params["channel"].startswith("DUCLERK")}
    assert told == {f"D{clerk_of(n)}" for n in DELETED}


async def _assert_ledger_outcomes(database, deliverable: list[str], undeliverable: list[str]) -> None:
    rows = {reminder_key(r.item, r.kind, r.occasion, r.target): r for r in await ledger(database)}
    assert {rows[key].state for key in deliverable} == {ReminderState.SENT}
    assert {(rows[key].state, rows[key].error) for key in undeliverable} == {
        (ReminderState.FAILED, "channel_not_found")
    }
    assert max(row.attempts for row in rows.values()) <= MOST_ATTEMPTS


def _assert_attempts_bounded(fake: FakeSlackWebAPI, undeliverable: list[str]) -> None:
    attempted = _attempted_posts(fake)
    assert max(attempted.values()) <= MOST_ATTEMPTS
    assert all(attempted[key] == 1 for key in undeliverable), "a permanent failure was retried"


@pytest.mark.parametrize(
    "faulty_fake",
    [dict(seed=20260617, faults=POST_FAULTS, faulty_calls=2, deleted_channels=[channel_of(n) for n in DELETED])],
    indirect=True,
)
async def test_posts_failing_on_a_share_of_calls_are_delivered_once_or_reported(database, faulty_fake):
    fake = faulty_fake
    expected = await seed_actions(database, Load(committees=20, actions_per_committee=5, owners=20), TODAY)
    undeliverable = [key for key in expected if key.rsplit("|", 1)[1] in fake.deleted_channels]
    deliverable = [key for key in expected if key not in undeliverable]
    # Only PostgreSQL has the row locks that let two instances take over abandoned claims side by side (see
    # the two-fresh-instances restart test); SQLite gets one.
    count = 1 if database.is_sqlite else 2
    instances = [start_instance(f"instance-{n}", database.url, fake, SLACK_TIMEOUT) for n in range(count)]
    rounds, raised = await _tick_until_settled(database, fake, instances, most_rounds=MOST_ATTEMPTS + 1)
    for instance in instances:
        await instance.stop()

    posted = posted_keys(fake)
    _report(f"faults, {database.engine.dialect.name}", posted, deliverable)
    print(f"faults injected: {dict(fake.injected)}; undeliverable: {len(undeliverable)}")
    print(f"rounds of ticks: {rounds}; ticks that raised: {raised}")
    _assert_each_posted_once(posted, deliverable)
    assert raised == 0
    await _assert_ledger_outcomes(database, deliverable, undeliverable)
    _assert_attempts_bounded(fake, undeliverable)
    _assert_reported_to_clerks(fake, undeliverable)


HISTORY_FAULTS = {
    # Every first post fails: half before reaching Slack, half landing after the client gave up.
    "chat.postMessage": (Misbehaviour("503", 0.5, status=503), Misbehaviour("late", 0.5, delay=LATE)),
    "conversations.history": (Misbehaviour("500", 0.2, status=500),),
}


@pytest.mark.parametrize("faulty_fake", [dict(seed=20260618, faults=HISTORY_FAULTS, faulty_calls=1)], indirect=True)
async def test_a_failing_history_check_delays_a_reminder_but_never_loses_it(database, faulty_fake):
    fake = faulty_fake
    load = Load(committees=20, actions_per_committee=5)
    expected = await seed_actions(database, load, TODAY)
    instance = start_instance("instance", database.url, fake, SLACK_TIMEOUT)
    rounds, raised = await _tick_until_settled(database, fake, [instance], most_rounds=MOST_ATTEMPTS + 1)
    await instance.stop()

    posted = posted_keys(fake)
    _report(f"history check failing, {database.engine.dialect.name}", posted, expected)
    print(f"faults injected: {dict(fake.injected)}; rounds of ticks: {rounds}; ticks that raised: {raised}")
    errors = Counter(row.error for row in await ledger(database) if row.state == ReminderState.FAILED)
    print(f"ledger: {dict(await day_notices_by_state(database))}; failed with: {dict(errors)}")
    _assert_each_posted_once(posted, expected)
    assert await day_notices_by_state(database) == {ReminderState.SENT: len(expected)}


@pytest.mark.parametrize("faulty_fake", [dict(seed=0, faults={}, faulty_calls=0)], indirect=True)
async def test_a_channel_deleted_after_a_failed_post_is_reported_to_the_clerks(database, faulty_fake):
    fake = faulty_fake
    expected = await seed_actions(database, Load(committees=1, actions_per_committee=3), TODAY)
    fake.fail("chat.postMessage", status=503, times=len(expected))  # the first attempts fail, outcome unknown
    instance = start_instance("instance", database.url, fake, SLACK_TIMEOUT)
    with time_machine.travel(AFTER_REMINDER_HOUR, tick=False):
        await instance.tick(FAST)
    fake.deleted_channels.add(channel_of(0))  # then the channel goes: the history check answers channel_not_found
    after_timeout = AFTER_REMINDER_HOUR + FAST.claim_timeout + timedelta(minutes=1)
    rounds, _raised = await _tick_until_settled(database, fake, [instance], MOST_ATTEMPTS, start=after_timeout)
    await instance.stop()

    rows = [row for row in await ledger(database) if row.kind == "action.today"]
    print(f"\n[channel deleted after a failed post] rounds: {rounds}; ledger: {[(r.state, r.error) for r in rows]}")
    assert {row.state for row in rows} == {ReminderState.FAILED}
    assert max(row.attempts for row in rows) <= MOST_ATTEMPTS
    report = _failure_report_to(fake, clerk_of(0))
    assert "could not be delivered" in report, "the clerk was never told the reminders failed"
    assert all(f"{_named(key)} " in report for key in expected)
