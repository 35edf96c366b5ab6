"""How to reach a committee's place later, unprompted: what a platform needs to post there proactively (a Teams
conversation reference, for reminders and announcements), kept each time someone uses the bot there. A platform
that can post by the place's id alone (Slack) keeps nothing."""

from handlers.context import Services
from storage.committees import committee_in_channel, ensure_workspace
from storage.conversation_references import THE_PLACE_ITSELF, keep_reference, kept_reference


async def remember_place(
    services: Services,
    workspace_id: str,
    place: str,
    platform: str,
    reference: dict,
    thread_ref: str = THE_PLACE_ITSELF,
) -> bool:
    """Keep the latest reference to a committee's place (or to one thread in it); False, keeping nothing, where the
    place is no committee's."""
    async with services.database.session() as session:
        committee = await committee_in_channel(session, workspace_id, place)
        if committee is None:
            return False
        await keep_reference(session, committee.id, platform, reference, services.clock(), thread_ref)
        await session.commit()
        return True


async def place_reference(
    services: Services, workspace_id: str, place: str, thread_ref: str = THE_PLACE_ITSELF
) -> dict | None:
    """The reference last kept for a committee's place (or a thread in it); None where none was kept."""
    async with services.database.session() as session:
        committee = await committee_in_channel(session, workspace_id, place)
        kept = await kept_reference(session, committee.id, thread_ref) if committee else None
        return kept.reference if kept else None


async def remember_workspace(services: Services, workspace_id: str, platform: str) -> None:
    """Record a workspace (a Slack team, a Microsoft 365 tenant) on its platform before anything is done in it, so
    that a tenant is never taken for a Slack workspace, which is what the workspace's record says by default."""
    async with services.database.session() as session:
        await ensure_workspace(session, workspace_id, platform)
        await session.commit()
