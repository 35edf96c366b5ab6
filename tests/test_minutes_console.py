"""/minutes in the console (issue 12): a minutes file named by its path, and a paste of many lines; and
`committee-bot minutes extract` without --meeting-date, using the date the minutes give."""

import argparse
import sqlite3
from pathlib import Path

import pytest

from bot import minutes_command
from tests.test_console import CONSOLE_FILE, Console

CORPUS = Path(__file__).parent / "fixtures" / "minutes-corpus"
SLOUGH = CORPUS / "05-slough-cabinet-improvement-recovery.txt"  # six resolutions from one decisions page
CFOS = Path(__file__).parent / "fixtures" / "leicestershire-cfos-2022-09-06-minute-extract.txt"


@pytest.fixture(scope="module")
def from_a_file(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("minutes-file")
    script = ["/as UCLERK", f"/minutes {SLOUGH}", *[""] * (1 + 6 * 4), "/actions all"]
    return workdir, Console(workdir, script).finished()


def test_the_console_reads_a_minutes_file_named_by_its_path(from_a_file):
    workdir, run = from_a_file

    assert run.returncode == 0 and "Traceback" not in run.stderr
    assert "I found 6 resolutions" in run.stdout
    assert "Date of the meeting [25 November 2022]" in run.stdout  # the date the page gives, offered as the answer
    assert "Saved 6 resolutions to the register." in run.stdout
    with sqlite3.connect(workdir / CONSOLE_FILE) as database:
        items = database.execute("SELECT DISTINCT minute_item_title FROM resolution").fetchall()
    assert items == [("Improvement and Recovery Update",)]


def test_the_console_takes_a_paste_of_many_lines_in_the_form(tmp_path):
    lines = CFOS.read_text("utf-8").splitlines()
    script = ["/as UCLERK", "/minutes", "", *[line for line in lines if line.strip() != "."], ".", *[""] * 11]

    run = Console(tmp_path, script).finished()

    assert "I found 2 resolutions" in run.stdout
    assert "Date of the meeting [6 September 2022]" in run.stdout


def test_a_path_that_is_not_a_minutes_file_is_read_as_pasted_text(tmp_path):
    run = Console(tmp_path, ["/as UCLERK", f"/minutes {tmp_path / 'no-such-minutes.pdf'}"]).finished()

    assert "I couldn't find any resolutions in that text" in run.stdout


def _extract(argv: list[str], capsys) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="committee-bot minutes")
    minutes_command.add_arguments(parser)
    code = minutes_command.run(parser.parse_args(argv))
    return code, capsys.readouterr().out


def test_extract_without_a_meeting_date_uses_the_date_the_minutes_give(capsys):
    code, out = _extract(["extract", str(CFOS)], capsys)

    assert code == 0
    assert out.startswith(f"2 resolutions in {CFOS.name} (meeting of 6 September 2022, the date the minutes give):")
    assert (
        "   Agenda item: 11 ANNUAL REPORT OF THE LEICESTERSHIRE AND RUTLAND SAFEGUARDING CHILDREN'S PARTNERSHIP\n"
        in out
    )


def test_extract_says_when_the_minutes_give_no_date(capsys):
    code, out = _extract(["extract", str(CORPUS / "07-darlington-scrutiny-work-programme.txt")], capsys)

    assert code == 0
    assert "(the minutes give no meeting date, so periods are left as rules):" in out
    assert "   Due: six months\n" in out
