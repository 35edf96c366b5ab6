"""Metrics for Prometheus, served on /metrics.

One process (`serve` with WEB_CONCURRENCY=1, or `scheduler`) keeps them in memory. Under gunicorn, with several
workers on one port, a scrape reaches one worker at random, so `serve` then gives prometheus-client a folder
(PROMETHEUS_MULTIPROC_DIR) where each worker writes its own, and /metrics adds them up. That folder must be set
before prometheus-client is first imported, which is why only the server and the scheduler import this module.
"""

import os
import weakref

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from handlers.reminders import TickReport
from storage.database import Database

MULTIPROCESS_FOLDER = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter(
    "committee_bot_requests", "Requests answered, by kind (command, button, form...) and outcome", ["kind", "outcome"]
)
# Slack gives up on an answer after 3 seconds.
ACK_SECONDS = Histogram(
    "committee_bot_ack_seconds",
    "Seconds from a request's arrival to its answer (the ack), by kind",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
)
REMINDERS = Counter(
    "committee_bot_reminders",
    "Reminders by what became of them: sent, failed (recorded and reported to the clerks), dropped (out of date "
    "when due), retried (taken over from an instance that went quiet)",
    ["outcome"],
)
LEDGER_LAG = Gauge(
    "committee_bot_ledger_lag_seconds",
    "How long past its planned time the oldest reminder still claimed but not yet sent, failed or dropped is "
    "(0 when none is); measured after each tick",
    multiprocess_mode="livemax",
)
TICK_FINISHED = Gauge(
    "committee_bot_reminder_tick_finished_timestamp_seconds",
    "When this instance's reminder tick last finished (Unix time)",
    multiprocess_mode="livemax",
)
CONNECTIONS_IN_USE = Gauge(
    "committee_bot_database_connections_in_use",
    "Database connections checked out of the pool",
    multiprocess_mode="livesum",
)


def count_request(kind: str, outcome: str, seconds: float) -> None:
    REQUESTS.labels(kind, outcome).inc()
    ACK_SECONDS.labels(kind).observe(seconds)


def count_tick(report: TickReport) -> None:
    for outcome in ("sent", "failed", "dropped", "retried"):
        REMINDERS.labels(outcome).inc(getattr(report, outcome))


_watched: "weakref.WeakSet[Database]" = weakref.WeakSet()


def watch_connections(database: Database) -> None:
    """Once per database, however many servers share it (instances side by side in the tests)."""
    if database not in _watched:
        database.watch_pool(checked_out=CONNECTIONS_IN_USE.inc, checked_in=CONNECTIONS_IN_USE.dec)
        _watched.add(database)


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format: this process's, or every worker's added up."""
    if os.environ.get(MULTIPROCESS_FOLDER):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def forget_worker(pid: int) -> None:
    """A worker that died no longer counts in the live gauges (gunicorn's child_exit)."""
    if os.environ.get(MULTIPROCESS_FOLDER):
        multiprocess.mark_process_dead(pid)
