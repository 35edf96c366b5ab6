"""Recording what became of claimed reminders, in batches.

One transaction per outcome made recording the outcomes of a busy tick take longer than posting them. Outcomes
are written together instead, every `interval` seconds or `batch_size` outcomes, while the posting goes on.
Losing a batch (the process dies before it is written) is safe: its reminders stay claimed, and whoever takes
the claims over finds the posts in the channel's history before posting anything again.
"""

import asyncio
import logging
from contextlib import suppress

from sqlalchemy import bindparam, update
from sqlalchemy.exc import SQLAlchemyError

from handlers.context import Services
from handlers.reminder_plan import DueReminder
from storage.models import Reminder, ReminderState

log = logging.getLogger(__name__)

_ledger = Reminder.__table__
# Bound by the reminder's key; named apart from the columns the statements set.
_BY_KEY = (
    _ledger.c.item == bindparam("key_item"),
    _ledger.c.kind == bindparam("key_kind"),
    _ledger.c.occasion == bindparam("key_occasion"),
    _ledger.c.target == bindparam("key_target"),
)
_SET_OUTCOME = (
    update(_ledger)
    .where(*_BY_KEY)
    .values(
        state=bindparam("outcome_state"),
        completed_at=bindparam("outcome_at"),
        message_ts=bindparam("outcome_ts"),
        error=bindparam("outcome_error"),
        attempts=_ledger.c.attempts + bindparam("outcome_tries"),
    )
)
# A try that failed for now: counted, and the claim left for a later tick, unless someone completed it meanwhile.
_COUNT_TRY = (
    update(_ledger)
    .where(*_BY_KEY, _ledger.c.state == ReminderState.CLAIMED)
    .values(error=bindparam("outcome_error"), attempts=_ledger.c.attempts + 1)
)


class OutcomeBatches:
    """Use as `async with`: leaving normally writes what is left; leaving by an exception (a cancelled tick
    is how the tests kill one) writes nothing more, as a crash would."""

    def __init__(self, services: Services, interval: float, batch_size: int) -> None:
        self._services = services
        self._interval = interval
        self._batch_size = batch_size
        self._pending: list[dict] = []
        self._tries: list[dict] = []
        self._wake = asyncio.Event()
        self._closing = False
        self._writer: asyncio.Task | None = None

    def sent(self, reminder: DueReminder, message_ts: str) -> None:
        self._add(reminder, ReminderState.SENT, message_ts=message_ts, tried=True)

    def failed(self, reminder: DueReminder, reason: str, tried: bool) -> None:
        self._add(reminder, ReminderState.FAILED, error=reason[:200], tried=tried)

    def tried(self, reminder: DueReminder, reason: str) -> None:
        """A post that failed for now: one more try counted against MOST_ATTEMPTS."""
        self._tries.append({**_key(reminder), "outcome_error": reason[:200]})
        self._wake_if_full()

    def _add(
        self, reminder: DueReminder, state: str, tried: bool, message_ts: str | None = None, error: str | None = None
    ) -> None:
        self._pending.append(
            {
                **_key(reminder),
                "outcome_state": state,
                "outcome_at": self._services.clock(),
                "outcome_ts": message_ts,
                "outcome_error": error,
                "outcome_tries": int(tried),
            }
        )
        self._wake_if_full()

    def _wake_if_full(self) -> None:
        if len(self._pending) + len(self._tries) >= self._batch_size:
            self._wake.set()

    async def __aenter__(self) -> "OutcomeBatches":
        self._writer = asyncio.create_task(self._write_periodically())
        return self

    async def __aexit__(self, exc_type, exc, traceback) -> None:
        if exc_type is not None:
            self._writer.cancel()
            with suppress(asyncio.CancelledError):
                await self._writer
            return
        self._closing = True
        self._wake.set()
        await self._writer
        # Raises if the database is still failing: the tick fails, its claims are taken over later.
        await self._write_pending()

    async def _write_periodically(self) -> None:
        while not self._closing:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()
            try:
                await self._write_pending()
            except (SQLAlchemyError, OSError):
                log.exception("could not record %d reminder outcomes; trying again shortly", len(self._pending))

    async def _write_pending(self) -> None:
        """One transaction for all that is pending; on failure the outcomes stay pending for the next try."""
        batch, tries = self._pending[:], self._tries[:]
        if not (batch or tries):
            return
        async with self._services.database.session() as session:
            connection = await session.connection()
            for statement, rows in ((_SET_OUTCOME, batch), (_COUNT_TRY, tries)):
                if rows:
                    await connection.execute(statement, rows)
            await session.commit()
        del self._pending[: len(batch)]
        del self._tries[: len(tries)]


def _key(reminder: DueReminder) -> dict:
    return {
        "key_item": reminder.item,
        "key_kind": reminder.kind,
        "key_occasion": reminder.occasion,
        "key_target": reminder.target,
    }
