"""Staff take a net-metering application on the account page and carry it to in service
(SEC policy 425): a battery refused on the form with the policy cited and nothing stored;
the fee charged on approval ($50.00 + $1.00 x 51 started kW above 100 kW = $101.00 for
150.2 kW); a study billed at cost; the net meter installed; another application refused."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.test import Client

from coopcis.apps.ledger.integrity import verify_ledger
from coopcis.apps.metering.models import MeterInstallation
from coopcis.apps.netmetering.models import Interconnection
from coopcis.apps.receivables.models import ReceivableItem
from tests.factories import (
    AccountFactory,
    MeterFactory,
    MeterInstallationFactory,
    ServiceAgreementFactory,
    ServicePointFactory,
)
from tests.integration.backoffice.factories import staff_user

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)


@pytest.fixture
def home(freeze_today):
    freeze_today(DAY)
    account = AccountFactory(number="1000500")
    point = ServicePointFactory(code="SP-NM1")
    ServiceAgreementFactory(account=account, service_point=point, start_on=date(2024, 1, 1))
    MeterInstallationFactory(
        meter=MeterFactory(serial="OLD-1"), service_point=point, installed_on=date(2024, 1, 1)
    )
    return account


def signed_in(role: str) -> Client:
    client = Client()
    client.force_login(staff_user(role))
    return client


def card(client: Client, number: str) -> str:
    html = client.get(f"/accounts/{number}/").text
    start = html.index('id="net-metering"')
    return " ".join(re.sub(r"<[^>]+>", " ", html[start : html.index("</section>", start)]).split())


def test_an_application_from_the_card_to_in_service(home):
    clerk, engineer = signed_in("customer_service"), signed_in("billing")
    # an account with no net metering shows the link to apply to those who take them
    assert "Apply for net metering" in card(clerk, home.number)
    assert 'id="net-metering"' not in signed_in("read_only").get(f"/accounts/{home.number}/").text
    url = f"/accounts/{home.number}/interconnections/new/"
    form = {"service_point": "SP-NM1", "system_type": "BATTERY", "ac_kw": "150.2"}
    refused = clerk.post(url, form)
    assert refused.status_code == 400
    assert "battery systems may not be connected behind the net meter (SEC policy 425" in (
        refused.text
    )
    assert not Interconnection.objects.exists()
    assert clerk.post(url, form | {"ac_kw": "1.5e2"}).status_code == 400  # no exponents

    made = clerk.post(url, form | {"system_type": "SOLAR"})
    assert made.status_code == 302 and made.url.endswith("#net-metering")
    ic = Interconnection.objects.get()
    assert (ic.status, ic.ac_kw, ic.submitted_on) == ("SUBMITTED", D("150.200"), DAY)
    assert (
        f'data-testid="approve-interconnection-{ic.pk}"'
        not in clerk.get(f"/accounts/{home.number}/").text
    )  # approving is not the counter's

    engineer.post(f"/interconnections/{ic.pk}/approve/")
    ic.refresh_from_db()
    assert (ic.status, ic.fee_amount) == ("APPROVED", D("101.00"))
    engineer.post(
        f"/interconnections/{ic.pk}/charge/",
        {"kind": "STUDY", "amount": "1,250.00", "description": "energy flow study"},
    )
    fees = sorted(ReceivableItem.objects.values_list("fee_code", "amount"))
    assert fees == [
        ("net_metering_application", D("101.00")),
        ("net_metering_study", D("1250.00")),
    ]
    # a serial missing: said in the messages, nothing changed
    page = engineer.post(
        f"/interconnections/{ic.pk}/in-service/", {"net_meter": "NM-77"}, follow=True
    )
    assert "REC meter serial: This field is required." in page.text
    ic.refresh_from_db()
    assert ic.status == "APPROVED"
    engineer.post(
        f"/interconnections/{ic.pk}/in-service/", {"net_meter": "NM-77", "rec_meter": "REC-9"}
    )
    ic.refresh_from_db()
    assert (ic.status, ic.in_service_on, ic.rec_meter_serial) == ("IN_SERVICE", DAY, "REC-9")
    installed = MeterInstallation.objects.filter(service_point__code="SP-NM1", removed_on=None)
    assert [(i.meter.serial, i.meter.kind) for i in installed] == [("NM-77", "NET_METER")]
    shown = card(engineer, home.number)
    assert "In service" in shown and "NM-77" in shown and "REC-9" in shown
    assert "energy flow study $1,250.00" in shown
    assert verify_ledger().problems == []


def test_an_application_is_refused_with_its_reason(home):
    clerk, engineer = signed_in("customer_service"), signed_in("billing")
    clerk.post(
        f"/accounts/{home.number}/interconnections/new/",
        {"service_point": "SP-NM1", "system_type": "WIND", "ac_kw": "10"},
    )
    ic = Interconnection.objects.get()
    page = engineer.post(f"/interconnections/{ic.pk}/close/", {"how": "refuse"}, follow=True)
    assert "Why: This field is required." in page.text
    engineer.post(
        f"/interconnections/{ic.pk}/close/", {"how": "refuse", "reason": "feeder at capacity"}
    )
    ic.refresh_from_db()
    assert (ic.status, ic.reason, ic.closed_on) == ("REFUSED", "feeder at capacity", DAY)
    # approving a refused one is refused in the messages
    page = engineer.post(f"/interconnections/{ic.pk}/approve/", follow=True)
    assert f"Interconnection {ic.pk}: interconnection {ic.pk} is refused, not submitted" in (
        page.text
    )
    assert not ReceivableItem.objects.exists()
