"""`committee-bot db backup` and `db restore` round trips on a council of the ack benchmark's size, on SQLite and on
PostgreSQL, in the native and the portable format: rows, seconds each way, the backup's size, and whether every
table came back equal, row by row.

    python benchmarks/backup.py [--committees 500 --resolutions 10000 --windows 50 --comments 5000]
"""

import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchlib

from storage.database import Database
from tests.support.every_table import every_row, fill_every_table


def committee_bot(url: str, *command: str) -> float:
    """Runs the command as an operator would; how long it took."""
    started = time.perf_counter()
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "bot", *command], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


async def rows_of(url: str) -> dict[str, list[tuple]]:
    database = Database(url)
    try:
        return await every_row(database)
    finally:
        await database.dispose()


async def round_trip(source: str, target: str, backup: Path, backup_format: str) -> list[str]:
    before = await rows_of(source)
    backup_seconds = committee_bot(source, "db", "backup", str(backup), "--format", backup_format)
    restore_seconds = committee_bot(target, "db", "restore", str(backup), "--force")
    equal = await rows_of(target) == before
    rows = sum(len(rows) for rows in before.values())
    size = backup.stat().st_size / 1_000_000
    return [backup_format, f"{rows:,}", f"{backup_seconds:.2f}", f"{restore_seconds:.2f}", f"{size:.2f}", str(equal)]


async def run(args) -> None:
    sizes = dict(committees=args.committees, resolutions=args.resolutions, windows=args.windows, comments=args.comments)
    print("council: " + ", ".join(f"{value:,} {name}" for name, value in sizes.items()), flush=True)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite_source, sqlite_target = f"sqlite:///{folder}/council.sqlite3", f"sqlite:///{folder}/restored.sqlite3"
        source = Database(sqlite_source)
        await source.upgrade()
        await fill_every_table(source, **sizes)
        await source.dispose()
        for backup_format in ("native", "portable"):
            backup = Path(folder) / f"sqlite.{backup_format}"
            results.append(["SQLite", *await round_trip(sqlite_source, sqlite_target, backup, backup_format)])
        async with benchlib.scratch_postgres("backup") as postgres_source:
            source = Database(postgres_source)
            await fill_every_table(source, **sizes)
            await source.dispose()
            async with benchlib.scratch_postgres("restore") as postgres_target:
                for backup_format in ("native", "portable"):
                    backup = Path(folder) / f"postgres.{backup_format}"
                    row = await round_trip(postgres_source, postgres_target, backup, backup_format)
                    results.append(["PostgreSQL", *row])
    headers = ["database", "format", "rows", "backup s", "restore s", "file MB", "every row equal"]
    benchlib.print_table(results, headers)


def main() -> None:
    parser = benchlib.common_arguments(__doc__)
    parser.add_argument("--committees", type=int, default=500)
    parser.add_argument("--resolutions", type=int, default=10_000)
    parser.add_argument("--windows", type=int, default=50)
    parser.add_argument("--comments", type=int, default=5_000)
    args = parser.parse_args()
    benchlib.print_machine("backup and restore round trips")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
