"""Workspaces installed by OAuth: slack_sdk's stores on the bot's own database, whether each workspace has the bot
installed, a lock that lets one instance at a time refresh a workspace's token, and deleting what a workspace
that uninstalled the bot left behind once it has been kept long enough."""

import asyncio
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import text
from sqlmodel import col, delete, exists, or_, select, update

from storage.committees import ensure_workspace
from storage.database import Database, Session
from storage.models import (
    SLACK_BOTS,
    SLACK_INSTALLATIONS,
    Comment,
    CommentDraft,
    CommentRevision,
    CommentWindow,
    Committee,
    CommitteeClerk,
    ConversationReference,
    Meeting,
    MinutesImport,
    Reminder,
    ReminderMute,
    ReminderSnooze,
    Resolution,
    ResolutionChange,
    Workspace,
)
from storage.personal_data import committee_ids_in, reminder_items_in, resolution_ids_in, window_ids_in


def installation_store(database: Database, client_id: str) -> AsyncSQLAlchemyInstallationStore:
    """Each workspace's tokens, in the tables migration 0010 made."""
    return AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=database.engine)


def state_store(database: Database, expiration_seconds: int) -> AsyncSQLAlchemyOAuthStateStore:
    """The one-time states that tie an "Add to Slack" redirect to the browser that started it."""
    return AsyncSQLAlchemyOAuthStateStore(expiration_seconds=expiration_seconds, engine=database.engine)


async def mark_installed(session: Session, workspace_id: str) -> None:
    """The workspace has the bot (again): whatever it left when it uninstalled is its own once more."""
    await ensure_workspace(session, workspace_id)
    await session.exec(update(Workspace).where(Workspace.id == workspace_id).values(uninstalled_at=None))


async def mark_uninstalled(session: Session, workspace_id: str, now: datetime) -> None:
    """From `now` its data is kept only for the retention period; a second notice does not move that on."""
    await ensure_workspace(session, workspace_id)
    await session.exec(
        update(Workspace)
        .where(Workspace.id == workspace_id, col(Workspace.uninstalled_at).is_(None))
        .values(uninstalled_at=now)
    )


async def uninstalled_workspaces(session: Session) -> set[str]:
    rows = await session.exec(select(Workspace.id).where(col(Workspace.uninstalled_at).is_not(None)))
    return set(rows)


async def workspaces_uninstalled_before(session: Session, cutoff: datetime) -> list[str]:
    """Workspaces uninstalled before `cutoff` and not installed since (no token of theirs is held)."""
    held = or_(
        exists().where(SLACK_BOTS.c.team_id == Workspace.id),
        exists().where(SLACK_INSTALLATIONS.c.team_id == Workspace.id),
    )
    statement = select(Workspace.id).where(col(Workspace.uninstalled_at) < cutoff, ~held)
    return list(await session.exec(statement))


async def delete_workspace(session: Session, workspace_id: str) -> dict[str, int]:
    """Everything held about the workspace, children before parents; how many rows of each table went."""
    committees, windows = committee_ids_in(workspace_id), window_ids_in(workspace_id)
    resolutions, items = resolution_ids_in(workspace_id), reminder_items_in(workspace_id)
    comments = select(Comment.id).where(col(Comment.window_id).in_(windows))
    statements = [
        delete(ReminderMute).where(col(ReminderMute.item).in_(items)),
        delete(ReminderSnooze).where(col(ReminderSnooze.item).in_(items)),
        delete(CommentRevision).where(col(CommentRevision.comment_id).in_(comments)),
        delete(CommentDraft).where(col(CommentDraft.window_id).in_(windows)),
        delete(Comment).where(col(Comment.window_id).in_(windows)),
        delete(ResolutionChange).where(col(ResolutionChange.resolution_id).in_(resolutions)),
        delete(Resolution).where(col(Resolution.committee_id).in_(committees)),
    ]
    statements += [
        delete(model).where(col(model.committee_id).in_(committees))
        for model in (Reminder, CommitteeClerk, ConversationReference, MinutesImport, Meeting, CommentWindow)
    ]
    statements += [delete(Committee).where(Committee.workspace_id == workspace_id)]
    counted = {}
    for statement in statements:
        counted[statement.table.name] = (await session.exec(statement)).rowcount
    await session.exec(delete(Workspace).where(Workspace.id == workspace_id))
    return {table: count for table, count in counted.items() if count}


# Refreshing a token spends its refresh token: two instances refreshing the same one at once must take turns, and
# the second then finds the first one's new token. On PostgreSQL a lock any instance sees; SQLite serves one host,
# where a lock in the process is what there is.
_LOCAL_LOCKS: dict[str, asyncio.Lock] = {}


@asynccontextmanager
async def token_refresh_lock(database: Database, workspace_id: str) -> AsyncIterator[None]:
    if database.is_sqlite:
        async with _LOCAL_LOCKS.setdefault(workspace_id, asyncio.Lock()):
            yield
        return
    key = zlib.crc32(f"slack token {workspace_id}".encode())
    async with database.engine.connect() as connection:
        await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        try:
            yield
        finally:
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            await connection.commit()
