"""Replies in an announcement's thread, and membership changes that refresh the member cache."""

from slack_bolt.async_app import AsyncApp

from bot import interactions
from bot.conversations.inputs import required_text
from bot.outcomes import attempt
from bot.slack.delivery import SlackDelivery
from bot.slack.directory import SlackDirectory
from bot.slack.payloads import event_actor, workspace_of
from handlers.context import Services


def _is_person_replying_in_thread(event: dict) -> bool:
    thread_ts = event.get("thread_ts")
    return bool(thread_ts and thread_ts != event.get("ts") and not event.get("subtype") and not event.get("bot_id"))


def register(app: AsyncApp, services: Services, delivery: SlackDelivery, directory: SlackDirectory) -> None:
    @app.event("message")
    async def on_message(event: dict, body: dict) -> None:
        if not _is_person_replying_in_thread(event):
            return
        actor = event_actor(body)
        # The message's own identity, not the event delivery's: a retried delivery offers nothing twice.
        source_key = f"slack:{actor.workspace_id}:{actor.channel_id}:{required_text(event['ts'])}"
        text = required_text(event.get("text") or "")
        work = interactions.thread_reply(services, actor, required_text(event["thread_ts"]), text, source_key)
        outcome = await attempt(work, actor, "thread reply")
        if outcome is not None:
            delivery.spawn(delivery.tell(actor, actor.channel_id, outcome.message))

    @app.event("member_joined_channel")
    @app.event("member_left_channel")
    async def on_membership_change(event: dict, body: dict) -> None:
        directory.forget_channel(required_text(workspace_of(body)), required_text(event["channel"]))
