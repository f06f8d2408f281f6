"""``coopcis serve`` keeps the outage prediction process beside gunicorn: started with
it, started again when it stops, stopped with it."""

from __future__ import annotations

import os
import sys

from coopcis.commands import serve


def test_the_predictor_runs_with_the_server_unless_told_not_to():
    argv = serve.predictor_argv()
    assert argv[1:] == [
        "-m",
        "coopcis.cli",
        "outages",
        "predict",
        "--follow",
        "--parent-pid",
        str(os.getpid()),
    ]
    assert serve._parser().parse_args([]).no_predictor is False
    assert serve._parser().parse_args(["--no-predictor"]).no_predictor is True


def test_a_stopped_companion_is_started_again_and_stopped_with_the_server(monkeypatch):
    monkeypatch.setattr(serve, "RESTART_AFTER_SECONDS", 0.0)
    quick = serve.Companion([sys.executable, "-c", "pass"])
    quick.start()
    first = quick.process
    assert first is not None
    first.wait(timeout=30)
    assert quick.keep_running() is True  # it stopped: a new process
    assert quick.process is not first
    quick.process.wait(timeout=30)

    lasting = serve.Companion([sys.executable, "-c", "import time; time.sleep(60)"])
    lasting.start()
    assert lasting.keep_running() is False  # running: left alone
    lasting.stop()
    assert lasting.process is not None and lasting.process.returncode is not None


def test_a_companion_is_not_restarted_in_a_tight_loop(monkeypatch):
    monkeypatch.setattr(serve, "RESTART_AFTER_SECONDS", 3600.0)
    failing = serve.Companion([sys.executable, "-c", "raise SystemExit(1)"])
    failing.start()
    assert failing.process is not None
    failing.process.wait(timeout=30)
    assert failing.keep_running() is False
