"""The bill run on a small co-op: amounts worked by hand, books balanced, exactly once."""

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.billing.models import Bill, BillRunIssue, BillStatus, RiderFactor
from coopcis.apps.billing.run import run_billing
from coopcis.apps.ledger import reports
from coopcis.apps.ledger.models import JournalEntry
from coopcis.core.errors import RuleViolation
from tests.integration.small_coop import reads

pytestmark = pytest.mark.django_db


def lines_of(bill):
    return {line.code: line.amount for line in bill.lines.all()}


def test_a_month_is_billed_as_the_tariffs_say(small_coop):
    result = run_billing(period_label="2026-10")
    assert (result.billed, result.held, result.skipped) == (4, 0, 1)

    home = Bill.objects.get(account=small_coop.home)
    # 1,000 kWh: $30.00 + 1,000 x 0.1371 + PCA 1,000 x 0.004210 + DCA 1,000 x 0.000850,
    # then gross receipts 6.8125% of the $172.16 of charges = 11.7284 -> 11.73
    assert lines_of(home) == {
        "customer": Decimal("30.00"),
        "energy": Decimal("137.10"),
        "pca": Decimal("4.21"),
        "dca": Decimal("0.85"),
        "tax-gross-receipts": Decimal("11.73"),
    }
    assert home.total_amount == Decimal("183.89")
    assert (home.period_start, home.period_end) == (date(2026, 9, 1), date(2026, 10, 1))
    assert (home.bill_date, home.due_date) == (date(2026, 10, 10), date(2026, 10, 30))
    assert home.energy_wh == 1_000_000 and home.status == BillStatus.POSTED

    tou = Bill.objects.get(account=small_coop.tou_home)
    # September: 30 days x 24 on-peak quarter hours x 1 kWh = 720 kWh on, 30 x 72 x 0.25 = 540 off
    assert lines_of(tou)["customer"] == Decimal("32.50")
    assert sorted(lines_of(tou).values())[-1] == Decimal("190.80")  # 720 x 0.2650
    assert Decimal("48.60") in lines_of(tou).values()  # 540 x 0.0900
    assert tou.total_amount == Decimal("297.23")

    lights = Bill.objects.get(account=small_coop.lights)
    assert lines_of(lights)["lighting"] == Decimal("94.20")  # 6 fixtures x $15.70

    mill = Bill.objects.get(account=small_coop.mill)
    # 1,200 kW flat, PF 0.90: 1,200 x 0.95 / 0.90 x 1.02 losses = 1,292 kW billing demand;
    # 864,000 kWh (720 h) is above the 80% load factor floor of 691,200 kWh
    assert lines_of(mill)["demand"] == Decimal("23902.00")
    assert lines_of(mill)["energy"] == Decimal("62377.34")
    assert lines_of(mill)["renewable-fee"] == Decimal("912.51")  # 1% of 91,251.18
    assert mill.total_amount == Decimal("98442.34")

    issue = BillRunIssue.objects.get()
    assert issue.account == small_coop.no_read and issue.reason == "NO_READ"


def test_every_bill_is_on_the_books(small_coop):
    run_billing(period_label="2026-10")
    trial = reports.trial_balance()
    assert trial.balanced
    balances = {row.number: (row.debit, row.credit) for row in trial.rows}
    posted = sum(bill.total_amount for bill in Bill.objects.filter(status=BillStatus.POSTED))
    assert balances["142.1"] == (posted, Decimal("0.00"))
    assert balances["442.2"][1] == Decimal("91251.18")  # Rate 19 is large C&I over 1,000 kVA
    assert balances["242.1"][1] == Decimal("912.51")  # the renewable fee's own fund
    assert reports.receivables_difference() == 0
    for bill in Bill.objects.all():
        assert bill.journal_entry.lines.get(gl_account="142.1").debit_amount == bill.total_amount
        assert bill.amount_due_amount == bill.total_amount


def test_running_again_bills_nothing_twice(small_coop):
    first = run_billing(period_label="2026-10")
    again = run_billing(period_label="2026-10")
    assert (again.billed, again.held, again.already_billed) == (0, 0, first.billed)
    assert again.total_amount == 0
    assert Bill.objects.count() == 4 and JournalEntry.objects.count() == 4


def test_a_month_without_factors_is_refused_before_anything_is_billed(small_coop):
    with pytest.raises(RuleViolation, match="no DCA, PCA factor set for 2026-11"):
        run_billing(period_label="2026-11")
    assert not Bill.objects.exists()


def test_unusual_use_is_held_and_not_posted(small_coop):
    meter = small_coop.home.agreements.get().service_point.installations.get().meter
    run_billing(period_label="2026-10")
    earlier = Bill.objects.get(account=small_coop.home)
    for month in ("2026-07", "2026-08", "2026-09"):  # a history of 1,000 kWh months
        earlier.pk, earlier.period, earlier.journal_entry = None, month, None
        earlier.save()
    reads(meter, (date(2026, 11, 2), 11_000 + 9_000))  # nine times the usual
    RiderFactor.objects.create(month="2026-11", code="pca", per_kwh=Decimal("0.004"), source="t")
    RiderFactor.objects.create(month="2026-11", code="dca", per_kwh=Decimal("0.001"), source="t")
    result = run_billing(period_label="2026-11")
    held = Bill.objects.get(account=small_coop.home, period="2026-11")
    assert held.status == BillStatus.HELD and held.hold_reasons == ["HIGH_USE"]
    assert held.journal_entry is None and result.held == 1
    assert reports.member_balances()[small_coop.home.pk] == Decimal("183.89")  # not booked
