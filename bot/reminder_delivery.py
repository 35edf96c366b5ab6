"""Reminders made once for every platform: a due reminder becomes its target, message, files and ledger key here,
and a front end's ReminderTransport only carries it. ReminderDelivery is the ReminderSender that the tick
(handlers.reminders) is given."""

import logging
from contextlib import AbstractAsyncContextManager

from bot.front_end import Outgoing, ReminderTransport
from bot.message import Attachment
from bot.reminder_replies import failures_message, reminder_message
from handlers.collect import compile_window
from handlers.context import Services
from handlers.export_formats import to_docx
from handlers.reminder_plan import DueReminder
from handlers.reminders import DeliveryFailed
from storage.committees import CommitteeView

log = logging.getLogger(__name__)

# "Comments closed": the receiving officer's message comes with the compiled comments.
WITH_COMPILED_DOCUMENT = "window.compiled"


async def outgoing(services: Services, reminder: DueReminder) -> Outgoing:
    files = (await compiled_document(services, reminder),) if reminder.kind == WITH_COMPILED_DOCUMENT else ()
    return Outgoing(reminder.committee, reminder.target, reminder_message(reminder), files, reminder.key)


async def compiled_document(services: Services, reminder: DueReminder) -> Attachment:
    compiled = await compile_window(services, reminder.committee.workspace_id, reminder.window)
    return Attachment(f"{compiled.file_stem}.docx", f"Comments on {compiled.report_title}", to_docx(compiled))


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
