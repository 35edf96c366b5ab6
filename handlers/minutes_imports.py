"""Minutes read and waiting for a clerk to check them, a page at a time, before anything reaches the register.

A whole meeting's minutes hold more resolutions than one form can show, so what was read is kept here between
pages, with what the clerk has confirmed so far. Minutes left unchecked for a week are forgotten.
"""

import json
from dataclasses import dataclass
from datetime import timedelta

from handlers.committees import committee_here, require_clerk
from handlers.context import Actor, Services
from handlers.errors import InvalidInput
from handlers.minutes import ExtractedResolution
from storage.minutes import forget_minutes_import, forget_minutes_imports_before, minutes_import
from storage.models import MinutesImport

KEPT_FOR = timedelta(days=7)
OUT_OF_DATE = "Those minutes are no longer waiting to be checked. Please import them again."


@dataclass(frozen=True)
class PendingMinutes:
    id: int
    found: list[ExtractedResolution]
    checked: dict[str, str | None]  # the form's values on the pages confirmed so far


async def hold(services: Services, actor: Actor, found: list[ExtractedResolution]) -> int:
    """Keep `found` until the clerk has checked it; its number, for the form to carry."""
    now = services.clock()
    async with services.database.session() as session:
        committee = await committee_here(session, actor)
        await require_clerk(session, committee, actor, "record resolutions")
        await forget_minutes_imports_before(session, now - KEPT_FOR)
        pending = MinutesImport(
            committee_id=committee.id,
            created_by=actor.user_id,
            found=json.dumps([resolution.as_json() for resolution in found]),
            created_at=now,
        )
        session.add(pending)
        await session.commit()
        return pending.id


async def pending(services: Services, actor: Actor, import_id: int) -> PendingMinutes:
    async with services.database.session() as session:
        committee = await committee_here(session, actor)
        await require_clerk(session, committee, actor, "record resolutions")
        held = await minutes_import(session, import_id, committee.id)
    if held is None:
        raise InvalidInput(OUT_OF_DATE)
    found = [ExtractedResolution.from_json(fields) for fields in json.loads(held.found)]
    return PendingMinutes(held.id, found, json.loads(held.checked))


async def keep_checked(services: Services, actor: Actor, import_id: int, checked: dict[str, str | None]) -> None:
    async with services.database.session() as session:
        committee = await committee_here(session, actor)
        held = await minutes_import(session, import_id, committee.id)
        if held is None:
            raise InvalidInput(OUT_OF_DATE)
        held.checked = json.dumps(checked)
        await session.commit()


async def forget(services: Services, actor: Actor, import_id: int) -> None:
    async with services.database.session() as session:
        committee = await committee_here(session, actor)
        held = await minutes_import(session, import_id, committee.id)
        if held is not None:
            await forget_minutes_import(session, held)
            await session.commit()
