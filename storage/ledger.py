"""The reminder ledger: one row per reminder, unique by (item, kind, occasion, target), so that each goes out once.

A reminder is claimed by inserting its row (the unique key lets exactly one instance succeed); a claim left by an
instance that went quiet is taken over; a tick renews its own claims while it works through them; and outcomes
are written back in batches.
"""

import asyncio
import logging
from collections.abc import Callable, Container, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, func, update
from sqlmodel import col, select

from storage.database import Database, Session, StorageError, upsert_insert
from storage.models import CommentWindow, Committee, Meeting, Reminder, ReminderState, Resolution

log = logging.getLogger(__name__)

# The items reminders are about, by the word that names them in an item ("window:3"), besides "committee:4".
ITEM_TABLES = {"window": CommentWindow, "resolution": Resolution, "meeting": Meeting}
TAKEN_OVER_AT_ONCE = 500
MOST_ERROR_LENGTH = 200


class LedgerKey(NamedTuple):
    item: str  # "window:12", "resolution:7", "meeting:3", "committee:4"
    kind: str
    occasion: str
    target: str


@dataclass(frozen=True)
class LedgerEntry:
    """A reminder as the ledger records it."""

    committee_id: int
    key: LedgerKey
    due: datetime


_ledger = Reminder.__table__
_KEY_COLUMNS = (_ledger.c.item, _ledger.c.kind, _ledger.c.occasion, _ledger.c.target)


async def _recorded(session: Session, items: Iterable[str]) -> set[LedgerKey]:
    """The key of every ledger row about these items."""
    statement = select(*_KEY_COLUMNS).where(col(Reminder.item).in_(list(items)))
    return {LedgerKey(*row) for row in await session.exec(statement)}


async def insert_unrecorded(
    session: Session, entries: list[LedgerEntry], instance: str, now: datetime, state: str
) -> set[LedgerKey]:
    """Records the entries no instance has recorded yet, in `state` (claimed by `instance`, or an outcome such as
    dropped); the keys of those this call recorded."""
    known = await _recorded(session, {entry.key.item for entry in entries})
    rows = [_row(entry, instance, now, state) for entry in entries if entry.key not in known]
    if not rows:
        return set()
    statement = (
        upsert_insert(session)(_ledger)
        .on_conflict_do_nothing(index_elements=["item", "kind", "occasion", "target"])
        .returning(*_KEY_COLUMNS)
    )
    # Compiled once for all the rows (compiling a statement holding every row took seconds), then sent in
    # pages of multi-row VALUES, each within PostgreSQL's limit of 32,767 parameters.
    connection = await session.connection()
    return {LedgerKey(*row) for row in await connection.execute(statement, rows)}


def _row(entry: LedgerEntry, instance: str, now: datetime, state: str) -> dict:
    return {
        "committee_id": entry.committee_id,
        **entry.key._asdict(),
        "due": entry.due,
        "state": state,
        "claimed_by": instance,
        "claimed_at": now,
        "attempts": 0,
        "completed_at": now if state != ReminderState.CLAIMED else None,
    }


async def take_over_abandoned(
    session: Session, planned: Container[LedgerKey], instance: str, now: datetime, claimed_before: datetime
) -> list[tuple[LedgerKey, int]]:
    """Claims made before `claimed_before` and never completed: those still planned become this instance's, the
    others are recorded as dropped. Returns the keys taken over, each with how many posts of it were tried.

    PostgreSQL hands each batch to one instance (row locks, SKIP LOCKED); the conditional update makes each
    take-over single on SQLite too, which has no row locks."""
    abandoned = (
        select(Reminder)
        .where(Reminder.state == ReminderState.CLAIMED, Reminder.claimed_at < claimed_before)
        .limit(TAKEN_OVER_AT_ONCE)
        .with_for_update(skip_locked=True)
    )
    taken = []
    for row in await session.exec(abandoned):
        key = LedgerKey(row.item, row.kind, row.occasion, row.target)
        if key in planned:
            changes = dict(claimed_by=instance, claimed_at=now)
        else:
            changes = dict(state=ReminderState.DROPPED, completed_at=now)
        still_abandoned = (
            (Reminder.id == row.id)
            & (Reminder.state == ReminderState.CLAIMED)
            & (Reminder.claimed_at == row.claimed_at)
        )
        result = await session.exec(update(Reminder).where(still_abandoned).values(**changes))
        if result.rowcount == 1 and key in planned:
            taken.append((key, row.attempts))
    return taken


async def oldest_claim_due(session: Session) -> datetime | None:
    """When the oldest reminder still claimed (not yet sent, failed or dropped) was planned to go out."""
    return (await session.exec(select(func.min(Reminder.due)).where(Reminder.state == ReminderState.CLAIMED))).one()


async def renew_claims(session: Session, instance: str, since: datetime, renewed_at: datetime) -> set[LedgerKey]:
    """Renews the claims `instance` made or took over since `since` that have no outcome yet; their keys."""
    still_mine = (
        (Reminder.claimed_by == instance) & (Reminder.state == ReminderState.CLAIMED) & (Reminder.claimed_at >= since)
    )
    renewal = update(Reminder).where(still_mine).values(claimed_at=renewed_at).returning(*_KEY_COLUMNS)
    return {LedgerKey(*row) for row in await session.exec(renewal)}


async def dropped_channel_reminders_since(
    session: Session, committee_ids: Iterable[int], since: datetime
) -> list[Reminder]:
    """Reminders to committees' own places (not direct messages) recorded as dropped since `since`."""
    statement = (
        select(Reminder)
        .join(Committee, col(Reminder.committee_id) == col(Committee.id))
        .where(
            col(Reminder.committee_id).in_(list(committee_ids)),
            Reminder.state == ReminderState.DROPPED,
            Reminder.completed_at >= since,
            Reminder.target == Committee.channel_id,
        )
        .order_by(Reminder.due)
    )
    return list(await session.exec(statement))


async def sent_of_kind(session: Session, items: Iterable[str], kind: str) -> dict[str, list[tuple[str, datetime]]]:
    """For each of these items, the occasions of the reminders of `kind` that went out, with when they did."""
    statement = select(Reminder.item, Reminder.occasion, Reminder.completed_at).where(
        col(Reminder.item).in_(list(items)), Reminder.kind == kind, Reminder.state == ReminderState.SENT
    )
    sent: dict[str, list[tuple[str, datetime]]] = {}
    for item, occasion, completed_at in await session.exec(statement):
        sent.setdefault(item, []).append((occasion, completed_at))
    return sent


async def items_named(session: Session, items: Iterable[str]) -> dict[str, CommentWindow | Resolution | Meeting]:
    """The rows of reminder items ("window:3", "resolution:7", "meeting:2") that still exist, by item."""
    ids: dict[str, set[int]] = {kind: set() for kind in ITEM_TABLES}
    for item in items:
        kind, _, number = item.partition(":")
        if kind in ids and number.isdigit():
            ids[kind].add(int(number))
    found: dict[str, CommentWindow | Resolution | Meeting] = {}
    for kind, model in ITEM_TABLES.items():
        if ids[kind]:
            for row in await session.exec(select(model).where(col(model.id).in_(ids[kind]))):
                found[f"{kind}:{row.id}"] = row
    return found


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
        message_ref=bindparam("outcome_ref"),
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
    """What became of claimed reminders, written in batches.

    One transaction per outcome made recording the outcomes of a busy tick take longer than posting them.
    Outcomes are written together instead, every `interval` seconds or `batch_size` outcomes, while the posting
    goes on. Losing a batch (the process dies before it is written) is safe: its reminders stay claimed, and
    whoever takes the claims over finds the posts in the target's history before posting anything again.

    Use as `async with`: leaving normally writes what is left; leaving by an exception (a cancelled tick
    is how the tests kill one) writes nothing more, as a crash would."""

    def __init__(self, database: Database, clock: Callable[[], datetime], interval: float, batch_size: int) -> None:
        self._database = database
        self._clock = clock
        self._interval = interval
        self._batch_size = batch_size
        self._pending: list[dict] = []
        self._tries: list[dict] = []
        self._wake = asyncio.Event()
        self._closing = False
        self._writer: asyncio.Task | None = None

    def sent(self, key: LedgerKey, message_ref: str) -> None:
        self._add(key, ReminderState.SENT, message_ref=message_ref, tried=True)

    def failed(self, key: LedgerKey, reason: str, tried: bool) -> None:
        self._add(key, ReminderState.FAILED, error=reason[:MOST_ERROR_LENGTH], tried=tried)

    def tried(self, key: LedgerKey, reason: str) -> None:
        """A post that failed for now: one more try counted."""
        self._tries.append({**_bound(key), "outcome_error": reason[:MOST_ERROR_LENGTH]})
        self._wake_if_full()

    def _add(
        self, key: LedgerKey, state: str, tried: bool, message_ref: str | None = None, error: str | None = None
    ) -> None:
        self._pending.append(
            {
                **_bound(key),
                "outcome_state": state,
                "outcome_at": self._clock(),
                "outcome_ref": message_ref,
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
            except (StorageError, OSError):
                log.exception("could not record %d reminder outcomes; trying again shortly", len(self._pending))

    async def _write_pending(self) -> None:
        """One transaction for all that is pending; on failure the outcomes stay pending for the next try."""
        batch, tries = self._pending[:], self._tries[:]
        if not (batch or tries):
            return
        async with self._database.session() as session:
            connection = await session.connection()
            for statement, rows in ((_SET_OUTCOME, batch), (_COUNT_TRY, tries)):
                if rows:
                    await connection.execute(statement, rows)
            await session.commit()
        del self._pending[: len(batch)]
        del self._tries[: len(tries)]


def _bound(key: LedgerKey) -> dict:
    return {"key_item": key.item, "key_kind": key.kind, "key_occasion": key.occasion, "key_target": key.target}
