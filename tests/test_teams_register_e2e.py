"""Teams twins of the Slack stories of the register, meetings, minutes, committee set-up and the Home tab
(tests/test_actions_e2e.py, test_meetings_e2e.py, test_minutes_e2e.py, test_committee_setup.py,
test_register_views_e2e.py): the same outcome in the database, and what each person sees in Teams."""

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import time_machine
from docx import Document
from icalendar import Calendar

from bot.teams.cards import LEFT_OUT, MOST_CARD_BYTES, PRESS
from handlers.reminders import tick
from storage.models import (
    Committee,
    CommitteeClerk,
    Meeting,
    MeetingStatus,
    MinutesImport,
    Resolution,
    ResolutionChange,
    ResolutionStatus,
    Workspace,
)
from tests.flows import FAST
from tests.support.fake_bot_connector import BOT_ID, CHANNEL_ID
from tests.teams_reminders_stack import teams_instance
from tests.teams_stack import (
    CHAIR,
    CLERK,
    MEMBERS,
    NAMES,
    OFFICER,
    STRANGER,
    allow_files,
    button_list,
    buttons,
    card_of,
    consent,
    consent_cards,
    dialog_card,
    dialog_inputs,
    form_data,
    note,
    press_data,
    set_up_committee,
    shown,
    stored,
)
from tests.test_minutes_upload_e2e import CFOS, word_file
from tests.test_teams_commenting_e2e import press_free

PATEL, JONES, _ = MEMBERS
ADULTS_TEAM, ADULTS_CHANNEL = "adults-team", "19:adults@thread.tacv2"
FIXTURES = Path(__file__).parent / "fixtures"
LSCPB = (FIXTURES / "leicester-lscpb-annual-report-2019-20-minute.txt").read_text()


async def _record(
    teams,
    text: str,
    due: str = "",
    owner_title: str = "",
    owner: str = "",
    meeting_date: str = "",
    kind: str = "action",
    elsewhere: bool = False,
):
    await (_say_elsewhere(teams, "actions add") if elsewhere else teams.teams.say(CLERK, "actions add"))
    dialog = await teams.teams.press(CLERK, buttons(teams.last_private(CLERK))["Record a resolution"])
    values = {
        "text": text,
        "kind": kind,
        "owner_user_id": owner,
        "owner_title": owner_title,
        "due": due,
        "meeting_date": meeting_date,
    }
    return await teams.teams.submit(CLERK, dialog.json(), values)


async def _say_elsewhere(teams, text: str, mentions: tuple = ()) -> None:
    """The clerk's `@committee-bot <text>` in the channel of another team, where they are the only member; each of
    `mentions` (a member id) written where `@<id>` stands, as Teams writes a mention."""
    if ADULTS_TEAM not in teams.connector.rosters:
        teams.connector.add_member(ADULTS_TEAM, "Dana Clerk", member_id=CLERK)
    entities = [
        {"type": "mention", "text": "<at>committee-bot</at>", "mentioned": {"id": BOT_ID, "name": "committee-bot"}}
    ]
    for member in mentions:
        tag = f"<at>{NAMES[member]}</at>"
        text = text.replace(f"@{member}", tag)
        entities.append({"type": "mention", "text": tag, "mentioned": {"id": member, "name": NAMES[member]}})
    activity = teams.teams.activity("message", CLERK, text=f"<at>committee-bot</at> {text}", entities=entities)
    activity["conversation"]["id"] = activity["channelData"]["channel"]["id"] = ADULTS_CHANNEL
    activity["channelData"]["team"]["id"] = ADULTS_TEAM
    answer = await teams.teams.post(activity)
    assert answer.status == 202, answer.text


async def _actions(teams, text: str = "", user: str = CLERK) -> dict:
    answer = await teams.teams.say(user, f"actions {text}".strip())
    assert answer.status == 202, answer.text
    return teams.last_private(user)


async def test_teams_recording_a_resolution_with_a_date_and_owner_title(teams):
    await set_up_committee(teams)
    answer = await _record(
        teams,
        "Officers to review school transport.",
        due="by the end of March 2041",
        owner_title="Director of Children and Family Services",
    )
    assert answer.status == 200 and not answer.text
    assert "Resolution R1 recorded" in shown(teams.last_private(CLERK))
    [resolution] = await stored(teams, Resolution)
    assert resolution.due_date == date(2041, 3, 31)
    assert resolution.owner_title == "Director of Children and Family Services"


async def test_teams_a_period_counts_from_the_meeting_date(teams):
    await set_up_committee(teams)
    answer = await _record(
        teams, "Report on progress.", due="within six months", meeting_date="6 September 2040", kind="report_back"
    )
    assert answer.status == 200, answer.text
    [resolution] = await stored(teams, Resolution)
    assert resolution.due_date == date(2041, 3, 6) and resolution.due_rule == "within six months"


async def test_teams_a_due_date_before_the_meeting_is_refused_in_the_form(teams):
    await set_up_committee(teams)
    answer = await _record(teams, "Something.", due="1 August 2040", meeting_date="6 September 2040")
    body = dialog_card(answer)["body"]
    [due] = [n for n, element in enumerate(body) if element.get("id") == "due"]
    assert "before the meeting on 6 September 2040" in body[due + 1]["text"]  # beside the field, as in Slack
    assert body[0]["text"].startswith("⚠️ Please correct")
    assert dialog_inputs(answer)["due"]["value"] == "1 August 2040"
    assert await stored(teams, Resolution) == []


async def test_teams_members_see_the_list_read_only(teams):
    await set_up_committee(teams)
    await _record(teams, "An action.", due="1 June 2041")
    listing = await _actions(teams, user=PATEL)
    assert "An action." in shown(listing)
    assert set(buttons(listing)) == {"History", "Share in channel"}


async def test_teams_a_member_forging_a_clerks_button_is_refused(teams):
    await set_up_committee(teams)
    await _record(teams, "An action.", due="1 June 2041")
    mark_done = buttons(await _actions(teams))["Mark done"]
    answer = await teams.teams.press(PATEL, mark_done)
    assert "Only the committee's clerks can change resolutions" in note(answer)
    [resolution] = await stored(teams, Resolution)
    assert resolution.status == ResolutionStatus.OPEN


async def test_teams_mark_done_with_a_note_then_history(teams):
    await set_up_committee(teams)
    await _record(teams, "An action.", due="1 June 2041")
    listing = await _actions(teams)
    dialog = await teams.teams.press(CLERK, buttons(listing)["Mark done"])
    await teams.teams.submit(CLERK, dialog.json(), {"note": "Reported on 3 May."})
    [resolution] = await stored(teams, Resolution)
    assert (resolution.status, resolution.closing_note) == ("done", "Reported on 3 May.")
    assert "no open resolutions" in shown(await _actions(teams))
    await teams.teams.press(PATEL, buttons(listing)["History"])
    history = shown(teams.last_private(PATEL))
    assert "created by" in history and "done by" in history and "Reported on 3 May." in history


async def test_teams_reassign_and_redate_are_kept_in_history(teams):
    await set_up_committee(teams)
    await _record(teams, "An action.", due="1 June 2041", owner_title="Head of Service")
    dialog = await teams.teams.press(CLERK, buttons(await _actions(teams))["Reassign"])
    answer = await teams.teams.submit(CLERK, dialog.json(), {"owner_user_id": OFFICER, "owner_title": ""})
    assert answer.status == 200, answer.text
    dialog = await teams.teams.press(CLERK, buttons(await _actions(teams))["Change due"])
    answer = await teams.teams.submit(CLERK, dialog.json(), {"due": "30 September 2041"})
    assert answer.status == 200, answer.text
    [resolution] = await stored(teams, Resolution)
    assert (resolution.owner_user_id, resolution.owner_title, resolution.due_date) == (OFFICER, None, date(2041, 9, 30))
    actions = [change.action for change in sorted(await stored(teams, ResolutionChange), key=lambda c: c.id)]
    assert actions == ["created", "reassigned", "redated"]
    await teams.teams.press(PATEL, buttons(await _actions(teams, user=PATEL))["History"])
    history = shown(teams.last_private(PATEL))
    assert "reassigned by" in history and "30 September 2041" in history


async def test_teams_a_stale_button_shows_the_current_state(teams):
    await set_up_committee(teams)
    await _record(teams, "An action.", due="1 June 2041")
    stale_list = await _actions(teams)
    dialog = await teams.teams.press(CLERK, buttons(await _actions(teams))["Cancel"])
    await teams.teams.submit(CLERK, dialog.json(), {"note": "Superseded."})
    answer = await teams.teams.press(CLERK, buttons(stale_list)["Mark done"])
    assert "R1 was already marked cancelled" in note(answer)  # in the dialog; the whole of it in their chat
    told = shown(teams.last_private(CLERK))
    assert "R1 was already marked cancelled" in told and "Superseded." in told
    assert "Mark done" not in buttons(teams.last_private(CLERK))
    [resolution] = await stored(teams, Resolution)
    assert resolution.status == ResolutionStatus.CANCELLED


async def test_teams_share_in_channel_posts_without_buttons(teams):
    await set_up_committee(teams)
    await _record(teams, "An action.", due="1 June 2041")
    listing = await _actions(teams, user=PATEL)
    await teams.teams.press(PATEL, buttons(listing)["Share in channel"])
    [shared] = teams.channel_posts()
    assert "An action." in shown(shared.activity) and set(buttons(shared.activity)) <= {"Full text", "History"}


# Meetings (tests/test_meetings_e2e.py).


async def test_teams_register_export_in_word_and_csv_with_history(teams):
    await set_up_committee(teams)
    await _record(
        teams,
        "Officers to write to the Minister, costs included.",
        due="31 January 2041",
        owner_title="Director of Children and Family Services",
    )
    dialog = await teams.teams.press(CLERK, buttons(await _actions(teams))["Mark done"])
    await teams.teams.submit(CLERK, dialog.json(), {"note": "Letter sent."})
    await teams.teams.say(CLERK, "actions export")
    assert any("register (1 resolution" in shown(m.activity) for m in teams.chat(CLERK) if m.activity.get("summary"))
    files = await allow_files(teams, CLERK)
    words = "\n".join(p.text for p in Document(io.BytesIO(files["docx"])).paragraphs)
    assert "Officers to write to the Minister, costs included." in words and "Letter sent." in words
    [row] = list(csv.DictReader(io.StringIO(files["csv"].decode("utf-8-sig"))))
    assert row["status"] == "done" and "Dana Clerk" in row["history"]


async def test_teams_members_cannot_export_the_register_nor_allow_it_to_themselves(teams):
    await set_up_committee(teams)
    await teams.teams.say(PATEL, "actions export")
    assert "Only the committee's clerks can export the resolutions register" in shown(teams.last_private(PATEL))
    assert consent_cards(teams, PATEL) == []

    await teams.teams.say(CLERK, "actions export")
    card = consent_cards(teams, CLERK)[0]
    value = consent(card, teams.connector.upload_info(card["name"]))
    made_out_to_patel = {**value, "context": {**value["context"], "for": PATEL}}
    await teams.teams.invoke(PATEL, "fileConsent/invoke", made_out_to_patel)
    assert "Only the committee's clerks can export the resolutions register" in shown(teams.last_private(PATEL))
    assert teams.connector.uploads == {}


async def test_teams_calendar_sent_as_a_file_a_member_allows(teams):
    await set_up_committee(teams)
    await teams.teams.say(CLERK, "meeting add 14 March 2041 10:00")
    await teams.teams.say(PATEL, "meeting calendar")
    said = [shown(m.activity) for m in teams.chat(PATEL) if m.activity.get("summary")]
    assert any("Calendar of Children and Families Overview and Scrutiny Committee" in text for text in said)
    files = await allow_files(teams, PATEL)
    events = Calendar.from_ical(files["ics"]).walk("VEVENT")
    assert [event["DTSTART"].dt for event in events] == [
        datetime(2041, 3, 14, 10, 0, tzinfo=events[0]["DTSTART"].dt.tzinfo)
    ]
    [committee] = await stored(teams, Committee)
    assert committee.calendar_token


async def test_teams_actions_all_covers_every_committee_the_clerk_clerks(teams):
    await set_up_committee(teams)
    await _say_elsewhere(teams, "committee setup Adults Scrutiny Commission")
    await _record(teams, "Here.", due="1 May 2041")
    await _record(teams, "There.", due="1 June 2041", elsewhere=True)
    every = shown(await _actions(teams, "all"))
    assert "Here." in every and "There." in every
    only = shown(await _actions(teams, "committee adults"))
    assert "There." in only and "Here." not in only


async def test_teams_an_owner_who_does_not_exist_is_refused(teams):
    await set_up_committee(teams)
    answer = await _record(teams, "Someone to do something.", owner="29:nobody")
    assert "can't find that person" in str(dialog_card(answer)["body"])
    assert await stored(teams, Resolution) == []


async def test_teams_upcoming_deadline_is_not_overdue(teams):
    await set_up_committee(teams)
    soon = datetime.now(UTC) + timedelta(days=3)
    await _record(teams, "Due soon.", due=f"{soon.day} {soon:%B %Y}")
    assert "no open resolutions" in shown(await _actions(teams, "overdue"))


async def test_teams_clerk_adds_a_meeting_inline_in_the_committee_zone(teams):
    await set_up_committee(teams)
    await teams.teams.say(CLERK, "meeting add 14 March 2041 10:00")
    assert "Meeting added: **Thursday 14 March 2041 at 10:00 (Europe/London)**" in shown(teams.last_private(CLERK))
    [meeting] = await stored(teams, Meeting)
    assert meeting.starts_at == datetime(2041, 3, 14, 10, 0, tzinfo=UTC)


async def test_teams_summer_meeting_is_stored_in_utc(teams):
    await set_up_committee(teams)
    await teams.teams.say(CLERK, "meeting add 14 July 2041 10:00")
    [meeting] = await stored(teams, Meeting)
    assert meeting.starts_at == datetime(2041, 7, 14, 9, 0, tzinfo=UTC)


async def test_teams_a_meeting_needs_a_time(teams):
    await set_up_committee(teams)
    await teams.teams.say(CLERK, "meeting add 14 March 2041")
    assert "start time" in shown(teams.last_private(CLERK))
    assert await stored(teams, Meeting) == []


async def test_teams_members_see_the_next_meetings_without_clerks_buttons(teams):
    await set_up_committee(teams)
    await teams.teams.say(CLERK, "meeting add 14 March 2041 10:00")
    await teams.teams.say(CLERK, "meeting add 9 May 2041 18:30")
    await teams.teams.say(PATEL, "meeting")
    listing = shown(teams.last_private(PATEL))
    assert listing.index("14 March 2041") < listing.index("9 May 2041")
    assert buttons(teams.last_private(PATEL)) == {}


async def test_teams_members_cannot_add_meetings(teams):
    await set_up_committee(teams)
    await teams.teams.say(PATEL, "meeting add 14 March 2041 10:00")
    assert "Only the committee's clerks can keep the committee's calendar" in shown(teams.last_private(PATEL))
    assert await stored(teams, Meeting) == []


async def test_teams_clerk_moves_and_cancels_with_buttons(teams):
    await set_up_committee(teams)
    await teams.teams.say(CLERK, "meeting add 14 March 2041 10:00")
    await teams.teams.say(CLERK, "meeting")
    listing = teams.last_private(CLERK)
    dialog = await teams.teams.press(CLERK, buttons(listing)["Move"])
    await teams.teams.submit(CLERK, dialog.json(), {"when": "21 March 2041 14:00"})
    [meeting] = await stored(teams, Meeting)
    assert meeting.starts_at == datetime(2041, 3, 21, 14, 0, tzinfo=UTC)
    question = await teams.teams.press(CLERK, buttons(listing)["Cancel meeting"])
    assert "Cancel the meeting on" in str(question.json())  # asked first, as Slack's confirm does
    yes = buttons(dialog_card(question))["Yes"]
    answer = await teams.teams.invoke(CLERK, "task/submit", {"data": yes["data"]})
    assert "Meeting cancelled" in note(answer)
    [meeting] = await stored(teams, Meeting)
    assert meeting.status == MeetingStatus.CANCELLED


async def test_teams_the_add_form(teams):
    await set_up_committee(teams)
    await teams.teams.say(CLERK, "meeting add")
    [open_it] = button_list(teams.last_private(CLERK))
    dialog = await teams.teams.press(CLERK, open_it)
    assert form_data(dialog)["id"] == "meeting.add" and "when" in dialog_inputs(dialog)
    answer = await teams.teams.submit(CLERK, dialog.json(), {"when": "2/4/2041 10:30"})
    assert answer.status == 200 and not answer.text  # the dialog closes
    [meeting] = await stored(teams, Meeting)
    assert meeting.starts_at == datetime(2041, 4, 2, 9, 30, tzinfo=UTC)
    assert "Meeting added: **Tuesday 2 April 2041 at 10:30 (Europe/London)**" in shown(teams.last_private(CLERK))


# Minutes (tests/test_minutes_e2e.py).


async def test_teams_the_lscpb_minute_is_found_checked_and_saved(teams):
    await set_up_committee(teams)
    await teams.teams.say(CLERK, "minutes")
    dialog = await teams.teams.press(CLERK, buttons(teams.last_private(CLERK))["Import minutes"])
    values = {"meeting_date": "3 December 2020", "minutes": LSCPB[-2500:]}
    confirm = await teams.teams.submit(CLERK, dialog.json(), values)
    card = dialog_card(confirm)
    assert any("I found 3 resolutions" in block.get("text", "") for block in card["body"])
    inputs = dialog_inputs(confirm)
    assert [inputs[f"kind_{n}"]["value"] for n in (1, 2, 3)] == ["noted", "report_back", "noted"]
    assert "task and finish group" in inputs["owner_2"]["value"]
    assert await stored(teams, Resolution) == []
    done = await teams.teams.submit(CLERK, confirm.json(), {})
    assert done.status == 200 and not done.text
    saved = sorted(await stored(teams, Resolution), key=lambda r: r.id)
    assert [(r.kind, r.due_rule) for r in saved] == [
        ("noted", None),
        ("report_back", "future meeting"),
        ("noted", None),
    ]


async def _send_file(teams, user: str, name: str, content: bytes, text: str = "minutes"):
    """`user` sends the bot a file in their chat, with `text`: the only place Teams lets a bot receive one."""
    attachment = teams.connector.sent_file(name, content)
    answer = await teams.teams.post(teams.teams.activity("message", user, "chat", text=text, attachments=[attachment]))
    assert answer.status in (200, 202), answer.text


async def test_teams_minutes_sent_as_a_word_file_in_the_chat_are_read(teams):
    await set_up_committee(teams)
    await _send_file(teams, CLERK, "lscpb-minutes.docx", word_file(LSCPB), text="Last night's minutes")
    dialog = await teams.teams.press(CLERK, buttons(teams.last_private(CLERK))["Check resolutions"])
    assert any("I found 3 resolutions" in block.get("text", "") for block in dialog_card(dialog)["body"])
    assert form_data(dialog)["channel"] == CHANNEL_ID  # the form acts for the committee the clerk clerks


async def test_teams_minutes_sent_as_a_file_are_read_with_the_date_they_give(teams):
    await set_up_committee(teams)
    await _send_file(teams, CLERK, "cfos-minute.docx", word_file(CFOS))
    check = await teams.teams.press(CLERK, buttons(teams.last_private(CLERK))["Check resolutions"])
    assert any("I found 2 resolutions" in block.get("text", "") for block in dialog_card(check)["body"])
    assert dialog_inputs(check)["meeting_date"]["value"] == "6 September 2022"
    assert "item 11" in str(dialog_card(check)["body"])


async def test_teams_an_unreadable_file_is_explained(teams):
    await set_up_committee(teams)
    await _send_file(teams, CLERK, "minutes.pdf", b"%PDF-1.4 not really a pdf")
    told = teams.last_private(CLERK)
    assert "⚠️ I couldn't open that PDF" in shown(told)
    assert "Check resolutions" not in buttons(told)
    expired = teams.connector.sent_file("minutes.pdf", b"%PDF-1.4")
    teams.connector.sent_files.clear()  # its download address no longer works
    await teams.teams.post(teams.teams.activity("message", CLERK, "chat", text="minutes", attachments=[expired]))
    assert "I couldn't download minutes.pdf from Teams" in shown(teams.last_private(CLERK))
    assert await stored(teams, MinutesImport) == []


async def test_teams_a_minutes_file_from_a_member_or_for_an_unnamed_committee_is_refused(teams):
    await set_up_committee(teams)
    await _send_file(teams, PATEL, "minutes.txt", LSCPB.encode())
    assert "Only the committee's clerks can record resolutions" in shown(teams.last_private(PATEL))

    await _say_elsewhere(teams, "committee setup Adults Commission")
    await _send_file(teams, CLERK, "minutes.txt", LSCPB.encode())
    assert "You clerk Adults Commission, Children and Families" in shown(teams.last_private(CLERK))
    await _send_file(teams, CLERK, "minutes.txt", LSCPB.encode(), text="minutes children")
    dialog = await teams.teams.press(CLERK, buttons(teams.last_private(CLERK))["Check resolutions"])
    assert form_data(dialog)["channel"] == CHANNEL_ID
    assert await stored(teams, Resolution) == []  # nothing is saved until the clerk has checked it


async def test_teams_members_cannot_import_minutes(teams):
    await set_up_committee(teams)
    await teams.teams.say(PATEL, "minutes RESOLVED that the report be noted.")
    assert "clerk" in shown(teams.last_private(PATEL)).lower()
    assert await stored(teams, Resolution) == []


# Committee set-up (tests/test_committee_setup.py).


async def test_teams_set_up_through_the_form_with_zone_clerks_and_chair(teams):
    await teams.teams.say(CLERK, "committee setup")
    dialog = await teams.teams.press(CLERK, buttons(teams.last_private(CLERK))["Set up committee"])
    inputs = dialog_inputs(dialog)
    assert inputs["timezone"]["value"] == "Europe/London" and inputs["clerks"]["isMultiSelect"] is True
    assert {"title": "Cllr Chair", "value": CHAIR} in inputs["chair"]["choices"]
    values = {
        "name": "Children and Families OSC",
        "timezone": "Europe/Dublin",
        "clerks": f"{CLERK},{JONES}",
        "chair": CHAIR,
    }
    answer = await teams.teams.submit(CLERK, dialog.json(), values)
    assert answer.status == 200 and not answer.text
    [committee] = await stored(teams, Committee)
    assert (committee.name, committee.timezone, committee.chair_user_id) == (
        "Children and Families OSC",
        "Europe/Dublin",
        CHAIR,
    )
    assert {c.user_id for c in await stored(teams, CommitteeClerk)} == {CLERK, JONES}
    [announced] = teams.channel_posts()
    assert "is now set up" in shown(announced.activity) and "Europe/Dublin" in shown(announced.activity)


async def test_teams_unknown_time_zone_is_shown_in_the_form_and_nothing_is_saved(teams):
    await teams.teams.say(CLERK, "committee setup")
    dialog = await teams.teams.press(CLERK, buttons(teams.last_private(CLERK))["Set up committee"])
    values = {"name": "OSC", "timezone": "Mars/Olympus", "clerks": CLERK, "chair": ""}
    again = await teams.teams.submit(CLERK, dialog.json(), values)
    assert dialog_inputs(again)["timezone"]["value"] == "Mars/Olympus"
    assert await stored(teams, Committee) == []


# The personal scope: what Slack's Home tab gives (tests/test_register_views_e2e.py).


async def test_teams_home_in_the_personal_chat_shows_what_concerns_the_person(teams):
    await set_up_committee(teams)
    await _record(teams, "Director to report on placements.", due="1 January 2041", owner=OFFICER)
    with time_machine.travel(datetime(2041, 2, 1, tzinfo=UTC), tick=True):
        await teams.teams.say(CLERK, "home", where="chat")
        clerk_home = shown(teams.last_private(CLERK))
        await teams.teams.say(OFFICER, "home", where="chat")
        officer_home = shown(teams.last_private(OFFICER))
    assert "Overdue in the committees you clerk" in clerk_home and "Director to report on placements." in clerk_home
    assert "Resolutions you own" in officer_home and "Director to report on placements." in officer_home
    assert "Overdue in the committees you clerk" not in officer_home


async def test_teams_installing_in_the_personal_scope_shows_home(teams):
    await set_up_committee(teams)
    activity = teams.teams.activity("installationUpdate", PATEL, where="chat", action="add")
    answer = await teams.teams.post(activity)
    assert answer.status in (200, 202)
    assert "Comment windows open to you" in shown(teams.last_private(PATEL))


async def test_teams_a_tenant_is_recorded_as_teams_not_as_a_slack_workspace(teams):
    from tests.support.fake_bot_connector import TENANT_ID

    await set_up_committee(teams)
    [workspace] = await stored(teams, Workspace)
    assert (workspace.id, workspace.platform) == (TENANT_ID, "msteams")


async def test_teams_minutes_typed_in_the_channel_are_read_once_and_checked_in_a_dialog(teams):
    from storage.models import MinutesImport

    await set_up_committee(teams)
    await teams.teams.say(CLERK, "minutes " + LSCPB[-2500:])
    offer = teams.last_private(CLERK)
    dialog = await teams.teams.press(CLERK, buttons(offer)["Check resolutions"])
    assert len(dialog_inputs(dialog)) > 3
    assert len(await stored(teams, MinutesImport)) == 1  # held once, not again when the dialog opened
    forged = await teams.teams.press(PATEL, buttons(offer)["Check resolutions"])
    assert "clerk" in str(forged.json()).lower()  # someone else's button runs the command as them, and is refused


# The remaining stories of tests/test_actions_e2e.py.


def _item_order(listing: dict) -> list[str]:
    """The resolutions' numbers in the order the list shows them."""
    return re.findall(r"^\**(R\d+)\** · ", shown(listing), re.MULTILINE)


async def test_teams_list_is_overdue_first_then_by_due_date_with_undated_last(teams):
    await set_up_committee(teams)
    await _record(teams, "Later one.", due="1 June 2041")
    await _record(teams, "No date.", due="")
    await _record(teams, "Sooner one.", due="1 May 2041")
    with time_machine.travel(datetime(2041, 5, 10, 9, 0, tzinfo=UTC), tick=True):
        listing = await _actions(teams)
    assert _item_order(listing) == ["R3", "R1", "R2"]
    text = shown(listing)
    assert "overdue" in text.split("R1")[0] and "showing 1–3 of 3" in text


async def test_teams_filters_mine_overdue_and_due_range(teams):
    await set_up_committee(teams)
    await _record(teams, "Mine.", due="1 May 2041", owner=CLERK)
    await _record(teams, "Theirs.", due="1 July 2041", owner=OFFICER)
    assert _item_order(await _actions(teams, "mine")) == ["R1"]
    assert _item_order(await _actions(teams, "due July 2041")) == ["R2"]
    assert _item_order(await _actions(teams, "due 1/5/2041 to 1/5/2041")) == ["R1"]  # due at the very end of the day
    with time_machine.travel(datetime(2041, 6, 1, tzinfo=UTC), tick=True):
        assert _item_order(await _actions(teams, "overdue")) == ["R1"]
    assert "don't know the filter" in shown(await _actions(teams, "soonish"))


async def test_teams_no_meeting_scheduled_is_shown_not_dropped(teams):
    await set_up_committee(teams)
    await _record(teams, "Report back later.", kind="report_back", due="to a future meeting")
    assert "at a future meeting (none scheduled yet)" in shown(await _actions(teams))


async def test_teams_a_due_range_outside_any_committee_business_is_refused_with_a_reason(teams):
    await set_up_committee(teams)
    refusal = shown(await _actions(teams, "due before 1/1/0001"))
    assert "is not a date a committee would use. Please check the year." in refusal


async def test_teams_cancelling_the_meeting_moves_its_reports_to_the_next(teams):
    await set_up_committee(teams)
    first, second = (datetime.now(UTC) + timedelta(days=days) for days in (3, 40))
    await teams.teams.say(CLERK, f"meeting add {first.day} {first:%B %Y} 10:00")
    await teams.teams.say(CLERK, f"meeting add {second.day} {second:%B %Y} 10:00")
    await _record(teams, "Update at the next meeting.", kind="report_back", due="at its next meeting")
    [resolution] = await stored(teams, Resolution)
    assert resolution.due_at.date() == first.date()
    await teams.teams.say(CLERK, "meeting")
    listing = teams.last_private(CLERK)
    first_cancel = next(button for button in button_list(listing) if button["title"] == "Cancel meeting")
    question = await teams.teams.press(CLERK, first_cancel)
    yes = buttons(dialog_card(question))["Yes"]
    answer = await teams.teams.invoke(CLERK, "task/submit", {"data": yes["data"]})
    assert "Meeting cancelled" in note(answer)
    in_the_chat = shown(teams.last_private(CLERK))  # the whole answer; the dialog shows its first line
    assert f"R1 Update at the next meeting: now due at the meeting on {second.day} {second:%B %Y}" in in_the_chat
    [resolution] = await stored(teams, Resolution)
    assert resolution.due_at.date() == second.date() and resolution.slipped_count == 1
    assert f"meeting on {second.day} {second:%B %Y}" in shown(await _actions(teams))


async def test_teams_long_lists_page_within_a_cards_limits(teams):
    """Teams' twin of Block Kit's 50 blocks: Teams refuses a bot's card over about 28 KB, so the list pages by ten
    and each page is whole, with nothing left out."""
    await set_up_committee(teams)
    for n in range(23):
        await _record(teams, f"Action number {n}.", due=f"{n + 1} June 2041")
    first = await _actions(teams)
    assert len(json.dumps(card_of(first)).encode()) <= MOST_CARD_BYTES and LEFT_OUT not in shown(first)
    assert "showing 1–10 of 23" in shown(first) and len(_item_order(first)) == 10
    answer = await teams.teams.press(CLERK, buttons(first)["Next page"])
    assert answer.status == 200, answer.text
    second = teams.last_private(CLERK)
    assert "showing 11–20 of 23" in shown(second) and _item_order(second)[0] == "R11"
    assert LEFT_OUT not in shown(second)


async def test_teams_a_resolution_is_shown_only_to_its_committee_whatever_button_is_forged(teams):
    """Anyone in the tenant can send a press carrying any id; only the committee's people see the resolution."""
    await set_up_committee(teams)
    secret = "Confidential: to review the children's home contract."
    await _record(teams, secret, due="1 May 2041", owner=OFFICER)  # an owner must be in the team in Teams
    history = buttons(await _actions(teams))["History"]
    full_text = {**history, "data": {PRESS: {**press_data(history), "action": "action.more"}}}
    share = buttons(await _actions(teams))["Share in channel"]
    for forged in (full_text, history, share):
        answer = await teams.teams.press(STRANGER, forged)
        assert "belongs to a committee you are not a member of" in note(answer) and secret not in answer.text
    assert all(secret not in shown(message.activity) for message in teams.chat(STRANGER))
    assert all(secret not in json.dumps(post.activity) for post in teams.channel_posts())
    for person in (PATEL, OFFICER, CLERK):
        await teams.teams.press(person, full_text)
        assert secret in shown(teams.last_private(person))


async def test_teams_a_change_form_sent_without_its_answer_changes_nothing(teams):
    """A forged or broken submission leaving out the answer is refused, never read as "no due date" or "no owner"."""
    await set_up_committee(teams)
    await _record(teams, "Officers to review school transport.", due="1 June 2041", owner_title="Director")
    before = await stored(teams, Resolution)
    redate = await teams.teams.press(CLERK, buttons(await _actions(teams))["Change due"])
    reassign = await teams.teams.press(CLERK, buttons(await _actions(teams))["Reassign"])
    # Blank, left out, and neither a member nor a title: each the whole answer the form sends.
    submissions = [(redate, {"due": "  "}), (redate, {}), (reassign, {"owner_user_id": "", "owner_title": ""})]
    for dialog, values in submissions:
        answer = await teams.teams.invoke(CLERK, "task/submit", {"data": {**press_free(dialog), **values}})
        assert answer.status == 200, answer.text
        assert "Please" in json.dumps(answer.json()), answer.text
    assert await stored(teams, Resolution) == before
    assert [change.action for change in await stored(teams, ResolutionChange)] == ["created"]


async def test_teams_full_text_of_a_long_resolution_is_shown_whole(teams):
    """Teams shows a typed `&`, `<` and `>` as they are; the whole text, on one card."""
    await set_up_committee(teams)
    text = ("That the Director & officers review <home-to-school> transport costs. " * 50)[:3000].strip()
    await _record(teams, text, due="1 June 2041")
    await teams.teams.press(CLERK, buttons(await _actions(teams))["Full text"])
    full = shown(teams.last_private(CLERK))
    assert " ".join(text.split()) in " ".join(full.split()) and LEFT_OUT not in full


async def test_teams_future_meeting_attaches_with_lead_time_and_slips_when_the_meeting_passes(teams):
    await set_up_committee(teams)
    now = datetime.now(UTC)
    soon, later, latest = (now + timedelta(days=days) for days in (5, 30, 60))
    for meeting in (soon, later, latest):
        await teams.teams.say(CLERK, f"meeting add {meeting.day} {meeting:%B %Y} 10:00")
    await _record(teams, "A report from the task and finish group.", kind="report_back", due="to a future meeting")
    [resolution] = await stored(teams, Resolution)
    assert resolution.due_at.date() == later.date()
    assert f"meeting on {later.day} {later:%B %Y}" in shown(await _actions(teams))
    services, sender, _ = teams_instance(teams.connector, teams.database)
    with time_machine.travel(later + timedelta(days=1), tick=False):  # the scheduler moves the report on
        await tick(services, sender, "teams-test", FAST)
    with time_machine.travel(later + timedelta(days=1), tick=True):
        listing = shown(await _actions(teams))
    assert f"meeting on {latest.day} {latest:%B %Y}" in listing and "slipped 1×" in listing
    assert "slipped" in [change.action for change in await stored(teams, ResolutionChange)]


async def test_teams_history_pressed_on_home_in_the_personal_chat_comes_to_that_chat(teams):
    """Teams' Home is a card in the person's chat with the bot, so the history comes there too."""
    await set_up_committee(teams)
    await _record(teams, "That officers circulate the action log.", due="1 June 2041", owner=PATEL)
    await teams.teams.say(PATEL, "home", where="chat")
    home = teams.last_private(PATEL)
    answer = await teams.teams.press(PATEL, buttons(home)["History"])
    assert answer.status == 200, answer.text
    history = shown(teams.last_private(PATEL))
    assert "History of R1" in history and "created by Dana Clerk" in history
