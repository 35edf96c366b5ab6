"""The resolutions register: resolutions, their history, and which of them are still owed."""

from collections import namedtuple
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam
from sqlmodel import and_, col, func, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from storage.committees import CLERKED_BY_USER, COMMITTEE_VIEW_COLUMNS, CommitteeView, view_of
from storage.database import Readable, Session
from storage.direct import rows
from storage.models import Committee, Meeting, Resolution, ResolutionChange, ResolutionKind, ResolutionStatus

MEETING_RULES = ("next meeting", "future meeting")


async def open_meeting_dues(session: Session, committee_id: int) -> list[Resolution]:
    """Open resolutions of a committee that fall due at a meeting rather than on a date, locked until the
    transaction ends on PostgreSQL: two instances re-planning at once would otherwise both record a slip."""
    statement = (
        select(Resolution)
        .where(
            Resolution.committee_id == committee_id,
            Resolution.status == ResolutionStatus.OPEN,
            col(Resolution.due_rule).in_(MEETING_RULES),
        )
        .order_by(Resolution.id)
        .with_for_update()
    )
    return list(await session.exec(statement, execution_options={"populate_existing": True}))


async def resolution_by_request(session: Session, request_key: str) -> Resolution | None:
    return (await session.exec(select(Resolution).where(Resolution.request_key == request_key))).first()


@dataclass(frozen=True)
class ActionFilters:
    workspace_id: str
    now: datetime = field(kw_only=True)  # a comment deadline that has passed is owed no longer
    committee_ids: list[int] | None = None  # None: every committee of the workspace
    owner_user_id: str | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None


# What is still owed: open, not a decision that was only noted, and not a comment deadline that has passed (its
# window has closed; the comments went to the officer). Needs the `now` parameter.
_OUTSTANDING = (
    Resolution.status == ResolutionStatus.OPEN,
    Resolution.kind != ResolutionKind.NOTED,
    or_(
        Resolution.kind != ResolutionKind.COMMENT_DEADLINE,
        col(Resolution.due_at).is_(None),
        col(Resolution.due_at) > bindparam("now"),
    ),
)


_RESOLUTION_COLUMNS = tuple(Resolution.__table__.columns)
# A resolution as the register lists it: its columns, read-only, without an ORM object's cost.
ResolutionRow = namedtuple("ResolutionRow", [column.key for column in _RESOLUTION_COLUMNS])
# Where a listed row's resolution ends and its committee's columns do.
_RESOLUTIONS_END = len(_RESOLUTION_COLUMNS)
_COMMITTEES_END = _RESOLUTIONS_END + len(COMMITTEE_VIEW_COLUMNS)


def _wanted(given: frozenset[str]) -> list:
    """What a listed resolution must be, for the filters `given` (ActionFilters' names)."""
    conditions = [*_OUTSTANDING]
    if "committee_ids" in given:
        conditions.append(col(Resolution.committee_id).in_(bindparam("committee_ids", expanding=True)))
    if "owner_user_id" in given:
        conditions.append(Resolution.owner_user_id == bindparam("owner_user_id"))
    if "due_before" in given:
        conditions.append(col(Resolution.due_at) < bindparam("due_before"))
    if "due_after" in given:
        conditions.append(col(Resolution.due_at) > bindparam("due_after"))
    return conditions


_SOONEST_DUE_FIRST = (col(Resolution.due_at).is_(None), Resolution.due_at, Resolution.id)


@cache
def _action_statements(given: frozenset[str]) -> tuple[Select, SelectOfScalar[int]]:
    """The page and count statements for the filters `given`, built once like the other hot statements. Each row
    of the page carries the count of all that match, so that a page costs one round trip; the count alone is for
    a page past the end."""
    conditions = [Committee.workspace_id == bindparam("workspace_id"), *_wanted(given)]
    page = (
        select(*_RESOLUTION_COLUMNS, *COMMITTEE_VIEW_COLUMNS, func.count().over())
        .join(Committee, col(Resolution.committee_id) == col(Committee.id))
        .where(*conditions)
        .order_by(*_SOONEST_DUE_FIRST)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    total = (
        select(func.count())
        .select_from(Resolution)
        .join(Committee, col(Resolution.committee_id) == col(Committee.id))
        .where(*conditions)
    )
    return page, total


@cache
def _channel_statement(given: frozenset[str]) -> Select:
    """A channel's page, read from its committee with the resolutions joined to it: a committee with none to list
    is still one row (nulls but for the committee), so that the committee comes back whatever the page holds.
    Each row says too whether the person `user_id` clerks the committee."""
    listed = and_(col(Resolution.committee_id) == col(Committee.id), *_wanted(given))
    return (
        select(*_RESOLUTION_COLUMNS, *COMMITTEE_VIEW_COLUMNS, CLERKED_BY_USER, func.count(col(Resolution.id)).over())
        .select_from(Committee)
        .outerjoin(Resolution, listed)
        .where(Committee.workspace_id == bindparam("workspace_id"), Committee.channel_id == bindparam("channel_id"))
        .order_by(*_SOONEST_DUE_FIRST)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )


def _given(filters: ActionFilters) -> dict:
    given = {field.name: getattr(filters, field.name) for field in fields(filters)}
    return {name: value for name, value in given.items() if value is not None}


async def open_resolutions(
    session: Readable, filters: ActionFilters, *, offset: int, limit: int
) -> tuple[list[tuple[ResolutionRow, CommitteeView]], int]:
    """One page of open resolutions with their committees, soonest due first (so overdue first), undated last;
    and how many in all.

    Filtering, ordering and paging all happen in the database, on ix_resolution_committee_status_due or, for
    one person's, ix_resolution_owner_status_due.
    """
    given = _given(filters)
    page, total = _action_statements(frozenset(given))
    found = await rows(session, page, {**given, "offset": offset, "limit": limit})
    if found:
        return [_split(row) for row in found], found[0][-1]
    return [], 0 if offset == 0 else (await rows(session, total, given))[0][0]


@dataclass(frozen=True)
class ChannelPage:
    rows: list[ResolutionRow]  # all of `committee`
    total: int
    committee: CommitteeView
    clerked_by_asker: bool


async def open_resolutions_in_channel(
    session: Readable, filters: ActionFilters, channel_id: str, asker_id: str, *, offset: int, limit: int
) -> ChannelPage | None:
    """A page of the open resolutions of the committee of `channel_id`, with that committee and whether `asker_id`
    clerks it, in one round trip; None if there is no committee there, or the page is past the end."""
    given = _given(filters)
    params = {**given, "channel_id": channel_id, "user_id": asker_id, "offset": offset, "limit": limit}
    found = await rows(session, _channel_statement(frozenset(given)), params)
    if not found:
        return None
    first = found[0]
    listed = [ResolutionRow(*row[:_RESOLUTIONS_END]) for row in found if row[0] is not None]
    committee = CommitteeView(*first[_RESOLUTIONS_END:_COMMITTEES_END])
    return ChannelPage(listed, first[-1], committee, first[-2])


def _split(row) -> tuple[ResolutionRow, CommitteeView]:
    return ResolutionRow(*row[:_RESOLUTIONS_END]), CommitteeView(*row[_RESOLUTIONS_END:_COMMITTEES_END])


async def committees_with_passed_meeting_dues(session: Session, now: datetime) -> list[CommitteeView]:
    """Committees with an open resolution still attached to a meeting that has started: those must be re-planned
    (a meeting passing is the one change no clerk's action announces)."""
    passed = (
        select(Resolution.committee_id)
        .where(
            Resolution.status == ResolutionStatus.OPEN,
            col(Resolution.due_rule).in_(MEETING_RULES),
            col(Resolution.due_meeting_id).is_not(None),
            col(Resolution.due_at) <= now,
        )
        .distinct()
    )
    return [view_of(row) for row in await session.exec(select(Committee).where(col(Committee.id).in_(passed)))]


async def open_resolutions_on_window(session: Session, window_id: int) -> list[Resolution]:
    statement = select(Resolution).where(
        Resolution.comment_window_id == window_id, Resolution.status == ResolutionStatus.OPEN
    )
    return list(await session.exec(statement))


async def resolution_with_committee(
    session: Session, workspace_id: str, resolution_id: int
) -> tuple[Resolution, CommitteeView] | None:
    statement = (
        select(Resolution, Committee)
        .join(Committee, col(Resolution.committee_id) == col(Committee.id))
        .where(Resolution.id == resolution_id, Committee.workspace_id == workspace_id)
    )
    found = (await session.exec(statement)).first()
    return (found[0], view_of(found[1])) if found is not None else None


async def resolution_change_by_request(session: Session, request_key: str) -> ResolutionChange | None:
    statement = select(ResolutionChange).where(ResolutionChange.request_key == request_key)
    return (await session.exec(statement)).first()


async def resolution_changes(session: Session, resolution_ids: Iterable[int]) -> list[ResolutionChange]:
    statement = (
        select(ResolutionChange)
        .where(col(ResolutionChange.resolution_id).in_(list(resolution_ids)))
        .order_by(ResolutionChange.resolution_id, ResolutionChange.at, ResolutionChange.id)
    )
    return list(await session.exec(statement))


async def resolutions_of_committee(session: Session, committee_id: int) -> list[Resolution]:
    """Every resolution, open first and soonest due first, then the closed ones."""
    statement = (
        select(Resolution)
        .where(Resolution.committee_id == committee_id)
        .order_by(
            Resolution.status != ResolutionStatus.OPEN,
            col(Resolution.due_at).is_(None),
            Resolution.due_at,
            Resolution.id,
        )
    )
    return list(await session.exec(statement))


async def open_resolutions_due_before(session: Session, end: datetime) -> list[Resolution]:
    """Open resolutions that fall due before `end`, overdue ones included, soonest first; not those only noted."""
    statement = (
        select(Resolution)
        .where(
            Resolution.status == ResolutionStatus.OPEN,
            Resolution.kind != ResolutionKind.NOTED,
            col(Resolution.due_at).is_not(None),
            Resolution.due_at <= end,
        )
        .order_by(Resolution.due_at)
    )
    return list(await session.exec(statement))


async def latest_slips_since(
    session: Session, since: datetime
) -> list[tuple[Resolution, ResolutionChange, Meeting | None]]:
    """Open reports that slipped to a later meeting since `since`: each with its latest slip, and the meeting it
    is due at now (None when none is scheduled)."""
    statement = (
        select(Resolution, ResolutionChange, Meeting)
        .join(ResolutionChange, col(ResolutionChange.resolution_id) == col(Resolution.id))
        .outerjoin(Meeting, col(Meeting.id) == col(Resolution.due_meeting_id))
        .where(
            ResolutionChange.action == "slipped",
            ResolutionChange.at >= since,
            Resolution.status == ResolutionStatus.OPEN,
        )
        .order_by(ResolutionChange.at, ResolutionChange.id)
    )
    latest = {
        resolution.id: (resolution, change, meeting) for resolution, change, meeting in await session.exec(statement)
    }
    return list(latest.values())
