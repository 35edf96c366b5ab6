"""The files people ask for (the comments on a report, a committee's resolutions register, its calendar), made
the same way on every platform, each marked with what it is made from (`Attachment.made_from`).

A platform that sends a file only once its person accepts it (Teams' file consent, perhaps in another process)
makes it again then with `made_again`: for that person, through the same checks as when they asked, so a file
they may no longer have is refused rather than sent.
"""

from collections.abc import Awaitable, Callable

from bot.message import Attachment
from bot.reminder_delivery import COMPILED_COMMENTS
from handlers import calendar, collect, register
from handlers.committees import asking_in_committee
from handlers.context import Actor, Services
from handlers.errors import NotFound
from handlers.export_formats import CompiledComments, to_csv, to_docx, to_markdown
from handlers.register_export import Register, register_to_csv, register_to_docx
from storage.committees import CommitteeView

# What `made_from` names each file by; the compiled comments in Word are those the officer gets at close.
COMMENTS_MARKDOWN = "compiled_comments_markdown"
COMMENTS_CSV = "compiled_comments_csv"
REGISTER_WORD = "register_word"
REGISTER_CSV = "register_csv"
CALENDAR = "calendar"
NOT_OURS = "That file is not one I can make. Please ask for it again."


def comment_files(compiled: CompiledComments, window_id: int) -> tuple[Attachment, ...]:
    title = f"Comments on {compiled.report_title}"
    return (
        Attachment(f"{compiled.file_stem}.docx", f"{title} (Word)", to_docx(compiled), (COMPILED_COMMENTS, window_id)),
        Attachment(
            f"{compiled.file_stem}.md",
            f"{title} (Markdown)",
            to_markdown(compiled).encode(),
            (COMMENTS_MARKDOWN, window_id),
        ),
        Attachment(
            f"{compiled.file_stem}.csv",
            f"{title} (CSV)",
            to_csv(compiled).encode("utf-8-sig"),
            (COMMENTS_CSV, window_id),
        ),
    )


def register_files(compiled: Register, committee_id: int) -> tuple[Attachment, ...]:
    return (
        Attachment(
            f"{compiled.file_stem}.docx",
            f"{compiled.title} (Word)",
            register_to_docx(compiled),
            (REGISTER_WORD, committee_id),
        ),
        Attachment(
            f"{compiled.file_stem}.csv",
            f"{compiled.title} (CSV)",
            register_to_csv(compiled).encode("utf-8-sig"),
            (REGISTER_CSV, committee_id),
        ),
    )


def calendar_file(committee: CommitteeView, content: bytes) -> Attachment:
    return Attachment(
        calendar.calendar_filename(committee.name), f"Calendar of {committee.name}", content, (CALENDAR, committee.id)
    )


async def _comments_again(services: Services, actor: Actor, window_id: int) -> tuple[Attachment, ...]:
    return comment_files(await collect.compile_window_for(services, actor, window_id), window_id)


async def _register_again(services: Services, actor: Actor, committee_id: int) -> tuple[Attachment, ...]:
    there = await asking_in_committee(services, actor.workspace_id, actor.user_id, committee_id)
    _, compiled = await register.compile_register(services, there)
    return register_files(compiled, committee_id)


async def _calendar_again(services: Services, actor: Actor, committee_id: int) -> tuple[Attachment, ...]:
    there = await asking_in_committee(services, actor.workspace_id, actor.user_id, committee_id)
    committee, token = await calendar.calendar_token(services, there)
    return (calendar_file(committee, await calendar.committee_calendar(services, token)),)


_MAKERS: dict[str, Callable[[Services, Actor, int], Awaitable[tuple[Attachment, ...]]]] = {
    COMPILED_COMMENTS: _comments_again,
    COMMENTS_MARKDOWN: _comments_again,
    COMMENTS_CSV: _comments_again,
    REGISTER_WORD: _register_again,
    REGISTER_CSV: _register_again,
    CALENDAR: _calendar_again,
}
KINDS = frozenset(_MAKERS)


async def made_again(services: Services, actor: Actor, made_from: tuple[str, int]) -> Attachment:
    """The file `made_from` names, made now for `actor`; raises the refusal they would get asking for it now."""
    kind, subject_id = made_from
    if kind not in _MAKERS:
        raise NotFound(NOT_OURS)
    return next(file for file in await _MAKERS[kind](services, actor, subject_id) if file.made_from == made_from)
