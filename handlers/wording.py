"""The only rich text handlers write: a sentence may name a command, or something to type exactly as shown.

Each front end shows these its own way ("/comment list" in Slack and the console, "comment list" in Teams), so a
handler never spells a platform's command syntax or markup.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Command:
    """A command of the bot's, with what to type after it: Command("report", "export <report>")."""

    name: str
    args: str = ""

    def plain(self) -> str:
        return f"/{self.name} {self.args}" if self.args else f"/{self.name}"


@dataclass(frozen=True, slots=True)
class Verbatim:
    """Something to type exactly as shown, such as a report's reference."""

    text: str

    def plain(self) -> str:
        return self.text


Wording = tuple[str | Command | Verbatim, ...]
# What a handler says: plain text, or plain text with commands and references in it.
Words = str | Wording


def as_wording(words: Words) -> Wording:
    return (words,) if isinstance(words, str) else words


def joined(*pieces: Words | Command | Verbatim) -> Wording:
    """Sentences and their parts, one after the other."""
    return tuple(
        part for piece in pieces for part in ((piece,) if isinstance(piece, Command | Verbatim) else as_wording(piece))
    )


def plain(words: Words) -> str:
    """As plain text, for logs, notifications and anything that cannot show a command apart."""
    return "".join(part if isinstance(part, str) else part.plain() for part in as_wording(words))


def shortened(text: str, limit: int) -> str:
    """`text` cut at a word boundary to fit in `limit` characters, "…" marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
