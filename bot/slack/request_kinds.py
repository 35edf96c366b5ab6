"""What kind of Slack request this is, and from which workspace, for its log lines and the request metrics.

Kinds are a short fixed list (a forged command or event type counts as "command" or "event", not as a kind of its
own), so the metrics stay a handful of series whatever is sent.
"""

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot import interactions
from bot.slack.payloads import workspace_of
from handlers import log_context

COMMANDS = frozenset(interactions.HELP)
EVENTS = frozenset(("message", "app_home_opened", "member_joined_channel", "member_left_channel", "app_uninstalled"))
INTERACTIONS = {
    "block_actions": "button",
    "view_submission": "form",
    "view_closed": "form closed",
    "shortcut": "shortcut",
    "message_action": "shortcut",
    "block_suggestion": "options",
}


def slack_kind(body: dict) -> str:
    command = body.get("command")
    if command:
        return f"command {command}" if command in COMMANDS else "command"
    if body.get("type") == "event_callback":
        event = body.get("event")
        event_type = event.get("type") if isinstance(event, dict) else None
        return f"event {event_type}" if event_type in EVENTS else "event"
    return INTERACTIONS.get(body.get("type"), "other") if isinstance(body.get("type"), str) else "other"


class NoteRequest(AsyncMiddleware):
    """The request's kind and workspace, in its log context. An object, as bot.slack.workspace's middlewares are:
    a function middleware has every listener argument built afresh for it."""

    async def async_process(self, *, req: AsyncBoltRequest, resp: BoltResponse, next) -> BoltResponse | None:  # noqa: A002
        log_context.note_kind(slack_kind(req.body))
        log_context.note_workspace(workspace_of(req.body))
        return await next()
