from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.forms import Form
from bot.message import Message
from bot.replies import error_message
from bot.slack.blocks import modal


async def open_form(client: AsyncWebClient, trigger_id: str, form: Form, channel_id: str | None) -> Message | None:
    """Open the form as a modal; a message for the person if Slack refused (the trigger expires in about 3 s)."""
    try:
        await client.views_open(trigger_id=trigger_id, view=modal(form, channel_id))
        return None
    except SlackApiError as error:
        reason = error.response.get("error")
        return error_message(f"Sorry, Slack wouldn't open the form ({reason}). Please try the command again.")
