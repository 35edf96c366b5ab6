"""A Teams committee's outbound side: the real reminder sender and roster directory talking to the fake Bot
Connector on loopback, over one database.

The committee is set up, its report opened and announced through the handlers, and the channel's conversation
reference kept, as the inbound side does when someone uses the bot in the channel."""

from dataclasses import dataclass
from datetime import UTC, datetime

import time_machine
from microsoft_agents.activity import Activity, ChannelAccount, ConversationParameters
from microsoft_agents.hosting.core import AgentAuthConfiguration, AnonymousTokenProvider
from microsoft_agents.hosting.core.authorization import ConnectionManager
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from bot.reminder_delivery import ReminderDelivery
from bot.teams.cards import message_card
from bot.teams.connector import PLATFORM
from bot.teams.directory import TeamsDirectory
from bot.teams.outbound import teams_platform
from handlers.comment_windows import WindowRequest, open_window, record_announcement
from handlers.committees import CommitteeSetup, set_up_committee
from handlers.context import Actor, Services
from handlers.reminders import tick
from storage.conversation_references import keep_reference
from storage.database import Database
from tests.flows import FAST
from tests.support.fake_bot_connector import (
    BOT_ID,
    CHANNEL_ID,
    TEAM_GROUP_ID,
    TEAM_ID,
    TENANT_ID,
    FakeBotConnector,
    Member,
)

PEOPLE = ("Dana Clerk", "Cllr Chair", "Director of Children and Family Services", "Cllr Patel", "Cllr Jones",
          "Cllr Smith")  # fmt: skip


class IssuedToken(AnonymousTokenProvider):
    """Stands in for MSAL with credentials: every token asked for is this one, and what it was asked for is kept."""

    TOKEN = "token-issued-to-the-bot"
    asked: list[tuple[str, tuple[str, ...]]] = []

    async def get_access_token(self, resource_url: str, scopes: list[str], force_refresh: bool = False) -> str:
        IssuedToken.asked.append((resource_url, tuple(scopes or ())))
        return self.TOKEN


def connection_manager(credentials: bool = False) -> ConnectionManager:
    """No tenant: the SDK's anonymous mode, as teams-in's settings give it for tests; or, with `credentials`, a
    provider that issues a token as MSAL would."""
    return ConnectionManager(
        provider_factory=lambda _configuration: IssuedToken() if credentials else AnonymousTokenProvider(),
        connections_configurations={"SERVICE_CONNECTION": AgentAuthConfiguration(anonymous_allowed=not credentials)},
    )


@dataclass
class TeamsSide:
    fake: FakeBotConnector
    database: Database
    services: Services
    sender: ReminderDelivery
    directory: TeamsDirectory
    clerk: Member
    chair: Member
    officer: Member
    members: tuple[Member, ...]
    committee_id: int | None = None

    def actor(self, member: Member) -> Actor:
        return Actor(TENANT_ID, member.id, CHANNEL_ID)


def teams_instance(
    fake: FakeBotConnector, database: Database, credentials: bool = False
) -> tuple[Services, ReminderDelivery, TeamsDirectory]:
    """One scheduler instance's Teams half."""
    platform = teams_platform(database, connection_manager(credentials), message_card, graph_url=fake.graph_url)
    return Services(database, platform.directory), platform.sender, platform.directory


async def start_teams_side(database: Database, credentials: bool = False) -> TeamsSide:
    fake = await FakeBotConnector().start()
    clerk, chair, officer, *members = (fake.add_member(TEAM_ID, name) for name in PEOPLE)
    services, sender, directory = teams_instance(fake, database, credentials)
    return TeamsSide(fake, database, services, sender, directory, clerk, chair, officer, tuple(members))


def kept_reference(fake: FakeBotConnector, claims: dict[str, str]) -> dict:
    """What the inbound side keeps for the channel: the SDK's Conversation JSON (the claims Teams' token carried,
    none in anonymous mode) and the team."""
    return {
        "claims": claims,
        "conversation_reference": {
            "activityId": "1700000000001",
            "agent": {"id": BOT_ID, "name": "Committee Bot"},
            "conversation": {"id": CHANNEL_ID, "isGroup": True, "conversationType": "channel", "tenantId": TENANT_ID},
            "channelId": PLATFORM,
            "serviceUrl": fake.service_url,
        },
        "team": {"id": TEAM_ID, "aadGroupId": TEAM_GROUP_ID},
    }


async def set_up_teams_committee(side: TeamsSide, at: datetime, claims: dict[str, str] | None = None) -> int:
    with time_machine.travel(at, tick=True):
        setup = CommitteeSetup("Children and Families Overview and Scrutiny Committee", chair_id=side.chair.id)
        summary = await set_up_committee(side.services, side.actor(side.clerk), setup)
        async with side.database.session() as session:
            await keep_reference(
                session, summary.id, PLATFORM, kept_reference(side.fake, claims or {}), datetime.now(UTC)
            )
            await session.commit()
    side.committee_id = summary.id
    return summary.id


async def open_teams_window(side: TeamsSide, title: str, deadline: str, at: datetime, announce: bool = True) -> int:
    """Opens a report's comment window; announced, as the inbound side announces it, in a new channel thread."""
    with time_machine.travel(at, tick=True):
        request = WindowRequest(title, "https://example.org/report.pdf", side.officer.id, deadline)
        window, _created = await open_window(side.services, side.actor(side.clerk), request, f"open-{title}")
        if announce:
            root = await _announce(side.fake, f"Comments open on {title}")
            await record_announcement(side.services, side.actor(side.clerk), window.id, root, None)
    return window.id


async def _announce(fake: FakeBotConnector, text: str) -> str:
    client = TeamsConnectorClient(endpoint=fake.service_url, token="")
    try:
        created = await client.conversations.create_conversation(
            ConversationParameters(
                is_group=True,
                agent=ChannelAccount(id=BOT_ID),
                channel_data={"channel": {"id": CHANNEL_ID}},
                activity=Activity(type="message", text=text, channel_id=PLATFORM),
                tenant_id=TENANT_ID,
            )
        )
    finally:
        await client.close()
    return created.activity_id


async def teams_tick_at(side: TeamsSide, instant: datetime, instance: str = "teams-test") -> None:
    with time_machine.travel(instant, tick=False):
        await tick(side.services, side.sender, instance, FAST)
