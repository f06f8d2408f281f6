"""Cancel and rebill, release a hold, and the bill-run command line."""

import json
from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.billing.corrections import cancel_bill, rebill, release_bill
from coopcis.apps.billing.models import Bill, BillStatus, RiderFactor
from coopcis.apps.billing.run import run_billing
from coopcis.apps.ledger import reports
from coopcis.apps.metering.models import RegisterRead
from coopcis.cli import main
from coopcis.core.errors import RuleViolation
from tests.integration.small_coop import reads

pytestmark = pytest.mark.django_db


def test_cancel_and_rebill_after_a_misread(small_coop):
    run_billing(period_label="2026-10")
    wrong = Bill.objects.get(account=small_coop.home)
    # the member disputes the bill: the October read was 11,000 but should have been 10,800
    RegisterRead.objects.filter(read_on=date(2026, 10, 1), register_wh=11_000_000).update(
        register_wh=10_800_000
    )
    cancelled = cancel_bill(
        bill=wrong, reason="misread dial, member dispute", on=date(2026, 10, 20)
    )
    assert (
        cancelled.status == BillStatus.CANCELLED
        and cancelled.cancel_entry.reverses == wrong.journal_entry
    )
    assert reports.member_balances()[small_coop.home.pk] == 0

    new = rebill(cancelled=cancelled)
    assert new.replaces == cancelled and new.status == BillStatus.POSTED
    assert new.energy_wh == 800_000
    # 800 kWh: 30.00 + 109.68 + 3.37 + 0.68 = 143.73, tax 6.8125% = 9.79
    assert new.total_amount == Decimal("153.52")
    assert reports.member_balances()[small_coop.home.pk] == Decimal("153.52")
    assert reports.trial_balance().balanced
    with pytest.raises(RuleViolation, match="already cancelled"):
        cancel_bill(bill=cancelled, reason="again", on=date(2026, 10, 21))
    # the original and its reversal stay on the books
    assert Bill.objects.filter(account=small_coop.home).count() == 2


def test_release_posts_a_held_bill(small_coop):
    meter = small_coop.home.agreements.get().service_point.installations.get().meter
    run_billing(period_label="2026-10")
    earlier = Bill.objects.get(account=small_coop.home)
    for month in ("2026-07", "2026-08", "2026-09"):
        earlier.pk, earlier.period, earlier.journal_entry = None, month, None
        earlier.save()
    reads(meter, (date(2026, 11, 2), 20_000))
    for code in ("pca", "dca"):
        RiderFactor.objects.create(month="2026-11", code=code, per_kwh=Decimal("0.001"), source="t")
    run_billing(period_label="2026-11")
    held = Bill.objects.get(account=small_coop.home, period="2026-11", status=BillStatus.HELD)
    with pytest.raises(RuleViolation, match="say why"):
        release_bill(bill=held, note=" ")
    released = release_bill(bill=held, note="new hot tub; member confirmed by phone")
    assert released.status == BillStatus.POSTED
    assert (
        released.journal_entry.lines.get(gl_account="142.1").debit_amount == released.total_amount
    )
    assert released.hold_reasons == ["HIGH_USE", "released: new hot tub; member confirmed by phone"]
    assert reports.receivables_difference() == 0
    with pytest.raises(RuleViolation, match="not held"):
        release_bill(bill=released, note="again")


def test_bill_run_command_json_and_errors(small_coop, capsys):
    assert main(["bill-run", "--period", "2026-10", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == {
        "period": "2026-10",
        "billed": 4,
        "held": 0,
        "skipped": 1,
        "already_billed": 0,
        "seconds": printed["seconds"],
        "total_amount": f"{sum(b.total_amount for b in Bill.objects.all()):.2f}",
    }
    assert main(["bill-run", "--period", "2026-13"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "coopcis bill-run: error: period: not a month (YYYY-MM): '2026-13'"
    assert main(["billing", "issues", "--json"]) == 0
    issues = json.loads(capsys.readouterr().out)["issues"]
    assert [issue["reason"] for issue in issues] == ["NO_READ"]
    assert main(["billing", "cancel", "999999", "--reason", "x"]) == 1
    assert capsys.readouterr().err.strip() == "coopcis billing: error: no bill 999999"
