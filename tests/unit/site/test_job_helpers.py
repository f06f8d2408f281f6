"""What the jobs that can run on workers share (``bill-run``, ``collections run``,
``capital-credits allocate``): no dry run on workers, and one progress bar."""

from __future__ import annotations

import io
import sys

import pytest

from coopcis.core.errors import RuleViolation
from coopcis.site.jobs import job_progress, refuse_dry_run_on_workers


@pytest.mark.parametrize(("workers", "dry_run"), [(False, False), (True, False), (False, True)])
def test_a_dry_run_or_workers_alone_is_allowed(workers, dry_run):
    assert refuse_dry_run_on_workers({"workers": workers, "dry_run": dry_run}) is None


def test_a_dry_run_on_workers_is_refused_naming_the_option():
    with pytest.raises(RuleViolation) as refused:
        refuse_dry_run_on_workers({"workers": True, "dry_run": True})

    assert refused.value.field == "workers"
    assert str(refused.value) == (
        "workers: a dry run runs in this process (it is rolled back): leave out --workers"
    )


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("steps", "percent", "count"),
    [
        pytest.param([("total", 10), ("update", 4)], " 40%", " 4/10 ", id="counts"),
        pytest.param(
            [("total", 10), ("update", 4), ("total", 20), ("update", 5)],
            " 25%",
            " 5/20 ",
            id="a new size starts it again",
        ),
    ],
)
def test_the_bar_counts_what_is_done_of_the_latest_size(monkeypatch, steps, percent, count):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    with job_progress("collections", unit="case") as bar:
        for step, number in steps:
            getattr(bar, step)(number)

    shown = terminal.getvalue().rstrip("\n").rsplit("\r", 1)[-1]
    assert shown.startswith(f"collections: {percent}")
    assert count in shown


def test_the_bar_is_silent_when_stderr_is_not_a_terminal(monkeypatch):
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)

    with job_progress("bill-run", unit="acct", total=3) as bar:
        bar.update(3)

    assert piped.getvalue() == ""
