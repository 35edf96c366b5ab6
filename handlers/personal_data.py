"""UK GDPR: everything held about one person in one workspace, exported for them, or erased.

Erasure removes a member's comments' text and authorship (the responses stay, counted as from "a former member",
so a report's compiled comments still add up), deletes their drafts, their own reminder settings and the reminders
addressed to them, ends their clerk and chair roles, clears them as owner of resolutions (the history says
"a former member" and records the change), and puts "a former member" wherever they are recorded as having done
something. What others typed about them (a resolution's text, someone else's comment) is the committee's record
and is left alone. Each export and erasure is written to the audit log, which never holds the data itself.
"""

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

from handlers.deadlines import describe_date
from handlers.due_meetings import SYSTEM_ACTOR
from handlers.errors import NotFound
from handlers.register_export import describe_snapshot
from handlers.resolutions import item_of
from storage import personal_data as held
from storage.database import Database, Session
from storage.models import (
    FORMER_MEMBER,
    Comment,
    CommentDraft,
    CommentKind,
    CommentRevision,
    CommentWindow,
    Committee,
    Meeting,
    PersonalDataLog,
    Reminder,
    ReminderMute,
    ReminderSnooze,
    Resolution,
    ResolutionChange,
)

log = logging.getLogger(__name__)

EXPORTED, ERASED = "exported", "erased"
OWNER_ERASED = "the owner's personal data was erased"
_WHAT_IDS_LOOK_LIKE = "check the member's id (a Slack user id, such as U012AB3CD)"
_ITEM_MODELS = {"window": CommentWindow, "resolution": Resolution, "meeting": Meeting, "committee": Committee}


def member_reference(workspace_id: str, user_id: str) -> str:
    """A one-way digest of the member: the audit log can show that this member was erased, and a second erasure
    can tell that the first happened, without the log holding who they were. Whoever already knows the id can
    recompute it; nobody can turn it back into the id."""
    return hashlib.sha256(f"{workspace_id}:{user_id}".encode()).hexdigest()


@dataclass
class Holdings:
    """Every row that is about one person in one workspace."""

    comments: list[tuple[Comment, CommentWindow, Committee]]
    revisions: list[CommentRevision]
    drafts: list[tuple[CommentDraft, CommentWindow, Committee]]
    resolutions: list[tuple[Resolution, Committee]]
    changes: list[tuple[ResolutionChange, Resolution, Committee]]
    roles: list[tuple[Committee, str]]
    reports: list[tuple[CommentWindow, Committee]]
    meetings: list[tuple[Meeting, Committee]]
    mutes: list[ReminderMute]
    snoozes: list[ReminderSnooze]
    reminders: list[tuple[Reminder, Committee]]

    def counts(self) -> dict[str, int]:
        return {
            "comments": len(self.comments),
            "comment_revisions": len(self.revisions),
            "drafts": len(self.drafts),
            "resolutions": len(self.resolutions),
            "resolution_changes": len(self.changes),
            "committee_roles": len(self.roles),
            "reports": len(self.reports),
            "meetings": len(self.meetings),
            "reminder_settings": len(self.mutes),
            "reminder_snoozes": len(self.snoozes),
            "reminders": len(self.reminders),
        }


async def _holdings(session: Session, workspace_id: str, user_id: str) -> Holdings:
    comments = await held.comments_by(session, workspace_id, user_id)
    roles = [(c, "clerk") for c in await held.committees_clerked(session, workspace_id, user_id)]
    for committee in await held.committees_chaired_or_set_up(session, workspace_id, user_id):
        roles += [
            (committee, role)
            for role, who in (("chair", committee.chair_user_id), ("set it up", committee.created_by))
            if who == user_id
        ]
    return Holdings(
        comments=comments,
        revisions=await held.revisions_of(session, [comment.id for comment, _, _ in comments]),
        drafts=await held.drafts_by(session, workspace_id, user_id),
        resolutions=await held.resolutions_of_person(session, workspace_id, user_id),
        changes=await held.resolution_changes_about(session, workspace_id, user_id),
        roles=roles,
        reports=await held.windows_of_person(session, workspace_id, user_id),
        meetings=await held.meetings_added_by(session, workspace_id, user_id),
        mutes=await held.mutes_of(session, workspace_id, user_id),
        snoozes=await held.snoozes_set_by(session, workspace_id, user_id),
        reminders=await held.reminders_to(session, workspace_id, user_id),
    )


async def _require_workspace(session: Session, workspace_id: str, outcome: str) -> None:
    if not await held.workspace_exists(session, workspace_id):
        raise NotFound(f"there is no workspace {workspace_id} in this database, so {outcome}; check its id.")


def describe_counts(counts: dict[str, int]) -> str:
    """E.g. "2 comments with 3 revisions, 1 draft, 1 reminder"; what is not held is not mentioned."""
    parts = []
    if counts.get("comments"):
        parts.append(f"{_count(counts['comments'], 'comment')} with {_count(counts['comment_revisions'], 'revision')}")
    for key, singular, plural in (
        ("drafts", "draft", "drafts"),
        ("resolutions", "resolution", "resolutions"),
        ("resolution_changes", "resolution history entry", "resolution history entries"),
        ("committee_roles", "committee role", "committee roles"),
        ("reports", "report", "reports"),
        ("meetings", "meeting", "meetings"),
        ("reminder_settings", "reminder setting", "reminder settings"),
        ("reminder_snoozes", "snoozed reminder", "snoozed reminders"),
        ("reminders", "reminder", "reminders"),
    ):
        if counts.get(key):
            parts.append(_count(counts[key], singular, plural))
    return ", ".join(parts)


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


# --- Export -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberExport:
    record: dict  # what the JSON file holds, and the document shows
    counts: dict[str, int]


async def export_member(
    database: Database, workspace_id: str, user_id: str, done_by: str, now: datetime
) -> MemberExport:
    async with database.session() as session:
        await _require_workspace(session, workspace_id, "there is nothing to export")
        holdings = await _holdings(session, workspace_id, user_id)
        counts = holdings.counts()
        if not any(counts.values()):
            raise NotFound(
                f"nothing is held about {user_id} in workspace {workspace_id}, so there is nothing to export; "
                f"{_WHAT_IDS_LOOK_LIKE}."
            )
        record = {"workspace": workspace_id, "member": user_id, "generated_at": now.isoformat()}
        record |= await _described(session, holdings, user_id)
        session.add(_logged(EXPORTED, workspace_id, user_id, done_by, now, counts))
        await session.commit()
    log.info("personal data of a member of %s exported by %s: %s", workspace_id, done_by, counts)
    return MemberExport(record, counts)


def _logged(action: str, workspace_id: str, user_id: str, done_by: str, now: datetime, counts: dict) -> PersonalDataLog:
    reference = member_reference(workspace_id, user_id)
    return PersonalDataLog(
        action=action,
        workspace_id=workspace_id,
        member_reference=reference,
        done_by=done_by,
        at=now,
        counts=json.dumps(counts),
    )


async def _described(session: Session, h: Holdings, user_id: str) -> dict:
    revisions: dict[int, list[dict]] = {}
    for revision in h.revisions:
        revisions.setdefault(revision.comment_id, []).append(
            {
                "number": revision.number,
                "action": revision.action.value,
                "section": revision.section,
                "text": revision.text,
                "at": _iso(revision.at),
            }
        )
    return {
        "comments": [
            _about_report(window, committee)
            | {
                "response": "no comments" if comment.kind == CommentKind.NO_COMMENTS else "comment",
                "section": comment.section,
                "text": comment.text,
                "created_at": _iso(comment.created_at),
                "updated_at": _iso(comment.updated_at),
                "withdrawn_at": _iso(comment.withdrawn_at),
                "revisions": revisions.get(comment.id, []),
            }
            for comment, window, committee in h.comments
        ],
        "drafts": [
            _about_report(window, committee) | {"text": draft.text, "created_at": _iso(draft.created_at)}
            for draft, window, committee in h.drafts
        ],
        "resolutions": [_resolution(resolution, committee, user_id) for resolution, committee in h.resolutions],
        "resolution_changes": [_change(change, resolution, committee) for change, resolution, committee in h.changes],
        "committee_roles": [{"committee": committee.name, "role": role} for committee, role in h.roles],
        "reports": [
            _about_report(window, committee)
            | {
                "role": " and ".join(
                    r
                    for r, who in (("receives its comments", window.officer_user_id), ("opened it", window.opened_by))
                    if who == user_id
                )
            }
            for window, committee in h.reports
        ],
        "meetings": [
            {
                "committee": committee.name,
                "timezone": committee.timezone,
                "starts_at": _iso(meeting.starts_at),
                "role": "added it",
            }
            for meeting, committee in h.meetings
        ],
        "reminder_settings": [
            await _item_described(session, mute.item)
            | {
                "setting": ("no direct messages" if mute.user_id == user_id else "silenced for everyone by them"),
            }
            for mute in h.mutes
        ],
        "reminder_snoozes": [
            await _item_described(session, snooze.item) | {"notice": snooze.kind, "posted_again": _iso(snooze.until)}
            for snooze in h.snoozes
        ],
        "reminders": [
            {"committee": committee.name, "timezone": committee.timezone}
            | {
                "about": (await _item_described(session, reminder.item))["about"],
                "kind": reminder.kind,
                "state": reminder.state,
                "due_at": _iso(reminder.due),
                "sent_at": _iso(reminder.completed_at),
            }
            for reminder, committee in h.reminders
        ],
    }


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat() if instant else None


def _about_report(window: CommentWindow, committee: Committee) -> dict:
    return {"report": window.title, "committee": committee.name, "timezone": committee.timezone}


def _resolution(resolution: Resolution, committee: Committee, user_id: str) -> dict:
    roles = (("owner", resolution.owner_user_id), ("recorded it", resolution.created_by))
    return {
        "reference": f"R{resolution.id}",
        "committee": committee.name,
        "role": " and ".join(role for role, who in roles if who == user_id),
        "text": resolution.text,
        "status": resolution.status,
        "due": item_of(resolution, committee).due_text,
    }


def _change(change: ResolutionChange, resolution: Resolution, committee: Committee) -> dict:
    snapshots = [
        describe_snapshot(json.loads(s) if s else None, {}, committee.timezone) for s in (change.before, change.after)
    ]
    return {
        "reference": f"R{resolution.id}",
        "committee": committee.name,
        "timezone": committee.timezone,
        "action": change.action,
        "by": change.actor_user_id,
        "at": _iso(change.at),
        "before": snapshots[0],
        "after": snapshots[1],
        "note": change.note,
    }


async def _item_described(session: Session, item: str) -> dict:
    """What a reminder or a reminder setting is about, as a person would name it, and its committee."""
    kind, _, number = item.partition(":")
    if kind not in _ITEM_MODELS or not number.isdigit():
        return {"about": "every item", "committee": None}
    found = await session.get(_ITEM_MODELS[kind], int(number))
    if found is None:
        return {"about": item, "committee": None}
    committee = found if kind == "committee" else await session.get(Committee, found.committee_id)
    about = {
        "window": lambda: f"the report {found.title}",
        "resolution": lambda: f"resolution R{found.id}",
        "meeting": lambda: f"the meeting on {describe_date(found.starts_at, committee.timezone)}",
        "committee": lambda: "the committee",
    }[kind]()
    return {"about": about, "committee": committee.name}


# --- Erasure ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    counts: dict[str, int]
    already_erased_at: datetime | None = None
    committees_without_clerk: list[str] = field(default_factory=list)


async def erase_member(database: Database, workspace_id: str, user_id: str, done_by: str, now: datetime) -> Erasure:
    async with database.session() as session:
        await _require_workspace(session, workspace_id, "nothing was erased")
        holdings = await _holdings(session, workspace_id, user_id)
        counts = holdings.counts()
        if not any(counts.values()):
            earlier = await held.last_logged(session, ERASED, workspace_id, member_reference(workspace_id, user_id))
            if earlier is None:
                raise NotFound(
                    f"nothing is held about {user_id} in workspace {workspace_id}, so nothing was erased; "
                    f"{_WHAT_IDS_LOOK_LIKE}."
                )
            return Erasure(counts, already_erased_at=earlier.at)
        await _erase(session, holdings, workspace_id, user_id, now)
        clerked = [committee.id for committee, role in holdings.roles if role == "clerk"]
        orphaned = await held.committees_without_clerks(session, clerked)
        session.add(_logged(ERASED, workspace_id, user_id, done_by, now, counts))
        await session.commit()
    log.info("personal data of a member of %s erased by %s: %s", workspace_id, done_by, counts)
    return Erasure(counts, committees_without_clerk=[committee.name for committee in orphaned])


async def _erase(session: Session, h: Holdings, workspace_id: str, user_id: str, now: datetime) -> None:
    await held.anonymise_comments(session, [comment.id for comment, _, _ in h.comments])
    await held.delete_drafts(session, [draft.id for draft, _, _ in h.drafts])
    for change, _, _ in h.changes:
        change.before, change.after = (_without(s, user_id) for s in (change.before, change.after))
        session.add(change)
    for resolution, _ in h.resolutions:
        if resolution.owner_user_id == user_id:
            session.add(_owner_forgotten(resolution, now))
    await held.replace_with_former_member(session, workspace_id, user_id)
    await held.forget_roles(session, workspace_id, user_id)
    await held.delete_own_mutes(session, workspace_id, user_id)
    await held.delete_reminders_to(session, [reminder.id for reminder, _ in h.reminders])


def _without(snapshot: str | None, user_id: str) -> str | None:
    """A history snapshot in which they were the owner, with "a former member" as the owner instead."""
    if not snapshot:
        return snapshot
    values = json.loads(snapshot)
    if values.get("owner_user_id") == user_id:
        values["owner_user_id"] = FORMER_MEMBER
    return json.dumps(values)


def _owner_forgotten(resolution: Resolution, now: datetime) -> ResolutionChange:
    """The resolution no longer has them as owner, and its history says so."""
    title = resolution.owner_title
    resolution.owner_user_id = None
    return ResolutionChange(
        resolution_id=resolution.id,
        action="reassigned",
        actor_user_id=SYSTEM_ACTOR,
        at=now,
        before=json.dumps({"owner_user_id": FORMER_MEMBER, "owner_title": title}),
        after=json.dumps({"owner_user_id": None, "owner_title": title}),
        note=OWNER_ERASED,
    )
