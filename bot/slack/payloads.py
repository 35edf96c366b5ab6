"""Reading Slack payloads into plain inputs."""

from handlers.context import Actor


def command_actor(body: dict) -> Actor:
    return Actor(body["team_id"], body["user_id"], body.get("channel_id"))


def interaction_actor(body: dict, channel_id: str | None = None) -> Actor:
    team = (body.get("team") or {}).get("id") or body["user"]["team_id"]
    channel = channel_id or (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    return Actor(team, body["user"]["id"], channel)


def request_key(body: dict, team_id: str) -> str:
    """Slack sends the same trigger_id when it retries a request, and a new one for every new request."""
    return f"slack:{team_id}:{body['trigger_id']}"
