"""An account billed at several locations (SEC policy 408): each location's bill says what
the account owes, and its account summary adds up to it."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from django.core.management import call_command

from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.billing.pdf import render_bill_by_id
from coopcis.apps.billing.pdf.document import load_bill_documents
from coopcis.apps.billing.run import run_billing
from coopcis.apps.ledger.services import member_balance
from tests.factories import AccountFactory
from tests.integration.billing_pdf.conftest import add_location, pdf_text

pytestmark = pytest.mark.django_db
PERIOD = "2026-10"
OTHER = "Other charges, credits and locations"


def bills(account) -> list[Bill]:
    # the run bills an account's service points in id order
    return list(Bill.objects.filter(account=account, period=PERIOD).order_by("service_point_id"))


def test_the_second_locations_bill_counts_the_first_and_its_summary_adds_up(small_coop):
    home = small_coop.home
    add_location(home, "Well 2, Rio Penasco Rd", 400)
    run_billing(period_label=PERIOD)
    house, well = bills(home)
    assert house.status == well.status == BillStatus.POSTED
    assert well.amount_due_amount == house.amount_due_amount + well.total_amount
    assert well.amount_due_amount == member_balance(home)

    first, second = load_bill_documents([house.pk, well.pk])
    assert first.other_activity_amount == Decimal("0.00")
    assert second.other_activity_amount == house.total_amount
    assert (
        second.previous_balance_amount
        - second.payments_amount
        + second.other_activity_amount
        + second.total_amount
        == second.amount_due_amount
    )
    house_text = pdf_text(render_bill_by_id(house.pk).pdf)
    well_text = pdf_text(render_bill_by_id(well.pk).pdf)
    assert OTHER not in house_text
    assert OTHER in well_text and f"${house.total_amount}" in well_text


def test_a_held_bill_is_not_in_the_next_locations_amount_due(small_coop):
    # given an account whose first location used nothing (held for review) and whose second
    # used 400 kWh
    account = AccountFactory()
    add_location(account, "Pump 1", 0)
    add_location(account, "Pump 2", 400)
    run_billing(period_label=PERIOD)
    held, posted = bills(account)
    assert held.status == BillStatus.HELD and posted.status == BillStatus.POSTED
    # then the posted bill asks for what the ledger says is owed: the held bill is not on it
    assert posted.amount_due_amount == posted.total_amount == member_balance(account)
    (document,) = load_bill_documents([posted.pk])
    assert document.other_activity_amount == Decimal("0.00")


def test_the_print_run_mails_one_envelope_per_account_with_its_statement_first(
    small_coop, tmp_path
):
    home = small_coop.home
    add_location(home, "Well 2, Rio Penasco Rd", 400)
    run_billing(period_label=PERIOD)
    call_command("bills", "print", "--period", PERIOD, "--out", str(tmp_path), "--processes", "1")

    with (tmp_path / f"manifest-{PERIOD}.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    house, well = bills(home)
    reference = f"S202610-{home.number}"
    mine = [row for row in rows if row["account_number"] == home.number]
    assert [(row["document"], row["bill_number"]) for row in mine] == [
        ("STATEMENT", reference),
        ("BILL", house.number),
        ("BILL", well.number),
    ]
    assert len({row["envelope"] for row in mine}) == 1
    assert mine[0]["amount_due"] == str(member_balance(home)) == mine[-1]["amount_due"]
    assert reference in pdf_text((tmp_path / mine[0]["file"]).read_bytes())
    # envelopes are numbered in mailing order, one per account, with no gaps
    envelopes = [int(row["envelope"]) for row in rows]
    assert envelopes == sorted(envelopes) and set(envelopes) == set(range(1, envelopes[-1] + 1))
    accounts = {row["account_number"] for row in rows}
    assert envelopes[-1] == len(accounts)
    # the accounts with one bill get no statement
    assert [row["account_number"] for row in rows if row["document"] == "STATEMENT"] == [
        home.number
    ]
