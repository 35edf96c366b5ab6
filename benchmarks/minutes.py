"""Minutes extraction: how long handlers.minutes.extract_resolutions takes over 100 pages (~300 KB) of minutes,
and how that time grows with the length of the minutes (1x, 2x, 4x, 8x).

The minutes are the two real minutes in tests/fixtures and generated agenda items in the usual headings, list
styles and phrasings (minutes_corpus.py). Baselines from the same run: the 1x time per KB (for growth), and one
pass of a single regular expression over every line of the same text (the least any line-by-line reader does).

Targets: 100 pages in < 1 s; time per KB at 8x / at 1x about 1 (linear).

Usage: python benchmarks/minutes.py [--pages 100 --scales 1,2,4,8 --repeat 5]
"""

import re
import time
from collections import Counter
from datetime import date

import benchlib
from benchlib import Figure, figure
from minutes_corpus import minutes

from handlers.minutes import extract_resolutions

NAME = "minutes"
MEETING = date(2022, 9, 6)
ONE_PASS = re.compile(r"\s*(?:it\s+was\s+)?(?:resolved|agreed|decisions?|recommended)\b", re.IGNORECASE)


def parse_args():
    parser = benchlib.common_arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=100, help="pages at 1x (about 3 KB each)")
    parser.add_argument("--scales", default="1,2,4,8")
    parser.add_argument("--repeat", type=int, default=5, help="timings per size; the best is reported")
    args = parser.parse_args()
    args.scales = [int(scale) for scale in args.scales.split(",")]
    return args


def timed(work, repeat: int) -> tuple[float, object]:
    """The best of `repeat` timings: CPU-bound work only ever gets slower from outside interference."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times), result


def one_pass(text: str) -> int:
    return sum(1 for line in text.split("\n") if ONE_PASS.match(line))


def measure(pages: int, repeat: int) -> dict:
    text, planted = minutes(pages)
    kb = len(text.encode()) / 1024
    seconds, found = timed(lambda: extract_resolutions(text, MEETING), repeat)
    scan, _ = timed(lambda: one_pass(text), repeat)
    kinds = Counter(str(r.kind) for r in found)
    print(
        f"{pages:>5} pages {kb:>7,.0f} KB: {seconds:.3f} s ({seconds / kb * 1000:.2f} ms/KB), "
        f"{len(found)} resolutions ({planted} generated + the fixtures'), {dict(kinds)}; one regex pass {scan:.3f} s",
        flush=True,
    )
    return {"pages": pages, "kb": kb, "seconds": seconds, "scan": scan}


def figures(sizes: list[dict]) -> list[Figure]:
    first, last = sizes[0], sizes[-1]
    per_kb = [size["seconds"] / size["kb"] * 1000 for size in sizes]
    rows = [
        figure(
            NAME,
            f"{first['pages']} pages ({first['kb']:,.0f} KB)",
            first["seconds"],
            "s",
            target="< 1 s",
            met=first["seconds"] < 1,
        ),
        figure(NAME, f"{first['pages']} pages vs one regex pass", first["seconds"], "s", first["scan"]),
    ]
    for size, ms_per_kb in zip(sizes, per_kb, strict=True):
        scale = size["pages"] // first["pages"]
        target, met = ("~1x (linear; <= 1.25x)", ms_per_kb / per_kb[0] <= 1.25) if size is last else ("", None)
        rows.append(figure(NAME, f"time per KB at {scale}x", ms_per_kb, "ms/KB", per_kb[0], target, met))
    return rows


def main() -> None:
    args = parse_args()
    benchlib.print_machine("minutes extraction time and its growth with length")
    extract_resolutions(minutes(args.pages)[0], MEETING)  # warm-up: first-use imports, caches, allocator
    sizes = [measure(args.pages * scale, args.repeat) for scale in args.scales]
    benchlib.report(figures(sizes), args.json)


if __name__ == "__main__":
    main()
