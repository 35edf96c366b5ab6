"""Compiling a committee's resolutions register, with every change, for the clerk to file."""

from handlers.committees import committee_here, require_clerk
from handlers.context import Actor, Services
from handlers.deadlines import describe_date, describe_instant, long_date
from handlers.due_meetings import SYSTEM_ACTOR
from handlers.register_export import (
    BOT_NAME,
    NOT_RECORDED,
    Register,
    RegisterChange,
    RegisterEntry,
    describe_change,
)
from handlers.resolutions import ActionItem, HistoryEntry, entry_of_change, item_of
from storage.committees import CommitteeView
from storage.models import FORMER_MEMBER
from storage.register import resolution_changes, resolutions_of_committee


async def compile_register(services: Services, actor: Actor) -> tuple[CommitteeView, Register]:
    async with services.database.session() as session:
        committee = await committee_here(session, actor)
        await require_clerk(session, committee, actor, "export the resolutions register")
        rows = await resolutions_of_committee(session, committee.id)
        changes = await resolution_changes(session, [r.id for r in rows])
    items = [item_of(row, committee) for row in rows]
    history = [entry_of_change(change) for change in changes]
    names = await people_named(services, actor, items, history)
    now = services.clock()
    entries = tuple(_entry(item, [h for h in history if h.resolution_id == item.id], names, now) for item in items)
    return committee, Register(
        f"Resolutions register: {committee.name}", describe_instant(now, committee.timezone), entries
    )


async def people_named(
    services: Services, actor: Actor, items: list[ActionItem], history: list[HistoryEntry]
) -> dict[str, str]:
    """Display names of everyone the register mentions: owners, and whoever changed something."""
    ids = {item.owner_user_id for item in items if item.owner_user_id}
    ids |= {entry.actor_user_id for entry in history if entry.actor_user_id != SYSTEM_ACTOR}
    for entry in history:
        ids |= {
            snapshot["owner_user_id"]
            for snapshot in (entry.before, entry.after)
            if snapshot and snapshot.get("owner_user_id")
        }
    names = await services.directory.display_names(actor.workspace_id, ids - {FORMER_MEMBER})
    return names | {SYSTEM_ACTOR: BOT_NAME}


def _entry(item: ActionItem, history: list[HistoryEntry], names: dict[str, str], now) -> RegisterEntry:
    owner = names.get(item.owner_user_id, item.owner_user_id) if item.owner_user_id else item.owner_title
    return RegisterEntry(
        reference=f"R{item.id}",
        committee_name=item.committee_name,
        text=item.text,
        kind=item.kind_label,
        status=item.register_status(now),
        owner=owner or "Not assigned",
        due=item.due_text,
        overdue=item.is_overdue(now),
        slipped_count=item.slipped_count,
        recorded_on=describe_date(item.created_at, item.timezone),
        meeting_date=long_date(item.meeting_date) if item.meeting_date else NOT_RECORDED,
        closing_note=item.closing_note,
        history=tuple(change_of(entry, names, item.timezone) for entry in history),
    )


def change_of(entry: HistoryEntry, names: dict[str, str], zone: str) -> RegisterChange:
    before, after = describe_change(entry.before, entry.after, names, zone)
    return RegisterChange(
        at=describe_instant(entry.at, zone),
        who=names.get(entry.actor_user_id, entry.actor_user_id),
        action=entry.action,
        before=before,
        after=after,
        note=entry.note,
    )
