"""Slack Web API clients, one per way of retrying, all quiet in the logs and able to keep connections alive."""

import logging
from contextvars import ContextVar

import orjson
from aiohttp import ClientSession, ClientTimeout
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings

# slack_sdk formats a debug line of every request, whole message included, unless its logger's own level is
# above DEBUG (an unset level counts as DEBUG, whatever the logging configuration says).
WEB_API_LOG = logging.getLogger(__name__)
WEB_API_LOG.setLevel(logging.INFO)


def _client(settings: Settings, retry_handlers: list[AsyncRetryHandler]) -> AsyncWebClient:
    return AsyncWebClient(
        token=settings.bot_token,
        base_url=settings.slack_api_url,
        timeout=settings.slack_timeout_seconds,
        logger=WEB_API_LOG,
        retry_handlers=retry_handlers,
    )


def web_client(settings: Settings) -> AsyncWebClient:
    # Slack answers 429 with Retry-After when we post too fast; honour it rather than drop the post.
    return _client(
        settings,
        [
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def reminder_client(settings: Settings) -> AsyncWebClient:
    """Only a 429 is retried here: it means Slack did nothing. After a timeout or a 5xx the post may have
    landed, so the reminder ledger retries it later, having first looked for it in the channel."""
    return _client(settings, [AsyncRateLimitErrorRetryHandler(max_retry_count=5)])


def reminder_poster(settings: Settings) -> AsyncWebClient:
    """For the reminders themselves: not even a 429 is retried here. It comes back to the delivery loop, which
    waits out Retry-After without holding one of its places for posts in flight, as the client's retry would."""
    return _client(settings, [])


def with_token(client: AsyncWebClient, token: str) -> AsyncWebClient:
    """The same client (address, timeout, retries, kept-alive connections) speaking for another workspace."""
    return AsyncWebClient(
        token=token,
        base_url=client.base_url,
        timeout=client.timeout,
        session=client.session,
        logger=client.logger,
        retry_handlers=client.retry_handlers,
    )


# The client Bolt made for the request being answered, with its workspace's token; what follows the answer
# (background tasks started while answering) inherits it.
REQUEST_CLIENT: ContextVar[AsyncWebClient | None] = ContextVar("slack_request_client", default=None)


def request_client(otherwise: AsyncWebClient) -> AsyncWebClient:
    return REQUEST_CLIENT.get() or otherwise


def keep_alive(client: AsyncWebClient) -> None:
    """Without a session of its own, slack_sdk opens and closes a connection for every call, which costs more
    CPU than the call itself."""
    # slack_sdk applies its timeout only to the sessions it makes itself; a call that hung past the reminder
    # claim timeout could be posted again by whoever took the claim over.
    # Each call's body is JSON; orjson writes a receipt's blocks in a fifth of the time json.dumps takes.
    client.session = ClientSession(timeout=ClientTimeout(total=client.timeout), json_serialize=_json)


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


async def stop_keeping_alive(client: AsyncWebClient) -> None:
    session, client.session = client.session, None
    await session.close()
