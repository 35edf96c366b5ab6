"""Abuse (issue 5): bad input, forged and malformed requests, and other workspaces, all through signed HTTP.

Every case must end in a polite answer and no 5xx, log no traceback, never echo a ping the person typed, and
leave the database as it was unless the bot's answer says the request was carried out. Generated cases come
from Hypothesis: one stack per test, many examples through it, so each example costs one request.
"""

import dataclasses
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from functools import partial
from itertools import count
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import SQLModel
from yarl import URL

from tests.flows import (
    add_meeting,
    buttons,
    comment_inline,
    open_window,
    record_resolution,
    set_up_committee,
    shown_text,
)
from tests.stack import CHANNEL, CLERK, MEMBERS, OFFICER, SIGNING_SECRET, STRANGER, TEAM, Stack, start_stack
from tests.support.slack_client import (
    Reply,
    SignedSlackClient,
    select_value,
    text_value,
    user_value,
    users_value,
)

PATEL, JONES, SMITH = MEMBERS
REF = "annual-report-2021"
OTHER_TEAM = "T0THER"
TABLES = tuple(table.name for table in SQLModel.metadata.sorted_tables)
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    # The same cases on every run, and no example database written into the repository.
    derandomize=True,
    database=None,
    # No shrinking: it can take longer than the run itself, and the "faults found" tests below hold the
    # minimal case of each fault; a failure here reports the first failing case as generated.
    phases=(Phase.explicit, Phase.generate),
)


# ---------------------------------------------------------------------------------------------- what was said


def rendered(payload: Any) -> list[str]:
    """Text Slack renders from a message payload: `text` fields, never button values or metadata."""
    if isinstance(payload, list):
        return [shown for item in payload for shown in rendered(item)]
    if not isinstance(payload, dict):
        return []
    found = [payload["text"]] if isinstance(payload.get("text"), str) else []
    skipped = {"text", "value", "action_id", "block_id", "url", "private_metadata", "initial_value"}
    return found + [shown for key, value in payload.items() if key not in skipped for shown in rendered(value)]


# Special mentions notify a whole channel or group; UINJECTED is the user id the generated input mentions.
PING = re.compile(r"<!(?:channel|here|everyone|subteam)[^>]*>|<@UINJECTED[^>]*>")


def pings_in(messages: list[Any]) -> list[str]:
    return [ping for message in messages for shown in rendered(message) for ping in PING.findall(shown)]


def is_refusal(message: Any) -> bool:
    return isinstance(message, dict) and ":warning:" in shown_text(message)


@dataclasses.dataclass
class Exchange:
    """One request and everything that followed it: the HTTP answer, messages, forms, logs and row counts."""

    reply: Reply
    messages: list[dict]
    forms: list[dict]
    errors: list[str]
    rows_before: dict[str, int]
    rows_after: dict[str, int]

    @property
    def answer(self) -> Any:
        return self.reply.json()

    @property
    def changed_rows(self) -> dict[str, tuple[int, int]]:
        return {t: (n, self.rows_after[t]) for t, n in self.rows_before.items() if self.rows_after[t] != n}


async def row_counts(stack: Stack) -> dict[str, int]:
    counts = ", ".join(f'(SELECT count(*) FROM "{table}")' for table in TABLES)
    async with stack.database.engine.connect() as connection:
        row = (await connection.execute(text(f"SELECT {counts}"))).one()
    return dict(zip(TABLES, row, strict=True))


async def contents(stack: Stack) -> dict[str, list[str]]:
    """Every row of every table, for checks that a refused request changed nothing at all."""
    found = {}
    async with stack.database.engine.connect() as connection:
        for table in TABLES:
            rows = (await connection.execute(text(f'SELECT * FROM "{table}"'))).all()
            found[table] = sorted(repr(tuple(row)) for row in rows)
    return found


def errors_logged(caplog) -> list[str]:
    return [f"{r.name}: {r.getMessage()[:300]}" for r in caplog.records if r.levelno >= logging.ERROR]


async def exchange(stack: Stack, caplog, request: Awaitable[Reply]) -> Exchange:
    """Send one request (a coroutine not yet awaited) and collect what it led to, once the bot's background
    deliveries are done."""
    await stack.bot.delivery.drain()
    caplog.clear()
    rows_before = await row_counts(stack)
    calls_seen, responses_seen = len(stack.fake.calls), len(stack.fake.responses)
    reply = await request
    await stack.bot.delivery.drain()
    new_calls = stack.fake.calls[calls_seen:]
    messages = [c.params for c in new_calls if c.method in ("chat.postMessage", "chat.postEphemeral", "chat.update")]
    messages += [body for _, body in stack.fake.responses[responses_seen:]]
    if isinstance(reply.json(), dict) and "response_action" not in reply.json():
        messages.append(reply.json())  # a command's direct answer is a message too
    forms = [c.params.get("view") for c in new_calls if c.method in ("views.open", "views.push")]
    return Exchange(reply, messages, forms, errors_logged(caplog), rows_before, await row_counts(stack))


@dataclasses.dataclass(frozen=True)
class Surface:
    """Where Slack shows the bot's answer to one kind of request, and how a refusal looks there."""

    answered: Callable[[Exchange], bool]
    refused: Callable[[Exchange], bool]


def _form_answered(case: Exchange) -> bool:
    """A form closes (empty answer), is refused beside its fields, or moves on to the next form."""
    answer = case.answer
    if answer is None:
        return not case.reply.text
    if answer.get("response_action") == "errors":
        return bool(answer.get("errors")) and all(isinstance(m, str) and m for m in answer["errors"].values())
    return answer.get("response_action") == "update" and bool(answer.get("view"))


COMMAND = Surface(
    answered=lambda case: bool(isinstance(case.answer, dict) and case.answer.get("text")) or bool(case.forms),
    refused=lambda case: is_refusal(case.answer),
)
BUTTON = Surface(
    answered=lambda case: bool(case.messages or case.forms),
    refused=lambda case: not case.forms and bool(case.messages) and all(map(is_refusal, case.messages)),
)
FORM = Surface(answered=_form_answered, refused=lambda case: (case.answer or {}).get("response_action") == "errors")
# Events and broken payloads owe no answer; anything but a refusal counts as the request carried out.
QUIET = Surface(answered=lambda case: True, refused=lambda case: all(map(is_refusal, case.messages)))


def problems(case: Exchange, surface: Surface) -> dict[str, str]:
    """Every way the case fell short, by kind: what every request owes, whatever it carried."""
    found = {}
    if case.reply.status >= 500:
        found["5xx"] = f"HTTP {case.reply.status}: {case.reply.text[:200]}"
    if case.errors:
        found["traceback"] = f"errors logged: {case.errors}"
    if not surface.answered(case):
        found["unanswered"] = f"no answer Slack would show: {case.reply.text[:200]}"
    if pings := pings_in(case.messages):
        found["ping"] = f"the bot echoed a ping: {pings}"
    if surface.refused(case) and case.changed_rows:
        found["changed"] = f"a refused request changed rows: {case.changed_rows}"
    return found


def assert_handled(case: Exchange, surface: Surface) -> None:
    found = problems(case, surface)
    # One assertion per kind: Hypothesis tells failures apart by where they are raised, so each kind of fault
    # is reported, and shrunk, on its own.
    assert "5xx" not in found, found
    assert "traceback" not in found, found
    assert "unanswered" not in found, found
    assert "ping" not in found, found
    assert "changed" not in found, found


def assert_no_problems(found: dict[str, Any]) -> None:
    """For tests that run a list of cases: every case that fell short, and how, in one failure."""
    failed = {label: faults for label, faults in found.items() if faults}
    assert not failed, json.dumps(failed, indent=1, ensure_ascii=False, default=str)[:6000]


# ---------------------------------------------------------------------------------------------- a committee


@dataclasses.dataclass(frozen=True)
class Committee:
    """Ids of what exists, so generated requests can name real things as well as unknown ones."""

    window_id: int
    comment_id: int
    announcement_ts: str


async def committee_with_everything(stack: Stack) -> Committee:
    await set_up_committee(stack)
    window_id = await open_window(stack)
    receipt = await comment_inline(stack, PATEL, f"{REF} A first view.")
    await record_resolution(stack, "Officers to review school transport.", due="1 June 2041")
    await add_meeting(stack, "14 March 2041 10:00")
    await stack.bot.delivery.drain()
    announcement = stack.fake.history[CHANNEL][0]["ts"]
    return Committee(window_id, int(buttons(receipt)["Edit"]["value"]), announcement)


@pytest.fixture
async def committee(stack) -> Committee:
    return await committee_with_everything(stack)


# ---------------------------------------------------------------------------------------------- generated input

PINGS = ("<!channel>", "<!here>", "<!everyone>", "<!here|@here>", "<!subteam^SADMINS|admins>", "<@UINJECTED|boss>")
ODD = (
    "",
    " ",
    "\x00",
    "\x07\x08",
    "\x1b[2J",
    "\r\n\r\n",
    "\t",
    "\u202egnp.exe",
    "\u200f\u200e\u2066",
    "مراجعة التقرير السنوي",
    "דוח שנתי",
    "e\u0301\u0302\u0303\u0304\u0305",
    "Z\u0336a\u0338l\u0321g\u0322o\u0327",
    "👩🏽‍⚖️🏛️📎",
    "\u200d\u200b\ufeff",
    "𝕬𝖓𝖓𝖚𝖆𝖑",
    "&amp; &lt; &gt;",
    "<script>alert(1)</script>",
    "*bold* _it_ ~x~ `c` ```block```",
    "|",
    "| | |",
    "<https://evil.example|click me>",
    "<#CSECRET|secret>",
    "' OR '1'='1",
    "%s {0} {name}",
    "\\",
    "null",
)
DATES = (
    "20 September 2022",
    "yesterday",
    "today",
    "now",
    "1/1/1970",
    "20 or 27 September 2040",
    "20, 27 September 2040",
    "31/02/2041",
    "13/13/2041",
    "0/0/0",
    "1/1/0001",
    "31/12/9999",
    "1 January 10000",
    "99999999999",
    "next Friday 5pm",
    "in two weeks",
    "within six months",
    "at its next meeting",
    "end of the month",
    "25:61",
    "2041-02-30T25:00",
    "by no later than 20 September 2040",
    "20/09/2040 5.30pm",
    "tomorrow midnight",
    "29 February 2041",
    "14 March 2041 10:00",
)
WORDS = (REF, "no comments", "list", "all", "mine", "overdue", "due", "committee", "help")


def _with_inserted(parts: list[str], piece: str, at: int) -> str:
    parts.insert(at % (len(parts) + 1), piece)
    return " ".join(parts)


fragment = st.one_of(st.sampled_from(PINGS + ODD + DATES + WORDS), st.text(max_size=12))
# Every text carries one hostile piece somewhere, half the time a ping: left to chance, few would.
hostile = st.one_of(st.sampled_from(PINGS), st.sampled_from(ODD))
typed = st.builds(_with_inserted, st.lists(fragment, max_size=4), hostile, st.integers(0, 4))
dates = st.one_of(st.sampled_from(DATES), typed)
# Long enough to pass every limit; capped so a request stays under aiohttp's 1 MB body limit.
overlong = st.builds(
    lambda unit, n: (unit * n)[:n],
    st.sampled_from(("x", "é", "👍", "<!channel> ", "RESOLVED: That the report be noted.\n")),
    st.integers(2_990, 60_000),
)
typed_or_long = st.one_of(typed, typed, overlong)

OFFICERS = (f"<@{OFFICER}|director>", f"<@{OFFICER}>", "@Director", "<!channel>", "", "<@UNOBODY>")
LINKS = ("", "https://example.org/r.pdf", "<https://example.org/r.pdf|report>", "javascript:alert(1)", "ftp://x")


def report_texts() -> st.SearchStrategy[str]:
    opening = st.builds(
        lambda title, link, officer, deadline: f"open {title} | {link} | {officer} | {deadline}",
        typed_or_long,
        st.one_of(st.sampled_from(LINKS), typed),
        st.sampled_from(OFFICERS),
        dates,
    )
    return st.one_of(
        opening, dates.map(f"deadline {REF} ".__add__), typed.map("export ".__add__), typed.map("deadline ".__add__)
    )


def actions_texts() -> st.SearchStrategy[str]:
    ranges = st.builds(lambda a, b: f"due {a} to {b}", dates, dates)
    return st.one_of(
        typed,
        dates.map("due ".__add__),
        dates.map("due before ".__add__),
        dates.map("due after ".__add__),
        ranges,
        typed.map("committee ".__add__),
    )


def committee_texts() -> st.SearchStrategy[str]:
    hours = st.one_of(st.integers(-5, 30).map(str), st.sampled_from(("²", "٣", "9" * 30, "8.5")), typed)
    return st.one_of(typed_or_long.map("setup ".__add__), hours.map("reminders {} weekdays".format), typed)


COMMAND_TEXTS = {
    "/comment": st.one_of(typed, typed_or_long.map(f"{REF} ".__add__), st.sampled_from(("", "list", REF))),
    "/report": report_texts(),
    "/actions": actions_texts(),
    "/meeting": st.one_of(dates.map("add ".__add__), typed, st.just("calendar")),
    "/minutes": st.one_of(typed, overlong),
    "/committee": committee_texts(),
}
commands = st.sampled_from(sorted(COMMAND_TEXTS)).flatmap(lambda name: st.tuples(st.just(name), COMMAND_TEXTS[name]))
people = st.sampled_from((PATEL, CLERK, STRANGER))


@settings(FUZZ, max_examples=100)
@given(command=commands, user=people)
async def test_typed_commands_are_answered_politely(stack, committee, caplog, command, user):
    name, typed_text = command
    case = await exchange(stack, caplog, stack.slack.slash_command(name, typed_text, user_id=user, channel_id=CHANNEL))
    assert_handled(case, COMMAND)


# Ids as a forged or stale button might carry them: unknown, negative, out of range, not numbers at all.
ID_LIKE = ("", "0", "1", "2", "3", "-1", "007", " 1", "1 ", "1.0", "1e3", "0x1", "2147483647", "2147483648")
ID_LIKE += ("9223372036854775808", "9" * 40, "²", "١", "１", "NaN", "null", "[]", "{}", "<!channel>")
ids = st.one_of(st.sampled_from(ID_LIKE), st.integers(-(2**70), 2**70).map(str), st.text(max_size=20))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
DRAFT_KEYS = ("title", "url", "officer", "deadline", "token", "extra")
QUERY_KEYS = ("everywhere", "mine", "overdue", "due_from", "due_to", "committee_name", "page", "junk")
DAYS = ("2041-03-01", "0001-01-01", "9999-12-31", "2041-02-30")


def json_objects(keys: tuple[str, ...], extra_values: tuple[str, ...]) -> st.SearchStrategy[str]:
    values = st.one_of(json_values, st.sampled_from(extra_values + PINGS))
    return st.one_of(st.dictionaries(st.sampled_from(keys), values, max_size=len(keys)).map(json.dumps), ids)


ID_ACTIONS = (
    "comment.add",
    "comment.none",
    "comment.edit",
    "comment.withdraw",
    "draft.confirm",
    "draft.dismiss",
    "report.cancel",
    "meeting.move",
    "meeting.cancel",
    "action.done",
    "action.cancel",
    "action.reassign",
    "action.redate",
    "action.more",
    "action.history",
    "actions.record",
    "comment.zap",
    "meeting.zap",
    "action.zap",
)
reminder_items = st.one_of(
    st.builds("{}:{}".format, st.sampled_from(("window", "resolution", "meeting", "committee", "comment", "")), ids),
    st.text(max_size=20),
)
presses = st.one_of(
    st.tuples(st.sampled_from(ID_ACTIONS), ids),
    st.tuples(st.just("report.confirm"), json_objects(DRAFT_KEYS, DATES)),
    st.tuples(st.sampled_from(("actions.next", "actions.share")), json_objects(QUERY_KEYS, DAYS)),
    st.tuples(
        st.sampled_from(("reminder.snooze", "reminder.mute", "reminder.unmute", "reminder.mutedm")), reminder_items
    ),
)


@settings(FUZZ, max_examples=100)
@given(press=presses, user=people, on_ephemeral=st.booleans())
async def test_forged_button_values_are_refused_politely(stack, committee, caplog, press, user, on_ephemeral):
    action_id, value = press
    container = {"type": "message", "is_ephemeral": on_ephemeral, "channel_id": CHANNEL}
    case = await exchange(
        stack,
        caplog,
        stack.slack.block_action(action_id, value, user_id=user, channel_id=CHANNEL, container=container),
    )
    assert_handled(case, BUTTON)


FORM_FIELDS = {
    "committee.setup": ("name", "timezone", "clerks", "chair"),
    "report.open": ("title", "document_url", "officer", "deadline"),
    "comment.add": ("report", "section", "text"),
    "comment.edit": ("section", "text"),
    "meeting.add": ("when",),
    "meeting.move": ("when",),
    "action.record": ("text", "kind", "owner_user_id", "owner_title", "due", "meeting_date"),
    "action.done": ("note",),
    "action.cancelled": ("note",),
    "action.reassign": ("owner_user_id", "owner_title"),
    "action.redate": ("due",),
    "minutes.paste": ("meeting_date", "minutes"),
    "minutes.confirm": ("meeting_date", "text_1", "kind_1", "owner_1", "due_1", "officer_1", "title_1", "text_2"),
    "comment.zap": ("text",),
}
chosen_people = st.sampled_from((PATEL, CLERK, OFFICER, "UNOBODY", "", "<!channel>", "W123", "U" + "9" * 40))
CHOICES = ("1", "2", "action", "noted", "report_back", "comment_deadline", "ACTION", "Europe/London", "Mars/Base")
field_entries = st.one_of(
    typed_or_long.map(text_value),
    dates.map(text_value),
    st.one_of(st.sampled_from(CHOICES), ids).map(select_value),
    chosen_people.map(user_value),
    st.lists(chosen_people, max_size=3).map(users_value),
    st.just(text_value(None)),
)
# minutes.confirm builds one draft per resolution it was told of before checking anything, so a forged
# count is kept small here; test_a_forged_resolution_count_is_refused_before_any_work covers large ones.
contexts = st.one_of(ids, json_values)
small_contexts = st.one_of(st.integers(-3, 40).map(str), st.sampled_from(("", "x", "²", "1.5")))
metadata_channels = st.sampled_from((CHANNEL, "COTHER", None, "", 5, ["x"], {"id": CHANNEL}))


def metadata(context_strategy) -> st.SearchStrategy[str]:
    structured = st.builds(lambda c, ch: json.dumps({"context": c, "channel": ch}), context_strategy, metadata_channels)
    return st.one_of(structured, st.text(max_size=30), json_values.map(json.dumps))


def form_values(form_id: str) -> st.SearchStrategy[dict]:
    blocks = st.dictionaries(st.sampled_from(FORM_FIELDS[form_id]), field_entries)
    return blocks.map(lambda chosen: {block_id: {"value": entry} for block_id, entry in chosen.items()})


submissions = st.sampled_from(sorted(FORM_FIELDS)).flatmap(
    lambda form_id: st.tuples(
        st.just(form_id),
        form_values(form_id),
        metadata(small_contexts if form_id == "minutes.confirm" else contexts),
    )
)


@settings(FUZZ, max_examples=80)
@given(submission=submissions, user=people)
async def test_bad_form_submissions_are_refused_beside_the_field(stack, committee, caplog, submission, user):
    form_id, values, private_metadata = submission
    case = await exchange(
        stack,
        caplog,
        stack.slack.view_submission(form_id, values, user_id=user, private_metadata=private_metadata),
    )
    assert_handled(case, FORM)


message_ts = (f"1800000000.{n:06d}" for n in count(1))


def thread_reply(thread_ts: str, user: str, words: str, subtype: str | None) -> dict:
    event = {"type": "message", "channel": CHANNEL, "user": user, "text": words, "ts": next(message_ts)}
    event |= {"thread_ts": thread_ts, "team": TEAM, "channel_type": "channel"}
    return event | ({"subtype": subtype} if subtype else {})


@settings(FUZZ, max_examples=25)
@given(
    words=typed_or_long,
    user=st.sampled_from((PATEL, JONES, STRANGER)),
    on_announcement=st.booleans(),
    subtype=st.sampled_from((None, None, "bot_message", "message_changed")),
)
async def test_odd_thread_replies_never_ping_and_store_only_offers(
    stack, committee, caplog, words, user, on_announcement, subtype
):
    thread_ts = committee.announcement_ts if on_announcement else "1700000999.000001"
    case = await exchange(stack, caplog, stack.slack.event(thread_reply(thread_ts, user, words, subtype)))
    assert_handled(case, QUIET)


# ---------------------------------------------------------------------------------------------- malformed


def _valid_bodies(committee: Committee, response_url: str) -> dict[str, dict]:
    """Requests as Slack would send them, to be broken: one of each kind the bot listens for."""
    return {
        "command": {"team_id": TEAM, "channel_id": CHANNEL, "user_id": PATEL, "command": "/comment"}
        | {"text": f"{REF} malformed", "trigger_id": "1.2.3", "response_url": response_url},
        "block_actions": {"type": "block_actions", "user": {"id": PATEL, "team_id": TEAM}, "team": {"id": TEAM}}
        | {"trigger_id": "1.2.4", "channel": {"id": CHANNEL}, "response_url": response_url}
        | {"actions": [{"action_id": "comment.none", "value": str(committee.window_id), "type": "button"}]},
        "view_submission": {"type": "view_submission", "user": {"id": PATEL, "team_id": TEAM}, "team": {"id": TEAM}}
        | {"trigger_id": "1.2.5", "view": {"id": "VMAL", "type": "modal", "callback_id": "comment.add"}},
        "event": {"type": "event_callback", "team_id": TEAM, "event_id": "EvMAL", "api_app_id": "A0001"}
        | {"event": thread_reply(committee.announcement_ts, PATEL, "malformed", None)},
        "shortcut": {"type": "message_action", "user": {"id": CLERK, "team_id": TEAM}, "team": {"id": TEAM}}
        | {"callback_id": "comment_from_message", "trigger_id": "1.2.6", "channel": {"id": CHANNEL}}
        | {"message": {"type": "message", "user": PATEL, "text": "A view", "ts": "1.1"}, "response_url": response_url},
        "home opened": {"type": "event_callback", "team_id": TEAM, "event_id": "EvHOME", "api_app_id": "A0001"}
        | {"event": {"type": "app_home_opened", "user": PATEL, "channel": "DHOME", "tab": "home"}},
        "member joined": {"type": "event_callback", "team_id": TEAM, "event_id": "EvJOIN", "api_app_id": "A0001"}
        | {"event": {"type": "member_joined_channel", "user": PATEL, "channel": CHANNEL}},
    }


Path = list[str | int]


def _broken(body: Any, path: Path, replacement: Any) -> Any:
    """The body with the value at `path` (keys of objects, indexes of lists) deleted (replacement is ...) or
    replaced, e.g. a list for an object, null, or an empty object in a list."""
    if not path:
        return replacement if replacement is not ... else None
    key, rest = path[0], path[1:]
    if isinstance(body, dict) and key in body:
        changed = dict(body)
    elif isinstance(body, list) and isinstance(key, int) and key < len(body):
        changed = list(body)
    else:
        return body
    if not rest and replacement is ...:
        del changed[key]
    else:
        changed[key] = _broken(body[key], rest, replacement)
    return changed


def _paths(body: Any, prefix: tuple[str | int, ...] = ()) -> list[Path]:
    children = body.items() if isinstance(body, dict) else enumerate(body) if isinstance(body, list) else ()
    return [p for key, value in children for p in ([[*prefix, key]] + _paths(value, (*prefix, key)))]


# The shapes that broke Bolt or the listeners before: nothing where an object was, an empty object or list.
hollow = st.sampled_from((None, {}, [], [{}], "", 0, [None]))


EVENTS = ("event", "home opened", "member joined")


def _encoded(kind: str, body: Any, truncate_at: int | None) -> bytes:
    if kind == "command":
        raw = urlencode(body if isinstance(body, dict) else {"text": json.dumps(body)})
        return raw.encode()[:truncate_at]
    raw = json.dumps(body)[:truncate_at]
    return raw.encode() if kind in EVENTS else urlencode({"payload": raw}).encode()


@st.composite
def malformed_bodies(draw, committee: Committee, response_url: str) -> bytes:
    kind, body = draw(st.sampled_from(sorted(_valid_bodies(committee, response_url).items())))
    if view := body.get("view"):
        body = body | {"view": view | {"state": {"values": {"text": {"value": draw(json_values)}}}}}
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(body)))
        body = _broken(body, path, draw(st.one_of(st.just(...), hollow, json_values)))
    truncate_at = draw(st.one_of(st.none(), st.integers(0, 400)))
    return _encoded(kind, body, truncate_at)


@settings(FUZZ, max_examples=150)
@given(data=st.data())
async def test_signed_but_malformed_payloads_get_no_5xx(stack, committee, caplog, data):
    body = data.draw(malformed_bodies(committee, stack.fake.response_url()))
    case = await exchange(stack, caplog, stack.slack.send(body, stack.slack.signed_headers(body)))
    assert_handled(case, QUIET)


def _signed_malformed(committee: Committee, response_url: str) -> dict[str, bytes]:
    """Broken requests the generated cases ran into, signed as Slack signs, one of each kind."""
    bodies = _valid_bodies(committee, response_url)
    unanswerable_view = bodies["view_submission"] | {
        "view": bodies["view_submission"]["view"] | {"state": {"values": {"text": "not an object"}}}
    }
    return {
        "empty payload": b"payload=",
        "button press without a user": _encoded("block_actions", _broken(bodies["block_actions"], ["user"], ...), None),
        "view whose state is not an object": _encoded("view_submission", unanswerable_view, None),
        "thread reply without a user": _encoded("event", _broken(bodies["event"], ["event", "user"], ...), None),
        "Home tab opened by nobody": _encoded("event", bodies["event"] | {"event": {"type": "app_home_opened"}}, None),
        "command without a user": _encoded("command", _broken(bodies["command"], ["user_id"], ...), None),
        # Issue 9, finding 19: each of these answered 500 with a traceback.
        "a press whose action is empty": _encoded(
            "block_actions", _broken(bodies["block_actions"], ["actions", 0], {}), None
        ),
        "a view without a type": _encoded(
            "view_submission", _broken(bodies["view_submission"], ["view", "type"], ...), None
        ),
        "an event that is null": _encoded("event", bodies["event"] | {"event": None}, None),
        "a member who joined nowhere": _encoded(
            "member joined", _broken(bodies["member joined"], ["event", "channel"], ...), None
        ),
    }


async def test_signed_malformed_payloads_from_the_generated_cases_get_no_5xx(stack, committee, caplog):
    found = {}
    for name, body in _signed_malformed(committee, stack.fake.response_url()).items():
        case = await exchange(stack, caplog, stack.slack.send(body, stack.slack.signed_headers(body)))
        found[name] = problems(case, QUIET)
    assert_no_problems(found)


# ---------------------------------------------------------------------------------------------- faults found
# The generated cases stop at the first fault of each kind; these name the faults found, one case each.

FORGED_PRESSES = [
    ("comment.withdraw", "2147483648"),  # one past PostgreSQL's integer
    ("meeting.cancel", "9" * 30),  # past SQLite's integer too
    ("action.history", "²"),  # a digit to str.isdigit(), not to int()
    ("reminder.snooze", "window:2147483648"),
    ("reminder.mutedm", "meeting:²"),
    ("actions.next", json.dumps({"page": "x"})),
    ("actions.next", json.dumps({"page": -1})),
    ("actions.next", json.dumps({"page": 10**30})),
    ("actions.next", "0"),
    ("actions.share", json.dumps({"committee_name": 5, "everywhere": True})),
    (
        "report.confirm",
        json.dumps({"title": 5, "url": None, "officer": OFFICER, "deadline": "1 May 2041", "token": "t"}),
    ),
]


def refusal_missing(case: Exchange, surface: Surface) -> dict[str, str]:
    return {} if surface.refused(case) else {"not refused": (case.reply.text or json.dumps(case.messages))[:300]}


Attempts = dict[str, Callable[[], Awaitable[Reply]]]


def presses(stack: Stack, buttons: list[tuple[str, str]], user_id: str) -> Attempts:
    """Each (action_id, value) pressed in the committee channel, labelled."""
    press = partial(stack.slack.block_action, user_id=user_id, channel_id=CHANNEL)
    return {f"{action_id} {value[:40]}": partial(press, action_id, value) for action_id, value in buttons}


def typings(stack: Stack, commands: list[tuple[str, str]], user_id: str) -> Attempts:
    """Each (command, text) typed in the committee channel, labelled."""
    type_in = partial(stack.slack.slash_command, user_id=user_id, channel_id=CHANNEL)
    return {f"{name} {typed_text[:40]}": partial(type_in, name, typed_text) for name, typed_text in commands}


async def assert_refused_politely(stack: Stack, caplog, attempts: Attempts, surface: Surface) -> None:
    """Each attempt (by its label) refused with a polite message, and none of them falling short otherwise."""
    found = {}
    for label, attempt in attempts.items():
        case = await exchange(stack, caplog, attempt())
        found[label] = problems(case, surface) | refusal_missing(case, surface)
    assert_no_problems(found)


async def test_forged_button_values_from_the_generated_cases_are_refused_politely(stack, committee, caplog):
    await assert_refused_politely(stack, caplog, presses(stack, FORGED_PRESSES, CLERK), BUTTON)


FORGED_FORMS = [
    ("comment.edit", {"context": "2147483648"}, {"text": text_value("Edited")}),
    ("comment.edit", {"context": "²"}, {"text": text_value("Edited")}),
    ("meeting.move", {"context": "2147483648"}, {"when": text_value("21 March 2041 10:00")}),
    ("action.redate", {"context": "9" * 30}, {"due": text_value("1 December 2041")}),
    ("comment.add", {}, {"report": select_value("2147483648"), "text": text_value("Hello")}),
    ("meeting.add", {"channel": ["x"]}, {"when": text_value("21 March 2041 10:00")}),
    ("report.open", {"channel": 5}, {"title": text_value("Draft"), "deadline": text_value("1 May 2041")}),
]


async def test_forged_form_metadata_from_the_generated_cases_is_refused_politely(stack, committee, caplog):
    attempts = {}
    for form_id, forged, fields in FORGED_FORMS:
        metadata = json.dumps({"context": "", "channel": CHANNEL} | forged)
        values = {block_id: {"value": entry} for block_id, entry in fields.items()}
        attempts[f"{form_id} {metadata}"] = partial(
            stack.slack.view_submission, form_id, values, user_id=CLERK, private_metadata=metadata
        )
    await assert_refused_politely(stack, caplog, attempts, FORM)


EXTREME_COMMANDS = [
    ("/actions", "due before 1/1/0001"),
    ("/actions", "due after 31/12/9999"),
    ("/committee", "reminders ²"),
    ("/committee", "reminders " + "9" * 5000),  # more digits than int() converts
]


async def test_extreme_numbers_in_commands_are_refused_politely(stack, committee, caplog):
    await assert_refused_politely(stack, caplog, typings(stack, EXTREME_COMMANDS, CLERK), COMMAND)


async def test_the_fallback_text_of_a_refusal_escapes_what_was_typed(stack, committee, caplog):
    """The top-level `text` is what notifications and screen readers use; it must be as safe as the blocks."""
    typed_text = f"deadline {REF} <!channel> please"
    case = await exchange(
        stack, caplog, stack.slack.slash_command("/report", typed_text, user_id=CLERK, channel_id=CHANNEL)
    )
    assert COMMAND.refused(case)
    assert "&lt;!channel&gt;" in json.dumps(case.answer["blocks"])
    assert "<!channel>" not in case.answer["text"]


# ---------------------------------------------------------------------------------------------- security


def _interactive_body(payload: dict) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def _signed_bodies(stack: Stack, committee: Committee) -> dict[str, bytes]:
    """One request of each signed kind that would store something if it were believed."""
    sender = {"user": {"id": JONES, "team_id": TEAM}, "team": {"id": TEAM}}
    press = sender | {"type": "block_actions", "trigger_id": "9.9.press", "channel": {"id": CHANNEL}}
    press |= {"response_url": stack.fake.response_url(), "container": {"type": "message", "channel_id": CHANNEL}}
    press |= {"actions": [{"action_id": "comment.none", "value": str(committee.window_id), "type": "button"}]}
    values = {"report": {"value": select_value(str(committee.window_id))}, "text": {"value": text_value("Forged")}}
    view = {"id": "VUNSIGNED", "type": "modal", "callback_id": "comment.add", "state": {"values": values}}
    view |= {"private_metadata": json.dumps({"context": "", "channel": CHANNEL})}
    submission = sender | {"type": "view_submission", "trigger_id": "9.9.view", "view": view}
    event = thread_reply(committee.announcement_ts, JONES, "Unsigned reply", None)
    envelope = {"type": "event_callback", "team_id": TEAM, "event_id": "EvUNSIGNED", "event": event}
    return {
        "button press": _interactive_body(press),
        "view submission": _interactive_body(submission),
        "thread reply event": json.dumps(envelope).encode(),
    }


def _forgeries(client: SignedSlackClient, body: bytes) -> dict[str, dict[str, str]]:
    now = int(time.time())
    signed = client.signed_headers(body)
    return {
        "bad signature": signed | {"X-Slack-Signature": "v0=" + "0" * 64},
        "signature of another body": client.signed_headers(body + b"x"),
        "six minutes old": client.signed_headers(body, timestamp=now - 6 * 60),
        "six minutes ahead": client.signed_headers(body, timestamp=now + 6 * 60),
        "timestamp not a number": signed | {"X-Slack-Request-Timestamp": "yesterday"},
        "no signature": {k: v for k, v in signed.items() if k != "X-Slack-Signature"},
        "no timestamp": {k: v for k, v in signed.items() if k != "X-Slack-Request-Timestamp"},
        "no Slack headers": {"Content-Type": signed["Content-Type"]},
    }


async def test_unsigned_stale_or_forged_requests_get_401_and_store_nothing(stack, committee):
    statuses, stored_anything = {}, {}
    for kind, body in _signed_bodies(stack, committee).items():
        before = await contents(stack)
        for forgery, headers in _forgeries(stack.slack, body).items():
            statuses[f"{kind}, {forgery}"] = (await stack.slack.send(body, headers)).status
        await stack.bot.delivery.drain()
        stored_anything[kind] = await contents(stack) != before
    assert statuses == dict.fromkeys(statuses, 401)
    assert not any(stored_anything.values()), stored_anything


async def test_the_same_requests_signed_are_carried_out(stack, committee):
    """The forged requests above are refused for their signatures alone: signed, each stores something."""
    for kind, body in _signed_bodies(stack, committee).items():
        before = await row_counts(stack)
        reply = await stack.slack.send(body, stack.slack.signed_headers(body))
        await stack.bot.delivery.drain()
        assert reply.status == 200 and await row_counts(stack) != before, kind


UNSIGNED_GARBAGE = {
    "bad JSON in payload": (b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
    "payload not an object": (b"payload=%5B1%2C2%5D", "application/x-www-form-urlencoded"),
    "bad JSON body": (b"{not json", "application/json"),
}


async def test_unsigned_garbage_gets_401_not_500(stack, committee, caplog):
    """Anyone on the internet can send these: the signature must be checked before the body is read."""
    statuses = {}
    for name, (body, content_type) in UNSIGNED_GARBAGE.items():
        statuses[name] = (await stack.slack.send(body, {"Content-Type": content_type})).status
    assert statuses == dict.fromkeys(UNSIGNED_GARBAGE, 401)
    assert not errors_logged(caplog)


# ---------------------------------------------------------------------------------------------- clerks only


async def _preview_value(stack: Stack) -> str:
    text_typed = f"open Budget consultation | | <@{OFFICER}> | 1 March 2041"
    preview = (await stack.slack.slash_command("/report", text_typed, user_id=CLERK, channel_id=CHANNEL)).json()
    return buttons(preview)["Open comment window"]["value"]


async def member_refusal_problems(stack: Stack, caplog, request: Awaitable[Reply], surface: Surface) -> dict:
    """Refused with a polite message saying only clerks can, logged, and not a single row different."""
    before = await contents(stack)
    with caplog.at_level(logging.INFO):
        case = await exchange(stack, caplog, request)
        logged = caplog.text
    found = problems(case, surface) | refusal_missing(case, surface)
    shown = json.dumps(case.messages or case.answer, ensure_ascii=False)
    if "not refused" not in found and "clerks" not in shown:
        found["unexplained"] = f"the refusal does not say that only clerks can: {shown[:300]}"
    if PATEL not in logged or "refused" not in logged:
        found["unlogged"] = "the refusal was not logged"
    if await contents(stack) != before:
        found["changed"] = "rows changed"
    return found


CLERKS_COMMANDS = [
    ("/meeting", "add 21 March 2041 10:00"),
    ("/meeting", "add"),
    ("/report", f"open Draft | | <@{OFFICER}> | 1 May 2041"),
    ("/report", ""),
    ("/report", f"deadline {REF} 1 October 2041"),
    ("/minutes", "RESOLVED: That the report be noted."),
    ("/minutes", ""),
    ("/actions", "add"),
    ("/actions", "export"),
    ("/committee", "setup A New Name"),
    ("/committee", "reminders 8 weekends"),
]


async def assert_members_refused(stack: Stack, caplog, attempts: Attempts, surface: Surface) -> None:
    """Each attempt (by its label) made by a member in turn, and each refused as only a clerk's to make."""
    assert_no_problems(
        {label: await member_refusal_problems(stack, caplog, attempt(), surface) for label, attempt in attempts.items()}
    )


async def test_members_cannot_use_clerks_commands(stack, committee, caplog):
    await assert_members_refused(stack, caplog, typings(stack, CLERKS_COMMANDS, PATEL), COMMAND)


CLERKS_BUTTONS = [
    ("action.done", "1"),
    ("action.cancel", "1"),
    ("action.reassign", "1"),
    ("action.redate", "1"),
    ("actions.record", ""),
    ("meeting.move", "1"),
    ("meeting.cancel", "1"),
    ("reminder.snooze", "resolution:1"),
    ("reminder.mute", "window:1"),
    ("reminder.unmute", "window:1"),
]


async def test_members_cannot_press_clerks_buttons(stack, committee, caplog):
    buttons = [*CLERKS_BUTTONS, ("report.confirm", await _preview_value(stack))]
    await assert_members_refused(stack, caplog, presses(stack, buttons, PATEL), BUTTON)


def _minutes_values(count_of: int) -> dict:
    values = {"meeting_date": text_value("6 September 2040")}
    for n in range(1, count_of + 1):
        values |= {f"text_{n}": text_value(f"Resolution {n}."), f"kind_{n}": select_value("action")}
        values |= {f"owner_{n}": text_value("Director"), f"due_{n}": text_value("1 June 2041")}
    return values


CLERKS_FORMS = [
    ("action.done", "1", {"note": text_value("Forged")}),
    ("action.cancelled", "1", {"note": text_value("Forged")}),
    ("action.reassign", "1", {"owner_user_id": user_value(PATEL), "owner_title": text_value("")}),
    ("action.redate", "1", {"due": text_value("1 December 2041")}),
    ("meeting.move", "1", {"when": text_value("21 March 2041 10:00")}),
    ("meeting.add", "", {"when": text_value("21 March 2041 10:00")}),
    ("action.record", "", {"text": text_value("Forged."), "kind": select_value("action")}),
    (
        "report.open",
        "",
        {"title": text_value("Forged"), "officer": user_value(OFFICER), "deadline": text_value("1 May 2041")},
    ),
    (
        "committee.setup",
        "",
        {"name": text_value("Renamed"), "timezone": text_value("Europe/London"), "clerks": users_value([PATEL])},
    ),
    ("minutes.confirm", "1", _minutes_values(1)),
    ("minutes.confirm", "0", _minutes_values(0)),  # nothing to check, so nothing checked the clerk
]


async def test_members_cannot_submit_clerks_forms_with_forged_metadata(stack, committee, caplog):
    found = {}
    for form_id, context, fields in CLERKS_FORMS:
        values = {block_id: {"value": entry} for block_id, entry in fields.items()}
        forged = json.dumps({"context": context, "channel": CHANNEL})
        request = stack.slack.view_submission(form_id, values, user_id=PATEL, private_metadata=forged)
        found[f"{form_id} {context}"] = await member_refusal_problems(stack, caplog, request, FORM)
    assert_no_problems(found)


async def test_a_clerks_forged_resolution_count_is_refused_as_an_out_of_date_form(stack, committee):
    values = {block_id: {"value": entry} for block_id, entry in _minutes_values(1).items()}
    for forged_count in ("200000", "0"):
        forged = json.dumps({"context": forged_count, "channel": CHANNEL})
        reply = await stack.slack.view_submission("minutes.confirm", values, user_id=CLERK, private_metadata=forged)
        errors = reply.json()["errors"]
        assert "That form is out of date. Please import the minutes again." in errors.values(), forged_count


async def test_a_forged_resolution_count_is_refused_before_any_work(stack, committee):
    """The confirm form never holds more than twelve resolutions; a larger count must not be worked through
    (the work is synchronous, so the whole bot waits meanwhile)."""
    values = {block_id: {"value": entry} for block_id, entry in _minutes_values(1).items()}
    forged = json.dumps({"context": "200000", "channel": CHANNEL})
    started = time.monotonic()
    reply = await stack.slack.view_submission("minutes.confirm", values, user_id=PATEL, private_metadata=forged)
    elapsed = time.monotonic() - started
    assert reply.status == 200 and reply.json()["response_action"] == "errors"
    assert elapsed < 0.5, f"took {elapsed:.1f}s"


# ---------------------------------------------------------------------------------------------- workspaces


@dataclasses.dataclass(frozen=True)
class TwoWorkspaces:
    """Ours (T0001) and theirs (T0THER) with the same people and channel id, as in a channel shared between
    two councils' workspaces, so that only the workspace tells them apart. Each has its own install of the bot
    over one database: the bot refuses requests from a workspace it is not installed in, and these check that
    the data of one install never reaches another's."""

    ours: Stack
    theirs: Stack
    ours_committee: Committee


OUR_TEXTS = ("OURS-comment", "OURS-resolution", "OURS-draft", "Children and Families", "Draft annual report")


def leaked(seen: Any) -> list[str]:
    shown = seen if isinstance(seen, str) else json.dumps(seen, ensure_ascii=False)
    return [our_text for our_text in OUR_TEXTS if our_text in shown]


async def _their_workspace(ours: Stack) -> Stack:
    """Their own install of the bot (ours refuses their requests), sharing our database."""
    theirs = await start_stack(ours.database, fake=ours.fake, team=OTHER_TEAM)
    await set_up_committee(theirs, "Their Scrutiny Board")
    await open_window(theirs, "Their budget consultation")
    await comment_inline(theirs, PATEL, "budget-consultation THEIRS-comment")
    await record_resolution(theirs, "THEIRS-resolution", due="1 July 2041")
    await add_meeting(theirs, "9 May 2041 18:30")
    return theirs


@pytest.fixture
async def workspaces(stack):
    ours = await committee_with_everything(stack)
    await comment_inline(stack, JONES, f"{REF} OURS-comment")
    await record_resolution(stack, "OURS-resolution", due="1 August 2041")
    await stack.slack.event(thread_reply(ours.announcement_ts, SMITH, "OURS-draft", None))
    theirs = await _their_workspace(stack)
    await stack.bot.delivery.drain()
    yield TwoWorkspaces(stack, theirs, ours)
    await theirs.stop_instance()


THEIR_READS = [
    (PATEL, "/comment", "list"),
    (CLERK, "/actions", ""),
    (CLERK, "/actions", "all"),
    (CLERK, "/actions", "committee Children"),
    (CLERK, "/meeting", ""),
    (CLERK, "/report", f"export {REF}"),
    (OFFICER, "/report", f"export {REF}"),
    (CLERK, "/actions", "export"),
    (CLERK, "/meeting", "calendar"),
]


def _from_another_workspace(stranger: SignedSlackClient, ours: Committee) -> dict[str, tuple[Surface, Callable]]:
    """One request of each kind, signed as Slack signs, from a workspace our install does not serve, each of
    which would change something of ours were it believed."""
    window, forged = str(ours.window_id), json.dumps({"context": "", "channel": CHANNEL})
    values = {"report": {"value": select_value(window)}, "text": {"value": text_value("Slipped in")}}
    message = {"type": "message", "user": PATEL, "text": "RESOLVED: That the report be noted.", "ts": "1.000001"}
    at = partial(dict, user_id=CLERK, channel_id=CHANNEL)
    return {
        "set up a committee": (COMMAND, partial(stranger.slash_command, "/committee", "setup Theirs", **at())),
        "comment": (COMMAND, partial(stranger.slash_command, "/comment", f"{REF} Theirs", **at(user_id=PATEL))),
        "no comments": (BUTTON, partial(stranger.block_action, "comment.none", window, **at(user_id=PATEL))),
        "close an action": (BUTTON, partial(stranger.block_action, "action.done", "1", **at())),
        "add a comment by form": (
            FORM,
            partial(stranger.view_submission, "comment.add", values, user_id=PATEL, private_metadata=forged),
        ),
        "import minutes": (
            BUTTON,
            partial(stranger.message_shortcut, "minutes_from_message", message=message, **at()),
        ),
        "reply in the thread": (QUIET, partial(stranger.event, thread_reply(ours.announcement_ts, PATEL, "Hi", None))),
    }


async def test_requests_from_a_workspace_we_are_not_installed_in_are_refused(stack, committee, caplog):
    stranger = SignedSlackClient(stack.slack.url, SIGNING_SECRET, team_id=OTHER_TEAM, fake=stack.fake)
    before, found = await contents(stack), {}
    try:
        for label, (surface, request) in _from_another_workspace(stranger, committee).items():
            posts_before = len(stack.fake.calls_to("chat.postMessage"))
            with caplog.at_level(logging.INFO):
                case = await exchange(stack, caplog, request())
                logged = caplog.text
            faults = problems(case, surface) | refusal_missing(case, surface)
            if surface is not QUIET and "installed for another Slack workspace" not in json.dumps(
                case.messages or case.answer
            ):
                faults["unexplained"] = json.dumps(case.messages or case.answer)[:300]
            if case.forms or len(stack.fake.calls_to("chat.postMessage")) != posts_before:
                faults["acted"] = "a form was opened or a message posted"
            if f"refused a request from workspace {OTHER_TEAM}" not in logged:
                faults["unlogged"] = "the refusal was not logged"
            found[label] = faults
    finally:
        await stranger.close()
    assert_no_problems(found)
    assert await contents(stack) == before


async def test_another_workspace_never_sees_our_lists_or_exports(workspaces, caplog):
    theirs, found = workspaces.theirs, {}
    for user, name, typed_text in THEIR_READS:
        uploads_before = len(theirs.fake.uploaded_files)
        case = await exchange(
            theirs, caplog, theirs.slack.slash_command(name, typed_text, user_id=user, channel_id=CHANNEL)
        )
        uploaded = "\n".join(f.content.decode("utf-8", "replace") for f in theirs.fake.uploaded_files[uploads_before:])
        leaks = leaked(case.messages) + leaked(uploaded)
        found[f"{user} {name} {typed_text}"] = problems(case, COMMAND) | ({"leaked": leaks} if leaks else {})
    assert_no_problems(found)


async def test_another_workspaces_events_show_nothing_of_ours(workspaces, caplog):
    theirs = workspaces.theirs
    reply = thread_reply(workspaces.ours_committee.announcement_ts, PATEL, "Crossing over", None)
    crossing = await exchange(theirs, caplog, theirs.slack.event(reply))
    assert_handled(crossing, QUIET)
    assert crossing.messages == [] and not crossing.changed_rows
    for user in (CLERK, PATEL, OFFICER):
        await theirs.slack.event({"type": "app_home_opened", "user": user, "channel": "DHOME", "tab": "home"})
    await theirs.bot.delivery.drain()
    homes = [call.params for call in theirs.fake.calls_to("views.publish")][-3:]
    assert "Their budget consultation" in json.dumps(homes) and not leaked(homes)


def _our_ids_pressed(ours: Committee) -> list[tuple[str, str]]:
    window, comment = str(ours.window_id), str(ours.comment_id)
    # Resolution 1, meeting 1, draft 1 and committee 1 are ours; the other workspace's came later.
    return [
        ("comment.add", window),
        ("comment.none", window),
        ("comment.edit", comment),
        ("comment.withdraw", comment),
        ("draft.confirm", "1"),
        ("action.more", "1"),
        ("action.history", "1"),
        ("action.done", "1"),
        ("action.redate", "1"),
        ("meeting.move", "1"),
        ("meeting.cancel", "1"),
        ("reminder.snooze", f"window:{window}"),
        ("reminder.mute", "resolution:1"),
        ("reminder.unmute", "resolution:1"),
        ("reminder.mutedm", "meeting:1"),
        ("reminder.snooze", "committee:1"),
        ("actions.share", json.dumps({"everywhere": True, "committee_name": "Children"})),
    ]


async def test_buttons_carrying_our_ids_do_nothing_in_another_workspace(workspaces, caplog):
    theirs, before, found = workspaces.theirs, await contents(workspaces.ours), {}
    for action_id, value in _our_ids_pressed(workspaces.ours_committee):
        for user in (PATEL, CLERK, SMITH):
            request = theirs.slack.block_action(action_id, value, user_id=user, channel_id=CHANNEL)
            case = await exchange(theirs, caplog, request)
            leaks = leaked(case.messages) + leaked(case.forms)
            faults = problems(case, BUTTON) | refusal_missing(case, BUTTON) | ({"leaked": leaks} if leaks else {})
            found[f"{action_id} {value[:30]} by {user}"] = faults
    assert_no_problems(found)
    assert await contents(workspaces.ours) == before


def _our_ids_submitted(ours: Committee) -> list[tuple[str, str, dict]]:
    return [
        ("comment.edit", str(ours.comment_id), {"text": text_value("Hijacked")}),
        ("comment.add", "", {"report": select_value(str(ours.window_id)), "text": text_value("Slipped in")}),
        ("action.done", "1", {"note": text_value("Closed from elsewhere")}),
        ("action.cancelled", "1", {"note": text_value("Cancelled from elsewhere")}),
        ("action.reassign", "1", {"owner_title": text_value("Someone else")}),
        ("action.redate", "1", {"due": text_value("1 December 2041")}),
        ("meeting.move", "1", {"when": text_value("21 March 2041 10:00")}),
    ]


async def test_forms_carrying_our_ids_change_nothing_from_another_workspace(workspaces, caplog):
    theirs, before, found = workspaces.theirs, await contents(workspaces.ours), {}
    for form_id, context, fields in _our_ids_submitted(workspaces.ours_committee):
        values = {block_id: {"value": entry} for block_id, entry in fields.items()}
        forged = json.dumps({"context": context, "channel": CHANNEL})
        for user in (PATEL, JONES, CLERK):
            request = theirs.slack.view_submission(form_id, values, user_id=user, private_metadata=forged)
            case = await exchange(theirs, caplog, request)
            found[f"{form_id} {context} by {user}"] = problems(case, FORM) | refusal_missing(case, FORM)
    assert_no_problems(found)
    assert await contents(workspaces.ours) == before


# ---------------------------------------------------------------------------------------------- calendar feed


async def _calendar_token(stack: Stack, slack: SignedSlackClient) -> str:
    await slack.slash_command("/meeting", "calendar", user_id=PATEL, channel_id=CHANNEL)
    async with stack.database.engine.connect() as connection:
        tokens = (await connection.execute(text("SELECT workspace_id, calendar_token FROM committee"))).all()
    return dict(tokens)[slack.team_id]


async def _get_feed(stack: Stack, encoded_token: str) -> tuple[int, str]:
    base = stack.slack.url.rsplit("/slack/events", 1)[0]
    async with (
        aiohttp.ClientSession() as session,
        session.get(URL(f"{base}/calendar/{encoded_token}.ics", encoded=True)) as response,
    ):
        return response.status, await response.text()


async def test_each_calendar_feed_serves_its_own_committee_only(workspaces):
    ours = await _calendar_token(workspaces.ours, workspaces.ours.slack)
    theirs = await _calendar_token(workspaces.ours, workspaces.theirs.slack)
    status, our_feed = await _get_feed(workspaces.ours, ours)
    assert status == 200 and "BEGIN:VCALENDAR" in our_feed and "OURS-resolution" in our_feed
    status, their_feed = await _get_feed(workspaces.ours, theirs)
    assert status == 200 and "THEIRS-resolution" in their_feed
    assert not leaked(their_feed) and "THEIRS" not in our_feed


def wrong_tokens(right: str) -> st.SearchStrategy[str]:
    near_misses = st.sampled_from(
        (right[:-1], right + "A", right.upper(), right.lower(), right[::-1], right[:20], f"{right}.ics", "")
    )
    shaped = st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)
    return st.one_of(near_misses, shaped, st.text(max_size=80)).filter(lambda token: token != right)


@pytest.fixture
async def feed_token(stack, committee) -> str:
    return await _calendar_token(stack, stack.slack)


@settings(FUZZ, max_examples=30)
@given(data=st.data())
async def test_a_wrong_calendar_token_gets_404(stack, feed_token, caplog, data):
    token = data.draw(wrong_tokens(feed_token))
    caplog.clear()
    status, body = await _get_feed(stack, quote(token, safe=""))
    assert status == 404, f"token {token!r}: HTTP {status}"
    assert "BEGIN:VCALENDAR" not in body and not errors_logged(caplog)
    assert (await _get_feed(stack, feed_token))[0] == 200
