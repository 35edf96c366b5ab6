"""Where the bot's time goes on the ack path: `committee-bot serve` under py-spy while ack.py's requests load it.

Seeds the same council as ack.py (smaller by default), starts the fake Slack Web API and the bot under
`py-spy record` (pip install py-spy), sends one kind of request from one or more clients for a while, and leaves
py-spy's collapsed stacks (one line per stack, its sample count last) in --out, with a summary of the functions
holding most samples, inclusive and exclusive.

Usage: python benchmarks/profile_ack.py [--kind /actions|comment] [--clients 1] [--seconds 20] [--out FILE]
"""

import asyncio
import collections
import sys
from pathlib import Path

import ack
import benchlib
import loadgen
import population
from benchlib import FakeSlackProcess, Server


def parse_args():
    parser = benchlib.common_arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=ack.KINDS, default="/actions")
    parser.add_argument("--committees", type=int, default=500)
    parser.add_argument("--resolutions", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=5_000)
    parser.add_argument("--windows", type=int, default=50)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--out", default="profile-ack.txt")
    parser.add_argument("--gil", action="store_true", help="sample only while holding the GIL: Python's own CPU")
    return parser.parse_args()


def profiled_bot(url: str, fake_url: str, out: str, rate: int, gil: bool) -> Server:
    server = benchlib.bot_server(url, fake_url)
    sampling = ["--format", "raw", "--rate", str(rate), "--output", out, *(["--gil"] if gil else [])]
    py_spy = ["py-spy", "record", *sampling, "--"]
    server.command = [*py_spy, *server.command]
    return server


async def run(args) -> None:
    async with benchlib.scratch_postgres("profile") as url:
        await population.seed_council(
            url,
            committees=args.committees,
            resolutions=args.resolutions,
            windows=args.windows,
            comments=args.comments,
            members=args.members,
        )
        make, check = (await ack.request_makers(args))[args.kind]
        async with (
            FakeSlackProcess(args.committees, args.members) as fake,
            profiled_bot(url, fake.base_url, args.out, args.rate, args.gil) as server,
        ):
            await loadgen.run_load(server.url, make, check, clients=args.clients, count=50)  # warm-up
            result = await loadgen.run_load(server.url, make, check, clients=args.clients, seconds=args.seconds)
            print(f"{args.kind} {args.clients} client(s): {result.describe()}")
            await fake.wait_until_quiet()


def summary(path: str, top: int = 40) -> None:
    inclusive, exclusive, total = collections.Counter(), collections.Counter(), 0
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rstrip().rpartition(" ")
        frames = stack.split(";")
        total += int(count)
        exclusive[frames[-1]] += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    for title, counter in (("inclusive", inclusive), ("exclusive", exclusive)):
        print(f"\n{title} (of {total} samples)")
        for frame, count in counter.most_common(top):
            print(f"{count / total:6.1%}  {frame[:200]}")


if __name__ == "__main__":
    arguments = parse_args()
    asyncio.run(run(arguments))
    summary(arguments.out)
    sys.exit(0)
