"""Adaptive Cards: the message model and forms in, Teams' card JSON out.

Every literal piece of text goes through `literal`, once: Adaptive Card text is Markdown-like, so a typed
`**`, `[label](url)` or list marker is shown as typed, never read. People are mentioned as Teams mentions them, an
`<at>` tag with an entity naming them, and only the people the message names: a member's id from our tables, never
anything typed. A typed `<at>` tag is broken, so it can never match an entity.
"""

import json
import re
from dataclasses import asdict, dataclass

from bot.forms import Field, Form, FormValues
from bot.message import (
    Actions,
    Block,
    Bullets,
    Button,
    Context,
    Em,
    Icon,
    Inline,
    Line,
    Link,
    Message,
    Person,
    Quote,
    Strong,
)
from handlers.wording import Command, Verbatim

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
BOT_NAME = "committee-bot"
# A message's card past this many bytes is refused by Teams (about 28 KB for a bot's message); past it, the last
# blocks are left out and the card says so.
MOST_CARD_BYTES = 24_000
LEFT_OUT = "… and more than Teams shows at once."
# What our buttons carry in their data, beside Teams' own "msteams" key; a press without it is not ours.
PRESS = "committee_bot_press"
FORM = "committee_bot_form"
# A person's id as Teams gives it for a user in a conversation; channels, teams and tags have other prefixes and are
# never mentioned.
USER_ID = re.compile(r"^29:[\w.\-:@]+$")

ICONS = {
    "warning": "⚠️",
    "question": "❓",
    "information": "ℹ️",
    "memo": "📝",
    "hourglass": "⏳",
    "lock": "🔒",
    "report": "📄",
    "date": "📅",
    "moved": "➡️",
    "overdue": "🔴",
    "done": "✅",
}
# Markdown's marks, escaped wherever they are; list and heading markers only where a line starts with them.
MARKS = re.compile(r"([\\`*_\[\]()~#>|!])")
LINE_START_MARK = re.compile(r"^(\s*)([-+]|\d+[.)])(?=\s)", re.MULTILINE)
AT_TAG = re.compile(r"<(/?)at\b", re.IGNORECASE)


def literal(text: str) -> str:
    """Text shown exactly as typed in a TextBlock: Markdown marks escaped, `<at>` tags broken, `<` and `&` left
    alone (Adaptive Cards read no HTML)."""
    text = AT_TAG.sub(lambda tag: f"<{tag.group(1)}\u200bat", text)
    text = MARKS.sub(r"\\\1", text)
    return LINE_START_MARK.sub(lambda found: f"{found.group(1)}\\{found.group(2)}", text)


def unmentionable(text: str) -> str:
    """Plain text (a notification's summary) with any typed `<at>` tag broken."""
    return AT_TAG.sub(lambda tag: f"<{tag.group(1)}\u200bat", text)


def is_user_id(member_id: str) -> bool:
    return bool(USER_ID.match(member_id))


@dataclass
class _Rendering:
    """One card being written: the names to mention people by, and the mentions made so far."""

    names: dict[str, str]
    mentions: dict[str, dict]
    place: str | None = None

    def person(self, person: Person) -> str:
        name = (self.names.get(person.member_id) or person.name or "").replace("<", "").replace(">", "").strip()
        if not is_user_id(person.member_id) or not name:
            return literal(name or "someone")
        tag = f"<at>{name}</at>"
        self.mentions.setdefault(
            person.member_id, {"type": "mention", "text": tag, "mentioned": {"id": person.member_id, "name": name}}
        )
        return tag

    def inline(self, runs: Inline) -> str:
        return "".join(self._run(run) for run in runs)

    def _run(self, run) -> str:
        if isinstance(run, str):
            return literal(run)
        if isinstance(run, Strong):
            return f"**{literal(run.text)}**" if run.text.strip() else literal(run.text)
        if isinstance(run, Em):
            return f"_{literal(run.text)}_" if run.text.strip() else literal(run.text)
        if isinstance(run, Link):
            return f"[{literal(run.label)}]({run.url.replace(')', '%29').replace(' ', '%20')})"
        if isinstance(run, Person):
            return self.person(run)
        if isinstance(run, Command):
            return literal(command_words(run))
        if isinstance(run, Verbatim):
            return literal(run.text)
        if isinstance(run, Icon):
            return ICONS.get(run.name, "") + " "
        return ""

    def line(self, piece: Line) -> list[dict]:
        if isinstance(piece, Quote):
            texts = [_text(literal(line) or " ") for line in piece.text.splitlines() or [""]]
            return [{"type": "Container", "style": "emphasis", "items": texts, "spacing": "small"}]
        if isinstance(piece, Bullets):
            return [_text("• " + self.inline(item)) for item in piece.items]
        return [_text(self.inline(piece))]

    def block(self, block: Block) -> list[dict]:
        if isinstance(block, Context):
            return [{**_text(self.inline(block.inline)), "isSubtle": True, "size": "small"}]
        if isinstance(block, Actions):
            return [action_set(block.buttons, self.place)]
        elements = [element for piece in block.lines for element in self.line(piece)]
        return [*elements, action_set(block.buttons, self.place)] if block.buttons else elements


def command_words(command: Command) -> str:
    """What to type in Teams: the bot's mention, then the command's name and its words."""
    return f"@{BOT_NAME} {command.name} {command.args}".rstrip()


def _text(text: str) -> dict:
    return {"type": "TextBlock", "text": text, "wrap": True, "spacing": "small"}


def button_action(button: Button, place: str | None = None) -> dict:
    """A button opens a dialog (Teams' task module): the press is answered there, or by a private message. It
    carries the place it acts in (a committee's channel), which a message in a 1:1 chat cannot tell."""
    data = {"msteams": {"type": "task/fetch"}, PRESS: {"action": button.action_id, "value": button.value}}
    if place:
        data[PRESS]["channel"] = place
    if button.confirm:
        data[PRESS]["confirm"] = button.confirm
    action = {"type": "Action.Submit", "title": button.label, "data": data}
    if button.style in ("primary", "danger"):
        action["style"] = "positive" if button.style == "primary" else "destructive"
    return action


def action_set(buttons: tuple[Button, ...], place: str | None = None) -> dict:
    return {"type": "ActionSet", "actions": [button_action(button, place) for button in buttons]}


def card(body: list[dict], mentions: dict[str, dict] | None = None) -> dict:
    content = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if mentions:
        content["msteams"]["entities"] = list(mentions.values())
    return content


def message_card(message: Message, names: dict[str, str], place: str | None = None) -> dict:
    """The message as one card; past what Teams takes in one message, the last blocks left out, and said so."""
    rendering = _Rendering(names, {}, place)
    rendered = [rendering.block(block) for block in message.blocks]
    body = [element for elements in rendered for element in elements]
    while len(rendered) > 1 and len(json.dumps(card(body, rendering.mentions))) > MOST_CARD_BYTES:
        rendered.pop()
        body = [element for elements in rendered for element in elements] + [_text(literal(LEFT_OUT))]
    return card(body, rendering.mentions)


def attachment(content: dict) -> dict:
    return {"contentType": CARD_TYPE, "content": content}


# Forms, as the card of a dialog.


@dataclass(frozen=True)
class MemberChoice:
    member_id: str
    name: str


@dataclass(frozen=True)
class Problem:
    """Why a submitted form was refused, and the field it is about (None: the form as a whole)."""

    text: str
    field: str | None = None


def form_card(
    form: Form,
    channel_id: str | None,
    people: list[MemberChoice],
    opened: str,
    problem: Problem | None = None,
    typed: FormValues | None = None,
) -> dict:
    """The form's card: its inputs and its intro above them; a problem with one field right under that field's box
    (as Slack shows it), any other above everything. `typed` (what was submitted) is kept in the boxes. `opened`
    names this dialog, as long as it stays open (corrected, or on to its next page), so that each thing it records
    is recorded once."""
    typed = typed or {}
    asked = {field.name for field in form.fields if field.kind not in ("note", "file")}
    beside = problem.field if problem and problem.field in asked else None
    body: list[dict] = []
    if problem and beside is None:
        body.append(_problem(problem.text))
    if form.intro:
        body += [_text(literal(line)) for line in form.intro.splitlines() if line.strip()]
    for field in form.fields:
        body.append(_input(field, people, typed.get(field.name)))
        if field.name == beside:
            body.append(_problem(problem.text))
    actions = []
    if form.submit:
        lists = [field.name for field in form.fields if field.kind == "users"]
        # The form itself rides along, so that a refusal can show it again as it was filled in.
        data = {
            FORM: {
                "id": form.form_id,
                "context": form.context,
                "channel": channel_id,
                "lists": lists,
                "opened": opened,
                "form": asdict(form),
            }
        }
        actions.append({"type": "Action.Submit", "title": form.submit, "data": data, "style": "positive"})
    content = card(body)
    content["actions"] = actions
    return content


def _problem(text: str) -> dict:
    return {**_text("⚠️ " + literal(text)), "color": "attention", "weight": "bolder"}


def _input(field: Field, people: list[MemberChoice], typed) -> dict:
    initial = typed if typed is not None else field.initial
    if field.kind == "note":
        return {**_text(literal(field.label)), "isSubtle": True}
    common = {"id": field.name, "label": field.label, "isRequired": not field.optional}
    if not field.optional:
        common["errorMessage"] = f"{field.label} is needed."
    if field.kind in ("user", "users", "choice"):
        choices = (
            [{"title": label, "value": value} for value, label in field.choices]
            if field.kind == "choice"
            else [{"title": person.name, "value": person.member_id} for person in people]
        )
        element = {**common, "type": "Input.ChoiceSet", "style": "compact", "choices": choices}
        if field.kind == "users":
            element["isMultiSelect"] = True
        if initial:
            element["value"] = ",".join(initial) if isinstance(initial, tuple) else str(initial)
        if field.kind != "choice":
            element["style"] = "filtered"
        return element
    if field.kind == "file":
        return {
            **_text(literal(f"{field.label}: a Teams form cannot take a file; paste the text instead.")),
            "isSubtle": True,
        }
    element = {**common, "type": "Input.Text", "isMultiline": field.kind == "multiline"}
    if field.max_length:
        element["maxLength"] = field.max_length
    if field.hint:
        element["placeholder"] = field.hint
    if isinstance(initial, str) and initial:
        element["value"] = initial
    return element


def dialog(title: str, content: dict) -> dict:
    """What a task/fetch or task/submit invoke answers to show a dialog."""
    return {
        "task": {
            "type": "continue",
            "value": {"title": title, "width": "medium", "height": "medium", "card": attachment(content)},
        }
    }


def dialog_note(text: str) -> dict:
    """A dialog that only says something, for a press answered in a few words."""
    return {"task": {"type": "message", "value": text}}


@dataclass(frozen=True)
class Submitted:
    form_id: str
    context: str
    channel_id: str | None
    opened: str
    values: FormValues


def submitted(data: dict) -> Submitted:
    """A dialog's data read back into the form it came from: its id, context and place, and a value per field
    (a multi-select's comma-separated ids as a tuple; an empty box as None). Raises TypeError for data of a shape
    our cards never send."""
    ours = data.get(FORM)
    if not isinstance(ours, dict) or not isinstance(ours.get("id"), str):
        raise TypeError("not one of our forms")
    context, channel, opened = ours.get("context") or "", ours.get("channel"), ours.get("opened")
    if not (isinstance(context, str) and isinstance(opened, str) and (channel is None or isinstance(channel, str))):
        raise TypeError("not one of our forms")
    values: FormValues = {}
    for name, value in data.items():
        if name in (FORM, "msteams") or not isinstance(name, str):
            continue
        if not isinstance(value, str):
            raise TypeError(f"{name} is not text")
        values[name] = value or None
    for name in ours.get("lists") or ():
        if isinstance(name, str) and name in values:
            values[name] = tuple(part for part in (values[name] or "").split(",") if part)
    return Submitted(ours["id"], context, channel, opened, values)
