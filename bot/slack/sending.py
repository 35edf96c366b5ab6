"""What sending reminders through Slack takes, and no more: the scheduler answers no Slack request, so it builds
no Bolt app, only the Web API clients, the member directory and the reminder sender."""

from bot.config import Settings
from bot.slack.directory import SlackDirectory
from bot.slack.reminders import SlackReminderSender
from bot.slack.web_api import reminder_client, reminder_poster, web_client
from handlers.context import Services
from storage.database import Database


def slack_reminders(settings: Settings, database: Database) -> tuple[Services, SlackReminderSender]:
    services = Services(database, SlackDirectory(web_client(settings)), public_url=settings.public_url)
    return services, SlackReminderSender(services, reminder_client(settings), reminder_poster(settings))
