"""The balance counts what waits in open cashier batches, and the counter warns before it
takes more than the member owes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from coopcis.apps.payments.models import Payment
from coopcis.apps.payments.services import open_batch, owing, receive_payment
from coopcis.apps.receivables.services import charge_fee
from tests.integration.backoffice.conftest import account_card

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def owes_forty(maria):
    charge_fee(
        account=maria.account, fee_code="returned_check", on=timezone.localdate(), reason="check"
    )
    return maria.account


def _take(client, batch, account, amount, **extra):
    data = {"account": account.number, "amount": amount, "tender": "CASH", "reference": ""}
    data["submission"] = extra.pop("submission", "s-" + amount)
    return client.post(f"/cashier/{batch.pk}/pay/", data | extra)


def test_the_account_page_shows_what_is_pending_in_an_open_batch(client_as, owes_forty):
    batch = open_batch(drawer="Cloudcroft 1", opened_on=timezone.localdate())
    clerk = client_as("customer_service")
    assert "balance-pending" not in account_card(clerk, owes_forty, "balance")
    receive_payment(
        account=owes_forty,
        amount=D("15.00"),
        channel="OFFICE",
        tender="CASH",
        received_on=timezone.localdate(),
        cashier_batch=batch,
    )
    card = account_card(clerk, owes_forty, "balance")
    assert "$40.00" in card
    assert "$15.00 pending in an open cashier batch: $25.00 after it posts" in card
    assert owing(owes_forty).after_pending == D("25.00")


def test_an_overpayment_is_warned_about_and_taken_only_when_confirmed(client_as, owes_forty):
    batch = open_batch(drawer="Cloudcroft 1", opened_on=timezone.localdate())
    clerk = client_as("customer_service")
    assert _take(clerk, batch, owes_forty, "30.00").status_code == 302  # 10.00 still owed

    warned = _take(clerk, batch, owes_forty, "25.00")
    assert warned.status_code == 200
    (message,) = warned.context["form"].errors["take_overpayment"]
    assert "$25.00 is $15.00 more than account 3100417 owes ($10.00 after $30.00 pending" in message
    assert 'type="checkbox" name="take_overpayment"' in warned.text
    assert Payment.objects.count() == 1

    taken = _take(clerk, batch, owes_forty, "25.00", take_overpayment="on")
    assert taken.status_code == 302
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [D("25.00"), D("30.00")]


def test_the_payment_form_shows_the_balance_before_anything_is_typed(client_as, owes_forty):
    batch = open_batch(drawer="Cloudcroft 1", opened_on=timezone.localdate())
    page = client_as("customer_service").get(f"/cashier/{batch.pk}/pay/?account=3100417").text
    assert 'data-testid="owing-balance">$40.00<' in page
