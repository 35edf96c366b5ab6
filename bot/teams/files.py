"""Files between the bot and one person in Teams, which happens only in their 1:1 chat with it.

A file the person sends arrives as a download-info attachment whose address is pre-authorised for a short while,
so it is fetched with no credentials of ours, and only from where Teams keeps files (bot/teams/file_hosts.py).

A bot may put a file in someone's OneDrive only after they accept it in a file
consent card in their 1:1 chat. The card carries what the file is made from (never its bytes): on acceptance Teams
sends a `fileConsent/invoke` with an upload address, the file is made again for that person (bot.exports, with the
checks of asking for it now) and uploaded there (only if there is where Teams keeps files, as for a download), and a
file card in the chat opens it.

The card's context is checked against the person and tenant it was offered to, so a forged invoke cannot fetch
someone else's document, nor one its person may no longer have.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp
from yarl import URL

from bot.downloads import read_up_to_too_large
from bot.exports import KINDS, made_again
from bot.message import Attachment
from bot.teams.file_hosts import SETTING as FILE_HOSTS_SETTING
from bot.teams.file_hosts import FileHosts
from handlers.context import Actor, Services
from handlers.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)

CONSENT_CARD = "application/vnd.microsoft.teams.card.file.consent"
INFO_CARD = "application/vnd.microsoft.teams.card.file.info"
UPLOAD_TIMEOUT_SECONDS = 60
DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
DOWNLOAD_TIMEOUT_SECONDS = 20
MOST_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)
FILE_GONE = "Sorry, that file is no longer available to you. Please ask for it again."


@dataclass(frozen=True)
class Offered:
    """A file offered to one person: what it is made from, and for whom."""

    kind: str  # as `Attachment.made_from` names it
    subject_id: int  # the comment window or committee it is made from
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


def offer_to(file: Attachment, person: Actor) -> dict | None:
    """The consent card offering `file` to `person`; None for a file that cannot be made again when they accept."""
    if file.made_from is None:
        return None
    kind, subject_id = file.made_from
    return consent_attachment(file, Offered(kind, subject_id, person.workspace_id, person.user_id))


def offered_in(value: Mapping, person: Actor) -> Offered:
    """The file an accepted consent card offered to this person in this tenant; refused for anything else."""
    context = value.get("context")
    if value.get("action") != "accept" or not isinstance(context, Mapping):
        raise NotFound(FILE_GONE)
    kind, subject = context.get("file"), context.get("of")
    if kind not in KINDS or not isinstance(subject, int) or isinstance(subject, bool) or not 0 < subject < 2**31:
        raise NotFound(FILE_GONE)
    if context.get("tenant") != person.workspace_id or context.get("for") != person.user_id:
        raise NotFound(FILE_GONE)
    return Offered(kind, subject, person.workspace_id, person.user_id)


async def upload_accepted(services: Services, value: Mapping, person: Actor, hosts: FileHosts) -> dict | None:
    """Uploads the file a person accepted to where Teams said; the file card to show them, or None when they
    declined. A forged consent, an upload address anywhere but where Teams keeps files (`hosts`), or a file they may
    no longer have, is refused with what to do."""
    if value.get("action") == "decline":
        return None
    offered = offered_in(value, person)
    upload_info = value.get("uploadInfo")
    if not isinstance(upload_info, Mapping) or not isinstance(upload_info.get("uploadUrl"), str):
        raise NotFound(FILE_GONE)
    upload_address = _where_teams_keeps_files(upload_info["uploadUrl"], hosts)
    if upload_address is None:
        raise NotFound(FILE_GONE)
    file = await made_again(services, person, (offered.kind, offered.subject_id))
    await _put(upload_address, file.content)
    return {
        "contentType": INFO_CARD,
        "contentUrl": upload_info.get("contentUrl"),
        "name": upload_info.get("name") or file.filename,
        "content": {"uniqueId": upload_info.get("uniqueId"), "fileType": upload_info.get("fileType") or "docx"},
    }


def file_sent(activity) -> tuple[str, str] | None:
    """The name and download address of the first file a person sent the bot with a message; None if none."""
    for attachment in activity.attachments or []:
        content = attachment.content if isinstance(attachment.content, Mapping) else {}
        url = content.get("downloadUrl")
        if attachment.content_type == DOWNLOAD_INFO and isinstance(url, str) and isinstance(attachment.name, str):
            return attachment.name, url
    return None


async def downloaded(name: str, url: str, hosts: FileHosts) -> bytes:
    """The file's content, up to one byte more than any file is read (so that a larger one is refused as such).

    Only an address where Teams keeps files is requested, and a redirect is followed only to another such address:
    the address comes in the activity, and the bot must not be made to request anything else it can reach."""
    address = _to_download(name, url, hosts)
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT_SECONDS)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for _hop in range(MOST_REDIRECTS + 1):
                async with session.get(address, allow_redirects=False) as answer:
                    location = answer.headers.get("Location")
                    if answer.status in REDIRECTS and location:
                        address = _to_download(name, str(answer.url.join(URL(location))), hosts)
                        continue
                    if answer.status != 200:
                        break
                    return await read_up_to_too_large(answer.content)
    except (aiohttp.ClientError, TimeoutError, ValueError):
        raise InvalidInput(f"I couldn't download {name} in time. Please send it again, or paste the minutes.") from None
    # Not found, or more redirects than OneDrive ever gives.
    raise InvalidInput(f"I couldn't download {name} from Teams. Please send it again.")


def _where_teams_keeps_files(url: str, hosts: FileHosts) -> URL | None:
    """The address parsed once, as it will be requested; None, logged, unless it is in `hosts`."""
    try:
        address = URL(url)
    except ValueError:
        address = None
    if address is not None and hosts.allow(address):
        return address
    host = address.host if address is not None else "(unreadable)"
    log.warning("a file address on %s was refused: not where Teams keeps files (%s)", host, FILE_HOSTS_SETTING)
    return None


def _to_download(name: str, url: str, hosts: FileHosts) -> URL:
    address = _where_teams_keeps_files(url, hosts)
    if address is None:
        raise InvalidInput(
            f"I only open files Teams keeps for you in OneDrive or SharePoint, and {name} came from somewhere else, "
            "so I haven't opened it. Please attach it again here in our chat, or paste the minutes."
        )
    return address


async def _put(upload_address: URL, content: bytes) -> None:
    """One PUT of the whole file, as OneDrive's upload sessions take a small file. A redirect is not followed (it
    would carry the file somewhere unchecked) but fails like any other answer that is not a success."""
    headers = {"Content-Length": str(len(content)), "Content-Range": f"bytes 0-{len(content) - 1}/{len(content)}"}
    timeout = aiohttp.ClientTimeout(total=UPLOAD_TIMEOUT_SECONDS)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.put(upload_address, data=content, headers=headers, allow_redirects=False) as answer,
    ):
        if answer.status >= 300:
            raise aiohttp.ClientResponseError(answer.request_info, answer.history, status=answer.status)
