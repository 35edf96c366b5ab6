"""The test suite's fake Slack Web API (tests/support/fake_slack.py) as a process of its own.

Usage: python benchmarks/fake_slack_server.py CHANNELS MEMBERS [PER_CHANNEL_SECONDS]
Knows the benchmark council's channels and members (population.py), prints "listening on PORT", and adds two
methods of its own: bench.calls, how many calls it has answered so far (it forgets each call once counted, so a
long benchmark does not fill its memory), and bench.posts, each chat.postMessage with when it arrived. Given
PER_CHANNEL_SECONDS, it answers 429 to a second post to one channel within that many seconds, as Slack does.
"""

import asyncio
import contextlib
import sys
import time

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


class TimedFake(FakeSlackWebAPI):
    """The fake, noting when each chat.postMessage arrived by time.monotonic, which every process shares."""

    def __init__(self) -> None:
        super().__init__()
        self.posts: list[dict] = []
        self._handlers["bench.posts"] = lambda _params: {"posts": self.posts}

    async def _record(self, call) -> None:
        if call.method == "chat.postMessage":
            key = (call.params.get("metadata") or {}).get("event_payload", {}).get("key")
            self.posts.append({"at": time.monotonic(), "key": key, "failed": call.failed})
        await super()._record(call)


async def serve(channels: int, members: int, per_channel_seconds: float | None) -> None:
    fake = TimedFake()
    fake.members = {channel_of(n): channel_members(n, members) for n in range(1, channels + 1)}
    fake.per_channel_rate(per_channel_seconds)
    count_calls(fake)
    await fake.start()
    print(f"listening on {fake.root_url.rstrip('/').rsplit(':', 1)[1]}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):  # the benchmark stops it with SIGINT
        per_channel_seconds = float(sys.argv[3]) if len(sys.argv) > 3 else None
        asyncio.run(serve(int(sys.argv[1]), int(sys.argv[2]), per_channel_seconds))
