"""The options and report start every daily job shares (``notify reminders``, ``alerts run``)."""

from __future__ import annotations

import argparse
import json
from datetime import date

import pytest

from coopcis.site.jobs import add_daily_job_options, frozen_today, write_json_report


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coopcis alerts run", exit_on_error=False)
    add_daily_job_options(parser, "--date", help="the day to check", required=False)
    return parser


def test_a_daily_job_takes_its_day_dry_run_and_json():
    with frozen_today(date(2026, 3, 10)):
        options = vars(_parser().parse_args(["--date", "2026-03-09", "--dry-run", "--json"]))
        plain = vars(_parser().parse_args([]))

    assert options == {"date": date(2026, 3, 9), "dry_run": True, "json": True}
    assert plain == {"date": None, "dry_run": False, "json": False}


def test_a_daily_job_refuses_a_day_that_has_not_come():
    with (
        frozen_today(date(2026, 3, 10)),
        pytest.raises(argparse.ArgumentError, match=r"2026-03-11 is after today \(2026-03-10"),
    ):
        _parser().parse_args(["--date", "2026-03-11"])


@pytest.mark.parametrize(
    ("options", "written", "done"),
    [
        ({"json": True, "dry_run": True}, [{"raised": 2, "dry_run": True}], True),
        ({"json": True, "dry_run": False}, [{"raised": 2}], True),
        (
            {"json": False, "dry_run": True},
            ["DRY RUN: nothing was changed; this is what the run would do:"],
            False,
        ),
        ({"json": False, "dry_run": False}, [], False),
    ],
)
def test_the_report_starts_with_json_or_the_dry_run_heading(options, written, done):
    lines: list[str] = []

    assert write_json_report(lines.append, {"raised": 2}, options) is done
    assert [json.loads(line) if done else line for line in lines] == written
