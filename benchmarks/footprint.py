"""Footprint: resident memory and start-up time of `committee-bot serve`, against an empty Bolt app.

The bot runs on PostgreSQL holding 500 committees and 100,000 open resolutions, with Slack's Web API played
by the test suite's fake and its reminder tick off. Start-up is timed from spawning the process until /healthz
answers (the median of several starts; the bot's includes its migration check); memory is VmRSS from
/proc/<pid>/status after a burst of signed `/actions` requests from clerks across the committees. The baseline
is an empty Bolt AsyncApp served by aiohttp (benchmarks/baseline_app.py), measured the same way with the same
burst.

Targets: RSS < 150 MB; start-up < 2 s.

Usage: python benchmarks/footprint.py [--resolutions 100000 --committees 500 --burst 1000 --clients 20 --starts 3]
"""

import asyncio
from dataclasses import dataclass
from pathlib import Path

import benchlib
import loadgen
import population
from benchlib import FakeSlackProcess, Figure, Server, figure

NAME = "footprint"


@dataclass
class Footprint:
    startup_seconds: float
    rss_idle_mb: float
    rss_after_mb: float
    peak_mb: float
    burst: loadgen.LoadResult


def parse_args():
    parser = benchlib.common_arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--resolutions", type=int, default=100_000)
    parser.add_argument("--committees", type=int, default=500)
    parser.add_argument("--burst", type=int, default=1_000, help="/actions requests in the burst")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients in the burst")
    parser.add_argument("--starts", type=int, default=3, help="start-ups timed; the median is reported")
    return parser.parse_args()


def peak_mb(server: Server) -> float:
    for line in Path(f"/proc/{server.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def startup_times(make_server, starts: int) -> tuple[list[float], Server]:
    """Start the server `starts` times; the last one is left running."""
    times = []
    for number in range(starts):
        server = await make_server().start()
        times.append(server.startup_seconds)
        if number < starts - 1:
            server.stop()
    return times, server


async def measure(make_server, signer: loadgen.Signer, check, args) -> Footprint:
    times, server = await startup_times(make_server, args.starts)
    try:
        idle = server.rss_mb()
        burst = await loadgen.run_load(server.url, signer, check, clients=args.clients, count=args.burst)
        footprint = Footprint(benchlib.median(times), idle, server.rss_mb(), peak_mb(server), burst)
    finally:
        server.stop()
    print(
        f"{server.name:14} start-up {', '.join(f'{t:.2f}' for t in times)} s; RSS {footprint.rss_idle_mb:.0f} MB "
        f"idle, {footprint.rss_after_mb:.0f} MB after the burst (peak {footprint.peak_mb:.0f} MB); "
        f"burst: {burst.describe()}",
        flush=True,
    )
    return footprint


async def run(args) -> tuple[Footprint, Footprint]:
    async with benchlib.scratch_postgres(NAME) as url:
        print(
            f"seeding PostgreSQL: {args.committees} committees, {args.resolutions:,} open resolutions ...", flush=True
        )
        await population.seed_council(
            url, committees=args.committees, resolutions=args.resolutions, windows=0, comments=0, members=5
        )
        templates = [
            await loadgen.actions_template(population.clerk_of(n), population.channel_of(n))
            for n in range(1, args.committees + 1)
        ]
        signer = loadgen.Signer(templates)
        async with FakeSlackProcess(args.committees, 5) as fake:
            bot = await measure(lambda: benchlib.bot_server(url, fake.base_url), signer, loadgen.listing_answered, args)
            empty = await measure(lambda: benchlib.baseline_server(fake.base_url), signer, loadgen.any_ack, args)
    return bot, empty


def figures(bot: Footprint, empty: Footprint) -> list[Figure]:
    return [
        figure(
            NAME,
            "RSS after /actions burst",
            bot.rss_after_mb,
            "MB",
            empty.rss_after_mb,
            "< 150 MB",
            bot.rss_after_mb < 150,
        ),
        figure(NAME, "RSS idle after start-up", bot.rss_idle_mb, "MB", empty.rss_idle_mb),
        figure(NAME, "RSS peak (VmHWM)", bot.peak_mb, "MB", empty.peak_mb),
        figure(
            NAME,
            "start-up to /healthz",
            bot.startup_seconds,
            "s",
            empty.startup_seconds,
            "< 2 s",
            bot.startup_seconds < 2,
        ),
    ]


def main() -> None:
    args = parse_args()
    benchlib.print_machine("footprint: memory and start-up of committee-bot serve")
    bot, empty = asyncio.run(run(args))
    benchlib.report(figures(bot, empty), args.json)


if __name__ == "__main__":
    main()
