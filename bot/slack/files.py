"""Minutes files in Slack: one posted in a channel (the "Import minutes" shortcut), or uploaded in the /minutes form.
They are downloaded with the bot's own token, which is only ever sent to Slack's file hosts."""

import logging
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.downloads import read_up_to_too_large
from handlers.errors import InvalidInput

log = logging.getLogger(__name__)

READABLE = (".txt", ".docx", ".pdf")
DOWNLOAD_SECONDS = 2  # the modal's trigger expires about three seconds after the shortcut
UPLOAD_SECONDS = 20  # an uploaded file is read after the form has been answered, so it may take longer
SLACK_FILE_ORIGINS = ("https://files.slack.com", "https://files-edu.slack.com", "https://files-gov.slack.com")


async def shared_minutes(files: list[dict], client: AsyncWebClient) -> tuple[str, bytes] | None:
    """The name and content of the first readable file attached to a message; None if it has none."""
    readable = [f for f in files if str(f.get("name", "")).lower().endswith(READABLE)]
    if not readable:
        return None
    file = readable[0]
    if not file.get("url_private_download"):  # a file shared from elsewhere comes without its address
        file = await _file_info(client, str(file.get("id", "")))
    return file["name"], await _download(file, client, DOWNLOAD_SECONDS)


async def uploaded_minutes(file_id: str, client: AsyncWebClient) -> tuple[str, bytes]:
    """The name and content of a file uploaded in a form's file input."""
    file = await _file_info(client, file_id)
    return file["name"], await _download(file, client, UPLOAD_SECONDS)


async def _file_info(client: AsyncWebClient, file_id: str) -> dict:
    try:
        response = await client.files_info(file=file_id)
    except SlackApiError:
        raise InvalidInput("I couldn't get that file from Slack. Please try again, or paste the minutes.") from None
    return response["file"]


def _stored_by_slack(url: str, client: AsyncWebClient) -> bool:
    """Slack serves files from its file hosts over HTTPS; the Web API's own address (a local one in tests) is
    trusted with the token already. A message can name a download address anywhere."""
    return _origin(url) in (*SLACK_FILE_ORIGINS, _origin(client.base_url))


def _origin(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:  # an address that is not one, such as "http://["
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


async def _download(file: dict, client: AsyncWebClient, seconds: float) -> bytes:
    name, url = file.get("name", "the file"), str(file.get("url_private_download") or "")
    if not _stored_by_slack(url, client):
        log.warning("refused to download %s: not a Slack file address", url[:200])
        raise InvalidInput(
            f"I can only read files stored in Slack, and {name} is not. Please paste the minutes instead."
        )
    timeout = aiohttp.ClientTimeout(total=seconds)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        headers = {"Authorization": f"Bearer {client.token}"}
        try:
            async with session.get(url, headers=headers, allow_redirects=False) as response:
                if response.status != 200:
                    raise InvalidInput(f"I couldn't download {name} from Slack. Please try again.")
                return await read_up_to_too_large(response.content)
        except (aiohttp.ClientError, TimeoutError):
            raise InvalidInput(f"I couldn't download {name} in time. Please paste the minutes instead.") from None
