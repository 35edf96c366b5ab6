"""Comment windows on draft reports: /committee, /report and /comment, their buttons and forms."""

import json
import logging
import secrets

from bot import forms, replies
from bot.conversations import CommandRequest, Conversation, Press, Submission
from bot.conversations.inputs import TypedText, number, required_text, text_of
from bot.exports import comment_files
from bot.forms import Form
from bot.message import Inline
from bot.reminder_replies import settings_message
from bot.replies import Reply
from handlers import collect, comment_windows, comments, committees, reminder_settings, working_days
from handlers.context import Actor, Services
from handlers.errors import InvalidInput, NotFound, UserFacingError
from handlers.wording import Command, Verbatim, Wording, joined

log = logging.getLogger(__name__)

COMMITTEE_USAGE: Wording = (
    Command("committee", "setup"),
    " opens a form; ",
    Command("committee", "setup <name>"),
    " sets this channel up as a committee with you as clerk. ",
    Command("committee", "reminders 9 weekdays"),
    " sets when reminders go out: at 09:00 on working days (",
    Verbatim("weekends"),
    " to send any day); add ",
    Verbatim("scotland"),
    " or ",
    Verbatim("northern ireland"),
    " for their bank holidays instead of England and Wales'. ",
    Command("committee", "reminders"),
    " shows the settings.",
)
HELP: dict[str, Inline] = {
    "/committee": COMMITTEE_USAGE,
    "/report": (
        Command("report"),
        " opens a form; ",
        Command("report", "open <title> | <link> | @officer | <deadline>"),
        " does it in one line; ",
        Command("report", "export <report>"),
        " sends you the comments; ",
        Command("report", "deadline <report> <new deadline>"),
        " moves a deadline.",
    ),
    "/comment": (
        Command("comment"),
        " opens a form; ",
        Command("comment", "<report> <your comment>"),
        " comments in one line; ",
        Command("comment", "<report> no comments"),
        "; ",
        Command("comment", "list"),
        " shows yours.",
    ),
}
MOST_LISTED = 10


async def command(services: Services, actor: Actor, request: CommandRequest) -> Reply | Form:
    text = request.typed.plain()
    verb, _, rest = text.strip().partition(" ")
    verb = verb.lower()
    if verb in ("help", "?"):
        return Reply(replies.notice(*HELP[request.name]))
    if request.name == "/committee":
        return await _committee_command(services, actor, verb, rest)
    if request.name == "/report":
        return await _report_command(services, actor, verb, rest, request.typed)
    return await _comment_command(services, actor, verb, text, request.request_key)


async def _committee_command(services: Services, actor: Actor, verb: str, rest: str) -> Reply | Form:
    if verb == "reminders":
        return await _reminder_settings(services, actor, rest)
    if verb != "setup":
        return Reply(replies.notice(*HELP["/committee"]))
    if not rest.strip():
        return forms.committee_setup(actor.user_id, await committees.current_setup(services, actor))
    summary = await committees.set_up_committee(services, actor, await _setup_keeping_existing(services, actor, rest))
    return Reply(replies.committee_set_up(summary), in_channel=summary.created)


async def _reminder_settings(services: Services, actor: Actor, rest: str) -> Reply:
    """`/committee reminders 8 weekdays scotland`: the hour reminders go out, whether they wait for a working
    day, and whose bank holidays count."""
    hour, skip_weekends = None, None
    region, words = _region_in(rest.lower())
    for word in words:
        if word.isascii() and word.isdigit() and len(word) <= 2:
            hour = int(word)
        elif word in ("weekdays", "weekends"):
            skip_weekends = word == "weekdays"
        else:
            raise InvalidInput(joined(f'I don\'t understand "{word}". ', COMMITTEE_USAGE))
    settings = await reminder_settings.set_reminder_settings(services, actor, hour, skip_weekends, region)
    return Reply(settings_message(settings))


def _region_in(text: str) -> tuple[str | None, list[str]]:
    """A part of the UK named in the words ("northern ireland", "scotland", "england and wales"), and the rest."""
    words = text.split()
    for length in (3, 2, 1):
        for start in range(len(words) - length + 1):
            if region := working_days.read_region(" ".join(words[start : start + length])):
                return region, words[:start] + words[start + length :]
    return None, words


async def _setup_keeping_existing(services: Services, actor: Actor, name: str) -> committees.CommitteeSetup:
    """A one-line set-up renames an existing committee and leaves its zone, clerks and chair alone; one left with no
    clerk (its last clerk's personal data was erased) gets the person setting it up as its clerk."""
    existing = await committees.current_setup(services, actor)
    if existing is None:
        return committees.CommitteeSetup(name=name)
    return committees.CommitteeSetup(name, existing.timezone, existing.clerk_ids or None, existing.chair_id)


async def _report_command(services: Services, actor: Actor, verb: str, rest: str, typed: TypedText) -> Reply | Form:
    if verb == "export":
        return await _export(services, actor, rest)
    if verb == "deadline":
        return await _move_deadline(services, actor, rest)
    if verb not in ("", "open"):
        return Reply(replies.notice(*HELP["/report"]))
    if not rest.strip():
        await committees.clerks_committee_here(services, actor, "open comment windows")
        return forms.report_open()
    return await _preview(services, actor, _inline_window_request(typed))


async def _move_deadline(services: Services, actor: Actor, rest: str) -> Reply:
    """`/report deadline <report> <new deadline>`: reminders follow, since they are planned from the deadline."""
    ref, _, deadline_text = rest.strip().partition(" ")
    if not ref or not deadline_text.strip():
        raise InvalidInput(
            (
                "Please name the report and the new deadline, e.g. ",
                Command("report", "deadline annual-report 4 October 2027"),
                ".",
            )
        )
    moved = await comment_windows.move_deadline(services, actor, ref, deadline_text)
    return Reply(replies.deadline_moved(moved.window, moved.deadline.notes, moved.reopened), in_channel=True)


def _inline_window_request(typed: TypedText) -> comment_windows.WindowRequest:
    """ "open <title> | <link> | @officer | <deadline>": the officer a person the front end recognised."""
    parts = typed.split("|")
    if len(parts) != 4:
        raise InvalidInput(
            (
                "Please give four parts separated by ",
                Verbatim("|"),
                ": title, link, officer and deadline, e.g. ",
                Command(
                    "report",
                    "open Draft annual report | https://example.org/report.pdf | @Director | by 20 September 2026",
                ),
            )
        )
    opening, url, officer, deadline = parts
    title = opening.plain().strip().partition(" ")[2]
    named = officer.plain().strip()
    if not officer.people() and named.startswith("@"):
        # A front end makes a mention only of someone it knows; anything else arrives as the text typed.
        raise InvalidInput(
            f'I can\'t find anyone called "{named[:60]}" here. Please mention the officer who receives the '
            "comments by choosing them from the people offered as you type @.",
            field="officer",
        )
    if not officer.people():
        raise InvalidInput(
            f'Please mention the officer who receives the comments with @, e.g. @Director (I got "{named[:60]}").',
            field="officer",
        )
    return comment_windows.WindowRequest(
        title.strip(), url.plain().strip() or None, officer.people()[0], deadline.plain().strip()
    )


async def _preview(services: Services, actor: Actor, request: comment_windows.WindowRequest) -> Reply:
    preview = await comment_windows.preview_window(services, actor, request)
    # The token makes the confirmation idempotent: pressing "Open" twice opens one window.
    draft = {
        "title": preview.title,
        "url": preview.document_url,
        "officer": preview.officer_user_id,
        "deadline": request.deadline_text,
        "token": secrets.token_urlsafe(12),
    }
    return Reply(replies.window_preview(preview, json.dumps(draft)))


async def _export(services: Services, actor: Actor, ref: str) -> Reply:
    if not ref.strip():
        windows = await collect.exportable_windows(services, actor)
        if len(windows) == 1:  # nothing to choose between
            return await _export(services, actor, windows[0].ref)
        raise InvalidInput(
            joined(
                ("Which report? Type ", Command("report", "export <report>"), ", e.g. "),
                (Command("report", f"export {windows[0].ref}"), ".\n"),
                comment_windows.listing(windows[:MOST_LISTED]),
            )
        )
    window, compiled = await collect.compile_comments(services, actor, ref)
    files = comment_files(compiled, window.id)
    return Reply(replies.export_sent(compiled), files=files)


CHANGING_VERBS = ("edit", "change", "withdraw", "delete", "remove", "mine")


async def _comment_command(services: Services, actor: Actor, verb: str, text: str, request_key: str) -> Reply | Form:
    # "/comment withdraw" alone means the person's own comments, which the list offers to edit or withdraw.
    if verb == "list" or (verb in CHANGING_VERBS and text.strip().lower() == verb):
        return Reply(replies.my_comments(await comments.my_comments(services, actor), services.clock()))
    if not text.strip():
        windows = await comment_windows.open_windows_for_member(services, actor)
        if not windows:
            return Reply(replies.said(await comment_windows.nothing_to_comment_on(services, actor)))
        return forms.comment_add(windows)
    answer = await comments.comment_inline(services, actor, text, request_key)
    if isinstance(answer, comments.DraftOffer):
        return Reply(replies.draft_offer(answer))
    return Reply(replies.receipt(answer, services.clock()))


async def press(services: Services, actor: Actor, pressed: Press) -> Reply | Form:
    action_id, value = pressed.action_id, pressed.value
    if action_id == "report.confirm":
        return await _confirm_window(services, actor, value)
    if action_id == "report.cancel":
        return Reply(replies.notice("Cancelled. No comment window was opened."))
    if action_id == "draft.dismiss":
        return Reply(replies.notice("OK. Your reply stays in the thread and is not recorded as a comment."))
    if action_id == "draft.forget":
        return Reply(replies.notice("OK. Nothing was recorded as a comment."))
    if action_id == "comment.add":
        return await _comment_form_for(services, actor, number(value))
    if action_id == "comment.edit":
        return forms.comment_edit(await comments.own_comment(services, actor, number(value)))
    receipt = await _press_comment_button(services, actor, action_id, number(value), pressed.request_key)
    return Reply(replies.receipt(receipt, services.clock()))


async def _press_comment_button(
    services: Services, actor: Actor, action_id: str, number: int, request_key: str
) -> comments.CommentReceipt:
    if action_id == "comment.none":
        return await comments.record_no_comments(services, actor, number, request_key)
    if action_id == "comment.withdraw":
        return await comments.withdraw_comment(services, actor, number, request_key)
    if action_id == "draft.confirm":
        return await comments.confirm_draft(services, actor, number)
    log.warning("unknown action %r from %s", action_id, actor.user_id)
    raise NotFound("That button is no longer in use. Please type the command again.")


async def _comment_form_for(services: Services, actor: Actor, window_id: int) -> Form:
    chosen = await comments.window_to_comment_on(services, actor, window_id)
    return forms.comment_add(await comment_windows.open_windows_for_member(services, actor), chosen)


async def _confirm_window(services: Services, actor: Actor, value: str) -> Reply:
    try:
        draft = json.loads(value)
        title, officer, deadline, token = (
            required_text(draft[name]) for name in ("title", "officer", "deadline", "token")
        )
        url = required_text(draft["url"]) if draft["url"] is not None else None
        request = comment_windows.WindowRequest(title, url, officer, deadline)
    except (ValueError, KeyError, TypeError):
        log.warning("malformed report.confirm value from %s", actor.user_id)
        raise InvalidInput(
            ("That confirmation is out of date. Please start again with ", Command("report"), ".")
        ) from None
    window, created = await comment_windows.open_window(services, actor, request, f"report:{token}")
    return Reply(replies.window_opened(window), announce=(window,) if created else ())


async def submit(services: Services, actor: Actor, submission: Submission) -> Reply:
    form_id, values, request_key = submission.form_id, submission.values, submission.request_key
    if form_id == "committee.setup":
        setup = committees.CommitteeSetup(
            text_of(values, "name"),
            text_of(values, "timezone"),
            tuple(values.get("clerks") or ()),
            values.get("chair") or None,
        )
        summary = await committees.set_up_committee(services, actor, setup)
        return Reply(replies.committee_set_up(summary), in_channel=summary.created)
    if form_id == "report.open":
        request = comment_windows.WindowRequest(
            text_of(values, "title"),
            text_of(values, "document_url") or None,
            values.get("officer") or None,
            text_of(values, "deadline"),
        )
        return await _preview(services, actor, request)
    if form_id == "comment.add":
        receipt = await comments.add_comment(
            services,
            actor,
            number(text_of(values, "report")),
            text_of(values, "text"),
            text_of(values, "section"),
            request_key,
        )
    elif form_id == "comment.edit":
        receipt = await comments.edit_comment(
            services,
            actor,
            number(submission.context),
            text_of(values, "text"),
            text_of(values, "section"),
            request_key,
        )
    else:
        raise UserFacingError("That form is out of date. Please start again.")
    return Reply(replies.receipt(receipt, services.clock()))


async def thread_reply(
    services: Services, actor: Actor, thread_ref: str, typed: TypedText, source_key: str
) -> Reply | None:
    """A reply in an announcement's thread: offer to record it as the author's comment, once."""
    held = await comments.hold_draft(services, actor, thread_ref, typed.plain(), source_key)
    if held is None or not held[1]:
        return None
    return Reply(replies.draft_offer(held[0]))


async def shortcut_form(services: Services, actor: Actor, typed: TypedText) -> Form:
    """ "Add as comment on a report" on any message: the comment form, filled in with that message's text."""
    windows = await comment_windows.open_windows_for_member(services, actor)
    if not windows:
        raise NotFound(await comment_windows.nothing_to_comment_on(services, actor))
    return forms.comment_add(windows, None, typed.plain()[: forms.MAX_COMMENT_LENGTH])


CONVERSATION = Conversation(
    help=HELP,
    command=command,
    button_prefixes=("comment", "report", "draft"),
    press=press,
    form_prefixes=("committee", "report", "comment"),
    submit=submit,
    shortcuts={"comment_from_message": shortcut_form},
)
