"""The console's clock, kept with the console's data so that a console started again resumes where it was."""

from datetime import datetime

from storage.console_time import console_time, keep_console_time
from storage.database import Database


async def time_reached(database: Database) -> datetime | None:
    async with database.session() as session:
        return await console_time(session)


async def keep_time_reached(database: Database, reached: datetime) -> None:
    async with database.session() as session:
        await keep_console_time(session, reached)
