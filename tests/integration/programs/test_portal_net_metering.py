"""The member's net metering in the portal: the interconnection, the credit bank bill by
bill with the payout threshold, the REC agreement with its reads, and a REC read entered
through the staff's service (a lower one refused with the rule, nothing recorded)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.test import Client

from coopcis.apps.billing.run import run_billing
from coopcis.apps.netmetering.models import Interconnection, RecAgreement, RecRead
from tests.factories import AccountFactory
from tests.integration.netmetering.net_coop import billing_setup, net_member, reads
from tests.integration.portal.factories import member as member_sign_in

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def solar(freeze_today):
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
    run_billing(period_label="2026-09", today=date(2026, 9, 20))
    freeze_today(date(2026, 10, 3))
    client = Client()
    client.force_login(member_sign_in("sol@example.org", account))
    return client, account


def test_the_page_shows_the_system_the_bank_and_the_reads(solar):
    client, account = solar
    page = text(client.get(f"/portal/accounts/{account.number}/net-metering/").content.decode())
    assert "Solar, 7.6 kW AC" in page and "In service since 2024-02-01" in page
    # delivered 400 kWh, received 1,400: 1,000 kWh excess at $0.03 = $30.00, kept in the
    # bank (not greater than the profile's $50.00, so nothing paid)
    assert "2026-09 1,000 $30.00 — $30.00" in page
    assert "Balance: $30.00. Credited in all: $30.00; paid to you: $0.00." in page
    assert "When the bank is greater than $50.00" in page
    assert "2026-05-01 2026-05-04 4,010" in page
    assert "Opening REC meter read: 10 kWh" in page
    assert (
        '<label for="id_register_kwh">'
        in client.get(f"/portal/accounts/{account.number}/net-metering/").content.decode()
    )


def test_a_read_is_recorded_and_a_lower_one_refused_with_the_rule(solar):
    client, account = solar
    url = f"/portal/accounts/{account.number}/net-metering/"
    lower = client.post(url, {"read_on": "2026-10-01", "register_kwh": "4000"})
    assert lower.status_code == 400
    assert "is lower than the latest one (4010.000 kWh on 2026-05-01)" in lower.content.decode()
    assert RecRead.objects.count() == 1

    done = client.post(url, {"read_on": "2026-10-01", "register_kwh": "4525.5"})
    assert done.status_code == 302
    read = RecRead.objects.get(read_on=date(2026, 10, 1))
    assert read.register_kwh == D("4525.5") and read.received_on == date(2026, 10, 3)
    assert read.entered_by == "portal:sol@example.org"
    assert "2026-10-01 2026-10-03 4,525.5" in text(client.get(done.url).content.decode())


def test_an_account_without_net_metering_says_so_and_has_no_form():
    account = AccountFactory()
    client = Client()
    client.force_login(member_sign_in("ana@example.org", account))
    url = f"/portal/accounts/{account.number}/net-metering/"
    page = text(client.get(url).content.decode())
    assert "This account has no interconnection." in page and "Enter a REC read" not in page
    assert client.post(url, {"read_on": "2026-10-01", "register_kwh": "1"}).status_code == 200


def test_another_members_account_is_404(solar):
    other = AccountFactory()
    client = Client()
    client.force_login(member_sign_in("ana@example.org", other))
    url = f"/portal/accounts/{solar[1].number}/net-metering/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"read_on": "2026-10-01", "register_kwh": "5000"}).status_code == 404
    assert RecRead.objects.count() == 1


def test_the_page_in_spanish(solar):
    client, account = solar
    account.language = "ES"
    account.save(update_fields=["language"])
    page = text(client.get(f"/portal/accounts/{account.number}/net-metering/").content.decode())
    assert "Medición neta de la cuenta" in page and "Solar, 7.6 kW CA" in page
    assert "Saldo: $30.00." in page
