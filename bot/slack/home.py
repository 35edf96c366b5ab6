"""Publishing a person's Home tab: what concerns them, rebuilt whenever it may have changed."""

from slack_sdk.web.async_client import AsyncWebClient

from bot.register_replies import home
from bot.slack.blocks import message_blocks
from handlers.context import Actor, Services
from handlers.home import home_for

MAX_HOME_BLOCKS = 100


async def publish_home(services: Services, client: AsyncWebClient, actor: Actor) -> None:
    view = home(await home_for(services, actor), services.clock())
    blocks = message_blocks(view, limit=MAX_HOME_BLOCKS)
    await client.views_publish(user_id=actor.user_id, view={"type": "home", "blocks": blocks})
