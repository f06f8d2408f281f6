"""The account page's net-metering card: interconnection, credit bank, months, REC agreement."""

import re
from datetime import date
from decimal import Decimal as D

import pytest

from coopcis.apps.billing.run import run_billing
from coopcis.apps.netmetering.models import Interconnection, RecAgreement, RecPayment, RecRead
from tests.integration.backoffice.conftest import account_card
from tests.integration.netmetering.net_coop import billing_setup, net_member, reads

pytestmark = pytest.mark.django_db


@pytest.fixture
def net_home():
    billing_setup("2026-09")
    account, point, meter = net_member()
    reads(meter, "DELIVERED", (date(2026, 8, 1), 10_000), (date(2026, 9, 1), 10_400))
    reads(meter, "RECEIVED", (date(2026, 8, 1), 2_000), (date(2026, 9, 1), 3_400))
    ic = Interconnection.objects.create(
        account=account,
        service_point=point,
        system_type="SOLAR",
        ac_kw=D("7.6"),
        status="IN_SERVICE",
        submitted_on=date(2024, 1, 2),
        approved_on=date(2024, 1, 10),
        in_service_on=date(2024, 2, 1),
        fee_amount=D("50.00"),
        net_meter=meter,
        rec_meter_serial="REC-55",
    )
    agreement = RecAgreement.objects.create(
        account=account, interconnection=ic, signed_on=date(2024, 2, 1), opening_kwh=D("10")
    )
    RecRead.objects.create(
        agreement=agreement,
        read_on=date(2026, 5, 1),
        received_on=date(2026, 5, 4),
        register_kwh=D("4010"),
    )
    RecPayment.objects.create(
        agreement=agreement,
        month="2026-05",
        paid_on=date(2026, 5, 15),
        from_kwh=D("10"),
        to_kwh=D("4010"),
        rate_per_kwh=D("0.0125"),
        amount=D("50.00"),
    )
    run_billing(period_label="2026-09", today=date(2026, 9, 20))
    return account


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_card_shows_the_interconnection_bank_and_recs(client_as, net_home):
    card = text(account_card(client_as("read_only"), net_home, "net-metering"))
    assert "Solar, 7.6 kW AC" in card and "In service" in card and "REC-55" in card
    # 400 - 1,400 = -1,000 kWh at $0.03 = $30.00 credited and carried (not above $50.00)
    assert "Credit bank: $30.00" in card
    assert "2026-09 400 1,400 -1,000 1,000 0.03 $30.00 — $30.00" in card
    assert "May 1, 2026 May 4, 2026 4,010" in card
    assert "May 15, 2026 10 to 4,010 0.0125 $50.00" in card


def test_an_account_without_net_metering_has_no_card(client_as, maria):
    html = client_as("read_only").get(f"/accounts/{maria.account.number}/").text
    assert 'id="net-metering"' not in html


def test_the_card_costs_a_fixed_number_of_queries(
    client_as, net_home, django_assert_max_num_queries
):
    from tests.integration.backoffice.test_account_page import ACCOUNT_PAGE_QUERIES

    clerk = client_as("read_only")
    # the card's own: whether there is anything, interconnections and their costs, months,
    # REC agreements, reads and payments; however long the history
    with django_assert_max_num_queries(ACCOUNT_PAGE_QUERIES + 7):
        response = clerk.get(f"/accounts/{net_home.number}/")
    assert response.status_code == 200
