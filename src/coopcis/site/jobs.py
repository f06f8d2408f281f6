"""What every command that posts, sends or orders shares: no date after today, and ``--dry-run``.

A job acts on a day that has come, never on one that has not: ``late-fees --as-of`` a
day in the future would post fees dated in the future, ``collections run --as-of`` one
would issue notices for arrears that do not exist yet. So a command's date option is
added with :func:`add_date_option`, which refuses a date after today (today in the
co-op's time zone, America/Denver) in one line that names the option::

    coopcis ach late-fees: error: argument --as-of: 2026-12-30 is after today (2026-12-06,
    America/Denver): a job does not act on a day that has not come

A command that may legitimately name a future day (``ach draft`` prepares the file of
the next draft day ahead) passes ``allow_future``, a function that says why a given
future day is allowed or returns ``None`` to refuse it; its help says so.

``--dry-run`` (:func:`add_dry_run_option`) runs the real job inside a transaction that is
rolled back (:func:`dry_run`), so what it prints is exactly what the job would do and
nothing is kept. A command that writes a file as well must not write it in a dry run.
On PostgreSQL a dry run still advances id sequences (``nextval`` is not transactional):
no row changes, but the next real run's ids start a little later. A job that can run on
``coopcis worker`` processes refuses ``--dry-run`` with ``--workers``
(:func:`refuse_dry_run_on_workers`): the workers' transactions cannot be rolled back
with this one.

A long job shows its progress on stderr with :func:`job_progress`.

Tests freeze today with :func:`frozen_today`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from coopcis.core.errors import RuleViolation
from coopcis.core.periods import CO_OP_TIME_ZONE

_frozen: list[date] = []

#: Given (day, today) with day after today: why that future day is allowed, or None.
FutureRule = Callable[[date, date], str | None]

DRY_RUN_HELP = (
    "print exactly what would be done (counts, accounts, amounts) and change nothing: "
    "the job runs in a transaction that is rolled back"
)


def today() -> date:
    """Today in the co-op's time zone (America/Denver), unless a test froze it."""
    if _frozen:
        return _frozen[-1]
    return timezone.localdate(timezone=CO_OP_TIME_ZONE)


@contextmanager
def frozen_today(day: date) -> Iterator[date]:
    """Make :func:`today` answer ``day`` inside the ``with`` block (tests)."""
    _frozen.append(day)
    try:
        yield day
    finally:
        _frozen.pop()


def parse_day(text: str) -> date:
    """A date option's value (``YYYY-MM-DD``), for argparse."""
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def not_after_today(allow_future: FutureRule | None = None) -> Callable[[str], date]:
    """An argparse ``type`` that reads a date and refuses one after today."""

    def check(text: str) -> date:
        day = parse_day(text)
        now = today()
        if day <= now:
            return day
        if allow_future is not None and allow_future(day, now) is not None:
            return day
        raise argparse.ArgumentTypeError(
            f"{day} is after today ({now}, {CO_OP_TIME_ZONE.key}): "
            "a job does not act on a day that has not come"
        )

    return check


def add_date_option(
    parser: argparse.ArgumentParser,
    flag: str,
    *,
    help: str,
    required: bool = True,
    allow_future: FutureRule | None = None,
    **kwargs: Any,
) -> None:
    """Add a date option (``--as-of``, ``--date``, ``--on``) that may not be after today."""
    rule = "; may not be after today" if allow_future is None else ""
    parser.add_argument(
        flag,
        type=not_after_today(allow_future),
        required=required,
        metavar="YYYY-MM-DD",
        help=f"{help}{rule}",
        **kwargs,
    )


def add_dry_run_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--dry-run`` (use with :func:`dry_run`)."""
    parser.add_argument("--dry-run", action="store_true", help=DRY_RUN_HELP)


def add_daily_job_options(
    parser: argparse.ArgumentParser, flag: str, *, help: str, required: bool = True
) -> None:
    """Add the options of a daily job cron runs: its day (``flag``, may not be after
    today), ``--dry-run`` and ``--json``; report with :func:`write_json_report`."""
    add_date_option(parser, flag, help=help, required=required)
    add_dry_run_option(parser)
    parser.add_argument("--json", action="store_true")


@contextmanager
def dry_run(enabled: bool) -> Iterator[None]:
    """Inside: when ``enabled``, one transaction that is rolled back at the end, so the
    job runs for real (its own transactions become savepoints) and nothing is kept;
    callbacks waiting for a commit (mail, files) are dropped with it."""
    if not enabled:
        yield
        return
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def refuse_dry_run_on_workers(options: Mapping[str, Any]) -> None:
    """Refuse ``--dry-run`` together with ``--workers`` (field ``workers``): a dry run is
    one transaction rolled back in this process, which work done by workers is not in."""
    if options["workers"] and options["dry_run"]:
        raise RuleViolation(
            "a dry run runs in this process (it is rolled back): leave out --workers",
            field="workers",
        )


class JobProgress:
    """A job's progress bar (:func:`job_progress`): ``update`` adds what is done;
    ``total`` sets the size and starts the bar again, for a job on workers that learns
    its size only once its batches are made."""

    def __init__(self, bar: tqdm) -> None:  # type: ignore[type-arg]
        self._bar = bar

    def update(self, done: int) -> None:
        self._bar.update(done)

    def total(self, size: int) -> None:
        self._bar.reset(total=size)


@contextmanager
def job_progress(desc: str, *, unit: str, total: int | None = None) -> Iterator[JobProgress]:
    """A progress bar on stderr named ``desc`` counting ``unit``, shown only when stderr
    is a terminal (cron's mail and ``--json`` output stay clean)."""
    with tqdm(total=total, unit=unit, file=sys.stderr, disable=None, desc=desc) as bar:
        yield JobProgress(bar)


def dry_run_heading(enabled: bool) -> str:
    """The line a dry run's report starts with."""
    return "DRY RUN: nothing was changed; this is what the run would do:" if enabled else ""


def dry_run_mark(enabled: bool) -> dict[str, object]:
    """What a dry run adds to a command's JSON (nothing for a real run, whose JSON is as
    it always was)."""
    return {"dry_run": True} if enabled else {}


def write_json_report(write: Callable[[str], object], result: dict[str, Any], options: Any) -> bool:
    """The start of a daily job's report (:func:`add_daily_job_options`): with ``--json``,
    the whole report as JSON, marked when a dry run (True: nothing more to write); else
    the dry run's heading where it was one (False: the command writes its own lines)."""
    if options["json"]:
        write(json.dumps({**result, **dry_run_mark(options["dry_run"])}))
        return True
    if options["dry_run"]:
        write(dry_run_heading(True))
    return False
