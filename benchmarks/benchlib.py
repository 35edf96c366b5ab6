"""What every benchmark shares: the machine it ran on, figures and targets, percentiles, a scratch PostgreSQL
database, and servers started as subprocesses on loopback."""

import argparse
import asyncio
import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the fake Slack Web API lives in tests/support, which is not installed

from storage.database import Database  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench"
BENCH_DIR = Path(__file__).resolve().parent


# ---------------------------------------------------------------------- the machine


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "?")
    meminfo = Path("/proc/meminfo").read_text().split()
    memory_kb = int(meminfo[meminfo.index("MemTotal:") + 1])
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "memory": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "cpu": model,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
    }


def print_machine(title: str) -> None:
    print(f"== {title} ==")
    print("machine: " + ", ".join(f"{key} {value}" for key, value in machine().items()))
    # Other work on the machine skews every figure here; the load average says whether there was any.
    print(f"load average (1, 5, 15 min) at start: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    print()


# ---------------------------------------------------------------------- figures and targets


@dataclass
class Figure:
    """One reported number, its baseline from the same run, and the target it is held to."""

    benchmark: str
    metric: str
    value: float
    unit: str
    baseline: float | None = None  # the comparison measured in the same run
    ratio: float | None = None  # value / baseline
    target: str = ""  # e.g. "<= 2x baseline", "< 1 s"
    met: bool | None = None

    def cells(self) -> list[str]:
        met = "" if self.met is None else ("yes" if self.met else "NO")
        return [
            self.benchmark,
            self.metric,
            f"{number(self.value)} {self.unit}",
            "" if self.baseline is None else f"{number(self.baseline)} {self.unit}",
            "" if self.ratio is None else f"{self.ratio:.2f}x",
            self.target,
            met,
        ]


HEADERS = ["benchmark", "metric", "value", "baseline", "ratio", "target", "met"]


def figure(benchmark, metric, value, unit, baseline=None, target="", met=None) -> Figure:
    ratio = value / baseline if baseline else None
    return Figure(benchmark, metric, value, unit, baseline, ratio, target, met)


def number(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if value == int(value):
        return f"{int(value):,}"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def print_table(rows: list[list[str]], headers: list[str]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    for index, row in enumerate([headers, *rows]):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))


def report(figures: list[Figure], json_path: str | None) -> None:
    print()
    print_table([f.cells() for f in figures], HEADERS)
    if json_path:
        Path(json_path).write_text(json.dumps([asdict(f) for f in figures], indent=1))


def common_arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", help="also write the figures to this file (run_all.py uses it)")
    return parser


# ---------------------------------------------------------------------- statistics


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; `values` need not be sorted."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))]


def median(values: list[float]) -> float:
    return percentile(values, 50)


# ---------------------------------------------------------------------- CPU accounting


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process and the processes it started that are still running (gunicorn's
    workers under `serve` with WEB_CONCURRENCY above 1), from /proc/<pid>/stat."""
    return sum(_own_cpu_seconds(each) for each in (pid, *_descendants(pid)))


def _own_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:  # ended since it was listed
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return children + [grandchild for child in children for grandchild in _descendants(child)]


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(values) - idle) / tick, sum(values) / tick


class CpuMeter:
    """CPU used by some processes (and by this one) between start() and stop(), as a share of one core."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.shares: dict[str, float] = {}

    def start(self) -> None:
        self._wall = time.perf_counter()
        self._own = time.process_time()
        self._cpu = {name: process_cpu_seconds(pid) for name, pid in self.pids.items()}
        self._machine = machine_busy_seconds()

    def stop(self) -> dict[str, float]:
        wall = time.perf_counter() - self._wall
        self.shares = {name: (process_cpu_seconds(pid) - self._cpu[name]) / wall for name, pid in self.pids.items()}
        self.shares["client"] = (time.process_time() - self._own) / wall
        busy, total = machine_busy_seconds()
        self.shares["machine"] = (busy - self._machine[0]) / max(total - self._machine[1], 1e-9)
        return self.shares

    def describe(self) -> str:
        cores = ", ".join(f"{name} {share:.0%}" for name, share in self.shares.items() if name != "machine")
        return f"CPU (share of one core): {cores}; machine busy {self.shares['machine']:.0%}"


# ---------------------------------------------------------------------- PostgreSQL


@asynccontextmanager
async def scratch_postgres(label: str) -> AsyncIterator[str]:
    """A fresh database on the local PostgreSQL, at the newest schema, dropped afterwards whatever happens."""
    name = f"committee_bot_bench_{label}_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        database = Database(url)
        await database.upgrade()
        await database.dispose()
        yield url
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin(statement: str) -> None:
    admin = Database(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await admin.dispose()


# ---------------------------------------------------------------------- servers in subprocesses


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A server process on loopback, its start-up time (spawn until /healthz answers) and its memory."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.command = command
        self.port = free_port()
        self.env = os.environ | env | {"PORT": str(self.port), "PYTHONUNBUFFERED": "1"}
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".log", delete=False)  # noqa: SIM115
        self.process: subprocess.Popen | None = None
        self.startup_seconds = math.nan

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    @property
    def pid(self) -> int:
        return self.process.pid

    async def start(self, timeout: float = 60) -> "Server":
        started = time.perf_counter()
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log)
        try:
            return await self._until_healthy(started, timeout)
        except BaseException:
            self.stop()  # never leave a half-started server behind
            raise

    async def _until_healthy(self, started: float, timeout: float) -> "Server":
        async with aiohttp.ClientSession() as session:
            while time.perf_counter() - started < timeout:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited at start-up:\n{self.log_tail()}")
                if await _healthy(session, f"http://127.0.0.1:{self.port}/healthz"):
                    self.startup_seconds = time.perf_counter() - started
                    return self
                await asyncio.sleep(0.005)
        raise RuntimeError(f"{self.name} did not answer /healthz within {timeout}s:\n{self.log_tail()}")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return math.nan

    def stop(self) -> None:
        """Stop the process (SIGINT: aiohttp's run_app shuts down cleanly on it) and remove its log."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(Path(self.log.name).read_text(errors="replace").splitlines()[-lines:])

    async def __aenter__(self) -> "Server":
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        self.stop()


async def _healthy(session: aiohttp.ClientSession, url: str) -> bool:
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=1)) as response:
            return response.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


def bot_server(database_url: str, slack_api_url: str, workers: int = 1) -> Server:
    """`committee-bot serve`, exactly as deployed, with its reminder tick off. With several workers the CPU
    figure printed for the server is the master's and its workers' together."""
    env = {
        "DATABASE_URL": database_url,
        "SLACK_API_URL": slack_api_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "REMINDERS": "off",
        "WEB_CONCURRENCY": str(workers),
    }
    return Server("committee-bot", [sys.executable, "-m", "bot", "serve"], env)


def baseline_server(slack_api_url: str, process_before_response: bool = False) -> Server:
    """An empty Bolt AsyncApp that only acks (benchmarks/baseline_app.py), served by aiohttp like the bot."""
    command = [sys.executable, str(BENCH_DIR / "baseline_app.py")]
    if process_before_response:
        command.append("--process-before-response")
    env = {"SLACK_API_URL": slack_api_url, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    name = "bolt-empty-pbr" if process_before_response else "bolt-empty"
    return Server(name, command, env)


class FakeSlackProcess(Server):
    """tests/support/fake_slack.py in a process of its own, so its work does not disturb the load client."""

    def __init__(self, channels: int, members: int, per_channel_seconds: float | None = None) -> None:
        command = [sys.executable, str(BENCH_DIR / "fake_slack_server.py"), str(channels), str(members)]
        if per_channel_seconds is not None:
            command.append(str(per_channel_seconds))
        super().__init__("fake-slack", command, {})

    async def _until_healthy(self, started: float, timeout: float = 30) -> "Server":
        """The fake has no /healthz: it picks its own port and prints it once it listens."""
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start-up:\n{self.log_tail()}")
            listening = [line for line in self.log_tail().splitlines() if line.startswith("listening on ")]
            if listening:
                self.port = int(listening[0].split()[-1])
                return self
            await asyncio.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start within {timeout}s:\n{self.log_tail()}")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    async def calls(self) -> int:
        """How many Web API calls the bot has made so far (bench.calls is this process's own method)."""
        return (await self._bench("calls"))["calls"]

    async def posts(self) -> list[dict]:
        """Each chat.postMessage so far: when it arrived (time.monotonic), its ledger key, and if it was refused."""
        return (await self._bench("posts"))["posts"]

    async def _bench(self, method: str) -> dict:
        async with aiohttp.ClientSession() as session, session.post(f"{self.base_url}bench.{method}") as response:
            return await response.json()

    async def wait_until_quiet(self, quiet_for: float = 1.0, timeout: float = 120) -> None:
        """Wait for the bot's work after its acks (ephemeral notes, Home tabs) to finish before measuring on."""
        deadline = time.perf_counter() + timeout
        last = await self.calls()
        while time.perf_counter() < deadline:
            await asyncio.sleep(quiet_for)
            now = await self.calls()
            if now == last:
                return
            last = now
