"""``ach late-fees --dry-run`` and ``ach draft --dry-run`` change nothing and write no file."""

from __future__ import annotations

import json
from datetime import date

import pytest

from coopcis.apps.billing.run import run_billing
from coopcis.apps.payments.ach.models import AchFile
from coopcis.apps.receivables.models import ReceivableItem
from tests.integration.ach.helpers import enroll, originator
from tests.integration.jobs import coopcis, database_dump

__all__ = ["originator"]
pytestmark = pytest.mark.django_db


def test_late_fees_dry_run_lists_each_fee_and_changes_nothing(small_coop, capsys, freeze_today):
    freeze_today(date(2026, 12, 6))
    run_billing(period_label="2026-10")  # bills due 30 October
    before = database_dump()
    code, out, err = coopcis(capsys, "ach", "late-fees", "--as-of", "2026-11-15", "--dry-run")
    assert (code, err) == (0, "")
    assert database_dump() == before
    assert not ReceivableItem.objects.filter(fee_code="late_fee").exists()
    lines = out.splitlines()
    assert lines[0] == "DRY RUN: nothing was changed; this is what the run would do:"
    code, real, _ = coopcis(capsys, "ach", "late-fees", "--as-of", "2026-11-15")
    assert lines[1:] == real.splitlines()  # the same accounts, fees and totals
    assert f"  {small_coop.lights.number}: $3.02 on $100.62 past due" in lines
    assert ReceivableItem.objects.filter(fee_code="late_fee").count() == 2
    assert database_dump() != before


def test_draft_dry_run_lists_each_entry_and_writes_nothing(
    small_coop, originator, capsys, freeze_today, tmp_path
):
    freeze_today(date(2026, 12, 6))
    enroll(small_coop.home)
    before = database_dump()
    out_file = tmp_path / "dec25.ach"
    code, out, err = coopcis(
        capsys, "ach", "draft", "--date", "2026-12-25", "--out", out_file, "--dry-run"
    )
    assert (code, err) == (0, "")
    assert database_dump() == before and not out_file.exists()
    assert not AchFile.objects.exists()
    lines = out.splitlines()
    assert lines[:2] == [
        "DRY RUN: nothing was changed; this is what the run would do:",
        f"  {small_coop.home.number}: prenote",
    ]
    assert "1 prenotes, 0 debits, $0.00 would go to" in lines[2]
    assert "(not written)" in lines[2]
    # the real file then holds exactly that
    code, real, _ = coopcis(capsys, "ach", "draft", "--date", "2026-12-25", "--out", out_file)
    assert code == 0 and out_file.exists() and "1 prenotes, 0 debits, $0.00 ->" in real
    assert json.dumps(AchFile.objects.get().prenote_count) == "1"
