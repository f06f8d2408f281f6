"""Held bills reviewed from the web: the queue, why each was held beside the member's
use, release with a note, cancel and rebill; the same services as ``coopcis billing``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.billing.models import Bill, BillStatus, RiderFactor
from coopcis.apps.billing.run import run_billing
from coopcis.apps.ledger import reports
from coopcis.apps.metering.models import RegisterRead
from tests.integration.small_coop import reads, small_coop  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(small_coop):  # noqa: F811
    """The home's November bill, held: the November read shows no use since October."""
    run_billing(period_label="2026-10")
    meter = small_coop.home.agreements.get().service_point.installations.get().meter
    reads(meter, (date(2026, 11, 1), 11_000))
    for code in ("pca", "dca"):
        RiderFactor.objects.create(month="2026-11", code=code, per_kwh=Decimal("0.001"), source="t")
    run_billing(period_label="2026-11")
    return Bill.objects.get(account=small_coop.home, period="2026-11", status=BillStatus.HELD)


def test_the_queue_lists_each_held_bill_with_its_reason_in_words(client_as, held):
    html = client_as("read_only").get("/bills/held/").text

    assert held.number in html and held.account.number in html
    assert "No use on a metered service" in html
    assert f'href="/bills/{held.pk}/"' in html


def test_the_review_page_shows_the_reason_the_reads_and_the_use_beside_the_history(
    client_as,
    held,
):
    html = client_as("read_only").get(f"/bills/{held.pk}/").text

    assert "No use on a metered service" in html
    assert "11,000 kWh, 2026-10-01, actual" in html and "11,000 kWh, 2026-11-01, actual" in html
    usage = html.split('data-testid="usage-table"')[1].split("</table>")[0]
    assert '2026-11 (this bill)</td><td class="num">0</td>' in usage
    assert '<td>2026-10</td><td class="num">1,000</td>' in usage  # October's bill
    assert '<td>2026-09</td><td class="num">—</td>' in usage
    assert 'data-key="2026-10"' in html  # drawn as a bar
    assert "Release and post" not in html  # a read-only clerk sees no forms
    assert "Your role cannot release or cancel bills." in html


def test_billing_releases_a_held_bill_with_a_note_as_the_command_line_would(
    client_as,
    held,
):
    response = client_as("billing").post(
        f"/bills/{held.pk}/release/", {"note": "cabin empty for the winter; owner confirmed"}
    )

    assert response.status_code == 302 and response.url == "/bills/held/"
    held.refresh_from_db()
    assert held.status == BillStatus.POSTED and held.journal_entry is not None
    assert held.hold_reasons == [
        "ZERO_USE",
        "released: cabin empty for the winter; owner confirmed",
    ]
    assert reports.receivables_difference() == 0 and reports.trial_balance().balanced


def test_a_release_without_a_note_is_refused_against_the_note(client_as, held):
    response = client_as("billing").post(f"/bills/{held.pk}/release/", {"note": "  "})

    assert response.status_code == 200
    assert response.context["release_form"].errors["note"]
    held.refresh_from_db()
    assert held.status == BillStatus.HELD


def test_a_read_only_clerk_cannot_release(client_as, held):
    response = client_as("read_only").post(f"/bills/{held.pk}/release/", {"note": "looks fine"})

    assert response.status_code == 403
    held.refresh_from_db()
    assert held.status == BillStatus.HELD


def test_cancel_and_rebill_after_the_read_is_corrected(client_as, held):
    RegisterRead.objects.filter(read_on=date(2026, 11, 1)).update(register_wh=11_450_000)

    response = client_as("billing").post(
        f"/bills/{held.pk}/cancel/", {"reason": "read keyed wrong", "rebill": "on"}
    )

    held.refresh_from_db()
    assert held.status == BillStatus.CANCELLED and held.cancel_reason == "read keyed wrong"
    new = Bill.objects.get(replaces=held)
    assert new.status == BillStatus.POSTED and new.energy_wh == 450_000
    assert response.status_code == 302 and response.url == "/bills/held/"
    assert reports.receivables_difference() == 0 and reports.trial_balance().balanced


def test_a_rebill_that_fails_leaves_the_bill_as_it_was(client_as, held):
    RegisterRead.objects.filter(read_on=date(2026, 11, 1)).delete()  # nothing to rebill from

    response = client_as("billing").post(
        f"/bills/{held.pk}/cancel/", {"reason": "bad read", "rebill": "on"}
    )

    assert response.status_code == 200
    assert "could not rebill" in str(response.context["cancel_form"].non_field_errors())
    held.refresh_from_db()
    assert held.status == BillStatus.HELD and held.cancel_reason == ""


def test_cancel_without_rebill(client_as, held):
    client_as("billing").post(f"/bills/{held.pk}/cancel/", {"reason": "account closed in error"})

    held.refresh_from_db()
    assert held.status == BillStatus.CANCELLED
    assert not Bill.objects.filter(replaces=held).exists()


def test_the_account_page_says_why_a_bill_is_held_and_links_to_its_review(
    client_as,
    held,
):
    html = client_as("read_only").get(f"/accounts/{held.account.number}/").text
    bills = html.split('id="bills"')[1].split("</section>")[0]

    assert "Held for review" in bills
    assert "No use on a metered service" in bills
    assert f'href="/bills/{held.pk}/"' in bills


def test_an_unknown_bill_is_a_404_page(client_as):
    assert client_as("read_only").get("/bills/999999/").status_code == 404
