"""Opening comment windows on draft reports, and finding the ones a person may act on."""

import ipaddress
import logging
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from yarl import URL

from handlers import log_context
from handlers.committees import clerks_committee_here, committee_here, require_clerk
from handlers.context import Actor, Services
from handlers.deadlines import Deadline, describe_instant, local_date, parse_committee_date
from handlers.errors import InvalidInput, NotAMember, NotAskedToComment, NotFound
from handlers.resolutions import follow_window_deadline
from handlers.wording import Command, Verbatim, Wording, Words, joined
from handlers.working_days import holiday_note
from storage.comments import (
    WindowRow,
    refs_in_committee,
    set_announcement,
    window_by_request,
    window_with_committee,
    windows_in_workspace,
    windows_of_committees,
)
from storage.committees import CommitteeView, clerk_ids, committee_in_channel
from storage.database import Conflict, Session
from storage.models import CommentWindow

log = logging.getLogger(__name__)

MAX_TITLE_LENGTH = 200
MAX_URL_LENGTH = 1000
HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?", re.IGNORECASE)
REF_WORDS = 3
FILLER_WORDS = {"a", "an", "and", "for", "of", "on", "the", "to", "draft"}
# A member looking for a report soon after it closed is told it closed, and what they said, for this long.
RECENTLY_CLOSED = timedelta(days=30)
EVER = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class WindowRequest:
    title: str
    document_url: str | None
    officer_user_id: str | None
    deadline_text: str


@dataclass(frozen=True)
class WindowPreview:
    """What the bot understood, shown to the clerk before anything is saved."""

    committee_name: str
    title: str
    document_url: str | None
    officer_user_id: str
    deadline: Deadline
    request: WindowRequest


@dataclass(frozen=True)
class WindowSummary:
    id: int
    committee_id: int
    ref: str
    title: str
    document_url: str | None
    officer_user_id: str
    committee_name: str
    channel_id: str
    timezone: str
    deadline: datetime
    announcement_ref: str | None
    announcement_permalink: str | None
    deadline_day: date
    deadline_set_at: datetime
    chair_user_id: str | None = None
    comments_deleted_at: datetime | None = None  # at the end of the retention period

    @property
    def deadline_text(self) -> str:
        return describe_instant(self.deadline, self.timezone)

    def is_open(self, now: datetime) -> bool:
        return now < self.deadline


def summarise(window: CommentWindow | WindowRow, committee: CommitteeView) -> WindowSummary:
    return WindowSummary(
        window.id,
        committee.id,
        window.ref,
        window.title,
        window.document_url,
        window.officer_user_id,
        committee.name,
        committee.channel_id,
        committee.timezone,
        window.deadline,
        window.announcement_ref,
        window.announcement_permalink,
        window.deadline_day,
        window.deadline_set_at,
        committee.chair_user_id,
        window.comments_deleted_at,
    )


class Role(StrEnum):
    """How someone stands to a report open for comments."""

    MEMBER = "member"  # in the committee's channel: asked for their views, chair included
    OFFICER = "officer"  # receives the comments, so is not asked for any
    CLERK = "clerk"  # staff who run the committee, not one of its councillors (unless they also chair it)


def role_in(window: WindowSummary, user_id: str, clerks_it: bool) -> Role:
    if user_id == window.officer_user_id:
        return Role.OFFICER
    if clerks_it and user_id != window.chair_user_id:
        return Role.CLERK
    return Role.MEMBER


def expected_to_respond(window: WindowSummary, members: frozenset[str], clerk_ids: set[str]) -> set[str]:
    """The people a report's comments are asked of: who counts, who is nudged, who is listed as not responding."""
    return {user for user in members if role_in(window, user, user in clerk_ids) == Role.MEMBER}


async def require_asked_to_comment(services: Services, session: Session, window: WindowSummary, actor: Actor):
    """Refuses anyone a report's comments are not asked of, saying why."""
    log_context.note_committee(window.committee_id)
    clerks_it = actor.user_id in await clerk_ids(session, window.committee_id)
    await require_asked_unless_clerk(services, window, actor, clerks_it)


async def require_asked_unless_clerk(services: Services, window: WindowSummary, actor: Actor, clerks_it: bool):
    """require_asked_to_comment, where whether they clerk the committee is known already."""
    if (role := role_in(window, actor.user_id, clerks_it)) != Role.MEMBER:
        log.warning("refused: %s is the %s of window %s, not asked to comment", actor.user_id, role, window.id)
        raise NotAskedToComment(role, window.title, window.ref)
    members = await services.directory.channel_members(actor.workspace_id, window.channel_id)
    if actor.user_id not in members:
        log.warning("refused: %s is not a member of committee %s", actor.user_id, window.committee_id)
        raise NotAMember(window.committee_name)


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidInput('Please give the report a title, e.g. "Draft annual report 2021/22".', field="title")
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput(
            f"Report titles can be at most {MAX_TITLE_LENGTH} characters; this one has {len(title)}.", field="title"
        )
    return title


def _clean_url(url: str | None) -> str | None:
    """A web address as typed or pasted (each front end reads its own link syntax first), checked and
    percent-encoded: anything a web address cannot hold (spaces, angle brackets, pipes) could otherwise end a
    link early when a front end shows it."""
    url = (url or "").strip()
    if not url:
        return None
    address = _web_address(url)
    if address is None or len(address) > MAX_URL_LENGTH:
        raise InvalidInput(
            f'"{url[:100]}" is not a web link I can use. Please paste the document\'s full address, '
            "starting with https://",
            field="document_url",
        )
    return address


def _web_address(url: str) -> str | None:
    try:
        parsed = URL(url)
    except (ValueError, TypeError):
        return None
    if parsed.scheme not in ("http", "https") or parsed.user is not None or not _is_host_name(parsed.raw_host):
        return None
    return str(parsed)


def _is_host_name(host: str | None) -> bool:
    """A domain name (international ones arrive as xn--) or an IP address; nothing else names a web server."""
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return HOST_NAME.fullmatch(host) is not None


def _clean_officer(officer_user_id: str | None) -> str:
    if not officer_user_id:
        raise InvalidInput(
            "Please choose the officer who receives the comments (mention them, e.g. @Director).", field="officer"
        )
    return officer_user_id


def _noted(deadline: Deadline, committee: CommitteeView) -> Deadline:
    """A deadline on a bank holiday is kept, and said, in case it was a slip (a Saturday or Sunday deadline is
    ordinary for comments, as it is not for a meeting)."""
    note = holiday_note(deadline.local.date(), committee.bank_holidays)
    return replace(deadline, notes=(*deadline.notes, note)) if note else deadline


async def preview_window(services: Services, actor: Actor, request: WindowRequest) -> WindowPreview:
    """Check a clerk's request and work out the deadline, without saving anything."""
    committee = await clerks_committee_here(services, actor, "open comment windows")
    deadline = _noted(parse_committee_date(request.deadline_text, services.clock(), committee.timezone), committee)
    return WindowPreview(
        committee.name,
        _clean_title(request.title),
        _clean_url(request.document_url),
        _clean_officer(request.officer_user_id),
        deadline,
        request,
    )


def make_ref(title: str, taken: set[str]) -> str:
    """A short, typeable name for the report, unique in its committee: "annual-report-2021"."""
    base = "-".join(_reference_words(title).split("-")[:REF_WORDS]) or "report"
    ref, suffix = base, 2
    while ref in taken:
        ref, suffix = f"{base}-{suffix}", suffix + 1
    return ref


async def open_window(
    services: Services, actor: Actor, request: WindowRequest, request_key: str
) -> tuple[WindowSummary, bool]:
    """Open the window; a replay of the same request returns the window it opened, with created=False."""
    preview = await preview_window(services, actor, request)
    async with services.database.session() as session:
        if (existing := await window_by_request(session, request_key)) is not None:
            return await _summary_of(session, actor, existing.id), False
        committee = await committee_here(session, actor)
        window = CommentWindow(
            committee_id=committee.id,
            ref=make_ref(preview.title, await refs_in_committee(session, committee.id)),
            title=preview.title,
            document_url=preview.document_url,
            officer_user_id=preview.officer_user_id,
            deadline=preview.deadline.instant,
            deadline_day=local_date(preview.deadline.instant, committee.timezone),
            deadline_set_at=services.clock(),
            opened_by=actor.user_id,
            request_key=request_key,
        )
        session.add(window)
        try:
            await session.commit()
        except Conflict:
            await session.rollback()
            if (existing := await window_by_request(session, request_key)) is None:
                raise
            return await _summary_of(session, actor, existing.id), False
    log.info("comment window %s (%s) opened by %s, closes %s", window.id, window.ref, actor.user_id, window.deadline)
    return summarise(window, committee), True


async def _summary_of(session: Session, actor: Actor, window_id: int) -> WindowSummary:
    found = await window_with_committee(session, actor.workspace_id, window_id)
    if found is None:
        raise NotFound("That report no longer exists.")
    return summarise(*found)


async def record_announcement(
    services: Services, actor: Actor, window_id: int, announcement_ref: str, permalink: str | None
) -> None:
    """Where the window was announced: its message's id on the platform, and a link to it where there is one."""
    async with services.database.session() as session:
        window, _ = await window_with_committee(session, actor.workspace_id, window_id)
        await set_announcement(session, window.id, announcement_ref, permalink)
        await session.commit()


async def open_windows_for_member(services: Services, actor: Actor) -> list[WindowSummary]:
    """Open windows this person is asked to comment on: those of the committees whose channels they are in, but
    not a report whose comments they receive, nor one of a committee they clerk."""
    return await _windows_for_member(services, actor, services.clock())


async def open_and_recently_closed_for_member(
    services: Services, actor: Actor
) -> tuple[list[WindowSummary], list[WindowSummary]]:
    """The open windows this person is asked to comment on, and those that closed in the last RECENTLY_CLOSED,
    latest first."""
    now = services.clock()
    windows = await _windows_for_member(services, actor, now - RECENTLY_CLOSED)
    closed = sorted((w for w in windows if not w.is_open(now)), key=lambda w: w.deadline, reverse=True)
    return [w for w in windows if w.is_open(now)], closed


async def _windows_for_member(services: Services, actor: Actor, closing_after: datetime) -> list[WindowSummary]:
    """Only committees with such a window are asked about membership: a council may have hundreds of committees
    and a handful of open windows."""
    seen = [
        window
        for window, clerks_it in await _windows_with_clerking(services, actor, closing_after)
        if role_in(window, actor.user_id, clerks_it) == Role.MEMBER
    ]
    member_of = {
        channel
        for channel in {window.channel_id for window in seen}
        if actor.user_id in await services.directory.channel_members(actor.workspace_id, channel)
    }
    return [window for window in seen if window.channel_id in member_of]


async def windows_looked_after(services: Services, actor: Actor) -> list[tuple[WindowSummary, Role]]:
    """Open windows whose comments this person receives, or whose committee they clerk."""
    windows = await _windows_with_clerking(services, actor, services.clock())
    looked_after = [(window, role_in(window, actor.user_id, clerks_it)) for window, clerks_it in windows]
    return [(window, role) for window, role in looked_after if role != Role.MEMBER]


async def every_window_in_workspace(services: Services, actor: Actor) -> list[WindowSummary]:
    return [window for window, _ in await _windows_with_clerking(services, actor, EVER)]


async def _windows_with_clerking(
    services: Services, actor: Actor, closing_after: datetime
) -> list[tuple[WindowSummary, bool]]:
    async with services.database.session() as session:
        rows = await windows_in_workspace(session, actor.workspace_id, closing_after, actor.user_id)
    return [(summarise(window, committee), clerks_it) for window, committee, clerks_it in rows]


async def nothing_to_comment_on(services: Services, actor: Actor) -> Words:
    """Why this person has no report to comment on, and what would change that."""
    looked_after = await windows_looked_after(services, actor)
    if looked_after:
        roles = [
            f"you receive the comments on {window.title}"
            if role == Role.OFFICER
            else f"you clerk {window.committee_name}, which asks for comments on {window.title}"
            for window, role in looked_after[:3]
        ]
        example = looked_after[0][0].ref
        return (
            f"There is no report for you to comment on: {'; '.join(roles)}. Comments come from the committee's "
            "members; ",
            Command("report", f"export {example}"),
            " sends you what they have said so far.",
        )
    async with services.database.session() as session:
        committee = await committee_in_channel(session, actor.workspace_id, actor.channel_id or "")
    if committee is None:
        return (
            "There are no comment windows open to you, and this channel isn't set up as a committee. "
            "A clerk sets a committee up by typing ",
            Command("committee", "setup <committee name>"),
            " in its channel, then opens a comment window on a report with ",
            Command("report"),
            ".",
        )
    if actor.user_id not in await services.directory.channel_members(actor.workspace_id, committee.channel_id):
        return NotAMember(committee.name).message
    _, closed_lately = await open_and_recently_closed_for_member(services, actor)
    closed = [w for w in closed_lately if w.committee_id == committee.id]
    if closed:
        return (
            f"No comment windows are open in {committee.name} at the moment. Comments on {closed[0].title} closed "
            f"on {closed[0].deadline_text}; if you need more time, ask the committee's clerk to reopen it."
        )
    return (
        f"No comment windows are open in {committee.name} at the moment. When a clerk opens one with ",
        Command("report"),
        ", it is announced in the channel.",
    )


def named_at_start(window: WindowSummary, text: str) -> int:
    """How many characters at the start of `text` (stripped) name the window: its reference, its title, or the
    title written as a reference would be ("draft-plan" for the report whose reference is "plan"); or, typed
    alone, the first words of its reference ("budget", "annual report" for annual-report-2027), as people remember
    it (followed by more words, those may be the comment's own); 0 if none."""
    lowered = text.strip().lower()
    first_word = lowered.split(maxsplit=1)[0] if lowered else ""
    for name in (window.ref, window.title.lower()):
        if lowered == name or lowered.startswith(name + " ") or lowered.startswith(name + "\n"):
            return len(name)
    if first_word and _reference_words(first_word) == window.ref:
        return len(first_word)
    words = lowered.split()
    return len(lowered) if words and _words_in_common(window.ref.split("-"), words) == len(words) else 0


def _reference_words(text: str) -> str:
    """Text reduced as make_ref reduces a title: its words, fillers ("draft", "the", ...) dropped, joined by "-"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(word for word in re.findall(r"[a-z0-9]+", ascii_text) if word not in FILLER_WORDS)


def match_windows(windows: list[WindowSummary], words: str) -> list[WindowSummary]:
    """Windows whose ref or title the text starts with, longest match first."""
    lengths = {window.id: named_at_start(window, words) for window in windows}
    return sorted((w for w in windows if lengths[w.id]), key=lambda w: -lengths[w.id])


def window_begun_by(windows: list[WindowSummary], typed: str) -> tuple[WindowSummary, str] | None:
    """The one window whose reference or title the text's first words begin ("budget" for
    budget-consultation-2027, "draft budget" for "Draft budget consultation 2027/28"), and the rest of the text;
    None unless exactly one window is begun by more words than any other, and something follows them."""
    words = typed.split()
    counted = [(_words_naming(window, words), window) for window in windows]
    most = max((count for count, _ in counted), default=0)
    begun = [window for count, window in counted if count == most]
    if not most or len(begun) != 1 or len(words) <= most:
        return None
    return begun[0], typed.strip().split(None, most)[most]


def _words_naming(window: WindowSummary, words: list[str]) -> int:
    """How many of the typed words begin the window's reference ("annual report" for annual-report-2026) or its
    title."""
    lowered = [word.lower() for word in words]
    return max(
        _words_in_common(window.ref.split("-"), lowered), _words_in_common(window.title.lower().split(), lowered)
    )


def _words_in_common(name: list[str], typed: list[str]) -> int:
    pairs = list(zip(name, typed, strict=False))
    return next((n for n, (ours, theirs) in enumerate(pairs) if ours != theirs), len(pairs))


def listing(windows: list[WindowSummary]) -> Wording:
    if not windows:
        return ("There are no reports to choose from.",)
    lines = [
        ("\n• ", Verbatim(w.ref), f": {w.title} ({w.committee_name}), deadline {w.deadline_text}") for w in windows
    ]
    return joined("Reports you can choose from:", *lines)


def choose_window(windows: list[WindowSummary], ref_text: str, kind: str = "an open report") -> WindowSummary:
    """The one window a typed reference means, or a polite error listing the choices."""
    matches = match_windows(windows, ref_text)
    exact = [w for w in matches if ref_text.strip().lower() in (w.ref, w.title.lower())]
    if len(exact) == 1 or len(matches) == 1:
        return (exact or matches)[0]
    if matches:
        raise InvalidInput(joined(f'"{ref_text.strip()[:80]}" could mean more than one report.\n', listing(matches)))
    raise NotFound(joined(f'I can\'t find {kind} called "{ref_text.strip()[:80]}".\n', listing(windows)))


async def windows_for_export(services: Services, actor: Actor) -> list[WindowSummary]:
    """Every window, open or closed, whose comments this person may compile: as its officer or a clerk."""
    windows = await _windows_with_clerking(services, actor, EVER)
    return [window for window, clerks_it in windows if window.officer_user_id == actor.user_id or clerks_it]


class DeadlineMoved(NamedTuple):
    window: WindowSummary
    deadline: Deadline  # as read, for what the clerk should be told about how it was read
    reopened: bool  # it had closed, and members may comment again


async def move_deadline(services: Services, actor: Actor, ref_text: str, deadline_text: str) -> DeadlineMoved:
    """A clerk extends (or shortens) a window; it may reopen one that has closed."""
    async with services.database.session() as session:
        committee = await committee_here(session, actor)
        await require_clerk(session, committee, actor, "change comment deadlines")
        windows = [summarise(w, c) for w, c in await windows_of_committees(session, [committee.id])]
        chosen = choose_window(windows, ref_text, kind="a report in this committee")
        deadline = _noted(parse_committee_date(deadline_text, services.clock(), committee.timezone), committee)
        window = await session.get(CommentWindow, chosen.id)
        window.deadline = deadline.instant
        window.deadline_day = local_date(deadline.instant, committee.timezone)
        window.deadline_set_at = services.clock()
        session.add(window)
        await follow_window_deadline(session, window.id, deadline.instant, committee, actor.user_id, services.clock())
        await session.commit()
    log.info("deadline of window %s moved to %s by %s", window.id, window.deadline, actor.user_id)
    moved = summarise(window, committee)
    return DeadlineMoved(moved, deadline, not chosen.is_open(services.clock()) and moved.is_open(services.clock()))
