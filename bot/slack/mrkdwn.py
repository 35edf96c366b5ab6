"""The message model as Slack's mrkdwn, and what people type in Slack read back into plain inputs.

Every literal piece of text is escaped here, once, so that a `<!channel>` anyone typed is shown, never sent.
"""

import re
from collections.abc import Callable
from dataclasses import replace

from bot.conversations.inputs import TypedText
from bot.message import Bullets, Em, Icon, Inline, Line, Link, Person, Quote, Strong
from handlers.context import Actor, MemberDirectory
from handlers.wording import Command, Verbatim

ICONS = {
    "warning": "warning",
    "question": "question",
    "information": "information_source",
    "memo": "memo",
    "hourglass": "hourglass",
    "lock": "lock",
    "report": "page_facing_up",
    "date": "date",
    "moved": "arrow_right",
    "overdue": "red_circle",
    "done": "white_check_mark",
}
# What Slack writes for a mention, a channel, a special mention or a link: <@U123|name>, <#C1|general>,
# <!channel>, <https://example.org|label>. The label, after a pipe, is optional.
MARKUP = re.compile(r"<(?P<kind>[@#!]|(?=[a-z][a-z0-9+.-]*:))(?P<target>[^<>|]*)(?:\|(?P<label>[^<>]*))?>")
ENTITY = re.compile(r"&(amp|lt|gt);")
ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}


def escape(text: str) -> str:
    """Slack's three mrkdwn control characters; `<!channel>` becomes harmless `&lt;!channel&gt;`."""
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def inline(runs: Inline) -> str:
    # Messages are rendered on the way to every answer: a lookup by type, not a chain of isinstance.
    return "".join([escape(run) if type(run) is str else MARKS[type(run)](run) for run in runs])


def _link(link: Link) -> str:
    # Both halves escaped: a `>` in either would end the link early, and what follows would be read as markup.
    return f"<{escape(link.url)}|{escape(link.label)}>"


def _code(run: Command | Verbatim) -> str:
    return f"`{escape(run.plain())}`"


MARKS: dict[type, Callable[..., str]] = {
    Strong: lambda run: f"*{escape(run.text)}*",
    Em: lambda run: f"_{escape(run.text)}_",
    Link: _link,
    Person: lambda run: f"<@{run.member_id}>",
    Command: _code,
    Verbatim: _code,
    Icon: lambda run: f":{ICONS[run.name]}: ",
}


def lines(shown: tuple[Line, ...]) -> str:
    return "\n".join([inline(piece) if type(piece) is tuple else _block_line(piece) for piece in shown])


def _block_line(piece: Quote | Bullets) -> str:
    if isinstance(piece, Quote):
        return "\n".join(["> " + text for text in escape(piece.text).splitlines()])
    return "\n".join(["• " + inline(item) for item in piece.items])


def typed_text(text: str, with_markup: bool = True) -> TypedText:
    """What someone typed, as Slack sent it. With markup (a command Slack escapes, a message), mentions become
    people, links their addresses, channels their names, and &amp; &lt; &gt; the characters typed; a special
    mention (<!channel>) stays as sent, to be shown escaped like any text. Without markup the text is exactly as
    typed."""
    if not with_markup:
        return TypedText.of(text)
    parts: list[str | Person] = []
    shown = 0
    for found in MARKUP.finditer(text):
        parts.append(_unescaped(text[shown : found.start()]))
        parts.append(_read(found))
        shown = found.end()
    parts.append(_unescaped(text[shown:]))
    return TypedText.of(*parts)


def _read(markup: re.Match) -> str | Person:
    kind, target, label = markup["kind"], markup["target"], markup["label"] or ""
    if kind == "@":
        return Person(target, _unescaped(label))
    if kind == "#":
        return "#" + _unescaped(label or target)
    if kind == "!":  # kept as sent, so that it can only ever be shown (escaped), never sent on
        return f"<!{target}>"
    return _unescaped(target)


def _unescaped(text: str) -> str:
    return ENTITY.sub(lambda entity: ENTITIES[entity.group()], text)


async def named(typed: TypedText, directory: MemberDirectory, actor: Actor) -> TypedText:
    """A message's mentions carry no names: each person's name as the workspace shows it, for the words as read."""
    unnamed = {part.member_id for part in typed.parts if isinstance(part, Person) and not part.name}
    if not unnamed:
        return typed
    names = await directory.display_names(actor.workspace_id, unnamed)
    return TypedText(
        tuple(
            replace(part, name=names.get(part.member_id, "")) if isinstance(part, Person) and not part.name else part
            for part in typed.parts
        )
    )
