"""What every use case is given: who is acting, where, and the ports to the outside world."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from storage.database import Database


@dataclass(frozen=True)
class Actor:
    """The person making a request, in the workspace and channel they made it from."""

    workspace_id: str
    user_id: str
    channel_id: str | None = None


class MemberDirectory(Protocol):
    """Who people are and who belongs to a committee's channel; the adapter decides how to find out and cache it."""

    async def channel_members(self, workspace_id: str, channel_id: str) -> frozenset[str]: ...

    async def display_names(self, workspace_id: str, user_ids: Iterable[str]) -> dict[str, str]:
        """Names of the people who exist; an id the platform does not know is left out."""
        ...


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    database: Database
    directory: MemberDirectory
    clock: Callable[[], datetime] = system_clock
    # Where people reach the bot's own pages (the calendar feed); empty when it is not public.
    public_url: str = ""
