"""What the bot keeps from a message in a committee's channel is enough to post there later unprompted: the
channel itself (not the thread the message was in), the service address, the tenant, the bot and the team."""

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import TurnContext

from bot.teams.connector import kept_conversation, reference_to_keep

CHANNEL = "19:committee@thread.tacv2"


def a_reply_in_a_thread(channel_data: object) -> TurnContext:
    activity = Activity.model_validate(
        {
            "type": "message",
            "id": "1700000000123",
            "channelId": "msteams",
            "serviceUrl": "https://smba.trafficmanager.net/uk/",
            "from": {"id": "29:clerk", "name": "Dana Clerk"},
            "recipient": {"id": "28:bot-app-id", "name": "Committee Bot"},
            "conversation": {
                "id": f"{CHANNEL};messageid=1700000000001",
                "isGroup": True,
                "conversationType": "channel",
                "tenantId": "tenant-guid",
            },
            "channelData": channel_data,
        }
    )
    return TurnContext(object(), activity)  # no adapter is needed to read a turn's activity


def test_a_reference_kept_in_a_thread_reaches_the_channel_and_names_the_team():
    team = {"id": "19:team@thread.tacv2", "aadGroupId": "group-guid", "name": "Scrutiny"}
    kept = kept_conversation(reference_to_keep(a_reply_in_a_thread({"team": team, "channel": {"id": CHANNEL}})))
    assert kept.channel_id == CHANNEL
    assert (kept.team_id, kept.team_group_id) == ("19:team@thread.tacv2", "group-guid")
    assert (kept.tenant_id, kept.bot_id) == ("tenant-guid", "28:bot-app-id")
    assert kept.service_url == "https://smba.trafficmanager.net/uk/"


def test_a_reference_from_a_chat_has_no_team():
    kept = kept_conversation(reference_to_keep(a_reply_in_a_thread(None)))
    assert kept.team_id is None and kept.team_group_id is None
