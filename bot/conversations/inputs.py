"""Reading what came back from a button or a form, whatever the platform."""

from bot.forms import FormValues
from handlers.errors import NotFound

# Ids are 32-bit integers in the database; a larger number was never one of ours.
LARGEST_ID = 2**31 - 1


def number(value: str) -> int:
    """Buttons carry ids; anything else is a stale or forged button."""
    if not value.isascii() or not value.isdigit() or len(value) > len(str(LARGEST_ID)) or int(value) > LARGEST_ID:
        raise NotFound("That button is out of date. Please type the command again.")
    return int(value)


def text_of(values: FormValues, name: str) -> str:
    value = values.get(name)
    return value if isinstance(value, str) else ""


def user_of(values: FormValues, name: str) -> str | None:
    return text_of(values, name) or None
