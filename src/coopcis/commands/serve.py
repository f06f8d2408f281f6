"""``coopcis serve``: the back office and the APIs under gunicorn, the production server.

    coopcis serve [--host H] [--port P] [--workers N] [--threads T]
                  [--access-log FILE] [--error-log FILE] [--timeout S] [--no-predictor]

Static files come from WhiteNoise inside the application, so no other web server is
needed (one may still sit in front to terminate TLS: see docs/deploy.md). Access lines go
to stdout and errors to stderr unless files are named. The settings are loaded, and the
application built, before any worker starts: production mode without its secrets stops
here with one line naming each.

Beside the workers, the server runs the outage prediction pass (``coopcis outages predict
--follow``, ``coopcis.apps.outages.predictor``) as a process of its own, restarted within
a few seconds if it stops, and stopped with the server: a one-server co-op runs nothing
else. ``--no-predictor`` leaves it out, for a deployment that runs it once elsewhere.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from typing import Any

from coopcis.commands.parsing import OneLineParser

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: The path without its query string: a search's query is a member's name or address,
#: which has no place in an access log.
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms "%(a)s"'


def _parser() -> OneLineParser:
    parser = OneLineParser(prog="coopcis serve", description="Serve coopcis under gunicorn.")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"default {DEFAULT_HOST}")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    parser.add_argument(
        "--workers", type=int, default=2, help="worker processes (default 2; about 2 per core)"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument(
        "--timeout", type=int, default=120, help="seconds before a stuck worker is restarted"
    )
    parser.add_argument("--access-log", default="-", help="file for access lines (default stdout)")
    parser.add_argument("--error-log", default="-", help="file for server errors (default stderr)")
    parser.add_argument(
        "--no-predictor",
        action="store_true",
        help="do not run the outage prediction pass beside the server (run it elsewhere)",
    )
    return parser


#: Seconds before a stopped prediction process is started again.
RESTART_AFTER_SECONDS = 3.0


class Companion:
    """A process run beside gunicorn's master (the outage prediction pass): started with
    the server, started again when it stops, stopped with the server. The master reaps
    every child it has, so a stopped companion reads as exited (``poll`` is not None)."""

    def __init__(self, argv: list[str]) -> None:
        self.argv = argv
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL)
        self.started_at = time.monotonic()

    def keep_running(self) -> bool:
        """Start it again if it stopped (not more often than ``RESTART_AFTER_SECONDS``);
        whether it was started again."""
        if self.process is None or self.process.poll() is None:
            return False
        if time.monotonic() - self.started_at < RESTART_AFTER_SECONDS:
            return False
        self.start()
        return True

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def predictor_argv() -> list[str]:
    """``coopcis outages predict --follow``, stopping by itself if this server is gone."""
    return [
        sys.executable,
        "-m",
        "coopcis.cli",
        "outages",
        "predict",
        "--follow",
        "--parent-pid",
        str(os.getpid()),
    ]


def gunicorn_options(args: argparse.Namespace) -> dict[str, Any]:
    """The gunicorn settings for the command's arguments."""
    return {
        "bind": f"{args.host}:{args.port}",
        "workers": args.workers,
        "threads": args.threads,
        "worker_class": "gthread",
        "timeout": args.timeout,
        "graceful_timeout": 30,
        "accesslog": args.access_log,
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": args.error_log,
        "loglevel": "info",
        "preload_app": True,
        "proc_name": "coopcis",
        # no runtime control socket: it would be one shared path for every instance
        "control_socket_disable": True,
        # a worker is replaced after this many requests, so a slow leak never grows
        "max_requests": 2000,
        "max_requests_jitter": 200,
    }


def main(argv: list[str]) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.workers < 1 or args.threads < 1:
        parser.error("--workers and --threads must be at least 1")
    if not 0 < args.port < 65536:
        parser.error(f"--port must be 1-65535, not {args.port}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopcis.site.settings")
    import django

    django.setup()  # the settings' own errors (missing secrets) end here, in one message

    from gunicorn.app.base import BaseApplication
    from gunicorn.arbiter import Arbiter

    from coopcis.site.wsgi import application

    companion = None if args.no_predictor else Companion(predictor_argv())

    class Master(Arbiter):  # type: ignore[misc]
        """gunicorn's master, which also keeps the prediction process running."""

        def manage_workers(self) -> None:
            super().manage_workers()
            if companion is not None and companion.keep_running():
                self.log.warning("outage prediction process stopped; started again")

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name, value in gunicorn_options(args).items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            return application

        def run(self) -> None:
            Master(self).run()

    if companion is not None:
        companion.start()
    try:
        Server().run()
    finally:
        if companion is not None:
            companion.stop()
    return 0
