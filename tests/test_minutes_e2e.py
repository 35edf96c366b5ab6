"""/minutes: resolutions found in a pasted minute, checked by the clerk in a form, then saved."""

import io
from datetime import date
from pathlib import Path

from aiohttp import web
from docx import Document

from storage.models import CommentWindow, Resolution
from tests.flows import accepted_values as _confirm_values
from tests.flows import opened_view, set_up_committee, shown_text, stored, submit_view
from tests.stack import CHANNEL, CLERK, MEMBERS, OFFICER
from tests.support.slack_client import select_value, text_value, user_value

PATEL = MEMBERS[0]
FIXTURES = Path(__file__).parent / "fixtures"
LSCPB = (FIXTURES / "leicester-lscpb-annual-report-2019-20-minute.txt").read_text()
CFOS = (FIXTURES / "leicestershire-cfos-2022-09-06-minute-extract.txt").read_text()


def _field(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


async def _paste(stack, minutes: str, meeting_date: str) -> dict:
    await stack.slack.slash_command("/minutes", "", user_id=CLERK, channel_id=CHANNEL)
    view = await opened_view(stack)
    answer = await submit_view(
        stack, view, {"meeting_date": text_value(meeting_date), "minutes": text_value(minutes[:3000])}, CLERK
    )
    return answer.json()


async def test_the_lscpb_minute_is_found_checked_and_saved(stack):
    await set_up_committee(stack)
    update = await _paste(stack, LSCPB[-2500:], "3 December 2020")
    assert update["response_action"] == "update"
    confirm = update["view"]
    assert "I found 3 resolutions" in confirm["blocks"][0]["text"]["text"]
    kinds = [_field(confirm, f"kind_{n}")["element"]["initial_option"]["value"] for n in (1, 2, 3)]
    assert kinds == ["noted", "report_back", "noted"]
    assert _field(confirm, "due_2")["element"]["initial_value"] == "future meeting"
    assert "task and finish group" in _field(confirm, "owner_2")["element"]["initial_value"]
    assert await stored(stack, Resolution) == []

    done = await stack.slack.view_submission(
        "minutes.confirm",
        {k: {"value": v} for k, v in _confirm_values(confirm).items()},
        user_id=CLERK,
        private_metadata=confirm["private_metadata"],
        view_id="VMINUTES",
    )
    assert done.status == 200 and not done.text
    saved = sorted(await stored(stack, Resolution), key=lambda r: r.id)
    assert [(r.kind, r.due_rule) for r in saved] == [
        ("noted", None),
        ("report_back", "future meeting"),
        ("noted", None),
    ]
    listing = (await stack.slack.slash_command("/actions", "", user_id=CLERK, channel_id=CHANNEL)).json()
    assert "task and finish group" in shown_text(listing) and "at a future meeting (none scheduled yet)" in shown_text(
        listing
    )


async def test_a_comment_deadline_opens_a_comment_window_for_members(stack):
    await set_up_committee(stack)
    recent = CFOS.replace("20 September 2022", "20 September 2040").replace("6th SEPTEMBER 2022", "6th SEPTEMBER 2040")
    update = await _paste(stack, recent[-2900:], "6 September 2040")
    confirm = update["view"]
    assert _field(confirm, "kind_2")["element"]["initial_option"]["value"] == "comment_deadline"
    assert _field(confirm, "due_2")["element"]["initial_value"] == "20 September 2040"
    values = _confirm_values(confirm, officer_2=user_value(OFFICER))
    await stack.slack.view_submission(
        "minutes.confirm",
        {k: {"value": v} for k, v in values.items()},
        user_id=CLERK,
        private_metadata=confirm["private_metadata"],
        view_id="VCFOS",
    )
    [window] = await stored(stack, CommentWindow)
    assert window.officer_user_id == OFFICER and window.title == "draft annual report"
    await stack.fake.wait_for("chat.postMessage", where=lambda call: "Comments invited" in str(call.params))
    resolutions = sorted(await stored(stack, Resolution), key=lambda r: r.id)
    assert [r.kind for r in resolutions] == ["noted", "comment_deadline"]
    assert resolutions[1].due_date == date(2040, 9, 20)


async def test_text_with_no_resolutions_saves_nothing(stack):
    await set_up_committee(stack)
    answer = await _paste(
        stack, "The Chair welcomed everyone. Apologies were received from Cllr Smith.", "3 December 2040"
    )
    assert answer["response_action"] == "errors"
    assert "couldn't find any resolutions" in answer["errors"]["minutes"]
    assert await stored(stack, Resolution) == []


async def test_members_cannot_import_minutes(stack):
    await set_up_committee(stack)
    answer = (await stack.slack.slash_command("/minutes", LSCPB[-800:], user_id=PATEL, channel_id=CHANNEL)).json()
    assert "Only the committee's clerks can record resolutions" in shown_text(answer)


async def test_a_bad_correction_is_shown_beside_its_field_and_nothing_is_saved(stack):
    await set_up_committee(stack)
    confirm = (await _paste(stack, LSCPB[-2500:], "3 December 2020"))["view"]
    # The first is noted in the minute; the clerk makes it an action, due before the meeting by mistake.
    values = _confirm_values(confirm, kind_1=select_value("action"), due_1=text_value("1 January 2019"))
    answer = await stack.slack.view_submission(
        "minutes.confirm",
        {k: {"value": v} for k, v in values.items()},
        user_id=CLERK,
        private_metadata=confirm["private_metadata"],
        view_id="VBAD",
    )
    errors = answer.json()["errors"]
    assert "Resolution 1" in errors["due_1"] and "before the meeting" in errors["due_1"]
    assert await stored(stack, Resolution) == []


async def test_the_import_shortcut_on_a_long_message(stack):
    await set_up_committee(stack)
    message = {"type": "message", "user": CLERK, "ts": "1800000000.000100", "text": LSCPB}
    await stack.slack.message_shortcut("minutes_from_message", user_id=CLERK, channel_id=CHANNEL, message=message)
    view = await opened_view(stack)
    assert view["callback_id"] == "minutes.confirm"


async def test_a_paste_over_slacks_limit_is_refused(stack):
    await set_up_committee(stack)
    answer = (
        await stack.slack.slash_command(
            "/minutes", "RESOLVED: That the report be noted. " * 1200, user_id=CLERK, channel_id=CHANNEL
        )
    ).json()
    assert "more than the 40,000 Slack allows" in shown_text(answer)
    assert await stored(stack, Resolution) == []


async def test_minutes_shared_as_a_word_file_are_read(stack):

    await set_up_committee(stack)
    document = Document()
    for line in LSCPB.splitlines():
        document.add_paragraph(line)
    content = io.BytesIO()
    document.save(content)
    shared = stack.fake.host_file("lscpb-minutes.docx", content.getvalue())
    message = {
        "type": "message",
        "user": CLERK,
        "ts": "1800000000.000200",
        "text": "Minutes attached",
        "files": [shared],
    }
    await stack.slack.message_shortcut("minutes_from_message", user_id=CLERK, channel_id=CHANNEL, message=message)
    view = await opened_view(stack)
    assert "I found 3 resolutions" in view["blocks"][0]["text"]["text"]


async def test_an_unreadable_file_is_explained(stack):
    await set_up_committee(stack)
    shared = stack.fake.host_file("minutes.pdf", b"%PDF-1.4 not really a pdf")
    message = {"type": "message", "user": CLERK, "ts": "1800000000.000300", "text": "", "files": [shared]}
    await stack.slack.message_shortcut("minutes_from_message", user_id=CLERK, channel_id=CHANNEL, message=message)
    [answer] = [body for _, body in await stack.fake.wait_for_response()]
    assert ":warning:" in shown_text(answer)
    assert stack.fake.calls_to("views.open") == []


async def test_the_bot_token_is_sent_only_to_slacks_file_hosts(stack):
    """A message's files name their own download address; one anywhere but Slack must not get the bot token."""
    await set_up_committee(stack)
    seen: list[str | None] = []

    async def serve_file(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization"))
        return web.Response(body=b"RESOLVED: That the report be noted.")

    elsewhere = web.Application()
    elsewhere.router.add_get("/minutes.txt", serve_file)
    runner = web.AppRunner(elsewhere)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        shared = {
            "id": "F0ELSEWHERE",
            "name": "minutes.txt",
            "url_private_download": f"http://127.0.0.1:{port}/minutes.txt",
        }
        message = {"type": "message", "user": CLERK, "ts": "1800000000.000400", "text": "", "files": [shared]}
        await stack.slack.message_shortcut("minutes_from_message", user_id=CLERK, channel_id=CHANNEL, message=message)
        [answer] = [body for _, body in await stack.fake.wait_for_response()]
    finally:
        await runner.cleanup()
    assert "I can only read files stored in Slack, and minutes.txt is not" in shown_text(answer)
    assert seen == [] and stack.fake.calls_to("views.open") == []
