"""The committee's iCalendar feed: its token, what the feed holds, and the HTTP route calendar apps poll."""

import asyncio
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, date, datetime, timedelta

import aiohttp
import pytest
from aiohttp import web
from icalendar import Calendar, Event
from sqlmodel import select

from bot.calendar_feed import add_calendar_route, calendar_url
from handlers.calendar import TOKEN_SHAPE, calendar_filename, calendar_token, committee_calendar
from handlers.comment_windows import WindowRequest, open_window, record_announcement
from handlers.committees import CommitteeSetup, set_up_committee
from handlers.context import Actor, Services
from handlers.deadlines import end_of_day
from handlers.errors import NotAMember
from handlers.meetings import MeetingSummary, add_meeting, cancel_meeting
from storage.committees import committee_in_channel
from storage.models import Committee, Resolution, ResolutionKind, ResolutionStatus

WORKSPACE = "T0001"
OTHER_WORKSPACE = "T0002"
CHANNEL = "CCOMMITTEE"
CLERK = "UCLERK"
MEMBER = "UPATEL"
OFFICER = "UOFFICER"
STRANGER = "USTRANGER"
NAME = "Children and Families Overview and Scrutiny Committee"
NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


class StaticDirectory:
    """Everyone named below is in every committee channel of either workspace; the stranger is in none."""

    NAMES = {CLERK: "Dana Clerk", MEMBER: "Cllr Patel", OFFICER: "Director of Children and Family Services"}

    async def channel_members(self, workspace_id: str, channel_id: str) -> frozenset[str]:
        return frozenset(self.NAMES)

    async def display_names(self, workspace_id: str, user_ids: Iterable[str]) -> dict[str, str]:
        return {user_id: self.NAMES.get(user_id, user_id) for user_id in user_ids}


def clerk_in(workspace: str = WORKSPACE) -> Actor:
    return Actor(workspace, CLERK, CHANNEL)


@pytest.fixture
async def services(database) -> Services:
    services = Services(database, StaticDirectory(), clock=lambda: NOW)
    await set_up_committee(services, clerk_in(), CommitteeSetup(NAME))
    return services


async def feed(services: Services, workspace: str = WORKSPACE) -> Calendar:
    _, token = await calendar_token(services, Actor(workspace, MEMBER, CHANNEL))
    return Calendar.from_ical(await committee_calendar(services, token))


def events(calendar: Calendar) -> dict[str, Event]:
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


async def test_token_is_long_unguessable_and_the_same_every_time(services):
    committee, token = await calendar_token(services, Actor(WORKSPACE, MEMBER, CHANNEL))
    assert committee.name == NAME
    assert len(token) >= 43 and TOKEN_SHAPE.fullmatch(token)  # 32 random bytes, URL-safe
    assert (await calendar_token(services, clerk_in()))[1] == token

    await set_up_committee(services, clerk_in(OTHER_WORKSPACE), CommitteeSetup("Another committee"))
    assert (await calendar_token(services, clerk_in(OTHER_WORKSPACE)))[1] != token


class DirectoryMeetingAtABarrier(StaticDirectory):
    """Holds each request after it has read the committee until all have, so that all of them find no token."""

    def __init__(self, requests: int) -> None:
        self.barrier = asyncio.Barrier(requests)

    async def channel_members(self, workspace_id: str, channel_id: str) -> frozenset[str]:
        await self.barrier.wait()
        return await super().channel_members(workspace_id, channel_id)


async def test_members_asking_at_once_get_one_token(services):
    racing = Services(services.database, DirectoryMeetingAtABarrier(4), clock=lambda: NOW)
    tokens = await asyncio.gather(*(calendar_token(racing, clerk_in()) for _ in range(4)))
    assert len(set(tokens)) == 1
    assert await stored_token(services) == tokens[0][1]


async def test_a_non_member_is_refused_the_token_and_none_is_created(services):
    with pytest.raises(NotAMember):
        await calendar_token(services, Actor(WORKSPACE, STRANGER, CHANNEL))
    assert await stored_token(services) is None


async def stored_token(services: Services) -> str | None:
    async with services.database.session() as session:
        return (await session.exec(select(Committee.calendar_token))).one()


async def test_meetings_are_at_local_time_either_side_of_the_clocks_going_forward(services):
    await add_meeting(services, clerk_in(), "15 March 2027 10:00", "meeting-winter")
    await add_meeting(services, clerk_in(), "29 March 2027 10:00", "meeting-summer")

    calendar = await feed(services)

    assert str(calendar["PRODID"]) == "-//committee-bot//EN" and str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == NAME and str(calendar["X-WR-TIMEZONE"]) == "Europe/London"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    meetings = [event for event in calendar.walk("VEVENT") if str(event["SUMMARY"]) == f"{NAME} meeting"]
    assert [event["DTSTART"].params["TZID"] for event in meetings] == ["Europe/London"] * 2
    starts = [event.decoded("DTSTART") for event in meetings]
    assert [start.astimezone(UTC) for start in starts] == [
        datetime(2027, 3, 15, 10, tzinfo=UTC),
        datetime(2027, 3, 29, 9, tzinfo=UTC),
    ]
    assert [event.decoded("DURATION") for event in meetings] == [timedelta(hours=2)] * 2
    assert all(event["UID"].startswith("meeting-") and "DTSTAMP" in event for event in meetings)


async def test_a_cancelled_meeting_is_marked_cancelled(services):
    meeting = await add_meeting(services, clerk_in(), "29 March 2027 10:00", "meeting")
    await cancel_meeting(services, clerk_in(), meeting.id)

    [event] = (await feed(services)).walk("VEVENT")

    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]) == f"Cancelled: {NAME} meeting"


async def test_comment_deadline_and_due_dates_are_in_the_feed(services):
    meeting = await add_meeting(services, clerk_in(), "29 March 2027 10:00", "meeting")
    title = "Draft annual report; budget, 2027"
    request = WindowRequest(title, "https://example.org/report.pdf", OFFICER, "20 April 2027 17:00")
    await open_window(services, clerk_in(), request, "window")
    await insert_resolution(services, "Director to report back on placements\nwith figures", due_date=date(2027, 5, 31))
    await insert_resolution(services, "Chair to write to the Minister", due_meeting=meeting)
    await insert_resolution(services, "Officers to circulate the minutes", due_date=date(2027, 2, 1), status="done")

    found = events(await feed(services))

    deadline = found[f"Comments close: {title}"]
    assert deadline.decoded("DTSTART") == datetime(2027, 4, 20, 16, tzinfo=UTC)  # 17:00 BST
    assert "https://example.org/report.pdf" in deadline["DESCRIPTION"]
    assert "Director of Children and Family Services" in deadline["DESCRIPTION"]
    due = found["Due: Director to report back on placements with figures"]
    assert due.decoded("DTSTART") == date(2027, 5, 31) and due.decoded("DTEND") == date(2027, 6, 1)
    assert str(due["UID"]).startswith("resolution-")
    assert found[f"{NAME} meeting"]["UID"] == f"meeting-{meeting.id}@committee-bot"
    assert found[f"{NAME} meeting"]["DESCRIPTION"] == "Due at this meeting:\n- Chair to write to the Minister"
    assert not [summary for summary in found if "minutes" in summary]


async def test_a_deadline_links_to_its_announcement_in_words_for_any_chat_platform(services):
    request = WindowRequest("Draft plan", None, OFFICER, "20 April 2027 17:00")
    window, _ = await open_window(services, clerk_in(), request, "window")
    permalink = "https://chat.example.org/archives/CCOMMITTEE/p1800000000000100"
    await record_announcement(services, clerk_in(), window.id, "1800000000.000100", permalink)

    description = str(events(await feed(services))["Comments close: Draft plan"]["DESCRIPTION"])

    assert f"Comment from the announcement: {permalink}" in description
    assert "Slack" not in description


async def insert_resolution(
    services: Services,
    text: str,
    *,
    due_date: date | None = None,
    due_meeting: MeetingSummary | None = None,
    status: str = ResolutionStatus.OPEN,
) -> None:
    """Straight into the table, so that these tests do not follow every change to how resolutions are recorded."""
    async with services.database.session() as session:
        committee = await committee_in_channel(session, WORKSPACE, CHANNEL)
        session.add(
            Resolution(
                committee_id=committee.id,
                text=text,
                kind=ResolutionKind.ACTION,
                status=status,
                due_date=due_date,
                due_at=end_of_day(due_date, committee.timezone) if due_date else due_meeting.starts_at,
                due_rule="next meeting" if due_meeting else None,
                due_meeting_id=due_meeting.id if due_meeting else None,
                created_by=CLERK,
                request_key=f"resolution:{text}",
            )
        )
        await session.commit()


async def test_text_from_users_cannot_add_events_or_properties(services):
    await insert_resolution(
        services, "Noted\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:Injected;X=1", due_date=date(2027, 5, 31)
    )

    [event] = (await feed(services)).walk("VEVENT")

    assert str(event["DESCRIPTION"]) == "Noted\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:Injected;X=1"


async def test_a_committee_in_another_workspace_is_never_in_the_feed(services):
    await set_up_committee(services, clerk_in(OTHER_WORKSPACE), CommitteeSetup("Planning Committee"))
    await add_meeting(services, clerk_in(OTHER_WORKSPACE), "1 March 2027 18:00", "other-meeting")
    await add_meeting(services, clerk_in(), "29 March 2027 10:00", "meeting")

    assert list(events(await feed(services))) == [f"{NAME} meeting"]
    assert list(events(await feed(services, OTHER_WORKSPACE))) == ["Planning Committee meeting"]


@pytest.mark.parametrize("token", ["", "x", "a" * 43, "a" * 500, "abc\x00def", "../calendar", "ab%cd"])
async def test_empty_malformed_or_unknown_tokens_have_no_calendar(services, token):
    await calendar_token(services, clerk_in())
    assert await committee_calendar(services, token) is None


@pytest.fixture
async def feed_server(services) -> AsyncIterator[str]:
    application = web.Application()
    add_calendar_route(application, services)
    runner = web.AppRunner(application)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/"
    await runner.cleanup()


async def test_the_route_serves_the_calendar_and_404s_a_wrong_token(services, feed_server):
    _, token = await calendar_token(services, clerk_in())
    async with aiohttp.ClientSession() as client:
        async with client.get(calendar_url(feed_server, token)) as found:
            assert found.status == 200
            assert found.headers["Content-Type"] == "text/calendar; charset=utf-8"
            assert found.headers["Cache-Control"] == "private, max-age=300"
            assert str(Calendar.from_ical(await found.read())["X-WR-CALNAME"]) == NAME
        async with client.get(calendar_url(feed_server, one_character_changed(token))) as wrong:
            assert wrong.status == 404
            assert NAME not in await wrong.text()


def one_character_changed(token: str) -> str:
    # A fixed replacement letter equals the token's own last letter one time in 64.
    return token[:-1] + ("B" if token.endswith("A") else "A")


def test_calendar_url_and_filename():
    assert calendar_url("https://bot.example.org/", "abc") == "https://bot.example.org/calendar/abc.ics"
    assert calendar_filename("Children & Families OSC") == "children-families-osc.ics"
    assert calendar_filename("Comité d'Éducation") == "comite-d-education.ics"
    assert calendar_filename("???") == "committee.ics"
