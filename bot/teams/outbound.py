"""Teams' outbound half for a scheduler: reminders carried by the Teams transport and the roster directory,
sharing one set of connections, as a bot.platforms.Platform beside Slack's."""

from microsoft_agents.hosting.core.authorization import Connections

from bot.platforms import Platform
from bot.reminder_delivery import ReminderDelivery
from bot.teams.cards import message_card
from bot.teams.connector import GRAPH_URL, TeamsConnections
from bot.teams.directory import TeamsDirectory
from bot.teams.ids import is_teams_target, is_teams_workspace
from bot.teams.reminders import CardRenderer, TeamsReminderTransport
from bot.teams.settings import TeamsSettings
from handlers.context import Services
from storage.database import Database


def teams_platform(
    database: Database, connections: Connections, render_card: CardRenderer, graph_url: str = GRAPH_URL
) -> Platform:
    outbound = TeamsConnections(connections, graph_url)
    directory = TeamsDirectory(database, outbound)
    services = Services(database, directory)
    transport = TeamsReminderTransport(services, outbound, render_card)
    return Platform(ReminderDelivery(services, transport), directory, is_teams_target, is_teams_workspace)


def teams_reminders(settings: TeamsSettings, database: Database) -> Platform:
    """What sending reminders through Teams takes, and no more: the scheduler answers no activity, so it needs no
    adapter, only the connections and the cards."""
    return teams_platform(database, settings.connections(), message_card, settings.graph_url)
