"""One message model, rendered by each front end: Block Kit and mrkdwn for Slack, plain text for the console.

What a person typed is literal text in the model: each renderer escapes it for its platform and reads nothing in
it as markup, splits what is too long for its platform, and never cuts anything without saying so.
"""

from bot.console import render
from bot.forms import Field, Form
from bot.message import (
    Actions,
    Bullets,
    Button,
    Context,
    Em,
    Icon,
    Link,
    Message,
    Person,
    Quote,
    Strong,
    paragraph,
)
from bot.reminder_replies import settings_message
from bot.slack.blocks import message_blocks, message_payload, modal
from handlers.reminder_settings import MutedItem, ReminderSettings
from handlers.wording import Command, Verbatim

PING = "<!channel> <@UBOSS|boss> *bold* _it_ `code` :tada: &amp; <https://evil.example|click>"
NAMES = {"UDIRECTOR": "Director of Children and Family Services"}


def _sections(message: Message) -> list[str]:
    return [block["text"]["text"] for block in message_blocks(message) if block["type"] == "section"]


def _console(message: Message) -> str:
    text, _ = render.message_text(message, NAMES, "heading:")
    return text


# ------------------------------------------------------------------------------------------------------ Slack


def test_slack_escapes_what_people_typed_wherever_it_is():
    message = Message(
        f"Comment from {PING}",
        (
            paragraph((Strong(PING), " ", PING), Quote(PING)),
            Context((Link("https://example.org/a>b", PING),)),
        ),
    )
    payload = message_payload(message)
    shown = [payload["text"], *_sections(message), payload["blocks"][-1]["elements"][0]["text"]]
    assert all("<!channel>" not in text and "<@UBOSS" not in text and "<https://evil" not in text for text in shown)
    assert payload["text"] == (
        "Comment from &lt;!channel&gt; &lt;@UBOSS|boss&gt; *bold* _it_ `code` :tada: &amp;amp; "
        "&lt;https://evil.example|click&gt;"
    )
    [section] = _sections(message)
    assert section.splitlines()[1] == "> &lt;!channel&gt; &lt;@UBOSS|boss&gt; *bold* _it_ `code` :tada: &amp;amp; " + (
        "&lt;https://evil.example|click&gt;"
    )
    assert payload["blocks"][-1]["elements"][0]["text"].startswith("<https://example.org/a&gt;b|&lt;!channel&gt;")


def test_slack_writes_marks_people_commands_and_icons_in_mrkdwn():
    message = Message(
        "Comments invited",
        (
            paragraph(
                (Icon("memo"), Strong("Comments invited:"), " ", Link("https://example.org/r.pdf", "Draft plan")),
                ("Comments go to ", Person("UDIRECTOR"), " · ", Em("no owner yet")),
            ),
            Context(("Or type ", Command("comment", "plan <your comment>"), ". Reference: ", Verbatim("plan"))),
        ),
    )
    blocks = message_blocks(message)
    assert blocks[0]["text"]["text"].splitlines() == [
        ":memo: *Comments invited:* <https://example.org/r.pdf|Draft plan>",
        "Comments go to <@UDIRECTOR> · _no owner yet_",
    ]
    assert blocks[1] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "Or type `/comment plan &lt;your comment&gt;`. Reference: `plan`"}],
    }


def test_slack_puts_buttons_under_their_paragraph_and_a_row_of_buttons_alone_in_an_actions_block():
    edit, withdraw = Button("Edit", "comment.edit", "1"), Button("Withdraw", "comment.withdraw", "1", "danger", "Sure?")
    blocks = message_blocks(Message("x", (paragraph(("Yours",), buttons=(edit,)), Actions((withdraw,)))))
    assert [block["type"] for block in blocks] == ["section", "actions", "actions"]
    assert blocks[2]["elements"][0]["style"] == "danger"
    assert blocks[2]["elements"][0]["confirm"]["text"]["text"] == "Sure?"


def test_slack_splits_long_words_over_sections_and_never_cuts_them():
    said = ("A point about placements & <waiting> times that the Director should read. " * 100).strip()
    message = Message("x", (paragraph(("Your comment:",), Quote(said), Bullets(((said,),))),))
    sections = _sections(message)
    assert len(sections) > 2 and all(len(section) <= 3000 for section in sections)
    joined = "\n".join(sections)
    quoted = " ".join(line.removeprefix("> ") for line in joined.splitlines() if line.startswith("> "))
    escaped = said.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert " ".join(quoted.split()) == escaped  # every quoted line stays quoted, none is lost
    assert all(not section.rstrip().endswith(("&amp", "&lt", "&gt")) for section in sections)
    assert joined.count("Director should read.") == 200


def test_slack_splits_a_long_list_between_its_lines():
    items = tuple(
        (f"R{n} Report back on placements with the figures for each locality, due 31 March 2027",) for n in range(60)
    )
    sections = _sections(Message("x", (paragraph((Strong("Overdue"),), Bullets(items)),)))
    assert len(sections) == 2
    assert [line for section in sections for line in section.splitlines()][1:] == ["• " + item for (item,) in items]


def test_a_message_longer_than_slack_shows_at_once_says_that_more_was_left_out():
    message = Message("x", tuple(paragraph((f"Resolution {n}",)) for n in range(60)))
    blocks = message_blocks(message)
    assert len(blocks) == 50 and blocks[48]["text"]["text"] == "Resolution 48"
    assert blocks[49]["elements"][0]["text"] == "… and more than Slack shows at once."
    assert len(message_blocks(message, limit=100)) == 60


def test_slack_labels_and_titles_too_long_for_it_are_cut_with_an_ellipsis():
    label = "Draft annual report of the Leicestershire and Rutland Safeguarding Children Partnership 2021/22"
    [actions] = message_blocks(Message("x", (Actions((Button(label, "comment.add", "1"),)),)))
    shown = actions["elements"][0]["text"]["text"]
    assert len(shown) == 75 and shown.endswith("…") and label.startswith(shown[:-1])
    view = modal(
        Form(
            "comment.add",
            "Comment on a report, please",
            "Send",
            (Field("report", "Report", "choice", choices=(("1", label),)),),
        ),
        None,
    )
    assert view["title"]["text"] == "Comment on a report, pl…"  # 24 characters, Slack's most
    [choice] = view["blocks"]
    assert choice["element"]["options"][0]["text"]["text"] == shown


def test_a_long_paste_runs_on_into_more_boxes_in_slack_only():
    form = Form("minutes.paste", "Import minutes", "Find", (Field("minutes", "Paste", "multiline", max_length=15_000),))
    boxes = [block for block in modal(form, None)["blocks"] if block["type"] == "input"]
    assert [box["block_id"] for box in boxes] == ["minutes", "minutes__2", "minutes__3", "minutes__4", "minutes__5"]
    assert all(box["element"]["max_length"] == 3000 for box in boxes)


# ---------------------------------------------------------------------------------------------------- console


def test_the_console_shows_what_people_typed_exactly_as_typed():
    message = Message("x", (paragraph((Strong(PING),), Quote(f"{PING}\nsecond line")), Context((PING,))))
    assert _console(message).splitlines()[1:] == [f"  {PING}", f"  > {PING}", "  > second line", f"  {PING}"]


def test_the_console_names_people_and_shows_links_commands_and_the_warning_mark():
    message = Message(
        "x",
        (
            paragraph(
                (Icon("warning"), "Comments go to ", Person("UDIRECTOR"), " and ", Person("UNKNOWN"), "."),
                (Icon("hourglass"), Link("https://example.org/r.pdf", "Draft plan"), " · ", Em("no owner yet")),
                Bullets((("Type ", Command("report", "export <report>")), ("Reference ", Verbatim("plan")))),
            ),
        ),
    )
    assert _console(message).splitlines()[1:] == [
        "  ! Comments go to @Director of Children and Family Services and @UNKNOWN.",
        "  Draft plan (https://example.org/r.pdf) · no owner yet",
        "  • Type `/report export <report>`",
        "  • Reference `plan`",
    ]


def test_the_console_shows_long_text_whole():
    said = "word " * 2000
    shown = _console(Message("x", (paragraph(("Yours:",), Quote(said)),)))
    assert shown.count("word") == 2000 and "…" not in shown


def test_the_reminder_settings_offer_the_latest_mutes_to_undo_within_what_slack_shows():
    muted = tuple(MutedItem(f"window:{n}", f"comments on “Report {n}”") for n in range(1, 21))
    message = settings_message(ReminderSettings("Audit Committee", 9, True, "england-and-wales", muted))
    blocks = message_blocks(message)
    unmutes = [
        e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "reminder.unmute"
    ]
    assert [e["value"] for e in unmutes] == [f"window:{n}" for n in range(20, 5, -1)]  # the latest fifteen
    assert "…and 5 more, muted earlier." in str(blocks) and "more than Slack shows" not in str(blocks)
