"""/actions: the resolutions register, its filters, pages and clerks' buttons."""

import json
import logging
import re
from dataclasses import asdict, fields
from datetime import date

from bot import forms, register_replies, replies
from bot.conversations import CommandRequest, Conversation, Press, Submission
from bot.conversations.inputs import number, text_of, user_of
from bot.exports import register_files
from bot.forms import Form, FormValues
from bot.message import Inline
from bot.replies import Reply
from handlers import register, resolutions
from handlers.context import Actor, Services
from handlers.deadlines import local_date
from handlers.due_ranges import read_day, read_range
from handlers.errors import InvalidInput, NotFound
from handlers.resolutions import ActionQuery, Change, NoLongerOpen
from handlers.wording import Command, Verbatim, Wording, joined
from storage.models import DEFAULT_TIMEZONE

log = logging.getLogger(__name__)

USAGE: Wording = (
    Command("actions"),
    " lists this committee's open resolutions, overdue first. Add ",
    Verbatim("all"),
    " (every committee you clerk), ",
    Verbatim("mine"),
    ", ",
    Verbatim("overdue"),
    ", ",
    Verbatim("due this month"),
    " / ",
    Verbatim("due March 2027"),
    " / ",
    Verbatim("due 1/3/2027 to 31/3/2027"),
    ", or ",
    Verbatim("committee <name>"),
    "; ",
    Command("actions", "R3"),
    " shows one. Clerks: ",
    Command("actions", "add"),
    " records one; ",
    Command("actions", "done R3"),
    " closes one; ",
    Command("actions", "export"),
    " sends the register as Word and CSV.",
)
HELP: dict[str, Inline] = {"/actions": USAGE}
MOST_PAGES = 10_000
CLOSING_FORMS = {"action.done": "done", "action.cancel": "cancelled"}


# "/actions done R3" is the Mark done button of R3, and so on.
CHANGES_BY_NAME = {
    "done": "action.done",
    "close": "action.done",
    "cancel": "action.cancel",
    "reassign": "action.reassign",
    "redate": "action.redate",
}


def _resolution_number(text: str) -> int | None:
    """R3 (or 3), as the register names its resolutions."""
    found = re.fullmatch(r"r?(\d{1,9})", text.strip().lower())
    return int(found[1]) if found else None


def parse_query(text: str, today: date) -> ActionQuery:
    words = text.split()
    query = ActionQuery()
    while words:
        word = words.pop(0).lower()
        if word == "all":
            query = _with(query, everywhere=True)
        elif word == "mine":
            query = _with(query, mine=True)
        elif word == "overdue":
            query = _with(query, overdue=True)
        elif word == "committee":
            query, words = _with(query, committee_name=" ".join(words)), []
        elif word == "due":
            start, end = read_range(" ".join(words), today)
            query, words = _with(query, due_from=start, due_to=end), []
        else:  # "this month" means "due this month"
            start, end = _range_or_unknown(" ".join([word, *words]), word, today)
            query, words = _with(query, due_from=start, due_to=end), []
    return query


def _range_or_unknown(text: str, word: str, today: date) -> tuple[date | None, date | None]:
    try:
        return read_range(text, today)
    except InvalidInput:
        raise InvalidInput(joined(f'I don\'t know the filter "{word}". ', USAGE)) from None


def _with(query: ActionQuery, **changes) -> ActionQuery:
    return ActionQuery(**(asdict(query) | changes))


def _page_value(query: ActionQuery) -> str:
    values = {field.name: getattr(query, field.name) for field in fields(query)}  # asdict would deep-copy
    return json.dumps({key: value.isoformat() if isinstance(value, date) else value for key, value in values.items()})


def _query_from(value: str) -> ActionQuery:
    """The list a page button belongs to; anything else in its value is a stale or forged button."""
    try:
        fields = json.loads(value)
        query = ActionQuery(
            everywhere=fields["everywhere"] is True,
            mine=fields["mine"] is True,
            overdue=fields["overdue"] is True,
            due_from=_day_or_none(fields["due_from"]),
            due_to=_day_or_none(fields["due_to"]),
            committee_name=str(fields["committee_name"]) if fields["committee_name"] else None,
            page=int(fields["page"]),
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        query = None
    if query is None or not 0 <= query.page < MOST_PAGES:
        raise NotFound(("That list is out of date. Please type ", Command("actions"), " again."))
    return query


def _day_or_none(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


async def command(services: Services, actor: Actor, request: CommandRequest) -> Reply | Form:
    text = request.typed.plain()
    verb = text.strip().lower()
    if verb == "help":
        return Reply(replies.notice(*HELP[request.name]))
    if verb in ("add", "record"):
        await resolutions.require_register_clerk(services, actor)
        return forms.resolution_record()
    if verb == "export":
        return await _export(services, actor)
    if (one := _resolution_number(verb)) is not None:
        item, clerks_it = await resolutions.item_for(services, actor, one)
        return Reply(register_replies.one_resolution(item, services.clock(), clerks_it))
    word, _, rest = verb.partition(" ")
    if word in CHANGES_BY_NAME and (one := _resolution_number(rest.strip())) is not None:
        return await _change_form(services, actor, CHANGES_BY_NAME[word], one)
    # Ranges like "due this week" are read in the council's zone; a committee elsewhere differs by hours at most.
    return await _listing(services, actor, parse_query(text, local_date(services.clock(), DEFAULT_TIMEZONE)))


async def _listing(services: Services, actor: Actor, query: ActionQuery, shared: bool = False) -> Reply:
    page = await resolutions.list_actions(services, actor, query)
    message = register_replies.action_page(page, services.clock(), _page_value(query), shared=shared)
    return Reply(message, in_channel=shared)


async def _export(services: Services, actor: Actor) -> Reply:
    committee, compiled = await register.compile_register(services, actor)
    files = register_files(compiled, committee.id)
    message = replies.notice(f"I've sent you the register ({len(compiled.entries)} resolutions) as Word and CSV files.")
    return Reply(message, files=files)


async def press(services: Services, actor: Actor, pressed: Press) -> Reply | Form:
    try:
        return await _press(services, actor, pressed.action_id, pressed.value)
    except NoLongerOpen as stale:
        log.info("stale %s on R%s by %s", pressed.action_id, stale.item.id, actor.user_id)
        return Reply(register_replies.no_longer_open(stale.message, stale.item, services.clock()))


async def _press(services: Services, actor: Actor, action_id: str, value: str) -> Reply | Form:
    if action_id == "actions.next":
        query = _query_from(value)
        return await _listing(services, actor, _with(query, page=query.page + 1))
    if action_id == "actions.share":
        return await _listing(services, actor, _query_from(value), shared=True)
    if action_id == "actions.record":
        await resolutions.require_register_clerk(services, actor)
        return forms.resolution_record()
    if action_id == "action.more":
        item, _ = await resolutions.item_for(services, actor, number(value))
        return Reply(register_replies.full_text(item))
    if action_id == "action.history":
        item, entries = await resolutions.history(services, actor, number(value))
        names = await register.people_named(services, actor, [item], entries)
        return Reply(register_replies.history(item, [register.change_of(e, names, item.timezone) for e in entries]))
    return await _change_form(services, actor, action_id, number(value))


async def _change_form(services: Services, actor: Actor, action_id: str, resolution_id: int) -> Form:
    item = await resolutions.changeable_item(services, actor, resolution_id)
    if action_id in CLOSING_FORMS:
        return forms.action_close(item.id, CLOSING_FORMS[action_id])
    if action_id == "action.reassign":
        return forms.action_reassign(item.id)
    if action_id == "action.redate":
        return forms.action_redate(item.id)
    raise NotFound(("That button is no longer in use. Please type ", Command("actions"), " again."))


async def submit(services: Services, actor: Actor, submission: Submission) -> Reply:
    now = services.clock()
    if submission.form_id == "action.record":
        draft = _draft(submission.values)
        item = await resolutions.record_resolution(services, actor, draft, submission.request_key)
        due_read = not draft.due_text.strip() and (item.due_date is not None or item.due_rule is not None)
        return Reply(register_replies.resolution_saved(item, "recorded", now, due_read_from_text=due_read))
    change = _change(submission.form_id, submission.values)
    try:
        item = await resolutions.change_resolution(
            services, actor, number(submission.context), change, submission.request_key
        )
    except NoLongerOpen as stale:
        return Reply(register_replies.no_longer_open(stale.message, stale.item, now))
    return Reply(register_replies.resolution_saved(item, change.action, now))


def _change(form_id: str, values: FormValues) -> Change:
    if form_id in ("action.done", "action.cancelled"):
        return Change(form_id.split(".", 1)[1], note=text_of(values, "note"))
    if form_id == "action.reassign":
        return Change(
            "reassigned", owner_user_id=user_of(values, "owner_user_id"), owner_title=text_of(values, "owner_title")
        )
    if form_id == "action.redate":
        return Change("redated", due_text=text_of(values, "due"))
    raise NotFound("That form is out of date. Please start again.")


def _draft(values: FormValues) -> resolutions.ResolutionDraft:
    meeting_text = text_of(values, "meeting_date")
    return resolutions.ResolutionDraft(
        text=text_of(values, "text"),
        kind=text_of(values, "kind"),
        owner_user_id=user_of(values, "owner_user_id"),
        owner_title=text_of(values, "owner_title"),
        due_text=text_of(values, "due"),
        meeting_day=read_day(meeting_text, field="meeting_date") if meeting_text.strip() else None,
        due_from_text=True,
    )


CONVERSATION = Conversation(
    help=HELP,
    command=command,
    button_prefixes=("action", "actions"),
    press=press,
    form_prefixes=("action",),
    submit=submit,
)
