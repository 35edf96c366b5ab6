"""The test suite's fake Slack Web API (tests/support/fake_slack.py) as a process of its own.

Usage: python benchmarks/fake_slack_server.py CHANNELS MEMBERS
Knows the benchmark council's channels and members (population.py), prints "listening on PORT", and adds one
method of its own, bench.calls: how many calls it has answered so far. It forgets each call once counted, so a
long benchmark does not fill its memory.
"""

import asyncio
import contextlib
import sys

import benchlib  # noqa: F401  (puts the project root on sys.path for tests.support)
from population import channel_members, channel_of

from tests.support.fake_slack import FakeSlackWebAPI


def count_calls(fake: FakeSlackWebAPI) -> None:
    total = 0

    def calls(_params: dict) -> dict:
        nonlocal total
        total += len(fake.calls) - 1  # not this call itself
        fake.calls.clear()
        return {"calls": total}

    fake._handlers["bench.calls"] = calls


async def serve(channels: int, members: int) -> None:
    fake = FakeSlackWebAPI()
    fake.members = {channel_of(n): channel_members(n, members) for n in range(1, channels + 1)}
    count_calls(fake)
    await fake.start()
    print(f"listening on {fake.root_url.rstrip('/').rsplit(':', 1)[1]}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):  # the benchmark stops it with SIGINT
        asyncio.run(serve(int(sys.argv[1]), int(sys.argv[2])))
