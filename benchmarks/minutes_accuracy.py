"""Minutes extraction accuracy: how many of the resolutions a careful clerk reads out of real minutes the
extractor finds (recall), how many of what it finds are resolutions (precision), and whether their kind and due
are right; and how often an item shown without any doubt is right in every field (kind, owner, due).

The corpus is a folder of minute extracts (`NN-body-slug.txt`, two header lines, a blank line, the extract) and
`expected.json` with the clerk's reading of each (see the corpus README). The header lines are the annotator's,
not the minutes', so the extractor sees only the extract, and no meeting date: it must find that itself.

Pairing: each expected resolution is paired with the extracted item whose words overlap it most, when the
overlap is at least half of the shorter text's words. Recall is the share of expected resolutions paired;
precision the share of extracted items that are some expected resolution's pair (an item listed twice counts
once). Kinds are right or wrong for every expected resolution, dues for every one that has a due date or rule
(an unpaired one is wrong); a due given where the clerk reads none is counted apart ("dues where none"):
- calendar dues by exact date;
- meeting-bound dues by next / future / named meeting (the month, season or body named must be in the rule);
- periods by their length ("within six months" matches "6 months");
- recurring dues by how often ("annually", "quarterly", "regular");
- no due means neither a date nor a rule was given.
Owners (for the no-doubt figure) match when the same after dropping "the" and case; a generic actor
("officers", "Members") counts as no owner, as the corpus's reading rules say.

Halves: files with an odd number are the development half, files with an even number the held-back half.

Usage: python benchmarks/minutes_accuracy.py [CORPUS] [--half dev|held-out|all] [-v] [--one-line]
"""

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from handlers.minutes import ExtractedResolution, extract_resolutions  # noqa: E402

TARGETS = {"recall": 0.95, "precision": 0.90, "kinds": 0.95, "dues": 0.95, "no-doubt right": 0.98}
HALVES = {"dev": 1, "held-out": 0}  # file number modulo 2
GENERIC_OWNERS = {"officers", "council officers", "members", "the group", "group", "all", "all members"}
WORD = re.compile(r"[a-z0-9]+")
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8, "twelve": 12, "a": 1}
PERIOD = re.compile(r"\b(\d+|" + "|".join(_NUMBERS) + r")\s+(day|week|fortnight|month|year)s?\b", re.IGNORECASE)
NAMED = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\b(?:spring|summer|autumn|winter)\b"
    r"|\b(?:quarterly|annual(?:ly)?|regular|monthly|following\s+week|cabinet|council)\b|\b\d{4}\b",
    re.IGNORECASE,
)


def default_corpus() -> Path:
    """`shared/minutes-corpus` beside the checkout or beside any folder above it (worktrees sit deeper)."""
    for folder in ROOT.parents:
        candidate = folder / "shared" / "minutes-corpus"
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared" / "minutes-corpus"


@dataclass
class Expected:
    text: str
    kind: str
    owner: str | None
    due: date | None
    due_rule: str | None


@dataclass
class FileScore:
    name: str
    expected: list[Expected]
    found: list[ExtractedResolution]
    pairs: list[int | None] = field(default_factory=list)  # for each expected, the index of its found item

    def pair_up(self) -> None:
        found = [f.text for f in self.found]
        self.pairs = []
        for wanted in self.expected:
            self.pairs.append(best_pair(wanted.text, found, taken=set(self.pairs)))

    def kind_right(self, n: int) -> bool:
        pair = self.pairs[n]
        return pair is not None and str(self.found[pair].kind) == self.expected[n].kind

    def due_right(self, n: int) -> bool:
        pair = self.pairs[n]
        return pair is not None and due_matches(self.expected[n], self.found[pair])

    def owner_right(self, n: int) -> bool:
        pair = self.pairs[n]
        return pair is not None and owner_key(self.found[pair].owner) == owner_key(self.expected[n].owner)

    def all_right(self, index: int) -> bool:
        """Whether found item `index` is an expected resolution read right in kind, owner and due."""
        readings = [n for n, pair in enumerate(self.pairs) if pair == index]
        return any(self.kind_right(n) and self.due_right(n) and self.owner_right(n) for n in readings)


def words(text: str) -> Counter:
    return Counter(WORD.findall(text.lower()))


def best_pair(expected: str, found: list[str], taken: set[int | None]) -> int | None:
    """The found item whose words overlap `expected` most (at least half of the shorter one's words); of equal
    overlaps, one not yet paired (two resolutions worded alike, in two agenda items, are two items)."""
    wanted = words(expected)
    best, best_key = None, (0, False)
    for index, text in enumerate(found):
        have = words(text)
        overlap = sum((wanted & have).values())
        shorter = min(sum(wanted.values()), sum(have.values()))
        key = (overlap, index not in taken)
        if overlap * 2 >= shorter and overlap > 0 and key > best_key:
            best, best_key = index, key
    return best


def owner_key(owner: str | None) -> str | None:
    if owner is None:
        return None
    key = " ".join(re.sub(r"^the\s+", "", owner.strip(), flags=re.IGNORECASE).lower().split())
    return None if key in GENERIC_OWNERS else key


def period_of(text: str | None) -> tuple[int, str] | None:
    match = PERIOD.search(text or "")
    if match is None:
        return None
    count = match[1].lower()
    number, unit = (int(count) if count.isdigit() else _NUMBERS[count]), match[2].lower()
    return (2 * number, "week") if unit == "fortnight" else (number, unit)


def named_terms(text: str | None) -> set[str]:
    return {term.lower()[:3] if not term.isdigit() else term for term in NAMED.findall(text or "")}


def due_matches(expected: Expected, found: ExtractedResolution) -> bool:
    if expected.due is not None:
        return found.due_date == expected.due
    if found.due_date is not None:
        return False  # a guessed date where the minutes give none
    rule, found_rule = expected.due_rule, (found.due_rule or "").lower()
    if rule is None:
        return not found_rule
    if rule in ("next_meeting", "future_meeting"):
        return found_rule == rule.replace("_", " ")
    if period := period_of(rule):
        return period_of(found_rule) == period
    wanted = named_terms(rule)
    return bool(found_rule) and (wanted <= named_terms(found_rule) if wanted else True)


def load(corpus: Path, half: str) -> list[tuple[str, str, list[Expected]]]:
    files = []
    for entry in json.loads((corpus / "expected.json").read_text(encoding="utf-8")):
        if half != "all" and int(entry["file"][:2]) % 2 != HALVES[half]:
            continue
        raw = (corpus / entry["file"]).read_text(encoding="utf-8")
        extract = raw.split("\n", 3)[3]  # the two header lines and the blank line are the annotator's
        expected = [
            Expected(
                r["text"], r["kind"], r["owner"], date.fromisoformat(r["due"]) if r["due"] else None, r["due_rule"]
            )
            for r in entry["resolutions"]
        ]
        files.append((entry["file"], extract, expected))
    return files


def one_line(text: str) -> str:
    """What a slash command delivers: Slack turns the line breaks of a pasted text into spaces."""
    return " ".join(text.split())


def score(corpus: Path, half: str, flatten: bool) -> list[FileScore]:
    scores = []
    for name, text, expected in load(corpus, half):
        found = extract_resolutions(one_line(text) if flatten else text)
        file_score = FileScore(name, expected, found)
        file_score.pair_up()
        scores.append(file_score)
    return scores


def figures(scores: list[FileScore]) -> dict[str, float]:
    expected = sum(len(s.expected) for s in scores)
    found = sum(len(s.found) for s in scores)
    paired = sum(sum(p is not None for p in s.pairs) for s in scores)
    found_paired = sum(len({p for p in s.pairs if p is not None}) for s in scores)
    kinds = sum(s.kind_right(n) for s in scores for n in range(len(s.expected)))
    owed = [(s, n) for s in scores for n, e in enumerate(s.expected) if e.due or e.due_rule]
    unowed = [(s, n) for s in scores for n, e in enumerate(s.expected) if not (e.due or e.due_rule)]
    sure = [(s, n) for s in scores for n, item in enumerate(s.found) if not item.doubts]
    return {
        "expected": expected,
        "found": found,
        "recall": paired / expected if expected else 1.0,
        "precision": found_paired / found if found else 1.0,
        "kinds": kinds / expected if expected else 1.0,
        "dues": sum(s.due_right(n) for s, n in owed) / len(owed) if owed else 1.0,
        "dues where none": sum(s.pairs[n] is not None and not s.due_right(n) for s, n in unowed),
        "no-doubt items": len(sure),
        "no-doubt right": sum(s.all_right(n) for s, n in sure) / len(sure) if sure else 1.0,
    }


def describe(file_score: FileScore) -> str:
    lines = [f"--- {file_score.name}"]
    for n, wanted in enumerate(file_score.expected):
        pair = file_score.pairs[n]
        due = wanted.due.isoformat() if wanted.due else wanted.due_rule
        if pair is None:
            lines.append(f"  MISSED   {wanted.kind:<16} {wanted.text[:110]}")
            continue
        got = file_score.found[pair]
        got_due = got.due_date.isoformat() if got.due_date else got.due_rule
        marks = "".join(
            "." if ok else mark
            for ok, mark in (
                (file_score.kind_right(n), "K"),
                (file_score.due_right(n), "D"),
                (file_score.owner_right(n), "O"),
            )
        )
        doubt = " (doubts)" if got.doubts else ""
        lines.append(f"  {marks:<8} {wanted.kind:<16} {wanted.text[:110]}")
        if marks != "...":
            lines.append(
                f"           want {wanted.kind}, {wanted.owner}, {due}; got {got.kind}, {got.owner}, {got_due}{doubt}"
            )
    paired = set(file_score.pairs)
    for index, got in enumerate(file_score.found):
        if index not in paired:
            lines.append(f"  EXTRA    {str(got.kind):<16} {got.text[:110]}")
        elif not got.doubts and not file_score.all_right(index):
            lines.append(f"  SURE BUT WRONG (no doubt shown): {got.text[:90]}")
    return "\n".join(lines)


def table(rows: dict[str, dict[str, float]]) -> str:
    names = ["recall", "precision", "kinds", "dues", "no-doubt right"]
    header = f"{'half':<10}{'files':>6}{'expected':>9}{'found':>7}" + "".join(f"{n:>16}" for n in names)
    lines = [header]
    for half, (files, numbers) in rows.items():
        cells = "".join(f"{numbers[n]:>10.2f} {'met' if numbers[n] >= TARGETS[n] else 'MISS':>5}" for n in names)
        lines.append(f"{half:<10}{files:>6}{numbers['expected']:>9}{numbers['found']:>7}{cells}")
    lines.append("targets: " + ", ".join(f"{n} >= {TARGETS[n]:.2f}" for n in names))
    for count in ("no-doubt items", "dues where none"):
        lines.append(f"{count}: " + ", ".join(f"{h} {int(n[count])}" for h, (_, n) in rows.items()))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=default_corpus())
    parser.add_argument("--half", choices=["dev", "held-out", "all"], default="all")
    parser.add_argument("-v", "--verbose", action="store_true", help="each file's figures and its misreadings")
    parser.add_argument("--one-line", action="store_true", help="flatten each extract to one line first")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    args = parser.parse_args()
    halves = ["all", "dev", "held-out"] if args.half == "all" else [args.half]
    rows = {}
    for half in halves:
        scores = score(args.corpus, half, args.one_line)
        rows[half] = (len(scores), figures(scores))
        if args.verbose and half == halves[0]:
            for file_score in scores:
                numbers = figures([file_score])
                print(
                    describe(file_score) + f"\n  recall {numbers['recall']:.2f} precision {numbers['precision']:.2f} "
                    f"kinds {numbers['kinds']:.2f} dues {numbers['dues']:.2f}"
                )
            print()
    print(f"corpus: {args.corpus}{' (each extract flattened to one line)' if args.one_line else ''}")
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps({half: numbers for half, (_, numbers) in rows.items()}, indent=2))


if __name__ == "__main__":
    main()
