"""Reading what people typed, and what came back from a button or a form, whatever the platform."""

from collections.abc import Callable
from dataclasses import dataclass

from bot.forms import FormValues
from bot.message import Person
from handlers.errors import NotFound
from handlers.identifiers import parse_id


@dataclass(frozen=True, slots=True)
class TypedText:
    """What a person typed, read by their front end: its mentions already people, its links plain addresses, no
    platform syntax left in it. `TypedText(("Draft | https://x | ", Person("U1"), " | 20 Sep"))`."""

    parts: tuple[str | Person, ...] = ()

    @classmethod
    def of(cls, *parts: str | Person) -> "TypedText":
        """The parts in order, text next to text run together."""
        runs: list[str | Person] = []
        for part in parts:
            if isinstance(part, str) and runs and isinstance(runs[-1], str):
                runs[-1] += part
            elif part != "":
                runs.append(part)
        return cls(tuple(runs))

    def plain(self) -> str:
        """As typed, each person as they were written ("@director")."""
        return "".join(part if isinstance(part, str) else f"@{part.name or part.member_id}" for part in self.parts)

    def people(self) -> tuple[str, ...]:
        return tuple(part.member_id for part in self.parts if isinstance(part, Person))

    def split(self, separator: str) -> list["TypedText"]:
        """Split at `separator` in the text around the mentions, never inside one."""
        pieces: list[list[str | Person]] = [[]]
        for part in self.parts:
            if isinstance(part, Person):
                pieces[-1].append(part)
                continue
            first, *more = part.split(separator)
            pieces[-1].append(first)
            pieces += [[text] for text in more]
        return [TypedText.of(*piece) for piece in pieces]

    def with_text(self, change: Callable[[str], str]) -> "TypedText":
        """The same, each run of text between mentions changed by `change`."""
        return TypedText(tuple(change(part) if isinstance(part, str) else part for part in self.parts))


def number(value: str) -> int:
    """Buttons carry ids; anything else is a stale or forged button."""
    if (parsed := parse_id(value)) is None:
        raise NotFound("That button is out of date. Please type the command again.")
    return parsed


def required_text(value: object) -> str:
    """Text where a payload we built, or Slack's, always has text; anything else was forged. The TypeError is
    read as "out of date" by whoever asked."""
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def text_of(values: FormValues, name: str) -> str:
    value = values.get(name)
    return value if isinstance(value, str) else ""


def user_of(values: FormValues, name: str) -> str | None:
    return text_of(values, name) or None
