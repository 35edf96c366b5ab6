"""`committee-bot teams package`: the app package a Teams administrator uploads, from manifests/teams/.

The manifest there is a template: the ids and addresses that differ between councils are filled from the
environment, so that one repository builds each council's package. The bot's id is its Entra app (client) id, read
from the same variable the Microsoft 365 Agents SDK reads it from.
"""

import json
import os
import re
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

MANIFEST_FOLDER = Path(__file__).resolve().parents[2] / "manifests" / "teams"
ICONS = ("color.png", "outline.png")
BOT_ID_SETTING = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID"
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
# The Teams app's own id, when none is given: made from the bot's id, so that each build for one bot carries the
# same id and uploading it again updates the app rather than adding a second one.
APP_ID_NAMESPACE = uuid.UUID("6f1d2a4e-3c1b-4f0e-9d7a-2b8c0e5f4a17")
DEFAULT_DEVELOPER = "Committee Bot"


class PackageRefused(SystemExit):
    def __init__(self, reason: str) -> None:
        super().__init__(f"committee-bot: cannot build the Teams app package: {reason}")


@dataclass(frozen=True)
class PackageSettings:
    bot_id: str
    teams_app_id: str
    app_version: str
    public_url: str
    developer_name: str
    website_url: str
    privacy_url: str
    terms_url: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> "PackageSettings":
        env = os.environ if environ is None else environ
        bot_id = _guid(env, BOT_ID_SETTING, "the bot's Entra app (client) id")
        public_url = _https_url(env, "PUBLIC_URL", None, "the address Teams reaches the bot at")
        website = _https_url(env, "TEAMS_WEBSITE_URL", public_url, "the council's page about the bot")
        return cls(
            bot_id=bot_id,
            teams_app_id=_guid(env, "TEAMS_APP_ID", None) if env.get("TEAMS_APP_ID") else _app_id_for(bot_id),
            app_version=env.get("TEAMS_APP_VERSION") or metadata.version("committee-bot"),
            public_url=public_url,
            developer_name=(env.get("TEAMS_DEVELOPER_NAME") or DEFAULT_DEVELOPER)[:32],
            website_url=website,
            privacy_url=_https_url(env, "TEAMS_PRIVACY_URL", website, "the privacy notice"),
            terms_url=_https_url(env, "TEAMS_TERMS_URL", website, "the terms of use"),
        )

    def values(self) -> dict[str, str]:
        return {
            "APP_VERSION": self.app_version,
            "TEAMS_APP_ID": self.teams_app_id,
            "BOT_ID": self.bot_id,
            "PUBLIC_HOST": urlsplit(self.public_url).hostname or "",
            "DEVELOPER_NAME": self.developer_name,
            "WEBSITE_URL": self.website_url,
            "PRIVACY_URL": self.privacy_url,
            "TERMS_URL": self.terms_url,
        }


def manifest_for(settings: PackageSettings, folder: Path = MANIFEST_FOLDER) -> dict:
    values = settings.values()
    template = (folder / "manifest.json").read_text(encoding="utf-8")
    # Values are substituted inside JSON strings: each is written as JSON would write it, less its quotes.
    filled = PLACEHOLDER.sub(lambda found: json.dumps(values[found.group(1)])[1:-1], template)
    return json.loads(filled)


def build_package(settings: PackageSettings, out: Path, folder: Path = MANIFEST_FOLDER) -> Path:
    """The zip Teams takes: manifest.json and the two icons, at its top level."""
    manifest = manifest_for(settings, folder)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for icon in ICONS:
            package.write(folder / icon, icon)
    return out


def _app_id_for(bot_id: str) -> str:
    return str(uuid.uuid5(APP_ID_NAMESPACE, bot_id.lower()))


def _guid(env: Mapping[str, str], name: str, purpose: str | None) -> str:
    value = (env.get(name) or "").strip()
    if not value:
        raise PackageRefused(f"the environment variable {name} ({purpose}) is not set.")
    if not GUID.match(value):
        raise PackageRefused(f"{name} must be a GUID such as 00000000-0000-0000-0000-000000000000.")
    return value.lower()


def _https_url(env: Mapping[str, str], name: str, default: str | None, purpose: str) -> str:
    value = (env.get(name) or "").strip() or default
    if not value:
        raise PackageRefused(f"the environment variable {name} ({purpose}) is not set.")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise PackageRefused(f"{name} must be an https:// address, as Teams requires.")
    return value
