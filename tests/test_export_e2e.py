"""The receiving officer or a clerk collects the compiled comments as Word, Markdown and CSV by DM."""

import csv
import io

from docx import Document

from tests.flows import buttons, comment_inline, open_window, responses, set_up_committee, shown_text
from tests.stack import CHANNEL, CLERK, MEMBERS, OFFICER

PATEL, JONES, SMITH = MEMBERS


async def _with_responses(stack) -> int:
    await set_up_committee(stack)
    window_id = await open_window(stack)
    await comment_inline(stack, PATEL, "annual-report-2021 General point about data.")
    await stack.slack.slash_command("/comment", "", user_id=PATEL, channel_id=CHANNEL)
    view = (await stack.fake.wait_for("views.open"))[-1].params["view"]
    state = {
        "report": {"value": {"type": "static_select", "selected_option": {"value": str(window_id)}}},
        "section": {"value": {"type": "plain_text_input", "value": "Section 3"}},
        "text": {"value": {"type": "plain_text_input", "value": "Mental health waiting lists.\nSecond line."}},
    }
    await stack.slack.view_submission("comment.add", state, user_id=PATEL, private_metadata=view["private_metadata"])
    await stack.slack.block_action("comment.none", str(window_id), user_id=JONES, channel_id=CHANNEL)
    await responses(stack)
    return window_id


async def test_officer_gets_the_compiled_comments_in_a_dm(stack):
    await _with_responses(stack)
    reply = await stack.slack.slash_command("/report", "export annual-report-2021", user_id=OFFICER, channel_id=CHANNEL)
    assert '2 comments, 1 "no comments", 2 not yet responded' in shown_text(reply.json())
    await stack.fake.wait_for("files.completeUploadExternal")
    files = {f.filename.rsplit(".", 1)[1]: f for f in stack.fake.uploaded_files}
    assert set(files) == {"docx", "md", "csv"}
    assert {f.channel_id for f in files.values()} == {f"D{OFFICER}"}

    document = Document(io.BytesIO(files["docx"].content))
    paragraphs = [p.text for p in document.paragraphs]
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["General comments", "Section 3"]
    assert "Cllr Jones" in paragraphs and "Cllr Smith" in paragraphs and "Cllr Chair" in paragraphs
    assert any("Mental health waiting lists.\nSecond line." in p for p in paragraphs)

    rows = list(csv.DictReader(io.StringIO(files["csv"].content.decode())))
    assert {(r["member"], r["response"]) for r in rows} == {
        ("Cllr Patel", "comment"),
        ("Cllr Jones", "no comments"),
        ("Cllr Smith", "not responded"),
        ("Cllr Chair", "not responded"),
    }
    assert "Mental health waiting lists." in files["md"].content.decode()


async def test_edited_comments_are_marked(stack):
    await set_up_committee(stack)
    await open_window(stack)
    receipt = await comment_inline(stack, PATEL, "annual-report-2021 Draft wording")
    comment_id = buttons(receipt)["Edit"]["value"]
    await stack.slack.block_action("comment.edit", comment_id, user_id=PATEL, channel_id=CHANNEL)
    view = (await stack.fake.wait_for("views.open"))[-1].params["view"]
    state = {
        "section": {"value": {"type": "plain_text_input", "value": None}},
        "text": {"value": {"type": "plain_text_input", "value": "Final wording"}},
    }
    await stack.slack.view_submission("comment.edit", state, user_id=PATEL, private_metadata=view["private_metadata"])
    await stack.fake.wait_for("chat.postEphemeral")
    await stack.slack.slash_command("/report", "export annual-report-2021", user_id=CLERK, channel_id=CHANNEL)
    await stack.fake.wait_for("files.completeUploadExternal")
    markdown = next(f for f in stack.fake.uploaded_files if f.filename.endswith(".md")).content.decode()
    assert "Final wording" in markdown and "Draft wording" not in markdown and "(edited)" in markdown


async def test_members_cannot_export_others_comments(stack):
    await _with_responses(stack)
    reply = await stack.slack.slash_command("/report", "export annual-report-2021", user_id=SMITH, channel_id=CHANNEL)
    assert "Only the officer who receives a report's comments, or the committee's clerks" in shown_text(reply.json())
    await stack.bot.delivery.drain()
    assert stack.fake.uploaded_files == []


async def test_export_of_an_unknown_report_lists_the_choices(stack):
    await _with_responses(stack)
    reply = await stack.slack.slash_command("/report", "export budget", user_id=CLERK, channel_id=CHANNEL)
    text = shown_text(reply.json())
    assert 'can\'t find a report you can export called "budget"' in text and "annual-report-2021" in text
