"""Queries the use cases share. Every lookup is scoped to a workspace so that two installs never meet."""

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, text
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, delete, func, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from storage.models import (
    Comment,
    CommentDraft,
    CommentKind,
    CommentRevision,
    CommentWindow,
    Committee,
    CommitteeClerk,
    ConsoleTime,
    Meeting,
    MeetingStatus,
    MinutesImport,
    Reminder,
    ReminderMute,
    ReminderSnooze,
    ReminderState,
    Resolution,
    ResolutionChange,
    ResolutionKind,
    ResolutionStatus,
    Workspace,
)

MEETING_RULES = ("next meeting", "future meeting")

# Statements on the paths that answer Slack are built once, with named parameters: building a statement costs
# SQLAlchemy more CPU than running it (about 220 µs against 450 µs, measured on committee_in_channel).


def upsert_insert(session: AsyncSession):
    """INSERT with ON CONFLICT, in the dialect of the session's database."""
    return postgres_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


async def ensure_workspace(session: AsyncSession, workspace_id: str) -> None:
    if await session.get(Workspace, workspace_id) is None:
        # Two first requests from a new workspace can arrive together.
        insert = (
            upsert_insert(session)(Workspace)
            .values(Workspace(id=workspace_id).model_dump())
            .on_conflict_do_nothing(index_elements=["id"])
        )
        await session.exec(insert)


_COMMITTEE_IN_CHANNEL = select(Committee).where(
    Committee.workspace_id == bindparam("workspace_id"), Committee.channel_id == bindparam("channel_id")
)


async def committee_in_channel(session: AsyncSession, workspace_id: str, channel_id: str) -> Committee | None:
    found = await session.exec(_COMMITTEE_IN_CHANNEL, params={"workspace_id": workspace_id, "channel_id": channel_id})
    return found.first()


async def committees_in_workspace(session: AsyncSession, workspace_id: str) -> list[Committee]:
    statement = select(Committee).where(Committee.workspace_id == workspace_id).order_by(Committee.name)
    return list(await session.exec(statement))


_CLERK_IDS = select(CommitteeClerk.user_id).where(CommitteeClerk.committee_id == bindparam("committee_id"))


async def clerk_ids(session: AsyncSession, committee_id: int) -> list[str]:
    return sorted(await session.exec(_CLERK_IDS, params={"committee_id": committee_id}))


_COMMITTEE_IDS_CLERKED_BY = (
    select(CommitteeClerk.committee_id)
    .join(Committee, col(CommitteeClerk.committee_id) == col(Committee.id))
    .where(Committee.workspace_id == bindparam("workspace_id"), CommitteeClerk.user_id == bindparam("user_id"))
)


async def committee_ids_clerked_by(session: AsyncSession, workspace_id: str, user_id: str) -> set[int]:
    params = {"workspace_id": workspace_id, "user_id": user_id}
    return set(await session.exec(_COMMITTEE_IDS_CLERKED_BY, params=params))


async def replace_clerks(session: AsyncSession, committee_id: int, user_ids: Iterable[str]) -> None:
    # One statement, which a concurrent set-up of the same committee cannot make delete a row twice.
    await session.exec(delete(CommitteeClerk).where(col(CommitteeClerk.committee_id) == committee_id))
    session.add_all(CommitteeClerk(committee_id=committee_id, user_id=user_id) for user_id in set(user_ids))


async def windows_of_committees(
    session: AsyncSession, committee_ids: Iterable[int]
) -> list[tuple[CommentWindow, Committee]]:
    """Comment windows with their committee, soonest deadline first."""
    statement = (
        select(CommentWindow, Committee)
        .join(Committee, col(CommentWindow.committee_id) == col(Committee.id))
        .where(col(CommentWindow.committee_id).in_(list(committee_ids)))
        .order_by(CommentWindow.deadline, CommentWindow.id)
    )
    return list(await session.exec(statement))


_WINDOW_WITH_COMMITTEE = (
    select(CommentWindow, Committee)
    .join(Committee, col(CommentWindow.committee_id) == col(Committee.id))
    .where(CommentWindow.id == bindparam("window_id"), Committee.workspace_id == bindparam("workspace_id"))
)


async def window_with_committee(
    session: AsyncSession, workspace_id: str, window_id: int
) -> tuple[CommentWindow, Committee] | None:
    params = {"window_id": window_id, "workspace_id": workspace_id}
    return (await session.exec(_WINDOW_WITH_COMMITTEE, params=params)).first()


async def window_announced_at(
    session: AsyncSession, workspace_id: str, channel_id: str, message_ts: str
) -> CommentWindow | None:
    statement = (
        select(CommentWindow)
        .join(Committee, col(CommentWindow.committee_id) == col(Committee.id))
        .where(
            Committee.workspace_id == workspace_id,
            Committee.channel_id == channel_id,
            CommentWindow.announcement_ts == message_ts,
        )
    )
    return (await session.exec(statement)).first()


async def window_by_request(session: AsyncSession, request_key: str) -> CommentWindow | None:
    return (await session.exec(select(CommentWindow).where(CommentWindow.request_key == request_key))).first()


async def refs_in_committee(session: AsyncSession, committee_id: int) -> set[str]:
    return set(await session.exec(select(CommentWindow.ref).where(CommentWindow.committee_id == committee_id)))


_REVISION_BY_REQUEST = select(CommentRevision).where(CommentRevision.request_key == bindparam("request_key"))


async def revision_by_request(session: AsyncSession, request_key: str) -> CommentRevision | None:
    return (await session.exec(_REVISION_BY_REQUEST, params={"request_key": request_key})).first()


async def live_comments(
    session: AsyncSession, window_ids: Iterable[int], author_user_id: str | None = None
) -> list[Comment]:
    """Comments not withdrawn, oldest first, optionally of one author."""
    statement = (
        select(Comment)
        .where(col(Comment.window_id).in_(list(window_ids)), col(Comment.withdrawn_at).is_(None))
        .order_by(Comment.created_at, Comment.id)
    )
    if author_user_id is not None:
        statement = statement.where(Comment.author_user_id == author_user_id)
    return list(await session.exec(statement))


_LOCK_AUTHOR = text("SELECT pg_advisory_xact_lock(hashtext(:author))")
# A write that changes nothing: it takes SQLite's one write lock, held until the transaction ends.
_TAKE_SQLITE_WRITE_LOCK = text("UPDATE comment SET id = id WHERE 0 = 1")


async def lock_author(session: AsyncSession, workspace_id: str, user_id: str) -> None:
    """Until the transaction ends, one member's changes to their comments wait for each other, so that what
    each change reads (a "no comments" already said, the latest revision) is what the one before it left."""
    if session.bind.dialect.name == "postgresql":
        await session.exec(_LOCK_AUTHOR, params={"author": f"comment-author:{workspace_id}:{user_id}"})
    else:
        await session.exec(_TAKE_SQLITE_WRITE_LOCK)


_WITHDRAW_NO_COMMENTS = (
    update(Comment)
    .where(
        Comment.window_id == bindparam("of_window"),
        Comment.author_user_id == bindparam("by_author"),
        Comment.kind == CommentKind.NO_COMMENTS,
        col(Comment.withdrawn_at).is_(None),
    )
    .values(withdrawn_at=bindparam("at"))
)


async def withdraw_no_comments(session: AsyncSession, window_id: int, author_user_id: str, at: datetime) -> None:
    """Withdraws the author's "no comments" on the window, if they said so."""
    params = {"of_window": window_id, "by_author": author_user_id, "at": at}
    await session.exec(_WITHDRAW_NO_COMMENTS, params=params)


async def draft_by_source(session: AsyncSession, source_key: str) -> CommentDraft | None:
    return (await session.exec(select(CommentDraft).where(CommentDraft.source_key == source_key))).first()


async def meeting_by_request(session: AsyncSession, request_key: str) -> Meeting | None:
    return (await session.exec(select(Meeting).where(Meeting.request_key == request_key))).first()


async def scheduled_meetings(
    session: AsyncSession, committee_id: int, *, after: datetime, limit: int | None = None
) -> list[Meeting]:
    statement = (
        select(Meeting)
        .where(
            Meeting.committee_id == committee_id, Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at > after
        )
        .order_by(Meeting.starts_at)
        .limit(limit)
    )
    return list(await session.exec(statement))


async def open_meeting_dues(session: AsyncSession, committee_id: int) -> list[Resolution]:
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


async def resolution_by_request(session: AsyncSession, request_key: str) -> Resolution | None:
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


@cache
def _action_statements(given: frozenset[str]) -> tuple[Select, SelectOfScalar[int]]:
    """The page and count statements for the filters `given` (ActionFilters' names), built once like the other
    hot statements."""
    conditions = [Committee.workspace_id == bindparam("workspace_id"), *_OUTSTANDING]
    if "committee_ids" in given:
        conditions.append(col(Resolution.committee_id).in_(bindparam("committee_ids", expanding=True)))
    if "owner_user_id" in given:
        conditions.append(Resolution.owner_user_id == bindparam("owner_user_id"))
    if "due_before" in given:
        conditions.append(col(Resolution.due_at) < bindparam("due_before"))
    if "due_after" in given:
        conditions.append(col(Resolution.due_at) > bindparam("due_after"))
    page = (
        select(Resolution, Committee)
        .join(Committee, col(Resolution.committee_id) == col(Committee.id))
        .where(*conditions)
        .order_by(col(Resolution.due_at).is_(None), Resolution.due_at, Resolution.id)
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


async def open_resolutions(
    session: AsyncSession, filters: ActionFilters, *, offset: int, limit: int
) -> tuple[list[tuple[Resolution, Committee]], int]:
    """One page of open resolutions with their committees, soonest due first (so overdue first), undated last;
    and how many in all.

    Filtering, ordering and paging all happen in the database, on ix_resolution_committee_status_due or, for
    one person's, ix_resolution_owner_status_due.
    """
    given = {name: value for name, value in asdict(filters).items() if value is not None}
    page, total = _action_statements(frozenset(given))
    rows = [tuple(row) for row in await session.exec(page, params={**given, "offset": offset, "limit": limit})]
    if len(rows) < limit and (rows or offset == 0):
        return rows, offset + len(rows)  # the last page: no need to count
    return rows, (await session.exec(total, params=given)).one()


async def committees_with_passed_meeting_dues(session: AsyncSession, now: datetime) -> list[Committee]:
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
    return list(await session.exec(select(Committee).where(col(Committee.id).in_(passed))))


async def open_resolutions_on_window(session: AsyncSession, window_id: int) -> list[Resolution]:
    statement = select(Resolution).where(
        Resolution.comment_window_id == window_id, Resolution.status == ResolutionStatus.OPEN
    )
    return list(await session.exec(statement))


async def resolution_with_committee(
    session: AsyncSession, workspace_id: str, resolution_id: int
) -> tuple[Resolution, Committee] | None:
    statement = (
        select(Resolution, Committee)
        .join(Committee, col(Resolution.committee_id) == col(Committee.id))
        .where(Resolution.id == resolution_id, Committee.workspace_id == workspace_id)
    )
    return (await session.exec(statement)).first()


async def resolution_change_by_request(session: AsyncSession, request_key: str) -> ResolutionChange | None:
    statement = select(ResolutionChange).where(ResolutionChange.request_key == request_key)
    return (await session.exec(statement)).first()


async def resolution_changes(session: AsyncSession, resolution_ids: Iterable[int]) -> list[ResolutionChange]:
    statement = (
        select(ResolutionChange)
        .where(col(ResolutionChange.resolution_id).in_(list(resolution_ids)))
        .order_by(ResolutionChange.resolution_id, ResolutionChange.at, ResolutionChange.id)
    )
    return list(await session.exec(statement))


async def meeting_on(session: AsyncSession, committee_id: int, day: date, zone: str) -> Meeting | None:
    """The committee's meeting held on that local day, if the calendar has one."""
    start = datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    statement = (
        select(Meeting)
        .where(
            Meeting.committee_id == committee_id,
            Meeting.starts_at >= start,
            Meeting.starts_at < start + timedelta(days=1),
        )
        .order_by(Meeting.starts_at)
    )
    return (await session.exec(statement)).first()


async def resolutions_of_committee(session: AsyncSession, committee_id: int) -> list[Resolution]:
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


async def committees_by_id(session: AsyncSession, committee_ids: Iterable[int]) -> dict[int, Committee]:
    statement = select(Committee).where(col(Committee.id).in_(list(committee_ids)))
    return {committee.id: committee for committee in await session.exec(statement)}


async def windows_closing_between(session: AsyncSession, start: datetime, end: datetime) -> list[CommentWindow]:
    statement = select(CommentWindow).where(CommentWindow.deadline >= start, CommentWindow.deadline <= end)
    return list(await session.exec(statement))


async def open_resolutions_due_before(session: AsyncSession, end: datetime) -> list[Resolution]:
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


async def meetings_between(session: AsyncSession, start: datetime, end: datetime) -> list[Meeting]:
    statement = select(Meeting).where(
        Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at >= start, Meeting.starts_at <= end
    )
    return list(await session.exec(statement))


async def clerks_by_committee(session: AsyncSession, committee_ids: Iterable[int]) -> dict[int, list[str]]:
    statement = select(CommitteeClerk).where(col(CommitteeClerk.committee_id).in_(list(committee_ids)))
    clerks: dict[int, list[str]] = {}
    for clerk in await session.exec(statement):
        clerks.setdefault(clerk.committee_id, []).append(clerk.user_id)
    return clerks


async def ledger_keys(session: AsyncSession, items: Iterable[str]) -> list[tuple[str, str, str, str]]:
    """The (item, kind, occasion, target) of every ledger row about these items."""
    statement = select(Reminder.item, Reminder.kind, Reminder.occasion, Reminder.target).where(
        col(Reminder.item).in_(list(items))
    )
    return [tuple(row) for row in await session.exec(statement)]


async def mutes(session: AsyncSession) -> list[ReminderMute]:
    return list(await session.exec(select(ReminderMute)))


async def snoozes_since(session: AsyncSession, since: datetime) -> list[ReminderSnooze]:
    """Snoozes whose repeat may still be due."""
    return list(await session.exec(select(ReminderSnooze).where(ReminderSnooze.until >= since)))


async def latest_slips_since(
    session: AsyncSession, since: datetime
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


async def items_named(session: AsyncSession, items: Iterable[str]) -> dict[str, CommentWindow | Resolution | Meeting]:
    """The rows of reminder items ("window:3", "resolution:7", "meeting:2") that still exist, by item."""
    ids: dict[str, set[int]] = {"window": set(), "resolution": set(), "meeting": set()}
    for item in items:
        kind, _, number = item.partition(":")
        if kind in ids and number.isdigit():
            ids[kind].add(int(number))
    found: dict[str, CommentWindow | Resolution | Meeting] = {}
    for kind, model in (("window", CommentWindow), ("resolution", Resolution), ("meeting", Meeting)):
        if ids[kind]:
            for row in await session.exec(select(model).where(col(model.id).in_(ids[kind]))):
                found[f"{kind}:{row.id}"] = row
    return found


async def dropped_reminders_since(
    session: AsyncSession, committee_ids: Iterable[int], since: datetime
) -> list[Reminder]:
    statement = (
        select(Reminder)
        .where(
            col(Reminder.committee_id).in_(list(committee_ids)),
            Reminder.state == ReminderState.DROPPED,
            Reminder.completed_at >= since,
            Reminder.target.startswith("C"),
        )
        .order_by(Reminder.due)
    )
    return list(await session.exec(statement))


_WINDOWS_IN_WORKSPACE = (
    select(CommentWindow, Committee, col(CommitteeClerk.user_id).is_not(None))
    .join(Committee, col(CommentWindow.committee_id) == col(Committee.id))
    .outerjoin(
        CommitteeClerk,
        (col(CommitteeClerk.committee_id) == col(Committee.id)) & (CommitteeClerk.user_id == bindparam("user_id")),
    )
    .where(Committee.workspace_id == bindparam("workspace_id"), CommentWindow.deadline > bindparam("closing_after"))
    .order_by(CommentWindow.deadline, CommentWindow.id)
)


async def windows_in_workspace(
    session: AsyncSession, workspace_id: str, closing_after: datetime, user_id: str
) -> list[tuple[CommentWindow, Committee, bool]]:
    """Windows whose deadline is after `closing_after` (the open ones, given now), soonest first, each with its
    committee and whether `user_id` clerks it."""
    params = {"workspace_id": workspace_id, "closing_after": closing_after, "user_id": user_id}
    return [tuple(row) for row in await session.exec(_WINDOWS_IN_WORKSPACE, params=params)]


async def console_time(session: AsyncSession) -> datetime | None:
    kept = await session.get(ConsoleTime, 1)
    return kept.reached if kept else None


async def keep_console_time(session: AsyncSession, reached: datetime) -> None:
    kept = await session.get(ConsoleTime, 1) or ConsoleTime(id=1, reached=reached)
    kept.reached = max(kept.reached, reached)
    session.add(kept)
    await session.commit()


async def minutes_import(session: AsyncSession, import_id: int, committee_id: int) -> MinutesImport | None:
    """Minutes being checked, if they belong to this committee."""
    found = await session.get(MinutesImport, import_id)
    return found if found is not None and found.committee_id == committee_id else None


async def forget_minutes_imports_before(session: AsyncSession, cutoff: datetime) -> None:
    await session.exec(delete(MinutesImport).where(col(MinutesImport.created_at) < cutoff))
