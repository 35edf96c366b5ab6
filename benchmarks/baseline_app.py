"""The baseline: an empty Bolt AsyncApp with default settings whose listeners only ack, served by aiohttp as the
bot is (`app.web_app()` and `web.run_app`). It acks the same requests the benchmarks send the bot: the /actions
slash command and the comment.add view submission.

Usage: python benchmarks/baseline_app.py [--process-before-response]
Environment: PORT, SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL (the fake Web API, for auth.test).
"""

import argparse
import os

from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build(process_before_response: bool) -> web.Application:
    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = AsyncApp(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=process_before_response,
    )

    @app.command("/actions")
    async def on_command(ack: AsyncAck) -> None:
        await ack()

    @app.view("comment.add")
    async def on_submit(ack: AsyncAck) -> None:
        await ack()

    application = app.web_app(path="/slack/events")
    application.router.add_get("/healthz", healthy)
    return application


async def healthy(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--process-before-response", action="store_true")
    args = parser.parse_args()
    web.run_app(build(args.process_before_response), port=int(os.environ.get("PORT", "3000")), access_log=None)
