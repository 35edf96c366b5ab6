"""The reminder tick: one short APScheduler job, about a minute apart, coalesced, never two at once. Each tick also
offers to delete comments past their retention period, which one instance does once a day.

The job store is APScheduler's in-memory one, private to this process: the database ledger, not the
scheduler, is what stops several running copies from posting the same reminder.
"""

import asyncio
import logging
import os
import socket
import time
import uuid
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot import metrics
from bot.config import Settings
from handlers import log_context
from handlers.context import Services
from handlers.installs import delete_uninstalled_workspaces
from handlers.reminders import ReminderSender, ReminderTiming, ledger_lag, tick
from handlers.retention import delete_expired_comments

log = logging.getLogger(__name__)
# As long as `serve` gives requests under way when it stops (aiohttp's shutdown timeout, gunicorn's graceful one).
STOP_WAIT_SECONDS = 10


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Heartbeat:
    """Whether the tick is alive, for /readyz: the last tick finished less than three intervals ago, or the one
    running began less than a claim timeout (at least three intervals) ago; a tick posting a long queue of reminders
    renews its claims, and may take that long."""

    def __init__(self, tick_seconds: float, claim_timeout_seconds: float) -> None:
        self._idle_limit = 3 * tick_seconds
        self._running_limit = max(claim_timeout_seconds, self._idle_limit)
        self._last_finished = time.monotonic()  # starting counts: the first tick runs at once
        self._running_since: float | None = None

    def started(self) -> None:
        self._running_since = time.monotonic()

    def finished(self) -> None:
        self._last_finished, self._running_since = time.monotonic(), None

    def is_recent(self) -> bool:
        now = time.monotonic()
        if self._running_since is not None:
            return now - self._running_since < self._running_limit
        return now - self._last_finished < self._idle_limit


class ReminderScheduler:
    def __init__(self, services: Services, sender: ReminderSender, settings: Settings) -> None:
        self.services = services
        self.sender = sender
        self.instance = instance_name()
        self.tick_seconds = settings.reminder_tick_seconds
        self.retention_years = settings.comment_retention_years
        self.uninstalled_retention_days = settings.uninstalled_retention_days
        self.timing = ReminderTiming(claim_timeout=timedelta(seconds=settings.reminder_claim_timeout_seconds))
        self.heartbeat = Heartbeat(settings.reminder_tick_seconds, settings.reminder_claim_timeout_seconds)
        self._scheduler = AsyncIOScheduler(
            timezone=UTC,
            # A late tick still runs (misfire grace), missed ticks merge into one (coalesce), and a slow tick
            # is never overlapped by the next (max_instances).
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": settings.reminder_tick_seconds},
        )
        self._ticking: asyncio.Task | None = None

    async def run_once(self) -> None:
        self._ticking = asyncio.current_task()
        log_context.begin("reminder tick")
        self.heartbeat.started()
        try:
            await self._tick()
        finally:
            self.heartbeat.finished()
            metrics.TICK_FINISHED.set_to_current_time()

    async def _tick(self) -> None:
        try:
            metrics.count_tick(await tick(self.services, self.sender, self.instance, self.timing))
        except Exception:
            log_context.note_outcome(log_context.FAILED)
            log.exception("reminder tick failed; the next tick will pick up what this one missed")
        try:
            await delete_expired_comments(self.services, self.retention_years)
        except Exception:
            log_context.note_outcome(log_context.FAILED)
            log.exception("deleting comments past their retention period failed; a later tick will try again")
        try:
            await delete_uninstalled_workspaces(self.services, self.uninstalled_retention_days)
        except Exception:
            log_context.note_outcome(log_context.FAILED)
            log.exception("deleting the data of workspaces uninstalled long ago failed; a later tick will try again")
        try:
            metrics.LEDGER_LAG.set((await ledger_lag(self.services)).total_seconds())
        except Exception:
            log.exception("could not measure the reminder ledger's lag; the next tick will try again")

    def start(self) -> None:
        trigger = IntervalTrigger(seconds=self.tick_seconds, timezone=UTC)
        self._scheduler.add_job(
            self.run_once, trigger, id="reminders", replace_existing=True, next_run_time=datetime.now(UTC)
        )
        self._scheduler.start()
        log.debug("reminder scheduler %s started, ticking every %s s", self.instance, self.tick_seconds)

    async def stop(self) -> None:
        """No tick starts after this, and one under way is let finish, for up to STOP_WAIT_SECONDS, rather than
        cancelled as the server stops: cancelled while opening an SQLite connection, aiosqlite can leave its close
        waiting for a thread that has already stopped, and the process with it (seen about once in 50 stops)."""
        self._scheduler.shutdown(wait=False)
        if self._ticking is not None and not self._ticking.done():
            await asyncio.wait({self._ticking}, timeout=STOP_WAIT_SECONDS)
