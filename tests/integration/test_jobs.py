"""No job acts on a day that has not come: every posting command refuses a date after
today in one line naming the option (``coopcis.site.jobs``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from coopcis.apps.payments.management.commands.ach import next_draft_day
from coopcis.site import jobs
from tests.integration.jobs import coopcis, database_dump
from tests.unit.lockbox.files import Row, lockbox_csv

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 6)
AFTER = "argument {flag}: {day} is after today (2026-12-06, America/Denver): a job does not act on a day that has not come"


def test_today_is_the_co_ops_day_and_tests_can_freeze_it(monkeypatch):
    # given the clock at 02:00 UTC on 7 December: still 6 December in Denver
    late_evening = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: late_evening)
    assert jobs.today() == TODAY
    real = TODAY
    with jobs.frozen_today(TODAY + timedelta(10)):
        assert jobs.today() == TODAY + timedelta(10)
    with jobs.frozen_today(TODAY):
        assert jobs.today() == TODAY
        with jobs.frozen_today(TODAY + timedelta(1)):
            assert jobs.today() == TODAY + timedelta(1)
        assert jobs.today() == TODAY
    assert jobs.today() == real


@pytest.mark.parametrize(
    ("argv", "flag", "day"),
    [
        (["collections", "run", "--as-of", "2099-01-01"], "--as-of", "2099-01-01"),
        (["ach", "late-fees", "--as-of", "2026-12-30"], "--as-of", "2026-12-30"),
        (["deposits", "review", "--as-of", "2026-12-07"], "--as-of", "2026-12-07"),
        (["reconcile", "--date", "2026-12-07"], "--date", "2026-12-07"),
        (["ach", "draft", "--date", "2027-01-03", "--out", "x.ach"], "--date", "2027-01-03"),
        (["ach", "returns", "r.ach", "--on", "2026-12-07"], "--on", "2026-12-07"),
        (["ach", "returned-check", "1", "--on", "2026-12-07"], "--on", "2026-12-07"),
        (
            ["lockbox", "resolve", "1", "--account", "1", "--note", "n", "--on", "2026-12-07"],
            "--on",
            "2026-12-07",
        ),
        (["lockbox", "refund", "1", "--note", "n", "--on", "2026-12-07"], "--on", "2026-12-07"),
        (["deposits", "take", "1", "--amount", "1", "--on", "2026-12-07"], "--on", "2026-12-07"),
        (["deposits", "refund", "1", "--on", "2026-12-07"], "--on", "2026-12-07"),
        (["deposits", "excess", "1", "--on", "2026-12-07"], "--on", "2026-12-07"),
        (["collections", "complete", "1", "--on", "2026-12-07"], "--on", "2026-12-07"),
        (["billing", "cancel", "1", "--reason", "r", "--on", "2026-12-07"], "--on", "2026-12-07"),
    ],
)
def test_a_date_after_today_is_refused_in_one_line_naming_the_option(
    capsys, freeze_today, argv, flag, day
):
    # given today is 6 December 2026 and a database to compare
    freeze_today(TODAY)
    before = database_dump()
    # when a job is asked to act on a later day
    code, out, err = coopcis(capsys, *argv)
    # then it refuses in one line that names the option, and nothing changed
    command = " ".join(argv[:1])
    assert (code, out) == (2, "")
    assert err == f"coopcis {command}: error: {AFTER.format(flag=flag, day=day)}\n"
    assert database_dump() == before


def test_today_itself_is_allowed(capsys, freeze_today):
    freeze_today(TODAY)
    code, out, err = coopcis(capsys, "collections", "run", "--as-of", "2026-12-06", "--json")
    assert (code, err) == (0, "")
    assert '"as_of": "2026-12-06"' in out


def test_a_bill_run_for_a_month_that_has_not_begun_is_refused(capsys, freeze_today):
    freeze_today(TODAY)
    code, out, err = coopcis(capsys, "bill-run", "--period", "2027-01")
    assert (code, out) == (1, "")
    assert err == (
        "coopcis bill-run: error: period: 2027-01 has not begun (today is 2026-12-06): "
        "a month is billed once its meters are read\n"
    )


def test_a_lockbox_file_dated_after_today_is_refused(capsys, freeze_today, tmp_path):
    freeze_today(TODAY)
    path = tmp_path / "future.csv"
    path.write_text(lockbox_csv(date(2026, 12, 7), [Row("1", "1", "1000001", "10.00")]))
    before = database_dump()
    code, out, err = coopcis(capsys, "lockbox", "import", path, "--no-progress")
    assert (code, out) == (1, "")
    assert err == (
        "coopcis lockbox: error: file: future.csv: deposit date 2026-12-07 is after today "
        "(2026-12-06): payments are not posted for a day that has not come\n"
    )
    assert database_dump() == before


@pytest.mark.parametrize(
    ("on", "draft_day"),
    [
        (date(2026, 12, 3), date(2026, 12, 3)),
        (date(2026, 12, 4), date(2026, 12, 25)),
        (date(2026, 12, 25), date(2026, 12, 25)),
        (date(2026, 12, 26), date(2027, 1, 3)),
        (date(2027, 1, 1), date(2027, 1, 3)),
    ],
)
def test_the_next_draft_day(on, draft_day):
    assert next_draft_day(on) == draft_day


def test_ach_draft_may_name_the_next_draft_day_but_not_the_one_after(
    capsys, freeze_today, tmp_path
):
    # given today is 6 December: the next draft day is the 25th
    freeze_today(TODAY)
    # the 25th is prepared ahead (no originator here, so the job itself stops there)
    code, _, err = coopcis(capsys, "ach", "draft", "--date", "2026-12-25", "--out", tmp_path / "a")
    assert code == 1 and "no ACH originator is set up" in err
    # 3 January is a cycle further: refused before anything runs
    code, _, err = coopcis(capsys, "ach", "draft", "--date", "2027-01-03", "--out", tmp_path / "b")
    assert code == 2 and AFTER.format(flag="--date", day="2027-01-03") in err


def test_the_help_says_which_date_may_be_future(capsys):
    code, out, _ = coopcis(capsys, "ach", "draft", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "is the one date in these jobs that may be after today" in text
    assert "It may be the next draft day" in text
    code, out, _ = coopcis(capsys, "collections", "run", "--help")
    assert "--as-of may not be after today" in " ".join(out.split())
    assert "--dry-run" in out
