"""What people type or paste, made plain the same way wherever it comes in: before it is read or stored."""

import re

# Word's manual line break is a vertical tab, its page break a form feed; Unicode has two separators of its own.
LINE_BREAKS = re.compile("\r\n|[\r\v\f\x85\u2028\u2029]")
# Control characters other than tab and newline are invisible paste accidents (PostgreSQL refuses NUL in text);
# a lone surrogate cannot be stored as UTF-8 at all.
INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")


def plain(text: str) -> str:
    """Line breaks as newlines, invisible control characters gone; everything a person can see kept."""
    return INVISIBLE.sub("", LINE_BREAKS.sub("\n", text))
