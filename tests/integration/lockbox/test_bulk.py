"""The batched path gives exactly what receive_payment gives one payment at a time."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from coopcis.apps.ledger import reports
from coopcis.apps.ledger.models import JournalLine
from coopcis.apps.payments.lockbox.posting import PaymentDraft, post_payments_bulk
from coopcis.apps.payments.models import Payment, PaymentApplication
from coopcis.apps.payments.services import receive_payment
from coopcis.apps.receivables.models import ReceivableItem
from coopcis.core.errors import RuleViolation

pytestmark = pytest.mark.django_db
D = Decimal


class _Undo(Exception):
    pass


def snapshot():
    payments = sorted(
        (
            p.idempotency_key,
            p.account.number,
            p.amount,
            p.unapplied_amount,
            p.status,
            p.channel,
            p.tender,
            p.reference,
            p.received_on,
            p.fingerprint,
            p.journal_entry.source_key == f"payment:{p.pk}",
            p.journal_entry.memo,
            p.journal_entry.kind,
            p.journal_entry.posted_on,
            tuple(
                sorted(
                    (
                        line.gl_account_id,
                        line.member_account.number if line.member_account else None,
                        line.debit_amount,
                        line.credit_amount,
                    )
                    for line in p.journal_entry.lines.all()
                )
            ),
        )
        for p in Payment.objects.select_related("account", "journal_entry")
    )
    applications = sorted(
        (a.payment.idempotency_key, a.item_id, a.amount, a.applied_on)
        for a in PaymentApplication.objects.select_related("payment")
    )
    items = sorted(ReceivableItem.objects.values_list("id", "paid_amount", "status"))
    return {
        "payments": payments,
        "applications": applications,
        "items": items,
        "balances": reports.member_balances(),
        "trial_balance": reports.trial_balance().as_json(),
    }


def test_bulk_posting_equals_receive_payment_one_by_one(billed):
    home, tou, lights, mill = billed.home, billed.tou_home, billed.lights, billed.mill
    on = date(2026, 10, 15)
    plan = [
        (home, "30.00", "a"),  # part of the fee only
        (lights, "1000.00", "b"),  # pays the bill, the rest is a credit balance
        (home, "100.00", "c"),  # the rest of the fee, then the bill: applied after "a"
        (tou, "0.01", "d"),
        (mill, "5000.00", "e"),
        (home, "500.00", "f"),  # pays off home, credit balance
    ]
    assert JournalLine.objects.filter(gl_account_id="131").count() == 0

    with pytest.raises(_Undo), transaction.atomic():
        for account, amount, key in plan:
            receive_payment(
                account=account,
                amount=D(amount),
                channel="LOCKBOX",
                tender="CHECK",
                received_on=on,
                reference=f"chk-{key}",
                source="test",
                idempotency_key=f"lockbox:test:{key}",
            )
        one_by_one = snapshot()
        raise _Undo
    assert not Payment.objects.exists()

    drafts = [
        PaymentDraft.for_account(
            account,
            amount=D(amount),
            received_on=on,
            reference=f"chk-{key}",
            source="test",
            idempotency_key=f"lockbox:test:{key}",
        )
        for account, amount, key in plan
    ]
    posted = post_payments_bulk(drafts, chunk_size=4)  # two chunks: home spans both
    assert [p.created for p in posted] == [True] * 6
    bulk = snapshot()
    assert bulk == one_by_one
    assert len(bulk["applications"]) == 7 and bulk["balances"][home.pk] < 0
    assert reports.receivables_difference() == 0

    # and again: same keys, same content, nothing new
    again = post_payments_bulk(drafts)
    assert [p.created for p in again] == [False] * 6
    assert snapshot() == bulk


def test_bulk_posting_refuses_what_receive_payment_refuses(billed):
    draft = PaymentDraft.for_account(billed.home, amount=D("0.00"), received_on=date(2026, 10, 15))
    with pytest.raises(RuleViolation, match="more than zero"):
        post_payments_bulk([draft])
    cash = PaymentDraft.for_account(
        billed.home, amount=D("5.00"), received_on=date(2026, 10, 15), tender="CASH"
    )
    with pytest.raises(RuleViolation, match="does not take"):
        post_payments_bulk([cash])
    assert not Payment.objects.exists()
