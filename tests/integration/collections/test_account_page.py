"""Staff see the account's collection status, next step and date, every notice, and deposits."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from coopcis.apps.collections.services import open_dispute
from coopcis.apps.credit.services import set_interest_rate, take_deposit
from tests.integration.backoffice.factories import staff_user
from tests.integration.collections.conftest import run_days

pytestmark = pytest.mark.django_db


def section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def test_the_account_page_shows_collections_and_deposits(billed, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    home = billed.home
    set_interest_rate(effective_on=date(2020, 1, 1), annual_rate=Decimal("0.02"), source="test")
    take_deposit(account=home, amount=Decimal("150.00"), on=date(2026, 3, 2))
    run_days(date(2026, 10, 30), date(2026, 11, 12))
    open_dispute(
        account=home,
        amount=Decimal("40.00"),
        opened_on=date(2026, 11, 13),
        description="estimated read",
    )
    run_days(date(2026, 11, 13), date(2026, 11, 13))
    client = Client()
    client.force_login(staff_user("read_only"))
    html = client.get(f"/accounts/{home.number}/").text
    collections = section(html, "collections")
    assert "Disconnection notice sent" in collections and "past due $183.89" in collections
    assert "disconnection date 2026-11-30" in collections
    assert "Next step: PAUSED 2026-11-13" in collections
    assert (
        "DISPUTE_UNDER_INVESTIGATION — $40.00 disputed since 2026-11-13: estimated read"
        in collections
    )
    assert "2026-10-31</td><td>Second notice" in collections
    assert "15-day disconnection notice" in collections
    assert "<td>English and Spanish</td>" in collections  # the languages by name
    deposits = section(html, "deposits")
    assert (
        "$150.00" in deposits
        and "held from 2026-03-02" in deposits
        and "next review 2027-03-02" in deposits
    )
