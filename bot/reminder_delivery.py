"""Reminders made once for every platform: a due reminder becomes its target, message, files and ledger key here,
and a front end's ReminderTransport only carries it. ReminderDelivery is the ReminderSender that the tick
(handlers.reminders) is given."""

import logging
from contextlib import AbstractAsyncContextManager
from dataclasses import replace

from bot.front_end import Outgoing, ReminderTransport
from bot.message import Attachment
from bot.reminder_replies import failures_message, reminder_message
from handlers.collect import compile_window
from handlers.comment_windows import WindowSummary
from handlers.context import Services
from handlers.export_formats import to_docx
from handlers.reminder_plan import DueReminder
from handlers.reminders import DeliveryFailed
from storage.committees import CommitteeView

log = logging.getLogger(__name__)

# "Comments closed": the receiving officer's message comes with the compiled comments.
WITH_COMPILED_DOCUMENT = "window.compiled"
# What `Attachment.made_from` names the compiled comments on a window by.
COMPILED_COMMENTS = "compiled_comments"


async def outgoing(services: Services, reminder: DueReminder) -> Outgoing:
    window = reminder.window
    files = ()
    if reminder.kind == WITH_COMPILED_DOCUMENT:
        files = (await compiled_document(services, reminder.committee.workspace_id, window),)
    follows = window.announcement_ref if window and not reminder.is_direct else None
    # Worded as of when it goes out: one held back (unmuted later, or the bot was down) counts its days from then.
    sent_now = replace(reminder, due=max(reminder.due, services.clock()))
    return Outgoing(reminder.committee, reminder.target, reminder_message(sent_now), files, reminder.key, follows)


async def compiled_document(services: Services, workspace_id: str, window: WindowSummary) -> Attachment:
    """The comments on a report, compiled in a Word document."""
    compiled = await compile_window(services, workspace_id, window)
    title = f"Comments on {compiled.report_title}"
    return Attachment(f"{compiled.file_stem}.docx", title, to_docx(compiled), (COMPILED_COMMENTS, window.id))


class ReminderDelivery:
    """handlers.reminders.ReminderSender over one platform's transport."""

    def __init__(self, services: Services, transport: ReminderTransport) -> None:
        self._services = services
        self.transport = transport

    def sending(self) -> AbstractAsyncContextManager[None]:
        return self.transport.sending()

    async def send(self, reminder: DueReminder) -> str:
        return await self.transport.deliver(await outgoing(self._services, reminder))

    async def find_posted(self, workspace_id: str, target: str, keys: set[str]) -> dict[str, str]:
        return await self.transport.find_posted(workspace_id, target, keys)

    async def report_failures(
        self, committee: CommitteeView, clerks: list[str], failures: list[tuple[DueReminder, str]]
    ) -> None:
        message = failures_message(committee.name, failures)
        for clerk in clerks:
            try:
                await self.transport.deliver(Outgoing(committee, clerk, message))
            except DeliveryFailed:
                log.exception("could not tell clerk %s about undelivered reminders", clerk)
