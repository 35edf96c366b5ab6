"""What sending reminders through Slack takes, and no more: the scheduler answers no Slack request, so it builds
no Bolt app, only the Web API clients, the member directory and the reminder sender."""

from bot.config import Settings
from bot.reminder_delivery import ReminderDelivery
from bot.slack.directory import SlackDirectory
from bot.slack.reminders import SlackReminderTransport
from bot.slack.tokens import workspace_clients
from bot.slack.web_api import reminder_client, reminder_poster, web_client
from handlers.context import Services
from storage.database import Database


def slack_reminders(settings: Settings, database: Database) -> tuple[Services, ReminderDelivery]:
    """Installed by OAuth, each reminder goes with its workspace's own token, refreshed here when near expiry."""
    client = web_client(settings)
    workspaces = workspace_clients(settings, database, client)
    services = Services(database, SlackDirectory(client, workspaces), public_url=settings.public_url)
    transport = SlackReminderTransport(reminder_client(settings), reminder_poster(settings), workspaces)
    return services, ReminderDelivery(services, transport)
