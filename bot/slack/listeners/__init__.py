"""Slack listeners, one module per kind of entry point, each with a register() called from here."""

from slack_bolt.async_app import AsyncApp

from bot.slack.delivery import SlackDelivery
from bot.slack.directory import SlackDirectory
from bot.slack.listeners import actions, commands, events, home, shortcuts, views
from handlers.context import Services


def register_listeners(app: AsyncApp, services: Services, delivery: SlackDelivery, directory: SlackDirectory) -> None:
    commands.register(app, services, delivery)
    actions.register(app, services, delivery)
    views.register(app, services, delivery)
    shortcuts.register(app, services, delivery)
    events.register(app, services, delivery, directory)
    home.register(app, services)
