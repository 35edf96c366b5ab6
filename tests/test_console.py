"""`committee-bot console`, as a person at a terminal would use it: scripted sessions piped into the real command.

Two sessions run once for the module (starting the bot takes a couple of seconds): a first one that walks
through commenting, withdrawing, the comment form, refusals and the clerk's export, and a second one on the
same database. The tests read their transcripts for what a person would notice.
"""

import csv
import io
import os
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from bot.console import render, seed
from bot.console.backend import InvalidAnswer, field_value
from bot.forms import Field
from bot.replies import Button, Message, Note, Section
from handlers.comment_windows import make_ref

REF = make_ref(seed.REPORT_TITLE, set())
SESSION_PROMPT = re.compile(r"^\S.* in #\S+> ")
FIRST_COMMENT = "I welcome the focus on mental health"
PING_COMMENT = "Please make sure <!channel> read section 2"
FORM_COMMENT = (
    "Schools are the best place for a young person to access support.",
    "Please say how referrals are followed up.",
)
FIRST_SESSION = [
    "/whoami",
    f"/comment {REF} {FIRST_COMMENT}",
    "/comment list",
    "/press 2",  # Withdraw, on the list's only comment
    "y",
    "hello",
    f"/comment {REF} {PING_COMMENT}",
    "/comment",
    "",  # the only open report, offered as the initial choice
    "Section 3",
    *FORM_COMMENT,
    ".",
    "/as USTRANGER",
    f"/comment {REF} May I comment too?",
    "/as UCLERK",
    "/report",
    "Draft SEND strategy",
    "",
    "@director",
    "1 January 2020",
    f"/report export {REF}",
    "/quit",
]


@dataclass(frozen=True)
class Run:
    stdout: str
    stderr: str
    returncode: int

    def after(self, line: str) -> str:
        """What the session printed in answer to `line`, up to the next command prompt."""
        lines = self.stdout.splitlines()
        start = next(i for i, shown in enumerate(lines) if SESSION_PROMPT.match(shown) and shown.endswith(f"> {line}"))
        end = next((i for i in range(start + 1, len(lines)) if SESSION_PROMPT.match(lines[i])), len(lines))
        return "\n".join(lines[start + 1 : end])


def console(workdir: Path, script: list[str], *options: str) -> Run:
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'c.sqlite3'}"}
    finished = subprocess.run(
        [sys.executable, "-m", "bot", "console", *options],
        input="\n".join(script) + "\n",
        capture_output=True,
        text=True,
        cwd=workdir,
        env=environment,
        timeout=60,
    )
    return Run(finished.stdout, finished.stderr, finished.returncode)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("console")


@pytest.fixture(scope="module")
def first(workdir) -> Run:
    return console(workdir, FIRST_SESSION)


@pytest.fixture(scope="module")
def second(workdir, first) -> Run:
    return console(workdir, ["/comment list"], "--as", "UCLERK")


def test_the_session_ends_cleanly_without_tracebacks(first):
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stdout + first.stderr


def test_the_welcome_names_the_seed_report_and_how_to_comment_on_it(first):
    welcome = first.stdout.split("\nCllr Patel in #children-and-families> ", 1)[0]
    assert seed.REPORT_TITLE in welcome
    assert seed.COMMITTEE_NAME in welcome
    assert f"/comment {REF} " in welcome
    assert "You are Cllr Patel (UCLLRPATEL)" in welcome


def test_whoami_says_who_and_where(first):
    assert "a councillor on the committee" in first.after("/whoami")
    assert "#children-and-families" in first.after("/whoami")


def test_a_one_line_comment_gets_a_private_receipt_quoting_it(first):
    receipt = first.after(f"/comment {REF} {FIRST_COMMENT}")
    assert "only you can see this" in receipt
    assert f"> {FIRST_COMMENT}" in receipt
    assert "[1] Edit  [2] Withdraw" in receipt


def test_comment_list_shows_the_comment(first):
    assert f"> {FIRST_COMMENT}" in first.after("/comment list")


def test_pressing_withdraw_asks_first_then_withdraws(first):
    pressed = first.after("/press 2")
    assert "Withdraw your response on" in pressed
    assert "has been withdrawn" in pressed


def test_text_that_is_not_a_command_gets_a_hint(first):
    assert "/help" in first.after("hello")


def test_a_channel_ping_in_a_comment_is_shown_as_typed_not_as_a_ping(first):
    receipt = first.after(f"/comment {REF} {PING_COMMENT}")
    assert f"> {PING_COMMENT}" in receipt
    assert "@channel" not in first.stdout


def test_the_comment_form_asks_each_question_and_saves_the_comment(first):
    form = first.after("/comment")
    assert "Comment on a report" in form
    assert "Section or paragraph" in form
    assert "(Section 3) is saved" in form
    assert all(f"> {line}" in form for line in FORM_COMMENT)


def test_someone_outside_the_committee_is_refused_politely(first):
    refusal = first.after(f"/comment {REF} May I comment too?")
    assert "Only members of Children and Families Overview and Scrutiny Committee can comment" in refusal
    assert "is saved" not in refusal


def test_a_form_the_bot_refuses_is_abandoned_with_the_reason(first):
    refused = first.after("/report")
    assert "has already passed" in refused
    assert "The form was not sent" in refused


def test_the_clerks_export_is_delivered_as_files_holding_the_comments(first, workdir):
    export = first.after(f"/report export {REF}")
    assert "by direct message" in export
    files = {path.suffix: path for path in (workdir / "exports").iterdir()}
    assert set(files) == {".docx", ".md", ".csv"}
    assert all(str(Path("exports") / path.name) in export for path in files.values())
    texts = {
        ".md": files[".md"].read_text(),
        ".csv": " ".join(" ".join(row) for row in csv.reader(io.StringIO(files[".csv"].read_text()))),
        ".docx": _docx_text(files[".docx"]),
    }
    for text in texts.values():
        assert FORM_COMMENT[0] in text
        assert "channel" in text and "read section 2" in text  # Markdown escapes the < > of <!channel>
        assert FIRST_COMMENT not in text  # withdrawn
        assert "May I comment" not in text


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = (cell.text for table in document.tables for row in table.rows for cell in row.cells)
    return "\n".join([*(paragraph.text for paragraph in document.paragraphs), *cells])


def test_a_second_run_reuses_the_seed_and_keeps_the_comments(second, workdir):
    assert second.returncode == 0, second.stderr
    assert "I've set up" not in second.stdout
    assert "earlier run" in second.stdout
    assert "Jo Ward in #children-and-families> /comment list" in second.stdout  # --as, and end of input ends it
    with sqlite3.connect(workdir / "c.sqlite3") as database:
        assert database.execute("SELECT count(*) FROM committee").fetchone() == (1,)
        assert database.execute("SELECT count(*) FROM comment_window").fetchone() == (1,)


def test_mrkdwn_is_rendered_as_plain_readable_text():
    names = {"UDIRECTOR": "Director of Children and Family Services"}
    text = ":warning: *Report:* <https://example.org/r.pdf|Annual report> to <@UDIRECTOR>\n> a &lt;b&gt; &amp;amp; _i_"
    assert render.mrkdwn_to_text(text, names) == (
        "! Report: Annual report (https://example.org/r.pdf) to @Director of Children and Family Services\n"
        "> a <b> &amp; i"
    )


def test_placeholders_in_help_texts_read_as_typed():
    assert render.mrkdwn_to_text("`/comment <report> <your comment>`", {}) == "`/comment <report> <your comment>`"


def test_buttons_are_numbered_across_the_whole_message():
    message = Message(
        "list",
        (
            Section("first", (Button("Edit", "comment.edit", "1"), Button("Withdraw", "comment.withdraw", "1"))),
            Note("a note"),
            Section("second", (Button("Add comment", "comment.add", "2"),)),
        ),
    )
    text, buttons = render.message_text(message, {}, "heading")
    assert "[1] Edit  [2] Withdraw" in text
    assert "[3] Add comment" in text
    assert [button.value for button in buttons] == ["1", "1", "2"]


def test_form_answers_become_the_values_slack_would_submit():
    directory = seed.SeedDirectory()
    report = Field("report", "Report", "choice", choices=(("7", "Annual report"),))
    assert field_value(report, "1", directory) == "7"
    assert field_value(Field("officer", "Officer", "user"), "@Director", directory) == "UDIRECTOR"
    assert field_value(Field("clerks", "Clerks", "users"), "UCLERK, @patel", directory) == ("UCLERK", "UCLLRPATEL")
    assert field_value(Field("tz", "Zone", "text", initial="Europe/London"), "", directory) == "Europe/London"
    assert field_value(Field("chair", "Chair", "user", optional=True, initial="UCHAIR"), "-", directory) is None
    with pytest.raises(InvalidAnswer):
        field_value(report, "2", directory)
    with pytest.raises(InvalidAnswer):
        field_value(Field("officer", "Officer", "user"), "@nobody", directory)


def test_at_names_in_commands_become_mentions_as_slack_sends_them():
    directory = seed.SeedDirectory()
    assert directory.with_mentions("X | | @director | Friday") == "X | | <@UDIRECTOR> | Friday"
    assert directory.with_mentions("@Cllr Patel and @nobody") == "<@UCLLRPATEL> and @nobody"


def test_the_seed_is_the_committee_and_partnership_of_its_minute():
    minute = " ".join(seed.MINUTE.read_text().split()).lower()
    assert seed.COMMITTEE_NAME.lower() in minute
    assert "leicestershire and rutland safeguarding children partnership" in minute
    assert "by no later than" in minute
