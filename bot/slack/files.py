"""Reading a minutes file someone shared in Slack (.txt, .docx or .pdf), with the bot's own token."""

import logging
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from handlers.document_text import minutes_text
from handlers.errors import InvalidInput

log = logging.getLogger(__name__)

READABLE = (".txt", ".docx", ".pdf")
DOWNLOAD_SECONDS = 2  # the modal's trigger expires about three seconds after the shortcut
SLACK_FILES = "https://files.slack.com"


async def shared_minutes(files: list[dict], client: AsyncWebClient) -> str | None:
    """The text of the first readable file attached to a message; None if it has none."""
    readable = [f for f in files if str(f.get("name", "")).lower().endswith(READABLE)]
    if not readable:
        return None
    file = readable[0]
    url = str(file.get("url_private_download") or "")
    if not _stored_by_slack(url, client.base_url):
        # The bot token goes only to Slack: a message can name a download address anywhere.
        log.warning("refused to download %s: not a Slack file address", url[:200])
        raise InvalidInput(
            f"I can only read files stored in Slack, and {file['name']} is not. Please paste the minutes instead."
        )
    token = client.token
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async with session.get(url, headers=headers, allow_redirects=False) as response:
                if response.status != 200:
                    raise InvalidInput(f"I couldn't download {file['name']} from Slack. Please try again.")
                return minutes_text(file["name"], await response.read())
        except (aiohttp.ClientError, TimeoutError):
            raise InvalidInput(
                f"I couldn't download {file['name']} in time. Please paste the minutes instead."
            ) from None


def _stored_by_slack(url: str, api_url: str) -> bool:
    """Slack serves shared files from files.slack.com; the Web API's own address (a local one in tests) is
    trusted with the token already."""
    return _origin(url) in (SLACK_FILES, _origin(api_url))


def _origin(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:  # an address that is not one, such as "http://["
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()
