"""Teams twins of the Slack stories of importing minutes (tests/test_minutes_e2e.py, test_minutes_upload_e2e.py):
the same outcome in the database, and what the clerk sees in Teams.

Where Slack's widgets differ, the twin is of the capability: the "Import minutes" message action (the manifest's
`minutes_from_message`) for Slack's message shortcut, and a file sent in the clerk's 1:1 chat with the bot for a
file uploaded in the form or posted in the channel, as Teams gives a bot only the files people send it there.
"""

import html
from datetime import date
from pathlib import Path

from storage.models import CommentWindow, MinutesImport, Resolution
from tests.support.fake_bot_connector import CHANNEL_ID
from tests.teams_stack import (
    CLERK,
    OFFICER,
    Answer,
    buttons,
    dialog_card,
    dialog_inputs,
    form_data,
    note,
    set_up_committee,
    shown,
    stored,
)
from tests.test_minutes_upload_e2e import CFOS, whole_meeting

FIXTURES = Path(__file__).parent / "fixtures"
LSCPB = (FIXTURES / "leicester-lscpb-annual-report-2019-20-minute.txt").read_text()
IMPORT_MINUTES = "minutes_from_message"


async def _paste_form(teams) -> Answer:
    """`@committee-bot minutes` typed by the clerk, and the form it offers opened in a dialog."""
    await teams.teams.say(CLERK, "minutes")
    return await teams.teams.press(CLERK, buttons(teams.last_private(CLERK))["Import minutes"])


async def _paste(teams, minutes: str, meeting_date: str) -> Answer:
    """The minutes pasted in the form's dialog; what the dialog shows next."""
    form = await _paste_form(teams)
    return await teams.teams.submit(CLERK, form.json(), {"meeting_date": meeting_date, "minutes": minutes})


def _lines(answer: Answer) -> list[str]:
    """The words of a dialog's card, element by element, as the clerk reads them."""
    return [html.unescape(element.get("text", "")).replace("\\", "") for element in dialog_card(answer)["body"]]


def _beside(answer: Answer, field: str) -> str:
    """What the dialog says right under the box `field`: a problem with it, or the next field's label."""
    body = dialog_card(answer)["body"]
    [at] = [n for n, element in enumerate(body) if element.get("id") == field]
    after = body[at + 1]
    return after.get("text", after.get("label", "")).replace("\\", "")


def _message_action(text: str = "", attachments: list | None = None) -> dict:
    """What Teams sends when "Import minutes" is chosen on a message: its words as HTML, one paragraph a line."""
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())
    payload = {"body": {"contentType": "html", "content": paragraphs}, "attachments": attachments or []}
    return {"commandId": IMPORT_MINUTES, "commandContext": "message", "messagePayload": payload}


async def _import_message(teams, text: str) -> Answer:
    return await teams.teams.invoke(CLERK, "composeExtension/fetchTask", _message_action(text), where="channel")


async def _submit_from_the_action(teams, dialog: Answer, values: dict[str, str]) -> Answer:
    """The dialog the message action opened, filled in and submitted: Teams sends it as the action's submit."""
    card = dialog_card(dialog)
    [submit] = card["actions"]
    data = {**submit["data"], **{e["id"]: e.get("value", "") for e in card["body"] if "id" in e}, **values}
    value = {"commandId": IMPORT_MINUTES, "commandContext": "message", "data": data}
    return await teams.teams.invoke(CLERK, "composeExtension/submitAction", value, where="channel")


async def _send_file(teams, name: str, content: bytes, text: str = "minutes") -> None:
    """The clerk sends the bot a file in their 1:1 chat, with `text`."""
    attachment = teams.connector.sent_file(name, content)
    activity = teams.teams.activity("message", CLERK, "chat", text=text, attachments=[attachment])
    answer = await teams.teams.post(activity)
    assert answer.status in (200, 202), answer.text


async def _check_the_file(teams, name: str, content: bytes) -> Answer:
    """A minutes file sent in the clerk's chat, and the check it offers opened in a dialog."""
    await _send_file(teams, name, content)
    return await teams.teams.press(CLERK, buttons(teams.last_private(CLERK))["Check resolutions"])


async def _accept_page(teams, page: Answer) -> Answer:
    """The clerk accepts every field of one page of the check as proposed and presses its button."""
    return await teams.teams.submit(CLERK, page.json(), {})


# tests/test_minutes_e2e.py


async def test_teams_a_comment_deadline_opens_a_comment_window_for_members(teams):
    await set_up_committee(teams)
    recent = CFOS.replace("20 September 2022", "20 September 2040").replace("6th SEPTEMBER 2022", "6th SEPTEMBER 2040")
    confirm = await _paste(teams, recent[-2900:], "6 September 2040")
    inputs = dialog_inputs(confirm)
    assert inputs["kind_2"]["value"] == "comment_deadline" and inputs["due_2"]["value"] == "20 September 2040"
    assert {"title": "Director of Children and Family Services", "value": OFFICER} in inputs["officer_2"]["choices"]

    done = await teams.teams.submit(CLERK, confirm.json(), {"officer_2": OFFICER})
    assert done.status == 200 and not done.text  # the dialog closes
    [window] = await stored(teams, CommentWindow)
    assert window.officer_user_id == OFFICER and window.title == "draft annual report"
    [announcement] = teams.channel_posts()
    assert "Comments invited" in shown(announcement.activity) and "draft annual report" in shown(announcement.activity)
    resolutions = sorted(await stored(teams, Resolution), key=lambda r: r.id)
    assert [r.kind for r in resolutions] == ["noted", "comment_deadline"]
    assert resolutions[1].due_date == date(2040, 9, 20) and resolutions[1].comment_window_id == window.id


async def test_teams_text_with_no_resolutions_saves_nothing(teams):
    await set_up_committee(teams)
    minutes = "The Chair welcomed everyone. Apologies were received from Cllr Smith."
    again = await _paste(teams, minutes, "3 December 2040")
    assert "couldn't find any resolutions" in _beside(again, "minutes")
    assert dialog_inputs(again)["minutes"]["value"].startswith("The Chair welcomed everyone.")  # kept to correct
    assert await stored(teams, Resolution) == [] and await stored(teams, MinutesImport) == []


async def test_teams_a_bad_correction_is_shown_beside_its_field_and_nothing_is_saved(teams):
    await set_up_committee(teams)
    confirm = await _paste(teams, LSCPB[-2500:], "3 December 2020")
    # The first is noted in the minute; the clerk makes it an action, due before the meeting by mistake.
    again = await teams.teams.submit(CLERK, confirm.json(), {"kind_1": "action", "due_1": "1 January 2019"})
    beside = _beside(again, "due_1")
    assert "Resolution 1" in beside and "before the meeting" in beside
    assert 'Please correct "When it is due", below.' in _lines(again)[0]
    assert dialog_inputs(again)["due_1"]["value"] == "1 January 2019"  # what the clerk typed, to correct
    assert "before the meeting" not in _beside(again, "due_2")
    assert await stored(teams, Resolution) == []


async def test_teams_the_import_message_action_on_a_long_message(teams):
    await set_up_committee(teams)
    check = await _import_message(teams, LSCPB)
    assert dialog_card(check)["actions"][0]["title"] == "Save all"
    assert form_data(check)["id"] == "minutes.confirm" and form_data(check)["channel"] == CHANNEL_ID
    assert any("I found 3 resolutions" in line for line in _lines(check))


async def test_teams_a_message_over_teams_limit_is_refused_and_a_file_suggested(teams):
    await set_up_committee(teams)
    answer = await teams.teams.say(CLERK, "minutes " + "RESOLVED: That the report be noted. " * 1200)
    assert answer.status in (200, 202)
    refusal = shown(teams.last_private(CLERK))
    assert "That message is too long for me to read, so nothing has changed" in refusal
    assert "Long minutes can be sent to me as a file, here in our chat." in refusal
    assert await stored(teams, Resolution) == [] and await stored(teams, MinutesImport) == []


# tests/test_minutes_upload_e2e.py


async def test_teams_the_form_says_where_to_send_a_txt_docx_or_pdf_file(teams):
    await set_up_committee(teams)
    form = await _paste_form(teams)
    assert (
        "Minutes as a file: a Teams form cannot take a file. Send it to me in our chat instead. "
        "A .txt, .docx or .pdf file of the whole meeting's minutes." in _lines(form)
    )
    inputs = dialog_inputs(form)
    assert "minutes_file" not in inputs  # no box that could not take one
    assert inputs["meeting_date"]["isRequired"] is False and "value" not in inputs["meeting_date"]  # no guessed date


async def test_teams_a_whole_meetings_minutes_are_checked_a_page_at_a_time_and_saved_with_their_items(teams):
    await set_up_committee(teams)
    pages = [await _check_the_file(teams, "whole-meeting.txt", whole_meeting(items=10).encode())]
    while dialog_card(pages[-1])["actions"][0]["title"] == "Next page":
        pages.append(await _accept_page(teams, pages[-1]))
        assert await stored(teams, Resolution) == []  # nothing is saved until the last page is

    assert len(pages) == 3
    assert any("I found 30 resolutions. This is page 1 of 3." in line for line in _lines(pages[0]))
    assert any("This is page 3 of 3." in line for line in _lines(pages[-1]))
    assert "text_25" in dialog_inputs(pages[-1]) and "text_24" not in dialog_inputs(pages[-1])
    assert len({form_data(page)["opened"] for page in pages}) == 1  # one dialog, on to its next page
    assert dialog_card(pages[-1])["actions"][0]["title"] == "Save all"

    done = await _accept_page(teams, pages[-1])
    assert done.status == 200 and not done.text
    saved = sorted(await stored(teams, Resolution), key=lambda r: r.id)
    assert len(saved) == 30
    told = shown(teams.last_private(CLERK))
    assert "Saved 30" in told and "... and 10 more." in told
    assert (saved[0].minute_item, saved[0].minute_item_title) == ("5", "TOPIC NUMBER 1")
    assert (saved[-1].minute_item, saved[-1].owner_title) == ("14", "Head of Service 10.3")
    assert {r.meeting_id for r in saved} == {None}  # no meeting on 14 March 2030 in the calendar


async def test_teams_a_minutes_file_longer_than_a_message_is_read_whole_from_the_chat(teams):
    await set_up_committee(teams)
    minutes = whole_meeting(items=30, per_item=2) + "\n\nThe meeting closed at 9.15 pm.\n" + ("\n" * 1000)
    minutes += "Attendance record. " * 2500
    assert len(minutes) > 40_000
    check = await _check_the_file(teams, "minutes.txt", minutes.encode())
    assert any("I found 60 resolutions. This is page 1 of 5." in line for line in _lines(check))


async def test_teams_the_import_message_action_on_a_posted_file_says_to_send_it_in_the_chat(teams):
    await set_up_committee(teams)
    posted = {
        "id": "file-1",
        "contentType": "reference",
        "contentUrl": "https://contoso.sharepoint.com/sites/CFOSC/Shared Documents/General/minutes.txt",
        "name": "minutes.txt",
    }
    value = _message_action(attachments=[posted])
    answer = await teams.teams.invoke(CLERK, "composeExtension/fetchTask", value, where="channel")
    assert note(answer) == "I can't open files posted in a channel. Send minutes.txt to me in our chat, and I'll " + (
        "read the minutes there."
    )
    assert await stored(teams, MinutesImport) == []


async def test_teams_the_message_action_on_a_message_prefills_the_date_the_minutes_give(teams):
    await set_up_committee(teams)
    check = await _import_message(teams, CFOS)
    assert dialog_inputs(check)["meeting_date"]["value"] == "6 September 2022"


async def test_teams_a_long_paste_is_read_whole_from_the_one_box(teams):
    """Slack's boxes hold 3,000 characters each, so a paste runs on into more; Teams' one box holds the lot."""
    await set_up_committee(teams)
    form = await _paste_form(teams)
    assert dialog_inputs(form)["minutes"]["maxLength"] == 15_000
    assert [name for name in dialog_inputs(form) if name.startswith("minutes")] == ["minutes"]
    check = await teams.teams.submit(CLERK, form.json(), {"minutes": whole_meeting(items=4)})
    assert any("I found 12 resolutions." in line for line in _lines(check))


async def test_teams_dues_without_a_day_are_saved_as_the_minutes_give_them(teams):
    await set_up_committee(teams)
    slough = (FIXTURES / "minutes-corpus" / "05-slough-cabinet-improvement-recovery.txt").read_text("utf-8")
    check = await _import_message(teams, slough)
    inputs = dialog_inputs(check)
    assert inputs["due_2"]["value"] == "Cabinet in December 2022" and inputs["due_5"]["value"] == "quarterly"

    done = await _submit_from_the_action(teams, check, {})
    assert done.status == 200 and not done.text
    saved = sorted(await stored(teams, Resolution), key=lambda r: r.id)
    assert [(r.due_rule, r.due_date) for r in saved][1:5] == [
        ("Cabinet in December 2022", None),
        (None, date(2023, 2, 28)),
        (None, None),
        ("quarterly", None),
    ]
    await teams.teams.say(CLERK, "actions")
    listing = shown(teams.last_private(CLERK))
    assert "due “quarterly” (as minuted, no date)" in listing
    assert "due “Cabinet in December 2022” (as minuted, no date)" in listing


async def test_teams_a_due_that_cannot_be_read_is_shown_beside_its_own_resolution(teams):
    await set_up_committee(teams)
    check = await _import_message(teams, whole_meeting(items=1))
    again = await _submit_from_the_action(teams, check, {"due_2": "sometime soonish"})
    assert _beside(again, "due_2").startswith('⚠️ Resolution 2: I couldn\'t read "sometime soonish" as a date.')
    problems = [line for line in _lines(again) if line.startswith("⚠️")]
    assert len(problems) == 2  # where to look, at the top, and the problem beside due_2 alone
    assert await stored(teams, Resolution) == []
