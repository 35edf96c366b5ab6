"""Replies in an announcement's thread, and membership changes that refresh the member cache."""

from slack_bolt.async_app import AsyncApp

from bot import interactions
from bot.answers import answer
from bot.conversations.inputs import required_text
from bot.replies import Reply
from bot.slack.delivery import SlackDelivery
from bot.slack.directory import SlackDirectory
from bot.slack.listeners.answering import Telling
from bot.slack.mrkdwn import named, typed_text
from bot.slack.payloads import event_actor, workspace_of
from handlers.context import Actor, Services


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
        text, thread_ts = required_text(event.get("text") or ""), required_text(event["thread_ts"])
        work = _offer(actor, thread_ts, text, source_key)
        await answer(delivery, services, actor, Telling(delivery, actor), work, "thread reply")

    async def _offer(actor: Actor, thread_ts: str, text: str, source_key: str) -> Reply | None:
        typed = await named(typed_text(text), directory, actor)
        return await interactions.thread_reply(services, actor, thread_ts, typed, source_key)

    @app.event("member_joined_channel")
    @app.event("member_left_channel")
    async def on_membership_change(event: dict, body: dict) -> None:
        directory.forget_channel(required_text(workspace_of(body)), required_text(event["channel"]))
