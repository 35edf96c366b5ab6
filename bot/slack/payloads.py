"""Reading Slack payloads into plain inputs."""

import functools
import logging
from collections.abc import Awaitable, Callable

from bot.conversations.inputs import required_text
from handlers.context import Actor

log = logging.getLogger(__name__)


def command_actor(body: dict) -> Actor:
    return Actor(body["team_id"], body["user_id"], body.get("channel_id"))


def interaction_actor(body: dict, channel_id: str | None = None) -> Actor:
    team = (body.get("team") or {}).get("id") or body["user"]["team_id"]
    channel = channel_id or (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    # Ids are strings in every payload Slack sends; anything else is forged, and must not reach a query.
    return Actor(required_text(team), required_text(body["user"]["id"]), required_text(channel) if channel else None)


def request_key(body: dict, team_id: str) -> str:
    """Slack sends the same trigger_id when it retries a request, and a new one for every new request."""
    return f"slack:{team_id}:{body['trigger_id']}"


def tolerant(listener: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """Slack never sends a payload without its user or team, but a forged or truncated one must get an empty
    200 and a log line, not a 500 with a traceback. Bolt passes arguments by the listener's own names, which
    functools.wraps keeps visible."""

    @functools.wraps(listener)
    async def guarded(**arguments) -> None:
        try:
            await listener(**arguments)
        except (KeyError, TypeError, AttributeError, ValueError) as malformed:
            log.warning("ignored a malformed Slack payload (%s: %s)", type(malformed).__name__, malformed)
            if "ack" in arguments:
                await arguments["ack"]()

    return guarded
