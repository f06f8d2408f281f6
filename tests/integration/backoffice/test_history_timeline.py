"""The account page's history has every bill, payment, collection notice and service
order beside the audit trail, newest first; service orders have their own card."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.collections.models import (
    CollectionCase,
    CoopHold,
    Dispute,
    Notice,
    ServiceOrder,
)
from coopcis.apps.payments.services import receive_payment
from coopcis.catalog.profiles import active_profile
from tests.integration.backoffice.conftest import account_card
from tests.integration.billing_pdf.factories import make_bill

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(maria):
    bill = make_bill(maria.agreement, "2026-09", total_amount=Decimal("183.89"))
    receive_payment(account=maria.account, amount=Decimal("50.00"), channel="OFFICE",
                    tender="CASH", received_on=date(2026, 10, 2))  # fmt: skip
    case = CollectionCase.objects.create(
        account=maria.account, bill=bill, opened_on=date(2026, 10, 1)
    )
    Notice.objects.create(
        case=case, account=maria.account, kind="SECOND", round=1, language="ES",
        sent_on=date(2026, 10, 5), amount=Decimal("133.89"), recipient="Maria Baca", pdf=b"%PDF",
    )  # fmt: skip
    ServiceOrder.objects.create(
        account=maria.account, case=case, kind="DISCONNECT", reason="NON_PAYMENT",
        created_on=date(2026, 10, 25), scheduled_on=date(2026, 10, 27), window="08:00-16:00",
        status="CANCELLED", cancelled_on=date(2026, 10, 26), cancel_reason="paid in full",
    )  # fmt: skip
    return bill


def test_history_shows_bills_payments_notices_and_orders_with_the_changes(
    client_as, maria, records
):
    card = account_card(client_as("read_only"), maria.account, "history")

    assert f"Bill {records.number} for 2026-09: $183.89" in card
    assert "Payment $50.00, Office, Cash" in card
    assert "Second notice: $133.89 to Maria Baca" in card
    assert "Service order" in card and "Disconnect (Non-payment)" in card and "paid in full" in card
    assert "Account: " in card  # the audit trail is still there
    # newest first: the order (25 Oct) before the notice (5 Oct)
    assert card.index("Disconnect (Non-payment)") < card.index("Second notice")
    assert 'data-kind="notice"' in card and "2026-10-05</td>" in card  # a date, no time


def test_service_orders_have_their_own_card_with_status_and_outcome(client_as, maria, records):
    card = account_card(client_as("read_only"), maria.account, "service-orders")

    assert "Disconnect (Non-payment)" in card
    assert "Cancelled" in card and "2026-10-26: paid in full" in card
    assert "2026-10-27 08:00-16:00" in card


def test_a_service_orders_fee_is_named_as_the_profile_names_it(client_as, maria, records):
    ServiceOrder.objects.create(
        account=maria.account, kind="RECONNECT", reason="PAID", created_on=date(2026, 10, 28),
        scheduled_on=date(2026, 10, 29), window="08:00-16:00", fee_code="connect",
        fee_amount=Decimal("40.00"),
    )  # fmt: skip
    card = account_card(client_as("read_only"), maria.account, "service-orders")

    fee = active_profile().fee("connect")
    assert f"<td>{fee.description} $40.00</td>" in card
    assert "<td>connect $40.00</td>" not in card


def test_history_shows_the_collection_protections_recorded(client_as, maria, records):
    Dispute.objects.create(account=maria.account, bill=records, amount=Decimal("40.00"),
                           opened_on=date(2026, 10, 8), description="meter misread")  # fmt: skip
    CoopHold.objects.create(account=maria.account, reason="manager review",
                            placed_on=date(2026, 10, 9), placed_by="staff:rosa")  # fmt: skip

    card = account_card(client_as("read_only"), maria.account, "history")

    assert "Dispute: $40.00" in card and "Under investigation" in card and "meter misread" in card
    assert "Collection hold" in card and "manager review" in card and "staff:rosa" in card
    assert card.index("Collection hold") < card.index("Dispute: $40.00")  # 9 Oct, then 8 Oct


def test_history_has_every_payment_not_only_the_latest_the_payments_table_lists(client_as, maria):
    from coopcis.apps.backoffice.queries import PAYMENTS_LIMIT

    for day in range(1, PAYMENTS_LIMIT + 6):
        receive_payment(account=maria.account, amount=Decimal("10.00"), channel="OFFICE",
                        tender="CASH", received_on=date(2024, 1, 1), reference=f"R{day:03d}")  # fmt: skip
    clerk = client_as("read_only")

    history = account_card(clerk, maria.account, "history")
    balance = account_card(clerk, maria.account, "balance")

    assert history.count('data-kind="payment"') == PAYMENTS_LIMIT + 5
    assert "R001" in history and "R001" not in balance  # the oldest: in the history only
