"""What people type in Slack, read by the Slack front end: conversations get people and plain words, never markup."""

from bot.conversations.inputs import TypedText
from bot.message import Person
from bot.slack.mrkdwn import typed_text

OFFICER = Person("UOFFICER", "director")


def test_mentions_become_people_and_links_their_addresses():
    typed = typed_text(
        "open Plan | <https://example.org/r?doc=1&amp;v=2|example.org/r> | <@UOFFICER|director> | Friday"
    )
    assert typed == TypedText(("open Plan | https://example.org/r?doc=1&v=2 | ", OFFICER, " | Friday"))
    assert typed.people() == ("UOFFICER",)
    assert typed.plain() == "open Plan | https://example.org/r?doc=1&v=2 | @director | Friday"


def test_pipes_inside_slack_markup_never_split_what_was_typed():
    parts = typed_text("open A &amp; B | <https://x.example/a|b> | <@UOFFICER|director> | 1 May 2041").split("|")
    assert [part.plain().strip() for part in parts] == ["open A & B", "https://x.example/a", "@director", "1 May 2041"]
    assert parts[2].people() == ("UOFFICER",)


def test_channels_and_escaped_characters_read_as_typed_and_special_mentions_stay_inert():
    typed = typed_text("in <#C123|general>: &lt;b&gt; &amp;amp; <!here|@here> <!subteam^S1|admins>")
    assert typed.plain() == "in #general: <b> &amp; <!here> <!subteam^S1>"
    assert typed.people() == ()


def test_text_slack_sends_as_typed_is_left_as_typed():
    typed = "Please note <!channel> <@UJONES> & co"
    assert typed_text(typed, with_markup=False) == TypedText((typed,))
