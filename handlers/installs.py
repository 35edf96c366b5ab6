"""A workspace installing and uninstalling the bot, and what becomes of its data after it left.

Uninstalling keeps a workspace's committees, comments and registers for a retention period, so that a council that
reinstalls finds everything as it was; meanwhile nothing is sent there. Once the period has passed, the scheduler
deletes it all (one instance, once a day, as with handlers/retention.py).
"""

import json
import logging
from datetime import timedelta

from handlers.context import Services
from storage import installations
from storage import personal_data as held
from storage.models import PersonalDataLog

log = logging.getLogger(__name__)

TASK = "uninstalled workspace retention"
EVERY = timedelta(days=1)
DELETED = "uninstalled"  # the audit log names the retention of an uninstalled workspace so
DONE_BY = "committee-bot (retention after uninstall)"


async def workspace_installed(services: Services, workspace_id: str) -> None:
    async with services.database.session() as session:
        await installations.mark_installed(session, workspace_id)
        await session.commit()
    log.info("workspace %s installed the bot", workspace_id)


async def workspace_uninstalled(services: Services, workspace_id: str) -> None:
    async with services.database.session() as session:
        await installations.mark_uninstalled(session, workspace_id, services.clock())
        await session.commit()
    log.info("workspace %s uninstalled the bot; its data is kept for the retention period", workspace_id)


async def uninstalled_workspaces(services: Services) -> set[str]:
    async with services.database.session() as session:
        return await installations.uninstalled_workspaces(session)


async def delete_uninstalled_workspaces(services: Services, days: int) -> dict[str, dict[str, int]] | None:
    """Deletes the data of workspaces uninstalled more than `days` ago and not installed since, if no instance has
    done so today; what was deleted, by workspace, or None if it was not this instance's turn."""
    now = services.clock()
    async with services.database.session() as session:
        if not await held.claim_daily(session, TASK, now, EVERY):
            return None
        deleted = {}
        for workspace_id in await installations.workspaces_uninstalled_before(session, now - timedelta(days=days)):
            deleted[workspace_id] = counts = await installations.delete_workspace(session, workspace_id)
            session.add(
                PersonalDataLog(
                    action=DELETED, workspace_id=workspace_id, done_by=DONE_BY, at=now, counts=json.dumps(counts)
                )
            )
        await session.commit()
    for workspace_id, counts in deleted.items():
        log.info("workspace %s, uninstalled over %s days ago, deleted: %s", workspace_id, days, counts)
    return deleted
