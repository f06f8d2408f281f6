"""A member who cannot pay by the due date asks for an installment arrangement; staff see
it on the work list and approve it (the agreement is made) or decline it with a reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.collections.arrangements import request_arrangement
from coopcis.apps.collections.models import Agreement, ArrangementRequest
from coopcis.core.errors import RuleViolation

pytestmark = pytest.mark.django_db


def ask(account, amount_now: str = "40.00", months: int = 3):
    return request_arrangement(
        account=account, amount_now=Decimal(amount_now), months=months, on=date(2026, 10, 20),
        note="hours cut at work",
    )  # fmt: skip


def test_staff_approve_and_the_installment_agreement_is_made(billed, staff_client):
    request = ask(billed.home)
    assert request.owed_amount == Decimal("183.89") and request.status == "REQUESTED"
    home_page = staff_client("read_only").get("/").text
    assert 'data-testid="work-arrangements"' in home_page
    queue = staff_client("read_only").get("/work/arrangements/").text
    assert "hours cut at work" in queue and "<form" not in queue.split("<main")[1]  # read-only

    response = staff_client("customer_service").post(f"/work/arrangements/{request.pk}/approve/")

    assert response.status_code == 302
    request.refresh_from_db()
    agreement = Agreement.objects.get()
    assert request.status == "APPROVED" and request.agreement == agreement
    # 183.89 owed: 40.00 down, then 143.89 over 3: 47.96, 47.96, 47.97
    assert agreement.total_amount == Decimal("183.89")
    assert agreement.down_payment_amount == Decimal("40.00")
    assert [row.amount for row in agreement.installments.all()] == [
        Decimal("40.00"), Decimal("47.96"), Decimal("47.96"), Decimal("47.97"),
    ]  # fmt: skip


def test_staff_decline_with_a_reason_the_member_reads(billed, staff_client):
    request = ask(billed.home)
    clerk = staff_client("customer_service")

    refused = clerk.post(f"/work/arrangements/{request.pk}/decline/", {f"a{request.pk}-reason": ""})
    assert refused.status_code == 200 and "This field is required" in refused.text

    clerk.post(
        f"/work/arrangements/{request.pk}/decline/",
        {f"a{request.pk}-reason": "A previous arrangement was broken in June."},
    )
    request.refresh_from_db()
    assert request.status == "DECLINED"
    assert request.decline_reason == "A previous arrangement was broken in June."
    assert not Agreement.objects.exists()


def test_one_request_waits_at_a_time_and_the_terms_are_checked(billed):
    ask(billed.home)
    with pytest.raises(RuleViolation, match="already waiting"):
        ask(billed.home)
    with pytest.raises(RuleViolation, match="must be less than the") as refused:
        ask(billed.tou_home, amount_now="999.00")
    assert refused.value.field == "amount_now"
    with pytest.raises(RuleViolation, match="1 to 12 months"):
        ask(billed.tou_home, months=13)
    assert ArrangementRequest.objects.count() == 1
