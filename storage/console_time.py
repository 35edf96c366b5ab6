"""How far the console's clock had got, kept with its data."""

from datetime import datetime

from storage.database import Session
from storage.models import ConsoleTime


async def console_time(session: Session) -> datetime | None:
    kept = await session.get(ConsoleTime, 1)
    return kept.reached if kept else None


async def keep_console_time(session: Session, reached: datetime) -> None:
    kept = await session.get(ConsoleTime, 1) or ConsoleTime(id=1, reached=reached)
    kept.reached = max(kept.reached, reached)
    session.add(kept)
    await session.commit()
