"""Proves the fake Bot Connector answers the Microsoft 365 Agents SDK's own connector client as the service does.

If these pass, a failing Teams test of the bot points at the bot, not at the fake.
"""

from __future__ import annotations

import aiohttp
import pytest
from microsoft_agents.activity import Activity, ChannelAccount, ConversationParameters
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from tests.support.fake_bot_connector import (
    BOT_ID,
    CHANNEL_ID,
    CREATE,
    PAGED_MEMBERS,
    REPLY,
    SEND,
    TEAM_ID,
    TENANT_ID,
    FakeBotConnector,
)


@pytest.fixture
async def connector():
    async with FakeBotConnector() as fake:
        yield fake


@pytest.fixture
async def client(connector: FakeBotConnector):
    client = TeamsConnectorClient(endpoint=connector.service_url, token="test-token")
    yield client
    await client.close()


def message(text: str) -> Activity:
    return Activity(type="message", text=text, channel_id="msteams")


async def test_a_new_channel_thread_then_a_reply_in_it(connector: FakeBotConnector, client: TeamsConnectorClient):
    created = await client.conversations.create_conversation(
        ConversationParameters(
            is_group=True,
            agent=ChannelAccount(id=BOT_ID),
            channel_data={"channel": {"id": CHANNEL_ID}},
            activity=message("Comments open on the budget report"),
            tenant_id=TENANT_ID,
        )
    )
    assert created.id == f"{CHANNEL_ID};messageid={created.activity_id}"
    await client.conversations.reply_to_activity(created.id, created.activity_id, message("Two days left"))

    [thread] = connector.messages_in(CHANNEL_ID)
    assert thread.text == "Comments open on the budget report"
    assert [r.text for r in connector.thread_replies(CHANNEL_ID, thread.id)] == ["Two days left"]
    assert [c.kind for c in connector.calls] == [CREATE, REPLY]


async def test_a_one_to_one_chat_is_created_once_per_member(connector: FakeBotConnector, client: TeamsConnectorClient):
    member = connector.add_member(TEAM_ID, "Ada Clerk")
    parameters = ConversationParameters(
        is_group=False, agent=ChannelAccount(id=BOT_ID), members=[ChannelAccount(id=member.id)], tenant_id=TENANT_ID
    )
    first = await client.conversations.create_conversation(parameters)
    again = await client.conversations.create_conversation(parameters)
    sent = await client.conversations.send_to_conversation(first.id, message("Your comment is due"))

    assert first.id == again.id == connector.chat_with(member.id)
    assert [m.id for m in connector.messages_in(first.id)] == [sent.id]
    assert connector.calls_to(SEND)[0].token == "test-token"


async def test_the_roster_comes_in_pages(connector: FakeBotConnector, client: TeamsConnectorClient):
    names = [f"Member {n}" for n in range(7)]
    for name in names:
        connector.add_member(TEAM_ID, name)
    seen, token = [], None
    while True:
        page = await client.conversations.get_conversation_paged_members(TEAM_ID, 3, token)
        seen += [m.name for m in page.members]
        token = page.continuation_token
        if not token:
            break
    assert seen == names
    assert len(connector.calls_to(PAGED_MEMBERS)) == 3


async def test_an_injected_429_carries_retry_after_and_then_the_call_succeeds(
    connector: FakeBotConnector, client: TeamsConnectorClient
):
    connector.fail(SEND, 429, retry_after=7)
    with pytest.raises(aiohttp.ClientResponseError) as refused:
        await client.conversations.send_to_conversation("a:chat", message("hello"))
    assert refused.value.status == 429 and refused.value.headers["Retry-After"] == "7"
    await client.conversations.send_to_conversation("a:chat", message("hello"))
    assert [c.failure for c in connector.calls_to(SEND)] == ["http 429", None]
    assert [m.text for m in connector.messages_in("a:chat")] == ["hello"]


@pytest.mark.parametrize("status", [412, 502, 504])
async def test_injected_server_faults_reach_the_client(
    connector: FakeBotConnector, client: TeamsConnectorClient, status: int
):
    connector.fail(REPLY, status)
    with pytest.raises(aiohttp.ClientResponseError) as refused:
        await client.conversations.reply_to_activity("a:chat", "1", message("hello"))
    assert refused.value.status == status
    assert connector.messages_in("a:chat") == []


async def test_a_required_token_turns_away_anyone_without_it(connector: FakeBotConnector):
    connector.required_token = "the-real-token"
    wrong = TeamsConnectorClient(endpoint=connector.service_url, token="forged")
    try:
        with pytest.raises(aiohttp.ClientResponseError) as refused:
            await wrong.conversations.send_to_conversation("a:chat", message("hello"))
    finally:
        await wrong.close()
    assert refused.value.status == 401
    assert connector.messages_in("a:chat") == []
