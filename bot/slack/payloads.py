"""Reading Slack payloads into plain inputs, and turning failures into polite messages."""

import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

from bot.replies import Message, error_message, quote
from handlers.context import Actor
from handlers.errors import UserFacingError

log = logging.getLogger(__name__)
Result = TypeVar("Result")

DID_NOT_SAVE = (
    "Sorry, something went wrong on our side and this was not saved. Nothing has changed; please try again in a minute."
)
MIN_TEXT_WORTH_RETURNING = 40
WENT_WRONG = "Sorry, something went wrong on our side. Nothing has changed; please try again in a minute."


@dataclass(frozen=True)
class Failure:
    message: Message
    field: str | None = None


def command_actor(body: dict) -> Actor:
    return Actor(body["team_id"], body["user_id"], body.get("channel_id"))


def interaction_actor(body: dict, channel_id: str | None = None) -> Actor:
    team = (body.get("team") or {}).get("id") or body["user"]["team_id"]
    channel = channel_id or (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    return Actor(team, body["user"]["id"], channel)


def request_key(body: dict, team_id: str) -> str:
    """Slack sends the same trigger_id when it retries a request, and a new one for every new request."""
    return f"slack:{team_id}:{body['trigger_id']}"


async def attempt(work: Awaitable[Result], actor: Actor, what: str, their_text: str | None = None) -> Result | Failure:
    try:
        return await work
    except UserFacingError as refusal:
        log.info("%s by %s refused: %s", what, actor.user_id, refusal.message)
        return Failure(error_message(_with_their_text(refusal.message, their_text)), refusal.field)
    except SQLAlchemyError:
        log.exception("%s by %s failed in the database", what, actor.user_id)
        return Failure(error_message(_with_their_text(DID_NOT_SAVE, their_text)))
    except Exception:
        log.exception("%s by %s failed", what, actor.user_id)
        return Failure(error_message(_with_their_text(WENT_WRONG, their_text)))


def _with_their_text(sentence: str, their_text: str | None) -> str:
    # Slack does not show a slash command's text again after a refusal: a short command is easy to
    # retype, but a paragraph written on a phone would be lost.
    if not their_text or len(their_text.strip()) < MIN_TEXT_WORTH_RETURNING:
        return sentence
    return f"{sentence}\nHere is what you wrote, so you can send it again:\n{quote(their_text[:2500])}"
