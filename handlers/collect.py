"""Compiling a window's comments for the receiving officer: grouped by section, with who has not responded."""

import logging
from collections import defaultdict
from dataclasses import dataclass

from handlers.comment_windows import WindowSummary, choose_window, expected_to_respond, summarise, windows_for_export
from handlers.context import Actor, Services
from handlers.deadlines import describe_date, describe_instant
from handlers.errors import NotAllowed, NotFound
from handlers.export_formats import CompiledComments, ExportedComment, ReportSection
from storage.comments import live_comments, window_with_committee
from storage.committees import clerk_ids
from storage.models import FORMER_MEMBER, Comment, CommentKind

log = logging.getLogger(__name__)

GENERAL_SECTION = "General comments"
ONLY_OFFICER_OR_CLERKS = (
    "Only the officer who receives a report's comments, or the committee's clerks, can export them."
)


async def exportable_windows(services: Services, actor: Actor) -> list[WindowSummary]:
    """The windows whose comments this person may compile, open ones first, then the latest closed; refused if
    there are none."""
    windows = await windows_for_export(services, actor)
    if not windows:
        log.warning("refused: %s asked to export comments but receives none and clerks no committee", actor.user_id)
        raise NotAllowed(ONLY_OFFICER_OR_CLERKS)
    now = services.clock()
    still_open = [window for window in windows if window.is_open(now)]
    closed = sorted((window for window in windows if not window.is_open(now)), key=lambda w: w.deadline, reverse=True)
    return still_open + closed


async def compile_comments(services: Services, actor: Actor, ref_text: str) -> tuple[WindowSummary, CompiledComments]:
    window = choose_window(await exportable_windows(services, actor), ref_text, kind="a report you can export")
    return window, await _compiled_if_kept(services, actor, window)


async def compile_window_for(services: Services, actor: Actor, window_id: int) -> CompiledComments:
    """The comments on a window named by its id (a file made again when its person accepts it), with the checks
    of an export they ask for: its officer or one of its committee's clerks, and the comments not yet deleted."""
    async with services.database.session() as session:
        found = await window_with_committee(session, actor.workspace_id, window_id)
        clerks = await clerk_ids(session, found[1].id) if found else []
    if found is None:
        raise NotFound("That report is no longer here, so there is nothing to export.")
    window = summarise(*found)
    if actor.user_id != window.officer_user_id and actor.user_id not in clerks:
        log.warning("refused: %s asked for the comments on window %s", actor.user_id, window.id)
        raise NotAllowed(ONLY_OFFICER_OR_CLERKS)
    return await _compiled_if_kept(services, actor, window)


async def _compiled_if_kept(services: Services, actor: Actor, window: WindowSummary) -> CompiledComments:
    if window.comments_deleted_at is not None:
        deleted_on = describe_date(window.comments_deleted_at, window.timezone)
        raise NotFound(
            f"The comments on {window.title} were deleted on {deleted_on}, at the end of the council's retention "
            "period for committee records, so there is nothing left to export."
        )
    log.info("comments on window %s compiled for %s", window.id, actor.user_id)
    return await compile_window(services, actor.workspace_id, window)


@dataclass(frozen=True)
class Responses:
    comments: list[Comment]
    waiting_for: list[str]  # members who have neither commented nor said "no comments"
    expected: frozenset[str]  # the members asked to respond

    @property
    def responded(self) -> set[str]:
        """Who responded, among the members still known (a former member's responses are anonymous)."""
        return {comment.author_user_id for comment in self.comments} - {FORMER_MEMBER}

    @property
    def members_responded(self) -> int:
        """Of those asked: someone who commented and has since left the channel is not counted against them."""
        return len(self.responded & self.expected)


async def responses_to(services: Services, workspace_id: str, window: WindowSummary) -> Responses:
    """Who has responded to a window, and who is still waiting to, of the members asked (see expected_to_respond):
    what exports, counts, the Home tab and the "closes tomorrow" direct messages all go by."""
    async with services.database.session() as session:
        comments = await live_comments(session, [window.id])
        clerks = set(await clerk_ids(session, window.committee_id))
    members = await services.directory.channel_members(workspace_id, window.channel_id)
    expected = expected_to_respond(window, members, clerks)
    waiting_for = sorted(expected - {c.author_user_id for c in comments})
    return Responses(comments, waiting_for, frozenset(expected))


async def compile_window(services: Services, workspace_id: str, window: WindowSummary) -> CompiledComments:
    found = await responses_to(services, workspace_id, window)
    waiting_for = found.waiting_for
    comments = [c for c in found.comments if c.author_user_id != FORMER_MEMBER]
    former = [c.kind for c in found.comments if c.author_user_id == FORMER_MEMBER]
    names = await services.directory.display_names(workspace_id, found.responded | set(waiting_for))
    return CompiledComments(
        committee_name=window.committee_name,
        report_title=window.title,
        document_url=window.document_url,
        deadline=window.deadline_text,
        generated_at=describe_instant(services.clock(), window.timezone),
        sections=_sections(comments, names, window.timezone),
        no_comments=tuple(sorted(names.get(a, a) for a in _said_no_comments(comments))),
        not_responded=tuple(sorted(names.get(user, user) for user in waiting_for)),
        former_members_comments=former.count(CommentKind.COMMENT),
        former_members_no_comments=former.count(CommentKind.NO_COMMENTS),
    )


def _said_no_comments(comments: list[Comment]) -> set[str]:
    return {c.author_user_id for c in comments if c.kind == CommentKind.NO_COMMENTS}


def _sections(comments: list[Comment], names: dict[str, str], zone: str) -> tuple[ReportSection, ...]:
    grouped: dict[str, list[ExportedComment]] = defaultdict(list)
    for comment in comments:
        if comment.kind == CommentKind.COMMENT:
            grouped[comment.section or GENERAL_SECTION].append(
                ExportedComment(
                    member_name=names.get(comment.author_user_id, comment.author_user_id),
                    submitted_at=describe_instant(comment.updated_at, zone),
                    text=comment.text,
                    edited=comment.edited,
                )
            )
    ordered = sorted(grouped, key=lambda title: (title != GENERAL_SECTION, title.lower()))
    return tuple(ReportSection(title, tuple(grouped[title])) for title in ordered)
