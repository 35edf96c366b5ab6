"""One install serves one workspace: requests from any other are refused before a listener sees them."""

import json
import logging

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.replies import error_message
from bot.slack.blocks import message_payload
from bot.slack.payloads import workspace_of
from bot.slack.web_api import REQUEST_CLIENT

log = logging.getLogger(__name__)

ANOTHER_WORKSPACE = (
    "Sorry, this committee-bot is installed for another Slack workspace, so it can't act on requests from yours. "
    "Nothing has changed."
)


class AnswerWithWorkspaceClient(AsyncMiddleware):
    """What answers a request, and what follows the answer, speaks with the client Bolt authorized for the
    request's workspace (bot.slack.web_api.REQUEST_CLIENT): installed by OAuth, each workspace has its own token.
    Bolt's `next` only marks the chain to go on (the listeners run after every middleware has returned), so the
    client stays set for the rest of the request; SlackBot.dispatch clears it when the request is answered."""

    async def async_process(self, *, req: AsyncBoltRequest, resp: BoltResponse, next) -> BoltResponse | None:  # noqa: A002
        REQUEST_CLIENT.set(req.context.client)
        return await next()


class OnlyOurWorkspace(AsyncMiddleware):
    """A middleware object rather than a function: Bolt calls a function middleware with every listener argument
    built afresh, about 0.1 ms on each request."""

    async def async_process(self, *, req: AsyncBoltRequest, resp: BoltResponse, next) -> BoltResponse | None:  # noqa: A002
        return await only_our_workspace(req, req.context, next)


async def only_our_workspace(req: AsyncBoltRequest, context: AsyncBoltContext, next) -> BoltResponse | None:  # noqa: A002
    """The workspace Bolt authorized the request for (the one bot token's, learnt from auth.test; or, installed by
    OAuth, the installation found for the payload's team) is the only one a request may act in: a payload naming
    another anywhere the listeners look is refused politely, changing nothing."""
    ours = context.authorize_result.team_id if context.authorize_result else None
    theirs = workspace_of(req.body)
    if ours is None or theirs == ours:
        return await next()
    log.warning("refused a request from workspace %s: this install serves %s", theirs, ours)
    refusal = message_payload(error_message(ANOTHER_WORKSPACE))
    if req.body.get("command"):
        return BoltResponse(status=200, body=json.dumps({"response_type": "ephemeral", **refusal}))
    if req.body.get("type") == "view_submission":
        fields = list(((req.body.get("view") or {}).get("state") or {}).get("values") or {})
        errors = {"response_action": "errors", "errors": {fields[0]: ANOTHER_WORKSPACE}} if fields else {}
        return BoltResponse(status=200, body=json.dumps(errors) if errors else "")
    if context.response_url:
        await context.respond(response_type="ephemeral", replace_original=False, **refusal)
    return BoltResponse(status=200, body="")
