"""Proves the end-to-end harness is faithful to Slack, using a throwaway Bolt app (not the bot).

If these pass, a failing end-to-end test of the bot points at the bot, not
at the fake Web API or the request signing.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from tests.support.fake_slack import FakeSlackWebAPI
from tests.support.slack_client import (
    Reply,
    SignedSlackClient,
    checkbox_values,
    select_value,
    text_value,
    user_value,
    users_value,
)

SIGNING_SECRET = "harness-signing-secret"
BOT_TOKEN = "xoxb-test"
CHANNEL = "C0COMMITTEE"
USER = "U0CLERK"


# ---------------------------------------------------------------------- fixtures


@pytest.fixture
async def fake():
    async with FakeSlackWebAPI() as fake:
        yield fake


@pytest.fixture
def web_client(fake: FakeSlackWebAPI) -> AsyncWebClient:
    return AsyncWebClient(base_url=fake.base_url, token=BOT_TOKEN)


@pytest.fixture
def retry_headers_seen() -> list[str | None]:
    """X-Slack-Retry-Num of each event the app received, as Bolt saw it."""
    return []


@pytest.fixture
def bolt_app(fake: FakeSlackWebAPI, retry_headers_seen: list[str | None]) -> AsyncApp:
    # The token comes from the client; also passing token= makes Bolt warn that it is ignored.
    app = AsyncApp(
        signing_secret=SIGNING_SECRET,
        client=AsyncWebClient(base_url=fake.base_url, token=BOT_TOKEN),
    )

    @app.command("/harness")
    async def on_command(ack, command, client, respond):
        await ack()
        await client.chat_postMessage(channel=command["channel_id"], text=f"echo: {command['text']}")
        await respond("done")

    @app.view("harness_modal")
    async def on_submission(ack, view, client):
        await ack()
        values = view["state"]["values"]
        await client.chat_postMessage(
            channel=view["private_metadata"],
            text=f"title={values['title']['input']['value']} chair={values['chair']['pick']['selected_user']}",
        )

    @app.action("harness_button")
    async def on_button(ack, body, client):
        await ack()
        action = body["actions"][0]
        await client.chat_postMessage(
            channel=body["channel"]["id"], text=f"clicked {action['value']} in {action['block_id']}"
        )

    @app.shortcut("harness_shortcut")
    async def on_shortcut(ack, shortcut, client):
        await ack()
        await client.chat_postMessage(channel=shortcut["channel"]["id"], text=f"shortcut on {shortcut['message_ts']}")

    @app.event("app_mention")
    async def on_mention(event, say, request: AsyncBoltRequest):
        retry_headers_seen.append(next(iter(request.headers.get("x-slack-retry-num", [])), None))
        await say(f"heard: {event['text']}")

    return app


@pytest.fixture
async def slack(fake: FakeSlackWebAPI, bolt_app: AsyncApp):
    runner = web.AppRunner(bolt_app.web_app(), shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    async with SignedSlackClient(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET, fake=fake) as client:
        yield client
    await runner.cleanup()


# ---------------------------------------------------------------------- requests reach Bolt


async def test_slash_command_is_acked_and_the_listener_posts(slack: SignedSlackClient, fake: FakeSlackWebAPI):
    reply = await slack.slash_command("/harness", "hello", user_id=USER, channel_id=CHANNEL)

    assert reply.status == 200
    [post] = await fake.wait_for("chat.postMessage")
    assert post.params["channel"] == CHANNEL
    assert post.params["text"] == "echo: hello"
    assert post.token == BOT_TOKEN
    assert fake.calls_to("auth.test"), "Bolt authorizes through the fake"
    [(_, body)] = await fake.wait_for_response()
    assert body["text"] == "done"


async def test_each_slash_command_gets_its_own_trigger_id(slack: SignedSlackClient):
    first = await slack.slash_command("/harness", user_id=USER, channel_id=CHANNEL)
    second = await slack.slash_command("/harness", user_id=USER, channel_id=CHANNEL)

    assert trigger_id_of(first) != trigger_id_of(second)


async def test_view_submission_reaches_the_view_listener(slack: SignedSlackClient, fake: FakeSlackWebAPI):
    values = {
        "title": {"input": text_value("Planning")},
        "chair": {"pick": user_value("U0CHAIR")},
        "members": {"pick": users_value(["U1", "U2"])},
        "kind": {"pick": select_value("planning")},
        "flags": {"pick": checkbox_values(["public"])},
    }

    reply = await slack.view_submission("harness_modal", values, user_id=USER, private_metadata=CHANNEL)

    assert reply.status == 200
    assert reply.text == ""  # a bare ack closes the modal
    [post] = await fake.wait_for("chat.postMessage")
    assert post.params["text"] == "title=Planning chair=U0CHAIR"


async def test_block_action_reports_the_block_holding_the_button(slack: SignedSlackClient, fake: FakeSlackWebAPI):
    message = {
        "type": "message",
        "ts": "1700000000.000100",
        "text": "vote",
        "blocks": [
            {
                "type": "actions",
                "block_id": "vote_block",
                "elements": [{"type": "button", "action_id": "harness_button", "value": "yes"}],
            }
        ],
    }

    reply = await slack.block_action("harness_button", "yes", user_id=USER, channel_id=CHANNEL, message=message)

    assert reply.status == 200
    [post] = await fake.wait_for("chat.postMessage")
    assert post.params["text"] == "clicked yes in vote_block"


async def test_message_shortcut_reaches_the_shortcut_listener(slack: SignedSlackClient, fake: FakeSlackWebAPI):
    message = {"type": "message", "ts": "1700000000.000200", "user": "U0MEMBER", "text": "minutes"}

    reply = await slack.message_shortcut("harness_shortcut", user_id=USER, channel_id=CHANNEL, message=message)

    assert reply.status == 200
    [post] = await fake.wait_for("chat.postMessage")
    assert post.params["text"] == "shortcut on 1700000000.000200"


async def test_event_reaches_the_event_listener(slack: SignedSlackClient, fake: FakeSlackWebAPI):
    reply = await slack.event(app_mention("<@UBOT> hi"))

    assert reply.status == 200
    [post] = await fake.wait_for("chat.postMessage")
    assert (post.params["channel"], post.params["text"]) == (CHANNEL, "heard: <@UBOT> hi")


async def test_replay_resends_the_same_body_with_retry_headers(
    slack: SignedSlackClient, fake: FakeSlackWebAPI, retry_headers_seen: list[str | None]
):
    original = await slack.event(app_mention("<@UBOT> again"))
    retried = await slack.replay(original, retry_num=1)

    assert retried.status == 200
    assert retried.body == original.body
    assert retried.headers["X-Slack-Retry-Reason"] == "http_timeout"
    await fake.wait_for("chat.postMessage", count=2)
    assert sorted(retry_headers_seen, key=str) == ["1", None]


# ---------------------------------------------------------------------- request verification


async def test_a_forged_signature_is_rejected(slack: SignedSlackClient, fake: FakeSlackWebAPI):
    body = b"command=%2Fharness&text=hi"
    headers = slack.signed_headers(body) | {"X-Slack-Signature": "v0=" + "0" * 64}

    reply = await slack.send(body, headers)

    assert reply.status == 401
    assert not fake.calls_to("chat.postMessage")


async def test_a_six_minute_old_timestamp_is_rejected(slack: SignedSlackClient):
    body = b"command=%2Fharness&text=hi"
    # Correctly signed, but for a moment outside Slack's five-minute replay window.
    headers = slack.signed_headers(body, timestamp=int(time.time()) - 6 * 60)

    assert (await slack.send(body, headers)).status == 401


async def test_missing_signature_headers_are_rejected(slack: SignedSlackClient):
    body = b"command=%2Fharness&text=hi"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    assert (await slack.send(body, headers)).status == 401


# ---------------------------------------------------------------------- Web API fidelity


async def test_sdk_retry_handler_waits_out_a_429_and_succeeds(fake: FakeSlackWebAPI):
    client = AsyncWebClient(
        base_url=fake.base_url, token=BOT_TOKEN, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)]
    )
    # Retry-After 0 keeps the test fast; the sdk still sleeps up to a second of jitter.
    fake.fail("chat.postMessage", status=429, retry_after=0)

    response = await client.chat_postMessage(channel=CHANNEL, text="minutes")

    assert response["ok"]
    first, second = fake.calls_to("chat.postMessage")
    assert first.failed and first.failure == "http 429"
    assert not second.failed


async def test_a_429_carries_retry_after_and_raises_without_a_handler(fake: FakeSlackWebAPI, web_client):
    fake.fail("chat.postMessage", status=429, retry_after=30)

    with pytest.raises(SlackApiError) as raised:
        await web_client.chat_postMessage(channel=CHANNEL, text="minutes")

    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "30"
    assert raised.value.response["error"] == "ratelimited"


async def test_an_error_answer_is_ok_false_with_http_200(fake: FakeSlackWebAPI, web_client):
    fake.fail("chat.postMessage", error="channel_not_found", times=2)

    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            await web_client.chat_postMessage(channel=CHANNEL, text="minutes")
        assert raised.value.response.status_code == 200
        assert raised.value.response["error"] == "channel_not_found"
    assert (await web_client.chat_postMessage(channel=CHANNEL, text="minutes"))["ok"]


async def test_server_errors_are_retried_by_the_sdk_server_error_handler(fake: FakeSlackWebAPI):
    client = AsyncWebClient(base_url=fake.base_url, token=BOT_TOKEN, retry_handlers=[AsyncServerErrorRetryHandler()])
    fake.fail("chat.update", status=503)

    response = await client.chat_update(channel=CHANNEL, ts="1700000000.000100", text="edited")

    assert response["ok"]
    assert [call.failed for call in fake.calls_to("chat.update")] == [True, False]


async def test_a_delay_times_the_client_out_but_the_post_still_lands(fake: FakeSlackWebAPI):
    client = AsyncWebClient(base_url=fake.base_url, token=BOT_TOKEN, timeout=1)
    fake.fail("chat.postMessage", delay=1.5)

    with pytest.raises(asyncio.TimeoutError):
        await client.chat_postMessage(channel=CHANNEL, text="slow")

    [call] = fake.calls_to("chat.postMessage")
    assert call.failure == "delayed 1.5s"
    # The server finishes the slow answer after the client gave up, like a real post that lands late.
    await eventually(lambda: [m["text"] for m in fake.history.get(CHANNEL, [])] == ["slow"])


async def test_per_channel_rate_limits_posts_to_the_same_channel(fake: FakeSlackWebAPI, web_client):
    fake.per_channel_rate(seconds=1.0)

    await web_client.chat_postMessage(channel="C1", text="first")
    await web_client.chat_postMessage(channel="C2", text="other channel is fine")
    with pytest.raises(SlackApiError) as raised:
        await web_client.chat_postMessage(channel="C1", text="too soon")

    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "1"
    assert [c.failed for c in fake.calls_to("chat.postMessage")] == [False, False, True]


async def test_post_message_answers_with_increasing_ts_and_permalinks(fake: FakeSlackWebAPI, web_client):
    first = await web_client.chat_postMessage(channel=CHANNEL, text="one", blocks=[section("one")])
    second = await web_client.chat_postMessage(channel=CHANNEL, text="two")
    link = await web_client.chat_getPermalink(channel=CHANNEL, message_ts=first["ts"])

    assert first["ts"] == "1700000000.000100"
    assert float(second["ts"]) > float(first["ts"])
    assert first["message"]["blocks"] == [section("one")]
    assert fake.calls_to("chat.postMessage")[0].params["blocks"] == [section("one")]
    assert link["permalink"] == f"https://example.slack.com/archives/{CHANNEL}/p1700000000000100"


async def test_views_answer_with_an_id_and_hash(fake: FakeSlackWebAPI, web_client):
    modal = {"type": "modal", "callback_id": "harness_modal", "title": {"type": "plain_text", "text": "T"}}

    opened = await web_client.views_open(trigger_id="1.2.abc", view=modal)
    updated = await web_client.views_update(view_id=opened["view"]["id"], view=modal)

    assert opened["view"]["id"] == "V0001"
    assert opened["view"]["callback_id"] == "harness_modal"
    assert updated["view"]["id"] == "V0001"
    assert updated["view"]["hash"] != opened["view"]["hash"]
    assert fake.calls_to("views.open")[0].params["view"] == modal


async def test_files_upload_v2_stores_the_content(fake: FakeSlackWebAPI, web_client):
    response = await web_client.files_upload_v2(
        channel=CHANNEL, filename="minutes.docx", title="Minutes", content=b"\x00binary", initial_comment="Attached"
    )

    assert response["file"]["title"] == "Minutes"
    [uploaded] = fake.uploaded_files
    assert (uploaded.filename, uploaded.title, uploaded.content) == ("minutes.docx", "Minutes", b"\x00binary")
    assert (uploaded.channel_id, uploaded.initial_comment) == (CHANNEL, "Attached")


async def test_conversations_members_paginates(fake: FakeSlackWebAPI, web_client):
    fake.members[CHANNEL] = ["U1", "U2", "U3", "U4", "U5"]

    pages = [page["members"] async for page in await web_client.conversations_members(channel=CHANNEL, limit=2)]

    assert pages == [["U1", "U2"], ["U3", "U4"], ["U5"]]
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await web_client.conversations_members(channel="C0UNKNOWN")


async def test_users_info_uses_configured_users_and_invents_others(fake: FakeSlackWebAPI, web_client):
    fake.add_user("U1", "Ann Smith", display_name="Cllr Smith", tz="Europe/London")

    ann = (await web_client.users_info(user="U1"))["user"]
    other = (await web_client.users_info(user="U9"))["user"]

    assert (ann["real_name"], ann["profile"]["display_name"], ann["tz"]) == ("Ann Smith", "Cllr Smith", "Europe/London")
    assert other["id"] == "U9" and other["profile"]["real_name"]
    fake.generate_unknown_users = False
    with pytest.raises(SlackApiError, match="user_not_found"):
        await web_client.users_info(user="U9")


async def test_history_and_replies_come_from_settable_state(fake: FakeSlackWebAPI, web_client):
    fake.history[CHANNEL] = [{"type": "message", "ts": "1.000001", "text": "old"}]
    parent = await web_client.chat_postMessage(channel=CHANNEL, text="new")
    await web_client.chat_postMessage(channel=CHANNEL, text="reply", thread_ts=parent["ts"])

    history = await web_client.conversations_history(channel=CHANNEL)
    replies = await web_client.conversations_replies(channel=CHANNEL, ts=parent["ts"])
    dm = await web_client.conversations_open(users="U1")

    assert [m["text"] for m in history["messages"]] == ["new", "old"]  # newest first, as Slack
    assert [m["text"] for m in replies["messages"]] == ["new", "reply"]
    assert dm["channel"]["id"] == "DU1"


async def test_params_are_read_from_json_form_and_query(fake: FakeSlackWebAPI):
    async with aiohttp.ClientSession() as http:
        await http.post(fake.base_url + "chat.postMessage", json={"channel": "C1", "blocks": [section("j")]})
        await http.post(fake.base_url + "chat.postMessage", data={"channel": "C2", "blocks": '[{"type": "divider"}]'})
        await http.get(fake.base_url + "made.up", params={"channel": "C3", "token": "xoxb-query"})

    json_call, form_call, query_call = fake.calls
    assert json_call.params["blocks"] == [section("j")]
    assert form_call.params["blocks"] == [{"type": "divider"}]
    assert (query_call.params, query_call.token) == ({"channel": "C3"}, "xoxb-query")


async def test_wait_for_times_out_with_a_listing_of_calls(fake: FakeSlackWebAPI, web_client):
    await web_client.chat_postEphemeral(channel=CHANNEL, user=USER, text="psst")

    with pytest.raises(AssertionError, match=r"chat\.postMessage(.|\n)*chat\.postEphemeral"):
        await fake.wait_for("chat.postMessage", timeout=0.1)


async def test_reset_forgets_calls_and_faults(fake: FakeSlackWebAPI, web_client):
    fake.fail("chat.postMessage", error="channel_not_found")
    await web_client.auth_test()

    fake.reset()

    assert fake.calls == []
    assert (await web_client.chat_postMessage(channel=CHANNEL, text="fine"))["ok"]


# ---------------------------------------------------------------------- helpers


async def eventually(condition, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def app_mention(text: str) -> dict[str, Any]:
    return {"type": "app_mention", "user": USER, "text": text, "channel": CHANNEL, "ts": "1700000000.000300"}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def trigger_id_of(reply: Reply) -> str:
    return parse_qs(reply.body.decode())["trigger_id"][0]
