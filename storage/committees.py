"""Workspaces, committees and their clerks. Every lookup is scoped to a workspace so that two installs never meet.

Committees leave storage as CommitteeView values, never as rows: the use cases read them, and change them only
through the functions here.
"""

from collections.abc import Iterable
from dataclasses import dataclass, fields

from sqlalchemy import bindparam, exists
from sqlmodel import col, delete, select

from storage.database import Readable, Session, upsert_insert
from storage.direct import rows
from storage.models import DEFAULT_PLATFORM, Committee, CommitteeClerk, Workspace

# Statements on the paths that answer a person at once are built once, with named parameters (building a statement
# costs SQLAlchemy about 220 µs, measured on committee_in_channel), and run as plain rows (storage/direct.py).


@dataclass(frozen=True, slots=True)
class CommitteeView:
    """A committee: its place (a channel of a workspace), its name and zone, and how its reminders go out."""

    id: int
    workspace_id: str
    channel_id: str
    name: str
    timezone: str
    chair_user_id: str | None
    agenda_lead_days: int
    reminder_hour: int
    skip_weekends: bool
    bank_holidays: str
    escalate_to_chair: bool
    calendar_token: str | None
    created_by: str


# A committee's columns in CommitteeView's order: a row of them is a CommitteeView's arguments.
COMMITTEE_VIEW_COLUMNS = tuple(getattr(Committee, field.name) for field in fields(CommitteeView))


def view_of(row: Committee) -> CommitteeView:
    return CommitteeView(
        row.id,
        row.workspace_id,
        row.channel_id,
        row.name,
        row.timezone,
        row.chair_user_id,
        row.agenda_lead_days,
        row.reminder_hour,
        row.skip_weekends,
        row.bank_holidays,
        row.escalate_to_chair,
        row.calendar_token,
        row.created_by,
    )


async def ensure_workspace(session: Session, workspace_id: str, platform: str = DEFAULT_PLATFORM) -> None:
    """The workspace, recorded on its platform the first time anything happens in it."""
    if await session.get(Workspace, workspace_id) is None:
        # Two first requests from a new workspace can arrive together.
        insert = (
            upsert_insert(session)(Workspace)
            .values(Workspace(id=workspace_id, platform=platform).model_dump())
            .on_conflict_do_nothing(index_elements=["id"])
        )
        await session.exec(insert)


_COMMITTEE_IN_CHANNEL = select(*COMMITTEE_VIEW_COLUMNS).where(
    Committee.workspace_id == bindparam("workspace_id"), Committee.channel_id == bindparam("channel_id")
)


async def committee_in_channel(session: Session, workspace_id: str, channel_id: str) -> CommitteeView | None:
    found = await rows(session, _COMMITTEE_IN_CHANNEL, {"workspace_id": workspace_id, "channel_id": channel_id})
    return CommitteeView(*found[0]) if found else None


# Whether the person `user_id` clerks the committee of the row.
CLERKED_BY_USER = exists().where(
    CommitteeClerk.committee_id == Committee.id, CommitteeClerk.user_id == bindparam("user_id")
)
_COMMITTEE_IN_CHANNEL_FOR = _COMMITTEE_IN_CHANNEL.add_columns(CLERKED_BY_USER)


async def committee_in_channel_for(
    session: Readable, workspace_id: str, channel_id: str, user_id: str
) -> tuple[CommitteeView, bool] | None:
    """The channel's committee, and whether `user_id` clerks it: one round trip where a request needs both."""
    params = {"workspace_id": workspace_id, "channel_id": channel_id, "user_id": user_id}
    found = await rows(session, _COMMITTEE_IN_CHANNEL_FOR, params)
    return (CommitteeView(*found[0][:-1]), found[0][-1]) if found else None


_COMMITTEES_IN_WORKSPACE = (
    select(*COMMITTEE_VIEW_COLUMNS).where(Committee.workspace_id == bindparam("workspace_id")).order_by(Committee.name)
)


async def committees_in_workspace(session: Readable, workspace_id: str) -> list[CommitteeView]:
    found = await rows(session, _COMMITTEES_IN_WORKSPACE, {"workspace_id": workspace_id})
    return [CommitteeView(*row) for row in found]


async def committees_by_id(session: Session, committee_ids: Iterable[int]) -> dict[int, CommitteeView]:
    statement = select(Committee).where(col(Committee.id).in_(list(committee_ids)))
    return {row.id: view_of(row) for row in await session.exec(statement)}


async def create_committee(
    session: Session, workspace_id: str, channel_id: str, created_by: str, name: str, timezone: str, chair: str | None
) -> CommitteeView:
    """Adds the channel's committee; raises Conflict (on flushing) if another set-up of the channel came first."""
    row = Committee(
        workspace_id=workspace_id,
        channel_id=channel_id,
        created_by=created_by,
        name=name,
        timezone=timezone,
        chair_user_id=chair,
    )
    session.add(row)
    await session.flush()
    return view_of(row)


async def update_committee(
    session: Session, committee_id: int, name: str, timezone: str, chair: str | None
) -> CommitteeView:
    row = await session.get(Committee, committee_id)  # loaded already in this session: no round trip
    row.name, row.timezone, row.chair_user_id = name, timezone, chair
    session.add(row)
    return view_of(row)


_CLERK_IDS = select(CommitteeClerk.user_id).where(CommitteeClerk.committee_id == bindparam("committee_id"))


async def clerk_ids(session: Session, committee_id: int) -> list[str]:
    return sorted(user_id for (user_id,) in await rows(session, _CLERK_IDS, {"committee_id": committee_id}))


_COMMITTEE_IDS_CLERKED_BY = (
    select(CommitteeClerk.committee_id)
    .join(Committee, col(CommitteeClerk.committee_id) == col(Committee.id))
    .where(Committee.workspace_id == bindparam("workspace_id"), CommitteeClerk.user_id == bindparam("user_id"))
)


async def committee_ids_clerked_by(session: Readable, workspace_id: str, user_id: str) -> set[int]:
    params = {"workspace_id": workspace_id, "user_id": user_id}
    return {committee_id for (committee_id,) in await rows(session, _COMMITTEE_IDS_CLERKED_BY, params)}


async def clerks_by_committee(session: Session, committee_ids: Iterable[int]) -> dict[int, list[str]]:
    statement = select(CommitteeClerk).where(col(CommitteeClerk.committee_id).in_(list(committee_ids)))
    clerks: dict[int, list[str]] = {}
    for clerk in await session.exec(statement):
        clerks.setdefault(clerk.committee_id, []).append(clerk.user_id)
    return clerks


async def replace_clerks(session: Session, committee_id: int, user_ids: Iterable[str]) -> None:
    # One statement, which a concurrent set-up of the same committee cannot make delete a row twice.
    await session.exec(delete(CommitteeClerk).where(col(CommitteeClerk.committee_id) == committee_id))
    session.add_all(CommitteeClerk(committee_id=committee_id, user_id=user_id) for user_id in set(user_ids))
