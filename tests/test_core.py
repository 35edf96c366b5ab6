"""The shared core's behaviour, tested once, through the in-process front end (tests/support/in_process.py): what
each person is answered, what the committee's place sees, what follows, and what reminders go out, in the message
model, on no platform. Each platform's own tests check only that it translates this."""

import asyncio
import io
from datetime import UTC, datetime, timedelta

import docx
import pytest
from sqlmodel import select

from bot.message import Link, Person
from handlers import places
from storage.database import Database
from storage.models import Comment
from tests.support.in_process import (
    CHANNEL,
    CLERK,
    MEMBERS,
    OFFICER,
    STRANGER,
    WORKSPACE,
    InProcess,
    Went,
    buttons,
)

PATEL, JONES = MEMBERS
NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
TITLE = "Draft annual report 2026/27"
DEADLINE = "20 March 2027"


@pytest.fixture
async def core(database) -> InProcess:
    core = InProcess(database, NOW)
    [answer] = await core.command(CLERK, "/committee", "setup Children and Families Scrutiny")
    assert answer.how == "publicly" and "is now set up" in answer.text
    return core


async def _open_window(core: InProcess) -> tuple[Went, Went]:
    """A clerk opens a comment window in one line and confirms it: their answer, and the announcement."""
    [preview] = await core.command(
        CLERK,
        "/report",
        f"open {TITLE} | https://example.org/report.pdf | ",
        Person(OFFICER, "director"),
        " | ",
        DEADLINE,
    )
    assert preview.how == "privately"
    return tuple(await core.press(CLERK, preview.button("Open comment window")))


def _ref(announced: Went) -> str:
    """The report's reference, as the announcement gives it for typing."""
    return announced.text.rsplit("Reference: ", 1)[1].strip()


def _only(went: list[Went], how: str) -> Went:
    [one] = [w for w in went if w.how == how]
    return one


async def test_a_window_is_announced_in_the_place_then_recorded_so_receipts_link_back_to_it(core):
    opened, announced = await _open_window(core)
    assert opened.how == "privately" and TITLE in opened.text
    assert announced.how == "posted" and announced.to == CHANNEL
    assert "Comments invited:" in announced.text and f"@{OFFICER}" in announced.text
    assert {b.label for b in (announced.button("Add comment"), announced.button("No comments"))}

    [receipt] = await core.press(PATEL, announced.button("No comments"))
    assert receipt.how == "privately" and "no comments" in receipt.text
    # The link is the one the front end gave for the post it made: recorded after posting.
    [link] = [
        run.url for block in receipt.message.blocks for run in getattr(block, "inline", ()) if isinstance(run, Link)
    ]
    assert link.startswith(f"https://chat.example/{CHANNEL}/ref-")


async def test_a_member_adds_edits_and_withdraws_a_comment_and_only_they_see_each_answer(core):
    _, announced = await _open_window(core)
    [form] = await core.press(PATEL, announced.button("Add comment"))
    assert form.how == "form" and form.form.form_id == "comment.add"

    [saved] = await core.submit(PATEL, form.form, {"text": "Please say more about waiting times.", "section": "3"})
    assert saved.how == "privately" and saved.to == PATEL
    assert "is saved" in saved.text and "Please say more about waiting times." in saved.text

    [edit_form] = await core.press(PATEL, saved.button("Edit"))
    assert edit_form.how == "form" and edit_form.form.form_id == "comment.edit"
    [updated] = await core.submit(PATEL, edit_form.form, {"text": "Please say more about waiting lists."})
    assert updated.how == "privately" and "is updated" in updated.text and "waiting lists" in updated.text

    [withdrawn] = await core.press(PATEL, updated.button("Withdraw"))
    assert withdrawn.how == "privately" and "has been withdrawn" in withdrawn.text
    assert not [w for w in core.out if w.how in ("posted", "publicly") and "waiting" in w.text]


async def test_a_refusal_is_private_changes_nothing_and_hands_a_long_comment_back(core):
    _, announced = await _open_window(core)
    ref = _ref(announced)
    long_comment = "I would like the committee to look again at how referrals are followed up."
    [refused] = await core.command(STRANGER, "/comment", f"{ref} {long_comment}")
    assert refused.how == "refused" and refused.to == STRANGER
    assert long_comment in refused.text  # given back, so nothing typed is lost
    async with core.database.session() as session:
        assert list(await session.exec(select(Comment))) == []

    [empty] = await core.submit(PATEL, (await core.command(PATEL, "/comment"))[0].form, {"text": ""})
    assert empty.how == "refused" and empty.field == "text"


async def test_a_refused_no_comments_is_not_handed_back_as_if_it_were_a_comment(core):
    title = "Leicestershire and Rutland safeguarding children partnership annual report"
    [preview] = await core.command(
        CLERK, "/report", f"open {title} | https://example.org/r.pdf | ", Person(OFFICER, "d"), " | ", DEADLINE
    )
    [_, announced] = await core.press(CLERK, preview.button("Open comment window"))
    ref = _ref(announced)
    await core.command(PATEL, "/comment", f"{ref} We support the plan for family hubs.")
    saying = f"{ref} no comments"
    assert len(saying) >= 40  # long enough to be handed back, were it a comment
    [refused] = await core.command(PATEL, "/comment", saying)
    assert refused.how == "refused" and "You've already commented" in refused.text
    assert "Here is what you wrote" not in refused.text


async def test_no_comments_by_a_reports_first_word_is_not_offered_to_someone_who_has_commented(core):
    _, announced = await _open_window(core)
    first_word = _ref(announced).split("-")[0]
    [offered] = await core.command(JONES, "/comment", f"{first_word} no comments")
    assert "Do you mean you have no comments on" in offered.text

    await core.command(PATEL, "/comment", f"{_ref(announced)} We support the plan for family hubs.")
    [refused] = await core.command(PATEL, "/comment", f"{first_word} no comments")
    assert refused.how == "refused" and "You've already commented on" in refused.text
    assert not buttons(refused.message)


async def test_actions_are_listed_closed_through_a_form_and_then_no_longer_listed(core):
    [form] = await core.command(CLERK, "/actions", "add")
    assert form.how == "form"
    values = {"text": "Circulate the safeguarding audit to members", "kind": "action", "due": "31 March 2027"}
    [recorded] = await core.submit(CLERK, form.form, values)
    assert recorded.how == "privately" and "recorded" in recorded.text

    [listing] = await core.command(CLERK, "/actions")
    assert listing.how == "privately" and "Circulate the safeguarding audit" in listing.text
    [member_listing] = await core.command(PATEL, "/actions")
    assert "Circulate the safeguarding audit" in member_listing.text
    assert "Mark done" not in {b.label for b in buttons(member_listing.message)}

    [close] = await core.press(CLERK, listing.button("Mark done"))
    assert close.how == "form" and close.form.form_id == "action.done"
    [done] = await core.submit(CLERK, close.form, {"note": "Sent on 2 March"})
    assert done.how == "privately" and "done" in done.text

    [after] = await core.command(CLERK, "/actions")
    assert "Circulate the safeguarding audit" not in after.text


async def _record(core: InProcess, text: str, kind: str, due: str = "") -> str:
    [form] = await core.command(CLERK, "/actions", "add")
    [recorded] = await core.submit(CLERK, form.form, {"text": text, "kind": kind, "due": due})
    assert recorded.how == "privately" and "recorded" in recorded.text
    return recorded.text


READ_FROM_ITS_WORDS = "I read when it is due from the resolution's own words"


async def test_a_resolution_recorded_with_no_due_is_due_when_its_own_words_say(core):
    await core.command(CLERK, "/meeting", "add 15 March 2027 10:00")
    report_back = "That the Director bring a report on SEND transport back to the Committee at its next meeting."
    answer = await _record(core, report_back, "report_back")
    assert "due at the meeting on 15 March 2027" in answer and READ_FROM_ITS_WORDS in answer and "Change due" in answer

    answer = await _record(core, "That officers write to the minister within six months.", "action")
    assert "due 1 September 2027" in answer and READ_FROM_ITS_WORDS in answer

    [listing] = await core.command(CLERK, "/actions")
    assert "due at the meeting on 15 March 2027" in listing.text and "due 1 September 2027" in listing.text


async def test_a_due_the_clerk_gives_wins_and_words_with_no_due_leave_none(core):
    answer = await _record(core, "That officers write to the minister within six months.", "action", "30 April 2027")
    assert "due 30 April 2027" in answer and READ_FROM_ITS_WORDS not in answer
    assert "Children and Families Scrutiny" not in answer  # recorded in its own channel

    answer = await _record(core, "That the matter be looked at again.", "action")
    assert "no due date" in answer and READ_FROM_ITS_WORDS not in answer

    # Noted asks nothing of anyone, whatever its words say; a date in them before the meeting is not a due.
    answer = await _record(core, "That the update, due at its next meeting, be noted.", "noted")
    assert "Noted · recorded" in answer and READ_FROM_ITS_WORDS not in answer
    answer = await _record(core, "That the Director report back by 20 September 2022.", "report_back")
    assert "no due date" in answer and READ_FROM_ITS_WORDS not in answer


async def test_a_clerk_names_one_resolution_by_its_number_to_see_it_or_close_it(core):
    await _record(core, "Circulate the safeguarding audit to members.", "action", "31 March 2027")
    [shown] = await core.command(CLERK, "/actions", "R1")
    assert shown.how == "privately" and "R1 · Action · due 31 March 2027" in shown.text
    assert "Mark done" in {b.label for b in buttons(shown.message)}
    [as_member] = await core.command(PATEL, "/actions", "r1")
    assert "Circulate the safeguarding audit" in as_member.text
    assert "Mark done" not in {b.label for b in buttons(as_member.message)}
    [refused] = await core.command(PATEL, "/actions", "done R1")
    assert refused.how == "refused" and "Only the committee's clerks can change resolutions" in refused.text

    [form] = await core.command(CLERK, "/actions", "done R1")
    assert form.how == "form" and form.form.form_id == "action.done"
    await core.submit(CLERK, form.form, {"note": "Sent on 2 March"})
    [closed] = await core.command(CLERK, "/actions", "R1")
    assert "R1 was marked done.\nClosing note: Sent on 2 March" in closed.text
    assert "Mark done" not in {b.label for b in buttons(closed.message)}
    [unknown] = await core.command(CLERK, "/actions", "R9")
    assert unknown.how == "refused" and "I can't find resolution R9 in the register." in unknown.text


async def test_a_listing_by_dates_may_leave_out_the_word_due(core):
    await _record(core, "Circulate the safeguarding audit to members.", "action", "31 March 2027")
    [this_month] = await core.command(CLERK, "/actions", "this month")
    assert "Open resolutions due 1 March 2027 to 31 March 2027" in this_month.text
    assert "Circulate the safeguarding audit" in this_month.text
    [unknown] = await core.command(CLERK, "/actions", "owner director")
    assert unknown.how == "refused" and 'I don\'t know the filter "owner".' in unknown.text


async def test_a_next_page_pressed_after_the_list_shortened_shows_its_last_page_not_an_empty_register(core):
    for n in range(11):
        await _record(core, f"Action number {n}.", "action", f"{n + 1} April 2027")
    [earlier] = await core.command(CLERK, "/actions")
    assert "(showing 1–10 of 11)" in earlier.text
    for _ in range(2):
        [listing] = await core.command(CLERK, "/actions")
        [close] = await core.press(CLERK, listing.button("Mark done"))
        await core.submit(CLERK, close.form, {"note": "Sent"})

    [next_page] = await core.press(CLERK, earlier.button("Next page"))
    assert "(showing 1–9 of 9)" in next_page.text and "no open resolutions" not in next_page.text


async def test_a_clerk_of_another_committee_sees_this_ones_list_as_a_member_does(core):
    second = "CSECOND"
    await core.command(PATEL, "/committee", "setup Audit Committee", channel=second)
    [form] = await core.command(PATEL, "/actions", "add", channel=second)
    await core.submit(PATEL, form.form, {"text": "Review the risk register", "kind": "action"}, channel=second)

    [listing] = await core.command(CLERK, "/actions", channel=second)
    assert "Open resolutions: Audit Committee" in listing.text and "Review the risk register" in listing.text
    labels = {b.label for b in buttons(listing.message)}
    assert {"History", "Share in channel"} <= labels
    assert not labels & {"Mark done", "Reassign", "Change due", "Cancel", "Record a resolution"}
    [everywhere] = await core.command(CLERK, "/actions", "all")
    assert "Review the risk register" not in everywhere.text  # "all" means the committees they clerk


async def test_sharing_a_listing_goes_to_the_place(core):
    [form] = await core.command(CLERK, "/actions", "add")
    await core.submit(CLERK, form.form, {"text": "Write to the minister", "kind": "action", "due": "30 April 2027"})
    [listing] = await core.command(PATEL, "/actions")
    [shared] = await core.press(PATEL, listing.button("Share in channel"))
    assert shared.how == "publicly" and shared.to == CHANNEL and "Write to the minister" in shared.text


async def test_an_export_answers_privately_and_then_sends_the_files(core):
    _, announced = await _open_window(core)
    await core.press(PATEL, announced.button("No comments"))
    went = await core.command(OFFICER, "/report", f"export {_ref(announced)}")
    assert [w.how for w in went] == ["privately", "files"]
    files = _only(went, "files")
    assert files.to == OFFICER and sorted(f.filename.rsplit(".", 1)[1] for f in files.files) == ["csv", "docx", "md"]


async def test_an_export_reply_counts_only_what_there_is(core):
    _, announced = await _open_window(core)
    answer, _files = await core.command(OFFICER, "/report", f"export {_ref(announced)}")
    assert f"the comments on {TITLE} (0 comments, 2 not yet responded) as Word" in answer.text
    for member in MEMBERS:
        await core.command(member, "/comment", f"{_ref(announced)} We support the plan for family hubs.")
    answer, _files = await core.command(OFFICER, "/report", f"export {_ref(announced)}")
    assert f"the comments on {TITLE} (2 comments) as Word" in answer.text


async def test_an_export_with_no_report_named_sends_the_only_one_or_asks_which(core):
    await _open_window(core)
    answer, files = await core.command(OFFICER, "/report", "export")
    assert f"I've sent you the comments on {TITLE}" in answer.text and files.how == "files"
    await _open_second_window(core, "Draft budget 2027/28")
    [which] = await core.command(OFFICER, "/report", "export")
    assert which.how == "refused" and "Which report?" in which.text and "Draft budget 2027/28" in which.text


async def test_reminders_go_out_once_and_the_officer_gets_the_compiled_document_at_close(core):
    _, announced = await _open_window(core)
    ref = _ref(announced)
    await core.command(PATEL, "/comment", f"{ref} We support the plan for family hubs.")

    core.now = datetime(2027, 3, 20, 23, 59, 59, tzinfo=UTC)  # the deadline, in GMT
    await core.tick()
    closing = [w for w in core.out if w.how == "reminder"]
    kinds = sorted(w.key.split("|")[1] for w in closing)
    assert kinds[-2:] == ["window.closed", "window.compiled"]
    compiled = next(w for w in closing if "window.compiled" in w.key)
    assert compiled.to == OFFICER
    [document] = compiled.files
    assert document.filename.endswith(".docx") and document.title == f"Comments on {TITLE}"
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(document.content)).paragraphs)
    assert "We support the plan for family hubs." in text
    [closed] = [w for w in closing if "window.closed" in w.key]
    assert closed.to == CHANNEL and not closed.files

    sent = len(core.out)
    core.now += timedelta(minutes=1)
    await core.tick()
    assert len(core.out) == sent, "each reminder goes out once"


async def _closing_notices(core) -> tuple[Went, Went]:
    core.now = datetime(2027, 3, 20, 23, 59, 59, tzinfo=UTC)
    await core.tick()
    closing = [w for w in core.out if w.how == "reminder"]
    return next(w for w in closing if "window.closed" in w.key), next(w for w in closing if "window.compiled" in w.key)


async def test_at_close_the_counts_tell_comments_from_members_who_had_none(core):
    _, announced = await _open_window(core)
    await core.command(PATEL, "/comment", f"{_ref(announced)} We support the plan for family hubs.")
    await core.command(JONES, "/comment", f"{_ref(announced)} no comments")
    closed, compiled = await _closing_notices(core)
    assert "1 comment from 1 member; 1 member said they had none. @UOFFICER has them." in closed.text
    assert "1 comment from 1 member; 1 member said they had none. The compiled comments are attached." in compiled.text


async def test_a_window_reopened_after_closing_is_announced_as_open_again_and_its_new_file_replaces_the_first(core):
    _, announced = await _open_window(core)
    ref = _ref(announced)
    await core.command(PATEL, "/comment", f"{ref} We support the plan for family hubs.")
    await _closing_notices(core)

    core.now = datetime(2027, 3, 22, 10, tzinfo=UTC)
    [reopened] = await core.command(CLERK, "/report", f"deadline {ref} 31 March 2027")
    assert reopened.how == "publicly"
    assert f"Comments on {TITLE} are open again until Wednesday 31 March 2027 at 23:59" in reopened.text
    assert {b.label for b in buttons(reopened.message)} == {"Add comment", "No comments"}
    [moved] = await core.command(CLERK, "/report", f"deadline {ref} 1 April 2027")
    assert f"The deadline for comments on {TITLE} is now Thursday 1 April 2027" in moved.text  # open: not "again"
    await core.command(JONES, "/comment", f"{ref} Please add the waiting times.")

    core.out.clear()
    core.now = datetime(2027, 4, 1, 22, 59, 59, tzinfo=UTC)  # the new deadline, in BST
    await core.tick()
    closing = [w for w in core.out if w.how == "reminder"]
    closed = next(w for w in closing if "window.closed" in w.key)
    compiled = next(w for w in closing if "window.compiled" in w.key)
    assert f"Comments closed again on {TITLE}: 2 comments from 2 members." in closed.text
    assert "have closed again: 2 comments from 2 members. The compiled comments are attached." in compiled.text
    assert "This file replaces the one I sent you on 20 March 2027." in compiled.text


async def test_a_no_comments_receipt_offers_only_what_can_be_done_to_it(core):
    _, announced = await _open_window(core)
    [receipt] = await core.command(JONES, "/comment", f"{_ref(announced)} no comments")
    assert [b.label for b in buttons(receipt.message)] == ["Withdraw"]
    assert "You can withdraw this until Saturday 20 March 2027 at 23:59" in receipt.text and "edit" not in receipt.text


async def test_a_window_closing_with_no_comments_says_so_and_hands_nobody_nothing(core):
    await _open_window(core)
    closed, compiled = await _closing_notices(core)
    assert "no comments, and no member responded." in closed.text and "has them" not in closed.text
    assert "no comments, and no member responded. The attached file lists the members who were asked." in compiled.text


async def test_a_window_closing_with_only_no_comments_says_the_file_tells_who_responded(core):
    _, announced = await _open_window(core)
    await core.command(JONES, "/comment", f"{_ref(announced)} no comments")
    _, compiled = await _closing_notices(core)
    assert "no comments (1 member said they had none). The attached file says who responded." in compiled.text


async def test_a_platform_that_posts_by_reference_finds_the_latest_one_kept_for_a_committees_place(core):
    services = core.services
    assert await places.place_reference(services, WORKSPACE, CHANNEL) is None
    assert await places.remember_place(services, WORKSPACE, CHANNEL, "teams", {"serviceUrl": "https://one.example"})
    assert await places.remember_place(services, WORKSPACE, CHANNEL, "teams", {"serviceUrl": "https://two.example"})
    assert await places.place_reference(services, WORKSPACE, CHANNEL) == {"serviceUrl": "https://two.example"}
    assert await places.place_reference(services, WORKSPACE, CHANNEL, thread_ref="ref-1") is None

    assert not await places.remember_place(services, WORKSPACE, "CELSEWHERE", "teams", {"serviceUrl": "https://x"})
    assert await places.place_reference(services, WORKSPACE, "CELSEWHERE") is None


async def _open_second_window(core: InProcess, title: str) -> Went:
    [preview] = await core.command(
        CLERK, "/report", f"open {title} | https://example.org/b.pdf | ", Person(OFFICER, "director"), f" | {DEADLINE}"
    )
    _, announced = await core.press(CLERK, preview.button("Open comment window"))
    return announced


async def _comments_of(core: InProcess, author: str) -> list[tuple[str, str]]:
    async with core.database.session() as session:
        written = await session.exec(select(Comment).where(Comment.author_user_id == author))
        return [(comment.kind.value, comment.text) for comment in written]


async def test_a_comment_begun_with_the_words_of_a_reports_reference_is_offered_without_them(core):
    _, announced = await _open_window(core)
    assert _ref(announced).startswith("annual-report-")
    [offer] = await core.command(PATEL, "/comment", "annual report We support the plan for family hubs.")
    assert f"Is this your comment on {TITLE}?" in offer.text
    assert "We support the plan for family hubs." in offer.text.splitlines()  # not "report We support ..."
    [asked] = await core.command(PATEL, "/comment", "annual report")
    assert asked.how == "refused" and f"What would you like to say about {TITLE}?" in asked.text
    assert await _comments_of(core, PATEL) == []


async def test_a_comment_naming_no_report_is_offered_on_the_only_one_open_to_the_member(core):
    await _open_window(core)
    [offer] = await core.command(PATEL, "/comment", "The section on family hubs is very welcome.")
    assert f"Is this your comment on {TITLE}?" in offer.text
    assert "The section on family hubs is very welcome." in offer.text.splitlines()
    assert await _comments_of(core, PATEL) == [], "nothing is saved before the member confirms"
    [saved] = await core.press(PATEL, offer.button("Add as my comment"))
    assert saved.how == "privately" and "is saved" in saved.text
    assert await _comments_of(core, PATEL) == [("comment", "The section on family hubs is very welcome.")]

    [refused] = await core.command(PATEL, "/comment", "budget-2024 Page 4 is unclear.")  # another report's name
    assert refused.how == "refused" and "Which report is this about?" in refused.text


async def test_a_member_who_types_comment_withdraw_is_shown_their_comments_to_withdraw(core):
    _, announced = await _open_window(core)
    await core.command(PATEL, "/comment", f"{_ref(announced)} We support the plan for family hubs.")
    for verb in ("withdraw", "Edit"):
        [mine] = await core.command(PATEL, "/comment", verb)
        assert mine.how == "privately" and "We support the plan for family hubs." in mine.text
        assert [b.label for b in buttons(mine.message)] == ["Edit", "Withdraw"]
    assert await _comments_of(core, PATEL) == [("comment", "We support the plan for family hubs.")]


async def test_a_comment_begun_with_a_word_of_one_reports_name_is_offered_on_it_and_saved_once_confirmed(core):
    await _open_window(core)
    budget = _ref(await _open_second_window(core, "Draft budget 2027/28"))
    first_word = budget.split("-")[0]
    [offer] = await core.command(PATEL, "/comment", f"{first_word} Youth services need protecting.")
    assert offer.how == "privately" and "Is this your comment on Draft budget 2027/28?" in offer.text
    assert "Youth services need protecting." in offer.text and budget in offer.text
    assert await _comments_of(core, PATEL) == []  # nothing is taken before the member says so

    [saved] = await core.press(PATEL, offer.button("Add as my comment"))
    [again] = await core.press(PATEL, offer.button("Add as my comment"))
    assert "is saved" in saved.text and "Draft budget 2027/28" in saved.text
    assert "Youth services need protecting." in again.text
    assert await _comments_of(core, PATEL) == [("comment", "Youth services need protecting.")]


async def test_no_comments_begun_with_a_word_of_a_reports_name_is_recorded_as_none_once_confirmed(core):
    await _open_window(core)
    await _open_second_window(core, "Draft budget 2027/28")
    [offer] = await core.command(JONES, "/comment", "draft budget no comments")
    assert "Do you mean you have no comments on Draft budget 2027/28?" in offer.text
    [recorded] = await core.press(JONES, offer.button("Yes, no comments"))
    assert "no comments on Draft budget 2027/28" in recorded.text
    assert await _comments_of(core, JONES) == [("no_comments", "No comments")]


async def test_a_report_not_that_one_or_a_word_two_reports_share_records_nothing(core):
    await _open_window(core)
    budget = _ref(await _open_second_window(core, "Draft budget 2027/28"))
    [offer] = await core.command(PATEL, "/comment", f"{budget.split('-')[0]} Page 4 is unclear.")
    [forgotten] = await core.press(PATEL, offer.button("Not that report"))
    assert forgotten.how == "privately" and "Nothing was recorded" in forgotten.text

    [refused] = await core.command(PATEL, "/comment", "draft Page 4 is unclear.")  # both titles begin "Draft"
    assert refused.how == "refused" and "Which report is this about?" in refused.text
    assert await _comments_of(core, PATEL) == []


def _channel_reminders(core: InProcess) -> list[Went]:
    return [w for w in core.out if w.how == "reminder" and w.to == CHANNEL]


async def test_a_clerk_can_unmute_an_item_from_the_mute_itself_or_the_reminder_settings(core):
    await _open_window(core)  # comments close on 20 March
    core.now = datetime(2027, 3, 13, 9, 30, tzinfo=UTC)
    await core.tick()
    [week] = _channel_reminders(core)
    [muted] = await core.press(CLERK, week.button("Mute for this item"))
    assert muted.how == "privately" and muted.button("Unmute")
    assert f"Reminders about comments on “{TITLE}” are muted for everyone." in muted.text

    [settings] = await core.command(CLERK, "/committee", "reminders")
    assert f"Muted for everyone:\ncomments on “{TITLE}”" in settings.text
    [refused] = await core.press(PATEL, settings.button("Unmute"))
    assert refused.how == "refused"

    core.now = datetime(2027, 3, 17, 9, 30, tzinfo=UTC)
    await core.tick()
    assert len(_channel_reminders(core)) == 1, "muted: the three-day notice is not posted"

    [unmuted] = await core.press(CLERK, settings.button("Unmute"))
    assert unmuted.how == "privately" and f"Reminders about comments on “{TITLE}” are on again" in unmuted.text
    [settings_after] = await core.command(CLERK, "/committee", "reminders")
    assert "Muted" not in settings_after.text
    [again] = await core.press(CLERK, settings.button("Unmute"))
    assert again.how == "refused" and "not muted" in again.text

    core.now = datetime(2027, 3, 19, 9, 30, tzinfo=UTC)
    await core.tick()
    assert "close tomorrow" in _channel_reminders(core)[-1].text


async def test_a_report_named_by_its_title_written_as_a_reference_is_found(core):
    await _open_window(core)
    budget = _ref(await _open_second_window(core, "Draft budget 2027/28"))
    assert budget == "budget-2027-28"  # "draft" is left out of references
    [saved] = await core.command(PATEL, "/comment", "draft-budget-2027-28 Protect youth services.")
    assert "is saved" in saved.text and "Draft budget 2027/28" in saved.text
    assert await _comments_of(core, PATEL) == [("comment", "Protect youth services.")]
    went = await core.command(OFFICER, "/report", "export Draft-Budget-2027-28")
    assert [w.how for w in went] == ["privately", "files"]


async def test_a_committees_own_list_does_not_repeat_its_name_on_every_resolution_but_all_committees_do(core):
    [form] = await core.command(CLERK, "/actions", "add")
    await core.submit(CLERK, form.form, {"text": "Write to the minister", "kind": "action", "due": "30 April 2027"})
    [here] = await core.command(CLERK, "/actions")
    assert here.text.count("Children and Families Scrutiny") == 1  # the heading
    [everywhere] = await core.command(CLERK, "/actions", "all")
    assert "recorded today · Children and Families Scrutiny" in everywhere.text


async def test_arranging_and_moving_a_meeting_tells_the_clerk_which_reports_it_moved_and_when_each_is_due(core):
    [form] = await core.command(CLERK, "/actions", "add")
    values = {"text": "Report on school transport.", "kind": "report_back", "due": "at its next meeting"}
    await core.submit(CLERK, form.form, values)

    [added] = await core.command(CLERK, "/meeting", "add 16 March 2027 10:00")
    moved = "Reports due at meetings that this moves:\nR1 Report on school transport: now due at the meeting on"
    assert f"{moved} 16 March 2027" in added.text
    [second] = await core.command(CLERK, "/meeting", "add 13 April 2027 10:00")
    assert "Reports due at meetings" not in second.text  # R1 stays due at the first

    [listing] = await core.command(CLERK, "/meeting")
    first_move = next(b for b in buttons(listing.message) if b.label == "Move")  # the 16 March meeting's
    [move] = await core.press(CLERK, first_move)
    [moved_answer] = await core.submit(CLERK, move.form, {"when": "23 March 2027 10:00"})
    assert f"{moved} 23 March 2027" in moved_answer.text


async def test_a_meeting_added_or_moved_onto_another_at_the_same_time_is_refused_so_no_reminder_goes_twice(core):
    await core.command(CLERK, "/meeting", "add 16 March 2027 10:00")
    [again] = await core.command(CLERK, "/meeting", "add 16 March 2027 10:00")
    assert again.how == "refused"
    assert "already has a meeting on Tuesday 16 March 2027 at 10:00 (Europe/London), so I haven't added another" in (
        again.text
    )
    await core.command(CLERK, "/meeting", "add 13 April 2027 10:00")
    [listing] = await core.command(CLERK, "/meeting")
    assert listing.text.count("Tuesday 16 March 2027 at 10:00") == 1

    second_move = [b for b in buttons(listing.message) if b.label == "Move"][1]  # the 13 April meeting's
    [move] = await core.press(CLERK, second_move)
    [refused] = await core.submit(CLERK, move.form, {"when": "16 March 2027 10:00"})
    assert refused.how == "refused" and "so I haven't moved this one there" in refused.text
    [listing] = await core.command(CLERK, "/meeting")
    assert "Tuesday 13 April 2027 at 10:00" in listing.text
    [moved] = await core.submit(CLERK, move.form, {"when": "16 March 2027 18:00"})  # the same day is another time
    assert moved.how == "privately" and "Meeting moved: Tuesday 16 March 2027 at 18:00" in moved.text


async def test_a_comment_deadline_on_a_bank_holiday_is_kept_and_named_when_set_and_when_moved(core):
    # NOW is 1 March 2027: Easter Monday is 29 March, the late May bank holiday 31 May.
    [preview] = await core.command(
        CLERK, "/report", "open Draft budget | https://example.org/b.pdf | ", Person(OFFICER, "d"), " | 29 March 2027"
    )
    assert "Deadline: Monday 29 March 2027 at 23:59" in preview.text
    assert "That is Easter Monday, a bank holiday in England and Wales." in preview.text
    [_, announced] = await core.press(CLERK, preview.button("Open comment window"))

    [moved] = await core.command(CLERK, "/report", f"deadline {_ref(announced)} 31 May 2027")
    assert moved.how == "publicly" and "That is Spring Bank Holiday, a bank holiday in England and Wales." in moved.text
    [ordinary] = await core.command(CLERK, "/report", f"deadline {_ref(announced)} Sunday 30 May 2027")
    assert "That is" not in ordinary.text  # a weekend deadline is ordinary for comments, as for no meeting


async def test_a_report_its_meeting_was_held_without_is_overdue_until_a_later_meeting_is_added(core):
    await core.command(CLERK, "/meeting", "add 16 March 2027 10:00")
    for text, due in (
        ("Write to the minister.", "30 June 2027"),
        ("Report on school transport.", "at its next meeting"),
    ):
        [form] = await core.command(CLERK, "/actions", "add")
        await core.submit(CLERK, form.form, {"text": text, "kind": "report_back", "due": due})

    core.now = datetime(2027, 3, 17, 10, 0, tzinfo=UTC)  # the meeting was held; no later one is in the calendar
    await core.tick()
    [listing] = await core.command(CLERK, "/actions")
    late = "R2 · Report back · due at the meeting on 16 March 2027 (the next is not in the calendar yet) · overdue"
    assert late in listing.text and listing.text.index("R2") < listing.text.index("R1")  # overdue first
    [overdue] = await core.command(CLERK, "/actions", "overdue")
    assert "Report on school transport" in overdue.text and "Write to the minister" not in overdue.text
    first_history = next(b for b in buttons(listing.message) if b.label == "History")  # R2's, listed first
    [history] = await core.press(CLERK, first_history)
    assert "meeting on 16 March 2027 → due: meeting on 16 March 2027, still owed (no later meeting" in history.text

    core.now = datetime(2027, 3, 22, 10, 0, tzinfo=UTC)  # Monday: the clerks' weekly overdue digest
    await core.tick()
    [digest] = [w for w in core.out if w.how == "reminder" and w.text.startswith("Overdue resolutions")]
    assert digest.to == CLERK and "R2 Report on school transport: due at the meeting on 16 March 2027" in digest.text

    [added] = await core.command(CLERK, "/meeting", "add 20 April 2027 10:00")
    assert "Report on school transport: now due at the meeting on 20 April 2027" in added.text
    [overdue] = await core.command(CLERK, "/actions", "overdue")
    assert "no open resolutions" in overdue.text


async def test_a_report_whose_meeting_is_cancelled_with_none_after_is_not_overdue(core):
    await core.command(CLERK, "/meeting", "add 16 March 2027 10:00")
    [form] = await core.command(CLERK, "/actions", "add")
    await core.submit(
        CLERK, form.form, {"text": "Report on school transport.", "kind": "report_back", "due": "at its next meeting"}
    )
    [meetings] = await core.command(CLERK, "/meeting")
    [cancel] = await core.press(CLERK, meetings.button("Cancel meeting"))
    if cancel.how == "form":
        await core.submit(CLERK, cancel.form, {})
    [listing] = await core.command(CLERK, "/actions")
    assert "due at the next meeting (none scheduled yet)" in listing.text and "overdue" not in listing.text


async def test_a_notice_sent_late_counts_its_days_from_when_it_goes_out(core):
    """Held back (muted, then unmuted; or the bot was down), a notice still current goes out late: it must not say
    "due today" of a day that has passed."""
    await core.command(CLERK, "/meeting", "add 29 March 2027 10:00")  # agenda deadline Monday 15 March
    [form] = await core.command(CLERK, "/actions", "add")
    await core.submit(
        CLERK, form.form, {"text": "Report on school transport.", "kind": "report_back", "due": "at its next meeting"}
    )
    core.now = datetime(2027, 3, 17, 10, 0, tzinfo=UTC)  # two days after it
    await core.tick()
    texts = [w.text for w in core.out if w.how == "reminder" and "Report due back" in w.text]
    assert texts and all("Reports for the agenda were due by 15 March 2027." in text for text in texts)
    assert not [text for text in texts if "due today" in text]


async def test_an_agenda_deadline_with_nothing_owed_says_so_and_points_at_no_list(core):
    [added] = await core.command(CLERK, "/meeting", "add 29 March 2027 10:00")
    assert "29 March 2027" in added.text
    core.now = datetime(2027, 3, 15, 12, 0, tzinfo=UTC)  # the agenda deadline, two weeks before
    await core.tick()
    [digest] = [w for w in core.out if w.how == "reminder" and "meeting.digest" in w.key]
    assert digest.to == CLERK
    assert "Agenda deadline for the meeting on 29 March 2027" in digest.text
    assert "No report is due at this meeting, and none is still owed to an earlier one." in digest.text
    assert "/actions" not in digest.text, "nothing is listed, so there is nothing for /actions to update"


async def test_a_reminder_offers_the_full_text_only_of_a_resolution_it_had_to_shorten(core):
    long_words = "That officers write to the minister about home to school transport, " + "and in particular " * 15
    await _record(core, long_words.strip() + ".", "action", "10 March 2027")
    await _record(core, "That officers write to the Chief Constable.", "action", "10 March 2027")
    core.now = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
    await core.tick()
    due_today = {w.text.split(":", 1)[1].split()[0]: w for w in core.out if w.how == "reminder" and "|action." in w.key}
    long_reminder, short_reminder = due_today["R1"], due_today["R2"]
    assert "…" in long_reminder.text and long_reminder.button("Full text")
    assert "the Chief Constable." in short_reminder.text
    assert "Full text" not in {b.label for b in buttons(short_reminder.message)}


async def test_a_resolutions_history_says_what_each_change_altered_and_where_it_was_due(core):
    await core.command(CLERK, "/meeting", "add 16 March 2027 10:00")
    [form] = await core.command(CLERK, "/actions", "add")
    values = {"text": "Report on school transport.", "kind": "report_back", "due": "at its next meeting"}
    await core.submit(CLERK, form.form, values | {"owner_title": "Director of Place"})
    core.now = datetime(2027, 3, 17, 10, 0, tzinfo=UTC)  # held without it; no later meeting in the calendar
    await core.tick()

    [listing] = await core.command(CLERK, "/actions")
    [redate] = await core.press(CLERK, listing.button("Change due"))
    await core.submit(CLERK, redate.form, {"due": "30 April 2027"})
    [listing] = await core.command(CLERK, "/actions")
    [reassign] = await core.press(CLERK, listing.button("Reassign"))
    await core.submit(CLERK, reassign.form, {"owner_title": "Head of Transport"})
    [listing] = await core.command(CLERK, "/actions")
    [history] = await core.press(CLERK, listing.button("History"))

    redated = next(line for line in history.text.splitlines() if "redated" in line)
    assert redated.endswith(
        "due: meeting on 16 March 2027, still owed (no later meeting scheduled) → due: 30 April 2027"
    ), "it was moved from where it was owed, not from the words of its resolution"
    reassigned = next(line for line in history.text.splitlines() if "reassigned" in line)
    assert reassigned.endswith("owner: Director of Place → owner: Head of Transport"), "the due date did not change"
    changes = [line.split(": ", 1)[1] for line in history.text.splitlines()[1:]]
    assert [change.split(" by ")[0] for change in changes] == ["created", "slipped", "redated", "reassigned"], (
        "the meeting it went to when it was recorded is part of its creation, not a change of its own"
    )


async def test_a_clerk_may_name_a_report_by_the_first_word_of_its_reference_when_only_one_begins_so(core):
    await _open_window(core)
    await _open_second_window(core, "Budget consultation 2027/28")
    [moved] = await core.command(CLERK, "/report", "deadline budget 27 March 2027")
    assert moved.how == "publicly"
    assert "The deadline for comments on Budget consultation 2027/28 is now Saturday 27 March 2027" in moved.text

    await _open_second_window(core, "Budget monitoring report")
    [refused] = await core.command(CLERK, "/report", "deadline budget 3 April 2027")
    assert refused.how == "refused" and '"budget" could mean more than one report' in refused.text
    assert "budget-consultation-2027" in refused.text and "budget-monitoring" in refused.text


async def test_a_member_who_types_only_the_first_word_of_a_report_is_asked_what_to_say_about_it(core):
    await _open_window(core)
    await _open_second_window(core, "Budget consultation 2027/28")
    [asked] = await core.command(PATEL, "/comment", "budget")
    assert asked.how == "refused" and "What would you like to say about Budget consultation 2027/28?" in asked.text
    assert await _comments_of(core, PATEL) == []


async def test_a_month_asked_for_without_a_year_is_the_next_of_that_name_and_the_listing_says_which(core):
    await _record(core, "That officers write to the minister.", "action", "15 December 2027")
    await _record(core, "That officers write to the Chief Constable.", "action", "20 March 2027")

    [march] = await core.command(CLERK, "/actions", "due march")  # in March 2027 (today): this March
    assert "Open resolutions due 1 March 2027 to 31 March 2027: Children and Families Scrutiny" in march.text
    assert "Chief Constable" in march.text and "minister" not in march.text
    [february] = await core.command(CLERK, "/actions", "due February")  # last month: next year's
    assert (
        "There are no open resolutions in Children and Families Scrutiny due 1 February 2028 to 29 February 2028."
        in february.text
    )

    [december] = await core.command(CLERK, "/actions", "due december 2027")
    assert "minister" in december.text and "Chief Constable" not in december.text

    [before] = await core.command(CLERK, "/actions", "due before 1 April 2027")
    assert "Open resolutions due by 31 March 2027: Children and Families Scrutiny" in before.text
    [after] = await core.command(CLERK, "/actions", "due after 31 March 2027")
    assert "Open resolutions due from 1 April 2027: Children and Families Scrutiny" in after.text
    assert "minister" in after.text and "Chief Constable" not in after.text


async def test_a_late_comment_is_refused_at_once_when_the_database_has_one_connection_to_give(database):
    """The refusal looks for an earlier delivery of the request only after handing its connection back: were it to
    ask for another while holding one, a burst of late comments could hold every connection and wait for ever."""
    one = database if database.is_sqlite else Database(database.url, pool_size=1, max_overflow=0)
    core = InProcess(one, NOW)
    await core.command(CLERK, "/committee", "setup Children and Families Scrutiny")
    _, announced = await _open_window(core)
    [form] = await core.press(PATEL, announced.button("Add comment"))
    core.now = datetime(2027, 3, 21, 9, 0, tzinfo=UTC)  # sent the morning after the deadline
    [refused] = await asyncio.wait_for(core.submit(PATEL, form.form, {"text": "Too late?"}), timeout=20)
    assert refused.how == "refused" and "closed on Saturday 20 March 2027" in refused.text
    if one is not database:
        await one.dispose()


async def test_a_resolution_recorded_already_overdue_waits_for_the_next_weekly_digest(core):
    core.now = datetime(2027, 3, 4, 12, 0, tzinfo=UTC)  # a Thursday: this week's digest time has passed
    minute = "RESOLVED: That officers write to the minister by 1 February 2027."  # an old minute, imported late
    [check] = await core.command(CLERK, "/minutes", minute)
    as_read = {field.name: field.initial for field in check.form.fields}
    [saved] = await core.submit(CLERK, check.form, as_read | {"meeting_date": "12 January 2027"})
    assert "due 1 February 2027 · overdue" in saved.text, "the clerk is told as they save it"
    await core.tick()
    assert not [w for w in core.out if w.how == "reminder" and "overdue.digest" in w.key], "not Monday's, late"

    core.now = datetime(2027, 3, 8, 10, 0, tzinfo=UTC)  # the next Monday, after the reminder hour
    await core.tick()
    [digest] = [w for w in core.out if w.how == "reminder" and "overdue.digest" in w.key]
    assert (
        digest.to == CLERK
        and "R1 That officers write to the minister by 1 February 2027: due 1 February" in digest.text
    )
