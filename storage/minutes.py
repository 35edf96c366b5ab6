"""Minutes read and waiting for a clerk to check them."""

from datetime import datetime

from sqlmodel import col, delete

from storage.database import Session
from storage.models import MinutesImport


async def minutes_import(session: Session, import_id: int, committee_id: int) -> MinutesImport | None:
    """Minutes being checked, if they belong to this committee."""
    found = await session.get(MinutesImport, import_id)
    return found if found is not None and found.committee_id == committee_id else None


async def forget_minutes_import(session: Session, held: MinutesImport) -> None:
    await session.delete(held)


async def forget_minutes_imports_before(session: Session, cutoff: datetime) -> None:
    await session.exec(delete(MinutesImport).where(col(MinutesImport.created_at) < cutoff))
