"""Turning a request's failure into a polite message, whatever the platform."""

import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

from bot.message import Message
from bot.replies import error_message
from handlers import log_context
from handlers.context import Actor
from handlers.errors import UserFacingError
from storage.database import StorageError

log = logging.getLogger(__name__)
Result = TypeVar("Result")

DID_NOT_SAVE = (
    "Sorry, something went wrong on our side and this was not saved. Nothing has changed; please try again in a minute."
)
WENT_WRONG = "Sorry, something went wrong on our side. Nothing has changed; please try again in a minute."


@dataclass(frozen=True)
class Failure:
    message: Message
    field: str | None = None
    choices: tuple[str, ...] = ()  # answers for `field` that would be accepted, where the bot can offer some


async def attempt(work: Awaitable[Result], actor: Actor, what: str, their_text: str | None = None) -> Result | Failure:
    log_context.note_workspace(actor.workspace_id)
    try:
        return await work
    except UserFacingError as refusal:
        log_context.note_outcome(log_context.REFUSED)
        # The refusal's kind, not its sentence: a sentence may quote what the person typed, which is not logged.
        log.info("%s by %s refused (%s)", what, actor.user_id, type(refusal).__name__)
        return Failure(error_message(refusal.message, their_text), refusal.field, refusal.choices)
    except StorageError:
        log_context.note_outcome(log_context.FAILED)
        log.exception("%s by %s failed in the database", what, actor.user_id)
        return Failure(error_message(DID_NOT_SAVE, their_text))
    except Exception:
        log_context.note_outcome(log_context.FAILED)
        log.exception("%s by %s failed", what, actor.user_id)
        return Failure(error_message(WENT_WRONG, their_text))
