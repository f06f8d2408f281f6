"""``lockbox import --dry-run`` and ``reconcile --dry-run`` change nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest

from coopcis.apps.payments.models import Payment
from tests.integration.jobs import coopcis, database_dump
from tests.integration.lockbox.conftest import DEPOSIT_DAY, stub
from tests.unit.lockbox.files import Row, lockbox_csv

pytestmark = pytest.mark.django_db


def test_import_dry_run_lists_each_payment_and_suspense_item(
    billed, capsys, freeze_today, tmp_path
):
    freeze_today(date(2026, 12, 6))
    path = tmp_path / "lockbox-1015.csv"
    path.write_text(
        lockbox_csv(
            DEPOSIT_DAY,
            [
                Row("1", "1", stub(billed.home), "100.00", "1"),
                Row("1", "2", "", "23.89", "2", "J DOE"),
            ],
        )
    )
    before = database_dump()
    code, out, err = coopcis(capsys, "lockbox", "import", path, "--dry-run", "--no-progress")
    assert (code, err) == (0, "")
    assert database_dump() == before and not Payment.objects.exists()
    lines = out.splitlines()
    assert lines[:3] == [
        "DRY RUN: nothing was changed; this is what the run would do:",
        f"  payment {billed.home.number} $100.00",
        "  suspense line 3 $23.89: no scan line or account number",
    ]
    assert "matched 1 $100.00; suspense 1 $23.89" in lines[3]
    code, rehearsed, _ = coopcis(
        capsys, "lockbox", "import", path, "--dry-run", "--json", "--no-progress"
    )
    assert database_dump() == before
    code, real, _ = coopcis(capsys, "lockbox", "import", path, "--json", "--no-progress")
    rehearsed_data, real_data = json.loads(rehearsed), json.loads(real)
    assert rehearsed_data["payments"] == [[billed.home.number, "100.00"]]
    for key in ("items", "total", "matched", "matched_amount", "suspense", "suspense_amount"):
        assert rehearsed_data[key] == real_data[key]
    assert Payment.objects.count() == 1 and database_dump() != before


def test_reconcile_dry_run_prints_the_report_and_changes_nothing(billed, capsys, freeze_today):
    freeze_today(date(2026, 12, 6))
    before = database_dump()
    code, out, _ = coopcis(capsys, "reconcile", "--date", DEPOSIT_DAY.isoformat(), "--dry-run")
    assert code == 0 and database_dump() == before
    code, real, _ = coopcis(capsys, "reconcile", "--date", DEPOSIT_DAY.isoformat())
    assert out.splitlines()[0].startswith("DRY RUN")
    assert out.splitlines()[1:] == real.splitlines()
