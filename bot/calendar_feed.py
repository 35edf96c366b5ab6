"""The committee calendar feed over HTTP, at the URL members paste into their calendar apps."""

from aiohttp import web

from handlers.calendar import committee_calendar
from handlers.context import Services

CALENDAR_PATH = "/calendar/{token}.ics"
# Calendar apps poll the feed; five minutes spares the database yet shows a moved meeting soon enough.
# "private" because the feed is one committee's, so shared caches must not keep it.
CACHE_CONTROL = "private, max-age=300"


def add_calendar_route(application: web.Application, services: Services) -> None:
    async def serve_calendar(request: web.Request) -> web.Response:
        body = await committee_calendar(services, request.match_info["token"])
        if body is None:
            # The same answer for every wrong token, so it tells nobody whether a committee exists.
            return web.Response(status=404, text="No calendar here.")
        return web.Response(
            body=body, content_type="text/calendar", charset="utf-8", headers={"Cache-Control": CACHE_CONTROL}
        )

    application.router.add_get(CALENDAR_PATH, serve_calendar)


def calendar_url(public_base_url: str, token: str) -> str:
    return public_base_url.rstrip("/") + CALENDAR_PATH.format(token=token)
