"""Where Teams keeps the files people send the bot, and so the only places the bot fetches such a file from.

A file sent in the 1:1 chat comes as an address the bot downloads, and a file the bot offers is uploaded to the address
Teams gives when the person accepts it. Both are written in an activity, so without this list a crafted one could make
the bot request whatever it can reach (a cloud's metadata service at 169.254.169.254, a service on localhost):
server-side request forgery.

Teams keeps a chat's files in the sender's OneDrive, which is SharePoint: `<tenant>-my.sharepoint.com` worldwide and in
GCC, `sharepoint.us` in GCC High, `sharepoint-mil.us` in DoD, and `sharepoint.cn` where 21Vianet runs Microsoft 365 in
China (Microsoft Cloud Deutschland's `sharepoint.de` closed in 2021). Those are fetched over https only. Microsoft's
bot documentation says bots cannot send or receive files in GCC High and DoD today; their domains are listed anyway,
being Microsoft's own SharePoint, so that the bot works there the day they can. An upload address (a OneDrive upload
session) is on the same hosts.

TEAMS_FILE_HOSTS replaces that list for an unusual tenant. It is a comma-separated list of entries, each either
  a domain, `sharepoint.com`: https on its usual port, to that host or any under it; or
  an origin with its scheme, `https://files.example.org` or `http://127.0.0.1:8080`: exactly that scheme, host and
  port. Plain http is fetched only from an origin an administrator wrote out this way (the tests' fake Teams).
"""

import re
from dataclasses import dataclass

from yarl import URL

SETTING = "TEAMS_FILE_HOSTS"
SHAREPOINT = ("sharepoint.com", "sharepoint.us", "sharepoint-mil.us", "sharepoint.cn")
DOMAIN = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)+")
FORMS = "a domain (sharepoint.com) or an origin with its scheme (https://files.example.org, http://127.0.0.1:8080)"


@dataclass(frozen=True)
class FileHosts:
    domains: tuple[str, ...] = SHAREPOINT  # https on port 443, to the domain or any host under it
    origins: tuple[tuple[str, str, int], ...] = ()  # (scheme, host, port), exactly

    @classmethod
    def parse(cls, value: str) -> "FileHosts":
        """The list a setting names; ValueError saying, in one line, what is wrong with it."""
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        if not entries:
            raise ValueError(f"names no host; give {FORMS}, separated by commas, or unset it for SharePoint's")
        domains = tuple(_domain(entry) for entry in entries if "://" not in entry)
        origins = tuple(_origin(entry) for entry in entries if "://" in entry)
        return cls(domains, origins)

    def allow(self, address: URL) -> bool:
        host = (address.host or "").lower()
        if (address.scheme, host, address.port) in self.origins:
            return True
        under_a_domain = any(host == domain or host.endswith("." + domain) for domain in self.domains)
        return address.scheme == "https" and address.port == 443 and under_a_domain


def _domain(entry: str) -> str:
    domain = entry.lower().removeprefix(".")
    if domain.startswith("*."):
        raise ValueError(f"has {entry!r}: write {domain[2:]!r}, which takes it and every host under it")
    if not DOMAIN.fullmatch(domain) or domain.rsplit(".", 1)[-1].isdigit():
        raise ValueError(f"has {entry!r}, which is not {FORMS}")
    return domain


def _origin(entry: str) -> tuple[str, str, int]:
    try:
        address = URL(entry)
    except ValueError:
        raise ValueError(f"has {entry!r}, which is not {FORMS}") from None
    whole = address.host and address.path in ("", "/") and not (address.query_string or address.fragment)
    if address.scheme not in ("http", "https") or not whole or address.user or address.port is None:
        raise ValueError(f"has {entry!r}, which is not {FORMS}")
    return address.scheme, address.host.lower(), address.port
