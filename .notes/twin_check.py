"""Check the twin list in .notes/teams-sched-report.md against the tests as they are.

Every Slack story (a test function in a non-Teams tests/test_*_e2e.py) must be listed once, under its own file's
heading with the right count; every Teams test a line names must exist (in the file it names, when it names one).
Prints the header counts; with --counts, also the Teams test counts per database from pytest's collection.

    python .notes/twin_check.py [--counts]
"""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / ".notes" / "teams-sched-report.md"
SECTION = "## Each Slack e2e story and its Teams twin"
DEFINED = re.compile(r"^\s*(?:async\s+)?def\s+(test_\w+)", re.MULTILINE)
HEADING = re.compile(r"^#{3,4} (test_\w+\.py) \((\d+)\)")
NAMED = re.compile(r"`(test_\w+)`(?:\s*\((test_\w+\.py))?")
NO_MEANING = ("no Teams meaning", "Slack-only", "none:")
INSTALLS = {"test_installs_e2e.py", "test_two_workspaces_e2e.py"}  # listed in a section of their own


def tests_in(path: Path) -> list[str]:
    return DEFINED.findall(path.read_text())


def slack_stories() -> dict[str, list[str]]:
    files = sorted(p for p in (ROOT / "tests").glob("test_*_e2e.py") if not p.name.startswith("test_teams_"))
    return {p.name: tests_in(p) for p in files}


def teams_tests() -> dict[str, set[str]]:
    return {p.name: set(tests_in(p)) for p in sorted((ROOT / "tests").glob("test_teams_*.py"))}


def section_lines() -> list[str]:
    text = REPORT.read_text()
    start = text.index(SECTION) + len(SECTION)
    end = text.find("\n## ", start)
    return text[start : end if end != -1 else None].splitlines()


def check() -> list[str]:
    slack, teams = slack_stories(), teams_tests()
    everywhere = set().union(*teams.values())
    problems, listed, kinds = [], Counter(), Counter()
    heading, expected = None, {}
    for line in section_lines():
        if found := HEADING.match(line):
            heading, expected[found[1]] = found[1], int(found[2])
            continue
        if not line.startswith("- `test_") or "→" not in line:
            continue
        story, twins = line[3:].split("`", 1)[0], line.split("→", 1)[1].strip()
        listed[story] += 1
        if heading not in slack or story not in slack[heading]:
            problems.append(f"{story} is not a test in {heading}")
        for name, file in NAMED.findall(twins):
            if file and name not in teams.get(file, ()):
                problems.append(f"{story}: {name} is not in {file}")
            elif name not in everywhere:
                problems.append(f"{story}: {name} is in no tests/test_teams_*.py")
        group = "Slack-install" if heading in INSTALLS else "Slack e2e"
        if twins.startswith("`test_"):
            kinds[group, "with a Teams twin"] += 1
        elif twins.startswith("none yet"):
            kinds[group, "none yet"] += 1
        elif twins.startswith(NO_MEANING):
            kinds[group, "with no Teams meaning"] += 1
        else:
            problems.append(f"{story}: say a twin, 'none yet' or one of {NO_MEANING}")
    for file, names in slack.items():
        if expected.get(file) != len(names):
            problems.append(f"{file}: heading says {expected.get(file)}, the file has {len(names)}")
        problems += [f"{name} ({file}) is not listed" for name in names if not listed[name]]
    problems += [f"{name} is listed {n} times" for name, n in listed.items() if n > 1]
    for group in ("Slack e2e", "Slack-install"):
        stories = sum(len(names) for file, names in slack.items() if (file in INSTALLS) == (group != "Slack e2e"))
        print(f"{stories} {group} stories, " + ", ".join(f"{n} {kind}" for (g, kind), n in kinds.items() if g == group))
    return problems


def counts() -> None:
    """Teams test counts per database, from what pytest collects."""
    files = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "tests").glob("test_teams_*.py"))]
    files.append("tests/test_fake_bot_connector.py")
    collect = [sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider", *files]
    ids = subprocess.run(collect, cwd=ROOT, capture_output=True, text=True).stdout.splitlines()
    table = {}
    for test in (line for line in ids if "::" in line):
        params = test.partition("[")[2]
        db = "sqlite" if "sqlite" in params else "postgresql" if "postgresql" in params else "none"
        table.setdefault(Path(test.split("::")[0]).stem, Counter())[db] += 1
    total = sum(table.values(), Counter())
    for name, row in [*table.items(), ("Total", total)]:
        print(f"| {name} | {row['sqlite'] or ''} | {row['postgresql'] or ''} | {row['none'] or ''} |")


if __name__ == "__main__":
    found = check()
    print("\n".join(found) or "no problems")
    if "--counts" in sys.argv:
        counts()
    sys.exit(1 if found else 0)
