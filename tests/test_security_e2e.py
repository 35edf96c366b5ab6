"""Requests not signed by Slack are refused with 401 and change nothing; workspaces never meet."""

import time
from urllib.parse import urlencode

from storage.models import Comment
from tests.flows import comment_inline, open_window, set_up_committee, shown_text, stored
from tests.stack import CHANNEL, MEMBERS, SIGNING_SECRET
from tests.support.slack_client import SignedSlackClient

PATEL = MEMBERS[0]


def _command_body(text: str) -> bytes:
    return urlencode(
        {
            "team_id": "T0001",
            "channel_id": CHANNEL,
            "user_id": PATEL,
            "command": "/comment",
            "text": text,
            "trigger_id": "1.2.3",
            "response_url": "http://127.0.0.1:9/x",
        }
    ).encode()


async def test_bad_signature_stale_timestamp_and_missing_headers_get_401(stack):
    await set_up_committee(stack)
    await open_window(stack)
    body = _command_body("annual-report-2021 Forged")
    forged = stack.slack.signed_headers(body) | {"X-Slack-Signature": "v0=" + "0" * 64}
    stale = stack.slack.signed_headers(body, timestamp=int(time.time()) - 6 * 60)
    missing = {"Content-Type": "application/x-www-form-urlencoded"}
    for headers in (forged, stale, missing):
        assert (await stack.slack.send(body, headers)).status == 401
    assert await stored(stack, Comment) == []


async def test_a_request_signed_with_another_secret_is_refused(stack):
    await set_up_committee(stack)
    impostor = SignedSlackClient(stack.slack.url, SIGNING_SECRET + "-wrong", fake=stack.fake)
    try:
        reply = await impostor.slash_command("/comment", "list", user_id=PATEL, channel_id=CHANNEL)
    finally:
        await impostor.close()
    assert reply.status == 401


async def test_requests_from_another_workspace_are_refused_politely(stack):
    await set_up_committee(stack)
    await open_window(stack)
    await comment_inline(stack, PATEL, "annual-report-2021 Ours")
    stranger = SignedSlackClient(stack.slack.url, SIGNING_SECRET, team_id="T0THER", fake=stack.fake)
    try:
        answers = [
            (await stranger.slash_command("/comment", text, user_id=PATEL, channel_id=CHANNEL)).json()
            for text in ("list", "annual-report-2021 Theirs")
        ]
        answers.append(
            (
                await stranger.slash_command("/report", "export annual-report-2021", user_id=PATEL, channel_id=CHANNEL)
            ).json()
        )
    finally:
        await stranger.close()
    for answer in answers:
        assert answer["response_type"] == "ephemeral"
        assert "installed for another Slack workspace" in shown_text(answer) and "Ours" not in shown_text(answer)
    assert [c.text for c in await stored(stack, Comment)] == ["Ours"]
