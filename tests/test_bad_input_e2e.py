"""Bad input gets a polite ephemeral message, a log line, and changes nothing."""

import logging
from contextlib import asynccontextmanager

from sqlalchemy import text

from storage.models import Comment, CommentRevision, CommentWindow, Committee, Resolution
from tests.flows import comment_inline, open_window, record_resolution, set_up_committee, shown_text, stored
from tests.stack import CHANNEL, MEMBERS

PATEL, JONES, _ = MEMBERS


async def _two_windows(stack) -> None:
    await set_up_committee(stack)
    await open_window(stack, "Draft annual report 2021/22")
    await open_window(stack, "Draft annual report 2022/23")


async def test_empty_comment(stack, caplog):
    await _two_windows(stack)
    with caplog.at_level(logging.INFO):
        answer = await comment_inline(stack, PATEL, "annual-report-2021")
    assert answer["response_type"] == "ephemeral"
    assert "What would you like to say about Draft annual report 2021/22?" in shown_text(answer)
    assert "refused" in caplog.text
    assert await stored(stack, Comment) == []


async def test_overlong_comment_says_the_limit_and_gives_all_of_it_back(stack):
    await _two_windows(stack)
    paragraph = ("A point about placements that I want the Director to read. " * 60)[:3001]
    answer = await comment_inline(stack, PATEL, "annual-report-2021 " + paragraph)
    assert "at most 3,000 characters; yours has 3,001" in shown_text(answer)
    sections = [block["text"]["text"] for block in answer["blocks"] if block["type"] == "section"]
    assert all(len(section) <= 3000 for section in sections)
    given_back = " ".join(line.removeprefix("> ") for line in "\n".join(sections).splitlines() if line.startswith("> "))
    assert " ".join(given_back.split()) == " ".join(f"annual-report-2021 {paragraph}".split())
    assert await stored(stack, Comment) == []


async def test_exactly_the_limit_is_accepted(stack):
    await _two_windows(stack)
    answer = await comment_inline(stack, PATEL, "annual-report-2021 " + "x" * 3000)
    assert "is saved" in shown_text(answer)


async def test_unknown_report_lists_the_open_ones(stack):
    await _two_windows(stack)
    answer = await comment_inline(stack, PATEL, "budget-2024 Some view")
    text_shown = shown_text(answer)
    assert "Which report is this about? Start with its reference" in text_shown
    assert "`annual-report-2021`" in text_shown and "`annual-report-2022`" in text_shown


async def test_ambiguous_report_lists_the_candidates(stack):
    await _two_windows(stack)
    stack.fake.members["COTHER"] = [PATEL]
    await set_up_committee(stack, "Adults Scrutiny Commission", channel="COTHER")
    await open_window(stack, "Draft annual report 2021/22", channel="COTHER")
    answer = await comment_inline(stack, PATEL, "annual-report-2021 I like it")
    shown = shown_text(answer)
    assert '"annual-report-2021 I like it" could mean more than one report' in shown
    assert "Adults Scrutiny Commission" in shown and "Children and Families Overview and Scrutiny Committee" in shown
    assert await stored(stack, Comment) == []


async def test_invisible_control_characters_are_dropped_and_word_line_breaks_kept_everywhere(stack):
    """A NUL pasted into a name, a title or a resolution failed on PostgreSQL with "try again in a minute" (it
    never would succeed), and Word's manual line break (a vertical tab) made a comment "invisible characters"."""
    await set_up_committee(stack, "Children\x00 and Families Committee")
    await open_window(stack, "Draft annual\x00 report 2021/22")
    receipt = await comment_inline(stack, PATEL, "annual-report-2021 First line\vsecond line\fthird\x07 line")
    assert "is saved" in shown_text(receipt)
    answer = await record_resolution(stack, "Officers\x00 to review\vschool transport.", due="1 June 2041")
    assert "R1" in shown_text(answer), answer
    [committee] = await stored(stack, Committee)
    [window] = await stored(stack, CommentWindow)
    [comment] = await stored(stack, Comment)
    [resolution] = await stored(stack, Resolution)
    assert (committee.name, window.title) == ("Children and Families Committee", "Draft annual report 2021/22")
    assert comment.text == "First line\nsecond line\nthird line"
    assert resolution.text == "Officers to review\nschool transport."


async def test_unknown_button_values_are_refused_politely(stack):
    await _two_windows(stack)
    for action, value in (("comment.withdraw", "999999"), ("comment.none", "not-a-number"), ("comment.edit", "")):
        reply = await stack.slack.block_action(action, value, user_id=PATEL, channel_id=CHANNEL)
        assert reply.status == 200
    bodies = [body for _, body in await stack.fake.wait_for_response(count=3)]
    assert all(":warning:" in shown_text(body) for body in bodies)
    assert await stored(stack, Comment) == []


FAILING_TRIGGER = {
    "sqlite": [
        "CREATE TRIGGER fail_revisions BEFORE INSERT ON comment_revision BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION fail_revisions() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ "
        "LANGUAGE plpgsql",
        "CREATE TRIGGER fail_revisions BEFORE INSERT ON comment_revision "
        "FOR EACH ROW EXECUTE FUNCTION fail_revisions()",
    ],
}
REMOVE_TRIGGER = {
    "sqlite": ["DROP TRIGGER fail_revisions"],
    "postgresql": ["DROP TRIGGER fail_revisions ON comment_revision", "DROP FUNCTION fail_revisions()"],
}


async def _execute_all(database, statements: list[str]) -> None:
    async with database.engine.begin() as connection:
        for statement in statements:
            await connection.execute(text(statement))


@asynccontextmanager
async def revisions_fail(database):
    """Make the database refuse every new revision, as a full disk or a failing server would."""
    dialect = database.engine.dialect.name
    await _execute_all(database, FAILING_TRIGGER[dialect])
    try:
        yield
    finally:
        await _execute_all(database, REMOVE_TRIGGER[dialect])


async def test_a_database_failure_tells_the_member_and_gives_their_text_back(stack):
    await _two_windows(stack)
    async with revisions_fail(stack.database):
        answer = await comment_inline(stack, PATEL, "annual-report-2021 My carefully written view")
    shown = shown_text(answer)
    assert "was not saved" in shown and "> annual-report-2021 My carefully written view" in shown
    assert await stored(stack, Comment) == [] and await stored(stack, CommentRevision) == []
    assert "is saved" in shown_text(await comment_inline(stack, PATEL, "annual-report-2021 My carefully written view"))


async def test_a_refused_paragraph_is_given_back(stack):
    await _two_windows(stack)
    paragraph = "budget-2024 I have read the whole report carefully and would like to raise three points."
    answer = await comment_inline(stack, PATEL, paragraph)
    assert f"> {paragraph}" in shown_text(answer)
