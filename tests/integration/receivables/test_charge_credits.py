"""A non-cash credit put on a member's open charges (net-metering payouts, rebates), and
given back when its bill is cancelled."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.ledger.integrity import verify_ledger
from coopcis.apps.ledger.models import EntryKind, JournalLine
from coopcis.apps.receivables.models import ItemCategory, ItemStatus, ReceivableItem
from coopcis.apps.receivables.services import (
    credit_open_charges,
    give_back_charge_credit,
    lock_open_charges,
)
from coopcis.core.money import Money
from tests.factories import AccountFactory

D = Decimal


def _charge(account, category, amount, due_on, status=ItemStatus.OPEN):
    return ReceivableItem.objects.create(
        account=account,
        category=category,
        description=f"{category} due {due_on}",
        amount=amount,
        posted_on=due_on,
        due_on=due_on,
        gl_account="142.1" if category == ItemCategory.ELECTRIC else "142.2",
        status=status,
    )


def _credit(account, amount, key):
    return credit_open_charges(
        amount=Money(amount),
        charges=lock_open_charges([account.pk])[account.pk],
        member=account.number,
        debit_account="908",
        posted_on=date(2026, 4, 1),
        memo="test credit",
        source="test",
        kind=EntryKind.REBATE,
        source_key=key,
    )


@pytest.mark.django_db
def test_a_credit_pays_the_oldest_charges_first_and_loan_installments_last():
    # given an installment due first, a fee, a bill and a voided bill
    account = AccountFactory()
    loan = _charge(account, ItemCategory.LOAN, D("50.00"), date(2026, 1, 21))
    fee = _charge(account, ItemCategory.FEE, D("30.00"), date(2026, 2, 21))
    bill = _charge(account, ItemCategory.ELECTRIC, D("80.00"), date(2026, 3, 21))
    void = _charge(account, ItemCategory.ELECTRIC, D("10.00"), date(2026, 1, 1), ItemStatus.VOID)

    # when $100.00 is credited
    applied = _credit(account, D("100.00"), "credit:1")

    # then the fee and most of the bill take it, the installment and the void nothing
    assert applied is not None and applied.total == Money(D("100.00"))
    assert [(item.pk, part) for item, part in applied.parts] == [
        (fee.pk, Money(D("30.00"))),
        (bill.pk, Money(D("70.00"))),
    ]
    rows = {
        item.pk: (item.paid_amount, item.status)
        for item in ReceivableItem.objects.filter(pk__in=[loan.pk, fee.pk, bill.pk, void.pk])
    }
    assert rows == {
        loan.pk: (D("0.00"), ItemStatus.OPEN),
        fee.pk: (D("30.00"), ItemStatus.PAID),
        bill.pk: (D("70.00"), ItemStatus.OPEN),
        void.pk: (D("0.00"), ItemStatus.VOID),
    }
    lines = sorted(
        (line.gl_account_id, line.debit_amount, line.credit_amount)
        for line in JournalLine.objects.filter(entry=applied.entry)
    )
    assert lines == [
        ("142.1", D("0.00"), D("70.00")),
        ("142.2", D("0.00"), D("30.00")),
        ("908", D("100.00"), D("0.00")),
    ]
    assert verify_ledger().sound


@pytest.mark.django_db
def test_what_no_open_charge_takes_is_left_and_nothing_open_posts_nothing():
    account = AccountFactory()
    _charge(account, ItemCategory.LOAN, D("50.00"), date(2026, 1, 21))
    _charge(account, ItemCategory.ELECTRIC, D("80.00"), date(2026, 3, 21))

    applied = _credit(account, D("200.00"), "credit:1")

    assert applied is not None and applied.total == Money(D("130.00"))
    assert not ReceivableItem.objects.filter(account=account, status=ItemStatus.OPEN).exists()
    assert _credit(account, D("70.00"), "credit:2") is None
    assert JournalLine.objects.filter(entry__source_key="credit:2").count() == 0


@pytest.mark.django_db
def test_a_part_given_back_opens_its_charge_again_and_books_it_back():
    # given $100.00 credited: $30.00 paid the fee in full, $70.00 part of the bill
    account = AccountFactory()
    fee = _charge(account, ItemCategory.FEE, D("30.00"), date(2026, 2, 21))
    bill = _charge(account, ItemCategory.ELECTRIC, D("80.00"), date(2026, 3, 21))
    _credit(account, D("100.00"), "credit:1")
    fee.refresh_from_db()

    # when the fee's part is given back
    entry = give_back_charge_credit(
        item=fee,
        amount=D("30.00"),
        member=account.number,
        credit_account="908",
        posted_on=date(2026, 4, 9),
        memo="given back: " + "x" * 300,
        source="test",
        kind=EntryKind.REBATE,
        source_key="credit:1:give-back",
    )

    # then the fee is open again for it, the bill keeps its part, and 908 is credited back
    rows = {
        item.pk: (item.paid_amount, item.status)
        for item in ReceivableItem.objects.filter(pk__in=[fee.pk, bill.pk])
    }
    assert rows == {
        fee.pk: (D("0.00"), ItemStatus.OPEN),
        bill.pk: (D("70.00"), ItemStatus.OPEN),
    }
    lines = sorted(
        (line.gl_account_id, line.debit_amount, line.credit_amount, line.member_account_id)
        for line in JournalLine.objects.filter(entry=entry)
    )
    assert lines == [
        ("142.2", D("30.00"), D("0.00"), account.pk),
        ("908", D("0.00"), D("30.00"), account.pk),
    ]
    assert (entry.posted_on, entry.source_key, len(entry.memo)) == (
        date(2026, 4, 9),
        "credit:1:give-back",
        200,
    )
    assert verify_ledger().sound
