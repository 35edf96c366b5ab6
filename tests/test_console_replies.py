"""The console's forms as a clerk meets them (issue 9, findings 12 and 13): a refused answer is asked again alone,
as a choice where the bot can offer one, and a command typed mid-form is not taken for an answer."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.test_console import Console, Run

SUNDAY = 6


def _script(today: datetime) -> tuple[list[str], datetime]:
    """On a Sunday no weekday after today is in this week, so the console's clock is moved to Monday first."""
    step = ["/clock +1d"] if today.weekday() == SUNDAY else []
    today += timedelta(days=len(step))
    return [
        *step,
        "/comment",
        "",  # the only open report
        "/cancel",
        "/as UCLERK",
        "/actions add",
        "That the Director reports on waiting times.",
        ".",
        "2",  # Action
        "-",
        "Director of Children and Family Services",
        "next Sunday",
        "",  # the meeting that made it: today
        "/actions",  # typed in the middle of the form
        "/quit",  # as is this: the form is still open, so it is not taken for the date
        "2",  # the Sunday of next week
        "/actions",
    ], today


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> tuple[Run, datetime]:
    script, today = _script(datetime.now(UTC).astimezone(ZoneInfo("Europe/London")))
    return Console(tmp_path_factory.mktemp("replies"), script).finished(), today


def test_an_ambiguous_due_date_is_asked_again_alone_as_a_choice_of_both_sundays(session):
    run, today = session
    this_week = today.date() + timedelta(days=SUNDAY - today.weekday())
    next_week = this_week + timedelta(weeks=1)
    words = [f"Sunday {day.day} {day:%B %Y}" for day in (this_week, next_week)]
    form = run.after("/actions add")
    assert f'"next Sunday" could mean {words[0]} (this week) or {words[1]} (next week). Which did you mean?' in form
    asked_again = form.split("Please answer that one again; your other answers are kept.", 1)[1]
    assert f"[1] {words[0]}\n  [2] {words[1]}" in asked_again
    assert "Resolution>" not in asked_again and "Kind>" not in asked_again
    assert re.search(rf"Resolution R\d+ recorded\.\n.*due {next_week.day} {next_week:%B %Y}", asked_again)
    assert "The form was not sent" not in form


def test_a_command_typed_in_a_form_is_not_taken_for_an_answer(session):
    run, _ = session
    form = run.after("/actions add")
    assert form.count("You are filling in a form: answer the question, or type /cancel first.") == 2  # /actions, /quit
    assert 'read "/quit"' not in form
    assert "waiting times" in run.after("/actions")


def test_an_optional_field_says_optional_once(session):
    run, _ = session
    form = run.after("/comment")
    assert 'Section or paragraph (optional): e.g. "Section 3" or "page 12"' in form
    assert "Optional, e.g." not in run.stdout
