"""Slack's markup and limits stay in bot/slack/: the shared core writes the message model, never a platform's syntax.

Every string the shared code writes is read (docstrings, comments and regular expressions aside, and the minutes
reader, which reads text as councils wrote it), so that no `<@U...>`, link, `*bold*`, `:emoji:` or code span, no
call to Slack's escaping and no constant named for one of Slack's limits can creep back outside bot/slack/.
"""

import ast
import importlib
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import front_end, interactions, replies

ROOT = Path(__file__).parent.parent
SHARED = ("bot", "handlers", "storage")
FRONT_END = ROOT / "bot" / "slack"
READS_ANY_TEXT = "minutes*.py"  # handlers that read minutes as written, whatever characters they hold
SLACK_SYNTAX = {
    "a mention": re.compile(r"<[@!#]"),
    "a link": re.compile(r"<[a-z][a-z0-9+.-]*:|<https?\b|\|[^<>\s]*>"),
    "bold": re.compile(r"(?<![\w*])\*(?=\S)[^*\n]+?(?<=\S)\*(?![\w*])"),
    "italics": re.compile(r"(?<![\w_])_(?=[a-z])[^_\n]+?(?<=[a-z])_(?![\w_])"),
    "an emoji": re.compile(r"(?:^|\s):[a-z][a-z0-9_+-]*:(?=\s|$)"),
    "code": re.compile(r"`"),
}
# The console writes a command as `/comment list`, its own way of showing what to type.
CONSOLE_CONVENTIONS = {"code"}
SLACK_LIMITS = re.compile(
    r"MAX_(SECTION_TEXT|PASTE_LENGTH|MESSAGE_BLOCKS|HOME_BLOCKS|MODAL_TITLE|BUTTON_LABEL|CHOICE_LABEL"
    r"|CONTEXT_ELEMENTS|OPTIONS|BUTTON_VALUE)|Slack's limit"
)


def _shared_modules() -> Iterator[Path]:
    minutes_readers = set((ROOT / "handlers").glob(READS_ANY_TEXT))
    for package in SHARED:
        for path in sorted((ROOT / package).rglob("*.py")):
            if FRONT_END not in path.parents and path not in minutes_readers:
                yield path


def _written_text(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Each string literal as it will be written: an f-string with {} for what it fills in."""
    unread = _docstrings(tree) | _regular_expressions(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            unread |= {id(part) for part in node.values}
            template = "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values)
            yield node.lineno, template
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in unread:
            yield node.lineno, node.value


def _docstrings(tree: ast.AST) -> set[int]:
    bodies = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, bodies) and node.body and isinstance(node.body[0], ast.Expr)
    }


def _regular_expressions(tree: ast.AST) -> set[int]:
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _is_re(node.func.value)
    ]
    return {id(part) for call in calls for part in ast.walk(call) if isinstance(part, ast.Constant)}


def _is_re(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "re"


def _slack_escaping(tree: ast.AST) -> Iterator[int]:
    for node in ast.walk(tree):
        named = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        if named == "escape" and not (isinstance(node, ast.Attribute) and _is_re(node.value)):
            yield node.lineno


def _findings(path: Path, root: Path = ROOT) -> list[str]:
    source = path.read_text()
    tree = ast.parse(source)
    where = path.relative_to(root)
    allowed = CONSOLE_CONVENTIONS if (ROOT / "bot" / "console") in path.parents else set()
    found = [
        f"{where}:{line}: {name} in {text[:80]!r}"
        for line, text in _written_text(tree)
        for name, syntax in SLACK_SYNTAX.items()
        if name not in allowed and syntax.search(text)
    ]
    found += [f"{where}:{line}: Slack's escaping" for line in _slack_escaping(tree)]
    found += [f"{where}: {limit.group()}" for limit in SLACK_LIMITS.finditer(source)]
    return found


def test_no_slack_syntax_escaping_or_limits_outside_bot_slack():
    found = [finding for path in _shared_modules() for finding in _findings(path)]
    assert not found, "\n".join(found)


def test_the_check_finds_what_it_looks_for(tmp_path):
    """The check itself, on a module written the way presenters were written before the message model."""
    old = tmp_path / "replies.py"
    old.write_text(
        "MAX_PASTE_LENGTH = 3000\n"
        "def announcement(window):\n"
        "    return (f':memo: *Comments invited:* <{window.url}|{escape(window.title)}> to <@{window.officer}>.'\n"
        "            ' Type `/comment list`.')\n"
    )
    found = "\n".join(_findings(old, tmp_path))
    for name in ("a mention", "a link", "bold", "an emoji", "code", "Slack's escaping", "MAX_PASTE_LENGTH"):
        assert name in found, name


IN_PROCESS = "tests.support.in_process:InProcess"
# Every front end, as the interfaces in bot/front_end.py name them; a new one adds its classes here.
FRONT_ENDS = {
    "FrontEnd": (
        "bot.slack.delivery:SlackDelivery",
        "bot.console.backend:ConsoleSession",
        "bot.teams.delivery:TeamsDelivery",
        IN_PROCESS,
    ),
    "Answering": (
        "bot.slack.listeners.answering:InTheAck",
        "bot.slack.listeners.answering:InPlace",
        "bot.slack.listeners.answering:Telling",
        "bot.slack.listeners.views:_InTheAck",
        "bot.slack.listeners.views:_InTheFormRead",
        "bot.console.backend:ConsoleSession",
        "bot.teams.delivery:InTheChat",
        "bot.teams.delivery:InTheDialog",
        "bot.teams.delivery:InTheCard",
        "tests.support.in_process:_Answering",
    ),
    "ReminderTransport": (
        "bot.slack.reminders:SlackReminderTransport",
        "bot.console.reminders:ConsoleReminderTransport",
        "bot.teams.reminders:TeamsReminderTransport",
        IN_PROCESS,
    ),
}
PLATFORM_IMPORTS = ("slack_sdk", "slack_bolt", "bot.slack", "bot.console", "bot.teams", "botbuilder")


def _loaded(name: str) -> type:
    module, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _interface(protocol: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(protocol).items()
        if callable(member) and not name.startswith("_")
    }


@pytest.mark.parametrize("protocol_name", FRONT_ENDS)
def test_every_front_end_provides_the_whole_interface_with_its_signatures(protocol_name):
    protocol = getattr(front_end, protocol_name)
    for name in FRONT_ENDS[protocol_name]:
        implementation = _loaded(name)
        for method, wanted in _interface(protocol).items():
            assert hasattr(implementation, method), f"{name} has no {method}"
            given = inspect.signature(getattr(implementation, method))
            assert len(given.parameters) == len(wanted.parameters), f"{name}.{method}{given} is not {method}{wanted}"
            assert inspect.iscoroutinefunction(getattr(implementation, method)) == inspect.iscoroutinefunction(
                getattr(protocol, method)
            ), f"{name}.{method} is not async as {protocol_name} says"


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.lineno, node.module


# The one exception: issue 13 asks for slack_sdk's own SQLAlchemy install and state stores, in the bot's database
# and under its migrations. storage/ owns those tables as it owns every other (declared in storage/models.py, kept
# in storage/installations.py); nothing there reads or writes anything Slack sends.
SLACK_INSTALL_TABLES = ("slack_sdk.oauth.installation_store.sqlalchemy", "slack_sdk.oauth.state_store.sqlalchemy")


def test_the_shared_core_imports_no_front_end():
    """A front end is bot/<platform>/ alone: nothing shared depends on one, so adding one changes nothing shared."""
    front_ends = {ROOT / "bot" / name for name in ("slack", "console", "teams")}
    found = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for package in SHARED
        for path in sorted((ROOT / package).rglob("*.py"))
        if not front_ends & set(path.parents) and path.name not in ("cli.py", "workers.py", "server.py")
        for line, module in _imports(path)
        if module.startswith(PLATFORM_IMPORTS) and module not in SLACK_INSTALL_TABLES
    ]
    assert not found, "\n".join(found)


def test_routing_tables_are_the_conversations_declarations():
    """Slack listens for exactly the buttons and forms the conversations declare (and the core's date choice)."""
    from bot.slack.listeners.actions import OUR_ACTIONS
    from bot.slack.listeners.views import OUR_FORMS

    for conversation in interactions.CONVERSATIONS:
        for prefix in conversation.button_prefixes:
            assert OUR_ACTIONS.match(f"{prefix}.anything") and conversation.press
        for prefix in conversation.form_prefixes:
            assert OUR_FORMS.match(f"{prefix}.anything") and conversation.submit
    for prefixes in (interactions.BUTTON_PREFIXES, interactions.FORM_PREFIXES):
        assert len(set(prefixes)) == len(prefixes), "a prefix belongs to one conversation"
    assert OUR_ACTIONS.match(replies.CHOOSE_DATE)
    assert not OUR_ACTIONS.match("minutes.anything") and not OUR_FORMS.match("reminder.anything")
