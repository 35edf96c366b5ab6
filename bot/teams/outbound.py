"""Teams' outbound half for a scheduler: the reminder sender and the roster directory, sharing one set of
connections, as a bot.platforms.Platform beside Slack's."""

from microsoft_agents.hosting.core.authorization import Connections

from bot.platforms import Platform
from bot.teams.connector import GRAPH_URL, TeamsConnections
from bot.teams.directory import TeamsDirectory
from bot.teams.ids import is_teams_target, is_teams_workspace
from bot.teams.reminders import CardRenderer, TeamsReminderSender
from handlers.context import Services
from storage.database import Database


def teams_platform(
    database: Database, connections: Connections, render_card: CardRenderer, graph_url: str = GRAPH_URL
) -> Platform:
    outbound = TeamsConnections(connections, graph_url)
    directory = TeamsDirectory(database, outbound)
    sender = TeamsReminderSender(Services(database, directory), outbound, render_card)
    return Platform(sender, directory, is_teams_target, is_teams_workspace)
