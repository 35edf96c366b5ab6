"""A member's personal data as the files they are sent: JSON for machines, a Word document for people.

The document shows what the JSON holds, section by section, with times in the committee's zone.
"""

from __future__ import annotations

import io
import json
from datetime import datetime

from handlers.deadlines import describe_instant
from handlers.export_formats import _xml_safe, set_up_a4
from handlers.register_export import BOT_NAME, _add_labelled_line, _add_text
from storage.models import DEFAULT_TIMEZONE

SECTIONS = (
    ("comments", "Comments and responses"),
    ("drafts", "Drafts not confirmed as comments"),
    ("resolutions", "Resolutions"),
    ("resolution_changes", "Entries in resolutions' history"),
    ("committee_roles", "Committee roles"),
    ("reports", "Reports"),
    ("meetings", "Meetings"),
    ("reminder_settings", "Reminder settings"),
    ("reminders", "Reminders addressed to them"),
)
NOTHING_HELD = "Nothing held."
_NOT_SHOWN = {"timezone", "revisions"}


def to_json(record: dict) -> str:
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def to_docx(record: dict) -> bytes:
    # Imported here for start-up time, as in export_formats.to_docx.
    from docx import Document

    document = Document()
    title = f"Personal data held about {record['member']} in workspace {record['workspace']}"
    set_up_a4(document, title, BOT_NAME)
    document.add_heading(_xml_safe(title), level=0)
    _add_labelled_line(document, "Generated", _shown("generated_at", record["generated_at"], DEFAULT_TIMEZONE))
    for key, heading in SECTIONS:
        document.add_heading(heading, level=1)
        if not record[key]:
            document.add_paragraph(NOTHING_HELD)
        for number, entry in enumerate(record[key], start=1):
            _add_entry(document, entry, number)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _add_entry(document, entry: dict, number: int) -> None:
    zone = entry.get("timezone") or DEFAULT_TIMEZONE
    document.add_heading(str(number), level=2)
    for key, value in entry.items():
        if key not in _NOT_SHOWN and value not in (None, ""):
            _add_labelled_line(document, key.replace("_", " ").capitalize(), _shown(key, value, zone))
    for revision in entry.get("revisions", []):
        line = f"Revision {revision['number']}, {revision['action']} {_shown('at', revision['at'], zone)}: "
        _add_text(document.add_paragraph(line, style="List Bullet"), revision["text"])


def _shown(key: str, value: object, zone: str) -> str:
    if key == "at" or key.endswith("_at") or key == "until":
        return describe_instant(datetime.fromisoformat(str(value)), zone)
    return str(value)
