"""Reminders for a committee in Teams, the twins of tests/test_reminders_e2e.py: the same notices at the same
instants, in the announcement's thread or a thread of their own and by 1:1 chat, each posted once across
instances, crashes and Teams' throttling; and members from the team's paged roster."""

import asyncio
import io
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from docx import Document
from sqlalchemy import update

from bot.platforms import Platform, Platforms
from bot.teams.cards import message_card
from bot.teams.files import upload_accepted
from bot.teams.outbound import teams_platform
from bot.teams.settings import TeamsSettings
from handlers.comment_windows import move_deadline
from handlers.comments import add_comment
from handlers.committees import CommitteeSetup
from handlers.committees import set_up_committee as set_up_committee_here
from handlers.context import Services
from handlers.errors import NotAllowed
from handlers.meetings import add_meeting, move_meeting
from handlers.reminder_settings import set_reminder_settings
from handlers.reminders import tick
from handlers.resolutions import ResolutionDraft, record_resolution
from storage.models import Reminder, ReminderState, Resolution
from tests.flows import FAST, open_window, reminder_posts, set_up_committee, stored
from tests.stack import start_stack
from tests.support.fake_bot_connector import (
    BOT_APP_ID,
    CHANNEL_ID,
    CREATE,
    GRAPH_CHANNEL_MESSAGES,
    GRAPH_CHAT_MESSAGES,
    PAGED_MEMBERS,
    REPLY,
    SEND,
    TEAM_ID,
    TENANT_ID,
    PostedActivity,
)
from tests.teams_reminders_stack import (
    IssuedToken,
    TeamsSide,
    connection_manager,
    open_teams_window,
    set_up_teams_committee,
    start_teams_side,
    teams_instance,
    teams_tick_at,
)
from tests.teams_stack import COMMITTEE, teams_environment, texts, unescaped

OPENED = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
WEEK_NOTICE = datetime(2026, 3, 24, 9, 0, tzinfo=UTC)  # Tuesday 24 March, 09:00 GMT
TOMORROW_NOTICE = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # 09:00 BST
TITLE = "Draft annual report 2025/26"


@pytest.fixture
async def teams(database):
    side = await start_teams_side(database)
    yield side
    await side.fake.stop()


async def _window(side: TeamsSide, announce: bool = True) -> tuple[int, str | None]:
    """A committee with one report open until 31 March, on which Cllr Patel has commented; the announcement's id."""
    await set_up_teams_committee(side, OPENED)
    window_id = await open_teams_window(side, TITLE, "31 March 2026", OPENED, announce=announce)
    with time_machine.travel(OPENED + timedelta(hours=1), tick=True):
        await add_comment(side.services, side.actor(side.members[0]), window_id, "A view.", None, "comment-1")
    roots = side.fake.messages_in(CHANNEL_ID)
    return window_id, roots[0].id if announce else None


def _thread(side: TeamsSide, root: str) -> list[str]:
    return [_read(reply) for reply in side.fake.thread_replies(CHANNEL_ID, root)]


def _read(message: PostedActivity) -> str:
    """What a person reads in a message Teams holds: its cards' words as bot/teams/cards.py wrote them (Markdown's
    escapes removed), not the mention entities or buttons' data no one reads."""
    attachments = message.activity.get("attachments") or []
    return unescaped("\n".join(text for attachment in attachments for text in texts(attachment.get("content"))))


def _direct(side: TeamsSide) -> dict[str, list[str]]:
    """What each person received in their 1:1 chat with the bot, by member id."""
    chats = {c.id: c.members[0] for c in side.fake.created if not c.is_group}
    return {member: [_read(m) for m in side.fake.messages_in(chat)] for chat, member in chats.items()}


async def test_notices_are_replies_in_the_announcement_thread_and_nudges_are_direct(teams: TeamsSide):
    _window_id, root = await _window(teams)
    await teams_tick_at(teams, WEEK_NOTICE - timedelta(minutes=1))
    assert _thread(teams, root) == [], "nothing may go out before the week's notice is due"
    await teams_tick_at(teams, WEEK_NOTICE)
    [week] = _thread(teams, root)
    assert "close **in 7 days**" in week and "1 member has responded" in week
    assert len(teams.fake.messages_in(CHANNEL_ID)) == 1, "a notice is no new thread"

    await teams_tick_at(teams, TOMORROW_NOTICE)
    assert "close **tomorrow**" in _thread(teams, root)[-1]
    nudged = _direct(teams)
    waiting = {teams.chair.id, *(m.id for m in teams.members[1:])}  # not Cllr Patel, who commented
    assert set(nudged) == waiting
    assert all(len(texts) == 1 and TITLE in texts[0] for texts in nudged.values())
    assert all(call.body["tenantId"] for call in teams.fake.calls_to(CREATE) if not call.body.get("isGroup"))


async def test_a_report_never_announced_gets_its_notice_in_a_thread_of_its_own(teams: TeamsSide):
    await _window(teams, announce=False)
    await teams_tick_at(teams, WEEK_NOTICE)
    [thread] = teams.fake.messages_in(CHANNEL_ID)
    assert "close **in 7 days**" in _read(thread)
    [created] = teams.fake.calls_to(CREATE)
    assert created.body["channelData"] == {"channel": {"id": CHANNEL_ID}}
    [sent] = await stored(teams, Reminder)
    assert sent.state == ReminderState.SENT and sent.message_ref == thread.id


async def test_a_notice_about_a_report_whose_announcement_was_deleted_starts_a_thread_of_its_own(teams: TeamsSide):
    _window_id, root = await _window(teams)
    teams.fake.delete(root)
    await teams_tick_at(teams, WEEK_NOTICE)
    _announcement, notice = teams.fake.messages_in(CHANNEL_ID)
    assert "close **in 7 days**" in _read(notice)
    [sent] = await stored(teams, Reminder)
    assert sent.state == ReminderState.SENT and sent.message_ref == notice.id


async def test_two_instances_ticking_together_post_each_reminder_once(teams: TeamsSide):
    await _window(teams)
    instances = [teams_instance(teams.fake, teams.database) for _ in range(3)]
    with time_machine.travel(TOMORROW_NOTICE, tick=False):
        await asyncio.gather(
            *(tick(services, sender, f"instance-{n}", FAST) for n, (services, sender, _) in enumerate(instances))
        )
    posted = [c for c in teams.fake.calls if c.kind in (SEND, REPLY) and not c.failed]
    assert len(posted) == 4  # the notice in the thread, and three nudges
    assert len({call.body["attachments"][0]["content"]["id"] for call in posted}) == 4


async def test_a_crash_between_posting_and_recording_does_not_post_twice(teams: TeamsSide):
    _window_id, root = await _window(teams)
    await teams_tick_at(teams, WEEK_NOTICE)
    async with teams.database.engine.begin() as connection:  # the process died before recording the post
        await connection.execute(
            update(Reminder).values(state=ReminderState.CLAIMED, completed_at=None, message_ref=None)
        )
    await teams_tick_at(teams, WEEK_NOTICE + timedelta(minutes=10))
    assert len(_thread(teams, root)) == 1
    [looked] = teams.fake.calls_to(GRAPH_CHANNEL_MESSAGES)
    assert looked.query == {"$top": "50", "$expand": "replies"}
    [sent] = await stored(teams, Reminder)
    assert sent.state == ReminderState.SENT and sent.attempts == 2
    assert sent.message_ref == teams.fake.thread_replies(CHANNEL_ID, root)[0].id


async def test_a_crash_before_a_direct_message_landed_sends_it_once_later(teams: TeamsSide):
    await _window(teams)
    teams.fake.fail(SEND, 502, times=3)  # the nudges fail; the process then dies before recording anything
    await teams_tick_at(teams, TOMORROW_NOTICE)
    async with teams.database.engine.begin() as connection:
        await connection.execute(update(Reminder).values(state=ReminderState.CLAIMED, completed_at=None))
    await teams_tick_at(teams, TOMORROW_NOTICE + timedelta(minutes=10))
    assert all(len(texts) == 1 for texts in _direct(teams).values()) and len(_direct(teams)) == 3
    assert len(teams.fake.calls_to(GRAPH_CHAT_MESSAGES)) == 3, "each chat was looked in before posting again"
    assert all(r.state == ReminderState.SENT for r in await stored(teams, Reminder))


async def test_a_429_is_waited_out_as_teams_asks_and_the_notice_lands_once(teams: TeamsSide):
    _window_id, root = await _window(teams)
    teams.fake.fail(REPLY, 429, retry_after=1, times=2)
    started = asyncio.get_running_loop().time()
    await teams_tick_at(teams, WEEK_NOTICE)
    assert asyncio.get_running_loop().time() - started >= 2, "each Retry-After was honoured"
    assert [c.failure for c in teams.fake.calls_to(REPLY)] == ["http 429", "http 429", None]
    assert len(_thread(teams, root)) == 1
    [sent] = await stored(teams, Reminder)
    assert sent.state == ReminderState.SENT


@pytest.mark.parametrize("status", [412, 502, 504])
async def test_a_passing_fault_is_tried_again_after_the_claim_timeout_and_lands_once(teams: TeamsSide, status: int):
    _window_id, root = await _window(teams)
    teams.fake.fail(REPLY, status)
    await teams_tick_at(teams, WEEK_NOTICE)
    [claimed] = await stored(teams, Reminder)
    assert claimed.state == ReminderState.CLAIMED and claimed.error == f"Teams answered {status}"
    await teams_tick_at(teams, WEEK_NOTICE + timedelta(minutes=2))  # too soon to take over the claim
    assert _thread(teams, root) == []
    await teams_tick_at(teams, WEEK_NOTICE + timedelta(minutes=10))
    assert len(_thread(teams, root)) == 1
    [sent] = await stored(teams, Reminder)
    assert sent.state == ReminderState.SENT


async def test_a_permanent_refusal_is_recorded_and_the_clerk_told_privately(teams: TeamsSide):
    await _window(teams)
    teams.fake.fail(REPLY, 403)
    await teams_tick_at(teams, WEEK_NOTICE)
    [failed] = await stored(teams, Reminder)
    assert (failed.state, failed.error) == (ReminderState.FAILED, "Teams refused the bot (403)")
    [told] = _direct(teams)[teams.clerk.id]
    assert "could not be delivered" in told and TITLE in told
    assert f"notice about comments on “{TITLE}” in the channel: Teams refused the bot (403)" in told
    assert "Check the bot is still in the channel and the people are still in your organisation." in told
    assert "workspace" not in told, "a Teams clerk has no workspace to check"


async def test_members_are_the_team_roster_read_page_by_page(teams: TeamsSide):
    await set_up_teams_committee(teams, OPENED)
    for n in range(250):
        teams.fake.add_member(TEAM_ID, f"Cllr Number {n}")
    tenant = teams.actor(teams.clerk).workspace_id
    members = await teams.directory.channel_members(tenant, CHANNEL_ID)
    assert len(members) == 256 and teams.officer.id in members
    assert [call.query.get("continuationToken") for call in teams.fake.calls_to(PAGED_MEMBERS)] == [None, "100", "200"]
    again = await teams.directory.channel_members(tenant, CHANNEL_ID)
    assert again == members and len(teams.fake.calls_to(PAGED_MEMBERS)) == 3, "the roster is cached"
    names = await teams.directory.display_names(tenant, [teams.chair.id, "29:not-in-the-tenant"])
    assert names == {teams.chair.id: "Cllr Chair"}


async def test_slack_and_teams_committees_in_one_database_two_schedulers_each_reminder_once(database):
    slack = await start_stack(database)
    teams = await start_teams_side(database)
    try:
        with time_machine.travel(OPENED, tick=True):
            await set_up_committee(slack)
            await open_window(slack, TITLE, "31 March 2026")
        await _window(teams)

        def instance() -> Platforms:
            teams_half = teams_platform(database, connection_manager(), message_card, graph_url=teams.fake.graph_url)
            return Platforms([teams_half, Platform(slack.bot.reminders, slack.bot.directory)])

        schedulers = [instance() for _ in range(2)]
        with time_machine.travel(TOMORROW_NOTICE, tick=False):
            await asyncio.gather(
                *(tick(Services(database, both), both, f"instance-{n}", FAST) for n, both in enumerate(schedulers))
            )
        slack_keys = [p.params["metadata"]["event_payload"]["key"] for p in reminder_posts(slack)]
        teams_posts = [c for c in teams.fake.calls if c.kind in (SEND, REPLY) and not c.failed]
        teams_keys = [call.body["attachments"][0]["content"]["id"] for call in teams_posts]
        assert len(slack_keys) == len(set(slack_keys)) == 5  # the notice, and four nudges: nobody has commented
        assert len(teams_keys) == len(set(teams_keys)) == 4  # the notice, and three nudges
        assert all(CHANNEL_ID in key or "|29:" in key for key in teams_keys), "no Slack reminder went to Teams"
    finally:
        await slack.stop()
        await teams.fake.stop()


async def test_when_comments_close_the_officer_is_offered_the_compiled_comments_in_their_chat(teams: TeamsSide):
    window_id, root = await _window(teams)
    await teams_tick_at(teams, datetime(2026, 3, 31, 22, 59, 59, tzinfo=UTC))
    assert "Comments closed" in _thread(teams, root)[-1] and "1 comment from 1 member" in _thread(teams, root)[-1]
    chat = teams.fake.chat_with(teams.officer.id)
    told, offer = teams.fake.messages_in(chat)
    assert TITLE in _read(told)
    [consent] = offer.activity["attachments"]
    assert consent["contentType"] == "application/vnd.microsoft.teams.card.file.consent"
    assert consent["name"].endswith(".docx") and consent["content"]["sizeInBytes"] > 0

    # The officer presses Allow: Teams sends the consent card's context back with where to upload the file.
    accepted = {"action": "accept", "context": consent["content"]["acceptContext"],
                "uploadInfo": teams.fake.upload_info(consent["name"])}  # fmt: skip
    officer = teams.actor(teams.officer)
    hosts = TeamsSettings.from_environment(teams_environment(teams.fake)).file_hosts  # the fake is where files are kept
    card = await upload_accepted(teams.services, accepted, officer, hosts)
    assert card["contentType"] == "application/vnd.microsoft.teams.card.file.info"
    document = Document(io.BytesIO(teams.fake.uploads[consent["name"]]))
    assert "A view." in "\n".join(paragraph.text for paragraph in document.paragraphs)

    # The same context, sent by a member who is neither the officer nor a clerk, uploads nothing.
    forged = {**accepted, "context": {**accepted["context"], "for": teams.members[1].id}}
    teams.fake.uploads.clear()
    with pytest.raises(NotAllowed):
        await upload_accepted(teams.services, forged, teams.actor(teams.members[1]), hosts)
    assert teams.fake.uploads == {} and window_id


async def test_with_credentials_every_call_to_teams_carries_the_bots_token(database):
    """A tenant's install: the kept claims name the bot, so each call gets a token for the Bot Framework (or, for
    the crash check, Graph), and the connector turns away anything else."""
    side = await start_teams_side(database, credentials=True)
    try:
        side.fake.required_token = IssuedToken.TOKEN
        claims = {"aud": BOT_APP_ID, "appid": BOT_APP_ID, "tid": TENANT_ID, "ver": "1.0"}
        await set_up_teams_committee(side, OPENED, claims)
        window_id = await open_teams_window(side, TITLE, "31 March 2026", OPENED, announce=False)
        IssuedToken.asked.clear()
        await teams_tick_at(side, WEEK_NOTICE)
        async with database.engine.begin() as connection:  # a crash before recording: Graph is read next time
            await connection.execute(update(Reminder).values(state=ReminderState.CLAIMED, completed_at=None))
        await teams_tick_at(side, WEEK_NOTICE + timedelta(minutes=10))
        assert window_id and len(side.fake.messages_in(CHANNEL_ID)) == 1
        assert {call.token for call in side.fake.calls} == {IssuedToken.TOKEN}
        assert ("https://api.botframework.com", ("https://api.botframework.com/.default",)) in IssuedToken.asked
        assert ("https://graph.microsoft.com", ("https://graph.microsoft.com/.default",)) in IssuedToken.asked
    finally:
        await side.fake.stop()


# The twins of tests/test_reminder_occasions_e2e.py: each occasion posted once, at the committee's reminder hour on a
# working day, only while it still makes sense, and named as people name it; read from what Teams holds.

LONDON = ZoneInfo("Europe/London")
REPORT = "Draft annual report 2026/27"
REPORT_BACK = "Report back on the placement sufficiency strategy."


def london(year: int, month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=LONDON).astimezone(UTC)


async def _each_day_at_the_hour(side: TeamsSide, first: date, last: date, hour: int = 9) -> None:
    day = first
    while day <= last:
        await teams_tick_at(side, london(day.year, day.month, day.day, hour))
        day += timedelta(days=1)


async def _record(side: TeamsSide, at: datetime, text: str, due: str, kind: str = "action", owner=None) -> None:
    """The clerk records a resolution in the register, as the Teams dialog does through the handler."""
    with time_machine.travel(at, tick=True):
        draft = ResolutionDraft(text, kind, owner_user_id=owner.id if owner else None, due_text=due)
        await record_resolution(side.services, side.actor(side.clerk), draft, f"record-{text}")


async def _meeting(side: TeamsSide, at: datetime, when: str) -> int:
    with time_machine.travel(at, tick=True):
        return (await add_meeting(side.services, side.actor(side.clerk), when, f"meeting-{when}")).id


async def _sent(side: TeamsSide, target: str | None = None) -> list[tuple[str, str]]:
    """(kind, the words a person reads) of each reminder sent to `target` (the channel or a person's 1:1 chat) or
    anywhere, oldest first; each is the one message Teams holds for it, and Teams holds no reminder besides."""
    posted = {message.id: message for message in _reminder_messages(side)}
    rows = [row for row in await stored(side, Reminder) if row.state == ReminderState.SENT]
    assert sorted(row.message_ref for row in rows) == sorted(posted), "a reminder was posted twice or not recorded"
    rows = sorted((row for row in rows if target in (None, row.target)), key=lambda row: (row.completed_at, row.id))
    return [(row.kind, _read(posted[row.message_ref])) for row in rows]


def _reminder_messages(side: TeamsSide) -> list:
    """Every message Teams holds whose card carries a reminder's ledger key (not an announcement, not a file)."""
    every = [message for messages in side.fake.posted.values() for message in messages]
    return [message for message in every if any(_ledger_key(a) for a in message.activity.get("attachments") or [])]


def _ledger_key(attachment: dict) -> bool:
    return "|" in str((attachment.get("content") or {}).get("id", ""))


def _kinds(sent: list[tuple[str, str]]) -> list[str]:
    return [kind for kind, _text in sent]


async def test_teams_a_window_opened_two_days_before_its_deadline_gets_no_seven_day_notice(teams: TeamsSide):
    opened = london(2026, 12, 2, 10)  # a Wednesday
    await set_up_teams_committee(teams, opened)
    await open_teams_window(teams, REPORT, "Friday 4 December 2026", opened)
    await teams_tick_at(teams, london(2026, 12, 2, 10, 1))
    assert await _sent(teams) == [], "a notice planned before the window existed went out at once"
    await _each_day_at_the_hour(teams, date(2026, 12, 3), date(2026, 12, 4))
    channel = await _sent(teams, CHANNEL_ID)
    assert _kinds(channel) == ["window.tomorrow", "window.today"]
    assert "close **tomorrow**" in channel[0][1]
    assert _kinds(await _sent(teams)).count("window.nudge") == 4


async def test_teams_an_action_due_in_three_days_gets_its_due_day_notice_only(teams: TeamsSide):
    recorded = london(2026, 12, 7, 10)
    await set_up_teams_committee(teams, recorded)
    await _record(teams, recorded, "Circulate the budget papers.", "10 December 2026", owner=teams.officer)
    await teams_tick_at(teams, london(2026, 12, 7, 10, 1))
    await _each_day_at_the_hour(teams, date(2026, 12, 8), date(2026, 12, 10))
    assert _kinds(await _sent(teams, CHANNEL_ID)) == ["action.today"]
    [(kind, told)] = await _sent(teams, teams.officer.id)
    assert kind == "action.today" and "Circulate the budget papers." in told


async def test_teams_a_report_owed_to_a_meeting_arranged_at_short_notice_skips_the_notices_already_past(
    teams: TeamsSide,
):
    arranged = london(2026, 12, 7, 10)
    await set_up_teams_committee(teams, arranged)
    await _meeting(teams, arranged, "29 December 2026 10:00")  # agenda deadline 15 December; run-up began 1 December
    await _record(teams, arranged, "Report on the review of SEND transport.", "at its next meeting", "report_back")
    await teams_tick_at(teams, london(2026, 12, 7, 10, 1))
    assert await _sent(teams) == []
    await _each_day_at_the_hour(teams, date(2026, 12, 8), date(2026, 12, 15))
    assert _kinds(await _sent(teams, CHANNEL_ID)) == ["report.week", "report.deadline"]


async def test_teams_on_the_day_of_an_agenda_digest_the_overdue_list_comes_once(teams: TeamsSide):
    recorded = london(2026, 11, 2, 10)
    await set_up_teams_committee(teams, recorded)
    await _record(teams, recorded, "Write to the Minister about school transport.", "20 November 2026")
    await _meeting(teams, recorded, "21 December 2026 10:00")  # agenda deadline Monday 7 December
    await teams_tick_at(teams, london(2026, 12, 7))
    [(kind, digest)] = await _sent(teams, teams.clerk.id)
    assert kind == "meeting.digest"
    assert "Agenda deadline for the meeting on 21 December 2026" in digest
    assert "Write to the Minister about school transport: due 20 November 2026 **overdue**" in digest


async def test_teams_weekly_digests_wait_for_the_working_day_after_a_bank_holiday_monday(teams: TeamsSide):
    recorded = london(2026, 11, 2, 10)
    await set_up_teams_committee(teams, recorded)
    await _record(teams, recorded, "Write to the Minister about school transport.", "20 November 2026")
    digests_by_then = {date(2026, 12, 28): 0, date(2026, 12, 29): 1, date(2027, 5, 3): 1, date(2027, 5, 4): 2}
    for day, digests in digests_by_then.items():
        await teams_tick_at(teams, london(day.year, day.month, day.day))
        assert len(await _sent(teams, teams.clerk.id)) == digests, f"by {day:%A %d %B %Y}"


async def test_teams_notices_of_a_deadline_on_a_bank_holiday_go_out_on_the_working_day_before(teams: TeamsSide):
    opened = london(2026, 12, 1, 10)
    await set_up_teams_committee(teams, opened)
    await open_teams_window(teams, REPORT, "28 December 2026", opened)  # Boxing Day's bank holiday, after Christmas
    await _each_day_at_the_hour(teams, date(2026, 12, 21), date(2026, 12, 28))
    await teams_tick_at(teams, london(2026, 12, 28, 23, 59, 59))
    channel = await _sent(teams, CHANNEL_ID)
    assert _kinds(channel) == ["window.week", "window.today", "window.closed"]
    assert "close **in 7 days**" in channel[0][1]  # Monday 21 December
    assert "close **in 4 days**" in channel[1][1]  # Thursday 24 December, not Christmas Day
    nudges = [text for kind, text in await _sent(teams) if kind == "window.nudge"]
    assert len(nudges) == 4 and all("close **in 4 days**" in text for text in nudges)


async def test_teams_an_agenda_deadline_on_a_bank_holiday_is_kept_on_the_working_day_before(teams: TeamsSide):
    recorded = london(2027, 4, 1, 10)
    await set_up_teams_committee(teams, recorded)
    await _meeting(teams, recorded, "17 May 2027 10:00")  # agenda deadline Monday 3 May, a bank holiday
    await _record(teams, recorded, REPORT_BACK, "at its next meeting", "report_back")
    await _each_day_at_the_hour(teams, date(2027, 4, 2), date(2027, 4, 29))
    before = len(await _sent(teams))
    await teams_tick_at(teams, london(2027, 4, 30))  # Friday
    friday = dict((await _sent(teams))[before:])
    # This committee has a chair, who hears of a report its owner has not touched (Slack's twin has none).
    assert sorted(friday) == ["meeting.digest", "report.deadline", "report.escalation"]
    assert "Reports for the agenda are due in 3 days, by 3 May 2027" in friday["report.deadline"]
    await teams_tick_at(teams, london(2027, 5, 3))
    assert len(await _sent(teams)) == before + len(friday), "a reminder went out on the bank holiday"
    channel = await _sent(teams, CHANNEL_ID)
    assert _kinds(channel) == ["report.lead", "report.week", "report.deadline"]
    # Each notice says how long is left, so none of them reads as the one before it sent again.
    lead, week, _deadline = (re.search(r"due in \d+ days", text)[0] for _kind, text in channel)
    assert (lead, week) == ("due in 14 days", "due in 7 days")


async def test_teams_something_falling_overdue_midweek_waits_for_the_next_weekly_digest(teams: TeamsSide):
    recorded = london(2026, 11, 30, 10)
    await set_up_teams_committee(teams, recorded)
    await _record(teams, recorded, "Circulate the budget papers.", "8 December 2026")
    await teams_tick_at(teams, london(2026, 12, 7))  # Monday: nothing overdue yet
    await teams_tick_at(teams, london(2026, 12, 9, 11, 45))  # Wednesday: overdue since Tuesday night
    assert await _sent(teams, teams.clerk.id) == [], "the week's digest went out late, at 11:45"
    await teams_tick_at(teams, london(2026, 12, 14))
    [(_kind, digest)] = await _sent(teams, teams.clerk.id)
    assert "R1 Circulate the budget papers: due 8 December 2026 **overdue**" in digest


async def test_teams_notices_not_sent_after_downtime_are_named_as_people_name_them(teams: TeamsSide):
    recorded = london(2027, 1, 4, 10)
    await set_up_teams_committee(teams, recorded)
    await _meeting(teams, recorded, "23 February 2027 10:00")  # agenda deadline 9 February
    await _record(teams, recorded, REPORT_BACK, "at its next meeting", "report_back")
    await teams_tick_at(teams, london(2027, 2, 9, 12))  # down since before the first two report reminders
    await teams_tick_at(teams, london(2027, 2, 15))  # Monday: the clerk's weekly digest owns up to them
    [digest] = [text for _kind, text in await _sent(teams, teams.clerk.id) if "Not sent" in text]
    named = "the second report reminder about R1 Report back on the placement sufficiency strategy, due to go out"
    assert f"{named} Tuesday 2 February 2027 at 09:00" in digest
    assert "resolution:" not in digest


# More twins of tests/test_reminders_e2e.py.


async def test_teams_after_downtime_sensible_reminders_are_sent_and_stale_ones_dropped(teams: TeamsSide):
    await _window(teams)
    await teams_tick_at(teams, datetime(2026, 3, 31, 12, 0, tzinfo=UTC))  # down since before the week's notice
    assert _kinds(await _sent(teams)) == ["window.today"]
    dropped = [row.kind for row in await stored(teams, Reminder) if row.state == ReminderState.DROPPED]
    assert "window.week" in dropped and "window.tomorrow" in dropped
    # Easter Monday is a bank holiday: on the Tuesday, the clerk's weekly digest owns up to them.
    await teams_tick_at(teams, datetime(2026, 4, 7, 8, 0, tzinfo=UTC))
    [(_kind, digest)] = await _sent(teams, teams.clerk.id)
    assert "Not sent, because they were out of date" in digest
    assert f"the 7-day notice about comments on “{TITLE}”, due to go out Tuesday 24 March" in digest
    assert "window:" not in digest


async def test_teams_autumn_clock_change_and_a_committee_in_another_zone(teams: TeamsSide):
    opened = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
    await set_up_teams_committee(teams, opened)
    with time_machine.travel(opened, tick=True):
        await set_reminder_settings(teams.services, teams.actor(teams.clerk), 8, None)
    await open_teams_window(teams, "Budget consultation", "27 October 2026", opened)
    await teams_tick_at(teams, datetime(2026, 10, 20, 7, 0, tzinfo=UTC))  # 08:00 BST, a week before
    assert _kinds(await _sent(teams)) == ["window.week"]
    await teams_tick_at(teams, datetime(2026, 10, 26, 8, 0, tzinfo=UTC))  # 08:00 GMT after the change
    assert _kinds(await _sent(teams, CHANNEL_ID)) == ["window.week", "window.tomorrow"]
    assert _kinds(await _sent(teams)).count("window.nudge") == 4


async def test_teams_weekend_notices_move_to_friday_unless_the_deadline_is_at_a_weekend(teams: TeamsSide):
    opened = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    await set_up_teams_committee(teams, opened)
    await open_teams_window(teams, "Draft plan", "Monday 18 May 2026", opened)
    await teams_tick_at(teams, datetime(2026, 5, 11, 8, 0, tzinfo=UTC))  # Monday 11 May: the week's notice
    await teams_tick_at(teams, datetime(2026, 5, 15, 8, 0, tzinfo=UTC))  # Friday: "tomorrow" would be a Sunday
    channel = await _sent(teams, CHANNEL_ID)
    assert _kinds(channel) == ["window.week", "window.tomorrow"]
    assert "close **in 3 days**" in channel[1][1]
    assert "No member has responded yet." in channel[0][1]


async def test_teams_report_back_and_the_clerks_agenda_digest(teams: TeamsSide):
    recorded = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    await set_up_teams_committee(teams, recorded)  # with Cllr Chair as its chair
    await _meeting(teams, recorded, "29 July 2026 10:00")
    report = "Report from the task and finish group."
    await _record(teams, recorded, report, "to a future meeting", "report_back", owner=teams.officer)
    for day in (1, 8, 15):  # lead time begins 1 July, a week later, agenda deadline 15 July
        await teams_tick_at(teams, datetime(2026, 7, day, 8, 0, tzinfo=UTC))
    channel = await _sent(teams, CHANNEL_ID)
    assert _kinds(channel) == ["report.lead", "report.week", "report.deadline"]
    assert "Report due back at the meeting on 29 July 2026" in channel[0][1]
    [(_kind, digest)] = await _sent(teams, teams.clerk.id)
    assert "Agenda deadline for the meeting on 29 July 2026" in digest
    assert "Report from the task and finish group: due at the meeting on 29 July 2026" in digest
    [(kind, escalation)] = await _sent(teams, teams.chair.id)  # nobody updated the report through two reminders
    assert kind == "report.escalation" and "You are told as chair" in escalation


# More twins of tests/test_reminder_occasions_e2e.py: what a clerk changes.

MEETINGS = (date(2027, 1, 26), date(2027, 2, 9), date(2027, 3, 9))


async def _as_clerk(side: TeamsSide, at: datetime, change, *arguments):
    """A clerk's change at `at`, through its handler, as the Teams command or dialog makes it."""
    with time_machine.travel(at, tick=True):
        return await change(side.services, side.actor(side.clerk), *arguments)


async def test_teams_changing_the_reminder_hour_never_posts_a_sent_reminder_again(teams: TeamsSide):
    await set_up_teams_committee(teams, london(2026, 11, 2, 10))
    await _record(teams, london(2026, 11, 2, 10), "Write to the Minister about school transport.", "20 November 2026")
    for day in (13, 20, 23, 30):  # the action's two notices, then Mondays' overdue digests
        await teams_tick_at(teams, london(2026, 11, day))
    await open_teams_window(teams, REPORT, "11 December 2026", london(2026, 11, 30, 10))
    await teams_tick_at(teams, london(2026, 12, 4, 9))  # Friday: "close **in 7 days**"
    for minute, hour in ((30, 8), (31, 7)):
        await _as_clerk(teams, london(2026, 12, 4, 9, minute), set_reminder_settings, hour, True)
        await teams_tick_at(teams, london(2026, 12, 4, 9, minute, 30))
    await teams_tick_at(teams, london(2026, 12, 7, 7))  # Monday at the new hour: the overdue digest
    await _as_clerk(teams, london(2026, 12, 7, 7, 30), set_reminder_settings, 9, None)
    await _each_day_at_the_hour(teams, date(2026, 12, 7), date(2026, 12, 10))
    # After the day-before notice, so the 7-day one is out of date:
    await _as_clerk(teams, london(2026, 12, 10, 9, 30), set_reminder_settings, 8, None)
    await teams_tick_at(teams, london(2026, 12, 10, 9, 31))
    await _each_day_at_the_hour(teams, date(2026, 12, 11), date(2026, 12, 14), hour=8)
    await teams_tick_at(teams, london(2026, 12, 11, 23, 59, 59))

    channel = _kinds(await _sent(teams, CHANNEL_ID))
    assert channel == ["action.week", "action.today", "window.week", "window.tomorrow", "window.today", "window.closed"]
    digests = [text for _kind, text in await _sent(teams, teams.clerk.id)]
    assert len(digests) == 4 and all("Overdue resolutions" in text for text in digests)  # 23, 30 Nov, 7, 14 Dec
    assert not [text for text in digests if "Not sent" in text], "notices sent at the old hour were called out of date"
    assert {row.state for row in await stored(teams, Reminder)} == {ReminderState.SENT}


async def test_teams_moving_a_deadline_by_hours_a_meeting_within_its_day_or_changing_the_zone_posts_nothing_again(
    teams: TeamsSide,
):
    start = london(2026, 11, 30, 10)
    await set_up_teams_committee(teams, start)
    await open_teams_window(teams, REPORT, "11 December 2026 17:00", start)
    meeting_id = await _meeting(teams, start, "21 December 2026 10:00")
    await _record(teams, start, "Update on foster care.", "at its next meeting", "report_back")
    await teams_tick_at(teams, london(2026, 12, 4, 9))  # the 7-day notice
    await _as_clerk(teams, london(2026, 12, 4, 10), move_deadline, "annual-report-2026", "11 December 2026 23:00")
    await teams_tick_at(teams, london(2026, 12, 4, 10, 1))
    await teams_tick_at(teams, london(2026, 12, 7, 9))  # the agenda deadline: the report's notice and the digest
    await _as_clerk(teams, london(2026, 12, 7, 10), move_meeting, meeting_id, "21 December 2026 14:00")
    await teams_tick_at(teams, london(2026, 12, 7, 10, 1))
    in_paris = CommitteeSetup(COMMITTEE, "Europe/Paris", (teams.clerk.id,), teams.chair.id)
    await _as_clerk(teams, london(2026, 12, 7, 10, 30), set_up_committee_here, in_paris)
    await teams_tick_at(teams, london(2026, 12, 7, 10, 31))
    await teams_tick_at(teams, london(2026, 12, 8, 9))

    assert _kinds(await _sent(teams, CHANNEL_ID)) == ["window.week", "report.deadline"]
    assert _kinds(await _sent(teams, teams.clerk.id)) == ["meeting.digest"]


async def test_teams_a_deadline_moved_closer_skips_the_notices_already_past_and_one_moved_to_another_day_starts_afresh(
    teams: TeamsSide,
):
    await set_up_teams_committee(teams, london(2026, 11, 30, 10))
    await open_teams_window(teams, REPORT, "31 December 2026", london(2026, 11, 30, 10))
    moved = await _as_clerk(teams, london(2026, 12, 7, 10), move_deadline, "annual-report-2026", "10 December 2026")
    await teams_tick_at(teams, london(2026, 12, 7, 10, 1))
    assert await _sent(teams) == []
    assert moved.deadline.instant == london(2026, 12, 10, 23, 59, 59)
    await _each_day_at_the_hour(teams, date(2026, 12, 8), date(2026, 12, 10))
    # Reopened for another week, the same day: a new occasion.
    await _as_clerk(teams, london(2026, 12, 10, 12), move_deadline, "annual-report-2026", "17 December 2026")
    await teams_tick_at(teams, london(2026, 12, 10, 12, 1))
    await _each_day_at_the_hour(teams, date(2026, 12, 11), date(2026, 12, 17))
    kinds = _kinds(await _sent(teams, CHANNEL_ID))
    assert kinds == ["window.tomorrow", "window.today", "window.tomorrow", "window.today"]


async def test_teams_a_report_owed_at_the_next_meeting_moves_on_as_each_meeting_passes_without_anyone_asking(
    teams: TeamsSide,
):
    start = london(2027, 1, 4, 10)
    await set_up_teams_committee(teams, start)
    for day in MEETINGS:
        await _meeting(teams, start, f"{day.day} {day:%B %Y} 10:00")
    await _record(teams, start, REPORT_BACK, "at its next meeting", "report_back", owner=teams.officer)
    await _each_day_at_the_hour(teams, date(2027, 1, 5), date(2027, 1, 26))
    await teams_tick_at(teams, london(2027, 1, 26, 10, 1))  # the meeting has started without the report
    await teams_tick_at(teams, london(2027, 1, 26, 11, 46))
    assert "report.slipped" not in _kinds(await _sent(teams)), "routine notices wait for the hour"
    await _each_day_at_the_hour(teams, date(2027, 1, 27), date(2027, 2, 9))
    await teams_tick_at(teams, london(2027, 2, 9, 10, 1))
    await _each_day_at_the_hour(teams, date(2027, 2, 10), date(2027, 3, 8))

    channel = await _sent(teams, CHANNEL_ID)
    assert _kinds(channel) == [
        "report.week",  # 5 January, for 26 January (the first notice was due before the report was recorded)
        "report.deadline",  # 12 January
        "report.slipped",  # 27 January: now due 9 February, whose agenda deadline was the day of the meeting
        "report.slipped",  # 10 February: now due 9 March
        "report.week",  # 16 February
        "report.deadline",  # 23 February
    ]
    slipped = channel[2][1]
    assert "Report now due at the meeting on 9 February 2027" in slipped
    assert "It was due at the meeting on 26 January 2027" in slipped
    assert "Report due back at the meeting on 9 March 2027" in channel[4][1]
    digests = await _sent(teams, teams.clerk.id)
    assert _kinds(digests) == ["meeting.digest"] * 3, "the weekly overdue digest never lists the report"
    for (_kind, digest), day in zip(digests, MEETINGS, strict=True):
        assert f"Agenda deadline for the meeting on {day.day} {day:%B %Y}" in digest
    assert "R1 " in digests[1][1] and "due at the meeting on 26 January 2027" in digests[1][1]  # may slip here
    [resolution] = await stored(teams, Resolution)
    assert resolution.slipped_count == 2 and resolution.due_at == london(2027, 3, 9, 10)


async def test_teams_moving_a_meeting_is_not_a_slip(teams: TeamsSide):
    start = london(2027, 1, 4, 10)
    await set_up_teams_committee(teams, start)
    meeting_id = await _meeting(teams, start, "26 January 2027 10:00")
    await _record(teams, start, REPORT_BACK, "at its next meeting", "report_back")
    await _as_clerk(teams, start, move_meeting, meeting_id, "2 February 2027 10:00")
    [resolution] = await stored(teams, Resolution)
    assert resolution.slipped_count == 0 and resolution.due_at == london(2027, 2, 2, 10)


async def test_teams_a_committee_in_scotland_keeps_scottish_bank_holidays(teams: TeamsSide):
    start = london(2026, 7, 1, 10)
    await set_up_teams_committee(teams, start)
    kept = await _as_clerk(teams, start, set_reminder_settings, 9, True, "scotland")
    assert (kept.hour, kept.bank_holidays) == (9, "scotland")
    await _record(teams, start, "Write to the Minister about school transport.", "20 July 2026")
    await teams_tick_at(teams, london(2026, 8, 3))  # Scotland's summer bank holiday
    assert await _sent(teams, teams.clerk.id) == []
    await teams_tick_at(teams, london(2026, 8, 4))
    assert _kinds(await _sent(teams, teams.clerk.id)) == ["overdue.digest"]


async def test_teams_a_long_digest_is_posted_whole(teams: TeamsSide):
    """Fifteen notices owned up to, each on a line of its own, in the one message: none cut off."""
    topics = "placements, waiting times, school places, transport, respite, adoption, youth work, early help, "
    topics += "fostering, leaving care, mental health, libraries, parks, housing, play areas, sport"
    start = london(2027, 1, 4, 10)
    await set_up_teams_committee(teams, start)
    await _meeting(teams, start, "23 February 2027 10:00")
    for topic in topics.split(", "):
        report = f"Report back on {topic} with the figures for each locality and the plan for the year ahead"
        await _record(teams, start, report, "at its next meeting", "report_back")
    await teams_tick_at(teams, london(2027, 2, 9, 12))  # down since before the second reminder of each report
    await teams_tick_at(teams, london(2027, 2, 15))
    [digest] = [text for _kind, text in await _sent(teams, teams.clerk.id) if "Not sent" in text]
    owned_up = [line for line in digest.splitlines() if line.endswith("at 09:00 (Europe/London)")]
    assert len(owned_up) == 15
    assert all(
        line.strip().startswith(f"• the second report reminder about R{n} ") for n, line in enumerate(owned_up, 1)
    )
