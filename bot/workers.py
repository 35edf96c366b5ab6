"""Several processes serving one port, under gunicorn's supervision.

One event loop tops out at one core. gunicorn forks the workers, restarts any that die and stops them
gracefully on SIGTERM; aiohttp's worker class runs our application in each. Every worker is a full instance:
de-duplication and the reminder ledger live in the database, so workers need not know of each other.
"""

from collections.abc import Awaitable, Callable

from aiohttp import web
from gunicorn.app.base import BaseApplication

from bot.config import Settings

AppFactory = Callable[[], Awaitable[web.Application]]


class _Workers(BaseApplication):
    def __init__(self, make_app: AppFactory, settings: Settings, at_exit: Callable[[], object] | None) -> None:
        self._make_app = make_app
        self._settings = settings
        self._at_exit = at_exit
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", f"0.0.0.0:{self._settings.port}")
        self.cfg.set("workers", self._settings.workers)
        self.cfg.set("worker_class", "aiohttp.GunicornWebWorker")
        # As `serve` with one process: ten seconds for deliveries under way to finish.
        self.cfg.set("graceful_timeout", 10)
        # gunicorn's runtime control socket is one path per user: two deployments on a host would collide.
        self.cfg.set("control_socket_disable", True)
        # Its start-up lines (listening, worker class, each worker booted) would bury the one `serve` logs.
        self.cfg.set("loglevel", "warning")
        self.cfg.set("child_exit", _forget_metrics_of)
        if self._at_exit is not None:
            at_exit = self._at_exit
            self.cfg.set("on_exit", lambda _arbiter: at_exit())

    def load(self) -> AppFactory:
        return self._make_app


def _forget_metrics_of(_arbiter, worker) -> None:
    """A worker that died or was replaced stops counting in the gauges of what is in use now."""
    from bot.metrics import forget_worker

    forget_worker(worker.pid)


def serve_with_workers(make_app: AppFactory, settings: Settings, at_exit: Callable[[], object] | None = None) -> None:
    """`at_exit` runs in gunicorn's master once every worker has stopped."""
    _Workers(make_app, settings, at_exit).run()
