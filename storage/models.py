"""The tables. Times are stored in UTC; each committee's zone is applied only for display and scheduling."""

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

DEFAULT_TIMEZONE = "Europe/London"


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_column(nullable: bool = False, index: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Workspace(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=32)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())


class Committee(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "channel_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=32)
    channel_id: str = Field(max_length=32)
    name: str = Field(max_length=200)
    timezone: str = Field(default=DEFAULT_TIMEZONE, max_length=64)
    chair_user_id: str | None = Field(default=None, max_length=32)
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())


class CommitteeClerk(SQLModel, table=True):
    __tablename__ = "committee_clerk"

    committee_id: int = Field(foreign_key="committee.id", primary_key=True)
    user_id: str = Field(primary_key=True, max_length=32)


class CommentWindow(SQLModel, table=True):
    """A draft report open for members' comments until its deadline."""

    __tablename__ = "comment_window"
    __table_args__ = (
        UniqueConstraint("committee_id", "ref"),
        Index("ix_comment_window_committee_deadline", "committee_id", "deadline"),
    )

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id")
    ref: str = Field(max_length=40)
    title: str = Field(max_length=200)
    document_url: str | None = Field(default=None, max_length=1000)
    officer_user_id: str = Field(max_length=32)
    deadline: datetime = Field(sa_column=utc_column())
    opened_by: str = Field(max_length=32)
    opened_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())
    # The slash command or view submission that opened it: a replayed request finds this row.
    request_key: str = Field(unique=True, max_length=200)
    announcement_ts: str | None = Field(default=None, max_length=32)
    announcement_permalink: str | None = Field(default=None, max_length=1000)


class CommentKind(StrEnum):
    COMMENT = "comment"
    NO_COMMENTS = "no_comments"


class Comment(SQLModel, table=True):
    """The current state of one member's comment; its history lives in CommentRevision."""

    __table_args__ = (Index("ix_comment_window_author", "window_id", "author_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    window_id: int = Field(foreign_key="comment_window.id")
    author_user_id: str = Field(max_length=32)
    kind: CommentKind = Field(default=CommentKind.COMMENT, max_length=16)
    section: str | None = Field(default=None, max_length=200)
    text: str
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())
    withdrawn_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    revision_count: int = 1

    @property
    def edited(self) -> bool:
        return self.revision_count > 1


class RevisionAction(StrEnum):
    CREATED = "created"
    EDITED = "edited"
    WITHDRAWN = "withdrawn"


class CommentRevision(SQLModel, table=True):
    """Append-only audit of every change to a comment.

    request_key is unique so that a request Slack delivers twice records its effect once, even when
    the copies reach different bot instances.
    """

    __tablename__ = "comment_revision"

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comment.id", index=True)
    number: int
    action: RevisionAction = Field(max_length=16)
    section: str | None = Field(default=None, max_length=200)
    text: str
    actor_user_id: str = Field(max_length=32)
    at: datetime = Field(default_factory=utc_now, sa_column=utc_column())
    request_key: str = Field(unique=True, max_length=200)


class CommentDraft(SQLModel, table=True):
    """Text a member wrote in the conversation, held until they confirm it as a comment."""

    __tablename__ = "comment_draft"

    id: int | None = Field(default=None, primary_key=True)
    window_id: int = Field(foreign_key="comment_window.id")
    author_user_id: str = Field(max_length=32)
    text: str
    source_key: str = Field(unique=True, max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())
