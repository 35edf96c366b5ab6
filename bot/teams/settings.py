"""Teams' settings, read from the environment under the Microsoft 365 Agents SDK's own names.

CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID       the bot's Entra app (client) id
CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET   its client secret
CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID       the council's tenant: requests from any other are refused
CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED   true only to try the bot with no tenant (tests,
                                                               a local emulator); refused beside credentials
TEAMS_GRAPH_URL   where Microsoft Graph is read (the bot's own recent posts, after a crash); Graph's own address
                  unless set, as SLACK_API_URL is Slack's: tests point it at their fake
TEAMS_FILE_HOSTS  where a file a person sends the bot may be downloaded from, replacing SharePoint's own domains
                  (bot/teams/file_hosts.py says how it is written): tests name their fake
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microsoft_agents.hosting.core.authorization import ConnectionManager

from bot.teams.connector import GRAPH_URL
from bot.teams.file_hosts import SETTING as FILE_HOSTS_SETTING
from bot.teams.file_hosts import FileHosts

PREFIX = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
CLIENT_ID, CLIENT_SECRET, TENANT_ID, ANONYMOUS = (
    f"{PREFIX}{name}" for name in ("CLIENTID", "CLIENTSECRET", "TENANTID", "ANONYMOUS_ALLOWED")
)
SERVICE_CONNECTION = "SERVICE_CONNECTION"
GRAPH_URL_SETTING = "TEAMS_GRAPH_URL"


class TeamsMisconfigured(SystemExit):
    def __init__(self, problem: str) -> None:
        super().__init__(f"committee-bot: {problem}")


def _file_hosts(value: str | None) -> FileHosts:
    if not (value or "").strip():
        return FileHosts()
    try:
        return FileHosts.parse(value)
    except ValueError as problem:
        raise TeamsMisconfigured(f"{FILE_HOSTS_SETTING} {problem}.") from None


@dataclass(frozen=True)
class TeamsSettings:
    client_id: str | None = None
    client_secret: str | None = None
    tenant_id: str | None = None
    anonymous: bool = False
    environ: Mapping[str, str] | None = None  # the SDK's whole configuration, for its connection manager
    graph_url: str = GRAPH_URL
    file_hosts: FileHosts = FileHosts()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> "TeamsSettings | None":
        """Teams' settings, or None where none is set (a Slack-only install); a missing or inconsistent one
        stops start-up with one line."""
        found = {name: (environ.get(name) or "").strip() for name in (CLIENT_ID, CLIENT_SECRET, TENANT_ID, ANONYMOUS)}
        if not any(found.values()):
            return None
        anonymous = found[ANONYMOUS].lower() in ("true", "1", "yes")
        settings = cls(
            found[CLIENT_ID] or None,
            found[CLIENT_SECRET] or None,
            found[TENANT_ID] or None,
            anonymous,
            {name: value for name, value in environ.items() if name.startswith("CONNECTIONS__")},
            (environ.get(GRAPH_URL_SETTING) or "").strip() or GRAPH_URL,
            _file_hosts(environ.get(FILE_HOSTS_SETTING)),
        )
        settings.check()
        return settings

    def check(self) -> None:
        if self.anonymous and (self.client_id or self.client_secret):
            raise TeamsMisconfigured(
                f"{ANONYMOUS} is for trying the bot with no tenant; it is refused beside a client id or secret. "
                "Unset one or the other."
            )
        if self.anonymous:
            return
        for name, value in (
            (CLIENT_ID, self.client_id),
            (CLIENT_SECRET, self.client_secret),
            (TENANT_ID, self.tenant_id),
        ):
            if not value:
                raise TeamsMisconfigured(
                    f"the environment variable {name} is not set; Teams needs the client id, secret and tenant id "
                    "of the bot's app registration together."
                )

    def connections(self) -> "ConnectionManager":
        # Imported here, not above: every process reads these settings at start-up, and the SDK takes over half a
        # second to import where Teams is not configured at all.
        from microsoft_agents.activity import load_configuration_from_env
        from microsoft_agents.authentication.msal import MsalConnectionManager
        from microsoft_agents.hosting.core import AgentAuthConfiguration, AnonymousTokenProvider
        from microsoft_agents.hosting.core.authorization import ConnectionManager

        if self.anonymous:
            return ConnectionManager(
                provider_factory=lambda _configuration: AnonymousTokenProvider(),
                connections_configurations={
                    SERVICE_CONNECTION: AgentAuthConfiguration(anonymous_allowed=True, tenant_id=self.tenant_id)
                },
            )
        environ = self.environ or {
            CLIENT_ID: self.client_id,
            CLIENT_SECRET: self.client_secret,
            TENANT_ID: self.tenant_id,
        }
        return MsalConnectionManager(**load_configuration_from_env(dict(environ)))
