"""Files to one person in Teams: a bot may put a file in someone's OneDrive only after they accept it in a file
consent card in their 1:1 chat. The card carries what the file is (never its bytes): on acceptance Teams sends a
`fileConsent/invoke` with an upload address, the file is made again from that and uploaded there, and a file card
in the chat opens it.

Only what `FILES` lists can be asked for this way; the context is checked against the person and tenant it was
offered to, so a forged invoke cannot fetch someone else's document.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import aiohttp

from bot.message import Attachment
from bot.reminder_delivery import COMPILED_COMMENTS, compiled_document
from handlers.comment_windows import summarise
from handlers.context import Services
from storage.comments import window_with_committee
from storage.committees import clerk_ids

CONSENT_CARD = "application/vnd.microsoft.teams.card.file.consent"
INFO_CARD = "application/vnd.microsoft.teams.card.file.info"
UPLOAD_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Offered:
    """A file offered to one person: what it is, and for whom."""

    kind: str  # as `Attachment.made_from` names it
    subject_id: int  # the comment window, for the compiled comments
    workspace_id: str
    member_id: str

    def context(self) -> dict:
        return {"file": self.kind, "of": self.subject_id, "tenant": self.workspace_id, "for": self.member_id}


def consent_attachment(file: Attachment, offered: Offered) -> dict:
    return {
        "contentType": CONSENT_CARD,
        "name": file.filename,
        "content": {
            "description": file.title,
            "sizeInBytes": len(file.content),
            "acceptContext": offered.context(),
            "declineContext": offered.context(),
        },
    }


async def compiled_comments(services: Services, offered: Offered) -> Attachment | None:
    """For the report's receiving officer and the committee's clerks: the people Slack sends them to."""
    async with services.database.session() as session:
        found = await window_with_committee(session, offered.workspace_id, offered.subject_id)
        if found is None:
            return None
        window = summarise(*found)
        if offered.member_id != window.officer_user_id and offered.member_id not in await clerk_ids(
            session, window.committee_id
        ):
            return None
    return await compiled_document(services, offered.workspace_id, window)


FILES: dict[str, Callable[[Services, Offered], Awaitable[Attachment | None]]] = {COMPILED_COMMENTS: compiled_comments}


def offered_in(value: Mapping, workspace_id: str, member_id: str) -> Offered | None:
    """The file an accepted consent card offered to this person in this tenant; None for anything else."""
    context = value.get("context") if isinstance(value, Mapping) else None
    if value.get("action") != "accept" or not isinstance(context, Mapping):
        return None
    kind, subject = context.get("file"), context.get("of")
    if kind not in FILES or not isinstance(subject, int) or isinstance(subject, bool):
        return None
    if context.get("tenant") != workspace_id or context.get("for") != member_id:
        return None
    return Offered(kind, subject, workspace_id, member_id)


async def upload_accepted(services: Services, value: Mapping, workspace_id: str, member_id: str) -> dict | None:
    """Uploads the file a person accepted to where Teams said; the file card to show them, or None when the
    consent was declined, forged, or its file is gone."""
    offered = offered_in(value, workspace_id, member_id)
    upload_info = value.get("uploadInfo") if offered else None
    if not isinstance(upload_info, Mapping) or not isinstance(upload_info.get("uploadUrl"), str):
        return None
    file = await FILES[offered.kind](services, offered)
    if file is None:
        return None
    await _put(upload_info["uploadUrl"], file.content)
    return {
        "contentType": INFO_CARD,
        "contentUrl": upload_info.get("contentUrl"),
        "name": upload_info.get("name") or file.filename,
        "content": {"uniqueId": upload_info.get("uniqueId"), "fileType": upload_info.get("fileType") or "docx"},
    }


async def _put(upload_url: str, content: bytes) -> None:
    """One PUT of the whole file, as OneDrive's upload sessions take a small file."""
    headers = {"Content-Length": str(len(content)), "Content-Range": f"bytes 0-{len(content) - 1}/{len(content)}"}
    timeout = aiohttp.ClientTimeout(total=UPLOAD_TIMEOUT_SECONDS)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.put(upload_url, data=content, headers=headers) as answer,
    ):
        answer.raise_for_status()
