"""Reading Teams activities into plain inputs: who, in which tenant and channel, what they typed.

Teams writes a mention in a message's text as `<at>Name</at>`, and names whom it means in an entity of the
activity. The bot's own mention is dropped; a person's becomes a Person by their Teams id; a mention of anything
else (a channel, a team, a tag) is left as the words `@Name`, so that it can never be mentioned back.
"""

import html
import re
from dataclasses import dataclass

from bot.conversations.inputs import TypedText
from bot.message import Person
from bot.teams.cards import is_user_id
from handlers.context import Actor

THREAD = ";messageid="
BOT_PREFIX = "28:"
AT_TAG = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
# Teams' own longest message is about 28,000 characters; anything longer did not come from Teams.
MOST_TYPED = 28_000


class Unreadable(ValueError):
    """An activity of a shape Teams does not send; the reason is for the log."""


@dataclass(frozen=True)
class Where:
    """Where an activity was made: its tenant, the committee's place (a channel, or a chat), the thread it is
    in, and whether it is a person's 1:1 chat with the bot."""

    tenant_id: str
    place_id: str
    thread_ref: str | None
    personal: bool
    team_id: str | None


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise Unreadable(f"no {what}")
    return value


def where(activity) -> Where:
    conversation = activity.conversation
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = getattr(conversation, "tenant_id", None) or (data.get("tenant") or {}).get("id")
    channel = (data.get("channel") or {}).get("id") if isinstance(data.get("channel"), dict) else None
    team = (data.get("team") or {}).get("id") if isinstance(data.get("team"), dict) else None
    conversation_id = _text(getattr(conversation, "id", None), "conversation id")
    place, _, thread = conversation_id.partition(THREAD)
    personal = getattr(conversation, "conversation_type", None) == "personal"
    return Where(
        _text(tenant, "tenant"),
        _text(channel, "channel") if channel else place,
        thread or None,
        personal,
        team if isinstance(team, str) else None,
    )


def from_a_bot(activity) -> bool:
    """Teams names a bot "28:<its app id>", and may say its role is "bot"; people are never either."""
    sender = activity.from_property
    return bool(sender) and (getattr(sender, "role", None) == "bot" or str(sender.id or "").startswith(BOT_PREFIX))


def actor(activity, place: Where) -> Actor:
    sender = _text(getattr(activity.from_property, "id", None), "sender")
    return Actor(place.tenant_id, sender, None if place.personal else place.place_id)


def typed_text(activity) -> TypedText:
    """What the person typed: the bot's mention dropped, people's mentions as people, the rest as typed."""
    text = activity.text if isinstance(activity.text, str) else ""
    if len(text) > MOST_TYPED:
        raise Unreadable(f"{len(text)} characters")
    bot_id, bot_name = getattr(activity.recipient, "id", None), getattr(activity.recipient, "name", None)
    mentioned = _mentions(activity)
    parts: list[str | Person] = []
    shown = 0
    for tag in AT_TAG.finditer(text):
        parts.append(text[shown : tag.start()])
        who = mentioned.get(tag.group(0))
        if who is None and tag.group(1) != bot_name:
            parts.append("@" + tag.group(1))
        elif who is not None and who[0] != bot_id:
            parts.append(Person(who[0], who[1]) if is_user_id(who[0]) else "@" + who[1])
        shown = tag.end()
    parts.append(text[shown:])
    return TypedText.of(*parts).with_text(lambda part: part.replace("\xa0", " "))


def _mentions(activity) -> dict[str, tuple[str, str]]:
    """Each mention's `<at>` text, and whom it means (their id and name)."""
    found = {}
    for entity in activity.entities or ():
        data = entity.model_dump(by_alias=True) if hasattr(entity, "model_dump") else entity
        if not isinstance(data, dict) or data.get("type") != "mention":
            continue
        mentioned, tag = data.get("mentioned"), data.get("text")
        if isinstance(mentioned, dict) and isinstance(mentioned.get("id"), str) and isinstance(tag, str):
            found[tag] = (mentioned["id"], str(mentioned.get("name") or ""))
    return found


def command_of(typed: TypedText, known: set[str]) -> tuple[str, TypedText] | None:
    """`comment list` (or `/comment list`) -> ("/comment", "list"); None when it names no command."""
    if not typed.parts or not isinstance(typed.parts[0], str):
        return None
    first = typed.parts[0].lstrip()
    word, _, rest = first.partition(" ")
    word, _, after_line = word.partition("\n")
    name = "/" + word.lower().lstrip("/")
    if name not in known:
        return None
    remainder = (after_line + " " + rest if after_line else rest).lstrip()
    return name, TypedText.of(remainder, *typed.parts[1:])


def message_action_text(value: object) -> str:
    """The words of the message a message action was used on (Teams gives them as HTML)."""
    payload = value.get("messagePayload") if isinstance(value, dict) else None
    body = payload.get("body") if isinstance(payload, dict) else None
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, str):
        return ""
    if body.get("contentType") == "html":
        return _html_words(content)
    return content


def message_action_files(value: object) -> list[str]:
    """The names of the files posted with the message a message action was used on."""
    payload = value.get("messagePayload") if isinstance(value, dict) else None
    attachments = payload.get("attachments") if isinstance(payload, dict) else None
    return [
        attachment["name"]
        for attachment in attachments or ()
        if isinstance(attachment, dict) and attachment.get("contentType") == "reference"
        if isinstance(attachment.get("name"), str)
    ]


def _html_words(markup: str) -> str:
    # A mention is written <at id="0">Name</at>: the words people saw, "@Name", which can never mention anyone.
    markup = re.sub(r"(?is)<at\b[^>]*>(.*?)</at>", r"@\1", markup)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", markup)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).strip()
