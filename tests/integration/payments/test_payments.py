"""Payments: applied oldest first, posted once, reversed cleanly; the books stay tied."""

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.billing.models import Bill
from coopcis.apps.billing.run import run_billing
from coopcis.apps.ledger import reports
from coopcis.apps.members.models import AccountStatus
from coopcis.apps.payments.models import Payment, PaymentStatus
from coopcis.apps.payments.services import (
    IdempotencyConflict,
    close_batch,
    open_batch,
    receive_payment,
    reverse_payment,
)
from coopcis.apps.receivables.models import ItemStatus, ReceivableItem
from coopcis.apps.receivables.services import charge_fee
from coopcis.core.errors import RuleViolation

pytestmark = pytest.mark.django_db
D = Decimal


def pay(account, amount, **kwargs):
    options = {"channel": "ONLINE", "tender": "CARD", "received_on": date(2026, 10, 15)} | kwargs
    return receive_payment(account=account, amount=D(amount), **options).payment


def balance(account):
    return reports.member_balances().get(account.pk, D("0.00"))


def test_a_payment_pays_the_oldest_charge_first_and_keeps_the_rest_as_credit(small_coop):
    run_billing(period_label="2026-10")  # home owes 183.89
    home = small_coop.home
    fee = charge_fee(
        account=home, fee_code="returned_check", on=date(2026, 10, 5), reason="check 1042 returned"
    )
    assert fee.amount == D("40.00") and balance(home) == D("223.89")

    payment = pay(home, "200.00")
    # the fee (due 25 Oct) comes before the bill (due 30 Oct): oldest first
    applied = {a.item.category: a.amount for a in payment.applications.all()}
    assert applied == {"FEE": D("40.00"), "ELECTRIC": D("160.00")}
    assert balance(home) == D("23.89")
    lines = {
        line.gl_account_id: (line.debit_amount, line.credit_amount)
        for line in payment.journal_entry.lines.all()
    }
    assert lines == {
        "131": (D("200.00"), D("0")),
        "142.1": (D("0"), D("160.00")),
        "142.2": (D("0"), D("40.00")),
    }

    over = pay(home, "50.00", reference="second")
    assert over.unapplied_amount == D("26.11")  # 23.89 paid, the rest is a credit balance
    assert balance(home) == D("-26.11")
    assert ReceivableItem.objects.get(bill__account=home).status == ItemStatus.PAID
    assert reports.receivables_difference() == 0 and reports.trial_balance().balanced


def test_a_credit_balance_pays_the_next_bill(small_coop):
    home = small_coop.home
    credit = pay(home, "300.00")
    assert credit.unapplied_amount == D("300.00")
    run_billing(period_label="2026-10")
    credit.refresh_from_db()
    assert credit.unapplied_amount == D("116.11")  # 300.00 - 183.89
    assert ReceivableItem.objects.get(bill__account=home).status == ItemStatus.PAID


def test_same_key_same_payment_posts_once_and_a_different_one_is_refused(small_coop):
    home = small_coop.home
    first = receive_payment(
        account=home,
        amount=D("25.00"),
        channel="IVR",
        tender="CARD",
        received_on=date(2026, 10, 2),
        reference="auth 7781",
        idempotency_key="ivr-7781",
    )
    again = receive_payment(
        account=home,
        amount=D("25.00"),
        channel="IVR",
        tender="CARD",
        received_on=date(2026, 10, 2),
        reference="auth 7781",
        idempotency_key="ivr-7781",
    )
    assert first.created and not again.created and again.payment.pk == first.payment.pk
    with pytest.raises(IdempotencyConflict):
        receive_payment(
            account=home,
            amount=D("26.00"),
            channel="IVR",
            tender="CARD",
            received_on=date(2026, 10, 2),
            reference="auth 7781",
            idempotency_key="ivr-7781",
        )
    assert Payment.objects.count() == 1 and balance(home) == D("-25.00")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": D("0.00")}, "amount"),
        ({"amount": D("-5.00")}, "amount"),
        ({"amount": D("1.005")}, "amount"),
        ({"channel": "DROP_BOX", "tender": "CASH"}, "tender"),
        ({"channel": "CARRIER_PIGEON"}, "channel"),
        ({"account": None}, "account"),
    ],
)
def test_bad_payments_are_refused_and_nothing_posts(small_coop, change, field):
    options = {
        "account": small_coop.home,
        "amount": D("10.00"),
        "channel": "ONLINE",
        "tender": "CARD",
        "received_on": date(2026, 10, 2),
    } | change
    with pytest.raises(RuleViolation) as refusal:
        receive_payment(**options)
    assert refusal.value.field == field
    assert not Payment.objects.exists()


def test_a_closed_account_takes_no_payment(small_coop):
    home = small_coop.home
    home.status = AccountStatus.CLOSED
    home.closed_on = date(2026, 10, 1)
    home.save()
    with pytest.raises(RuleViolation, match="closed"):
        pay(home, "10.00")


def test_cashier_batch_posts_when_closed_and_records_the_difference(small_coop):
    run_billing(period_label="2026-10")
    batch = open_batch(
        drawer="Cloudcroft 1", opened_on=date(2026, 10, 16), opening_cash=D("100.00")
    )
    with pytest.raises(RuleViolation, match="already has an open batch"):
        open_batch(drawer="Cloudcroft 1", opened_on=date(2026, 10, 16))
    cash = pay(small_coop.home, "83.89", channel="OFFICE", tender="CASH", cashier_batch=batch)
    check = pay(
        small_coop.lights,
        "100.62",
        channel="OFFICE",
        tender="CHECK",
        reference="chk 311",
        cashier_batch=batch,
    )
    assert cash.status == check.status == PaymentStatus.PENDING and balance(small_coop.home) == D(
        "183.89"
    )

    closed = close_batch(
        batch=batch, counted_cash=D("183.80"), counted_checks=D("100.62"), counted_cards=D("0")
    )
    assert closed.difference == D("-0.09")  # 9 cents short
    assert balance(small_coop.home) == D("100.00")
    assert Payment.objects.filter(status=PaymentStatus.POSTED).count() == 2
    with pytest.raises(RuleViolation, match="closed"):
        pay(small_coop.home, "1.00", channel="OFFICE", tender="CASH", cashier_batch=batch)


def test_reversing_a_payment_reopens_the_bill(small_coop):
    run_billing(period_label="2026-10")
    home = small_coop.home
    payment = pay(home, "183.89", channel="MAIL", tender="CHECK", reference="chk 9")
    item = ReceivableItem.objects.get(bill__account=home)
    assert item.status == ItemStatus.PAID
    reverse_payment(
        payment=payment,
        on=date(2026, 10, 20),
        reason="returned: insufficient funds",
        return_code="R01",
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN and item.paid_amount == 0
    assert balance(home) == D("183.89") and reports.trial_balance().balanced
    with pytest.raises(RuleViolation, match="not posted"):
        reverse_payment(payment=payment, on=date(2026, 10, 21), reason="again")


def test_cancelling_a_paid_bill_turns_the_payment_into_credit(small_coop):
    from coopcis.apps.billing.corrections import cancel_bill

    run_billing(period_label="2026-10")
    home = small_coop.home
    payment = pay(home, "183.89")
    cancel_bill(bill=Bill.objects.get(account=home), reason="wrong meter", on=date(2026, 10, 22))
    payment.refresh_from_db()
    assert payment.unapplied_amount == D("183.89") and balance(home) == D("-183.89")
    assert reports.receivables_difference() == 0


def test_a_credit_balance_is_refunded_by_check_request(small_coop, capsys):
    from coopcis.apps.payments.models import RefundRequest
    from coopcis.apps.payments.services import credit_balance, issue_refund_check, request_refund
    from coopcis.cli import main

    home = small_coop.home
    pay(home, "60.00")
    pay(home, "40.00", reference="second")
    with pytest.raises(RuleViolation, match=r"has \$100\.00 of credit"):
        request_refund(account=home, amount=D("100.01"), on=date(2026, 10, 20), reason="moving")
    assert (
        main(
            [
                "payments",
                "refund-credit",
                home.number,
                "--amount",
                "75.00",
                "--reason",
                "moving away",
                "--on",
                "2026-10-20",
            ]
        )
        == 0
    )
    refund = RefundRequest.objects.get()
    assert credit_balance(home) == D("25.00") and balance(home) == D("-25.00")
    # the oldest payment gives up its credit first
    assert sorted(Payment.objects.values_list("unapplied_amount", flat=True)) == [
        D("0.00"),
        D("25.00"),
    ]
    issue_refund_check(refund=refund, check_number="10442", on=date(2026, 10, 22))
    trial = {row.number: (row.debit, row.credit) for row in reports.trial_balance().rows}
    assert trial["131"] == (D("25.00"), D("0.00"))  # 100 in, 75 out
    assert "232" not in trial  # the payable is cleared
    with pytest.raises(RuleViolation, match="already issued"):
        issue_refund_check(refund=refund, check_number="10443", on=date(2026, 10, 23))
    capsys.readouterr()
    assert (
        main(
            [
                "payments",
                "refund-credit",
                "0000000",
                "--amount",
                "1",
                "--reason",
                "x",
                "--on",
                "2026-10-20",
            ]
        )
        == 1
    )
    assert capsys.readouterr().err.strip() == "coopcis payments: error: no account '0000000'"
