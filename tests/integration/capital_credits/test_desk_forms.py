"""The capital-credit forms at a desk: a preview changes nothing, a confirmation acts only on
exactly what was previewed, refusals are the services' own against their field, money
goes through the one parser, and each act is audited with who did it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client

from coopcis.apps.audit.models import AuditEvent
from coopcis.apps.capital_credits.models import Allocation, Payout, Retirement
from coopcis.apps.members.models import MembershipStatus
from tests.integration.backoffice.factories import staff_user
from tests.integration.capital_credits.coop import bill, credits, patron

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance() -> Client:
    client = Client()
    client.force_login(staff_user("finance", username="fran"))
    return client


def rows() -> dict[str, list[str]]:
    """Every table's rows but the sign-ins' sessions (each request touches its own)."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table != "django_session":
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
                found[table] = sorted(repr(row) for row in cursor.fetchall())
    return found


def previewed(response) -> str:
    found = re.search(r'name="previewed" value="([0-9a-f]+)"', response.text)
    assert found, "no preview digest in the page"
    return found.group(1)


def test_allocation_preview_then_confirm(freeze_today, finance):
    freeze_today(date(2026, 3, 1))
    alma, ben = patron("3800001"), patron("3800002", member=False)
    bill(alma, date(2025, 4, 10), ("energy", "200.00"))
    bill(ben, date(2025, 4, 10), ("energy", "100.00"))
    form = {"year": "2025", "margins": "1,000.00", "pool": "operating"}
    before = rows()

    preview = finance.post("/capital-credits/allocate/", form | {"do": "preview"})

    # 1,000.00 x 200/300 = 666.666.. and 333.333..: floors 666.66 and 333.33, the cent left
    # to the larger remainder (a tie: the larger patronage, Alma's)
    assert preview.status_code == 200 and "nothing is posted yet" in preview.text
    assert "$666.67" in preview.text and "$333.33" in preview.text
    assert rows() == before
    changed = finance.post(
        "/capital-credits/allocate/",
        form | {"margins": "2,000.00", "do": "confirm", "previewed": previewed(preview)},
    )
    assert changed.status_code == 200 and "$1,333.33" in changed.text  # previewed again
    assert not Allocation.objects.exists()

    done = finance.post(
        "/capital-credits/allocate/", form | {"do": "confirm", "previewed": previewed(preview)}
    )

    allocation = Allocation.objects.get()
    assert done.status_code == 302 and done["Location"].endswith(f"/{allocation.pk}/")
    assert (allocation.margins_amount, allocation.created_by) == (1000, "staff:fran")
    assert AuditEvent.objects.filter(model="capital_credits.allocation", actor_label="staff:fran")
    again = finance.post("/capital-credits/allocate/", form | {"do": "preview"})
    assert "already allocated" in again.text and "art. VIII sec. 2" in again.text


def test_retirement_refusals_and_the_money_parser(freeze_today, finance):
    freeze_today(date(2026, 5, 1))
    alma = patron("3800003")
    credits(2020, {alma: "100.00"})
    form = {
        "approved": "100.00", "resolution": "R-9", "approved_on": "2026-04-20",
        "method": "fifo", "pool": "operating", "do": "preview",
    }  # fmt: skip

    beyond = finance.post("/capital-credits/retire/", form | {"amount": "150.00"})
    typo = finance.post("/capital-credits/retire/", form | {"approved": "1e2"})
    future = finance.post("/capital-credits/retire/", form | {"on": "2026-05-02"})

    assert "exceeds the board&#x27;s approval" in beyond.text and "art. VIII sec. 2" in beyond.text
    assert 'id="error-amount"' in beyond.text
    assert 'id="error-approved"' in typo.text
    assert 'id="error-on"' in future.text and "after today" in future.text
    assert not Retirement.objects.exists()

    preview = finance.post("/capital-credits/retire/", form)
    assert "equity ratio not checked" in preview.text
    finance.post(
        "/capital-credits/retire/", form | {"do": "confirm", "previewed": previewed(preview)}
    )
    assert [(p.method, f"{p.amount:.2f}") for p in Payout.objects.all()] == [
        ("BILL_CREDIT", "100.00")
    ]


def test_estate_request_previewed_with_its_present_value(freeze_today, finance):
    freeze_today(date(2025, 9, 1))
    estate = patron("3800004", status="CLOSED")
    estate.party.membership.status = MembershipStatus.DECEASED
    estate.party.membership.save()
    credits(2005, {estate: "120.00"})
    credits(2015, {estate: "200.00"})
    credits(2023, {estate: "80.00"})
    form = {"account": "3800004", "resolution": "Letter of the executor", "do": "preview"}

    preview = finance.post("/capital-credits/estate/", form)

    # issue 14's example: 94.02 + 96.20 + 26.05 = 216.27
    assert "$216.27" in preview.text and "$94.02" in preview.text
    assert not Retirement.objects.exists()
    finance.post(
        "/capital-credits/estate/", form | {"do": "confirm", "previewed": previewed(preview)}
    )
    assert f"{Payout.objects.get().amount:.2f}" == "216.27"
