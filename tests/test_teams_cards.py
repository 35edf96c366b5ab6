"""Teams' rendering seam: the message model as Adaptive Cards, and what people type read back into plain inputs.
Nothing typed is read as Markdown or becomes a mention; only the people the bot names are mentioned."""

import json

from microsoft_agents.activity import Activity

from bot.conversations.inputs import TypedText
from bot.forms import Field, Form
from bot.message import Bullets, Context, Link, Message, Paragraph, Person, Quote, Strong, paragraph
from bot.teams.cards import LEFT_OUT, MOST_CARD_BYTES, Problem, form_card, literal, message_card, unmentionable
from bot.teams.reading import command_of, typed_text

BOT = "28:bot"


def _texts(card: dict) -> list[str]:
    found = []

    def walk(element):
        if isinstance(element, list):
            for item in element:
                walk(item)
        elif isinstance(element, dict):
            if isinstance(element.get("text"), str) and element.get("type") in ("TextBlock", None):
                found.append(element["text"])
            for name, value in element.items():
                if name != "msteams":
                    walk(value)

    walk(card["body"])
    return found


def test_typed_markdown_is_shown_as_typed():
    assert literal("**bold** _it_ [x](https://evil.example) `code` # h") == (
        r"\*\*bold\*\* \_it\_ \[x\]\(https://evil.example\) \`code\` \# h"
    )
    assert literal("- not a list\n1. nor this\nplain - dash") == "\\- not a list\n\\1. nor this\nplain - dash"


def test_a_typed_at_tag_is_broken_so_it_can_never_match_a_mention():
    assert "<at>" not in literal("<at>General</at> hello") and "<AT>" not in literal("<AT>x</AT>")
    assert "<at>" not in unmentionable("ping <at>everyone</at>")


def test_people_named_by_the_bot_are_mentioned_and_nothing_else_is():
    message = Message(
        "s",
        (
            paragraph(("To ", Person("29:jane"), " and ", Person("19:channel@thread.tacv2", "General"), ".")),
            paragraph(Quote("<at>Jane Smith</at> said **hi**")),
        ),
    )
    card = message_card(message, {"29:jane": "Jane Smith", "19:channel@thread.tacv2": "General"})
    entities = card["msteams"]["entities"]
    assert entities == [
        {"type": "mention", "text": "<at>Jane Smith</at>", "mentioned": {"id": "29:jane", "name": "Jane Smith"}}
    ]
    texts = _texts(card)
    assert texts[0] == "To <at>Jane Smith</at> and General."
    assert "<at>" not in texts[1] and texts[1].endswith(r"said \*\*hi\*\*")


def test_marks_links_lists_and_small_print():
    message = Message(
        "s",
        (
            Paragraph(((Strong("Report:"), " ", Link("https://example.org/a (1).pdf", "Draft [v2]")),)),
            Paragraph((Bullets(((("one",)), ("two",))),)),
            Context(("Small print",)),
        ),
    )
    card = message_card(message, {})
    texts = _texts(card)
    assert texts[0] == "**Report:** [Draft \\[v2\\]](https://example.org/a%20%281%29.pdf)".replace("%281%29", "(1%29")
    assert texts[1:3] == ["• one", "• two"]
    assert card["body"][-1]["isSubtle"] is True


def test_a_message_longer_than_teams_takes_says_what_was_left_out():
    blocks = tuple(paragraph((f"Item {n}: " + "words " * 80,)) for n in range(200))
    card = message_card(Message("long", blocks), {})
    assert len(json.dumps(card)) <= MOST_CARD_BYTES
    assert _texts(card)[-1] == literal(LEFT_OUT)
    assert _texts(card)[0].startswith("Item 0:")


def _activity(text: str, entities: list) -> Activity:
    return Activity.model_validate(
        {
            "type": "message",
            "text": text,
            "entities": entities,
            "recipient": {"id": BOT, "name": "committee-bot"},
            "conversation": {"id": "19:c@thread.tacv2"},
        }
    )


def _mention(member_id: str, name: str) -> dict:
    return {"type": "mention", "text": f"<at>{name}</at>", "mentioned": {"id": member_id, "name": name}}


def test_the_bots_mention_is_dropped_and_people_become_people():
    activity = _activity(
        "<at>committee-bot</at> report open Draft | https://x.org | <at>Jane Smith</at> | Friday",
        [_mention(BOT, "committee-bot"), _mention("29:jane", "Jane Smith")],
    )
    typed = typed_text(activity)
    assert typed.parts == (" report open Draft | https://x.org | ", Person("29:jane", "Jane Smith"), " | Friday")
    name, rest = command_of(typed, {"/report"})
    assert name == "/report" and rest.parts[0] == "open Draft | https://x.org | "


def test_a_channel_team_or_tag_mentioned_stays_words():
    activity = _activity(
        "<at>committee-bot</at> comment r1 tell <at>General</at> and <at>Finance team</at>",
        [
            _mention(BOT, "committee-bot"),
            _mention("19:general@thread.tacv2", "General"),
            {"type": "mention", "text": "<at>Finance team</at>", "mentioned": {"id": "tag-1", "name": "Finance team"}},
        ],
    )
    assert typed_text(activity) == TypedText.of(" comment r1 tell @General and @Finance team")


def test_words_that_name_no_command_are_not_one():
    assert command_of(TypedText.of("hello there"), {"/comment"}) is None
    assert command_of(TypedText.of("/Comment list"), {"/comment"}) == ("/comment", TypedText.of("list"))


def test_a_problem_with_one_field_is_shown_under_that_field_and_any_other_above_the_form():
    form = Form(
        "f",
        "Record",
        "Save",
        (Field("text", "Resolution", "text"), Field("due", "When it is due", "text", optional=True)),
    )

    def ids_and_problems(problem: Problem) -> list[str]:
        body = form_card(form, None, [], "opened", problem)["body"]
        return [element.get("id") or element["text"] for element in body]

    at_the_top = '⚠️ Please correct "When it is due", below.'  # a long dialog scrolls: say where to look
    assert ids_and_problems(Problem("Not a date.", "due")) == [at_the_top, "text", "due", "⚠️ Not a date."]
    assert ids_and_problems(Problem("Only clerks can.")) == ["⚠️ Only clerks can.", "text", "due"]
    # A field the form does not show (the problem came from elsewhere) is no reason to hide the problem.
    assert ids_and_problems(Problem("Gone.", "officer_9")) == ["⚠️ Gone.", "text", "due"]
