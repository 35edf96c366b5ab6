"""What a platform needs, to post into a committee's place (or a thread in it) without being asked: a Teams
conversation reference, for instance. Kept as the platform's own JSON; storage does not look inside it."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from storage.database import Session, upsert_insert
from storage.models import ConversationReference

THE_PLACE_ITSELF = ""


@dataclass(frozen=True)
class KeptReference:
    platform: str
    reference: dict
    updated_at: datetime


async def keep_reference(
    session: Session,
    committee_id: int,
    platform: str,
    reference: dict,
    now: datetime,
    thread_ref: str = THE_PLACE_ITSELF,
) -> None:
    """Keeps the latest reference for the committee's place, or for one thread in it (`thread_ref`)."""
    values = dict(platform=platform, reference=json.dumps(reference), updated_at=now)
    statement = (
        upsert_insert(session)(ConversationReference)
        .values(committee_id=committee_id, thread_ref=thread_ref, **values)
        .on_conflict_do_update(index_elements=["committee_id", "thread_ref"], set_=values)
    )
    await session.exec(statement)


async def kept_reference(
    session: Session, committee_id: int, thread_ref: str = THE_PLACE_ITSELF
) -> KeptReference | None:
    statement = select(ConversationReference).where(
        ConversationReference.committee_id == committee_id, ConversationReference.thread_ref == thread_ref
    )
    kept = (await session.exec(statement)).first()
    return KeptReference(kept.platform, json.loads(kept.reference), kept.updated_at) if kept else None


async def kept_references_on(session: Session, platform: str) -> dict[int, KeptReference]:
    """The reference kept for each committee's place on `platform`, by committee id."""
    statement = select(ConversationReference).where(
        ConversationReference.platform == platform, ConversationReference.thread_ref == THE_PLACE_ITSELF
    )
    return {
        kept.committee_id: KeptReference(kept.platform, json.loads(kept.reference), kept.updated_at)
        for kept in await session.exec(statement)
    }
