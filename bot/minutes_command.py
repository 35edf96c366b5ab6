"""`committee-bot minutes extract FILE [--meeting-date YYYY-MM-DD] [--json]`: the resolutions a minutes file holds.

It reads the file and prints what it found; it never opens the database. Without --meeting-date, the date the
minutes give is used; where they give none, periods and "next meeting" are left as rules.
"""

import argparse
import json
import logging
import sys
from datetime import date
from pathlib import Path

from handlers.deadlines import long_date
from handlers.document_text import minutes_text
from handlers.errors import InvalidInput
from handlers.minutes import ExtractedResolution, MinutesReading, read_minutes
from handlers.resolutions import KIND_LABELS
from handlers.wording import plain

BAD_INPUT = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the `extract` subcommand to the `minutes` parser."""
    actions = parser.add_subparsers(dest="minutes_action", required=True)
    extract = actions.add_parser("extract", help="list the resolutions in a minutes file (.txt, .docx or .pdf)")
    extract.add_argument("file", help="the minutes: a .txt, .docx or .pdf file")
    extract.add_argument(
        "--meeting-date",
        help="the date of the meeting, YYYY-MM-DD; periods are counted from it (default: the date the minutes give)",
    )
    extract.add_argument("--json", action="store_true", help="print a JSON list instead of a readable one")


def run(args: argparse.Namespace) -> int:
    # pypdf logs each oddity it repairs in a damaged file; the one line below is all the clerk needs.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        meeting_date = _meeting_date(args.meeting_date) if args.meeting_date else None
        text = minutes_text(args.file, _read(Path(args.file)))
    except InvalidInput as refusal:
        print(plain(refusal.message), file=sys.stderr)
        return BAD_INPUT
    reading = read_minutes(text, meeting_date)
    if args.json:
        print(json.dumps([r.as_json() for r in reading.resolutions], indent=2, ensure_ascii=False))
    else:
        print(_readable(reading, Path(args.file).name))
    return 0


def _meeting_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f'"{text}" isn\'t a meeting date I can read. Please give it as YYYY-MM-DD, for example 2022-09-06.'
        ) from None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"I couldn't find {path}. Please check the file name.") from None
    except OSError as error:
        raise InvalidInput(f"I couldn't open {path}: {error.strerror or error}.") from None


def _meeting_words(reading: MinutesReading) -> str:
    day = reading.meeting_date
    if day is None:
        return "the minutes give no meeting date, so periods are left as rules"
    return f"meeting of {long_date(day)}{', the date the minutes give' if reading.meeting_date_read else ''}"


def _readable(reading: MinutesReading, filename: str) -> str:
    resolutions = reading.resolutions
    if not resolutions:
        return f"I found no resolutions in {filename} ({_meeting_words(reading)})."
    count = f"{len(resolutions)} resolution{'s' if len(resolutions) != 1 else ''}"
    blocks = [_described(number, r) for number, r in enumerate(resolutions, start=1)]
    return "\n\n".join([f"{count} in {filename} ({_meeting_words(reading)}):", *blocks])


def _described(number: int, resolution: ExtractedResolution) -> str:
    item = f" - item {resolution.marker}" if resolution.marker else ""
    heading = f"{number}. {KIND_LABELS[resolution.kind]}{item}"
    agenda_item = " ".join(filter(None, (resolution.item_number, resolution.item_title)))
    details = [
        ("Agenda item", agenda_item),
        ("Owner", resolution.owner),
        ("Views from", resolution.respondents),
        ("Due", _due_words(resolution)),
        ("Confidence", f"{resolution.confidence:.0%}"),
    ]
    lines = [heading, f"   {resolution.text}"]
    lines += [f"   {label}: {value}" for label, value in details if value]
    lines += [f"   Check: {doubt}" for doubt in resolution.doubts]
    return "\n".join(lines)


def _due_words(resolution: ExtractedResolution) -> str | None:
    on = long_date(resolution.due_date) if resolution.due_date else None
    if on and resolution.due_rule:
        return f"{on} ({resolution.due_rule})"
    return on or resolution.due_rule
