"""Reading Slack payloads into plain inputs."""

from bot.conversations.inputs import required_text
from handlers.context import Actor


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


def event_actor(body: dict, in_channel: bool = True) -> Actor:
    """Who an event is about, and in which channel (not for the Home tab, whose "channel" is the app's own)."""
    event = body["event"]
    channel = required_text(event["channel"]) if in_channel else None
    return Actor(required_text(workspace_of(body)), required_text(event["user"]), channel)


def request_key(body: dict, team_id: str) -> str:
    """Slack sends the same trigger_id when it retries a request, and a new one for every new request."""
    return f"slack:{team_id}:{body['trigger_id']}"
