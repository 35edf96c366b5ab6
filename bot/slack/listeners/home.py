"""The Home tab, rebuilt each time someone opens it."""

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.home import publish_home
from bot.slack.payloads import event_actor
from handlers.context import Services


def register(app: AsyncApp, services: Services) -> None:
    @app.event("app_home_opened")
    async def on_home_opened(event: dict, body: dict, client: AsyncWebClient) -> None:
        if event.get("tab", "home") == "home":
            await publish_home(services, client, event_actor(body, in_channel=False))
