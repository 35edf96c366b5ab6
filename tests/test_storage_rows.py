"""The hot paths' statements run as plain rows (storage/direct.py: on asyncpg directly, on SQLite through Core):
what their callers rely on holds on both databases. A duplicate request key is the Conflict callers catch and
leaves nothing behind; times come back aware and in UTC; a list of committees, a page and its total are what the
register lists."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from storage.comments import NewComment, comment_of_request, live_comments, save_with_revision, window_for_person
from storage.database import Conflict
from storage.models import (
    CommentWindow,
    Committee,
    CommitteeClerk,
    ReminderMute,
    Resolution,
    RevisionAction,
    Workspace,
)
from storage.register import ActionFilters, open_resolutions
from storage.settings import muted_for_everyone

NOW = datetime(2026, 6, 17, 9, 0, tzinfo=UTC)
TEAM = "T1"


async def _council(database) -> None:
    async with database.session() as session:
        session.add(Workspace(id=TEAM, created_at=NOW))
        await session.flush()
        for n in (1, 2, 3):
            session.add(Committee(id=n, workspace_id=TEAM, channel_id=f"C{n}", name=f"Committee {n}", created_by="U0"))
        await session.flush()
        session.add(CommitteeClerk(committee_id=1, user_id="UCLERK"))
        session.add(
            CommentWindow(
                id=1,
                committee_id=1,
                ref="annual-report",
                title="Draft annual report",
                officer_user_id="UOFFICER",
                deadline=NOW + timedelta(days=30),
                deadline_day=(NOW + timedelta(days=30)).date(),
                opened_by="UCLERK",
                request_key="open:1",
            )
        )
        for n in range(12):
            session.add(
                Resolution(
                    committee_id=n % 3 + 1,
                    text=f"Action {n}",
                    kind="action",
                    due_at=NOW + timedelta(days=n),
                    created_by="UCLERK",
                    request_key=f"resolution:{n}",
                )
            )
        await session.commit()


def _comment(author: str) -> NewComment:
    return NewComment(
        window_id=1, author_user_id=author, text="Paragraph 4 should say more.", created_at=NOW, updated_at=NOW
    )


async def test_a_request_key_used_twice_is_a_conflict_and_leaves_only_the_first_comment(database):
    await _council(database)
    async with database.session() as session:
        await save_with_revision(session, _comment("UMEMBER"), RevisionAction.CREATED, "UMEMBER", "slack:T1:view:V1")
        await session.commit()
    async with database.session() as session:
        with pytest.raises(Conflict):
            await save_with_revision(
                session, _comment("UMEMBER"), RevisionAction.CREATED, "UMEMBER", "slack:T1:view:V1"
            )
        await session.rollback()
    async with database.session() as session:
        comments = await live_comments(session, [1], "UMEMBER")
        assert [c.text for c in comments] == ["Paragraph 4 should say more."]
        assert await comment_of_request(session, "slack:T1:view:V1") == comments[0].id


async def test_a_window_comes_back_with_its_committee_aware_times_and_whether_the_person_clerks_it(database):
    await _council(database)
    async with database.session() as session:
        window, committee, clerks_it = await window_for_person(session, TEAM, 1, "UCLERK")
        _, _, member_clerks_it = await window_for_person(session, TEAM, 1, "UMEMBER")
        elsewhere = await window_for_person(session, "T2", 1, "UCLERK")
    assert (window.title, committee.name, clerks_it, member_clerks_it) == (
        "Draft annual report",
        "Committee 1",
        True,
        False,
    )
    assert window.deadline == NOW + timedelta(days=30) and window.deadline.utcoffset() == timedelta(0)
    assert elsewhere is None


async def test_a_page_of_some_committees_resolutions_soonest_first_with_the_count_of_all(database):
    await _council(database)
    filters = ActionFilters(TEAM, now=NOW - timedelta(days=1), committee_ids=[1, 3])
    async with database.session() as session:
        first, total = await open_resolutions(session, filters, offset=0, limit=5)
        last, _ = await open_resolutions(session, filters, offset=5, limit=5)
        past_the_end = await open_resolutions(session, filters, offset=20, limit=5)
    assert total == 8
    assert [r.text for r, _ in first + last] == [f"Action {n}" for n in range(12) if n % 3 != 1]
    assert {c.name for _, c in first + last} == {"Committee 1", "Committee 3"}
    assert all(r.due_at.utcoffset() == timedelta(0) for r, _ in first)
    assert past_the_end == ([], 8)


async def test_a_committees_muted_items_are_its_own_muted_for_everyone_in_the_order_muted(database):
    await _council(database)
    async with database.session() as session:
        resolutions = {r.committee_id: r.id for r in await session.exec(select(Resolution).order_by(Resolution.id))}
        session.add(ReminderMute(item="window:1", set_by="UCLERK", set_at=NOW + timedelta(hours=2)))
        session.add(ReminderMute(item=f"resolution:{resolutions[1]}", set_by="UCLERK", set_at=NOW))
        session.add(ReminderMute(item=f"resolution:{resolutions[2]}", set_by="UCLERK", set_at=NOW))  # another's
        session.add(ReminderMute(item="window:1", user_id="UMEMBER", set_by="UMEMBER"))  # one member's DMs only
        await session.commit()
    async with database.session() as session:
        muted = await muted_for_everyone(session, committee_id=1)
    assert [item for item, _row in muted] == [f"resolution:{resolutions[1]}", "window:1"]
    assert isinstance(muted[1][1], CommentWindow) and muted[1][1].title == "Draft annual report"
