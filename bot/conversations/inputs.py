"""Reading what came back from a button or a form, whatever the platform."""

from bot.forms import FormValues
from handlers.errors import NotFound
from handlers.identifiers import parse_id


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
