"""Bill runs: dry run, bills never dated after today, interrupted runs and ``billing runs``."""

from __future__ import annotations

import json
import subprocess
from datetime import date

import pytest

from coopcis.apps.billing.models import Bill, BillRun, BillRunIssue, RunStatus
from coopcis.apps.billing.run import run_billing
from coopcis.apps.billing.runs import this_process
from tests.integration.jobs import coopcis, database_dump

pytestmark = pytest.mark.django_db


def test_a_dry_run_lists_every_bill_and_changes_nothing(small_coop, capsys, freeze_today):
    # given a co-op with October unbilled, on 6 December
    freeze_today(date(2026, 12, 6))
    before = database_dump()
    # when the run is rehearsed
    code, out, err = coopcis(capsys, "bill-run", "--period", "2026-10", "--dry-run")
    # then nothing changed, byte for byte
    assert (code, err) == (0, "")
    assert database_dump() == before
    assert not Bill.objects.exists() and not BillRun.objects.exists()
    # and what it printed is what the real run then does: each bill, its amount, the totals
    lines = out.splitlines()
    assert lines[0] == "DRY RUN: nothing was changed; this is what the run would do:"
    code, real, _ = coopcis(capsys, "bill-run", "--period", "2026-10")
    assert code == 0 and database_dump() != before
    bills = Bill.objects.select_related("account", "service_point").order_by(
        "account__number", "service_point__code"
    )
    expected = [
        f"  {b.account.number} {b.service_point.code} {b.status} ${b.total_amount}" for b in bills
    ]
    (issue,) = BillRunIssue.objects.select_related("account", "service_point")
    expected.append(f"  {issue.account.number} {issue.service_point.code} SKIPPED {issue.reason}")
    assert lines[1:-1] == expected
    summary = lines[-1].rsplit(";", 1)[0]
    assert summary == "Would " + real.splitlines()[0].rsplit(";", 1)[0].replace("Billed", "bill")


def test_a_dry_run_prints_json_with_each_bill(small_coop, capsys, freeze_today):
    freeze_today(date(2026, 12, 6))
    before = database_dump()
    code, out, _ = coopcis(capsys, "bill-run", "--period", "2026-10", "--dry-run", "--json")
    data = json.loads(out)
    assert code == 0 and data["dry_run"] is True and data["billed"] == 4
    assert [row["status"] for row in data["bills"]].count("POSTED") == 4
    assert database_dump() == before


def test_a_bill_dated_after_today_waits_for_a_later_run(small_coop, capsys, freeze_today):
    # given the home's October bill is dated 10 October (read 7 October + 3 days)
    freeze_today(date(2026, 10, 9))
    # when October is run on the 9th
    first = run_billing(period_label="2026-10", today=date(2026, 10, 9))
    # then no bill is dated after the 9th: the later ones are left, with the reason
    assert Bill.objects.filter(bill_date__gt=date(2026, 10, 9)).count() == 0
    ahead = BillRunIssue.objects.filter(run_id=first.run_id, reason="BILL_DATE_AHEAD")
    assert ahead.filter(account=small_coop.home).exists()
    (detail,) = ahead.filter(account=small_coop.home).values_list("detail", flat=True)
    assert "the bill date 2026-10-10" in detail and "after today (2026-10-09)" in detail
    # and a run on a later day bills them, once
    second = run_billing(period_label="2026-10", today=date(2026, 10, 31))
    assert second.billed == ahead.count()
    assert Bill.objects.filter(account=small_coop.home, period="2026-10").count() == 1


def test_a_run_whose_process_died_is_shown_interrupted_and_finished_by_the_next(
    small_coop, capsys, freeze_today
):
    freeze_today(date(2026, 12, 6))
    # given a run killed midway: its row says RUNNING, its process is gone
    process = subprocess.Popen(["true"])
    process.wait()
    host, _ = this_process()
    killed = BillRun.objects.create(period="2026-10", host=host, pid=process.pid)
    # then the list shows it interrupted at once
    code, out, _ = coopcis(capsys, "billing", "runs", "--json")
    (row,) = json.loads(out)["runs"]
    assert (code, row["run"], row["status"], row["finished_by"]) == (
        0,
        killed.pk,
        "INTERRUPTED",
        None,
    )
    # when the month is run again, the new run finishes it
    assert coopcis(capsys, "bill-run", "--period", "2026-10")[0] == 0
    killed.refresh_from_db()
    latest = BillRun.objects.latest("pk")
    assert (killed.status, killed.finished_by_id) == (RunStatus.INTERRUPTED, latest.pk)
    code, out, _ = coopcis(capsys, "billing", "runs")
    lines = out.splitlines()
    assert lines[0].startswith(f"  run {latest.pk:>5} 2026-10 all cycles FINISHED")
    assert "billed 4, held 0, skipped 1" in lines[0]
    assert lines[1].startswith(f"  run {killed.pk:>5} 2026-10 all cycles INTERRUPTED")
    assert lines[1].endswith(f"finished by run {latest.pk}")


def test_a_run_stopped_by_ctrl_c_says_so_at_once(small_coop):
    def stop(_count: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_billing(period_label="2026-10", batch_size=2, progress=stop)
    run = BillRun.objects.get()
    assert run.status == RunStatus.INTERRUPTED
    assert run.bills.count() == 2  # the first batch was committed
