"""/minutes: resolutions found in pasted minutes, checked by a clerk, then saved to the register."""

import logging
from dataclasses import replace
from datetime import date

from bot import forms, register_replies, replies
from bot.conversations.inputs import number, text_of, user_of
from bot.forms import Form, FormValues
from bot.replies import Reply
from handlers import comment_windows, resolutions
from handlers.context import Actor, Services
from handlers.deadlines import local_date
from handlers.due_ranges import read_day
from handlers.errors import InvalidInput, UserFacingError
from handlers.minutes import extract_resolutions
from storage.models import DEFAULT_TIMEZONE, ResolutionKind

log = logging.getLogger(__name__)

PREFIXES = ("minutes",)
HELP = {
    "/minutes": "`/minutes` opens a form to paste a minute (or `/minutes <text>`). I find its resolutions and show "
    "them to you to correct before anything is saved. For long minutes use the message shortcut *Import minutes* "
    "on a message holding them.",
}
# A modal holds 100 blocks; each resolution takes up to seven.
MOST_AT_ONCE = 12
# Slack's own message limit; anything longer did not come from Slack and is not read.
MOST_CHARACTERS = 40_000


async def command(services: Services, actor: Actor, name: str, text: str, request_key: str) -> Reply | Form:
    if text.strip().lower() == "help":
        return Reply(replies.plain_notice(HELP[name]))
    await resolutions.require_register_clerk(services, actor)
    today = local_date(services.clock(), DEFAULT_TIMEZONE)
    if not text.strip():
        return forms.minutes_paste(_day_words(today))
    return _found(text, today)


async def shortcut_form(services: Services, actor: Actor, text: str) -> Form:
    await resolutions.require_register_clerk(services, actor)
    return _found(text, local_date(services.clock(), DEFAULT_TIMEZONE))


def _day_words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _found(minutes: str, meeting_day: date) -> Form:
    if len(minutes) > MOST_CHARACTERS:
        raise InvalidInput(
            f"That is {len(minutes):,} characters, more than the {MOST_CHARACTERS:,} Slack allows in a message. "
            "Please import the minutes one item at a time.",
            field="minutes",
        )
    found = extract_resolutions(minutes, meeting_day)
    if not found:
        raise InvalidInput(
            "I couldn't find any resolutions in that text, so nothing was saved. I look for the RESOLVED (or "
            "AGREED, or DECISION) part of a minute, or the numbered list of decisions at its end.",
            field="minutes",
        )
    if len(found) > MOST_AT_ONCE:
        raise InvalidInput(
            f"I found {len(found)} resolutions, more than the {MOST_AT_ONCE} I can show you at once. "
            "Please import the minutes one item at a time.",
            field="minutes",
        )
    log.info("found %d resolutions in %d characters of minutes", len(found), len(minutes))
    return forms.minutes_confirm(found, _day_words(meeting_day))


async def press(services: Services, actor: Actor, action_id: str, value: str, request_key: str) -> Reply:
    raise InvalidInput("That button is no longer in use. Please type `/minutes` again.")


async def submit(
    services: Services, actor: Actor, form_id: str, context: str, values: FormValues, request_key: str
) -> Reply | Form:
    await resolutions.require_register_clerk(services, actor)
    meeting_day = read_day(text_of(values, "meeting_date"), field="meeting_date")
    if form_id == "minutes.paste":
        return _found(text_of(values, "minutes"), meeting_day)
    count = number(context)
    if not 1 <= count <= MOST_AT_ONCE:
        raise InvalidInput("That form is out of date. Please import the minutes again.")
    drafts = [_draft(values, n, meeting_day) for n in range(1, count + 1)]
    for n, draft in enumerate(drafts, start=1):
        await _checked(resolutions.check_resolution(services, actor, draft), n)
    return await _save_all(services, actor, values, drafts, request_key)


async def _checked(check, n: int) -> None:
    """Every resolution is checked before any is saved; a problem is shown beside the field at fault."""
    try:
        await check
    except UserFacingError as problem:
        raise InvalidInput(f"Resolution {n}: {problem.message}", field=f"{problem.field or 'text'}_{n}") from None


def _draft(values: FormValues, n: int, meeting_day: date) -> resolutions.ResolutionDraft:
    return resolutions.ResolutionDraft(
        text=text_of(values, f"text_{n}"),
        kind=text_of(values, f"kind_{n}"),
        owner_title=text_of(values, f"owner_{n}"),
        due_text=text_of(values, f"due_{n}"),
        meeting_day=meeting_day,
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
        return None, f"Resolution {n}: no comment window was opened. {problem.message}"
    return window, None
