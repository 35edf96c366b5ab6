"""/minutes: resolutions found in minutes (pasted, or a file), checked by a clerk a page at a time, then saved."""

import logging
from dataclasses import replace
from datetime import date

from bot import forms, register_replies, replies
from bot.conversations import CommandRequest, Conversation, Submission
from bot.conversations.inputs import TypedText, text_of, user_of
from bot.forms import RESOLUTIONS_PER_PAGE, Form, FormValues
from bot.message import Inline, Strong
from bot.replies import Reply
from handlers import comment_windows, minutes_imports, resolutions
from handlers.context import Actor, Services
from handlers.deadlines import long_date
from handlers.document_text import minutes_text
from handlers.due_ranges import read_day
from handlers.errors import InvalidInput, UserFacingError
from handlers.identifiers import parse_id
from handlers.minutes import ExtractedResolution, read_minutes
from handlers.plain_text import plain
from handlers.wording import Command, joined
from storage.models import ResolutionKind

log = logging.getLogger(__name__)

HELP: dict[str, Inline] = {
    "/minutes": (
        Command("minutes"),
        " opens a form for a minutes file (.txt, .docx or .pdf) or a paste (or ",
        Command("minutes", "<text>"),
        "). I find the resolutions of every agenda item and show them to you to correct before anything is saved. "
        "You can also use the message shortcut ",
        Strong("Import minutes"),
        " on a message holding the minutes, or on a file posted in the channel.",
    ),
}
# A file or a paste can hold a whole meeting's minutes; this is several hundred pages.
MOST_CHARACTERS = 1_000_000
NOTHING_GIVEN = "Please attach the minutes as a file or paste them, so that I have something to read."


async def command(services: Services, actor: Actor, request: CommandRequest) -> Reply | Form:
    text = request.typed.plain()
    if text.strip().lower() == "help":
        return Reply(replies.notice(*HELP[request.name]))
    await resolutions.require_register_clerk(services, actor)
    if not text.strip():
        return forms.minutes_paste()
    return await _found(services, actor, text, None)


async def shortcut_form(services: Services, actor: Actor, typed: TypedText) -> Form:
    """The text of a message, or of the minutes file posted with it, as the platform read it."""
    await resolutions.require_register_clerk(services, actor)
    return await _found(services, actor, typed.plain(), None)


async def file_form(services: Services, actor: Actor, filename: str, content: bytes) -> Form:
    """A minutes file the clerk gave the platform: uploaded, posted in the channel, or named in the console."""
    await resolutions.require_register_clerk(services, actor)
    return await _found(services, actor, plain(minutes_text(filename, content)), None)


def _day_words(day: date | None) -> str:
    return long_date(day) if day else ""


async def _found(services: Services, actor: Actor, minutes: str, typed_day: date | None) -> Form:
    if len(minutes) > MOST_CHARACTERS:
        raise InvalidInput(
            f"That is {len(minutes):,} characters, more than the {MOST_CHARACTERS:,} I read at once. Please split it.",
            field="minutes",
        )
    reading = read_minutes(minutes, typed_day)
    if not reading.resolutions:
        raise InvalidInput(
            "I couldn't find any resolutions in that text, so nothing was saved. I look for the RESOLVED (or "
            "AGREED, or DECISION) part of each minute, lists of decisions, and decisions the minutes record "
            '("It was agreed that ...").',
            field="minutes",
        )
    log.info("found %d resolutions in %d characters of minutes", len(reading.resolutions), len(minutes))
    import_id = await minutes_imports.hold(services, actor, reading.resolutions)
    return forms.minutes_confirm(
        reading.resolutions, _day_words(reading.meeting_date), import_id, date_known=reading.meeting_date is not None
    )


async def submit(services: Services, actor: Actor, submission: Submission) -> Reply | Form:
    await resolutions.require_register_clerk(services, actor)
    values = submission.values
    if submission.form_id == "minutes.paste":
        return await _pasted(services, actor, values)
    import_id, page = _page_of(submission.context)
    held = await minutes_imports.pending(services, actor, import_id)
    checked = {**held.checked, **{name: _plain(value) for name, value in values.items()}}
    meeting_day = read_day(checked.get("meeting_date") or "", field="meeting_date")
    numbers = range(1, len(held.found) + 1)
    on_this_page = numbers[(page - 1) * RESOLUTIONS_PER_PAGE : page * RESOLUTIONS_PER_PAGE]
    if not on_this_page:
        raise InvalidInput("That form is out of date. Please import the minutes again.")
    for n in on_this_page:
        await _checked(resolutions.check_resolution(services, actor, _draft(checked, n, meeting_day, held.found)), n)
    if on_this_page[-1] < len(held.found):
        await minutes_imports.keep_checked(services, actor, import_id, checked)
        return forms.minutes_confirm(held.found, _day_words(meeting_day), import_id, page + 1)
    drafts = [_draft(checked, n, meeting_day, held.found) for n in numbers]
    reply = await _save_all(services, actor, checked, drafts, submission.request_key)
    await minutes_imports.forget(services, actor, import_id)
    return reply


async def _pasted(services: Services, actor: Actor, values: FormValues) -> Form:
    """The paste form: a file the platform has already read into text, or pasted text, or both."""
    typed = text_of(values, "meeting_date").strip()
    typed_day = read_day(typed, field="meeting_date") if typed else None
    from_file, pasted = text_of(values, "minutes_file"), text_of(values, "minutes")
    if not (from_file.strip() or pasted.strip()):
        raise InvalidInput(NOTHING_GIVEN, field="minutes")
    minutes = "\n".join(text for text in (from_file, pasted) if text.strip())
    return await _found(services, actor, minutes, typed_day)


def _page_of(context: str) -> tuple[int, int]:
    import_id, _, page = context.partition(":")
    parsed_id, parsed_page = parse_id(import_id), parse_id(page)
    if parsed_id is None or parsed_page is None:
        raise InvalidInput("That form is out of date. Please import the minutes again.")
    return parsed_id, parsed_page


def _plain(value: object) -> str | None:
    return value if isinstance(value, str) else None


# The register names the fields it refuses its own way; the form's fields are these.
_FORM_FIELD = {"deadline": "due", "owner_title": "owner", "owner_user_id": "owner"}


async def _checked(check, n: int) -> None:
    """Every resolution is checked before any is saved; a problem is shown beside the field at fault."""
    try:
        await check
    except UserFacingError as problem:
        field = _FORM_FIELD.get(problem.field or "text", problem.field or "text")
        raise InvalidInput(joined(f"Resolution {n}: ", problem.message), field=f"{field}_{n}") from None


def _draft(
    values: FormValues, n: int, meeting_day: date, found: list[ExtractedResolution]
) -> resolutions.ResolutionDraft:
    read = found[n - 1]
    return resolutions.ResolutionDraft(
        text=text_of(values, f"text_{n}"),
        kind=text_of(values, f"kind_{n}"),
        owner_title=text_of(values, f"owner_{n}"),
        due_text=text_of(values, f"due_{n}"),
        meeting_day=meeting_day,
        minute_item=read.item_number,
        minute_item_title=read.item_title,
    )


async def _save_all(
    services: Services, actor: Actor, values: FormValues, drafts: list[resolutions.ResolutionDraft], request_key: str
) -> Reply:
    saved, windows, notes = [], [], []
    for n, draft in enumerate(drafts, start=1):
        if draft.kind == ResolutionKind.COMMENT_DEADLINE:
            window, note = await _comment_window(services, actor, values, n, draft, f"{request_key}:window:{n}")
            windows += [window] if window else []
            notes += [note] if note else []
            draft = replace(draft, comment_window_id=window.id if window else None)
        saved.append(await resolutions.record_resolution(services, actor, draft, f"{request_key}:{n}"))
    message = register_replies.minutes_saved(saved, windows, notes, services.clock())
    return Reply(message, announce=tuple(windows))


async def _comment_window(services: Services, actor: Actor, values: FormValues, n: int, draft, request_key: str):
    officer = user_of(values, f"officer_{n}")
    title = text_of(values, f"title_{n}") or draft.text[:100]
    if not officer:
        return None, f"Resolution {n}: no officer was chosen, so no comment window was opened."
    request = comment_windows.WindowRequest(title, None, officer, draft.due_text)
    try:
        window, _ = await comment_windows.open_window(services, actor, request, request_key)
    except UserFacingError as problem:
        return None, joined(f"Resolution {n}: no comment window was opened. ", problem.message)
    return window, None


CONVERSATION = Conversation(
    help=HELP,
    command=command,
    form_prefixes=("minutes",),
    submit=submit,
    shortcuts={"minutes_from_message": shortcut_form},
)
