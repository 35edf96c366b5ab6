"""The Teams app package an administrator uploads: built by `committee-bot teams package`, valid against Microsoft's
schema, with the icons Teams asks for and the commands and message actions the bot answers."""

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from bot.interactions import HELP, SHORTCUTS

SCHEMA = Path(__file__).parent / "fixtures" / "teams-manifest-schema" / "MicrosoftTeams.v1.30.schema.json"
BOT_ID = "8d3f0c4e-5b6a-4c2d-9e1f-0a1b2c3d4e5f"
ENV = {
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": BOT_ID,
    "PUBLIC_URL": "https://committee-bot.example.gov.uk",
    "TEAMS_DEVELOPER_NAME": "Example Borough Council",
    "TEAMS_PRIVACY_URL": "https://www.example.gov.uk/privacy/committee-bot",
}


def package_command(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TEAMS_", "CONNECTIONS__", "PUBLIC_URL"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "teams", "package", "--out", str(tmp_path / "app.zip")],
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> zipfile.ZipFile:
    folder = tmp_path_factory.mktemp("package")
    built = package_command(folder, **ENV)
    assert built.returncode == 0, built.stderr
    assert "wrote the Teams app package" in built.stdout
    return zipfile.ZipFile(folder / "app.zip")


@pytest.fixture(scope="module")
def manifest(package: zipfile.ZipFile) -> dict:
    return json.loads(package.read("manifest.json"))


def test_the_package_holds_the_manifest_and_both_icons_at_its_top_level(package: zipfile.ZipFile):
    assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]


def test_the_manifest_is_valid_against_the_pinned_schema(manifest: dict):
    schema = json.loads(SCHEMA.read_text())
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(manifest), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []
    assert manifest["manifestVersion"] == schema["properties"]["manifestVersion"]["const"] == "1.30"
    assert manifest["$schema"].endswith("/teams/v1.30/MicrosoftTeams.schema.json")


def test_the_schema_refuses_what_teams_refuses(manifest: dict):
    """The validation can fail: a manifest without its bot id or with a too-long short name is refused."""
    validator = jsonschema.Draft4Validator(json.loads(SCHEMA.read_text()))
    broken = json.loads(json.dumps(manifest))
    del broken["bots"][0]["botId"]
    broken["name"]["short"] = "x" * 31
    assert len(list(validator.iter_errors(broken))) == 2


def test_the_ids_and_addresses_come_from_the_environment(manifest: dict):
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["webApplicationInfo"]["id"] == BOT_ID
    assert all(extension["botId"] == BOT_ID for extension in manifest["composeExtensions"])
    assert manifest["validDomains"] == ["committee-bot.example.gov.uk"]
    assert manifest["developer"]["name"] == "Example Borough Council"
    assert manifest["developer"]["privacyUrl"] == "https://www.example.gov.uk/privacy/committee-bot"
    assert manifest["developer"]["termsOfUseUrl"] == "https://committee-bot.example.gov.uk"


def test_a_rebuild_for_the_same_bot_keeps_the_app_id_so_uploading_it_updates_the_app(tmp_path: Path, manifest: dict):
    assert package_command(tmp_path, **ENV).returncode == 0
    again = json.loads(zipfile.ZipFile(tmp_path / "app.zip").read("manifest.json"))
    assert again["id"] == manifest["id"] != BOT_ID
    other = {**ENV, "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": "11111111-2222-4333-8444-555555555555"}
    assert package_command(tmp_path, **other).returncode == 0
    assert json.loads(zipfile.ZipFile(tmp_path / "app.zip").read("manifest.json"))["id"] != manifest["id"]


def test_the_bot_is_in_teams_group_chats_and_personal_chats(manifest: dict):
    assert set(manifest["bots"][0]["scopes"]) == {"team", "groupChat", "personal"}


def test_in_a_channel_every_command_is_listed_with_a_description(manifest: dict):
    [channel] = [c for c in manifest["bots"][0]["commandLists"] if "team" in c["scopes"]]
    assert {command["title"] for command in channel["commands"]} == {name.lstrip("/") for name in HELP}
    assert all(len(command["description"]) > 20 for command in channel["commands"])


def test_every_message_action_the_bot_answers_is_declared(manifest: dict):
    actions = {c["id"]: c for extension in manifest["composeExtensions"] for c in extension["commands"]}
    assert set(actions) == set(SHORTCUTS)
    assert actions["comment_from_message"]["title"] == "Add as comment on a report"
    assert all(action["type"] == "action" and action["context"] == ["message"] for action in actions.values())


def test_the_colour_icon_is_192_pixels_square(package: zipfile.ZipFile):
    assert Image.open(io.BytesIO(package.read("color.png"))).size == (192, 192)


def test_the_outline_icon_is_32_pixels_white_on_transparent(package: zipfile.ZipFile):
    outline = Image.open(io.BytesIO(package.read("outline.png"))).convert("RGBA")
    assert outline.size == (32, 32)
    colours = {pixel for pixel in outline.get_flattened_data() if pixel[3] > 0}
    assert colours and all(pixel[:3] == (255, 255, 255) for pixel in colours)
    assert any(pixel[3] == 0 for pixel in outline.get_flattened_data())


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PUBLIC_URL": "https://bot.example.gov.uk"}, "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID"),
        ({**ENV, "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": "not-a-guid"}, "must be a GUID"),
        ({**ENV, "PUBLIC_URL": "http://bot.example.gov.uk"}, "PUBLIC_URL must be an https:// address"),
    ],
)
def test_a_missing_or_wrong_setting_stops_the_build_with_one_line(tmp_path: Path, env: dict, named: str):
    refused = package_command(tmp_path, **env)
    assert refused.returncode != 0
    assert named in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "app.zip").exists()
