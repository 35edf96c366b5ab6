"""Queries the use cases share. Every lookup is scoped to a workspace so that two installs never meet."""

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    Comment,
    CommentDraft,
    CommentRevision,
    CommentWindow,
    Committee,
    CommitteeClerk,
    Workspace,
)


async def ensure_workspace(session: AsyncSession, workspace_id: str) -> None:
    if await session.get(Workspace, workspace_id) is None:
        session.add(Workspace(id=workspace_id))
        await session.flush()


async def committee_in_channel(session: AsyncSession, workspace_id: str, channel_id: str) -> Committee | None:
    statement = select(Committee).where(Committee.workspace_id == workspace_id, Committee.channel_id == channel_id)
    return (await session.exec(statement)).first()


async def committees_in_workspace(session: AsyncSession, workspace_id: str) -> list[Committee]:
    statement = select(Committee).where(Committee.workspace_id == workspace_id).order_by(Committee.name)
    return list(await session.exec(statement))


async def clerk_ids(session: AsyncSession, committee_id: int) -> list[str]:
    statement = select(CommitteeClerk.user_id).where(CommitteeClerk.committee_id == committee_id)
    return sorted(await session.exec(statement))


async def committee_ids_clerked_by(session: AsyncSession, workspace_id: str, user_id: str) -> set[int]:
    statement = (
        select(CommitteeClerk.committee_id)
        .join(Committee, col(CommitteeClerk.committee_id) == col(Committee.id))
        .where(Committee.workspace_id == workspace_id, CommitteeClerk.user_id == user_id)
    )
    return set(await session.exec(statement))


async def replace_clerks(session: AsyncSession, committee_id: int, user_ids: Iterable[str]) -> None:
    for clerk in await session.exec(select(CommitteeClerk).where(CommitteeClerk.committee_id == committee_id)):
        await session.delete(clerk)
    await session.flush()
    session.add_all(CommitteeClerk(committee_id=committee_id, user_id=user_id) for user_id in set(user_ids))


async def windows_of_committees(
    session: AsyncSession, committee_ids: Iterable[int], *, open_at: datetime | None = None
) -> list[tuple[CommentWindow, Committee]]:
    """Comment windows with their committee, soonest deadline first; only those still open if `open_at` is given."""
    statement = (
        select(CommentWindow, Committee)
        .join(Committee, col(CommentWindow.committee_id) == col(Committee.id))
        .where(col(CommentWindow.committee_id).in_(list(committee_ids)))
        .order_by(CommentWindow.deadline, CommentWindow.id)
    )
    if open_at is not None:
        statement = statement.where(CommentWindow.deadline > open_at)
    return list(await session.exec(statement))


async def window_with_committee(
    session: AsyncSession, workspace_id: str, window_id: int
) -> tuple[CommentWindow, Committee] | None:
    statement = (
        select(CommentWindow, Committee)
        .join(Committee, col(CommentWindow.committee_id) == col(Committee.id))
        .where(CommentWindow.id == window_id, Committee.workspace_id == workspace_id)
    )
    return (await session.exec(statement)).first()


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


async def revision_by_request(session: AsyncSession, request_key: str) -> CommentRevision | None:
    statement = select(CommentRevision).where(CommentRevision.request_key == request_key)
    return (await session.exec(statement)).first()


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


async def draft_by_source(session: AsyncSession, source_key: str) -> CommentDraft | None:
    return (await session.exec(select(CommentDraft).where(CommentDraft.source_key == source_key))).first()
