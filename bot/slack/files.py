"""Reading a minutes file someone shared in Slack (.txt, .docx or .pdf), with the bot's own token."""

import aiohttp

from handlers.document_text import minutes_text
from handlers.errors import InvalidInput

READABLE = (".txt", ".docx", ".pdf")
DOWNLOAD_SECONDS = 2  # the modal's trigger expires about three seconds after the shortcut


async def shared_minutes(files: list[dict], token: str) -> str | None:
    """The text of the first readable file attached to a message; None if it has none."""
    readable = [f for f in files if str(f.get("name", "")).lower().endswith(READABLE)]
    if not readable:
        return None
    file = readable[0]
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async with session.get(file["url_private_download"], headers=headers, allow_redirects=False) as response:
                if response.status != 200:
                    raise InvalidInput(f"I couldn't download {file['name']} from Slack. Please try again.")
                return minutes_text(file["name"], await response.read())
        except (aiohttp.ClientError, TimeoutError):
            raise InvalidInput(
                f"I couldn't download {file['name']} in time. Please paste the minutes instead."
            ) from None
