"""The tables. Times are stored in UTC; each committee's zone is applied only for display and scheduling."""

from datetime import UTC, date, datetime
from enum import StrEnum

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Column, Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_AGENDA_LEAD_DAYS = 14
DEFAULT_REMINDER_HOUR = 9
DEFAULT_BANK_HOLIDAYS = "england-and-wales"
DEFAULT_PLATFORM = "slack"
# Ids a chat platform gives: workspaces, channels, people, messages. A Slack id is about 11 characters, a Microsoft
# tenant id 36, and a Teams conversation or message id can run to well over a hundred.
PLATFORM_ID_LENGTH = 255


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_column(nullable: bool = False, index: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Workspace(SQLModel, table=True):
    """A Slack workspace (its team id) or a Microsoft 365 organisation (its tenant id)."""

    id: str = Field(primary_key=True, max_length=PLATFORM_ID_LENGTH)
    platform: str = Field(
        default=DEFAULT_PLATFORM, max_length=16, sa_column_kwargs={"server_default": DEFAULT_PLATFORM}
    )
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())
    # When the bot was uninstalled from it (None while installed): its data is kept for a while, then deleted.
    uninstalled_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class Committee(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "channel_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=PLATFORM_ID_LENGTH)
    channel_id: str = Field(max_length=PLATFORM_ID_LENGTH)
    name: str = Field(max_length=200)
    timezone: str = Field(default=DEFAULT_TIMEZONE, max_length=64)
    chair_user_id: str | None = Field(default=None, max_length=PLATFORM_ID_LENGTH)
    # Reports due "at a future meeting" go to the first meeting at least this many days away.
    agenda_lead_days: int = DEFAULT_AGENDA_LEAD_DAYS
    reminder_hour: int = DEFAULT_REMINDER_HOUR
    # Routine reminders due on a weekend or bank holiday go out on the working day before, unless set otherwise.
    skip_weekends: bool = True
    # Whose bank holidays count as non-working days: "england-and-wales", "scotland" or "northern-ireland".
    bank_holidays: str = Field(default=DEFAULT_BANK_HOLIDAYS, max_length=24)
    escalate_to_chair: bool = True
    # Unguessable: whoever holds the feed URL can read the committee's calendar.
    calendar_token: str | None = Field(default=None, unique=True, max_length=64)
    created_by: str = Field(max_length=PLATFORM_ID_LENGTH)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())


class CommitteeClerk(SQLModel, table=True):
    __tablename__ = "committee_clerk"

    committee_id: int = Field(foreign_key="committee.id", primary_key=True)
    user_id: str = Field(primary_key=True, max_length=PLATFORM_ID_LENGTH)


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
    officer_user_id: str = Field(max_length=PLATFORM_ID_LENGTH)
    deadline: datetime = Field(sa_column=utc_column())
    # The deadline's day in the committee's zone when it was set: what its reminders are about, kept when only
    # the time of day or the committee's zone changes.
    deadline_day: date
    # When the deadline was last set: reminders planned before then never made sense for it.
    deadline_set_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())
    opened_by: str = Field(max_length=PLATFORM_ID_LENGTH)
    opened_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())
    # The slash command or view submission that opened it: a replayed request finds this row.
    request_key: str = Field(unique=True, max_length=200)
    # The platform's id of the announcement message (a Slack ts, a Teams activity id): replies in its thread are
    # offered as comments.
    announcement_ref: str | None = Field(default=None, max_length=PLATFORM_ID_LENGTH)
    announcement_permalink: str | None = Field(default=None, max_length=1000)
    # When its comments were deleted at the end of the retention period (the window itself is kept).
    comments_deleted_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


# Stands in for a person whose personal data was erased: as an author, owner, officer or whoever changed
# something. No platform user id contains a space, so it can never be mistaken for a real person.
FORMER_MEMBER = "a former member"


class CommentKind(StrEnum):
    COMMENT = "comment"
    NO_COMMENTS = "no_comments"


# The kind column stores the enum's names. Former members' "no comments" are anonymous: several can stand on one
# report.
LIVE_NO_COMMENTS = text(f"kind = 'NO_COMMENTS' AND withdrawn_at IS NULL AND author_user_id <> '{FORMER_MEMBER}'")


class Comment(SQLModel, table=True):
    """The current state of one member's comment; its history lives in CommentRevision."""

    __table_args__ = (
        Index("ix_comment_window_author", "window_id", "author_user_id"),
        # A member's "no comments" is their one response to the report: two presses at once store it once.
        Index(
            "uq_comment_live_no_comments",
            "window_id",
            "author_user_id",
            unique=True,
            sqlite_where=LIVE_NO_COMMENTS,
            postgresql_where=LIVE_NO_COMMENTS,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    window_id: int = Field(foreign_key="comment_window.id")
    author_user_id: str = Field(max_length=PLATFORM_ID_LENGTH)
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
    # Two edits at once cannot both become the comment's next revision.
    __table_args__ = (UniqueConstraint("comment_id", "number", name="uq_comment_revision_number"),)

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comment.id", index=True)
    number: int
    action: RevisionAction = Field(max_length=16)
    section: str | None = Field(default=None, max_length=200)
    text: str
    actor_user_id: str = Field(max_length=PLATFORM_ID_LENGTH)
    at: datetime = Field(default_factory=utc_now, sa_column=utc_column())
    request_key: str = Field(unique=True, max_length=200)


class CommentDraft(SQLModel, table=True):
    """Text a member wrote in the conversation, held until they confirm it as a comment."""

    __tablename__ = "comment_draft"

    id: int | None = Field(default=None, primary_key=True)
    window_id: int = Field(foreign_key="comment_window.id")
    author_user_id: str = Field(max_length=PLATFORM_ID_LENGTH)
    text: str
    source_key: str = Field(unique=True, max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())


def text_column(length: int, nullable: bool = False) -> Column:
    """A plain string column; kinds and statuses are validated by the handlers, not by a database enum."""
    return Column(String(length), nullable=nullable)


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Meeting(SQLModel, table=True):
    __table_args__ = (Index("ix_meeting_committee_starts", "committee_id", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id")
    starts_at: datetime = Field(sa_column=utc_column())
    # When the meeting was arranged for its current time: its agenda digest is only planned after that.
    arranged_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())
    status: str = Field(default=MeetingStatus.SCHEDULED, sa_column=text_column(16))
    created_by: str = Field(max_length=PLATFORM_ID_LENGTH)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())
    request_key: str = Field(unique=True, max_length=200)


class ResolutionKind(StrEnum):
    NOTED = "noted"
    ACTION = "action"
    COMMENT_DEADLINE = "comment_deadline"
    REPORT_BACK = "report_back"


class ResolutionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class Resolution(SQLModel, table=True):
    """A decision of a committee, and, where it asks for something, who owes it and when.

    due_at is the instant it falls due: the end of due_date in the committee's zone, or the start of the
    meeting it is due at. It is stored so that /actions can filter and order in the database, overdue
    first simply by ascending due_at.
    """

    __table_args__ = (
        Index("ix_resolution_committee_status_due", "committee_id", "status", "due_at"),
        Index("ix_resolution_owner_status_due", "owner_user_id", "status", "due_at"),
        Index("ix_resolution_due_meeting", "due_meeting_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id")
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    # The day of the meeting that made it, as the clerk gave it (the calendar may not hold that meeting); periods
    # such as "within six months" count from it. Null only for resolutions recorded before it was kept.
    meeting_date: date | None = None
    text: str
    kind: str = Field(sa_column=text_column(24))
    owner_user_id: str | None = Field(default=None, max_length=PLATFORM_ID_LENGTH)
    owner_title: str | None = Field(default=None, max_length=200)
    due_date: date | None = None
    due_rule: str | None = Field(default=None, max_length=60)
    due_meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    due_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # When it was last given its due date or meeting: reminders planned before then never made sense for it.
    due_set_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())
    status: str = Field(default=ResolutionStatus.OPEN, sa_column=text_column(16))
    slipped_count: int = 0
    comment_window_id: int | None = Field(default=None, foreign_key="comment_window.id")
    closing_note: str | None = None
    # The agenda item of the minutes it was read from: "11", "Annual Report of the Safeguarding Partnership"
    minute_item: str | None = Field(default=None, max_length=20)
    minute_item_title: str | None = Field(default=None, max_length=300)
    created_by: str = Field(max_length=PLATFORM_ID_LENGTH)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())
    request_key: str = Field(unique=True, max_length=200)


class MinutesImport(SQLModel, table=True):
    """Resolutions read from minutes, waiting for a clerk to check them a page at a time; nothing reaches the
    register until the last page is saved. `found` and `checked` are JSON: what was read, and what the clerk
    has confirmed on the pages so far."""

    __tablename__ = "minutes_import"

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id")
    created_by: str = Field(max_length=PLATFORM_ID_LENGTH)
    found: str
    checked: str = "{}"
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())


class ResolutionChange(SQLModel, table=True):
    """Append-only history of a resolution: who changed what, when, from what to what."""

    __tablename__ = "resolution_change"

    id: int | None = Field(default=None, primary_key=True)
    resolution_id: int = Field(foreign_key="resolution.id", index=True)
    action: str = Field(sa_column=text_column(24))
    actor_user_id: str = Field(max_length=PLATFORM_ID_LENGTH)
    at: datetime = Field(default_factory=utc_now, sa_column=utc_column())
    before: str | None = None
    after: str | None = None
    note: str | None = None
    # Null for changes the bot makes itself (a slipped meeting); unique otherwise, so a replay changes nothing.
    request_key: str | None = Field(default=None, unique=True, max_length=200)


class ReminderState(StrEnum):
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"


class Reminder(SQLModel, table=True):
    """The ledger that makes each reminder go out once.

    A reminder is one occasion of one item: "the 7-day notice about window 3's deadline of 11 December", to one
    target. That is its unique key (item, kind, occasion, target); when it is planned to go out (`due`) is kept
    as data, so changing the reminder hour, moving a deadline by minutes or changing the committee's zone never
    makes a sent reminder new again. A reminder is claimed by inserting its row, so only one instance can, and
    completed after the post. A claim left unfinished by a crash is taken over after a timeout, and the
    channel's history is checked for the post first (each post carries its key).
    """

    __table_args__ = (
        UniqueConstraint("item", "kind", "occasion", "target", name="uq_reminder_key"),
        Index("ix_reminder_state_claimed", "state", "claimed_at"),
        Index("ix_reminder_item", "item"),
    )

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id")
    item: str = Field(max_length=40)
    kind: str = Field(max_length=40)
    # What the notice is about: the day of the deadline, due date or meeting it counts down to, the instant of a
    # deadline for "comments closed", the Monday of a weekly digest's week.
    occasion: str = Field(max_length=64)
    due: datetime = Field(sa_column=utc_column())
    target: str = Field(max_length=PLATFORM_ID_LENGTH)
    state: str = Field(default=ReminderState.CLAIMED, sa_column=text_column(16))
    claimed_by: str = Field(max_length=64)
    claimed_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())
    # Posts tried: a claim taken over, or given up by a tick that could no longer hold it, tried nothing.
    attempts: int = 0
    completed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    message_ref: str | None = Field(default=None, max_length=PLATFORM_ID_LENGTH)  # the post's id on its platform
    error: str | None = Field(default=None, max_length=200)


class ReminderMute(SQLModel, table=True):
    """Reminders silenced for good for one item: for everyone (a clerk's mute), or one person's direct messages."""

    __tablename__ = "reminder_mute"
    __table_args__ = (UniqueConstraint("item", "user_id", name="uq_reminder_mute"),)

    id: int | None = Field(default=None, primary_key=True)
    item: str = Field(max_length=40)
    # Empty for a mute that applies to everyone; a member's id for their own direct messages only.
    user_id: str = Field(default="", max_length=PLATFORM_ID_LENGTH)
    set_by: str = Field(max_length=PLATFORM_ID_LENGTH)
    set_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())


class ReminderSnooze(SQLModel, table=True):
    """A clerk's "remind us again in a week" on one notice: it is posted again then, unless a later notice about
    the item has come first. It never holds back any other notice."""

    __tablename__ = "reminder_snooze"
    __table_args__ = (UniqueConstraint("item", "kind", "occasion", name="uq_reminder_snooze"),)

    id: int | None = Field(default=None, primary_key=True)
    item: str = Field(max_length=40)
    kind: str = Field(max_length=40)
    occasion: str = Field(max_length=64)
    until: datetime = Field(sa_column=utc_column())
    set_by: str = Field(max_length=PLATFORM_ID_LENGTH)
    set_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())


class ConversationReference(SQLModel, table=True):
    """What a platform needs to post into a committee's place, or a thread in it, unprompted (a Teams conversation
    reference, for reminders); kept as the platform's own JSON. thread_ref is empty for the place itself."""

    __tablename__ = "conversation_reference"

    committee_id: int = Field(foreign_key="committee.id", primary_key=True)
    thread_ref: str = Field(default="", primary_key=True, max_length=PLATFORM_ID_LENGTH)
    platform: str = Field(max_length=16)
    reference: str
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column())


class ConsoleTime(SQLModel, table=True):
    """How far the console's clock had got (the console only: its one row), so that a console started again on
    the same data resumes there rather than before reminders it has already sent."""

    __tablename__ = "console_time"

    id: int = Field(default=1, primary_key=True)
    reached: datetime = Field(sa_column=utc_column())


class PersonalDataLog(SQLModel, table=True):
    """What was done with personal data, and by whom: each export, erasure and retention sweep. It never holds the
    data itself: the member is a one-way digest (see handlers/personal_data.member_reference), and `counts` is a JSON
    object of how many of each thing was exported or removed."""

    __tablename__ = "personal_data_log"
    __table_args__ = (Index("ix_personal_data_log_member", "workspace_id", "member_reference"),)

    id: int | None = Field(default=None, primary_key=True)
    action: str = Field(sa_column=text_column(16))  # exported | erased | retention
    workspace_id: str | None = Field(default=None, max_length=32)
    member_reference: str | None = Field(default=None, max_length=64)
    done_by: str = Field(max_length=200)
    at: datetime = Field(default_factory=utc_now, sa_column=utc_column())
    counts: str


class Housekeeping(SQLModel, table=True):
    """When each daily task last ran, so that of several instances ticking every minute one does it once a day."""

    id: str = Field(primary_key=True, max_length=40)
    last_run_at: datetime = Field(sa_column=utc_column())


# Slack's installations (each workspace's bot token, refresh token and expiry) and the one-time states of "Add to
# Slack", as slack_sdk's SQLAlchemy stores read and write them: declared here with slack_sdk's own definitions so
# that migrations, tests and backups know them like every other table. Their times are naive UTC.
SLACK_INSTALLATIONS = SQLAlchemyInstallationStore.build_installations_table(SQLModel.metadata, "slack_installations")
SLACK_BOTS = SQLAlchemyInstallationStore.build_bots_table(SQLModel.metadata, "slack_bots")
SLACK_OAUTH_STATES = SQLAlchemyOAuthStateStore.build_oauth_states_table(SQLModel.metadata, "slack_oauth_states")
