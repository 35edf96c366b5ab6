"""The answer policy, the same on every platform: what the person who asked sees, what the place sees, and what
follows (announcements, files), whatever front end the request came through.

- A refusal or failure is private, and changes nothing (bot.outcomes.attempt has logged it).
- A form is opened; if the platform no longer lets the request open one, the person is told why, privately.
- A reply is private unless the conversation said it is for the place (`Reply.in_channel`).
- Announcements and files follow the answer: each announcement is posted in the committee's place and then
  recorded with its ref and link, and files go to the person privately.
"""

import logging
from collections.abc import Awaitable
from dataclasses import replace

from bot.forms import Form
from bot.front_end import Answering, FrontEnd, NotDelivered
from bot.outcomes import Failure, attempt
from bot.replies import Reply, announcement, error_message
from handlers.comment_windows import WindowSummary, record_announcement
from handlers.comments import says_no_comments
from handlers.context import Actor, Services

log = logging.getLogger(__name__)

Outcome = Reply | Form | Failure | None
MIN_TEXT_WORTH_RETURNING = 40
FILES_NOT_SENT = "Sorry, I couldn't send you the files. Please try again in a minute."


async def answer(
    front_end: FrontEnd,
    services: Services,
    actor: Actor,
    answering: Answering,
    work: Awaitable[Reply | Form | None],
    what: str,
    typed: str | None = None,
) -> Outcome:
    """Run one request's work and answer it; the outcome, for a front end that must know more (a form to keep
    open). `what` names the request in the log; `typed` is a command's text, handed back if it fails and is worth
    keeping."""
    outcome = await attempt(work, actor, what, worth_handing_back(what, typed))
    await answer_with(front_end, services, actor, answering, outcome)
    return outcome


def worth_handing_back(command: str, typed: str | None) -> str | None:
    """A chat app does not show a command's text again after a refusal: a short command is easy to retype, but a
    comment written on a phone would be lost. Only a comment's words are kept, and not "<report> no comments"."""
    if command != "/comment" or not typed or len(typed.strip()) < MIN_TEXT_WORTH_RETURNING:
        return None
    return None if says_no_comments(typed.strip().partition(" ")[2]) else typed


async def answer_with(front_end: FrontEnd, services: Services, actor: Actor, answering: Answering, outcome: Outcome):
    """Answer with an outcome already known."""
    if outcome is None:
        return
    if isinstance(outcome, Failure):
        await answering.refuse(outcome)
    elif isinstance(outcome, Form):
        if (refusal := await answering.open_form(outcome)) is not None:
            await answering.refuse(Failure(refusal))
    else:
        if outcome.message is not None:
            await (answering.publicly if outcome.in_channel else answering.privately)(outcome.message)
        if outcome.announce or outcome.files:
            front_end.later(follow_up(front_end, services, actor, outcome))


async def follow_up(front_end: FrontEnd, services: Services, actor: Actor, reply: Reply) -> None:
    """What a reply needs besides the answer itself."""
    for window in reply.announce:
        await announce(front_end, services, actor, window)
    if reply.files:
        try:
            await front_end.send_files(actor, reply.files, reply.message)
        except NotDelivered as reason:
            log.error("sending files to %s failed: %s", actor.user_id, reason)
            await front_end.tell(replace(actor, channel_id=None), error_message(FILES_NOT_SENT))


async def announce(front_end: FrontEnd, services: Services, actor: Actor, window: WindowSummary) -> None:
    """A comment window announced in its committee's place, then recorded, so that receipts link back to it and
    replies in its thread are offered as comments."""
    ref = await front_end.post(window.channel_id, announcement(window))
    link = await front_end.link_to(window.channel_id, ref)
    await record_announcement(services, actor, window.id, ref, link)
    log.info("announced window %s in %s at %s", window.id, window.channel_id, ref)
