"""Ack path: how fast `committee-bot serve` answers Slack, against an empty Bolt app on the same machine.

The bot runs on PostgreSQL holding a council (500 committees, 10,000 open resolutions, 5,000 comments), with
Slack's Web API played by the test suite's fake (in a process of its own) and its reminder tick off. Baselines,
served the same way in the same run: (a) an empty Bolt AsyncApp with default settings whose listeners only ack,
(b) the same with process_before_response=True. Load: signed `/actions` slash commands from clerks in their
committee channels, and comment.add view submissions (each unique) from channel members; first one client at a
time, then 50 concurrent clients.

Targets (issue 10): with one client the bot's p50 is <= 0.7x (a)'s; its server spends <= 3 ms of CPU per request;
with 50 clients its throughput is >= 0.2x (a)'s; its p99 is <= 5x (a)'s. The CPU per request is the server
process's user and system time over the phase, divided by the requests sent in it; on a machine shared with other
work it grows with the load, so the ratios to (a) in the same run are the figures to compare across runs.

Usage: python benchmarks/ack.py [--committees 500 --resolutions 10000 --comments 5000 --seconds 10 ...]
"""

import asyncio
from dataclasses import dataclass

import benchlib
import loadgen
import population
from benchlib import CpuMeter, FakeSlackProcess, Figure, figure

NAME = "ack"
KINDS = ("/actions", "comment")


@dataclass
class Measured:
    server: str
    kind: str
    clients: int
    result: loadgen.LoadResult
    cpu: str
    cpu_ms_per_request: float  # the server process's


def parse_args():
    parser = benchlib.common_arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--committees", type=int, default=500)
    parser.add_argument("--resolutions", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=5_000)
    parser.add_argument("--windows", type=int, default=50, help="committees with an open comment window")
    parser.add_argument("--members", type=int, default=20, help="members of each committee channel besides clerks")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients in the throughput phase")
    parser.add_argument("--seconds", type=float, default=10, help="length of each concurrent phase")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of load before each concurrent phase")
    parser.add_argument("--requests", type=int, default=300, help="requests in each one-client phase")
    parser.add_argument("--workers", type=int, default=1, help="processes serving the bot (WEB_CONCURRENCY)")
    return parser.parse_args()


async def request_makers(args) -> dict[str, tuple]:
    """For each kind: a factory of fresh signed requests, and how to tell the bot really answered."""
    committees = range(1, args.committees + 1)
    actions = [await loadgen.actions_template(population.clerk_of(n), population.channel_of(n)) for n in committees]
    hosts = population.window_committees(args.committees, args.windows)
    # Member 0 of a committee with a window receives its comments (population.py), and is refused: never them.
    comments = [
        await loadgen.comment_template(
            population.member_of(host, 1 + number % (args.members - 1)),
            population.channel_of(host),
            population.window_id_of(host, args.committees, args.windows),
            number,
        )
        for number, host in enumerate(hosts * args.members)
    ]
    return {
        "/actions": (loadgen.Signer(actions), loadgen.listing_answered),
        "comment": (loadgen.Signer(comments), loadgen.plain_ack),
    }


async def phase(server, fake: FakeSlackProcess, kind: str, make, check, clients: int, **budget) -> Measured:
    """One measured load phase, then a wait until the bot's work after its acks has died down."""
    meter = CpuMeter({"server": server.pid, "fake": fake.pid})
    meter.start()
    result = await loadgen.run_load(server.url, make, check, clients=clients, **budget)
    meter.stop()
    sent = len(result.latencies) + len(result.failures)
    per_request = meter.shares["server"] * result.seconds / max(sent, 1) * 1000
    measured = _note(Measured(server.name, kind, clients, result, meter.describe(), per_request))
    await fake.wait_until_quiet()
    return measured


async def measure_server(server, fake: FakeSlackProcess, makers: dict, args) -> list[Measured]:
    measured = []
    for kind in KINDS:
        make, check = makers[kind]
        check = check if server.name == "committee-bot" else loadgen.any_ack  # the baselines ack with no body
        await loadgen.run_load(server.url, make, check, clients=1, count=max(20, args.requests // 10))  # warm-up
        measured.append(await phase(server, fake, kind, make, check, 1, count=args.requests))
        await loadgen.run_load(server.url, make, check, clients=args.clients, seconds=args.warmup)
        measured.append(await phase(server, fake, kind, make, check, args.clients, seconds=args.seconds))
    return measured


def _note(measured: Measured) -> Measured:
    print(f"{measured.server:14} {measured.kind:9} {measured.clients:>3} client(s): {measured.result.describe()}")
    print(f"{'':14} {measured.cpu}; server {measured.cpu_ms_per_request:.2f} ms CPU per request", flush=True)
    return measured


async def run(args) -> list[Measured]:
    async with benchlib.scratch_postgres(NAME) as url:
        print(
            f"seeding PostgreSQL: {args.committees} committees, {args.resolutions:,} open resolutions, "
            f"{args.windows} open comment windows, {args.comments:,} comments ...",
            flush=True,
        )
        await population.seed_council(
            url,
            committees=args.committees,
            resolutions=args.resolutions,
            windows=args.windows,
            comments=args.comments,
            members=args.members,
        )
        makers = await request_makers(args)
        async with FakeSlackProcess(args.committees, args.members) as fake:
            servers = (
                benchlib.bot_server(url, fake.base_url, args.workers),
                benchlib.baseline_server(fake.base_url),
                benchlib.baseline_server(fake.base_url, process_before_response=True),
            )
            measured = []
            for server in servers:
                async with server:
                    print(f"\n{server.name} (pid {server.pid}) up {server.startup_seconds:.2f} s after spawn")
                    measured += await measure_server(server, fake, makers, args)
    return measured


STATISTICS = {
    "p50_ms": ("p50", "ms"),
    "p99_ms": ("p99", "ms"),
    "throughput": ("throughput", "req/s"),
    "cpu_ms_per_request": ("server CPU per request", "ms"),
}
MOST_CPU_MS = 3.0


def figures(measured: list[Measured], clients: int) -> list[Figure]:
    """The bot against baseline (a), held to the targets of issue 10."""
    by = {(m.server, m.kind, m.clients): m for m in measured}
    rows = []
    for kind in KINDS:
        checks = (
            (1, "p50_ms", "<= 0.7x (a)", lambda value, base: value <= 0.7 * base),
            (1, "p99_ms", "<= 5x (a)", lambda value, base: value <= 5 * base),
            (1, "cpu_ms_per_request", f"<= {MOST_CPU_MS:g} ms", lambda value, _base: value <= MOST_CPU_MS),
            (clients, "throughput", ">= 0.2x (a)", lambda value, base: value >= 0.2 * base),
            (clients, "p50_ms", "", None),
            (clients, "p99_ms", "<= 5x (a)", lambda value, base: value <= 5 * base),
            (clients, "cpu_ms_per_request", f"<= {MOST_CPU_MS:g} ms", lambda value, _base: value <= MOST_CPU_MS),
        )
        for count, statistic, target, test in checks:
            value = _statistic(by[("committee-bot", kind, count)], statistic)
            base = _statistic(by[("bolt-empty", kind, count)], statistic)
            label, unit = STATISTICS[statistic]
            metric = f"{kind} {count} client{'s' if count > 1 else ''} {label}"
            rows.append(figure(NAME, metric, value, unit, base, target, test(value, base) if test else None))
    return rows


def _statistic(measured: Measured, statistic: str) -> float:
    if statistic == "cpu_ms_per_request":
        return measured.cpu_ms_per_request
    return getattr(measured.result, statistic)


PHASE_HEADERS = ["server", "request", "clients", "req/s", "p50 ms", "p99 ms", "CPU ms/req", "failed"]
PHASE_HEADERS += ["p50/(a)", "p50/(b)", "req/s/(a)", "req/s/(b)"]


def all_phases(measured: list[Measured]) -> None:
    """Every server and phase side by side, with its ratios to each baseline."""
    by = {(m.server, m.kind, m.clients): m.result for m in measured}
    rows = []
    for m in measured:
        r, a, b = m.result, by[("bolt-empty", m.kind, m.clients)], by[("bolt-empty-pbr", m.kind, m.clients)]
        figures_ = [f"{r.throughput:,.0f}", f"{r.p50_ms:.2f}", f"{r.p99_ms:.2f}", f"{m.cpu_ms_per_request:.2f}"]
        figures_.append(str(len(r.failures)))
        ratios = [r.p50_ms / a.p50_ms, r.p50_ms / b.p50_ms, r.throughput / a.throughput, r.throughput / b.throughput]
        rows.append([m.server, m.kind, str(m.clients), *figures_, *(f"{ratio:.2f}x" for ratio in ratios)])
    print()
    benchlib.print_table(rows, PHASE_HEADERS)


def main() -> None:
    args = parse_args()
    benchlib.print_machine(f"ack path: committee-bot serve ({args.workers} worker(s)) vs an empty Bolt app")
    measured = asyncio.run(run(args))
    all_phases(measured)
    benchlib.report(figures(measured, args.clients), args.json)


if __name__ == "__main__":
    main()
