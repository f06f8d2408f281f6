"""``deposits review --dry-run`` lists what the review would do and changes nothing."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.billing.run import run_billing
from coopcis.apps.credit.models import Deposit, DepositStatus
from coopcis.apps.credit.services import set_interest_rate, take_deposit
from tests.integration.jobs import coopcis, database_dump

pytestmark = pytest.mark.django_db


def test_the_dry_run_lists_refunds_and_interest_and_changes_nothing(
    small_coop, capsys, freeze_today
):
    # given a clean deposit of $200 taken 10 October 2025 and the October 2026 bill
    freeze_today(date(2026, 12, 6))
    set_interest_rate(effective_on=date(2020, 1, 1), annual_rate=Decimal("0.02"), source="A")
    set_interest_rate(effective_on=date(2026, 1, 1), annual_rate=Decimal("0.03"), source="B")
    home = small_coop.home
    take_deposit(account=home, amount=Decimal("200.00"), on=date(2025, 10, 10))
    run_billing(period_label="2026-10")
    before = database_dump()
    # when the anniversary review is rehearsed
    code, out, err = coopcis(capsys, "deposits", "review", "--as-of", "2026-10-10", "--dry-run")
    # then nothing changed, and it says which deposit is refunded, with what amounts
    assert (code, err) == (0, "")
    assert database_dump() == before
    assert Deposit.objects.get().status == DepositStatus.HELD
    assert out.splitlines()[0] == "DRY RUN: nothing was changed; this is what the run would do:"
    assert "  refunded               1" in out
    assert (
        f"    account {home.number} anniversary 2026-10-10 interest $5.55 credited $183.89 "
        "check $0.00 kept as credit $21.66"
    ) in out.splitlines()
    # and the JSON of the rehearsal is the real review's
    code, rehearsed, _ = coopcis(
        capsys, "deposits", "review", "--as-of", "2026-10-10", "--dry-run", "--json"
    )
    assert database_dump() == before
    code, real, _ = coopcis(capsys, "deposits", "review", "--as-of", "2026-10-10", "--json")
    assert json.loads(rehearsed) == json.loads(real) | {"dry_run": True}
    assert Deposit.objects.get().status == DepositStatus.CREDITING
