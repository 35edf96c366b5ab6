"""The manifest a clerk pastes into Slack declares exactly what the app listens for."""

from pathlib import Path

import yaml

from bot.interactions import COMMANDS, SHORTCUTS
from bot.slack.listeners.commands import ESCAPED

MANIFEST = yaml.safe_load((Path(__file__).parent.parent / "manifests" / "slack.yml").read_text())


def test_every_command_the_app_handles_is_declared():
    declared = {command["command"] for command in MANIFEST["features"]["slash_commands"]}
    assert declared == set(COMMANDS)


def test_the_commands_read_for_mentions_are_those_slack_escapes():
    """Slack sends mentions as <@U...> only in the text of commands declared with should_escape."""
    escaped = {command["command"] for command in MANIFEST["features"]["slash_commands"] if command["should_escape"]}
    assert escaped == ESCAPED


def test_every_message_shortcut_is_declared():
    declared = {(s["type"], s["callback_id"]) for s in MANIFEST["features"]["shortcuts"]}
    assert declared == {("message", callback_id) for callback_id in SHORTCUTS}


def test_scopes_cover_what_the_bot_calls():
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {
        "commands",
        "chat:write",
        "channels:read",
        "users:read",
        "im:write",
        "files:write",
        "channels:history",
    } <= scopes


def test_an_install_asks_for_the_scopes_the_manifest_declares():
    from bot.slack.installs import BOT_SCOPES

    assert sorted(BOT_SCOPES) == sorted(MANIFEST["oauth_config"]["scopes"]["bot"])


def test_uninstalls_and_revoked_tokens_are_heard_and_an_install_comes_back_to_the_bot():
    assert {"app_uninstalled", "tokens_revoked"} <= set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    assert [url.rsplit("/", 2)[-2:] for url in MANIFEST["oauth_config"]["redirect_urls"]] == [
        ["slack", "oauth_redirect"]
    ]


def test_thread_replies_and_membership_events_are_subscribed():
    events = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    assert {"message.channels", "member_joined_channel", "member_left_channel"} <= events
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
