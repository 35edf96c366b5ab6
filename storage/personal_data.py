"""Queries for personal data: what is held about one person in one workspace, erasing it, the retention sweep,
the audit log, and daily housekeeping. Every query about a person is scoped to a workspace."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import String, cast, literal, union_all
from sqlmodel import col, delete, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.database import upsert_insert
from storage.models import (
    FORMER_MEMBER,
    Comment,
    CommentDraft,
    CommentRevision,
    CommentWindow,
    Committee,
    CommitteeClerk,
    Housekeeping,
    Meeting,
    MinutesImport,
    PersonalDataLog,
    Reminder,
    ReminderMute,
    ReminderSnooze,
    Resolution,
    ResolutionChange,
    Workspace,
)

# A member's mute of every direct message is not about one item, so it belongs to no one workspace.
ALL_ITEMS = "*"


def committee_ids_in(workspace_id: str):
    return select(Committee.id).where(Committee.workspace_id == workspace_id)


def window_ids_in(workspace_id: str):
    return select(CommentWindow.id).where(col(CommentWindow.committee_id).in_(committee_ids_in(workspace_id)))


def resolution_ids_in(workspace_id: str):
    return select(Resolution.id).where(col(Resolution.committee_id).in_(committee_ids_in(workspace_id)))


async def workspace_exists(session: AsyncSession, workspace_id: str) -> bool:
    return await session.get(Workspace, workspace_id) is not None


async def comments_by(
    session: AsyncSession, workspace_id: str, user_id: str
) -> list[tuple[Comment, CommentWindow, Committee]]:
    return await _written_by(session, Comment, workspace_id, user_id)


async def drafts_by(
    session: AsyncSession, workspace_id: str, user_id: str
) -> list[tuple[CommentDraft, CommentWindow, Committee]]:
    return await _written_by(session, CommentDraft, workspace_id, user_id)


async def _written_by(session: AsyncSession, model: type[Comment | CommentDraft], workspace_id: str, user_id: str):
    """Comments or drafts of one author on the workspace's reports, with their report and committee, oldest first."""
    statement = (
        select(model, CommentWindow, Committee)
        .join(CommentWindow, col(model.window_id) == col(CommentWindow.id))
        .join(Committee, col(CommentWindow.committee_id) == col(Committee.id))
        .where(Committee.workspace_id == workspace_id, model.author_user_id == user_id)
        .order_by(model.created_at, model.id)
    )
    return [tuple(row) for row in await session.exec(statement)]


async def revisions_of(session: AsyncSession, comment_ids: Iterable[int]) -> list[CommentRevision]:
    statement = (
        select(CommentRevision)
        .where(col(CommentRevision.comment_id).in_(list(comment_ids)))
        .order_by(CommentRevision.comment_id, CommentRevision.number)
    )
    return list(await session.exec(statement))


async def resolutions_of_person(
    session: AsyncSession, workspace_id: str, user_id: str
) -> list[tuple[Resolution, Committee]]:
    """Resolutions they own or recorded."""
    statement = (
        select(Resolution, Committee)
        .join(Committee, col(Resolution.committee_id) == col(Committee.id))
        .where(
            Committee.workspace_id == workspace_id,
            or_(Resolution.owner_user_id == user_id, Resolution.created_by == user_id),
        )
        .order_by(Resolution.id)
    )
    return [tuple(row) for row in await session.exec(statement)]


async def resolution_changes_about(
    session: AsyncSession, workspace_id: str, user_id: str
) -> list[tuple[ResolutionChange, Resolution, Committee]]:
    """History entries they made, or whose before or after names them (as the owner)."""
    quoted = f'%"{user_id}"%'
    statement = (
        select(ResolutionChange, Resolution, Committee)
        .join(Resolution, col(ResolutionChange.resolution_id) == col(Resolution.id))
        .join(Committee, col(Resolution.committee_id) == col(Committee.id))
        .where(
            Committee.workspace_id == workspace_id,
            or_(
                ResolutionChange.actor_user_id == user_id,
                col(ResolutionChange.before).like(quoted),
                col(ResolutionChange.after).like(quoted),
            ),
        )
        .order_by(ResolutionChange.at, ResolutionChange.id)
    )
    return [tuple(row) for row in await session.exec(statement)]


async def committees_clerked(session: AsyncSession, workspace_id: str, user_id: str) -> list[Committee]:
    statement = (
        select(Committee)
        .join(CommitteeClerk, col(CommitteeClerk.committee_id) == col(Committee.id))
        .where(Committee.workspace_id == workspace_id, CommitteeClerk.user_id == user_id)
        .order_by(Committee.name)
    )
    return list(await session.exec(statement))


async def committees_chaired_or_set_up(session: AsyncSession, workspace_id: str, user_id: str) -> list[Committee]:
    statement = (
        select(Committee)
        .where(
            Committee.workspace_id == workspace_id,
            or_(Committee.chair_user_id == user_id, Committee.created_by == user_id),
        )
        .order_by(Committee.name)
    )
    return list(await session.exec(statement))


async def windows_of_person(
    session: AsyncSession, workspace_id: str, user_id: str
) -> list[tuple[CommentWindow, Committee]]:
    """Reports whose comments they receive, or which they opened for comment."""
    statement = (
        select(CommentWindow, Committee)
        .join(Committee, col(CommentWindow.committee_id) == col(Committee.id))
        .where(
            Committee.workspace_id == workspace_id,
            or_(CommentWindow.officer_user_id == user_id, CommentWindow.opened_by == user_id),
        )
        .order_by(CommentWindow.opened_at, CommentWindow.id)
    )
    return [tuple(row) for row in await session.exec(statement)]


async def meetings_added_by(session: AsyncSession, workspace_id: str, user_id: str) -> list[tuple[Meeting, Committee]]:
    statement = (
        select(Meeting, Committee)
        .join(Committee, col(Meeting.committee_id) == col(Committee.id))
        .where(Committee.workspace_id == workspace_id, Meeting.created_by == user_id)
        .order_by(Meeting.starts_at)
    )
    return [tuple(row) for row in await session.exec(statement)]


def _mutes_in_workspace(workspace_id: str):
    items = reminder_items_in(workspace_id)
    return or_(ReminderMute.item == ALL_ITEMS, col(ReminderMute.item).in_(items))


def reminder_items_in(workspace_id: str):
    """The reminder items ("window:3", "resolution:12", ...) of the workspace's committees."""
    meetings = select(Meeting.id).where(col(Meeting.committee_id).in_(committee_ids_in(workspace_id)))
    named = [
        ("committee", committee_ids_in(workspace_id)),
        ("window", window_ids_in(workspace_id)),
        ("resolution", resolution_ids_in(workspace_id)),
        ("meeting", meetings),
    ]
    return union_all(*(select(literal(f"{kind}:") + cast(ids.subquery().c[0], String)) for kind, ids in named))


async def mutes_of(session: AsyncSession, workspace_id: str, user_id: str) -> list[ReminderMute]:
    """Their own reminder settings (direct messages they stopped), and snoozes or mutes they set."""
    statement = (
        select(ReminderMute)
        .where(
            _mutes_in_workspace(workspace_id),
            or_(ReminderMute.user_id == user_id, ReminderMute.set_by == user_id),
        )
        .order_by(ReminderMute.set_at, ReminderMute.id)
    )
    return list(await session.exec(statement))


async def snoozes_set_by(session: AsyncSession, workspace_id: str, user_id: str) -> list[ReminderSnooze]:
    """Notices they asked to be posted again a week later."""
    statement = (
        select(ReminderSnooze)
        .where(col(ReminderSnooze.item).in_(reminder_items_in(workspace_id)), ReminderSnooze.set_by == user_id)
        .order_by(ReminderSnooze.set_at, ReminderSnooze.id)
    )
    return list(await session.exec(statement))


async def reminders_to(session: AsyncSession, workspace_id: str, user_id: str) -> list[tuple[Reminder, Committee]]:
    """The reminder ledger's entries addressed to them (direct messages)."""
    statement = (
        select(Reminder, Committee)
        .join(Committee, col(Reminder.committee_id) == col(Committee.id))
        .where(Committee.workspace_id == workspace_id, Reminder.target == user_id)
        .order_by(Reminder.due, Reminder.id)
    )
    return [tuple(row) for row in await session.exec(statement)]


# --- Erasing ------------------------------------------------------------------------------------------------------


async def anonymise_comments(session: AsyncSession, comment_ids: list[int]) -> None:
    """Their text (and section) and author gone from the comments and every revision; the responses themselves
    stay, so a report still counts them."""
    await session.exec(
        update(Comment)
        .where(col(Comment.id).in_(comment_ids))
        .values(author_user_id=FORMER_MEMBER, text="", section=None)
    )
    await session.exec(
        update(CommentRevision)
        .where(col(CommentRevision.comment_id).in_(comment_ids))
        .values(actor_user_id=FORMER_MEMBER, text="", section=None)
    )


async def delete_drafts(session: AsyncSession, draft_ids: list[int]) -> None:
    await session.exec(delete(CommentDraft).where(col(CommentDraft.id).in_(draft_ids)))


async def forget_roles(session: AsyncSession, workspace_id: str, user_id: str) -> None:
    """No longer a clerk or the chair of any committee of the workspace."""
    await session.exec(
        delete(CommitteeClerk).where(
            CommitteeClerk.user_id == user_id, col(CommitteeClerk.committee_id).in_(committee_ids_in(workspace_id))
        )
    )
    await session.exec(
        update(Committee)
        .where(Committee.workspace_id == workspace_id, Committee.chair_user_id == user_id)
        .values(chair_user_id=None)
    )


async def committees_without_clerks(session: AsyncSession, committee_ids: list[int]) -> list[Committee]:
    clerked = select(CommitteeClerk.committee_id)
    statement = select(Committee).where(col(Committee.id).in_(committee_ids), col(Committee.id).not_in(clerked))
    return list(await session.exec(statement.order_by(Committee.name)))


async def replace_with_former_member(session: AsyncSession, workspace_id: str, user_id: str) -> None:
    """Wherever they are recorded as having done something (set up a committee, opened a report, received its
    comments, added a meeting, recorded or changed a resolution, imported minutes, silenced or snoozed a reminder),
    "a former member" did it."""
    committees, windows = committee_ids_in(workspace_id), window_ids_in(workspace_id)
    columns = [
        (Committee, Committee.created_by, col(Committee.id).in_(committees)),
        (CommentWindow, CommentWindow.opened_by, col(CommentWindow.id).in_(windows)),
        (CommentWindow, CommentWindow.officer_user_id, col(CommentWindow.id).in_(windows)),
        (Meeting, Meeting.created_by, col(Meeting.committee_id).in_(committees)),
        (Resolution, Resolution.created_by, col(Resolution.committee_id).in_(committees)),
        (
            ResolutionChange,
            ResolutionChange.actor_user_id,
            col(ResolutionChange.resolution_id).in_(resolution_ids_in(workspace_id)),
        ),
        (ReminderMute, ReminderMute.set_by, _mutes_in_workspace(workspace_id)),
        (ReminderSnooze, ReminderSnooze.set_by, col(ReminderSnooze.item).in_(reminder_items_in(workspace_id))),
        (MinutesImport, MinutesImport.created_by, col(MinutesImport.committee_id).in_(committees)),
    ]
    for model, column, in_workspace in columns:
        await session.exec(update(model).where(column == user_id, in_workspace).values({column.key: FORMER_MEMBER}))


async def delete_own_mutes(session: AsyncSession, workspace_id: str, user_id: str) -> None:
    await session.exec(delete(ReminderMute).where(ReminderMute.user_id == user_id, _mutes_in_workspace(workspace_id)))


async def delete_reminders_to(session: AsyncSession, reminder_ids: list[int]) -> None:
    await session.exec(delete(Reminder).where(col(Reminder.id).in_(reminder_ids)))


# --- Retention ----------------------------------------------------------------------------------------------------


async def windows_closed_before(session: AsyncSession, cutoff: datetime) -> list[int]:
    """Reports whose comment windows closed before `cutoff` and whose comments have not been deleted yet."""
    statement = select(CommentWindow.id).where(
        CommentWindow.deadline < cutoff, col(CommentWindow.comments_deleted_at).is_(None)
    )
    return list(await session.exec(statement))


async def delete_comments_of(session: AsyncSession, window_ids: list[int], now: datetime) -> dict[str, int]:
    """Every comment on the windows, with its revisions, and every draft; how many of each."""
    comments = select(Comment.id).where(col(Comment.window_id).in_(window_ids))
    counted = {}
    for name, statement in (
        ("comment_revisions", delete(CommentRevision).where(col(CommentRevision.comment_id).in_(comments))),
        ("drafts", delete(CommentDraft).where(col(CommentDraft.window_id).in_(window_ids))),
        ("comments", delete(Comment).where(col(Comment.window_id).in_(window_ids))),
    ):
        counted[name] = (await session.exec(statement)).rowcount
    await session.exec(
        update(CommentWindow).where(col(CommentWindow.id).in_(window_ids)).values(comments_deleted_at=now)
    )
    return counted


# --- The audit log and housekeeping -------------------------------------------------------------------------------


async def last_logged(
    session: AsyncSession, action: str, workspace_id: str, member_reference: str
) -> PersonalDataLog | None:
    statement = (
        select(PersonalDataLog)
        .where(
            PersonalDataLog.action == action,
            PersonalDataLog.workspace_id == workspace_id,
            PersonalDataLog.member_reference == member_reference,
        )
        .order_by(col(PersonalDataLog.at).desc())
    )
    return (await session.exec(statement)).first()


async def claim_daily(session: AsyncSession, task: str, now: datetime, every: timedelta) -> bool:
    """True for exactly one caller a day, however many instances ask at once: the one whose UPDATE moved the
    task's last run on (or whose INSERT made its row)."""
    claimed = await session.exec(
        update(Housekeeping)
        .where(Housekeeping.id == task, Housekeeping.last_run_at <= now - every)
        .values(last_run_at=now)
    )
    if claimed.rowcount:
        return True
    if await session.get(Housekeeping, task) is not None:
        return False
    inserted = await session.exec(
        upsert_insert(session)(Housekeeping)
        .values(id=task, last_run_at=now)
        .on_conflict_do_nothing(index_elements=["id"])
    )
    return bool(inserted.rowcount)
