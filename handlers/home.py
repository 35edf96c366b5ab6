"""What concerns one person, gathered for their Home tab."""

from dataclasses import dataclass, field

from handlers.collect import responses_to
from handlers.comment_windows import Role, WindowSummary, open_windows_for_member, windows_looked_after
from handlers.context import Actor, Services
from handlers.resolutions import ActionItem, item_of
from storage.comments import live_comments
from storage.committees import committee_ids_clerked_by
from storage.register import ActionFilters, open_resolutions

MOST_SHOWN = 20


@dataclass(frozen=True)
class LookedAfter:
    """An open window whose comments this person receives, or whose committee they clerk, and how it is going."""

    window: WindowSummary
    role: Role
    responded: int
    expected: int


@dataclass(frozen=True)
class Home:
    windows: list[tuple[WindowSummary, bool]]  # each open window, and whether this person has responded
    owned: list[ActionItem]
    overdue_for_clerk: list[ActionItem] | None  # None for someone who clerks no committee
    looked_after: list[LookedAfter] = field(default_factory=list)


async def home_for(services: Services, actor: Actor) -> Home:
    windows = await open_windows_for_member(services, actor)
    now = services.clock()
    async with services.database.session() as session:
        mine = await live_comments(session, [w.id for w in windows], actor.user_id)
        clerked = await committee_ids_clerked_by(session, actor.workspace_id, actor.user_id)
        owned, _ = await open_resolutions(
            session,
            ActionFilters(actor.workspace_id, now=now, owner_user_id=actor.user_id),
            offset=0,
            limit=MOST_SHOWN,
        )
        overdue, _ = await open_resolutions(
            session,
            ActionFilters(actor.workspace_id, now=now, committee_ids=list(clerked), due_before=now),
            offset=0,
            limit=MOST_SHOWN,
        )
    responded = {comment.window_id for comment in mine}
    return Home(
        [(window, window.id in responded) for window in windows[:MOST_SHOWN]],
        [item_of(*row) for row in owned],
        [item_of(*row) for row in overdue] if clerked else None,
        await _looked_after(services, actor),
    )


async def _looked_after(services: Services, actor: Actor) -> list[LookedAfter]:
    looked_after = []
    for window, role in (await windows_looked_after(services, actor))[:MOST_SHOWN]:
        found = await responses_to(services, actor.workspace_id, window)
        looked_after.append(LookedAfter(window, role, found.members_responded, len(found.expected)))
    return looked_after
