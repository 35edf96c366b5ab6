"""The reminder tick: one short APScheduler job, about a minute apart, coalesced, never two at once. Each tick also
offers to delete comments past their retention period, which one instance does once a day.

The job store is APScheduler's in-memory one, private to this process: the database ledger, not the
scheduler, is what stops several running copies from posting the same reminder.
"""

import logging
import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from handlers.context import Services
from handlers.reminders import ReminderSender, ReminderTiming, tick
from handlers.retention import delete_expired_comments

log = logging.getLogger(__name__)


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class ReminderScheduler:
    def __init__(self, services: Services, sender: ReminderSender, settings: Settings) -> None:
        self.services = services
        self.sender = sender
        self.instance = instance_name()
        self.tick_seconds = settings.reminder_tick_seconds
        self.retention_years = settings.comment_retention_years
        self.timing = ReminderTiming(claim_timeout=timedelta(seconds=settings.reminder_claim_timeout_seconds))
        self._scheduler = AsyncIOScheduler(
            timezone=UTC,
            # A late tick still runs (misfire grace), missed ticks merge into one (coalesce), and a slow tick
            # is never overlapped by the next (max_instances).
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": settings.reminder_tick_seconds},
        )

    async def run_once(self) -> None:
        try:
            await tick(self.services, self.sender, self.instance, self.timing)
        except Exception:
            log.exception("reminder tick failed; the next tick will pick up what this one missed")
        try:
            await delete_expired_comments(self.services, self.retention_years)
        except Exception:
            log.exception("deleting comments past their retention period failed; a later tick will try again")

    def start(self) -> None:
        trigger = IntervalTrigger(seconds=self.tick_seconds, timezone=UTC)
        self._scheduler.add_job(
            self.run_once, trigger, id="reminders", replace_existing=True, next_run_time=datetime.now(UTC)
        )
        self._scheduler.start()
        log.debug("reminder scheduler %s started, ticking every %s s", self.instance, self.tick_seconds)

    def shutdown(self) -> None:
        self._scheduler.shutdown(wait=False)
