"""Long minutes in Slack (issue 12): a whole meeting's minutes uploaded in the /minutes form, posted as a file for
the "Import minutes" shortcut, or pasted at length; read with the date they give; checked a page at a time past
Slack's 100-block limit; saved with each resolution's agenda item."""

import io
from datetime import date
from pathlib import Path

from docx import Document

from handlers.document_text import MAX_BYTES
from storage.models import Resolution
from tests.flows import accepted_values, opened_view, set_up_committee, shown_text, stored, submit_view
from tests.stack import CHANNEL, CLERK
from tests.support.slack_client import text_value

FIXTURES = Path(__file__).parent / "fixtures"
CFOS = (FIXTURES / "leicestershire-cfos-2022-09-06-minute-extract.txt").read_text("utf-8")
MOST_BLOCKS = 100  # in a modal


def word_file(text: str) -> bytes:
    document = Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    content = io.BytesIO()
    document.save(content)
    return content.getvalue()


def whole_meeting(items: int, per_item: int = 3) -> str:
    """Minutes of a meeting held on 14 March 2030 with `items` agenda items of `per_item` resolutions each."""
    parts = ["Minutes of the meeting of the Communities Scrutiny Committee held on 14 March 2030"]
    for number in range(1, items + 1):
        decisions = "\n".join(
            f"{n}. That the Head of Service {number}.{n} be asked to write to the Minister about the matter."
            for n in range(1, per_item + 1)
        )
        parts.append(f"{number + 4}. TOPIC NUMBER {number}\nMembers discussed the report.\nRESOLVED:\n{decisions}")
    return "\n\n".join(parts)


def file_input(*files: dict) -> dict:
    """A file input's entry in view.state.values, as Slack sends it."""
    return {"type": "file_input", "files": [{"id": f["id"], "name": f["name"]} for f in files]}


def field(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def page_values(view: dict) -> dict:
    """What the clerk submits when they accept every field of one page of the check form as proposed."""
    return {block_id: {"value": value} for block_id, value in accepted_values(view).items()}


async def _upload(stack, name: str, content: bytes, view_id: str = "VUPLOAD") -> dict:
    """Open the /minutes form, upload a file in it and submit; the check form Slack is then asked to show."""
    await stack.slack.slash_command("/minutes", "", user_id=CLERK, channel_id=CHANNEL)
    form = await opened_view(stack)
    uploaded = stack.fake.host_file(name, content)
    answer = await stack.slack.view_submission(
        "minutes.paste",
        {"minutes_file": {"value": file_input(uploaded)}, "meeting_date": {"value": text_value(None)}},
        user_id=CLERK,
        private_metadata=form["private_metadata"],
        view_id=view_id,
    )
    assert answer.json()["response_action"] == "update"
    assert "Reading your file" in str(answer.json()["view"]["blocks"])
    [update] = await stack.fake.wait_for("views.update", where=lambda call: call.params.get("view_id") == view_id)
    return update.params["view"]


async def test_the_form_offers_a_file_input_for_txt_docx_and_pdf(stack):
    await set_up_committee(stack)
    await stack.slack.slash_command("/minutes", "", user_id=CLERK, channel_id=CHANNEL)
    form = await opened_view(stack)

    element = field(form, "minutes_file")["element"]
    assert (element["type"], element["filetypes"], element["max_files"]) == ("file_input", ["txt", "docx", "pdf"], 1)
    assert field(form, "meeting_date")["optional"] is True
    assert field(form, "meeting_date")["element"].get("initial_value") is None  # no guessed date


async def test_minutes_uploaded_in_the_form_are_read_with_the_date_they_give(stack):
    await set_up_committee(stack)

    check = await _upload(stack, "cfos-minute.docx", word_file(CFOS))

    assert check["callback_id"] == "minutes.confirm"
    assert "I found 2 resolutions" in check["blocks"][0]["text"]["text"]
    assert field(check, "meeting_date")["element"]["initial_value"] == "6 September 2022"
    assert "item 11" in str(check["blocks"])
    [info] = stack.fake.calls_to("files.info")
    assert info.params["file"].startswith("F")


async def test_a_file_not_stored_in_slack_is_not_fetched_with_the_bot_token(stack):
    await set_up_committee(stack)
    await stack.slack.slash_command("/minutes", "", user_id=CLERK, channel_id=CHANNEL)
    form = await opened_view(stack)
    uploaded = stack.fake.host_file("minutes.pdf", b"%PDF-1.4")
    stack.fake.file_objects[uploaded["id"]]["url_private_download"] = "https://example.org/steal/minutes.pdf"

    await stack.slack.view_submission(
        "minutes.paste",
        {"minutes_file": {"value": file_input(uploaded)}, "minutes": {"value": text_value("RESOLVED: noted.")}},
        user_id=CLERK,
        private_metadata=form["private_metadata"],
        view_id="VFOREIGN",
        blocks=form["blocks"],
    )

    [update] = await stack.fake.wait_for("views.update")
    shown = update.params["view"]
    assert "I can only read files stored in Slack, and minutes.pdf is not" in shown["blocks"][0]["text"]["text"]
    assert field(shown, "minutes")["element"]["initial_value"] == "RESOLVED: noted."  # what was typed is kept
    assert await stored(stack, Resolution) == []


async def test_a_whole_meetings_minutes_are_checked_a_page_at_a_time_and_saved_with_their_items(stack):
    await set_up_committee(stack)
    check = await _upload(stack, "whole-meeting.txt", whole_meeting(items=10).encode(), view_id="VPAGES")
    pages = [check]
    while pages[-1]["submit"]["text"] == "Next page":
        answer = await stack.slack.view_submission(
            "minutes.confirm",
            page_values(pages[-1]),
            user_id=CLERK,
            private_metadata=pages[-1]["private_metadata"],
            view_id="VPAGES",
        )
        assert answer.json()["response_action"] == "update", answer.json()
        pages.append(answer.json()["view"])

    assert [len(page["blocks"]) <= MOST_BLOCKS for page in pages] == [True, True, True]
    assert "I found 30 resolutions. This is page 1 of 3." in pages[0]["blocks"][0]["text"]["text"]
    assert pages[-1]["submit"]["text"] == "Save all"
    assert await stored(stack, Resolution) == []  # nothing is saved until the last page is

    done = await stack.slack.view_submission(
        "minutes.confirm",
        page_values(pages[-1]),
        user_id=CLERK,
        private_metadata=pages[-1]["private_metadata"],
        view_id="VPAGES",
    )
    assert done.status == 200 and not done.text
    saved = sorted(await stored(stack, Resolution), key=lambda r: r.id)
    assert len(saved) == 30
    [told] = await stack.fake.wait_for("chat.postEphemeral", where=lambda call: "Saved 30" in str(call.params))
    assert "... and 10 more. `/actions` lists them all." in str(told.params["blocks"])
    assert (saved[0].minute_item, saved[0].minute_item_title) == ("5", "TOPIC NUMBER 1")
    assert (saved[-1].minute_item, saved[-1].owner_title) == ("14", "Head of Service 10.3")
    assert {r.meeting_id for r in saved} == {None}  # no meeting on 14 March 2030 in the calendar


async def test_the_shortcut_reads_a_posted_minutes_file_longer_than_a_message(stack):
    await set_up_committee(stack)
    minutes = whole_meeting(items=30, per_item=2) + "\n\nThe meeting closed at 9.15 pm.\n" + ("\n" * 1000)
    minutes += "Attendance record. " * 2500
    assert len(minutes) > 40_000
    posted = stack.fake.host_file("minutes.txt", minutes.encode())
    message = {"type": "message", "user": CLERK, "ts": "1800000000.000500", "text": "", "files": [posted]}

    await stack.slack.message_shortcut("minutes_from_message", user_id=CLERK, channel_id=CHANNEL, message=message)

    view = await opened_view(stack)
    assert "I found 60 resolutions. This is page 1 of 5." in view["blocks"][0]["text"]["text"]
    assert len(view["blocks"]) <= MOST_BLOCKS


async def test_the_shortcut_on_a_message_prefills_the_date_the_minutes_give(stack):
    await set_up_committee(stack)
    message = {"type": "message", "user": CLERK, "ts": "1800000000.000600", "text": CFOS}

    await stack.slack.message_shortcut("minutes_from_message", user_id=CLERK, channel_id=CHANNEL, message=message)

    view = await opened_view(stack)
    assert field(view, "meeting_date")["element"]["initial_value"] == "6 September 2022"


async def test_a_long_paste_runs_on_into_more_boxes_and_is_read_whole(stack):
    await set_up_committee(stack)
    await stack.slack.slash_command("/minutes", "", user_id=CLERK, channel_id=CHANNEL)
    form = await opened_view(stack)
    boxes = [
        b["block_id"]
        for b in form["blocks"]
        if b.get("block_id", "").startswith("minutes") and "file" not in b["block_id"]
    ]
    assert boxes == ["minutes", "minutes__2", "minutes__3", "minutes__4", "minutes__5"]
    lines = whole_meeting(items=4).splitlines()
    first, rest = "\n".join(lines[: len(lines) // 2]), "\n".join(lines[len(lines) // 2 :])

    answer = await submit_view(stack, form, {"minutes": text_value(first), "minutes__2": text_value(rest)}, CLERK)

    check = answer.json()["view"]
    assert "I found 12 resolutions." in check["blocks"][0]["text"]["text"]


async def test_dues_without_a_day_are_saved_as_the_minutes_give_them(stack):
    await set_up_committee(stack)
    slough = (FIXTURES / "minutes-corpus" / "05-slough-cabinet-improvement-recovery.txt").read_text("utf-8")
    message = {"type": "message", "user": CLERK, "ts": "1800000000.000700", "text": slough}
    await stack.slack.message_shortcut("minutes_from_message", user_id=CLERK, channel_id=CHANNEL, message=message)
    check = await opened_view(stack)
    assert field(check, "due_2")["element"]["initial_value"] == "Cabinet in December 2022"
    assert field(check, "due_5")["element"]["initial_value"] == "quarterly"

    done = await stack.slack.view_submission(
        "minutes.confirm", page_values(check), user_id=CLERK, private_metadata=check["private_metadata"]
    )

    assert done.status == 200 and not done.text
    saved = sorted(await stored(stack, Resolution), key=lambda r: r.id)
    assert [(r.due_rule, r.due_date) for r in saved][1:5] == [
        ("Cabinet in December 2022", None),
        (None, date(2023, 2, 28)),
        (None, None),
        ("quarterly", None),
    ]
    listing = shown_text((await stack.slack.slash_command("/actions", "", user_id=CLERK, channel_id=CHANNEL)).json())
    assert "due “quarterly” (as minuted, no date)" in listing  # the clerk sees what the minutes said
    assert "due “Cabinet in December 2022” (as minuted, no date)" in listing


async def test_a_due_that_cannot_be_read_is_shown_beside_its_own_resolution(stack):
    await set_up_committee(stack)
    message = {"type": "message", "user": CLERK, "ts": "1800000000.000800", "text": whole_meeting(items=1)}
    await stack.slack.message_shortcut("minutes_from_message", user_id=CLERK, channel_id=CHANNEL, message=message)
    check = await opened_view(stack)
    values = page_values(check) | {"due_2": {"value": text_value("sometime soonish")}}

    answer = await stack.slack.view_submission(
        "minutes.confirm", values, user_id=CLERK, private_metadata=check["private_metadata"]
    )

    errors = answer.json()["errors"]
    assert list(errors) == ["due_2"]
    assert errors["due_2"].startswith('Resolution 2: I couldn\'t read "sometime soonish" as a date.')
    assert await stored(stack, Resolution) == []


async def test_a_file_too_large_to_read_is_refused_in_the_form(stack):
    await set_up_committee(stack)
    refused = await _upload(stack, "whole-year.txt", b"Minutes. " * (MAX_BYTES // 4))  # 11 MB
    assert "That file is larger than the 5 MB I can read." in str(refused["blocks"])
    assert await stored(stack, Resolution) == []
