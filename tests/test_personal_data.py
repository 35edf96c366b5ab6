"""UK GDPR: everything held about one member, exported; a member erased from live data and from every export,
recorded in the audit log; comments deleted when the retention period ends. The council is built through Slack
as people build it, and the commands are run as an operator runs them."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from docx import Document

from bot.config import Settings
from bot.scheduler import ReminderScheduler
from handlers.committees import CommitteeSetup, set_up_committee
from handlers.context import Actor
from handlers.reminder_settings import stop_direct_messages
from handlers.reminders import ReminderTiming, tick
from storage.models import (
    Comment,
    CommentDraft,
    CommentRevision,
    Committee,
    MinutesImport,
    PersonalDataLog,
    Reminder,
    ReminderSnooze,
)
from tests.flows import (
    buttons,
    comment_inline,
    ephemerals_to,
    open_window,
    record_resolution,
    shown_text,
    stored,
)
from tests.stack import CHAIR, CHANNEL, CLERK, MEMBERS, OFFICER, TEAM
from tests.support.every_table import every_row
from tests.test_backup import committee_bot, plain_url

PATEL, JONES, SMITH = MEMBERS
COMMITTEE = "Children and Families Overview and Scrutiny Committee"
REPORT = "Draft annual report 2021/22"
FIRST_VIEW = "Foster carers need more respite support."
DRAFT_WORDING = "Draft wording about school transport."
FINAL_WORDING = "Final wording about school transport."
SMITHS_VIEW = "Smith thinks the SEND figures are understated."
UNCONFIRMED = "A thread reply Patel never confirmed."
RESOLUTION = "That officers write to the Secretary of State about respite funding."


async def _council(stack) -> int:
    """A committee (Dana Clerk clerks it, Cllr Chair chairs it) with a report open for comments: Cllr Patel has
    commented twice (editing the second), has a draft, owns an action, has stopped direct messages about the report
    and has been reminded of the action; Cllr Smith commented; Cllr Jones said "no comments"."""
    clerk = Actor(TEAM, CLERK, CHANNEL)
    await set_up_committee(stack.bot.services, clerk, CommitteeSetup(COMMITTEE, clerk_ids=(CLERK,), chair_id=CHAIR))
    window_id = await open_window(stack, REPORT)
    await comment_inline(stack, PATEL, f"annual-report-2021 {FIRST_VIEW}")
    receipt = await comment_inline(stack, PATEL, f"annual-report-2021 {DRAFT_WORDING}")
    await _edit(stack, PATEL, buttons(receipt)["Edit"]["value"], FINAL_WORDING)
    await comment_inline(stack, SMITH, f"annual-report-2021 {SMITHS_VIEW}")
    await stack.slack.block_action("comment.none", str(window_id), user_id=JONES, channel_id=CHANNEL)
    await record_resolution(stack, RESOLUTION, due="30 April 2041", owner_user_id=PATEL)
    await stop_direct_messages(stack.bot.services, Actor(TEAM, PATEL), f"window:{window_id}")
    async with stack.database.session() as session:
        session.add(CommentDraft(window_id=window_id, author_user_id=PATEL, text=UNCONFIRMED, source_key="thread:1"))
        await session.commit()
    with time_machine.travel(datetime(2041, 4, 28, 12, 0, tzinfo=UTC), tick=False):  # the week's notice is due
        await tick(stack.bot.services, stack.bot.reminders, "test", ReminderTiming(pace_seconds=0))
    assert [r.target for r in await stored(stack, Reminder, target=PATEL)] == [PATEL]
    await stack.bot.delivery.drain()
    return window_id


async def _edit(stack, user: str, comment_id: str, text: str) -> None:
    await stack.slack.block_action("comment.edit", comment_id, user_id=user, channel_id=CHANNEL)
    view = (await stack.fake.wait_for("views.open"))[-1].params["view"]
    state = {
        "section": {"value": {"type": "plain_text_input", "value": None}},
        "text": {"value": {"type": "plain_text_input", "value": text}},
    }
    await stack.slack.view_submission("comment.edit", state, user_id=user, private_metadata=view["private_metadata"])
    await ephemerals_to(stack, user)


async def _compiled_comments(stack) -> dict[str, str]:
    """The officer's export of the report, as the text of each file."""
    stack.fake.uploaded_files.clear()
    uploads = len(stack.fake.calls_to("files.completeUploadExternal"))
    reply = await stack.slack.slash_command("/report", "export annual-report-2021", user_id=OFFICER, channel_id=CHANNEL)
    await stack.fake.wait_for("files.completeUploadExternal", count=uploads + 1)
    files = {f.filename.rsplit(".", 1)[1]: f.content for f in stack.fake.uploaded_files}
    word = "\n".join(p.text for p in Document(io.BytesIO(files["docx"])).paragraphs)
    return {"reply": shown_text(reply.json()), "docx": word, "md": files["md"].decode(), "csv": files["csv"].decode()}


async def _register(stack) -> str:
    stack.fake.uploaded_files.clear()
    uploads = len(stack.fake.calls_to("files.completeUploadExternal"))
    await stack.slack.slash_command("/actions", "export", user_id=CLERK, channel_id=CHANNEL)
    await stack.fake.wait_for("files.completeUploadExternal", count=uploads + 1)
    [word] = [f for f in stack.fake.uploaded_files if f.filename.endswith(".docx")]
    return "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)


async def _leaves(stack, user: str) -> None:
    """They leave the committee's channel, as a councillor who has left office does."""
    stack.fake.members[CHANNEL].remove(user)
    await stack.slack.event({"type": "member_left_channel", "user": user, "channel": CHANNEL})


def _anywhere(rows: dict[str, list[tuple]], needle: str) -> list[str]:
    """The tables holding `needle` in any column of any row."""
    return sorted({name for name, table in rows.items() for row in table for v in row if needle in str(v)})


# --- Export -------------------------------------------------------------------------------------------------------


async def test_a_member_gets_everything_held_about_them_and_nothing_about_anyone_else(stack, tmp_path):
    await _council(stack)
    status, said = committee_bot(plain_url(stack.database), "member", "export", TEAM, PATEL, "--to", str(tmp_path))
    assert status == 0, "\n".join(said)
    stem = tmp_path / f"personal-data-{TEAM}-{PATEL}"
    assert said == [
        f"committee-bot: wrote everything held about {PATEL} in workspace {TEAM} to {stem}.json and {stem}.docx "
        "(2 comments with 3 revisions, 1 draft, 1 resolution, 1 resolution history entry, 1 reminder setting, "
        "1 reminder)."
    ]
    held = json.loads(stem.with_suffix(".json").read_text())
    assert (held["workspace"], held["member"]) == (TEAM, PATEL)
    first, second = held["comments"]
    assert (first["report"], first["committee"], first["text"]) == (REPORT, COMMITTEE, FIRST_VIEW)
    assert [r["text"] for r in second["revisions"]] == [DRAFT_WORDING, FINAL_WORDING]
    assert [r["action"] for r in second["revisions"]] == ["created", "edited"]
    assert [d["text"] for d in held["drafts"]] == [UNCONFIRMED]
    [owned] = held["resolutions"]
    assert (owned["text"], owned["due"], owned["role"]) == (RESOLUTION, "30 April 2041", "owner")
    assert held["reminder_settings"] == [
        {"about": f"the report {REPORT}", "committee": COMMITTEE, "setting": "no direct messages"}
    ]
    assert [(r["about"], r["kind"], r["state"]) for r in held["reminders"]] == [
        ("resolution R1", "action.week", "sent")
    ]
    [change] = held["resolution_changes"]
    assert (change["reference"], change["action"], change["after"]) == ("R1", "created", change["after"])
    assert f"owner: {PATEL}" in change["after"]
    word = "\n".join(p.text for p in Document(io.BytesIO(stem.with_suffix(".docx").read_bytes())).paragraphs)
    for mine in (FIRST_VIEW, DRAFT_WORDING, FINAL_WORDING, UNCONFIRMED, RESOLUTION, REPORT):
        assert mine in word
    exported = stem.with_suffix(".json").read_text() + word
    assert SMITHS_VIEW not in exported and SMITH not in exported and JONES not in exported
    [logged] = await stored(stack, PersonalDataLog)
    assert (logged.action, logged.workspace_id) == ("exported", TEAM) and logged.done_by
    assert PATEL not in logged.member_reference and json.loads(logged.counts)["comments"] == 2


async def test_the_chair_and_clerk_see_their_roles_in_their_export(stack, tmp_path):
    await _council(stack)
    for person, role in ((CHAIR, "chair"), (CLERK, "clerk")):
        assert committee_bot(plain_url(stack.database), "member", "export", TEAM, person, "--to", str(tmp_path))[0] == 0
        held = json.loads((tmp_path / f"personal-data-{TEAM}-{person}.json").read_text())
        assert {"committee": COMMITTEE, "role": role} in held["committee_roles"]
    assert any(change["action"] == "created" for change in held["resolution_changes"])  # the clerk recorded it


async def test_an_export_for_someone_unknown_is_refused_politely(stack, tmp_path):
    await _council(stack)
    folder = tmp_path / "exports"
    folder.mkdir()
    status, said = committee_bot(plain_url(stack.database), "member", "export", TEAM, "UNOBODY", "--to", str(folder))
    assert (status, said) == (
        1,
        [
            f"committee-bot: nothing is held about UNOBODY in workspace {TEAM}, so there is nothing to export; check "
            "the member's id (a Slack user id, such as U012AB3CD)."
        ],
    )
    assert list(folder.iterdir()) == [] and await stored(stack, PersonalDataLog) == []


# --- Erasure ------------------------------------------------------------------------------------------------------


async def test_an_erased_member_leaves_no_trace_and_the_exports_count_their_comments_anonymously(stack):
    await _council(stack)
    status, said = committee_bot(
        plain_url(stack.database), "member", "erase", TEAM, PATEL, "--by", "Jo Bloggs, Data Protection Officer"
    )
    assert status == 0, said
    assert said == [
        f"committee-bot: erased {PATEL}'s personal data in workspace {TEAM}: 2 comments with 3 revisions, 1 draft, "
        "1 resolution, 1 resolution history entry, 1 reminder setting, 1 reminder. Recorded in the audit log."
    ]
    rows = await every_row(stack.database)
    for trace in (PATEL, FIRST_VIEW, DRAFT_WORDING, FINAL_WORDING, UNCONFIRMED):
        assert _anywhere(rows, trace) == [], trace
    assert _anywhere(rows, SMITHS_VIEW) == ["comment", "comment_revision"]  # everyone else's is untouched

    await _leaves(stack, PATEL)
    compiled = await _compiled_comments(stack)
    assert '3 comments, 1 "no comments"' in compiled["reply"]
    for document in ("docx", "md", "csv"):
        assert FINAL_WORDING not in compiled[document] and "Cllr Patel" not in compiled[document]
        assert SMITHS_VIEW in compiled[document]
    assert "2 comments from former members, whose personal data has been erased." in compiled["docx"]
    assert "2 comments from former members, whose personal data has been erased." in compiled["md"]
    csv_rows = list(csv.DictReader(io.StringIO(compiled["csv"])))
    assert [(r["member"], r["response"]) for r in csv_rows if "former" in r["member"]] == [
        ("a former member", "comment")
    ] * 2

    register = await _register(stack)
    assert "Cllr Patel" not in register
    assert "Owner: Not assigned" in register
    assert "reassigned: owner: a former member → owner: not assigned (the owner's personal data was erased)" in register

    [logged] = await stored(stack, PersonalDataLog)
    assert (logged.action, logged.workspace_id, logged.done_by) == (
        "erased",
        TEAM,
        "Jo Bloggs, Data Protection Officer",
    )
    assert len(logged.member_reference) == 64 and PATEL not in logged.member_reference
    assert json.loads(logged.counts) == {
        "comments": 2,
        "comment_revisions": 3,
        "drafts": 1,
        "resolutions": 1,
        "resolution_changes": 1,
        "committee_roles": 0,
        "reports": 0,
        "meetings": 0,
        "reminder_settings": 1,
        "reminder_snoozes": 0,
        "reminders": 1,
    }


async def test_erasing_twice_changes_nothing_the_second_time(stack):
    await _council(stack)
    url = plain_url(stack.database)
    assert committee_bot(url, "member", "erase", TEAM, PATEL)[0] == 0
    after_first = await every_row(stack.database)
    status, said = committee_bot(url, "member", "erase", TEAM, PATEL)
    assert status == 0
    [line] = said
    assert line.startswith(f"committee-bot: {PATEL}'s personal data in workspace {TEAM} was already erased on ")
    assert line.endswith("; nothing more is held about them.")
    assert await every_row(stack.database) == after_first


async def test_erasing_someone_unknown_is_refused_politely_and_changes_nothing(stack):
    await _council(stack)
    before = await every_row(stack.database)
    status, said = committee_bot(plain_url(stack.database), "member", "erase", TEAM, "UNOBODY")
    assert (status, said) == (
        1,
        [
            f"committee-bot: nothing is held about UNOBODY in workspace {TEAM}, so nothing was erased; check the "
            "member's id (a Slack user id, such as U012AB3CD)."
        ],
    )
    status, said = committee_bot(plain_url(stack.database), "member", "erase", "TNOWHERE", PATEL)
    assert (status, said) == (
        1,
        ["committee-bot: there is no workspace TNOWHERE in this database, so nothing was erased; check its id."],
    )
    assert await every_row(stack.database) == before


async def test_an_erased_chair_and_clerk_give_up_their_roles_and_someone_can_take_the_committee_on(stack):
    window_id = await _council(stack)
    async with stack.database.session() as session:  # the clerk snoozed a notice, and has minutes half checked
        [committee] = await stored(stack, Committee)
        session.add(
            ReminderSnooze(
                item=f"window:{window_id}", kind="window.today", occasion="2041-04-30", until=datetime.now(UTC),
                set_by=CLERK,
            )
        )  # fmt: skip
        session.add(MinutesImport(committee_id=committee.id, created_by=CLERK, found="[]"))
        await session.commit()
    url = plain_url(stack.database)
    assert committee_bot(url, "member", "erase", TEAM, CHAIR)[0] == 0
    status, said = committee_bot(url, "member", "erase", TEAM, CLERK)
    assert status == 0
    [line] = said
    assert f"{COMMITTEE} has no clerk now: anyone in its channel can take it on with /committee setup." in line
    rows = await every_row(stack.database)
    assert _anywhere(rows, CLERK) == [] and _anywhere(rows, CHAIR) == []
    reply = await stack.slack.slash_command("/committee", f"setup {COMMITTEE}", user_id=JONES, channel_id=CHANNEL)
    assert "already set up" not in shown_text(reply.json()), shown_text(reply.json())
    reply = await stack.slack.slash_command("/actions", "export", user_id=JONES, channel_id=CHANNEL)
    assert "Only the committee's clerks" not in shown_text(reply.json())


async def test_two_former_members_who_said_no_comments_are_both_counted(stack):
    window_id = await _council(stack)
    await stack.slack.block_action("comment.none", str(window_id), user_id=CHAIR, channel_id=CHANNEL)
    url = plain_url(stack.database)
    for former in (JONES, CHAIR):
        assert committee_bot(url, "member", "erase", TEAM, former)[0] == 0
        await _leaves(stack, former)
    compiled = await _compiled_comments(stack)
    assert "2 former members" in compiled["md"] and "Cllr Jones" not in compiled["md"]


async def test_erasure_in_one_workspace_leaves_the_same_person_in_another_alone(stack):
    await _council(stack)
    from tests.stack import start_stack

    other = await start_stack(stack.database, fake=stack.fake, team="T0002")
    try:
        await other.slack.slash_command("/committee", "setup Planning Committee", user_id=CLERK, channel_id="CPLAN")
    finally:
        await other.stop_instance()
    assert committee_bot(plain_url(stack.database), "member", "erase", TEAM, CLERK)[0] == 0
    rows = await every_row(stack.database)
    assert [row for row in rows["committee_clerk"] if CLERK in row]  # still clerk of T0002's committee


# --- Retention ----------------------------------------------------------------------------------------------------


async def test_comments_are_deleted_once_a_day_by_the_scheduler_when_the_retention_period_ends(stack):
    await _council(stack)
    scheduler = ReminderScheduler(stack.bot.services, stack.bot.reminders, Settings(comment_retention_years=6))
    closed = datetime(2040, 9, 20, 22, 59, 59, tzinfo=UTC)  # 23:59:59 BST on 20 September 2040
    six_years_on = closed + relativedelta(years=6)

    async def scheduler_ticks_at(instant: datetime) -> None:
        with time_machine.travel(instant, tick=False):
            await scheduler.run_once()

    await scheduler_ticks_at(six_years_on - timedelta(hours=1))  # the day's sweep: nothing is old enough yet
    for minutes in (61, 62, 63):  # ticks a minute apart: the sweep has run today, and does not run again
        await scheduler_ticks_at(six_years_on + timedelta(minutes=minutes - 60))
    assert len(await stored(stack, Comment)) == 4 and await stored(stack, PersonalDataLog) == []

    await scheduler_ticks_at(six_years_on - timedelta(hours=1) + timedelta(days=1))
    assert await stored(stack, Comment) == [] and await stored(stack, CommentRevision) == []
    assert await stored(stack, CommentDraft) == []
    [logged] = await stored(stack, PersonalDataLog)
    assert (logged.action, logged.workspace_id, logged.member_reference) == ("retention", None, None)
    assert json.loads(logged.counts) == {"reports": 1, "comments": 4, "comment_revisions": 5, "drafts": 1}

    with time_machine.travel(six_years_on + timedelta(days=1), tick=True):
        compiled = await stack.slack.slash_command(
            "/report", "export annual-report-2021", user_id=OFFICER, channel_id=CHANNEL
        )
    assert shown_text(compiled.json()).endswith(
        f"The comments on {REPORT} were deleted on 21 September 2046, at the end of the council's retention period "
        "for committee records, so there is nothing left to export."
    )


def test_the_retention_period_is_six_years_unless_set_otherwise():
    assert Settings.from_environment({}).comment_retention_years == 6
    assert Settings.from_environment({"COMMENT_RETENTION_YEARS": "7"}).comment_retention_years == 7
    for wrong in ("0", "six", "-1"):
        with pytest.raises(SystemExit) as refused:
            Settings.from_environment({"COMMENT_RETENTION_YEARS": wrong})
        assert str(refused.value) == (
            f"committee-bot: COMMENT_RETENTION_YEARS must be a whole number of years, at least 1, not {wrong!r}."
        )


async def test_after_the_receiving_officer_is_erased_the_closing_notice_names_no_one_and_nothing_is_sent_to_them(stack):
    await _council(stack)
    assert committee_bot(plain_url(stack.database), "member", "erase", TEAM, OFFICER)[0] == 0
    posts_before = len(stack.fake.calls_to("chat.postMessage"))
    with time_machine.travel(datetime(2040, 9, 20, 23, 0, tzinfo=UTC), tick=False):  # just after the deadline
        await tick(stack.bot.services, stack.bot.reminders, "test", ReminderTiming(pace_seconds=0))
    await stack.bot.delivery.drain()
    posts = [call.params for call in stack.fake.calls_to("chat.postMessage")[posts_before:]]
    [closed] = [post for post in posts if "Comments closed" in shown_text(post)]
    assert "a former member has them" in shown_text(closed) and "<@a former member>" not in shown_text(closed)
    assert [post["channel"] for post in posts] == [CHANNEL]  # no direct message to someone who is gone
    assert not stack.fake.uploaded_files
