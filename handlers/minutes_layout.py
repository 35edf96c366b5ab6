"""The layout of pasted or uploaded minutes: plain characters, one line per line, and where each agenda item
and the meeting's date are."""

_PLAIN = str.maketrans(
    {
        "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\t": " ",
        "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
        "\u200b": None, "\ufeff": None, "\u00ad": None,
    }
)  # fmt: skip


def normalised_lines(minutes: str) -> list[str]:
    # splitlines() also breaks on \r\n, \r and the form feeds PDF text uses between pages.
    return minutes.translate(_PLAIN).splitlines()
