"""The daily deposit report ties payments to GL cash and lockbox files to the bank."""

import json
from decimal import Decimal

import pytest

from coopcis.apps.payments.lockbox.importing import import_lockbox_file
from coopcis.apps.payments.reconciliation import deposit_report
from coopcis.apps.payments.services import open_batch, receive_payment
from coopcis.cli import main
from tests.integration.lockbox.conftest import DEPOSIT_DAY, stub
from tests.unit.lockbox.files import Item, Row, bai2, lockbox_csv

pytestmark = pytest.mark.django_db
D = Decimal


def lockbox_day(billed):
    text = lockbox_csv(
        DEPOSIT_DAY,
        [
            Row("7", "1", stub(billed.home), "200.00", "1042"),
            Row("7", "2", "", "25.00", "1043", "NO STUB"),
        ],
    )
    import_lockbox_file(content=text.encode(), name="lockbox.csv")


def bank_statement(amount):
    """The bank's BAI2 for the day: one lockbox deposit, no item detail."""
    text = bai2(DEPOSIT_DAY, [("BANK-77", [])], deposit_amounts={"BANK-77": amount})
    import_lockbox_file(content=text.encode(), name=f"bank-{amount}.bai")


def test_a_day_that_ties(billed):
    lockbox_day(billed)
    receive_payment(
        account=billed.lights,
        amount=D("12.50"),
        channel="ONLINE",
        tender="CARD",
        received_on=DEPOSIT_DAY,
    )
    bank_statement("225.00")
    report = deposit_report(day=DEPOSIT_DAY)
    rows = {(r.channel, r.tender): (r.count, r.amount) for r in report.received}
    assert rows == {("LOCKBOX", "CHECK"): (1, D("200.00")), ("ONLINE", "CARD"): (1, D("12.50"))}
    assert (report.suspense_count, report.suspense_amount) == (1, D("25.00"))
    assert report.received_total == D("237.50") == report.gl_cash_debits
    assert report.lockbox_posted == D("225.00") == report.bank_total
    assert all(row.matched for row in report.bank)
    assert report.ties and report.differences == []


def test_an_open_cashier_batch_and_a_bank_total_that_differs_are_listed(billed):
    lockbox_day(billed)
    batch = open_batch(drawer="A", opened_on=DEPOSIT_DAY)
    receive_payment(
        account=billed.lights,
        amount=D("60.00"),
        channel="OFFICE",
        tender="CASH",
        received_on=DEPOSIT_DAY,
        cashier_batch=batch,
    )
    bank_statement("224.00")
    report = deposit_report(day=DEPOSIT_DAY)
    assert report.received_total == D("285.00") and report.gl_cash_debits == D("225.00")
    kinds = {(d.kind, d.amount) for d in report.differences}
    assert kinds == {
        ("cashier batch open", D("60.00")),
        ("lockbox batch not on the bank file", D("225.00")),
        ("bank deposit with no lockbox file", D("224.00")),
    }
    assert not report.ties
    detail = next(d.detail for d in report.differences if d.kind == "cashier batch open")
    assert f"cashier batch {batch.pk} (drawer A) is open: 1 payments $60.00" in detail


def test_a_bank_file_with_items_ties_by_itself_and_the_command_prints_json(billed, capsys):
    text = bai2(DEPOSIT_DAY, [("D1", [Item("B1", "9", "50.00", stub(billed.home))])])
    import_lockbox_file(content=text.encode(), name="bank.bai")
    assert main(["reconcile", "--date", DEPOSIT_DAY.isoformat(), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["ties"] is True and shown["differences"] == []
    assert shown["gl_cash_debits"] == "50.00" == shown["bank_total"]
    assert main(["reconcile", "--date", "2026-10-16"]) == 0
    assert "Ties" in capsys.readouterr().out
