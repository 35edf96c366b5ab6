"""Run every benchmark of issue 5 in one go, each in a process of its own at its default size, and print one table
of all their figures, baselines, ratios and targets at the end.

Usage: python benchmarks/run_all.py [--only ack,growth,fanout,minutes,footprint]
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchlib
from benchlib import HEADERS, Figure

BENCHMARKS = ("ack", "growth", "fanout", "minutes", "footprint")
HERE = Path(__file__).resolve().parent


def run_one(name: str) -> tuple[list[Figure], float, int]:
    """Run benchmarks/<name>.py, its output streaming through; its figures, how long it took, its exit code."""
    print(f"\n{'#' * 100}\n# {name}\n{'#' * 100}", flush=True)
    with tempfile.NamedTemporaryFile(suffix=".json") as figures_file:
        started = time.perf_counter()
        returncode = subprocess.call([sys.executable, str(HERE / f"{name}.py"), "--json", figures_file.name])
        seconds = time.perf_counter() - started
        written = Path(figures_file.name).read_text()
    figures = [Figure(**fields) for fields in json.loads(written)] if written else []
    return figures, seconds, returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated benchmarks to run")
    names = parser.parse_args().only.split(",")
    benchlib.print_machine("committee-bot benchmarks (issue 5)")
    figures, timings = [], []
    for name in names:
        produced, seconds, returncode = run_one(name)
        figures += produced
        timings.append([name, f"{seconds:.0f} s", "ok" if returncode == 0 else f"EXIT {returncode}"])
    print(f"\n{'=' * 100}\nSummary\n")
    benchlib.print_machine("summary")
    benchlib.print_table([f.cells() for f in figures], HEADERS)
    print()
    benchlib.print_table(timings, ["benchmark", "took", "run"])
    missed = [f for f in figures if f.met is False]
    print(f"\n{len(missed)} of {sum(f.met is not None for f in figures)} targets missed.")


if __name__ == "__main__":
    main()
