"""A file a clerk sends the bot in their Teams chat is downloaded only from where Teams keeps files, and a file the bot
offers is uploaded only there.

Both addresses come in an activity, so a crafted one could otherwise make the bot request an internal address
(server-side request forgery). The test stack allows only the fake connector's own origin, written out with its
scheme in TEAMS_FILE_HOSTS (tests/teams_stack.py); the fake records every file request, so a refused address is seen
never to have been asked for, even where it names the same server under another name.
"""

import logging
from pathlib import Path

import pytest
from yarl import URL

from bot.teams.file_hosts import SETTING as FILE_HOSTS
from bot.teams.files import FILE_GONE
from bot.teams.settings import ANONYMOUS, TeamsSettings
from handlers.document_text import MAX_BYTES
from storage.models import MinutesImport
from tests.support.fake_bot_connector import FILE_DOWNLOAD, FILE_REDIRECT
from tests.teams_stack import CLERK, MEMBERS, buttons, consent, consent_cards, set_up_committee, shown, stored

FIXTURES = Path(__file__).parent / "fixtures"
LSCPB = (FIXTURES / "leicester-lscpb-annual-report-2019-20-minute.txt").read_text()
REFUSED = (
    "I only open files Teams keeps for you in OneDrive or SharePoint, and minutes.txt came from somewhere else, "
    "so I haven't opened it. Please attach it again here in our chat, or paste the minutes."
)


async def _send_file(teams, content: bytes, download_url: str | None = None) -> dict:
    """The clerk sends minutes.txt in their 1:1 chat, its attachment giving `download_url` (the fake's own address
    unless given); what the bot answered in the chat."""
    attachment = teams.connector.sent_file("minutes.txt", content, download_url)
    answer = await teams.teams.post(
        teams.teams.activity("message", CLERK, "chat", text="minutes", attachments=[attachment])
    )
    assert answer.status in (200, 202), answer.text
    return teams.last_private(CLERK)


def _on_the_fake_as(teams, host: str, path: str) -> str:
    """The fake connector's `path` under another name for the same server."""
    return str(URL(teams.connector.service_url).with_host(host).with_path(path))


async def test_teams_a_file_from_where_teams_keeps_files_is_read(teams):
    await set_up_committee(teams)
    told = await _send_file(teams, LSCPB.encode())
    assert "Check resolutions" in buttons(told)
    [download] = teams.connector.calls_to(FILE_DOWNLOAD)
    assert download.query["host"] == URL(teams.connector.service_url).authority


@pytest.mark.parametrize(
    "address",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "localhost",  # the fake itself, under a name the setting does not give
        "https://contoso-my.sharepoint.com/personal/Documents/minutes.txt",  # SharePoint is not this install's list
    ],
)
async def test_teams_a_file_from_anywhere_else_is_refused_privately_and_never_requested(teams, caplog, address):
    await set_up_committee(teams)
    posted_before = len(teams.channel_posts())
    if address == "localhost":
        address = _on_the_fake_as(teams, "localhost", "/onedrive/sent/minutes.txt")
    with caplog.at_level(logging.WARNING, logger="bot.teams.files"):
        told = await _send_file(teams, LSCPB.encode(), address)
    assert REFUSED in shown(told)
    assert "Check resolutions" not in buttons(told)
    assert teams.connector.calls_to(FILE_DOWNLOAD) == []
    assert f"a file address on {URL(address).host} was refused" in caplog.text
    assert len(teams.channel_posts()) == posted_before  # said in the clerk's chat only
    assert await stored(teams, MinutesImport) == []


async def test_teams_a_redirect_within_where_teams_keeps_files_is_followed(teams):
    await set_up_committee(teams)
    teams.connector.moved_files["minutes.txt"] = "/onedrive/sent/minutes.txt"
    told = await _send_file(teams, LSCPB.encode(), f"{teams.connector.service_url}onedrive/moved/minutes.txt")
    assert "Check resolutions" in buttons(told)
    assert len(teams.connector.calls_to(FILE_REDIRECT)) == 1
    assert len(teams.connector.calls_to(FILE_DOWNLOAD)) == 1


async def test_teams_a_redirect_to_anywhere_else_is_not_followed(teams, caplog):
    await set_up_committee(teams)
    teams.connector.moved_files["minutes.txt"] = _on_the_fake_as(teams, "localhost", "/onedrive/sent/minutes.txt")
    with caplog.at_level(logging.WARNING, logger="bot.teams.files"):
        told = await _send_file(teams, LSCPB.encode(), f"{teams.connector.service_url}onedrive/moved/minutes.txt")
    assert REFUSED in shown(told)
    assert len(teams.connector.calls_to(FILE_REDIRECT)) == 1
    assert teams.connector.calls_to(FILE_DOWNLOAD) == []
    assert "a file address on localhost was refused" in caplog.text
    assert await stored(teams, MinutesImport) == []


async def test_teams_a_large_file_is_read_to_its_end(teams):
    await set_up_committee(teams)
    attendance = "Those present signed the attendance book, which the clerk keeps with these minutes.\n" * 10_000
    told = await _send_file(teams, (attendance + LSCPB).encode())  # about 0.9 MB, the resolutions at its end
    assert "Check resolutions" in buttons(told)


async def test_teams_a_file_over_the_size_limit_is_still_refused(teams):
    await set_up_committee(teams)
    told = await _send_file(teams, b"x" * (MAX_BYTES + 1))
    assert "That file is larger than the 5 MB I can read." in shown(told)
    assert "Check resolutions" not in buttons(told)


async def test_teams_an_upload_address_anywhere_else_is_refused_and_nothing_is_uploaded(teams, caplog):
    await set_up_committee(teams)
    await teams.teams.say(CLERK, "meeting add 14 March 2041 10:00")
    await teams.teams.say(MEMBERS[0], "meeting calendar")
    [card] = consent_cards(teams, MEMBERS[0])
    upload_info = teams.connector.upload_info(card["name"])
    upload_info["uploadUrl"] = _on_the_fake_as(teams, "localhost", URL(upload_info["uploadUrl"]).path)
    with caplog.at_level(logging.WARNING, logger="bot.teams.files"):
        answer = await teams.teams.invoke(MEMBERS[0], "fileConsent/invoke", consent(card, upload_info))
    assert answer.status == 200, answer.text
    assert FILE_GONE in shown(teams.last_private(MEMBERS[0]))
    assert teams.connector.uploads == {}
    assert "a file address on localhost was refused" in caplog.text


# The setting.


def _allowed(file_hosts: str | None, address: str) -> bool:
    environment = {ANONYMOUS: "true"} | ({FILE_HOSTS: file_hosts} if file_hosts is not None else {})
    return TeamsSettings.from_environment(environment).file_hosts.allow(URL(address))


@pytest.mark.parametrize(
    "address",
    [
        "https://contoso-my.sharepoint.com/personal/dana_contoso_gov_uk/_layouts/15/download.aspx?tempauth=x",
        "https://contoso.sharepoint.us/sites/committees/minutes.docx",
        "https://army.sharepoint-mil.us/personal/minutes.docx",
        "https://contoso-my.sharepoint.cn/personal/minutes.docx",
        "https://CONTOSO-MY.SharePoint.com:443/personal/minutes.docx",
    ],
)
def test_sharepoints_domains_in_every_cloud_are_allowed_unless_the_setting_says_otherwise(address):
    assert _allowed(None, address)
    assert _allowed("", address)  # set but blank, as unset
    assert not _allowed("files.example.org", address)


@pytest.mark.parametrize(
    "address",
    [
        "http://contoso-my.sharepoint.com/personal/minutes.docx",  # plain http
        "https://contoso-my.sharepoint.com:8443/personal/minutes.docx",
        "https://contoso-my.sharepoint.com.evil.example/minutes.docx",
        "https://evilsharepoint.com/minutes.docx",
        "https://sharepoint.com@169.254.169.254/latest/meta-data/",
        "https://127.0.0.1/minutes.docx",
    ],
)
def test_anything_else_is_refused_by_default(address):
    assert not _allowed(None, address)


def test_plain_http_is_allowed_only_to_an_origin_written_out_with_its_scheme():
    setting = "sharepoint.com, http://127.0.0.1:8080"
    assert _allowed(setting, "http://127.0.0.1:8080/onedrive/sent/minutes.txt")
    assert _allowed(setting, "https://contoso-my.sharepoint.com/minutes.txt")
    assert not _allowed(setting, "http://127.0.0.1:8081/onedrive/sent/minutes.txt")
    assert not _allowed(setting, "https://127.0.0.1:8080/onedrive/sent/minutes.txt")
    assert not _allowed(setting, "http://localhost:8080/onedrive/sent/minutes.txt")


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("*.sharepoint.com", "write 'sharepoint.com', which takes it and every host under it"),
        ("ftp://files.example.org", "'ftp://files.example.org', which is not a domain"),
        ("https://files.example.org/minutes", "'https://files.example.org/minutes', which is not a domain"),
        ("localhost", "'localhost', which is not a domain"),
        ("sharepoint.com, 10.0.0.1", "'10.0.0.1', which is not a domain"),
        (" , ", "names no host"),
    ],
)
def test_a_malformed_file_hosts_setting_stops_start_up_in_one_line(value, said):
    with pytest.raises(SystemExit) as stopped:
        TeamsSettings.from_environment({ANONYMOUS: "true", FILE_HOSTS: value})
    message = str(stopped.value)
    assert message.startswith(f"committee-bot: {FILE_HOSTS} has") or message.startswith(
        f"committee-bot: {FILE_HOSTS} names"
    )
    assert said in message and "\n" not in message
