"""The console's demo committee and the people in it, modelled on a real minute (seed_minute.txt beside this file).

Leicestershire's Children and Families Overview and Scrutiny Committee asked its members, on 6 September 2022,
for their views on the draft annual report of the safeguarding children partnership "by no later than" a date
two weeks on. The seed recreates that moment, with the deadline two weeks from now, and the committee's next
meeting on a Tuesday (as that one was) about eight weeks on, for reports "to a future meeting" to be due at.

Everything is created through the handlers, as a clerk would do it in Slack, so the seed passes the same
validation and leaves the same rows as a real set-up.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.conversations.inputs import TypedText
from bot.message import Person as Mention
from handlers import comment_windows, committees, meetings
from handlers.context import Actor, Services
from handlers.deadlines import long_date

MINUTE = Path(__file__).with_name("seed_minute.txt")
WORKSPACE_ID = "TCONSOLE"
CHANNEL_ID = "CCFOS"
CHANNEL_NAME = "children-and-families"
COMMITTEE_NAME = "Children and Families Overview and Scrutiny Committee"
TIMEZONE = "Europe/London"
REPORT_TITLE = "Draft annual report of the Leicestershire and Rutland Safeguarding Children Partnership 2021/22"
REPORT_URL = "https://example.org/children-and-families-scrutiny/2022-09-06/agenda-item-11.pdf"
# Fixed, so that a seed interrupted after opening the window finds that window again instead of opening another.
WINDOW_REQUEST_KEY = "console-seed:annual-report-2021-22"
COMMENT_DAYS = 14
MEETING_REQUEST_KEY = "console-seed:next-meeting"
MEETING_WEEKS = 8
TUESDAY = 1


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    handle: str  # what people type after @, like a Slack username
    role: str


CLERK = Person("UCLERK", "Jo Ward", "clerk", "the committee's clerk (a democratic services officer)")
CHAIR = Person("UCHAIR", "Cllr Richardson", "chair", "the committee's chairman")
COUNCILLORS = tuple(
    Person(f"UCLLR{surname.upper()}", f"Cllr {surname}", surname.lower(), "a councillor on the committee")
    for surname in ("Patel", "Jones", "Kaur", "Brown", "White")
)
DIRECTOR = Person(
    "UDIRECTOR", "Director of Children and Family Services", "director", "the officer who receives the comments"
)
PEOPLE = (CLERK, CHAIR, *COUNCILLORS, DIRECTOR)
DEFAULT_USER = COUNCILLORS[0].user_id


class SeedDirectory:
    """A MemberDirectory over the seed: everyone in it is in the committee's channel; no other channel has members."""

    def __init__(self, people: Iterable[Person] = PEOPLE) -> None:
        self.people = {person.user_id: person for person in people}
        self._by_spelling = {
            spelling.lower(): person.user_id
            for person in self.people.values()
            for spelling in (person.user_id, person.handle, person.name)
        }
        longest_first = sorted(self._by_spelling, key=len, reverse=True)
        self._mention = re.compile(r"@(" + "|".join(map(re.escape, longest_first)) + r")(?!\w)", re.IGNORECASE)

    async def channel_members(self, workspace_id: str, channel_id: str) -> frozenset[str]:
        if (workspace_id, channel_id) != (WORKSPACE_ID, CHANNEL_ID):
            return frozenset()
        return frozenset(self.people)

    async def display_names(self, workspace_id: str, user_ids: Iterable[str]) -> dict[str, str]:
        return {user_id: self.name_of(user_id) for user_id in user_ids if user_id in self.people}

    def name_of(self, user_id: str) -> str:
        person = self.people.get(user_id)
        return person.name if person else user_id

    def find(self, typed: str) -> str | None:
        """The user id someone means by an id, @handle or name, whatever the case."""
        return self._by_spelling.get(typed.strip().removeprefix("@").strip().lower())

    def user_id_for(self, typed: str) -> str:
        """Whom `/as` or `--as` means: someone in the seed, or anyone else by their user id."""
        return self.find(typed) or typed.strip().removeprefix("@").upper()

    def typed_text(self, text: str) -> TypedText:
        """What was typed, each @name of someone here a mention of them."""
        parts: list[str | Mention] = []
        shown = 0
        for found in self._mention.finditer(text):
            parts += [text[shown : found.start()], Mention(self._by_spelling[found.group(1).lower()], found.group(1))]
            shown = found.end()
        return TypedText.of(*parts, text[shown:])


def channel_label(channel_id: str) -> str:
    return f"#{CHANNEL_NAME}" if channel_id == CHANNEL_ID else f"#{channel_id}"


def channel_id_for(typed: str) -> str:
    typed = typed.strip()
    return CHANNEL_ID if typed.lower() == f"#{CHANNEL_NAME}" else typed.removeprefix("#").upper()


def message_ts(at: datetime) -> str:
    """A Slack-style message timestamp ("1662465600.000100"): an announcement's thread is known by it."""
    return f"{at.timestamp():.6f}"


def actor(user_id: str, channel_id: str = CHANNEL_ID) -> Actor:
    return Actor(WORKSPACE_ID, user_id, channel_id)


async def seed(services: Services) -> bool:
    """Set up the demo committee, open its comment window and schedule its next meeting, unless the committee
    exists; True if done now."""
    clerk = actor(CLERK.user_id)
    if await committees.current_setup(services, clerk) is not None:
        return False
    setup = committees.CommitteeSetup(COMMITTEE_NAME, TIMEZONE, (CLERK.user_id,), CHAIR.user_id)
    await committees.set_up_committee(services, clerk, setup)
    request = comment_windows.WindowRequest(
        REPORT_TITLE, REPORT_URL, DIRECTOR.user_id, _deadline_text(services.clock())
    )
    window, _ = await comment_windows.open_window(services, clerk, request, WINDOW_REQUEST_KEY)
    await comment_windows.record_announcement(services, clerk, window.id, message_ts(services.clock()), None)
    await meetings.add_meeting(services, clerk, _meeting_text(services.clock()), MEETING_REQUEST_KEY)
    return True


def _meeting_text(now: datetime) -> str:
    """The Tuesday of the week eight weeks on, at 10:00."""
    today = now.astimezone(ZoneInfo(TIMEZONE)).date()
    day = today + timedelta(weeks=MEETING_WEEKS, days=TUESDAY - today.weekday())
    return f"{long_date(day)} 10:00"


def _deadline_text(now: datetime) -> str:
    day = (now.astimezone(ZoneInfo(TIMEZONE)) + timedelta(days=COMMENT_DAYS)).date()
    # As the minute words it; a date with no time is read as the end of that day.
    return f"by no later than {long_date(day)}"
