"""One scheduler for committees on several platforms in one database: each reminder, and each question about
members, goes to the platform whose id it carries. Each platform's package says which ids are its own; the first
platform listed that claims an id gets it, and the last listed takes whatever no other claims.

An id that no configured platform claims (a Slack committee's, where only Teams is configured now) is nobody's:
its reminders are not delivered, as a passing failure that a later tick (with the platform configured again) may
cure, and it has no members; the other platforms' committees go on as usual."""

import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from handlers.context import MemberDirectory
from handlers.reminder_plan import DueReminder
from handlers.reminders import DeliveryFailed, ReminderSender
from storage.committees import CommitteeView

log = logging.getLogger(__name__)
Claims = Callable[[str], bool]
NOT_CONFIGURED = "no platform configured here posts there"


def _everything(_id: str) -> bool:
    return True


@dataclass(frozen=True)
class Platform:
    sender: ReminderSender
    directory: MemberDirectory
    owns_target: Claims = _everything  # a place or a person, as a reminder's target names them
    owns_workspace: Claims = _everything


class Platforms:
    """A ReminderSender and a MemberDirectory over several platforms."""

    def __init__(self, platforms: Iterable[Platform]) -> None:
        self._platforms = list(platforms)

    def _for_target(self, target: str) -> Platform:
        platform = next((p for p in self._platforms if p.owns_target(target)), None)
        if platform is None:
            raise DeliveryFailed(NOT_CONFIGURED, permanent=False)
        return platform

    def _for_workspace(self, workspace_id: str) -> Platform | None:
        platform = next((p for p in self._platforms if p.owns_workspace(workspace_id)), None)
        if platform is None:
            log.warning("no platform configured here serves workspace %s", workspace_id[:64])
        return platform

    @asynccontextmanager
    async def sending(self) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for platform in self._platforms:
                await stack.enter_async_context(platform.sender.sending())
            yield

    async def send(self, reminder: DueReminder) -> str:
        return await self._for_target(reminder.target).sender.send(reminder)

    async def find_posted(self, workspace_id: str, target: str, keys: set[str]) -> dict[str, str]:
        return await self._for_target(target).sender.find_posted(workspace_id, target, keys)

    async def report_failures(
        self, committee: CommitteeView, clerks: list[str], failures: list[tuple[DueReminder, str]]
    ) -> None:
        try:
            platform = self._for_target(committee.channel_id)
        except DeliveryFailed:
            log.warning("could not tell the clerks of committee %s: %s", committee.id, NOT_CONFIGURED)
            return
        await platform.sender.report_failures(committee, clerks, failures)

    async def channel_members(self, workspace_id: str, channel_id: str) -> frozenset[str]:
        platform = self._for_workspace(workspace_id)
        return await platform.directory.channel_members(workspace_id, channel_id) if platform else frozenset()

    async def display_names(self, workspace_id: str, user_ids: Iterable[str]) -> dict[str, str]:
        platform = self._for_workspace(workspace_id)
        return await platform.directory.display_names(workspace_id, user_ids) if platform else {}
