"""Net-metered members billed over three months, and on a TOU tariff (SEC policy 425).

Every figure is worked by hand from the tariffs (ocec-res: $30.00 + $0.1371/kWh; ocec-res-tou:
$32.50 + on-peak $0.2650, off-peak $0.0900), PCA $0.004210 and DCA $0.000850 per kWh, gross
receipts 6.8125% of the charges, and an avoided cost of $0.03/kWh.
"""

import dataclasses
from datetime import date
from decimal import Decimal as D

import pytest

from coopcis.apps.billing.corrections import cancel_bill, release_bill
from coopcis.apps.billing.models import Bill, BillRunIssue
from coopcis.apps.billing.pdf import render_bill_by_id
from coopcis.apps.billing.run import run_billing
from coopcis.apps.ledger import reports
from coopcis.apps.ledger.integrity import verify_ledger
from coopcis.apps.netmetering import policy
from coopcis.apps.netmetering.models import AvoidedCostRate, NetMeteringMonth
from coopcis.catalog.profiles import active_profile
from coopcis.core.periods import CO_OP_TIME_ZONE
from tests.integration.billing_pdf.conftest import pdf_text
from tests.integration.netmetering.net_coop import (
    billing_setup,
    interval_blocks,
    net_member,
    reads,
)

pytestmark = pytest.mark.django_db


def balance(number: str) -> D:
    """Debits minus credits on a GL account."""
    rows = {row.number: row for row in reports.trial_balance().rows}
    row = rows.get(number)
    return D(0) if row is None else row.debit - row.credit


def ledger_is_sound() -> None:
    assert verify_ledger().problems == []


def test_three_months_positive_carried_then_paid(freeze_today):
    billing_setup("2026-08", "2026-09", "2026-10")
    account, _, meter = net_member()
    reads(
        meter,
        "DELIVERED",
        (date(2026, 7, 1), 10_000),
        (date(2026, 8, 1), 10_900),
        (date(2026, 9, 1), 11_300),
        (date(2026, 10, 1), 11_800),
    )
    reads(
        meter,
        "RECEIVED",
        (date(2026, 7, 1), 2_000),
        (date(2026, 8, 1), 2_300),
        (date(2026, 9, 1), 3_700),
        (date(2026, 10, 1), 4_950),
    )

    # August bill (July's use): 900 delivered - 300 received = 600 kWh billed.
    # $30.00 + 600 x 0.1371 = 82.26 + PCA 2.526 -> 2.53 + DCA 0.51 = 115.30; GRT 7.8548 -> 7.85
    freeze_today(date(2026, 8, 15))
    run_billing(period_label="2026-08", today=date(2026, 8, 15))
    august = Bill.objects.get(period="2026-08")
    assert august.total_amount == D("123.15")
    month = august.net_metering
    assert (month.net_wh, month.excess_wh, month.credit_amount) == (600_000, 0, D("0.00"))
    assert month.bank_after_amount == D("0.00")
    ledger_is_sound()

    # September bill: 400 - 1,400 = -1,000 kWh: no energy billed, 1,000 kWh x $0.03 = $30.00
    # to the bank, at most $50.00 so carried. $30.00 customer charge; GRT 2.04375 -> 2.04
    freeze_today(date(2026, 9, 15))
    run_billing(period_label="2026-09", today=date(2026, 9, 15))
    september = Bill.objects.get(period="2026-09")
    assert september.total_amount == D("32.04")
    month = september.net_metering
    assert (month.net_wh, month.billed_wh, month.excess_wh) == (-1_000_000, 0, 1_000_000)
    assert (month.credit_amount, month.payout_amount, month.bank_after_amount) == (
        D("30.00"),
        D("0.00"),
        D("30.00"),
    )
    assert balance("555") == D("30.00") and balance("242.3") == D("-30.00")
    ledger_is_sound()

    # October bill: 500 - 1,250 = -750 kWh -> $22.50; the bank reaches $52.50 > $50.00: paid
    # by check request and restarted
    freeze_today(date(2026, 10, 15))
    run_billing(period_label="2026-10", today=date(2026, 10, 15))
    october = Bill.objects.get(period="2026-10")
    assert october.total_amount == D("32.04")
    month = october.net_metering
    assert (month.bank_before_amount, month.credit_amount) == (D("30.00"), D("22.50"))
    assert (month.payout_amount, month.bank_after_amount) == (D("52.50"), D("0.00"))
    assert month.payout_method == "CHECK"
    assert balance("555") == D("52.50")
    assert balance("242.3") == D("0.00")
    assert balance("232.1") == D("-52.50")
    # the member's receivable holds only the bills, never the credit
    assert balance("142.1") == D("123.15") + D("32.04") + D("32.04")
    ledger_is_sound()

    # the bill shows the netting, the credit and the bank, and that the credit is paid
    text = " ".join(pdf_text(render_bill_by_id(october.pk).pdf).split())
    assert "Delivered 500 kWh, received 1,250 kWh: net -750 kWh." in text
    assert "Excess 750 kWh credited at the avoided cost of $0.03/kWh: $22.50" in text
    assert "Credit bank: $30.00 before, $0.00 now." in text
    assert "Your credit of $52.50 is over $50.00 and is paid by check." in text

    # cancelling October's bill reverses its credit and payout; the bank is $30.00 again
    cancel_bill(bill=october, on=date(2026, 10, 15), reason="read check")
    assert NetMeteringMonth.objects.get(bill=october).cancelled
    assert balance("555") == D("30.00") and balance("232.1") == D("0.00")
    ledger_is_sound()
    assert account.net_metering_months.filter(cancelled=False).count() == 2


def test_tou_net_member_nets_each_period(freeze_today):
    billing_setup("2026-10")
    account, _, meter = net_member("ocec-res-tou")

    def hour(moment):
        return moment.astimezone(CO_OP_TIME_ZONE).hour

    # delivered: 1 kWh every on-peak quarter hour (15:00-21:00), 0.25 kWh otherwise:
    # 30 days x 24 x 1 = 720 kWh on-peak, 30 x 72 x 0.25 = 540 kWh off-peak
    delivered = interval_blocks(
        meter,
        "DELIVERED",
        date(2026, 9, 1),
        date(2026, 10, 1),
        lambda m: 1000 if 15 <= hour(m) < 21 else 250,
    )
    # received: 1.5 kWh a quarter hour 09:00-15:00 (off-peak, 30 x 24 x 1.5 = 1,080 kWh) and
    # 0.5 kWh 15:00-16:00 (on-peak, 30 x 4 x 0.5 = 60 kWh)
    received = interval_blocks(
        meter,
        "RECEIVED",
        date(2026, 9, 1),
        date(2026, 10, 1),
        lambda m: 1500 if 9 <= hour(m) < 15 else (500 if hour(m) == 15 else 0),
    )
    assert (delivered, received) == (1_260_000, 1_140_000)
    reads(meter, "DELIVERED", (date(2026, 9, 1), 5_000), (date(2026, 10, 1), 6_260))
    reads(meter, "RECEIVED", (date(2026, 9, 1), 100), (date(2026, 10, 1), 1_240))

    freeze_today(date(2026, 10, 15))
    run_billing(period_label="2026-10", today=date(2026, 10, 15))
    assert not BillRunIssue.objects.exists()
    bill = Bill.objects.get(account=account)
    lines = {line.amount for line in bill.lines.all()}
    # on-peak net 720 - 60 = 660 kWh x 0.2650 = 174.90; off-peak 540 - 1,080 = -540: none billed
    assert D("174.90") in lines
    # 32.50 + 174.90 + PCA 660 x 0.00421 = 2.7786 -> 2.78 + DCA 0.561 -> 0.56 = 210.74;
    # GRT 14.3566 -> 14.36
    assert bill.total_amount == D("225.10")
    month = bill.net_metering
    assert month.by_period["on_peak"]["net_wh"] == 660_000
    assert month.by_period["off_peak"]["net_wh"] == -540_000
    # the whole period nets +120 kWh, yet the off-peak excess is credited: 540 x 0.03
    assert (month.net_wh, month.excess_wh, month.credit_amount) == (120_000, 540_000, D("16.20"))
    ledger_is_sound()


def test_no_avoided_cost_in_force_skips_the_bill(freeze_today):
    billing_setup("2026-10")
    AvoidedCostRate.objects.all().delete()
    account, _, meter = net_member()
    reads(meter, "DELIVERED", (date(2026, 9, 1), 100), (date(2026, 10, 1), 200))
    reads(meter, "RECEIVED", (date(2026, 9, 1), 100), (date(2026, 10, 1), 400))
    run_billing(period_label="2026-10", today=date(2026, 10, 15))
    issue = BillRunIssue.objects.get(account=account)
    assert issue.reason == "NO_AVOIDED_COST" and "avoided-cost" in issue.detail
    assert not Bill.objects.exists()


def test_a_held_bills_credit_waits_for_its_release(freeze_today):
    billing_setup("2026-10")
    account, _, meter = net_member()
    # nothing delivered (a zero-use bill is held for review), 2,000 kWh received
    reads(meter, "DELIVERED", (date(2026, 9, 1), 500), (date(2026, 10, 1), 500))
    reads(meter, "RECEIVED", (date(2026, 9, 1), 100), (date(2026, 10, 1), 2_100))
    run_billing(period_label="2026-10", today=date(2026, 10, 15))
    bill = Bill.objects.get(account=account)
    assert bill.status == "HELD"
    month = bill.net_metering
    assert month.held and month.credit_amount == D("60.00")  # 2,000 kWh x $0.03
    assert month.journal_entry is None and balance("555") == D("0.00")

    release_bill(bill=bill, note="the panels cover the house")
    month.refresh_from_db()
    # released: $60.00 in the bank is greater than $50.00, so paid at once
    assert not month.held
    assert (month.bank_before_amount, month.payout_amount, month.bank_after_amount) == (
        D("0.00"),
        D("60.00"),
        D("0.00"),
    )
    assert balance("555") == D("60.00") and balance("232.1") == D("-60.00")
    ledger_is_sound()


def test_payout_threshold_printed_is_the_profiles(freeze_today, monkeypatch):
    """The bill's net-metering box names the profile's threshold, not a fixed $50.00."""
    profile = active_profile()
    lowered = dataclasses.replace(
        profile, net_metering={**profile.net_metering, "payout_above": "25.00"}
    )
    monkeypatch.setattr(policy, "active_profile", lambda: lowered)
    billing_setup("2026-10")
    _, _, meter = net_member()
    reads(meter, "DELIVERED", (date(2026, 9, 1), 11_300), (date(2026, 10, 1), 11_800))
    reads(meter, "RECEIVED", (date(2026, 9, 1), 3_700), (date(2026, 10, 1), 5_200))

    # 500 - 1,500 = -1,000 kWh x $0.03 = $30.00 into an empty bank: over $25.00, paid
    freeze_today(date(2026, 10, 15))
    run_billing(period_label="2026-10", today=date(2026, 10, 15))
    october = Bill.objects.get(period="2026-10")
    month = october.net_metering
    assert (month.credit_amount, month.payout_amount) == (D("30.00"), D("30.00"))
    assert month.bank_after_amount == D("0.00")
    text = " ".join(pdf_text(render_bill_by_id(october.pk).pdf).split())
    assert "Your credit of $30.00 is over $25.00 and is paid by check." in text
    assert balance("232.1") == D("-30.00")
    ledger_is_sound()
