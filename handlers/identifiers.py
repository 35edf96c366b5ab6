"""Ids arrive as text from buttons and links, which anyone can forge."""

# Ids are 32-bit integers in the database; a larger number was never one of ours.
LARGEST_ID = 2**31 - 1


def parse_id(value: str) -> int | None:
    """The id written in `value`, or None when it cannot be one of ours (Unicode digits, signs, overflow)."""
    if not value.isascii() or not value.isdigit() or len(value) > len(str(LARGEST_ID)) or int(value) > LARGEST_ID:
        return None
    return int(value)
