"""Messages and form questions as terminal text: Slack mrkdwn made readable, buttons numbered for `/press N`."""

import html
import re
from collections.abc import Mapping

from bot.forms import Field
from bot.replies import USER_MENTION, Button, Message, Note

# Slack's markup: a mention, channel, special or link between < and >. The presenters escape people's own < and >,
# but help texts write placeholders such as <report> unescaped, and those should read as typed.
MARKUP = re.compile(r"<([@#!][^<>]*|[a-z][a-z0-9+.-]*:[^<>]*)>")
ENTITY = re.compile(r"&(amp|lt|gt);")
EMPHASIS = (
    re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"),
    re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"),
)
EMOJI_CODE = re.compile(r":([a-z0-9_+-]+): ?")
# The one that carries meaning in the bot's messages becomes a mark; the rest only decorate, and are dropped.
EMOJI = {"warning": "! "} | dict.fromkeys(
    (
        "memo",
        "question",
        "hourglass",
        "lock",
        "date",
        "page_facing_up",
        "arrow_right",
        "red_circle",
        "white_check_mark",
        "information_source",
    ),
    "",
)
# Stands in for a piece of rendered markup while emphasis and entities are dealt with around it.
PLACEHOLDER = re.compile("\x00(\\d+)\x00")
INDENT = "  "
BOT_NAME = "committee-bot"


def heading(audience: str) -> str:
    """Whom the bot is showing a message to: "in #channel", "(only you can see this)", "(direct message to ...)"."""
    return f"{BOT_NAME} {audience}:"


def mentioned_user_ids(message: Message) -> set[str]:
    return {user_id for part in message.parts for user_id in USER_MENTION.findall(part.text)}


def message_text(message: Message, names: Mapping[str, str], heading: str) -> tuple[str, tuple[Button, ...]]:
    """The message under its heading, and its buttons in the order they are numbered."""
    lines, buttons = [heading], []
    for part in message.parts:
        lines += [INDENT + line for line in mrkdwn_to_text(part.text, names).splitlines()]
        if not isinstance(part, Note) and part.buttons:
            numbered = [f"[{len(buttons) + n}] {button.label}" for n, button in enumerate(part.buttons, 1)]
            lines.append(INDENT + "  ".join(numbered))
            buttons += part.buttons
    return "\n".join(lines), tuple(buttons)


def mrkdwn_to_text(text: str, names: Mapping[str, str]) -> str:
    """What Slack would show, in plain text: `<@U1>` as @Name, `<url|label>` as "label (url)", no * or _ markers."""
    rendered: list[str] = []

    def set_aside(match: re.Match) -> str:
        rendered.append(_markup(match.group(1), names))
        return f"\x00{len(rendered) - 1}\x00"

    text = MARKUP.sub(set_aside, text)
    for emphasis in EMPHASIS:
        text = emphasis.sub(r"\1", text)
    text = EMOJI_CODE.sub(lambda match: EMOJI.get(match.group(1), match.group(0)), text)
    text = _unescape(text)
    return PLACEHOLDER.sub(lambda match: rendered[int(match.group(1))], text)


def _markup(inner: str, names: Mapping[str, str]) -> str:
    target, _, label = inner.partition("|")
    target, label = _unescape(target), _unescape(label)
    if target.startswith("@"):
        return "@" + names.get(target[1:], label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        return label or "@" + target[1:]
    return f"{label} ({target})" if label else target


def _unescape(text: str) -> str:
    return ENTITY.sub(lambda match: html.unescape(match.group(0)), text)


def field_question(field: Field, names: Mapping[str, str]) -> str:
    """What to tell someone before they answer a form field: what it is, and how to answer."""
    lines = [field.label + (" (optional)" if field.optional else "") + (f": {field.hint}" if field.hint else "")]
    lines += [f"{INDENT}[{n}] {label}" for n, (_, label) in enumerate(field.choices, 1)]
    if field.kind == "multiline" and field.initial:
        lines += [INDENT + "> " + line for line in str(field.initial).splitlines()]
    lines.append(INDENT + _how_to_answer(field))
    return "\n".join(lines)


def _how_to_answer(field: Field) -> str:
    keep = " An empty answer keeps what is in [brackets]." if field.initial and field.kind != "multiline" else ""
    clear = " A single - clears it." if field.optional and field.initial else ""
    how = {
        "choice": "Type a number.",
        "user": "Type a user id or @name, e.g. UDIRECTOR or @director.",
        "users": "Type user ids or @names, separated by commas.",
        "multiline": 'Type as many lines as you like, then a line holding just "."'
        + (' (an empty line or "." straight away keeps the text above).' if field.initial else "."),
        "text": "Type your answer.",
    }[field.kind]
    return how + keep + clear + " /cancel abandons the form."


def field_prompt(field: Field, names: Mapping[str, str]) -> str:
    initial = _initial_shown(field, names)
    return f"{field.label}{f' [{initial}]' if initial else ''}> "


def _initial_shown(field: Field, names: Mapping[str, str]) -> str:
    if not field.initial or field.kind == "multiline":
        return ""
    if field.kind == "choice":
        return next((str(n) for n, (value, _) in enumerate(field.choices, 1) if value == field.initial), "")
    if field.kind in ("user", "users"):
        initial = (field.initial,) if isinstance(field.initial, str) else field.initial
        return ", ".join(names.get(user_id, user_id) for user_id in initial)
    return str(field.initial)
