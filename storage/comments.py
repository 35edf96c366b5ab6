"""Comment windows on draft reports, members' comments on them, their revisions, and replies held as drafts."""

from collections import namedtuple
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, exists, func, insert, text
from sqlmodel import col, select, update

from storage.committees import COMMITTEE_VIEW_COLUMNS, CommitteeView, view_of
from storage.database import Readable, Session, Writable, on_postgresql
from storage.direct import rows, write
from storage.models import (
    Comment,
    CommentDraft,
    CommentKind,
    CommentRevision,
    CommentWindow,
    Committee,
    CommitteeClerk,
    RevisionAction,
)


async def windows_of_committees(
    session: Session, committee_ids: Iterable[int]
) -> list[tuple[CommentWindow, CommitteeView]]:
    """Comment windows with their committee, soonest deadline first."""
    statement = (
        select(CommentWindow, Committee)
        .join(Committee, col(CommentWindow.committee_id) == col(Committee.id))
        .where(col(CommentWindow.committee_id).in_(list(committee_ids)))
        .order_by(CommentWindow.deadline, CommentWindow.id)
    )
    return [(window, view_of(committee)) for window, committee in await session.exec(statement)]


_WINDOW_COLUMNS = tuple(CommentWindow.__table__.columns)
# A comment window as read to answer someone: its columns, read-only, without an ORM object's cost.
WindowRow = namedtuple("WindowRow", [column.key for column in _WINDOW_COLUMNS])

_WINDOW_WITH_COMMITTEE = (
    select(*_WINDOW_COLUMNS, *COMMITTEE_VIEW_COLUMNS)
    .join(Committee, col(CommentWindow.committee_id) == col(Committee.id))
    .where(CommentWindow.id == bindparam("window_id"), Committee.workspace_id == bindparam("workspace_id"))
)


async def window_with_committee(
    session: Session, workspace_id: str, window_id: int
) -> tuple[WindowRow, CommitteeView] | None:
    found = await rows(session, _WINDOW_WITH_COMMITTEE, {"window_id": window_id, "workspace_id": workspace_id})
    if not found:
        return None
    row, columns = found[0], len(_WINDOW_COLUMNS)
    return WindowRow(*row[:columns]), CommitteeView(*row[columns:])


_WINDOW_FOR_PERSON = _WINDOW_WITH_COMMITTEE.add_columns(
    exists().where(
        CommitteeClerk.committee_id == CommentWindow.committee_id, CommitteeClerk.user_id == bindparam("user_id")
    )
)


async def window_for_person(
    session: Readable, workspace_id: str, window_id: int, user_id: str
) -> tuple[WindowRow, CommitteeView, bool] | None:
    """The window with its committee, and whether `user_id` clerks it: one round trip where a comment needs both."""
    params = {"window_id": window_id, "workspace_id": workspace_id, "user_id": user_id}
    return _window_person_clerks(await rows(session, _WINDOW_FOR_PERSON, params))


def _window_person_clerks(found) -> tuple[WindowRow, CommitteeView, bool] | None:
    if not found:
        return None
    row, columns = found[0], len(_WINDOW_COLUMNS)
    return WindowRow(*row[:columns]), CommitteeView(*row[columns : columns + len(COMMITTEE_VIEW_COLUMNS)]), row[-1]


# The author's lock (lock_author) taken by the statement that reads the window: one round trip, not two.
_WINDOW_FOR_AUTHOR = _WINDOW_FOR_PERSON.add_columns(func.pg_advisory_xact_lock(func.hashtext(bindparam("author"))))


async def window_for_author(
    session: Writable, workspace_id: str, window_id: int, user_id: str
) -> tuple[WindowRow, CommitteeView, bool] | None:
    """As window_for_person, for a change `user_id` makes to their own comments: their other changes wait for
    this one's transaction, as with lock_author."""
    if not on_postgresql(session):
        await lock_author(session, workspace_id, user_id)
        return await window_for_person(session, workspace_id, window_id, user_id)
    params = {"window_id": window_id, "workspace_id": workspace_id, "user_id": user_id}
    found = await write(session, _WINDOW_FOR_AUTHOR, {**params, "author": _author_key(workspace_id, user_id)})
    return _window_person_clerks([row[:-1] for row in found])


_SET_ANNOUNCEMENT = (
    update(CommentWindow)
    .where(CommentWindow.id == bindparam("window_id"))
    .values(announcement_ref=bindparam("message"), announcement_permalink=bindparam("link"))
)


async def set_announcement(session: Session, window_id: int, ref: str, permalink: str | None) -> None:
    """Where the window was announced: its message's id on the platform, and a link to it where there is one."""
    await write(session, _SET_ANNOUNCEMENT, {"window_id": window_id, "message": ref, "link": permalink})


async def window_announced_at(
    session: Session, workspace_id: str, channel_id: str, announcement_ref: str
) -> CommentWindow | None:
    statement = (
        select(CommentWindow)
        .join(Committee, col(CommentWindow.committee_id) == col(Committee.id))
        .where(
            Committee.workspace_id == workspace_id,
            Committee.channel_id == channel_id,
            CommentWindow.announcement_ref == announcement_ref,
        )
    )
    return (await session.exec(statement)).first()


async def window_by_request(session: Session, request_key: str) -> CommentWindow | None:
    return (await session.exec(select(CommentWindow).where(CommentWindow.request_key == request_key))).first()


async def refs_in_committee(session: Session, committee_id: int) -> set[str]:
    return set(await session.exec(select(CommentWindow.ref).where(CommentWindow.committee_id == committee_id)))


async def windows_closing_between(session: Session, start: datetime, end: datetime) -> list[CommentWindow]:
    statement = select(CommentWindow).where(CommentWindow.deadline >= start, CommentWindow.deadline <= end)
    return list(await session.exec(statement))


_WINDOWS_IN_WORKSPACE = (
    select(CommentWindow, Committee, col(CommitteeClerk.user_id).is_not(None))
    .join(Committee, col(CommentWindow.committee_id) == col(Committee.id))
    .outerjoin(
        CommitteeClerk,
        (col(CommitteeClerk.committee_id) == col(Committee.id)) & (CommitteeClerk.user_id == bindparam("user_id")),
    )
    .where(Committee.workspace_id == bindparam("workspace_id"), CommentWindow.deadline > bindparam("closing_after"))
    .order_by(CommentWindow.deadline, CommentWindow.id)
)


async def windows_in_workspace(
    session: Session, workspace_id: str, closing_after: datetime, user_id: str
) -> list[tuple[CommentWindow, CommitteeView, bool]]:
    """Windows whose deadline is after `closing_after` (the open ones, given now), soonest first, each with its
    committee and whether `user_id` clerks it."""
    params = {"workspace_id": workspace_id, "closing_after": closing_after, "user_id": user_id}
    rows = await session.exec(_WINDOWS_IN_WORKSPACE, params=params)
    return [(window, view_of(committee), clerks_it) for window, committee, clerks_it in rows]


_COMMENT_OF_REQUEST = select(CommentRevision.comment_id).where(CommentRevision.request_key == bindparam("request_key"))


async def comment_of_request(session: Session, request_key: str) -> int | None:
    """The comment a request already changed (its revision carries the request's key), if it did."""
    found = await rows(session, _COMMENT_OF_REQUEST, {"request_key": request_key})
    return found[0][0] if found else None


async def live_comments(
    session: Session, window_ids: Iterable[int], author_user_id: str | None = None
) -> list[Comment]:
    """Comments not withdrawn, oldest first, optionally of one author."""
    statement = (
        select(Comment)
        .where(col(Comment.window_id).in_(list(window_ids)), col(Comment.withdrawn_at).is_(None))
        .order_by(Comment.created_at, Comment.id)
    )
    if author_user_id is not None:
        statement = statement.where(Comment.author_user_id == author_user_id)
    return list(await session.exec(statement))


_LOCK_AUTHOR = text("SELECT pg_advisory_xact_lock(hashtext(:author))")
# A write that changes nothing: it takes SQLite's one write lock, held until the transaction ends.
_TAKE_SQLITE_WRITE_LOCK = text("UPDATE comment SET id = id WHERE 0 = 1")


async def lock_author(session: Session, workspace_id: str, user_id: str) -> None:
    """Until the transaction ends, one member's changes to their comments wait for each other, so that what
    each change reads (a "no comments" already said, the latest revision) is what the one before it left."""
    if on_postgresql(session):
        await write(session, _LOCK_AUTHOR, {"author": _author_key(workspace_id, user_id)})
    else:
        await write(session, _TAKE_SQLITE_WRITE_LOCK)


def _author_key(workspace_id: str, user_id: str) -> str:
    return f"comment-author:{workspace_id}:{user_id}"


_WITHDRAW_NO_COMMENTS = (
    update(Comment)
    .where(
        Comment.window_id == bindparam("of_window"),
        Comment.author_user_id == bindparam("by_author"),
        Comment.kind == CommentKind.NO_COMMENTS,
        col(Comment.withdrawn_at).is_(None),
    )
    .values(withdrawn_at=bindparam("at"))
)


def _insert_returning_id(model) -> tuple[object, tuple[str, ...]]:
    names = tuple(column.key for column in model.__table__.columns if column.key != "id")
    statement = insert(model).values({name: bindparam(name) for name in names}).returning(model.id)
    return statement, names


_INSERT_COMMENT, _COMMENT_FIELDS = _insert_returning_id(Comment)
_INSERT_REVISION, _ = _insert_returning_id(CommentRevision)


@dataclass
class NewComment:
    """A comment not yet written, as save_with_revision inserts it: building an ORM object costs more CPU than
    the insert itself (about 0.7 ms for a Comment on the benchmark machine)."""

    window_id: int
    author_user_id: str
    text: str
    created_at: datetime
    updated_at: datetime
    kind: CommentKind = CommentKind.COMMENT
    section: str | None = None
    withdrawn_at: datetime | None = None
    revision_count: int = 1
    id: int | None = None

    @property
    def edited(self) -> bool:
        return self.revision_count > 1


_REVISION_VALUES = ("number", "action", "section", "text", "actor_user_id", "at", "request_key")


def _comment_with_revision(withdrawing_no_comments: bool):
    """PostgreSQL writes a new comment and its revision in one statement (one round trip): the comment's INSERT
    in a WITH, its id selected into the revision's; and, for a comment, the UPDATE withdrawing its author's "no
    comments" in another WITH. Every part sees the same snapshot, taken after the author's lock."""
    written = _INSERT_COMMENT.cte("written")
    columns = CommentRevision.__table__.columns
    values = [bindparam(f"revision_{name}", type_=columns[name].type) for name in _REVISION_VALUES]
    statement = (
        insert(CommentRevision)
        .from_select(["comment_id", *_REVISION_VALUES], select(written.c.id, *values))
        .returning(CommentRevision.comment_id)
    )
    return statement.add_cte(_WITHDRAW_NO_COMMENTS.cte("withdrawn")) if withdrawing_no_comments else statement


_COMMENT_WITH_REVISION = {replacing: _comment_with_revision(replacing) for replacing in (False, True)}


async def save_with_revision(
    session: Writable, comment: Comment | NewComment, action: RevisionAction, actor_user_id: str, request_key: str
) -> None:
    """Writes a new comment (giving it its id), or a change to one read in this session, and the revision that
    records it. A new comment (not a "no comments") withdraws its author's "no comments" on the window: they
    have changed their mind, and the comment is what counts. Raises Conflict if another revision already carries
    the request key. A comment read through the ORM is changed through its session: only a new one can be
    written without one."""
    revision = {
        "number": comment.revision_count,
        "action": action,
        "section": comment.section,
        "text": comment.text,
        "actor_user_id": actor_user_id,
        "at": comment.updated_at,
        "request_key": request_key,
    }
    if isinstance(comment, NewComment):
        await _insert_new(session, comment, revision)
        return
    if not isinstance(session, Session):
        raise TypeError("a comment read through the ORM is changed through its session")
    session.add(comment)
    await session.flush()
    await write(session, _INSERT_REVISION, {"comment_id": comment.id, **revision})


async def _insert_new(session: Writable, comment: NewComment, revision: dict) -> None:
    fields = {name: getattr(comment, name) for name in _COMMENT_FIELDS}
    replacing = comment.kind == CommentKind.COMMENT
    withdrawing = {"of_window": comment.window_id, "by_author": comment.author_user_id, "at": comment.created_at}
    if on_postgresql(session):
        params = fields | {f"revision_{name}": value for name, value in revision.items()}
        if replacing:
            params |= withdrawing
        comment.id = (await write(session, _COMMENT_WITH_REVISION[replacing], params))[0][0]
        return
    if replacing:
        await write(session, _WITHDRAW_NO_COMMENTS, withdrawing)
    comment.id = (await write(session, _INSERT_COMMENT, fields))[0][0]
    await write(session, _INSERT_REVISION, {"comment_id": comment.id, **revision})


async def draft_by_source(session: Session, source_key: str) -> CommentDraft | None:
    return (await session.exec(select(CommentDraft).where(CommentDraft.source_key == source_key))).first()
