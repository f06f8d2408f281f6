"""Late fees: 3% a month on delinquent non-residential balances (OCEC), residential exempt."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from coopcis.apps.billing.run import run_billing
from coopcis.apps.ledger import reports
from coopcis.apps.ledger.models import JournalLine
from coopcis.apps.payments.late_fees import charge_late_fees
from coopcis.apps.payments.services import receive_payment
from coopcis.apps.receivables.models import ReceivableItem
from coopcis.catalog.profiles import load_profile
from tests.integration.ach.helpers import coopcis

pytestmark = pytest.mark.django_db
D = Decimal


def _late_fees(account):
    return list(
        ReceivableItem.objects.filter(account=account, fee_code="late_fee")
        .order_by("posted_on")
        .values_list("posted_on", "amount")
    )


def test_commercial_accounts_pay_3_percent_once_a_month_and_homes_nothing(
    small_coop, capsys, freeze_today
):
    run_billing(period_label="2026-10")  # bills due 30 October
    lights, mill, home = small_coop.lights, small_coop.mill, small_coop.home
    mill_bill = ReceivableItem.objects.get(bill__account=mill).amount
    receive_payment(  # the mill paid part of its bill
        account=mill,
        amount=D("1000.00"),
        channel="MAIL",
        tender="CHECK",
        received_on=date(2026, 11, 2),
    )

    # not yet past due on the due date itself
    assert charge_late_fees(as_of=date(2026, 10, 30)) == []

    code, out, err = coopcis(capsys, "ach", "late-fees", "--as-of", "2026-11-15", "--json")
    assert code == 0, err
    rows = {row["account"]: row for row in json.loads(out)}
    assert set(rows) == {lights.number, mill.number}  # the three homes are exempt
    assert rows[lights.number] == {
        "account": lights.number,
        "past_due": "100.62",
        "fee": "3.02",  # 3% of 100.62 = 3.0186
        "charged": True,
    }
    mill_past_due = mill_bill - D("1000.00")
    assert D(rows[mill.number]["past_due"]) == mill_past_due
    assert D(rows[mill.number]["fee"]) == (mill_past_due * D("0.03")).quantize(
        D("0.01"), ROUND_HALF_UP
    )
    (fee,) = ReceivableItem.objects.filter(account=lights, fee_code="late_fee")
    assert fee.description == (
        "Late fee 3% of $100.62 past due "
        "(OCEC handbook: 3% per month on delinquent non-residential balances)"
    )
    lines = {(line.gl_account_id, line.credit_amount) for line in fee.journal_entry.lines.all()}
    assert ("450", D("3.02")) in lines  # forfeited discounts
    assert _late_fees(home) == []

    # again in the same month: nothing new
    code, out, _ = coopcis(capsys, "ach", "late-fees", "--as-of", "2026-11-28")
    assert code == 0 and "0 charged, $0; 2 already charged this month" in out
    assert _late_fees(lights) == [(date(2026, 11, 15), D("3.02"))]

    # next month, still unpaid: charged again on the electric balance (not on the fee)
    freeze_today(date(2026, 12, 15))
    assert coopcis(capsys, "ach", "late-fees", "--as-of", "2026-12-15")[0] == 0
    assert _late_fees(lights) == [(date(2026, 11, 15), D("3.02")), (date(2026, 12, 15), D("3.02"))]
    assert reports.trial_balance().balanced
    assert JournalLine.objects.filter(gl_account_id="450").count() == 4


def test_a_profile_at_zero_percent_charges_nothing(small_coop, capsys, monkeypatch):
    run_billing(period_label="2026-10")
    ocec = load_profile("ocec")
    assert (
        charge_late_fees(
            as_of=date(2026, 11, 15), profile=replace(ocec, late_fee_percent_per_month=D(0))
        )
        == []
    )
    monkeypatch.setenv("COOPCIS_PROFILE", "sec")  # SEC policies name no late fee
    code, out, _ = coopcis(capsys, "ach", "late-fees", "--as-of", "2026-11-15")
    assert code == 0 and out.startswith("Late fees as of 2026-11-15: 0 charged")
    assert not ReceivableItem.objects.filter(fee_code="late_fee").exists()


def test_the_percent_and_classes_come_from_the_profile(small_coop):
    run_billing(period_label="2026-10")
    ocec = load_profile("ocec")
    profile = replace(ocec, late_fee_percent_per_month=D("1.5"), late_fee_classes=("RESIDENTIAL",))
    fees = {
        fee.account_number: fee.fee
        for fee in charge_late_fees(as_of=date(2026, 11, 15), profile=profile)
    }
    assert fees[small_coop.home.number] == D("2.76")  # 1.5% of 183.89 = 2.75835
    assert small_coop.lights.number not in fees
