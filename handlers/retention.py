"""Deleting comments once the council's retention period for committee records has passed.

The reminder tick asks every minute, on every instance; the database lets one of them do it once a day (the
housekeeping row it moves on is its claim), and the work is one indexed look-up when nothing is due. A report's
comments go together, counted from when its comment window closed (no comment can change after that), so that
no report is ever left with half its comments; the report itself stays, saying when its comments were deleted.
"""

import json
import logging
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from handlers.context import Services
from storage import personal_data as held
from storage.models import PersonalDataLog

log = logging.getLogger(__name__)

TASK = "comment retention"
EVERY = timedelta(days=1)
RETENTION = "retention"
DONE_BY = "committee-bot (retention period)"


async def delete_expired_comments(services: Services, years: int) -> dict[str, int] | None:
    """Deletes the comments (with revisions and drafts) of reports whose comment windows closed more than `years`
    ago, if no instance has done so in the last day; how many of each were deleted, or None if it was not its turn."""
    now = services.clock()
    async with services.database.session() as session:
        if not await held.claim_daily(session, TASK, now, EVERY):
            return None
        windows = await held.windows_closed_before(session, now - relativedelta(years=years))
        counts = {"reports": len(windows)} | (await held.delete_comments_of(session, windows, now) if windows else {})
        if windows:
            session.add(PersonalDataLog(action=RETENTION, done_by=DONE_BY, at=now, counts=json.dumps(counts)))
        await session.commit()
    if windows:
        log.info("comments past the %s-year retention period deleted: %s", years, counts)
    return counts
