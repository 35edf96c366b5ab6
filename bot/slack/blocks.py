"""Block Kit: neutral Messages and Forms in, Slack's JSON out, within Slack's size limits."""

import json
from dataclasses import replace

from bot.forms import Field, Form, FormValues
from bot.message import Actions, Block, Button, Context, Message, Paragraph
from bot.slack.mrkdwn import escape, inline, lines

MAX_MESSAGE_BLOCKS = 50
READABLE_TYPES = ("txt", "docx", "pdf")  # what a file input offers; the reader checks again
BOX = "__"  # "minutes__2": the second box of a long text
MAX_SECTION_TEXT = 3000
MAX_PASTE_LENGTH = 3000  # a text input's limit
MAX_CONTEXT_ELEMENTS = 10
MAX_BUTTON_LABEL = 75
MAX_MODAL_TITLE = 24
MAX_OPTIONS = 100
MORE = "…"
LEFT_OUT = {"type": "context", "elements": [{"type": "mrkdwn", "text": "… and more than Slack shows at once."}]}


def _plain(text: str, limit: int = MAX_BUTTON_LABEL) -> dict:
    return {"type": "plain_text", "text": within(text, limit), "emoji": True}


def within(text: str, limit: int) -> str:
    """Text cut to a limit says so."""
    return text if len(text) <= limit else text[: limit - len(MORE)] + MORE


def _button(button: Button) -> dict:
    label, action_id, value, style, confirm = button
    element = {"type": "button", "text": _plain(label), "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = {
            "title": _plain("Are you sure?"),
            "text": _plain(confirm, 300),
            "confirm": _plain("Yes"),
            "deny": _plain("No, keep it"),
        }
    return element


def _blocks(block: Block) -> list[dict]:
    if isinstance(block, Context):
        elements = [_mrkdwn(chunk) for chunk in _chunks(inline(block.inline))]
        return [{"type": "context", "elements": elements[:MAX_CONTEXT_ELEMENTS]}]
    if isinstance(block, Actions):
        return [_actions(block.buttons)]
    return _section_blocks(block)


def _section_blocks(paragraph: Paragraph) -> list[dict]:
    # Slack refuses a section with empty text; a row of buttons alone is just an actions block.
    blocks = [{"type": "section", "text": _mrkdwn(chunk)} for chunk in _chunks(lines(paragraph.lines))]
    return [*blocks, _actions(paragraph.buttons)] if paragraph.buttons else blocks


def _actions(buttons: tuple[Button, ...]) -> dict:
    return {"type": "actions", "elements": [_button(b) for b in buttons]}


def _mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def _chunks(text: str) -> list[str]:
    """Text longer than a block holds, split over several rather than cut: at a line break where there is one,
    else at a space, and never inside an escaped character (&amp;) or a mention or link (<...>)."""
    chunks = []
    while len(text) > MAX_SECTION_TEXT:
        cut = _cut_at(text)
        chunks.append(text[:cut])
        # A quoted line cut in the middle goes on quoted.
        quoted = text[cut] != "\n" and text[text.rfind("\n", 0, cut) + 1 :].startswith("> ")
        text = ("> " if quoted else "") + text[cut:].lstrip("\n ")
    return [chunk for chunk in [*chunks, text] if chunk.strip()]


def _cut_at(text: str) -> int:
    window = text[: MAX_SECTION_TEXT + 1]
    cut = window.rfind("\n")
    if cut <= MAX_SECTION_TEXT // 2:
        cut = window.rfind(" ")
    cut = cut if cut > MAX_SECTION_TEXT // 2 else MAX_SECTION_TEXT
    opened = max(text.rfind("&", 0, cut), text.rfind("<", 0, cut))
    closed = max(text.rfind(";", 0, cut), text.rfind(">", 0, cut))
    return opened if opened > closed and opened > 0 else cut


def message_blocks(message: Message, limit: int = MAX_MESSAGE_BLOCKS) -> list[dict]:
    """The message's blocks; past what Slack shows at once, the last says that more was left out."""
    blocks = [block for part in message.blocks for block in _blocks(part)]
    return blocks if len(blocks) <= limit else [*blocks[: limit - 1], LEFT_OUT]


def message_payload(message: Message) -> dict:
    """The notification text is escaped too: a typed <!channel> in it cannot ping anyone."""
    return {"text": escape(message.summary), "blocks": message_blocks(message)}


def _input_element(field: Field) -> dict:
    if field.kind == "user":
        element = {"type": "users_select", "action_id": "value"}
        if field.initial:
            element["initial_user"] = field.initial
    elif field.kind == "users":
        element = {"type": "multi_users_select", "action_id": "value"}
        if field.initial:
            element["initial_users"] = list(field.initial)
    elif field.kind == "choice":
        options = [{"text": _plain(label), "value": value} for value, label in field.choices]
        element = {"type": "static_select", "action_id": "value", "options": options[:MAX_OPTIONS]}
        chosen = next((option for option in options if option["value"] == field.initial), None)
        if chosen:
            element["initial_option"] = chosen
    elif field.kind == "file":
        element = {"type": "file_input", "action_id": "value", "filetypes": list(READABLE_TYPES), "max_files": 1}
    else:
        element = {"type": "plain_text_input", "action_id": "value", "multiline": field.kind == "multiline"}
        if field.initial:
            element["initial_value"] = field.initial
        if field.max_length:
            element["max_length"] = min(field.max_length, MAX_PASTE_LENGTH)
    return element


def _input_blocks(field: Field) -> list[dict]:
    """A field's block; a text longer than one Slack box allows runs on into more boxes, joined when read."""
    boxes = -(-field.max_length // MAX_PASTE_LENGTH) if field.kind == "multiline" and field.max_length else 1
    if boxes == 1 or field.initial:
        return [_input_block(field)]
    more = replace(field, label=f"{field.label} (continued)", optional=True, hint=None)
    return [
        _input_block(field),
        *(_input_block(replace(more, name=f"{field.name}{BOX}{n}")) for n in range(2, boxes + 1)),
    ]


def _input_block(field: Field) -> dict:
    if field.kind == "note":
        return {"type": "context", "elements": [_mrkdwn(chunk) for chunk in _chunks(escape(field.label))]}
    block = {
        "type": "input",
        "block_id": field.name,
        "label": _plain(field.label, 2000),
        "optional": field.optional,
        "element": _input_element(field),
    }
    if field.hint:
        block["hint"] = _plain(field.hint, 2000)
    return block


def modal(form: Form, channel_id: str | None) -> dict:
    blocks = _section_blocks(Paragraph(((form.intro or "",),))) + [
        block for field in form.fields for block in _input_blocks(field)
    ]
    view = {
        "type": "modal",
        "callback_id": form.form_id,
        "title": _plain(form.title, MAX_MODAL_TITLE),
        "close": _plain("Cancel", MAX_MODAL_TITLE),
        "private_metadata": json.dumps({"context": form.context, "channel": channel_id}),
        "blocks": blocks,
    }
    if form.submit:  # a form with nothing to fill in (a notice) has no submit button
        view["submit"] = _plain(form.submit, MAX_MODAL_TITLE)
    return view


def submitted_values(view: dict) -> FormValues:
    """Slack's view state, flattened to one value per field, whatever the element type; the boxes of a long text
    joined into one. An uploaded file's value is its Slack file id, for the listener to read."""
    values: FormValues = {}
    for block_id, actions in sorted(view.get("state", {}).get("values", {}).items(), key=_box_order):
        state = actions.get("value", {})
        if BOX in block_id:
            name = block_id.partition(BOX)[0]
            more = state.get("value") if isinstance(state, dict) else None
            values[name] = "\n".join(text for text in (values.get(name), more) if isinstance(text, str) and text)
        elif state.get("type") == "file_input":
            values[block_id] = tuple(str(file.get("id")) for file in state.get("files") or () if file.get("id"))
        elif "selected_users" in state:
            values[block_id] = tuple(state["selected_users"] or ())
        elif "selected_user" in state:
            values[block_id] = state["selected_user"]
        elif "selected_option" in state:
            values[block_id] = (state["selected_option"] or {}).get("value")
        else:
            values[block_id] = state.get("value")
    return values


def _box_order(entry: tuple[str, dict]) -> tuple[str, int]:
    name, _, box = entry[0].partition(BOX)
    return name, int(box) if box.isdigit() else 1


def file_inputs(view: dict) -> dict[str, list[str]]:
    """The files uploaded in a modal's file inputs, by field: their Slack file ids."""
    found = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        state = actions.get("value", {})
        if state.get("type") == "file_input" and state.get("files"):
            found[block_id] = [str(file["id"]) for file in state["files"] if file.get("id")]
    return {name: ids for name, ids in found.items() if ids}


def modal_metadata(view: dict) -> tuple[str, str | None]:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
        channel = metadata.get("channel")
        return str(metadata.get("context") or ""), channel if isinstance(channel, str) else None
    except (ValueError, AttributeError):
        return "", None
