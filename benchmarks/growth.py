"""Growth: `/actions` latency as the resolutions table grows from 1,000 to 10,000 to 100,000 rows.

`committee-bot serve` runs on PostgreSQL with 500 committees; the table grows in place (rows spread evenly over
the committees, planner statistics refreshed after each step). At each size one client at a time sends signed
`/actions` from a clerk in a committee channel (that committee's view: the list pages in the database), and
`/actions all` from a clerk of every committee (the whole table's view). The baseline is the 1,000-row figure
of the same run.

Target: the channel view's 100k/1k latency ratio < 2 (p50 and p99). The whole-table view is reported alongside,
without a target.

Usage: python benchmarks/growth.py [--sizes 1000,10000,100000 --committees 500 --requests 200 --all-requests 10]
"""

import asyncio
from datetime import UTC, datetime

import benchlib
import loadgen
import population
from benchlib import FakeSlackProcess, Figure, figure

from storage.database import Database

NAME = "growth"


def parse_args():
    parser = benchlib.common_arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="table sizes, comma-separated, ascending")
    parser.add_argument("--committees", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200, help="channel-view requests at each size")
    parser.add_argument("--all-requests", type=int, default=10, help="whole-table requests at each size")
    args = parser.parse_args()
    args.sizes = [int(size) for size in args.sizes.split(",")]
    return args


async def views(committees: int) -> dict[str, loadgen.Signer]:
    channel = [
        await loadgen.actions_template(population.clerk_of(n), population.channel_of(n))
        for n in range(1, committees + 1)
    ]
    everything = [await loadgen.actions_template(population.SUPER_CLERK, population.channel_of(1), "all")]
    return {"channel": loadgen.Signer(channel), "all": loadgen.Signer(everything)}


async def measure(server, signer: loadgen.Signer, requests: int) -> loadgen.LoadResult:
    await loadgen.run_load(server.url, signer, loadgen.listing_answered, clients=1, count=max(5, requests // 10))
    result = await loadgen.run_load(server.url, signer, loadgen.listing_answered, clients=1, count=requests)
    if result.failures:
        raise RuntimeError(f"/actions failed: {result.failures[0]}")
    return result


async def grow(url: str, committees: int, rows_now: int, size: int, now: datetime) -> None:
    database = Database(url)
    try:
        await population.seed_resolutions(database, committees, size - rows_now, now, first_number=rows_now)
    finally:
        await database.dispose()


async def run(args) -> dict[tuple[str, int], loadgen.LoadResult]:
    now = datetime.now(UTC).replace(microsecond=0)
    results = {}
    async with benchlib.scratch_postgres(NAME) as url, FakeSlackProcess(args.committees, 5) as fake:
        database = Database(url)
        await population.seed_committees(database, args.committees, now)
        await database.dispose()
        signers = await views(args.committees)
        async with benchlib.bot_server(url, fake.base_url) as server:
            rows = 0
            for size in args.sizes:
                await grow(url, args.committees, rows, size, now)
                rows = size
                for view, requests in (("channel", args.requests), ("all", args.all_requests)):
                    result = await measure(server, signers[view], requests)
                    results[(view, size)] = result
                    print(f"{size:>8,} rows  /actions {view:8} {result.describe()}", flush=True)
    return results


def figures(results: dict, sizes: list[int]) -> list[Figure]:
    smallest, largest = sizes[0], sizes[-1]
    rows = []
    for view in ("channel", "all"):
        for size in sizes:
            for stat in ("p50", "p99"):
                value = getattr(results[(view, size)], f"{stat}_ms")
                base = getattr(results[(view, smallest)], f"{stat}_ms")
                target, met = "", None
                if view == "channel" and size == largest:
                    target, met = f"{largest // smallest}x rows: < 2x", value / base < 2
                rows.append(figure(NAME, f"/actions {view} {stat} at {size:,} rows", value, "ms", base, target, met))
    return rows


def main() -> None:
    args = parse_args()
    benchlib.print_machine("growth: /actions latency as the resolutions table grows")
    results = asyncio.run(run(args))
    benchlib.report(figures(results, args.sizes), args.json)


if __name__ == "__main__":
    main()
