"""Ids of more than one chat platform: a Microsoft tenant id is 36 characters and a Teams conversation or message id
can run past a hundred, where Slack's are about eleven. Every id the bot stores must come back whole, on SQLite
and PostgreSQL; and a committee's place or thread can keep the reference a platform needs to post there."""

from collections.abc import Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import SQLModel, select

from handlers import comments, committees, meetings, minutes_imports, reminder_settings, resolutions
from handlers.comment_windows import WindowRequest, open_window, record_announcement
from handlers.context import Actor, Services
from handlers.minutes import ExtractedResolution
from handlers.reminder_plan import DueReminder
from handlers.reminders import ReminderTiming, tick
from storage.committees import CommitteeView
from storage.conversation_references import keep_reference, kept_reference
from storage.models import PLATFORM_ID_LENGTH, ResolutionKind, Workspace

LENGTH = 200


def long_id(name: str) -> str:
    """An id of LENGTH characters, told apart from the others by its start."""
    return f"{name}:".ljust(LENGTH, "9")


TENANT, CHANNEL = long_id("tenant"), long_id("conversation")
CLERK, CHAIR, OFFICER, MEMBER, OWNER = (long_id(who) for who in ("clerk", "chair", "officer", "member", "owner"))
ANNOUNCEMENT, REPLY, POST = long_id("announcement"), long_id("reply"), long_id("post")
LONG_VALUES = {TENANT, CHANNEL, CLERK, CHAIR, OFFICER, MEMBER, OWNER, ANNOUNCEMENT, POST}
NAME = "Children and Families Overview and Scrutiny Committee"


class Directory:
    NAMES = {CLERK: "Dana Clerk", CHAIR: "Cllr Chair", OFFICER: "Director", MEMBER: "Cllr Patel", OWNER: "Head"}

    async def channel_members(self, workspace_id: str, channel_id: str) -> frozenset[str]:
        return frozenset({CLERK, CHAIR, OFFICER, MEMBER})

    async def display_names(self, workspace_id: str, user_ids: Iterable[str]) -> dict[str, str]:
        return {user_id: self.NAMES[user_id] for user_id in user_ids if user_id in self.NAMES}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2027, 1, 11, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class PlatformWithLongIds:
    """Posts reminders nowhere, answering each with a message id as long as a Teams one."""

    def __init__(self) -> None:
        self.posted: list[DueReminder] = []

    @asynccontextmanager
    async def sending(self):
        yield

    async def send(self, reminder: DueReminder) -> str:
        self.posted.append(reminder)
        return POST

    async def find_posted(self, _workspace_id: str, target: str, keys: set[str]) -> dict[str, str]:
        return {}

    async def report_failures(self, committee: CommitteeView, clerks: list[str], failures: list) -> None:
        raise AssertionError(f"undelivered: {failures}")


def as_(user_id: str) -> Actor:
    return Actor(TENANT, user_id, CHANNEL)


async def _everything_that_stores_an_id(services: Services, clock: Clock) -> PlatformWithLongIds:
    setup = committees.CommitteeSetup(NAME, clerk_ids=(CLERK,), chair_id=CHAIR)
    await committees.set_up_committee(services, as_(CLERK), setup)
    request = WindowRequest("Draft annual report", "https://example.org/report.pdf", OFFICER, "20 January 2027")
    window, _ = await open_window(services, as_(CLERK), request, "open-window")
    await record_announcement(services, as_(CLERK), window.id, ANNOUNCEMENT, None)
    await comments.add_comment(services, as_(MEMBER), window.id, "I support it.", None, "comment")
    await comments.hold_draft(services, as_(MEMBER), ANNOUNCEMENT, "And one more thing.", REPLY)
    await meetings.add_meeting(services, as_(CLERK), "14 March 2027 10:00", "meeting")
    draft = resolutions.ResolutionDraft(
        "Write to the Minister.", ResolutionKind.ACTION, OWNER, due_text="20 January 2027"
    )
    item = await resolutions.record_resolution(services, as_(CLERK), draft, "resolution")
    await resolutions.change_resolution(
        services, as_(CLERK), item.id, resolutions.Change("reassigned", owner_user_id=OWNER), "reassign"
    )
    found = ExtractedResolution("Noted the report.", ResolutionKind.NOTED, None, None, None, 1.0, ())
    await minutes_imports.hold(services, as_(CLERK), [found])
    platform = PlatformWithLongIds()
    clock.now = datetime(2027, 1, 21, 0, 5, tzinfo=UTC)  # after the deadline: channel notices and direct messages
    await tick(services, platform, "instance", ReminderTiming(pace_seconds=0))
    await reminder_settings.snooze(services, as_(CLERK), f"window:{window.id}|window.week|2027-01-20")
    await reminder_settings.stop_direct_messages(services, as_(MEMBER), f"window:{window.id}")
    async with services.database.session() as session:
        await keep_reference(session, window.committee_id, "teams", {"conversation": {"id": CHANNEL}}, clock.now)
        await keep_reference(
            session, window.committee_id, "teams", {"activityId": ANNOUNCEMENT}, clock.now, ANNOUNCEMENT
        )
        await session.commit()
    return platform


def _platform_id_columns() -> list[sa.Column]:
    return [
        column
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, sa.String) and column.type.length == PLATFORM_ID_LENGTH
    ]


async def test_ids_and_message_refs_of_200_characters_come_back_whole_from_every_column_that_holds_one(database):
    clock = Clock()
    services = Services(database, Directory(), clock=clock)
    platform = await _everything_that_stores_an_id(services, clock)

    async with database.session() as session:
        for column in _platform_id_columns():
            stored = set((await session.exec(select(column))).all())
            assert stored & LONG_VALUES, f"{column} holds none of the long ids"
            assert {value for value in stored if value} <= LONG_VALUES, f"{column} holds an id cut short"
    assert {reminder.target for reminder in platform.posted} == {CHANNEL, OFFICER, OWNER}
    assert await committees.current_setup(services, as_(CLERK)) == committees.CommitteeSetup(
        NAME, "Europe/London", (CLERK,), CHAIR
    )
    [response] = (await comments.my_comments(services, as_(MEMBER))).responses
    assert response.text == "I support it." and response.window.announcement_ref == ANNOUNCEMENT


async def test_a_conversation_reference_is_kept_per_place_and_thread_and_replaced_by_a_newer_one(database):
    services = Services(database, Directory(), clock=Clock())
    summary = await committees.set_up_committee(services, as_(CLERK), committees.CommitteeSetup(NAME))
    earlier, later = datetime(2027, 1, 11, 10, 0, tzinfo=UTC), datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
    async with database.session() as session:
        assert await kept_reference(session, summary.id) is None
        await keep_reference(session, summary.id, "teams", {"serviceUrl": "https://one.example"}, earlier)
        await keep_reference(session, summary.id, "teams", {"activityId": REPLY}, earlier, thread_ref=ANNOUNCEMENT)
        await session.commit()
        await keep_reference(session, summary.id, "teams", {"serviceUrl": "https://two.example"}, later)
        await session.commit()
    async with database.session() as session:
        place = await kept_reference(session, summary.id)
        thread = await kept_reference(session, summary.id, ANNOUNCEMENT)
    assert (place.platform, place.reference, place.updated_at) == (
        "teams",
        {"serviceUrl": "https://two.example"},
        later,
    )
    assert thread.reference == {"activityId": REPLY}


async def test_a_workspace_is_on_slack_unless_said_otherwise(database):
    services = Services(database, Directory(), clock=Clock())
    await committees.set_up_committee(services, as_(CLERK), committees.CommitteeSetup(NAME))
    async with database.session() as session:
        workspace = await session.get(Workspace, TENANT)
    assert workspace.platform == "slack"
