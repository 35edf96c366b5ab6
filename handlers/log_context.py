"""What each log line says about the request or tick it was written for: an id, the kind of request, the workspace,
the committee and the outcome.

Each is noted where it becomes known (the server starts a request, the front end reads its workspace, a use case
finds the committee, the failure handler decides the outcome) and read by the log formatter and the metrics, so no
log call has to pass them. Tasks started during a request copy its context, so their lines carry its id too.
"""

import uuid
from contextvars import ContextVar
from dataclasses import dataclass

# Outcomes, few and fixed: each is a label value of the request metrics.
OK = "ok"
REFUSED = "refused"  # a polite refusal: bad input, not allowed, not found
FAILED = "failed"  # our fault or the database's: the person was told to try again
UNSIGNED = "unsigned"  # not signed by the platform: answered 401
MALFORMED = "malformed"  # signed, but of a shape the platform never sends
NOT_FOUND = "not found"


@dataclass
class LogContext:
    request_id: str
    kind: str
    workspace: str | None = None
    committee: int | None = None
    outcome: str | None = None  # until something says otherwise; a request that ends well is OK


_current: ContextVar[LogContext | None] = ContextVar("log_context", default=None)


def begin(kind: str) -> LogContext:
    """A new request (or tick), with an id of its own, for the rest of this task and the tasks it starts."""
    context = LogContext(request_id=uuid.uuid4().hex[:16], kind=kind)
    _current.set(context)
    return context


def current() -> LogContext | None:
    return _current.get()


def note_kind(kind: str) -> None:
    if context := _current.get():
        context.kind = kind


def note_workspace(workspace_id: str | None) -> None:
    if (context := _current.get()) and workspace_id:
        context.workspace = workspace_id


def note_committee(committee_id: int | None) -> None:
    if (context := _current.get()) and committee_id is not None:
        context.committee = committee_id


def note_outcome(outcome: str) -> None:
    if context := _current.get():
        context.outcome = outcome
