"""What sending reminders through Slack takes, and no more: the scheduler answers no Slack request, so it builds
no Bolt app, only the Web API clients, the member directory and the reminder sender, as a bot.platforms.Platform
(the last listed: Slack takes whatever id no other platform claims)."""

from bot.config import Settings
from bot.platforms import Platform
from bot.reminder_delivery import ReminderDelivery
from bot.slack.directory import SlackDirectory
from bot.slack.reminders import SlackReminderTransport
from bot.slack.tokens import workspace_clients
from bot.slack.web_api import reminder_client, reminder_poster, web_client
from handlers.context import Services
from storage.database import Database


def slack_reminders(settings: Settings, database: Database) -> Platform:
    """Installed by OAuth, each reminder goes with its workspace's own token, refreshed here when near expiry."""
    client = web_client(settings)
    workspaces = workspace_clients(settings, database, client)
    directory = SlackDirectory(client, workspaces)
    services = Services(database, directory, public_url=settings.public_url)
    transport = SlackReminderTransport(reminder_client(settings), reminder_poster(settings), workspaces)
    return Platform(ReminderDelivery(services, transport), directory)
