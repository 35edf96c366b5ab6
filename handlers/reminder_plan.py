"""Which reminders are due: worked out on each tick from the committees' own tables, never stored as jobs.

Each reminder has a planned instant (the committee's reminder hour, in its zone, on a day counted back from a
deadline) and an instant after which it no longer makes sense. A tick sends everything planned up to now that
is still sensible, so catching up after downtime needs nothing special; what is no longer sensible is dropped
and the clerks hear of it in their next digest.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.comment_windows import WindowSummary
from handlers.meetings import MeetingSummary
from handlers.resolutions import ActionItem
from storage.models import FORMER_MEMBER, Committee

FRIDAY = 4
WEEK = timedelta(days=7)


def ledger_key(item: str, kind: str, due: datetime, target: str) -> str:
    """A planned reminder's key, or a ledger row's: the same text for the same reminder."""
    return f"{item}|{kind}|{due.isoformat()}|{target}"


@dataclass(frozen=True)
class DueReminder:
    committee: Committee
    item: str  # "window:12", "resolution:7", "meeting:3", "committee:4"
    kind: str
    due: datetime  # planned instant, UTC
    target: str  # the committee's channel, or a person's user id for a direct message
    stale_after: datetime
    window: WindowSummary | None = None
    action: ActionItem | None = None
    meeting: MeetingSummary | None = None
    items: tuple[ActionItem, ...] = ()  # what a digest lists
    dropped: tuple[tuple[str, str, datetime], ...] = ()  # (kind, item, planned instant) a digest owns up to
    counts: tuple[int, int] = (0, 0)  # comments and members responded, for comment-window notices

    @property
    def key(self) -> str:
        """Unique per reminder, and carried in the post's metadata so an unknown outcome can be checked."""
        return ledger_key(self.item, self.kind, self.due, self.target)

    @property
    def is_direct(self) -> bool:
        return self.target != self.committee.channel_id


def local_day(instant: datetime, committee: Committee) -> date:
    return instant.astimezone(ZoneInfo(committee.timezone)).date()


def at_reminder_hour(day: date, committee: Committee, deadline_day: date) -> datetime:
    """The committee's reminder hour on `day`, in its zone; a weekend day moves back to the Friday, unless
    the deadline itself falls on a weekend."""
    if committee.skip_weekends and day.weekday() > FRIDAY and deadline_day.weekday() <= FRIDAY:
        day -= timedelta(days=day.weekday() - FRIDAY)
    local = datetime.combine(day, time(committee.reminder_hour), tzinfo=ZoneInfo(committee.timezone))
    return local.astimezone(UTC)


@dataclass
class CommitteeState:
    """What one committee has that reminders are about, loaded by reminders.py."""

    committee: Committee
    clerks: list[str] = field(default_factory=list)
    windows: list[tuple[WindowSummary, list[str], tuple[int, int]]] = field(
        default_factory=list
    )  # window, waiting, counts
    actions: list[ActionItem] = field(default_factory=list)
    meetings: list[MeetingSummary] = field(default_factory=list)
    overdue: tuple[ActionItem, ...] = ()
    dropped: tuple[tuple[str, str, datetime], ...] = ()  # reminders not sent lately because they came too late


def plan(state: CommitteeState, now: datetime) -> list[DueReminder]:
    """Every reminder of this committee, whether or not its time has come."""
    committee = state.committee
    planned = [
        r for window, waiting, counts in state.windows for r in window_reminders(window, committee, waiting, counts)
    ]
    planned += [r for action in state.actions if action.due_date for r in action_reminders(action, committee)]
    by_meeting = _reports_by_meeting(state)
    for meeting in state.meetings:
        due_here = by_meeting.get(meeting.id, ())
        planned += [r for action in due_here for r in report_back_reminders(action, meeting, committee)]
        planned += meeting_digests(meeting, state, due_here)
    planned += overdue_digests(state, now)
    # A former member (the receiving officer, erased) can no longer be written to.
    return [reminder for reminder in planned if reminder.target != FORMER_MEMBER]


def _reports_by_meeting(state: CommitteeState) -> dict[int, tuple[ActionItem, ...]]:
    grouped: dict[int, list[ActionItem]] = defaultdict(list)
    for action in state.actions:
        if action.due_meeting_id is not None:
            grouped[action.due_meeting_id].append(action)
    return {meeting_id: tuple(actions) for meeting_id, actions in grouped.items()}


def _superseded(notices: list[tuple[str, datetime]], final: datetime) -> list[tuple[str, datetime, datetime]]:
    """Each notice stops making sense once the next one is due ("closes tomorrow" is wrong on the day)."""
    ends = [due for _, due in notices[1:]] + [final]
    return [(kind, due, end) for (kind, due), end in zip(notices, ends, strict=True)]


def window_reminders(
    window: WindowSummary, committee: Committee, waiting_for: list[str], counts: tuple[int, int]
) -> list[DueReminder]:
    deadline_day = local_day(window.deadline, committee)
    channel, item, about = committee.channel_id, f"window:{window.id}", dict(window=window, counts=counts)
    notices = [
        (kind, at_reminder_hour(deadline_day - timedelta(days=days), committee, deadline_day))
        for kind, days in (("window.week", 7), ("window.tomorrow", 1), ("window.today", 0))
    ]
    notices = [(kind, due) for kind, due in notices if due < window.deadline]
    planned = []
    for kind, due, stale_after in _superseded(notices, window.deadline):
        planned.append(DueReminder(committee, item, kind, due, channel, stale_after, **about))
        if kind == "window.tomorrow":
            planned += [DueReminder(committee, item, "window.nudge", due, m, stale_after, **about) for m in waiting_for]
    planned.append(
        DueReminder(committee, item, "window.closed", window.deadline, channel, window.deadline + WEEK, **about)
    )
    planned.append(
        DueReminder(
            committee,
            item,
            "window.compiled",
            window.deadline,
            window.officer_user_id,
            window.deadline + 4 * WEEK,
            **about,
        )
    )
    return planned


def _to_channel_and_owner(committee: Committee, action: ActionItem) -> list[str]:
    return [committee.channel_id] + ([action.owner_user_id] if action.owner_user_id else [])


def action_reminders(action: ActionItem, committee: Committee) -> list[DueReminder]:
    """A dated action: a week's notice and a same-day notice, in the channel and to its owner."""
    notices = [
        (kind, at_reminder_hour(action.due_date - timedelta(days=days), committee, action.due_date))
        for kind, days in (("action.week", 7), ("action.today", 0))
    ]
    return [
        DueReminder(committee, f"resolution:{action.id}", kind, due, target, stale_after, action=action)
        for kind, due, stale_after in _superseded(notices, action.due_at + WEEK)
        for target in _to_channel_and_owner(committee, action)
    ]


def agenda_deadline(meeting: MeetingSummary, committee: Committee) -> date:
    """The day reports for a meeting must be in: the committee's agenda lead time before it."""
    return local_day(meeting.starts_at, committee) - timedelta(days=committee.agenda_lead_days)


def report_back_reminders(action: ActionItem, meeting: MeetingSummary, committee: Committee) -> list[DueReminder]:
    """A report owed to a meeting: when the run-up to its agenda deadline begins (one lead time before it),
    a week later, and on the agenda deadline itself. A report closed meanwhile is no longer planned."""
    deadline_day = agenda_deadline(meeting, committee)
    days = (deadline_day - timedelta(days=committee.agenda_lead_days), deadline_day - WEEK, deadline_day)
    notices = [
        (kind, at_reminder_hour(day, committee, deadline_day))
        for kind, day in zip(("report.lead", "report.week", "report.deadline"), days, strict=True)
    ]
    planned = [
        DueReminder(
            committee, f"resolution:{action.id}", kind, due, target, stale_after, action=action, meeting=meeting
        )
        for kind, due, stale_after in _superseded(notices, meeting.starts_at)
        for target in _to_channel_and_owner(committee, action)
    ]
    return planned + _escalation(action, meeting, committee, notices)


def _escalation(
    action: ActionItem, meeting: MeetingSummary, committee: Committee, notices: list[tuple[str, datetime]]
) -> list[DueReminder]:
    """On the agenda deadline, the chair hears of a report whose owner has not touched it through the two
    reminders before."""
    (_, second_due), (_, deadline_due) = notices[1], notices[2]
    if not (committee.escalate_to_chair and committee.chair_user_id) or action.updated_at >= second_due:
        return []
    escalation = DueReminder(
        committee,
        f"resolution:{action.id}",
        "report.escalation",
        deadline_due,
        committee.chair_user_id,
        meeting.starts_at,
        action=action,
        meeting=meeting,
    )
    return [escalation]


def meeting_digests(
    meeting: MeetingSummary, state: CommitteeState, due_here: tuple[ActionItem, ...]
) -> list[DueReminder]:
    """For the clerks, on the agenda deadline: what is due at the meeting and what is outstanding."""
    committee = state.committee
    deadline_day = agenda_deadline(meeting, committee)
    due = at_reminder_hour(deadline_day, committee, deadline_day)
    listed = due_here + tuple(item for item in state.overdue if item not in due_here)
    about = dict(meeting=meeting, items=listed, dropped=state.dropped)
    return [
        DueReminder(committee, f"meeting:{meeting.id}", "meeting.digest", due, clerk, meeting.starts_at, **about)
        for clerk in state.clerks
    ]


def overdue_digests(state: CommitteeState, now: datetime) -> list[DueReminder]:
    """Each Monday, to each clerk, while anything is overdue or reminders were dropped after downtime."""
    committee = state.committee
    if not (state.overdue or state.dropped):
        return []
    today = local_day(now, committee)
    monday = today - timedelta(days=today.weekday())
    due = at_reminder_hour(monday, committee, monday)
    about = dict(items=state.overdue, dropped=state.dropped)
    return [
        DueReminder(committee, f"committee:{committee.id}", "overdue.digest", due, clerk, due + WEEK, **about)
        for clerk in state.clerks
    ]
