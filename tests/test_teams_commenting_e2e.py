"""Teams twins of the Slack stories of commenting, comment windows and replies in an announcement's thread
(tests/test_commenting_e2e.py, test_comment_windows_e2e.py, test_conversation_e2e.py): the same outcome in the
database, and what each person sees in Teams."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import time_machine
from docx import Document

from bot.teams.app import FILE_SAVED
from bot.teams.files import INFO_CARD
from storage.models import Comment, CommentDraft, CommentKind, CommentRevision, CommentWindow, RevisionAction
from tests.support.fake_bot_connector import BOT_ID, CHANNEL_ID
from tests.teams_stack import (
    CLERK,
    MEMBERS,
    OFFICER,
    STRANGER,
    allow_files,
    buttons,
    consent,
    consent_cards,
    dialog_inputs,
    form_data,
    note,
    open_window,
    set_up_committee,
    shown,
    stored,
)

PATEL, JONES, SMITH = MEMBERS


async def _ready(teams) -> int:
    await set_up_committee(teams)
    return await open_window(teams)


async def test_teams_comment_form_lists_open_windows_with_deadlines_and_saves_the_comment(teams):
    window_id = await _ready(teams)
    await teams.teams.say(PATEL, "comment")
    offer = teams.last_private(PATEL)
    dialog = await teams.teams.press(PATEL, buttons(offer)["Comment on a report"])
    inputs = dialog_inputs(dialog)
    [choice] = inputs["report"]["choices"]
    assert choice == {"title": "Draft annual report 2021/22 (closes 20 September 2040)", "value": str(window_id)}
    assert inputs["text"]["isMultiline"] is True

    values = {"report": str(window_id), "section": "Section 4", "text": "Line one.\nLine two."}
    answer = await teams.teams.submit(PATEL, dialog.json(), values)
    assert answer.status == 200 and not answer.text  # the dialog closes
    receipt = shown(teams.last_private(PATEL))
    assert "Your comment on **Draft annual report 2021/22** (Section 4) is saved" in receipt
    assert "Line one.\nLine two." in receipt and "You can edit or withdraw this until" in receipt
    [comment] = await stored(teams, Comment)
    assert (comment.author_user_id, comment.section, comment.text) == (PATEL, "Section 4", "Line one.\nLine two.")
    assert all(post.activity.get("summary") != teams.last_private(PATEL)["summary"] for post in teams.channel_posts())


async def test_teams_no_comments_in_one_click_from_the_announcement(teams):
    await _ready(teams)
    announcement = teams.channel_posts()[-1].activity
    answer = await teams.teams.press(JONES, buttons(announcement)["No comments"], where="channel")
    assert "you have no comments" in note(answer)
    assert "you have no comments" in shown(teams.last_private(JONES))
    [comment] = await stored(teams, Comment)
    assert (comment.author_user_id, comment.kind) == (JONES, CommentKind.NO_COMMENTS)
    assert len(teams.channel_posts()) == 1  # nothing said in the channel


async def test_teams_add_comment_button_opens_the_form_with_that_report_chosen(teams):
    window_id = await _ready(teams)
    announcement = teams.channel_posts()[-1].activity
    dialog = await teams.teams.press(SMITH, buttons(announcement)["Add comment"], where="channel")
    assert dialog_inputs(dialog)["report"]["value"] == str(window_id)
    assert form_data(dialog)["channel"] == CHANNEL_ID


async def test_teams_list_edit_and_withdraw_keep_every_revision(teams):
    await _ready(teams)
    await teams.teams.say(PATEL, "comment annual-report-2021 First thoughts")
    receipt = teams.last_private(PATEL)
    listing_answer = await teams.teams.say(PATEL, "comment list")
    assert listing_answer.status == 202
    listing = teams.last_private(PATEL)
    assert "First thoughts" in shown(listing) and {"Edit", "Withdraw"} <= set(buttons(listing))

    dialog = await teams.teams.press(PATEL, buttons(receipt)["Edit"])
    assert dialog_inputs(dialog)["text"]["value"] == "First thoughts"
    await teams.teams.submit(PATEL, dialog.json(), {"section": "", "text": "Second thoughts"})
    updated = shown(teams.last_private(PATEL))
    assert "is updated" in updated and "Second thoughts" in updated

    confirm = await teams.teams.press(PATEL, buttons(receipt)["Withdraw"])
    if confirm.json()["task"]["type"] == "continue":  # a button that asks first
        yes = buttons(confirm.json()["task"]["value"]["card"]["content"])["Yes"]
        answer = await teams.teams.invoke(PATEL, "task/submit", {"data": yes["data"]})
    else:
        answer = confirm
    assert "has been withdrawn" in note(answer)

    [comment] = await stored(teams, Comment)
    assert comment.withdrawn_at is not None and comment.text == "Second thoughts"
    revisions = sorted(await stored(teams, CommentRevision), key=lambda r: r.number)
    assert [(r.action, r.text) for r in revisions] == [
        (RevisionAction.CREATED, "First thoughts"),
        (RevisionAction.EDITED, "Second thoughts"),
        (RevisionAction.WITHDRAWN, "Second thoughts"),
    ]


async def test_teams_inline_no_comments(teams):
    await _ready(teams)
    await teams.teams.say(SMITH, "comment annual-report-2021 no comments")
    assert "no comments" in shown(teams.last_private(SMITH))
    [comment] = await stored(teams, Comment)
    assert comment.kind == CommentKind.NO_COMMENTS


async def test_teams_a_comment_begun_with_a_word_of_the_reference_is_offered_and_saved_once_confirmed(teams):
    await _ready(teams)
    await open_window(teams, title="Draft budget 2027/28")
    await teams.teams.say(PATEL, "comment budget Youth services need protecting.")
    offer = teams.last_private(PATEL)
    assert "Is this your comment on **Draft budget 2027/28**?" in shown(offer)
    assert "comment budget-2027-28 your comment" in shown(offer) and "/comment" not in shown(offer)
    assert await stored(teams, Comment) == []
    await teams.teams.press(PATEL, buttons(offer)["Add as my comment"])
    assert "Youth services need protecting." in shown(teams.last_private(PATEL))
    [comment] = await stored(teams, Comment)
    assert (comment.author_user_id, comment.text) == (PATEL, "Youth services need protecting.")


async def test_teams_after_the_deadline_nothing_changes(teams):
    await _ready(teams)
    await teams.teams.say(PATEL, "comment annual-report-2021 Before the deadline")
    with time_machine.travel(datetime(2040, 9, 21, 9, 0, tzinfo=UTC), tick=False):
        await teams.teams.say(PATEL, "comment annual-report-2021 Too late")
    assert "closed on" in shown(teams.last_private(PATEL))
    assert [c.text for c in await stored(teams, Comment)] == ["Before the deadline"]


async def test_teams_commenting_after_no_comments_replaces_it(teams):
    await _ready(teams)
    announcement = teams.channel_posts()[-1].activity
    await teams.teams.press(PATEL, buttons(announcement)["No comments"], where="channel")
    await teams.teams.say(PATEL, "comment annual-report-2021 On reflection, one point.")
    assert "saved" in shown(teams.last_private(PATEL))
    live = [c for c in await stored(teams, Comment) if c.withdrawn_at is None]
    assert [(c.kind, c.text) for c in live] == [(CommentKind.COMMENT, "On reflection, one point.")]


async def test_teams_add_comment_on_a_closed_window_says_when_it_closed(teams):
    await _ready(teams)
    announcement = teams.channel_posts()[-1].activity
    with time_machine.travel(datetime(2040, 9, 22, 9, 0, tzinfo=UTC), tick=True):
        answer = await teams.teams.press(PATEL, buttons(announcement)["Add comment"], where="channel")
    assert "Comments on Draft annual report 2021/22 closed on" in note(answer)  # no form: a note, in the dialog
    assert await stored(teams, Comment) == []


async def test_teams_someone_outside_the_committee_learns_nothing_of_a_closed_report(teams):
    await set_up_committee(teams)
    await open_window(teams, deadline="in 2 days")
    announcement = teams.channel_posts()[-1].activity
    with time_machine.travel(datetime.now(UTC) + timedelta(days=3), tick=True):
        answer = await teams.teams.press(STRANGER, buttons(announcement)["No comments"])  # from their own chat
    assert "Only members of" in note(answer)
    assert "annual report" not in note(answer).lower()
    assert await stored(teams, Comment) == []


async def test_teams_a_comment_sent_before_the_deadline_and_retried_after_it_keeps_its_receipt(teams):
    """Teams sends an activity again when the bot's answer was slow; the second may arrive once the window has
    closed. The member is told their comment is stored, which it is, and not that comments have closed."""
    await set_up_committee(teams)
    await open_window(teams, deadline="in 2 days")
    activity = teams.teams.activity("message", PATEL, "chat", None, text="comment annual-report-2021 Just in time")
    await teams.teams.post(activity)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=3), tick=True):
        again = await teams.teams.post(activity)
    assert again.status in (200, 202)
    shown_now = shown(teams.last_private(PATEL))
    assert "is saved" in shown_now and "Just in time" in shown_now and "can no longer be added" not in shown_now
    assert [c.text for c in await stored(teams, Comment)] == ["Just in time"]
    assert len(await stored(teams, CommentRevision)) == 1


async def test_teams_a_member_cannot_change_someone_elses_comment(teams):
    await _ready(teams)
    await teams.teams.say(PATEL, "comment annual-report-2021 Mine")
    withdraw = buttons(teams.last_private(PATEL))["Withdraw"]
    withdraw["data"]["committee_bot_press"].pop("confirm", None)  # a forged press skips the question
    answer = await teams.teams.press(JONES, withdraw)
    assert answer.status == 200 and "You can only change your own comments." in note(answer)
    [comment] = await stored(teams, Comment)
    assert comment.withdrawn_at is None


async def test_teams_non_members_cannot_comment(teams):
    await _ready(teams)
    await teams.teams.say(STRANGER, "comment annual-report-2021 I am not on this committee")
    assert "member" in shown(teams.last_private(STRANGER)).lower()
    assert await stored(teams, Comment) == []


async def test_teams_a_retried_command_stores_one_comment(teams):
    await _ready(teams)
    activity = teams.teams.activity(
        "message",
        PATEL,
        text="<at>committee-bot</at> comment annual-report-2021 Once only",
        entities=[
            {"type": "mention", "text": "<at>committee-bot</at>", "mentioned": {"id": BOT_ID, "name": "committee-bot"}}
        ],
    )
    first, again = await teams.teams.post(activity), await teams.teams.post(activity)
    assert (first.status, again.status) == (202, 202)
    assert len(await stored(teams, Comment)) == 1


async def test_teams_mentions_are_stored_verbatim_and_never_ping(teams):
    await _ready(teams)
    await teams.teams.say(
        PATEL, "comment annual-report-2021 Ask @29:jones about **this** and <at>General</at>", mentions=(JONES,)
    )
    [comment] = await stored(teams, Comment)
    assert comment.text == "Ask @Cllr Jones about **this** and @General"
    receipt = teams.last_private(PATEL)
    entities = receipt["attachments"][0]["content"]["msteams"].get("entities", [])
    assert all(entity["mentioned"]["id"] != JONES for entity in entities)
    quoted = [block["text"] for block in receipt["attachments"][0]["content"]["body"][1]["items"]]
    assert quoted == [r"Ask @Cllr Jones about \*\*this\*\* and @General"]  # shown as typed, not bold


# Home, which Teams shows as a card in the person's 1:1 chat with the bot (tests/test_commenting_e2e.py).


async def _home_in_the_chat(teams, person: str):
    """`person` opens their chat with the bot and says anything: home is shown there. The card as it is now."""
    await teams.teams.say(person, "hello", where="chat")
    [home] = [message for message in teams.chat(person) if "Comment windows open to you" in shown(message.activity)]
    return home


async def test_teams_a_comment_sent_from_home_in_the_personal_chat_shows_there_at_once(teams):
    window_id = await _ready(teams)
    home = await _home_in_the_chat(teams, PATEL)
    assert "no response from you yet" in shown(home.activity)

    dialog = await teams.teams.press(PATEL, buttons(home.activity)["Add comment"])
    values = {"report": str(window_id), "section": "", "text": "Agreed."}
    answer = await teams.teams.submit(PATEL, dialog.json(), values)
    assert answer.status == 200 and not answer.text  # the dialog closes

    [updated] = teams.connector.calls_to("update")
    assert updated.activity_id == home.id  # the card itself, drawn again in place
    assert "you have responded" in shown(home.activity) and "no response from you yet" not in shown(home.activity)
    assert "Add comment" not in buttons(home.activity)
    assert [c.text for c in await stored(teams, Comment)] == ["Agreed."]


async def test_teams_a_comment_sent_in_the_channel_leaves_home_to_be_drawn_when_opened(teams):
    await _ready(teams)
    home = await _home_in_the_chat(teams, PATEL)
    await teams.teams.say(PATEL, "comment annual-report-2021 Agreed.")
    assert "is saved" in shown(teams.last_private(PATEL))
    assert teams.connector.calls_to("update") == []
    assert "no response from you yet" in shown(home.activity)  # left as it was, unasked
    assert sum("Comment windows open to you" in shown(message.activity) for message in teams.chat(PATEL)) == 1

    await teams.teams.say(PATEL, "hello again", where="chat")
    assert "you have responded" in shown(teams.last_private(PATEL))


# Comment windows (tests/test_comment_windows_e2e.py).


async def test_teams_inline_open_echoes_the_deadline_before_saving(teams):
    await set_up_committee(teams)
    text = f"report open Draft annual report | https://example.org/r.pdf | @{OFFICER} | 20/09/2040"
    await teams.teams.say(CLERK, text, mentions=(OFFICER,))
    preview = teams.last_private(CLERK)
    assert "Thursday 20 September 2040 at 23:59 (Europe/London)" in shown(preview)
    assert {"Open comment window", "Cancel"} <= set(buttons(preview))
    assert await stored(teams, CommentWindow) == []


async def test_teams_confirming_announces_in_the_channel_with_an_add_comment_button(teams):
    window_id = await _ready(teams)
    [announcement] = teams.channel_posts()
    assert "Comments invited" in shown(announcement.activity)
    mentioned = announcement.activity["attachments"][0]["content"]["msteams"]["entities"]
    assert [entity["mentioned"]["id"] for entity in mentioned] == [OFFICER]
    [window] = await stored(teams, CommentWindow)
    assert window.id == window_id and window.announcement_ref == announcement.id


async def test_teams_pressing_open_twice_opens_one_window(teams):
    await set_up_committee(teams)
    text = f"report open Budget consultation | https://example.org/r.pdf | @{OFFICER} | 1 March 2041"
    await teams.teams.say(CLERK, text, mentions=(OFFICER,))
    confirm = buttons(teams.last_private(CLERK))["Open comment window"]
    for _ in range(2):
        answer = await teams.teams.press(CLERK, confirm)
        assert answer.status == 200, answer.text
    assert len(await stored(teams, CommentWindow)) == 1
    assert len(teams.channel_posts()) == 1, "one announcement"


async def test_teams_members_cannot_open_windows(teams):
    await set_up_committee(teams)
    text = f"report open Draft | https://example.org/r.pdf | @{OFFICER} | 20/09/2040"
    await teams.teams.say(PATEL, text, mentions=(OFFICER,))
    assert "clerk" in shown(teams.last_private(PATEL)).lower()
    assert await stored(teams, CommentWindow) == []


async def test_teams_forged_confirm_button_from_a_member_opens_nothing(teams):
    await set_up_committee(teams)
    text = f"report open Draft | https://example.org/r.pdf | @{OFFICER} | 20/09/2040"
    await teams.teams.say(CLERK, text, mentions=(OFFICER,))
    confirm = buttons(teams.last_private(CLERK))["Open comment window"]
    answer = await teams.teams.press(PATEL, confirm)
    assert answer.status == 200 and "clerk" in note(answer).lower()
    assert await stored(teams, CommentWindow) == []
    assert teams.channel_posts() == []


async def test_teams_report_form_then_preview_then_open(teams):
    await set_up_committee(teams)
    await teams.teams.say(CLERK, "report")
    dialog = await teams.teams.press(CLERK, buttons(teams.last_private(CLERK))["Open comment window"])
    officer = dialog_inputs(dialog)["officer"]
    assert {"title": "Director of Children and Family Services", "value": OFFICER} in officer["choices"]
    values = {"title": "Annual report", "document_url": "", "officer": OFFICER, "deadline": "20 September 2040"}
    answer = await teams.teams.submit(CLERK, dialog.json(), values)
    assert answer.status == 200
    preview = teams.last_private(CLERK)
    await teams.teams.press(CLERK, buttons(preview)["Open comment window"])
    [window] = await stored(teams, CommentWindow)
    assert (window.title, window.officer_user_id) == ("Annual report", OFFICER)


async def test_teams_unreadable_deadline_in_the_form_is_shown_again_with_the_problem(teams):
    await set_up_committee(teams)
    await teams.teams.say(CLERK, "report")
    dialog = await teams.teams.press(CLERK, buttons(teams.last_private(CLERK))["Open comment window"])
    values = {"title": "Annual report", "officer": OFFICER, "deadline": "when pigs fly"}
    again = await teams.teams.submit(CLERK, dialog.json(), values)
    inputs = dialog_inputs(again)
    assert inputs["title"]["value"] == "Annual report" and inputs["deadline"]["value"] == "when pigs fly"
    assert "when pigs fly" in shown({"attachments": [{"content": again.json()["task"]["value"]["card"]["content"]}]})
    assert await stored(teams, CommentWindow) == []


# Replies in an announcement's thread, and the message action (tests/test_conversation_e2e.py).


async def test_teams_thread_reply_becomes_a_comment_once_its_author_confirms(teams):
    await _ready(teams)
    [announcement] = teams.channel_posts()
    await teams.teams.say(PATEL, "I support the recommendations.", thread=announcement.id)
    offer = teams.last_private(PATEL)
    assert "Add as my comment" in buttons(offer)
    assert await stored(teams, Comment) == []
    answer = await teams.teams.press(PATEL, buttons(offer)["Add as my comment"])
    assert answer.status == 200
    [comment] = await stored(teams, Comment)
    assert (comment.author_user_id, comment.text) == (PATEL, "I support the recommendations.")


async def test_teams_a_retried_activity_offers_once(teams):
    await _ready(teams)
    [announcement] = teams.channel_posts()
    reply = teams.teams.activity("message", PATEL, thread=announcement.id, text="Once", entities=[])
    for _ in range(4):  # Teams sends a retried activity with its id unchanged
        assert (await teams.teams.post(reply)).status == 202
    assert len(teams.chat(PATEL)) == 1
    assert len(await stored(teams, CommentDraft)) == 1


async def test_teams_replies_elsewhere_and_bot_messages_are_left_alone(teams):
    await _ready(teams)
    [announcement] = teams.channel_posts()
    await teams.teams.say(PATEL, "Unrelated thread", thread="1700000999000")
    from_a_bot = teams.teams.activity("message", PATEL, thread=announcement.id, text="From a bot", entities=[])
    from_a_bot["from"] = {"id": "28:another-bot", "name": "Another bot"}
    await teams.teams.post(from_a_bot)
    assert teams.chat(PATEL) == [] and teams.connector.messages_in("a:1:1-chat-28:another-bot") == []
    assert await stored(teams, CommentDraft) == []


async def test_teams_message_action_with_no_open_window_says_so(teams):
    await set_up_committee(teams)
    value = {
        "commandId": "comment_from_message",
        "commandContext": "message",
        "messagePayload": {"body": {"contentType": "html", "content": "<p>Anything</p>"}},
    }
    answer = await teams.teams.invoke(SMITH, "composeExtension/fetchTask", value, where="channel")
    assert answer.status == 200
    assert "No comment windows are open in Children and Families Overview and Scrutiny Committee" in answer.text


async def test_teams_only_the_author_can_confirm_their_reply(teams):
    await _ready(teams)
    [announcement] = teams.channel_posts()
    await teams.teams.say(PATEL, "My reply.", thread=announcement.id)
    offer = buttons(teams.last_private(PATEL))["Add as my comment"]
    answer = await teams.teams.press(JONES, offer)
    assert answer.status == 200
    assert await stored(teams, Comment) == []


async def test_teams_message_action_opens_the_comment_form_with_the_message_text(teams):
    window_id = await _ready(teams)
    value = {
        "commandId": "comment_from_message",
        "commandContext": "message",
        "messagePayload": {
            "body": {"contentType": "html", "content": "<p>We should say more about &amp; fostering.</p>"}
        },
    }
    dialog = await teams.teams.invoke(SMITH, "composeExtension/fetchTask", value, where="channel")
    inputs = dialog_inputs(dialog)
    assert inputs["text"]["value"] == "We should say more about & fostering."
    assert inputs["report"]["value"] == str(window_id)
    answer = await teams.teams.invoke(
        SMITH,
        "composeExtension/submitAction",
        {
            "commandId": "comment_from_message",
            "data": {**press_free(dialog), "report": str(window_id), "text": inputs["text"]["value"]},
        },
        where="channel",
    )
    assert answer.status == 200
    [comment] = await stored(teams, Comment)
    assert comment.text == "We should say more about & fostering."


def press_free(dialog) -> dict:
    [submit] = dialog.json()["task"]["value"]["card"]["content"]["actions"]
    return submit["data"]


async def test_teams_a_reply_mentioning_someone_is_kept_as_the_member_wrote_it(teams):
    """Teams sends a reply's text as typed, a mention as <at>Name</at> beside an entity naming whom it means."""
    await _ready(teams)
    [announcement] = teams.channel_posts()
    typed = "As @29:jones said, school & <college> places."
    await teams.teams.say(PATEL, typed, thread=announcement.id, mentions=(JONES,))
    offer = teams.last_private(PATEL)
    assert "As @Cllr Jones said, school & <college> places." in shown(offer)
    assert all(
        entity["mentioned"]["id"] != JONES
        for entity in offer["attachments"][0]["content"]["msteams"].get("entities", [])
    )
    await teams.teams.press(PATEL, buttons(offer)["Add as my comment"])
    [comment] = await stored(teams, Comment)
    assert comment.text == "As @Cllr Jones said, school & <college> places."


async def test_teams_the_message_action_fills_the_form_with_the_words_people_saw(teams):
    """Teams gives the message's HTML, a mention as <at id="0">Name</at>: the form has the words people saw."""
    await _ready(teams)
    patel = {"user": {"id": "aad-patel", "displayName": "Cllr Patel", "userIdentityType": "aadUser"}}
    value = {
        "commandId": "comment_from_message",
        "commandContext": "message",
        "messagePayload": {
            "body": {"contentType": "html", "content": '<p>Ask <at id="0">Cllr Patel</at> &amp; the chair</p>'},
            "mentions": [{"id": 0, "mentionText": "Cllr Patel", "mentioned": patel}],
        },
    }
    dialog = await teams.teams.invoke(PATEL, "composeExtension/fetchTask", value, where="channel")
    assert dialog_inputs(dialog)["text"]["value"] == "Ask @Cllr Patel & the chair"


async def test_teams_the_channel_is_remembered_for_reminders_from_each_use(teams):
    """What the reminders need to post in the channel unprompted (bot/teams/reminders.py) is kept by the inbound
    side: the channel itself even from a reply in a thread, with its service address and team."""
    from bot.teams.connector import kept_conversation
    from handlers.places import place_reference
    from tests.support.fake_bot_connector import TEAM_ID, TENANT_ID

    await teams.teams.say(PATEL, "comment list")
    assert await place_reference(teams.bot.services, TENANT_ID, CHANNEL_ID) is None  # no committee here yet
    await _ready(teams)
    [announcement] = teams.channel_posts()
    await teams.teams.say(PATEL, "A reply.", thread=announcement.id)
    kept = kept_conversation(await place_reference(teams.bot.services, TENANT_ID, CHANNEL_ID))
    assert (kept.channel_id, kept.team_id, kept.tenant_id) == (CHANNEL_ID, TEAM_ID, TENANT_ID)
    assert kept.service_url == teams.connector.service_url


async def test_teams_a_window_opened_in_the_channel_is_reminded_in_its_announcements_thread(teams):
    """Inbound and outbound meet: the reference kept and the announcement recorded by the inbound side are what the
    reminder sender (bot/teams/reminders.py) posts with, in cards written by bot/teams/cards.py."""
    from bot.teams.cards import message_card
    from bot.teams.outbound import teams_platform
    from handlers.context import Services
    from handlers.reminders import tick
    from tests.flows import FAST

    await _ready(teams)
    [announcement] = teams.channel_posts()
    platform = teams_platform(teams.database, teams.bot.connections, message_card, graph_url=teams.connector.graph_url)
    with time_machine.travel(datetime(2040, 9, 13, 9, 0, tzinfo=UTC), tick=False):
        await tick(Services(teams.database, teams.bot.roster), platform.sender, "teams-in-test", FAST)
    [reminder] = teams.connector.thread_replies(CHANNEL_ID, announcement.id)
    assert "Draft annual report 2021/22" in shown(reminder.activity) and "7 days" in shown(reminder.activity)


async def test_teams_a_clerk_moves_a_deadline_and_the_channel_is_told(teams):
    await _ready(teams)
    await teams.teams.say(CLERK, "report deadline annual-report-2021 4 October 2040")
    told = teams.connector.calls_to("reply")[-1]
    assert told.conversation_id == CHANNEL_ID  # in the request's thread, for everyone
    assert "is now **Thursday 4 October 2040 at 23:59 (Europe/London)**" in told.text.replace("\\", "")
    [window] = await stored(teams, CommentWindow)
    assert window.deadline == datetime(2040, 10, 4, 22, 59, 59, tzinfo=UTC)
    await teams.teams.say(PATEL, "report deadline annual-report-2021 5 October 2040")
    assert "Only the committee's clerks can change comment deadlines" in shown(teams.last_private(PATEL))


async def test_teams_a_retried_form_submission_stores_one_comment(teams):
    window_id = await _ready(teams)
    announcement = teams.channel_posts()[-1].activity
    dialog = await teams.teams.press(PATEL, buttons(announcement)["Add comment"], where="channel")
    values = {"report": str(window_id), "text": "Said once."}
    first = await teams.teams.submit(PATEL, dialog.json(), values)
    again = await teams.teams.submit(PATEL, dialog.json(), values)
    assert (first.status, again.status) == (200, 200)
    assert [c.text for c in await stored(teams, Comment)] == ["Said once."]


async def test_teams_action_execute_presses_are_answered_in_the_card(teams):
    """A card button sent as Action.Execute (Teams' Universal Actions) works as a press too."""
    window_id = await _ready(teams)
    data = {"committee_bot_press": {"action": "comment.none", "value": str(window_id), "channel": CHANNEL_ID}}
    value = {"action": {"type": "Action.Execute", "verb": "press", "data": data}, "trigger": "manual"}
    answer = await teams.teams.invoke(SMITH, "adaptiveCard/action", value, where="channel")
    body = answer.json()
    assert answer.status == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    assert "you have no comments" in body["value"]
    [comment] = await stored(teams, Comment)
    assert (comment.author_user_id, comment.kind) == (SMITH, CommentKind.NO_COMMENTS)


async def _with_responses(teams) -> int:
    """The responses of tests/test_export_e2e.py: a comment typed, one in a section through the form, and one
    "no comments"."""
    window_id = await _ready(teams)
    await teams.teams.say(PATEL, "comment annual-report-2021 General point about data.")
    await teams.teams.say(PATEL, "comment")
    dialog = await teams.teams.press(PATEL, buttons(teams.last_private(PATEL))["Comment on a report"])
    values = {"report": str(window_id), "section": "Section 3", "text": "Mental health waiting lists.\nSecond line."}
    await teams.teams.submit(PATEL, dialog.json(), values)
    await teams.teams.press(JONES, buttons(teams.channel_posts()[-1].activity)["No comments"], where="channel")
    return window_id


async def test_teams_officer_allows_the_compiled_comments_in_word_markdown_and_csv(teams):
    await _with_responses(teams)
    await teams.teams.say(OFFICER, "report export annual-report-2021")
    said = "\n".join(shown(message.activity) for message in teams.chat(OFFICER) if message.activity.get("summary"))
    assert '2 comments, 1 "no comments", 2 not yet responded' in said and "press Allow on each file" in said
    offered = consent_cards(teams, OFFICER)
    assert sorted(card["name"].rsplit(".", 1)[1] for card in offered) == ["csv", "docx", "md"]
    assert all(card["content"]["sizeInBytes"] > 0 for card in offered)
    assert teams.connector.uploads == {}  # Teams uploads only what the person allows

    files = await allow_files(teams, OFFICER)
    document = Document(io.BytesIO(files["docx"]))
    paragraphs = [p.text for p in document.paragraphs]
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["General comments", "Section 3"]
    assert "Cllr Jones" in paragraphs and "Cllr Smith" in paragraphs and "Cllr Chair" in paragraphs
    assert any("Mental health waiting lists.\nSecond line." in p for p in paragraphs)
    rows = list(csv.DictReader(io.StringIO(files["csv"].decode("utf-8-sig"))))
    assert {(r["member"], r["response"]) for r in rows} == {
        ("Cllr Patel", "comment"),
        ("Cllr Jones", "no comments"),
        ("Cllr Smith", "not responded"),
        ("Cllr Chair", "not responded"),
    }
    assert "Mental health waiting lists." in files["md"].decode()
    opened = [m.activity for m in teams.chat(OFFICER) if m.activity.get("text") == FILE_SAVED]
    assert [a["attachments"][0]["contentType"] for a in opened] == [INFO_CARD] * 3


async def test_teams_a_file_is_made_when_allowed_so_it_has_the_comments_up_to_then(teams):
    await _ready(teams)
    await teams.teams.say(PATEL, "comment annual-report-2021 Draft wording")
    await teams.teams.say(CLERK, "report export annual-report-2021")
    receipt = teams.chat(PATEL)[-1].activity
    dialog = await teams.teams.press(PATEL, buttons(receipt)["Edit"])
    await teams.teams.submit(PATEL, dialog.json(), {"section": "", "text": "Final wording"})
    markdown = (await allow_files(teams, CLERK))["md"].decode()
    assert "Final wording" in markdown and "Draft wording" not in markdown and "(edited)" in markdown


async def test_teams_declining_a_file_sends_nothing_and_says_so(teams):
    await _with_responses(teams)
    await teams.teams.say(OFFICER, "report export annual-report-2021")
    card = consent_cards(teams, OFFICER)[0]
    answer = await teams.teams.invoke(OFFICER, "fileConsent/invoke", consent(card, None, "decline"))
    assert answer.status == 200
    assert "You declined the file, so nothing was sent" in shown(teams.last_private(OFFICER))
    assert teams.connector.uploads == {}


async def test_teams_forged_file_consents_are_refused_and_send_nothing(teams):
    window_id = await _with_responses(teams)
    await teams.teams.say(OFFICER, "report export annual-report-2021")
    card = consent_cards(teams, OFFICER)[0]
    allowed = consent(card, teams.connector.upload_info(card["name"]))
    mine = {**allowed["context"], "for": JONES}
    forgeries = {
        "the officer's card, sent by a member": allowed,
        "a card made out to a member who may not have the comments": {**allowed, "context": mine},
        "a file no card offers": {**allowed, "context": {**mine, "file": "minutes", "of": window_id}},
        "no context at all": {**allowed, "context": "compiled_comments"},
        "a report no database holds": {**allowed, "context": {**allowed["context"], "of": 2**70}},
    }
    for forged in forgeries.values():
        answer = await teams.teams.invoke(JONES, "fileConsent/invoke", forged)
        assert answer.status == 200, answer.text
    refusals = [shown(message.activity) for message in teams.chat(JONES)[-len(forgeries) :]]
    assert "Only the officer who receives a report's comments, or the committee's clerks" in refusals[1]
    assert all("no longer available to you" in refusals[i] for i in (0, 2, 3, 4))
    assert teams.connector.uploads == {}


async def test_teams_members_cannot_export_others_comments(teams):
    await _with_responses(teams)
    await teams.teams.say(SMITH, "report export annual-report-2021")
    assert "Only the officer who receives a report's comments, or the committee's clerks" in shown(
        teams.last_private(SMITH)
    )
    assert consent_cards(teams, SMITH) == [] and teams.connector.uploads == {}


async def test_teams_export_of_an_unknown_report_lists_the_choices(teams):
    await _ready(teams)
    await teams.teams.say(CLERK, "report export budget")
    refusal = shown(teams.last_private(CLERK))
    assert 'can\'t find a report you can export called "budget"' in refusal and "annual-report-2021" in refusal
    assert consent_cards(teams, CLERK) == []


async def test_teams_report_export_without_a_report_lists_those_you_can_export(teams):
    await _ready(teams)
    await open_window(teams, "Budget consultation", "1 March 2041")
    for person in (CLERK, OFFICER):
        await teams.teams.say(person, "report export")
        answer = shown(teams.last_private(person))
        assert "annual-report-2021: Draft annual report 2021/22" in answer
        assert "budget-consultation: Budget consultation" in answer
    await teams.teams.say(PATEL, "report export")
    assert "Only the officer who receives a report's comments" in shown(teams.last_private(PATEL))


async def test_teams_unknown_report_lists_the_open_ones(teams):
    await _ready(teams)
    await teams.teams.say(PATEL, "comment no-such-report My view")
    refusal = shown(teams.last_private(PATEL))
    assert "annual-report-2021" in refusal and "My view" not in refusal.split("Here is what you wrote")[0]
    assert await stored(teams, Comment) == []


# The remaining stories of tests/test_comment_windows_e2e.py.


async def _preview(teams, rest: str) -> dict:
    """`report open <rest>` typed by the clerk, `@<officer id>` in it mentioning them; the private answer."""
    await teams.teams.say(CLERK, f"report open {rest}", mentions=(OFFICER,))
    return teams.last_private(CLERK)


async def _announced(teams, preview: dict) -> str:
    """Confirm a previewed window; the announcement's card as its JSON text."""
    answer = await teams.teams.press(CLERK, buttons(preview)["Open comment window"])
    assert answer.status == 200, answer.text
    return json.dumps(teams.channel_posts()[-1].activity["attachments"][0]["content"])


async def _previewed_from_the_form(teams, link: str) -> dict:
    await teams.teams.say(CLERK, "report")
    dialog = await teams.teams.press(CLERK, buttons(teams.last_private(CLERK))["Open comment window"])
    values = {"title": "Draft plan", "document_url": link, "officer": OFFICER, "deadline": "1 May 2041"}
    answer = await teams.teams.submit(CLERK, dialog.json(), values)
    assert answer.status == 200, answer.text
    return teams.last_private(CLERK)


async def test_teams_relative_deadline_in_the_committee_zone(teams):
    await set_up_committee(teams)
    with time_machine.travel(datetime(2030, 3, 27, 10, 0, tzinfo=UTC), tick=True):  # a Wednesday, clocks change Sunday
        preview = await _preview(teams, f"Draft plan | | @{OFFICER} | Friday 5pm")
    assert "Friday 29 March 2030 at 17:00 (Europe/London)" in shown(preview)
    assert await stored(teams, CommentWindow) == []


async def test_teams_past_deadline_is_echoed_and_refused(teams):
    await set_up_committee(teams)
    preview = await _preview(teams, f"Draft | | @{OFFICER} | by no later than 20 September 2022")
    assert "Tuesday 20 September 2022 at 23:59 (Europe/London), has already passed" in shown(preview)
    assert "Open comment window" not in buttons(preview)
    assert await stored(teams, CommentWindow) == []


async def test_teams_ambiguous_deadline_asks_which_was_meant(teams):
    await set_up_committee(teams)
    preview = await _preview(teams, f"Draft | | @{OFFICER} | 20 or 27 September 2040")
    assert "20 September 2040" in shown(preview) and "27 September 2040" in shown(preview)
    assert buttons(preview) == {}
    assert await stored(teams, CommentWindow) == []


async def test_teams_missing_parts_and_bad_link_are_explained(teams):
    await set_up_committee(teams)
    assert "four parts" in shown(await _preview(teams, "Just a title"))
    assert "not a web link" in shown(await _preview(teams, f"Draft | not-a-link | @{OFFICER} | 1 May 2041"))
    assert "mention the officer" in shown(await _preview(teams, "Draft | | the director | 1 May 2041"))
    assert await stored(teams, CommentWindow) == []


async def test_teams_a_link_that_closes_its_markdown_early_cannot_add_a_link_of_its_own(teams):
    """Teams' twin of Slack's `>` closing a link: a `)` ends a Markdown link, and what follows would be read."""
    await set_up_committee(teams)
    link = "https://example.org/a)[Sign in](https://evil.example/"
    announced = await _announced(teams, await _previewed_from_the_form(teams, link))
    # One link, to the address as typed: the `)` and brackets are inside it, encoded, and read as nothing else.
    assert "[Draft plan](https://example.org/a%29%5BSign%20in%5D(https://evil.example/)" in announced
    assert "[Sign in]" not in announced
    [window] = await stored(teams, CommentWindow)
    assert window.document_url == "https://example.org/a)%5BSign%20in%5D(https://evil.example/"


async def test_teams_an_ampersand_in_a_link_is_kept_inside_the_link(teams):
    await set_up_committee(teams)
    announced = await _announced(
        teams, await _preview(teams, f"Draft plan | https://example.org/r?doc=1&v=2 | @{OFFICER} | 1 May 2041")
    )
    assert "[Draft plan](https://example.org/r?doc=1&v=2)" in announced
    [window] = await stored(teams, CommentWindow)
    assert window.document_url == "https://example.org/r?doc=1&v=2"


async def test_teams_only_web_addresses_are_accepted_as_links(teams):
    await set_up_committee(teams)
    for typed in ("javascript:alert(1)", "ftp://example.org/r.pdf", "mailto:clerk@example.org"):
        preview = await _preview(teams, f"Draft | {typed} | @{OFFICER} | 1 May 2041")
        assert "is not a web link I can use" in shown(preview), typed
    preview = await _preview(teams, f"Draft | https://example.org@evil.example/r.pdf | @{OFFICER} | 1 May 2041")
    assert "is not a web link I can use" in shown(preview)
    assert await stored(teams, CommentWindow) == []
