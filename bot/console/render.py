"""Messages and form questions as terminal text: the message model walked, buttons numbered for `/press N`."""

from collections.abc import Mapping

from bot.forms import Field
from bot.message import (
    Actions,
    Block,
    Bullets,
    Button,
    Context,
    Em,
    Inline,
    Line,
    Link,
    Message,
    Person,
    Quote,
    Run,
    Strong,
)
from handlers.wording import Command, Verbatim

# The one that carries meaning in the bot's messages becomes a mark; the rest only decorate, and are left out.
ICONS = {"warning": "! "}
INDENT = "  "
BOT_NAME = "committee-bot"


def heading(audience: str) -> str:
    """Whom the bot is showing a message to: "in #channel", "(only you can see this)", "(direct message to ...)"."""
    return f"{BOT_NAME} {audience}:"


def message_text(message: Message, names: Mapping[str, str], heading: str) -> tuple[str, tuple[Button, ...]]:
    """The message under its heading, and its buttons in the order they are numbered."""
    shown, buttons = [heading], []
    for block in message.blocks:
        shown += [INDENT + text for text in block_text(block, names).splitlines()]
        if pressable := _buttons(block):
            numbered = [f"[{len(buttons) + n}] {button.label}" for n, button in enumerate(pressable, 1)]
            shown.append(INDENT + "  ".join(numbered))
            buttons += pressable
    return "\n".join(shown), tuple(buttons)


def _buttons(block: Block) -> tuple[Button, ...]:
    return () if isinstance(block, Context) else block.buttons


def block_text(block: Block, names: Mapping[str, str]) -> str:
    if isinstance(block, Context):
        return inline_text(block.inline, names)
    if isinstance(block, Actions):
        return ""
    return "\n".join(_line(piece, names) for piece in block.lines)


def _line(piece: Line, names: Mapping[str, str]) -> str:
    if isinstance(piece, Quote):
        return "\n".join("> " + text for text in piece.text.splitlines())
    if isinstance(piece, Bullets):
        return "\n".join("• " + inline_text(item, names) for item in piece.items)
    return inline_text(piece, names)


def inline_text(runs: Inline, names: Mapping[str, str]) -> str:
    """What a reader sees: a person as @Name, a link as "label (address)", a command as `/comment list`."""
    return "".join(_run(run, names) for run in runs)


def _run(run: Run, names: Mapping[str, str]) -> str:
    if isinstance(run, str):
        return run
    if isinstance(run, Strong | Em):
        return run.text
    if isinstance(run, Link):
        return f"{run.label} ({run.url})"
    if isinstance(run, Person):
        return "@" + names.get(run.member_id, run.name or run.member_id)
    if isinstance(run, Command | Verbatim):
        return f"`{run.plain()}`"
    return ICONS.get(run.name, "")


def field_question(field: Field) -> str:
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
