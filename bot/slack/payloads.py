"""Reading Slack payloads into plain inputs."""

import functools
import logging
from collections.abc import Awaitable, Callable

from bot.conversations.inputs import required_text
from handlers.context import Actor

log = logging.getLogger(__name__)


def workspace_of(body: dict) -> str | None:
    """The workspace a request acts in, read the same way for every check and every listener: a command's or
    event's team_id, an interaction's team (or, where Slack leaves it out, its user's team). None if the
    payload names none as Slack would."""
    team, user = body.get("team"), body.get("user")
    found = (
        (team.get("id") if isinstance(team, dict) else None)
        or body.get("team_id")
        or (user.get("team_id") if isinstance(user, dict) else None)
    )
    return found if isinstance(found, str) else None


def command_actor(body: dict) -> Actor:
    return Actor(required_text(workspace_of(body)), body["user_id"], body.get("channel_id"))


def interaction_actor(body: dict, channel_id: str | None = None) -> Actor:
    channel = channel_id or (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    # Ids are strings in every payload Slack sends; anything else is forged, and must not reach a query.
    return Actor(
        required_text(workspace_of(body)),
        required_text(body["user"]["id"]),
        required_text(channel) if channel else None,
    )


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
