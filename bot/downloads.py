"""Files people send the bot, as read from the platform that keeps them (bot/slack/files.py, bot/teams/files.py)."""

import aiohttp

from handlers.document_text import MAX_BYTES

CHUNK_BYTES = 64 * 1024


async def read_up_to_too_large(body: aiohttp.StreamReader) -> bytes:
    """The whole body, or its first MAX_BYTES + 1 bytes: enough for the size check to refuse a file too large to
    read, without holding all of a large one in memory. One read would give only what has arrived so far, and cut
    a large file short unseen."""
    content = bytearray()
    async for chunk in body.iter_chunked(CHUNK_BYTES):
        content += chunk
        if len(content) > MAX_BYTES:
            break
    return bytes(content[: MAX_BYTES + 1])
