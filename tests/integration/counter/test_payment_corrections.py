"""Voiding a counter payment the same day, reversing a posted one later: who may, what
the books and the drawer show afterwards, and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from coopcis.apps.audit.context import acting_as
from coopcis.apps.audit.models import AuditEvent
from coopcis.apps.ledger import reports
from coopcis.apps.ledger.models import EntryKind, JournalEntry
from coopcis.apps.ledger.services import member_balance
from coopcis.apps.payments.corrections import reverse_posted_payment, void_payment
from coopcis.apps.payments.models import PaymentStatus
from coopcis.apps.payments.reconciliation import deposit_report
from coopcis.apps.payments.services import (
    batch_totals,
    close_batch,
    open_batch,
    receive_payment,
)
from coopcis.apps.receivables.models import ItemStatus, ReceivableItem
from coopcis.apps.receivables.services import charge_fee
from coopcis.core.errors import RuleViolation

pytestmark = pytest.mark.django_db
D = Decimal


def _fee(account, on):
    return charge_fee(account=account, fee_code="returned_check", on=on, reason="check returned")


def _counter(account, amount, batch, *, reference=""):
    return receive_payment(
        account=account,
        amount=D(amount),
        channel="OFFICE",
        tender="CASH",
        received_on=timezone.localdate(),
        reference=reference,
        cashier_batch=batch,
    ).payment


def test_a_void_takes_the_payment_out_of_the_drawer_and_off_the_books(maria):
    today = timezone.localdate()
    _fee(maria.account, today)
    batch = open_batch(drawer="Cloudcroft 1", opened_on=today)
    wrong = _counter(maria.account, "40.00", batch, reference="keyed twice")
    right = _counter(maria.account, "40.00", batch)

    with acting_as(label="rosa"):
        voided = void_payment(payment=wrong, on=today, reason="keyed twice")

    assert voided.status == PaymentStatus.VOIDED and voided.reversed_by == "rosa"
    assert batch_totals(batch).cash == D("40.00")
    close_batch(batch=batch, counted_cash=D("40.00"), counted_checks=D(0), counted_cards=D(0))
    batch.refresh_from_db()
    assert batch.difference == 0
    voided.refresh_from_db()
    right.refresh_from_db()
    assert voided.journal_entry is None and voided.status == PaymentStatus.VOIDED
    assert right.status == PaymentStatus.POSTED
    assert member_balance(maria.account) == 0
    event = AuditEvent.objects.get(model="payments.payment", object_pk=str(wrong.pk))
    assert event.account_id == maria.account.pk and event.actor_label == "rosa"
    assert event.changes == {"status": ["PENDING", "VOIDED"]}
    assert event.reason == "Voided: keyed twice"
    # the day's deposit report does not count money that was never received
    received = deposit_report(day=today).received
    assert sum(row.amount for row in received) == D("40.00")


def test_a_void_is_refused_once_the_batch_closed_or_the_day_passed(maria):
    today = timezone.localdate()
    batch = open_batch(drawer="Cloudcroft 1", opened_on=today)
    payment = _counter(maria.account, "25.00", batch)
    with pytest.raises(RuleViolation, match="say why") as refused:
        void_payment(payment=payment, on=today, reason="  ")
    assert refused.value.field == "reason"
    with pytest.raises(RuleViolation, match="no longer be voided"):
        void_payment(payment=payment, on=today + timedelta(days=1), reason="late")
    close_batch(batch=batch, counted_cash=D("25.00"), counted_checks=D(0), counted_cards=D(0))
    with pytest.raises(RuleViolation, match="reverse it instead"):
        void_payment(payment=payment, on=today, reason="too late")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.POSTED
    assert not AuditEvent.objects.filter(model="payments.payment").exists()


def test_a_reversal_posts_reversing_entries_and_reopens_what_it_paid(maria):
    paid_on = date(2026, 10, 15)
    fee = _fee(maria.account, date(2026, 10, 5))
    payment = receive_payment(
        account=maria.account,
        amount=D("50.00"),
        channel="ONLINE",
        tender="CARD",
        received_on=paid_on,
    ).payment
    item = ReceivableItem.objects.get(pk=fee.pk)
    assert item.status == ItemStatus.PAID and member_balance(maria.account) == D("-10.00")

    with acting_as(label="supervisor ana"):
        reversed_ = reverse_posted_payment(
            payment=payment, on=date(2026, 10, 20), reason="charged to the wrong account"
        )

    assert reversed_.status == PaymentStatus.REVERSED
    assert reversed_.reversal_reason == "charged to the wrong account"
    entry = reversed_.reversal_entry
    assert entry.kind == EntryKind.REVERSAL and entry.reverses_id == payment.journal_entry_id
    assert entry.posted_on == date(2026, 10, 20)
    lines = {
        (line.gl_account_id, line.debit_amount, line.credit_amount) for line in entry.lines.all()
    }
    assert lines == {
        ("131", D("0"), D("50.00")),
        ("142.2", D("40.00"), D("0")),
        ("142.1", D("10.00"), D("0")),
    }
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN and item.paid_amount == 0
    assert member_balance(maria.account) == D("40.00")
    assert reports.receivables_difference() == 0 and reports.trial_balance().balanced
    # no returned-payment fee: the mistake is the co-op's
    assert ReceivableItem.objects.filter(account=maria.account).count() == 1
    event = AuditEvent.objects.get(model="payments.payment", object_pk=str(payment.pk))
    assert event.actor_label == "supervisor ana"
    assert event.changes == {"status": ["POSTED", "REVERSED"]}

    with pytest.raises(RuleViolation, match="not posted"):
        reverse_posted_payment(payment=payment, on=date(2026, 10, 21), reason="again")
    assert JournalEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 1


def test_a_reversal_is_refused_for_pending_payments_and_before_the_payment(maria):
    today = timezone.localdate()
    batch = open_batch(drawer="Cloudcroft 1", opened_on=today)
    pending = _counter(maria.account, "25.00", batch)
    with pytest.raises(RuleViolation, match="void it instead"):
        reverse_posted_payment(payment=pending, on=today, reason="wrong")
    posted = receive_payment(
        account=maria.account, amount=D("5.00"), channel="ONLINE", tender="CARD", received_on=today
    ).payment
    with pytest.raises(RuleViolation, match="before it was received") as refused:
        reverse_posted_payment(payment=posted, on=today - timedelta(days=1), reason="wrong")
    assert refused.value.field == "on"


# --- pages ----------------------------------------------------------------------------


def test_customer_service_voids_from_the_batch_page_but_may_not_reverse(client_as, maria):
    today = timezone.localdate()
    batch = open_batch(drawer="Cloudcroft 1", opened_on=today)
    payment = _counter(maria.account, "25.00", batch)
    clerk = client_as("customer_service")
    page = clerk.get(f"/cashier/{batch.pk}/").text
    assert f"/payments/{payment.pk}/void/" in page

    refused = clerk.post(f"/payments/{payment.pk}/void/", {"reason": ""})
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]
    done = clerk.post(f"/payments/{payment.pk}/void/", {"reason": "wrong account"})
    assert done.status_code == 302 and done["Location"] == f"/cashier/{batch.pk}/"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.VOIDED

    posted = receive_payment(
        account=maria.account, amount=D("5.00"), channel="ONLINE", tender="CARD", received_on=today
    ).payment
    assert clerk.post(f"/payments/{posted.pk}/reverse/", {"reason": "x"}).status_code == 403
    assert (
        client_as("read_only").post(f"/payments/{payment.pk}/void/", {"reason": "x"}).status_code
        == 403
    )
    posted.refresh_from_db()
    assert posted.status == PaymentStatus.POSTED


def test_finance_reverses_from_the_account_page(client_as, maria):
    today = timezone.localdate()
    _fee(maria.account, today)
    posted = receive_payment(
        account=maria.account, amount=D("40.00"), channel="ONLINE", tender="CARD", received_on=today
    ).payment
    finance = client_as("finance")
    page = finance.get(f"/accounts/{maria.account.number}/").text
    assert f"/payments/{posted.pk}/reverse/" in page
    done = finance.post(f"/payments/{posted.pk}/reverse/", {"reason": "card charged twice"})
    assert done.status_code == 302 and done["Location"].endswith("#balance")
    posted.refresh_from_db()
    assert posted.status == PaymentStatus.REVERSED and member_balance(maria.account) == D("40.00")
    history = finance.get(f"/accounts/{maria.account.number}/").text
    assert "Reversed: card charged twice" in history
    # a second try shows why not, instead of a form
    again = finance.get(f"/payments/{posted.pk}/reverse/")
    assert 'data-testid="not-allowed"' in again.text
    assert finance.post(f"/payments/{posted.pk}/reverse/", {"reason": "again"}).status_code == 200
    assert JournalEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 1


def test_a_receipt_names_the_payment_and_says_when_it_was_voided(client_as, maria, tmp_path):
    today = timezone.localdate()
    batch = open_batch(drawer="Cloudcroft 1", opened_on=today)
    payment = _counter(maria.account, "25.00", batch, reference="MO 5512")
    clerk = client_as("customer_service")
    response = clerk.get(f"/payments/{payment.pk}/receipt.pdf")
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "receipt.pdf"
    path.write_bytes(response.content)
    text = PdfReader(path).pages[0].extract_text()
    # Maria's bills and letters are in Spanish
    assert "Recibo de pago" in text and "$25.00" in text and "MO 5512" in text
    assert "3100417" in text and "Cloudcroft 1" in text and "cierre la caja" in text
    void_payment(payment=payment, on=today, reason="wrong")
    text = _pdf_text(clerk.get(f"/payments/{payment.pk}/receipt.pdf").content, tmp_path)
    assert "ANULADO" in text and "no se acredita" in text
    assert clerk.get("/payments/999999/receipt.pdf").status_code == 404


def _pdf_text(content: bytes, folder) -> str:
    path = folder / "again.pdf"
    path.write_bytes(content)
    return PdfReader(path).pages[0].extract_text()


def test_a_bill_is_reprinted_as_a_dated_copy_and_the_reprint_is_audited(
    client_as, small_coop, tmp_path
):
    from coopcis.apps.billing.models import Bill
    from coopcis.apps.billing.run import run_billing

    run_billing(period_label="2026-10")
    bill = Bill.objects.get(account=small_coop.home, period="2026-10")
    clerk = client_as("read_only")
    page = clerk.get(f"/accounts/{small_coop.home.number}/").text
    assert f"/bills/{bill.pk}/reprint/" in page
    refused = clerk.post(f"/bills/{bill.pk}/reprint/", {"reason": " "})
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]
    assert not AuditEvent.objects.filter(model="billing.bill").exists()

    response = clerk.post(f"/bills/{bill.pk}/reprint/", {"reason": "lost in the mail"})
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{bill.number}-copy.pdf"'
    text = _pdf_text(response.content, tmp_path)
    today = timezone.localdate()
    assert f"COPY - reprinted {today:%b} {today.day}, {today.year}" in text and bill.number in text
    original = _pdf_text(clerk.get(f"/bills/{bill.pk}.pdf").content, tmp_path)
    assert "COPY" not in original
    event = AuditEvent.objects.get(model="billing.bill", object_pk=str(bill.pk))
    assert event.account_id == small_coop.home.pk and event.reason == "Reprinted: lost in the mail"
    assert client_as("read_only").get("/bills/999999/reprint/").status_code == 404
