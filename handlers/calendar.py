"""A committee's calendar as an iCalendar feed that members subscribe to from their own calendar apps.

Calendar apps cannot sign in, so the feed is found by an unguessable token alone: whoever holds the URL can
read the calendar, and any other token reads as no calendar at all.
"""

from __future__ import annotations

import logging
import re
import secrets
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from handlers.committees import committee_here, require_member
from handlers.context import Actor, Services
from handlers.wording import shortened
from storage.calendar import CalendarContents, calendar_with_token, issue_calendar_token
from storage.committees import CommitteeView
from storage.models import FORMER_MEMBER, CommentWindow, Meeting, MeetingStatus, Resolution

if TYPE_CHECKING:
    from icalendar import Calendar, Event

log = logging.getLogger(__name__)

PRODID = "-//committee-bot//EN"
UID_DOMAIN = "committee-bot"
MEETING_LENGTH = timedelta(hours=2)
SHORT_TEXT_LENGTH = 80
# What secrets.token_urlsafe can produce, up to the column's length. Anything else is refused before the
# query, because PostgreSQL raises on a NUL byte rather than simply finding nothing.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")


async def calendar_token(services: Services, actor: Actor) -> tuple[CommitteeView, str]:
    """The committee and its feed token, which is created the first time any member asks."""
    async with services.database.session() as session:
        committee = await committee_here(session, actor)
        await require_member(services, committee, actor)
        token = committee.calendar_token
        if token is None:
            token, issued = await issue_calendar_token(session, committee.id, secrets.token_urlsafe(32))
            if issued:
                log.info("calendar token issued for committee %s", committee.id)
    return committee, token


def calendar_filename(committee_name: str) -> str:
    """E.g. "children-and-families-osc.ics": ASCII, so every mail client and file system takes it as it is."""
    ascii_name = unicodedata.normalize("NFKD", committee_name).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_name) or ["committee"]) + ".ics"


async def committee_calendar(services: Services, token: str) -> bytes | None:
    """The .ics of the committee holding `token`, or None when no committee holds it."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    async with services.database.session() as session:
        contents = await calendar_with_token(session, token)
    if contents is None:
        return None
    names = await services.directory.display_names(contents.committee.workspace_id, _people_named(contents))
    return _ics(contents, names, services.clock())


def _people_named(contents: CalendarContents) -> set[str]:
    owners = {r.owner_user_id for r in contents.resolutions if r.owner_user_id and not r.owner_title}
    return (owners | {window.officer_user_id for window in contents.windows}) - {FORMER_MEMBER}


def _ics(contents: CalendarContents, names: dict[str, str], now: datetime) -> bytes:
    # Imported here: icalendar is a slow import that only building a calendar needs, and the bot starts often.
    from icalendar import Calendar

    committee = contents.committee
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", committee.name)
    calendar.add("x-wr-timezone", committee.timezone)
    dues = _dues_by_meeting(contents.resolutions)
    events = [
        *(_meeting_event(meeting, committee, dues[meeting.id], names) for meeting in contents.meetings),
        *(_window_event(window, committee, names) for window in contents.windows),
        *(_due_date_event(resolution, names) for resolution in contents.resolutions if resolution.due_date),
    ]
    for event in events:
        event.add("dtstamp", now)
        calendar.add_component(event)
    _add_time_zone(calendar, [m.starts_at for m in contents.meetings] + [w.deadline for w in contents.windows])
    return calendar.to_ical()


def _add_time_zone(calendar: Calendar, instants: list[datetime]) -> None:
    """The VTIMEZONE that DTSTART's TZID refers to, with its clock changes over the span the events cover."""
    if instants:
        margin = timedelta(days=1)
        calendar.add_missing_timezones(min(instants).date() - margin, max(instants).date() + margin)


def _event(kind: str, row_id: int, summary: str, start: date | datetime) -> Event:
    from icalendar import Event

    event = Event()
    # The UID never changes for the same row, so a subscribed calendar updates its copy instead of adding another.
    event.add("uid", f"{kind}-{row_id}@{UID_DOMAIN}")
    event.add("summary", summary)
    event.add("dtstart", start)
    return event


def _meeting_event(meeting: Meeting, committee: CommitteeView, dues: list[Resolution], names: dict[str, str]) -> Event:
    summary = f"{committee.name} meeting"
    # A cancelled meeting stays in the feed so that members see it was cancelled rather than have it silently
    # vanish; the summary says so as well because not every calendar app shows STATUS.
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event = _event("meeting", meeting.id, f"Cancelled: {summary}" if cancelled else summary, _local(meeting, committee))
    event.add("duration", MEETING_LENGTH)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if dues:
        lines = "\n".join(f"- {_resolution_line(resolution, names)}" for resolution in dues)
        event.add("description", f"Due at this meeting:\n{lines}")
    return event


def _local(meeting: Meeting, committee: CommitteeView) -> datetime:
    return meeting.starts_at.astimezone(ZoneInfo(committee.timezone))


def _window_event(window: CommentWindow, committee: CommitteeView, names: dict[str, str]) -> Event:
    deadline = window.deadline.astimezone(ZoneInfo(committee.timezone))
    # No DTEND: an event with a date-time start alone lasts no time at all (RFC 5545, 3.6.1), the moment it closes.
    event = _event("window", window.id, f"Comments close: {window.title}", deadline)
    lines = [f"Comments go to {names.get(window.officer_user_id, window.officer_user_id)}."]
    if window.document_url:
        lines.insert(0, f"Draft report: {window.document_url}")
        event.add("url", window.document_url)
    if window.announcement_permalink:
        lines.append(f"Comment from the announcement: {window.announcement_permalink}")
    event.add("description", "\n".join(lines))
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    return event


def _due_date_event(resolution: Resolution, names: dict[str, str]) -> Event:
    event = _event("resolution", resolution.id, f"Due: {_short(resolution.text)}", resolution.due_date)
    event.add("dtend", resolution.due_date + timedelta(days=1))  # an all-day event's end date is exclusive
    event.add("description", _resolution_line(resolution, names))
    event.add("transp", "TRANSPARENT")
    return event


def _dues_by_meeting(resolutions: Iterable[Resolution]) -> defaultdict[int, list[Resolution]]:
    dues = defaultdict(list)
    for resolution in resolutions:
        if resolution.due_meeting_id is not None:
            dues[resolution.due_meeting_id].append(resolution)
    return dues


def _resolution_line(resolution: Resolution, names: dict[str, str]) -> str:
    owner = resolution.owner_title or names.get(resolution.owner_user_id or "")
    return f"{resolution.text} (owner: {owner})" if owner else resolution.text


def _short(text: str) -> str:
    """The first words of `text`, cut at a word boundary, to fit a calendar app's one-line summary."""
    return shortened(" ".join(text.split()), SHORT_TEXT_LENGTH)
