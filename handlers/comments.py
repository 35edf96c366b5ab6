"""Members' comments: add, say "no comments", edit, withdraw, list; every change kept as a revision.

Each write carries the key of the request that caused it. The key is unique in the revisions table, so a
request delivered twice (a Slack retry, a double click, a second bot instance) has exactly one effect and
the second delivery gets the first one's receipt back.
"""

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime

from handlers import log_context
from handlers.comment_windows import (
    WindowSummary,
    choose_window,
    every_window_in_workspace,
    listing,
    match_windows,
    named_at_start,
    nothing_to_comment_on,
    open_and_recently_closed_for_member,
    open_windows_for_member,
    require_asked_to_comment,
    require_asked_unless_clerk,
    summarise,
    window_begun_by,
)
from handlers.context import Actor, Services
from handlers.deadlines import describe_instant
from handlers.errors import InvalidInput, NotAllowed, NotAskedToComment, NotFound, UserFacingError, WindowClosed
from handlers.wording import Command, Words, joined
from storage.comments import (
    NewComment,
    comment_of_request,
    draft_by_source,
    live_comments,
    lock_author,
    save_with_revision,
    window_announced_at,
    window_for_author,
    window_for_person,
    window_with_committee,
)
from storage.database import Conflict, Session, Writable
from storage.models import Comment, CommentDraft, CommentKind, RevisionAction

log = logging.getLogger(__name__)

MAX_COMMENT_LENGTH = 3000
MAX_SECTION_LENGTH = 200
NO_COMMENTS_TEXT = "No comments"
_SAYING_NO_COMMENTS = ("no comments", "no comment", "nothing to add")


def says_no_comments(text: str) -> bool:
    return text.strip().lower().rstrip(".!") in _SAYING_NO_COMMENTS


@dataclass(frozen=True)
class CommentReceipt:
    comment_id: int
    kind: CommentKind
    text: str
    section: str | None
    at: datetime
    edited: bool
    withdrawn: bool
    window: WindowSummary
    duplicate: bool = False

    @property
    def at_text(self) -> str:
        return describe_instant(self.at, self.window.timezone)

    def can_change(self, now: datetime) -> bool:
        return not self.withdrawn and self.window.is_open(now)


@dataclass(frozen=True)
class DraftOffer:
    """Text held until its author confirms it as their comment on `window`: a reply in the window's thread, or
    a `/comment` whose first words only began the report's reference or title (`guessed`)."""

    draft_id: int
    window: WindowSummary
    text: str
    guessed: bool = False


def clean_text(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(
            "Your comment is empty. Please write what you'd like to say, then send it again.", field="text"
        )
    if len(text) > MAX_COMMENT_LENGTH:
        raise InvalidInput(
            f"Comments can be at most {MAX_COMMENT_LENGTH:,} characters; yours has {len(text):,}. "
            "Please shorten it, or split it into two comments.",
            field="text",
        )
    return text


def clean_section(section: str | None) -> str | None:
    section = " ".join((section or "").split())
    if len(section) > MAX_SECTION_LENGTH:
        raise InvalidInput(
            f"The section or paragraph can be at most {MAX_SECTION_LENGTH} characters of plain text.", field="section"
        )
    return section or None


def _receipt(comment: Comment | NewComment, window: WindowSummary, duplicate: bool = False) -> CommentReceipt:
    return CommentReceipt(
        comment.id,
        comment.kind,
        comment.text,
        comment.section,
        comment.updated_at,
        comment.edited,
        comment.withdrawn_at is not None,
        window,
        duplicate,
    )


async def _loaded_window(session: Session, actor: Actor, window_id: int) -> WindowSummary:
    found = await window_with_committee(session, actor.workspace_id, window_id)
    if found is None:
        raise NotFound("I can't find that report. It may have been removed.")
    return summarise(*found)


def _require_open(window: WindowSummary, now: datetime) -> None:
    if not window.is_open(now):
        raise WindowClosed(window.title, window.deadline_text)


async def _first_receipt(services: Services, actor: Actor, request_key: str) -> CommentReceipt | None:
    """The receipt of a request already carried out, or None if this is its first delivery."""
    async with services.database.session() as session:
        comment_id = await comment_of_request(session, request_key)
        if comment_id is None:
            return None
        comment = await session.get(Comment, comment_id)
        log.info("request %s already carried out: comment %s", request_key, comment.id)
        return _receipt(comment, await _loaded_window(session, actor, comment.window_id), duplicate=True)


Change = tuple[Comment | NewComment, RevisionAction, WindowSummary]
ChangeMaker = Callable[[Writable], Awaitable[Change | CommentReceipt]]


async def _commit_revision(session: Writable, actor: Actor, change: Change, request_key: str) -> CommentReceipt:
    comment, action, window = change
    await save_with_revision(session, comment, action, actor.user_id, request_key)
    await session.commit()
    log.info("comment %s %s by %s on window %s", comment.id, action.value, actor.user_id, window.id)
    return _receipt(comment, window)


async def _write_once(
    services: Services,
    actor: Actor,
    request_key: str,
    change: ChangeMaker,
    unit: Callable[[], AbstractAsyncContextManager[Writable]] | None = None,
) -> CommentReceipt:
    """Make a change and record its revision, unless this request already did (then its first receipt).

    A request delivered again is not looked for first, which would cost every request a round trip: its change
    is made again, and the revision's unique key refuses it (Conflict: another delivery, maybe on another
    instance, got there first). Only then, or when the change is refused outright (the window closed, the comment
    withdrawn, since the first delivery), is this request's first receipt looked for. `unit` is what the change
    is made in: a session unless the change needs no ORM (Database.writing)."""
    async with (unit or services.database.session)() as session:
        try:
            outcome = await change(session)
            if isinstance(outcome, CommentReceipt):
                return outcome
            return await _commit_revision(session, actor, outcome, request_key)
        except (UserFacingError, Conflict) as refusal:
            refused = refusal
    # Looked for once the unit has handed its connection back: a second taken while holding the first could wait
    # for ever, were every connection held by a request doing the same (a window closing under a burst).
    if (receipt := await _first_receipt(services, actor, request_key)) is not None:
        return receipt
    raise refused


def _new_comment(window: WindowSummary, actor: Actor, now: datetime, **content) -> NewComment:
    return NewComment(window_id=window.id, author_user_id=actor.user_id, created_at=now, updated_at=now, **content)


async def add_comment(
    services: Services, actor: Actor, window_id: int, text: str, section: str | None, request_key: str
) -> CommentReceipt:
    async def add(session: Writable) -> Change:
        content = {"text": clean_text(text), "section": clean_section(section)}
        window = await _writable_window(services, session, actor, window_id, as_author=True)
        return _new_comment(window, actor, services.clock(), **content), RevisionAction.CREATED, window

    # A new comment is read and written wholly through storage.direct: no ORM session needed around it.
    return await _write_once(services, actor, request_key, add, services.database.writing)


async def window_to_comment_on(services: Services, actor: Actor, window_id: int) -> WindowSummary:
    """The window a comment button is about, if this person may comment on it now; else why not."""
    async with services.database.session() as session:
        return await _writable_window(services, session, actor, window_id)


async def _writable_window(
    services: Services, session: Writable, actor: Actor, window_id: int, as_author: bool = False
) -> WindowSummary:
    """The window, if this person may comment on it now. `as_author`: about to change their own comments on it,
    which waits for any other change of theirs (storage.comments.window_for_author)."""
    read = window_for_author if as_author else window_for_person
    found = await read(session, actor.workspace_id, window_id, actor.user_id)
    if found is None:
        raise NotFound("I can't find that report. It may have been removed.")
    window_row, committee, clerks_it = found
    window = summarise(window_row, committee)
    log_context.note_committee(window.committee_id)
    # Who may comment first: someone outside the committee, pressing a forged button, learns nothing of its report.
    await require_asked_unless_clerk(services, window, actor, clerks_it)
    _require_open(window, services.clock())
    return window


def _commented_already(window: WindowSummary) -> InvalidInput:
    return InvalidInput(
        (
            f"You've already commented on {window.title}. To say you have nothing to add, withdraw your comments "
            "first (",
            Command("comment", "list"),
            ").",
        )
    )


async def _refuse_no_comments_after_comments(services: Services, actor: Actor, window: WindowSummary) -> None:
    """Before asking "Do you mean you have no comments on ...?": not of someone whose answer could only be no."""
    async with services.database.session() as session:
        earlier = await live_comments(session, [window.id], actor.user_id)
    if any(comment.kind == CommentKind.COMMENT for comment in earlier):
        raise _commented_already(window)


async def record_no_comments(services: Services, actor: Actor, window_id: int, request_key: str) -> CommentReceipt:
    async def record(session: Session) -> Change | CommentReceipt:
        window = await _writable_window(services, session, actor, window_id, as_author=True)
        earlier = await live_comments(session, [window.id], actor.user_id)
        if said_already := [c for c in earlier if c.kind == CommentKind.NO_COMMENTS]:
            return _receipt(said_already[0], window, duplicate=True)
        if earlier:
            raise _commented_already(window)
        comment = _new_comment(window, actor, services.clock(), kind=CommentKind.NO_COMMENTS, text=NO_COMMENTS_TEXT)
        return comment, RevisionAction.CREATED, window

    return await _write_once(services, actor, request_key, record)


async def _own_changeable_comment(
    services: Services, session: Session, actor: Actor, comment_id: int
) -> tuple[Comment, WindowSummary]:
    comment = await session.get(Comment, comment_id)
    window = await _loaded_window(session, actor, comment.window_id) if comment else None
    if comment is None or window is None:
        raise NotFound("I can't find that comment.")
    if comment.author_user_id != actor.user_id:
        log.warning("refused: %s tried to change comment %s of %s", actor.user_id, comment.id, comment.author_user_id)
        raise NotAllowed("You can only change your own comments.")
    if comment.withdrawn_at is not None:
        raise NotFound(f"That comment on {window.title} has already been withdrawn.")
    _require_open(window, services.clock())
    return comment, window


async def edit_comment(
    services: Services, actor: Actor, comment_id: int, text: str, section: str | None, request_key: str
) -> CommentReceipt:
    async def edit(session: Session) -> Change:
        new_text, new_section = clean_text(text), clean_section(section)
        await lock_author(session, actor.workspace_id, actor.user_id)
        comment, window = await _own_changeable_comment(services, session, actor, comment_id)
        comment.text, comment.section, comment.kind = new_text, new_section, CommentKind.COMMENT
        comment.updated_at, comment.revision_count = services.clock(), comment.revision_count + 1
        return comment, RevisionAction.EDITED, window

    return await _write_once(services, actor, request_key, edit)


async def withdraw_comment(services: Services, actor: Actor, comment_id: int, request_key: str) -> CommentReceipt:
    async def withdraw(session: Session) -> Change:
        await lock_author(session, actor.workspace_id, actor.user_id)
        comment, window = await _own_changeable_comment(services, session, actor, comment_id)
        comment.withdrawn_at = comment.updated_at = services.clock()
        comment.revision_count += 1
        return comment, RevisionAction.WITHDRAWN, window

    return await _write_once(services, actor, request_key, withdraw)


async def own_comment(services: Services, actor: Actor, comment_id: int) -> CommentReceipt:
    async with services.database.session() as session:
        comment, window = await _own_changeable_comment(services, session, actor, comment_id)
        return _receipt(comment, window)


@dataclass(frozen=True)
class MyResponses:
    open: list[WindowSummary]  # the open windows this member can comment on
    closed: list[WindowSummary]  # those that closed lately, which they may want to look back on
    responses: list[CommentReceipt]  # their own live comments on either
    nothing_open: Words | None  # when they have nothing open nor closed lately: why, and what would change it


async def my_comments(services: Services, actor: Actor) -> MyResponses:
    windows, closed = await open_and_recently_closed_for_member(services, actor)
    by_id = {window.id: window for window in windows + closed}
    async with services.database.session() as session:
        comments = await live_comments(session, by_id, actor.user_id)
    why = None if windows or closed else await nothing_to_comment_on(services, actor)
    return MyResponses(windows, closed, [_receipt(comment, by_id[comment.window_id]) for comment in comments], why)


async def comment_inline(services: Services, actor: Actor, typed: str, request_key: str) -> CommentReceipt | DraftOffer:
    """`/comment <report> <text>`: the report is named by its ref or title at the start of the text. Text that
    only begins one report's name ("budget" for budget-consultation-2027), or names none when only one is open to
    the member, is held and offered as a comment on it, to confirm: taken at once, a first word meant as part of
    the comment would be lost, or a comment meant for a report not yet open given to another."""
    windows = await open_windows_for_member(services, actor)
    try:
        window = await _window_named(services, actor, typed, windows)
    except UserFacingError as refusal:
        if (receipt := await _first_receipt(services, actor, request_key)) is not None:
            return receipt
        if isinstance(refusal, NotFound) and (begun := window_begun_by(windows, typed) or _the_only(windows, typed)):
            if says_no_comments(begun[1]):
                await _refuse_no_comments_after_comments(services, actor, begun[0])
            return (await _held(services, actor, *begun, source_key=request_key, guessed=True))[0]
        raise
    text = typed.strip()[named_at_start(window, typed) :].strip()
    if says_no_comments(text):
        return await record_no_comments(services, actor, window.id, request_key)
    if not text:
        raise InvalidInput(
            (
                f"What would you like to say about {window.title}? Type ",
                Command("comment", f"{window.ref} your comment"),
                ".",
            ),
            field="text",
        )
    return await add_comment(services, actor, window.id, text, None, request_key)


def _the_only(windows: list[WindowSummary], typed: str) -> tuple[WindowSummary, str] | None:
    """Words that name no report, from a member asked about one alone: most likely a comment on it; unless they
    begin with what looks like a reference (budget-2024), which means some other report."""
    looks_like_a_reference = "-" in typed.split(maxsplit=1)[0].strip("-")
    return (windows[0], typed.strip()) if len(windows) == 1 and not looks_like_a_reference else None


async def _window_named(services: Services, actor: Actor, typed: str, windows: list[WindowSummary]) -> WindowSummary:
    try:
        return choose_window(windows, typed)
    except NotFound:
        raise await _why_not_open_to_them(services, actor, typed, windows) from None


async def _why_not_open_to_them(
    services: Services, actor: Actor, typed: str, open_to_them: list[WindowSummary]
) -> UserFacingError:
    """A report named that this person cannot comment on: closed, or not theirs to comment on; or none named."""
    named = match_windows(await every_window_in_workspace(services, actor), typed)
    now = services.clock()
    if still_open := [window for window in named if window.is_open(now)]:
        try:
            async with services.database.session() as session:
                await require_asked_to_comment(services, session, still_open[0], actor)
        except UserFacingError as refusal:
            return refusal
    elif named:
        latest = max(named, key=lambda window: window.deadline)
        return WindowClosed(latest.title, latest.deadline_text)
    if not open_to_them:
        return NotFound(await nothing_to_comment_on(services, actor))
    return NotFound(
        joined(
            "Which report is this about? Start with its reference, e.g. ",
            Command("comment", f"{open_to_them[0].ref} your comment"),
            ".\n",
            listing(open_to_them),
        )
    )


async def hold_draft(
    services: Services, actor: Actor, thread_ref: str, text: str, source_key: str
) -> tuple[DraftOffer, bool] | None:
    """Keep a reply to an announcement until its author confirms it; None if it replies to something else.
    `thread_ref` is the platform's id of the message the thread hangs from."""
    async with services.database.session() as session:
        window_row = await window_announced_at(session, actor.workspace_id, actor.channel_id, thread_ref)
        if window_row is None:
            return None
        try:
            window = await _writable_window(services, session, actor, window_row.id)
        except NotAskedToComment:
            return None  # the officer or a clerk answering in the thread: talking, not commenting
    return await _held(services, actor, window, text, source_key)


async def _held(
    services: Services, actor: Actor, window: WindowSummary, text: str, source_key: str, guessed: bool = False
) -> tuple[DraftOffer, bool]:
    """The draft held for `source_key`, and whether it is new: an earlier delivery of the same request may have
    written it already."""
    draft = CommentDraft(
        window_id=window.id, author_user_id=actor.user_id, text=clean_text(text), source_key=source_key
    )
    async with services.database.session() as session:
        session.add(draft)
        try:
            await session.commit()
        except Conflict:
            await session.rollback()
            draft = await draft_by_source(session, source_key)
            return DraftOffer(draft.id, window, draft.text, guessed), False
    return DraftOffer(draft.id, window, draft.text, guessed), True


async def confirm_draft(services: Services, actor: Actor, draft_id: int) -> CommentReceipt:
    async with services.database.session() as session:
        draft = await session.get(CommentDraft, draft_id)
    if draft is None or draft.author_user_id != actor.user_id:
        raise NotAllowed("Only the person who wrote that reply can add it as their comment.")
    if says_no_comments(draft.text):
        return await record_no_comments(services, actor, draft.window_id, f"draft:{draft.id}")
    return await add_comment(services, actor, draft.window_id, draft.text, None, f"draft:{draft.id}")
