"""``coopcis net-metering`` from application to in service (SEC policy 425)."""

import json
from datetime import date
from decimal import Decimal as D

import pytest

from coopcis.apps.ledger.integrity import verify_ledger
from coopcis.apps.metering.models import MeterInstallation
from coopcis.apps.netmetering.models import AvoidedCostRate, Interconnection
from coopcis.apps.receivables.models import ReceivableItem
from tests.factories import (
    AccountFactory,
    MeterFactory,
    MeterInstallationFactory,
    ServiceAgreementFactory,
    ServicePointFactory,
)
from tests.integration.jobs import coopcis

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    account = AccountFactory(number="1000500")
    point = ServicePointFactory(code="SP-NM1")
    ServiceAgreementFactory(account=account, service_point=point, start_on=date(2024, 1, 1))
    MeterInstallationFactory(
        meter=MeterFactory(serial="OLD-1"), service_point=point, installed_on=date(2024, 1, 1)
    )
    return account


def apply(capsys, system="solar", kw="150"):
    return coopcis(
        capsys,
        "net-metering",
        "apply",
        "1000500",
        "--service-point",
        "SP-NM1",
        "--system",
        system,
        "--ac-kw",
        kw,
        "--on",
        "2026-03-02",
    )


@pytest.mark.parametrize("system", ["battery", "generator"])
def test_batteries_and_generators_are_refused_citing_the_policy(capsys, home, system):
    code, _, err = apply(capsys, system)
    assert code == 1 and "policy 425" in err and len(err.strip().splitlines()) == 1
    assert not Interconnection.objects.exists()


def test_from_application_to_in_service(capsys, home, freeze_today):
    freeze_today(date(2026, 4, 10))
    code, out, err = apply(capsys)
    assert (code, err) == (0, "")
    ic = Interconnection.objects.get()
    assert ic.status == "SUBMITTED" and "solar 150 kW AC, submitted" in out

    # 150 kW: $50.00 + 50 kW above 100 x $1.00 = $100.00, charged on approval
    code, out, _ = coopcis(capsys, "net-metering", "approve", ic.pk, "--on", "2026-03-20")
    assert code == 0 and "fee $100.00" in out
    fee = ReceivableItem.objects.get(account=home, fee_code="net_metering_application")
    assert fee.amount == D("100.00") and fee.posted_on == date(2026, 3, 20)

    code, _, _ = coopcis(
        capsys,
        "net-metering",
        "charge",
        ic.pk,
        "--kind",
        "study",
        "--amount",
        "1250.00",
        "--on",
        "2026-03-25",
        "--description",
        "energy flow study",
    )
    assert code == 0
    assert ReceivableItem.objects.get(fee_code="net_metering_study").amount == D("1250.00")

    code, out, err = coopcis(
        capsys,
        "net-metering",
        "in-service",
        ic.pk,
        "--on",
        "2026-04-01",
        "--net-meter",
        "NM-900",
        "--rec-meter",
        "REC-77",
    )
    assert (code, err) == (0, ""), err
    ic.refresh_from_db()
    assert (ic.status, ic.in_service_on, ic.rec_meter_serial) == (
        "IN_SERVICE",
        date(2026, 4, 1),
        "REC-77",
    )
    installed = MeterInstallation.objects.get(service_point__code="SP-NM1", removed_on=None)
    assert installed.meter.serial == "NM-900" and installed.meter.kind == "NET_METER"
    assert MeterInstallation.objects.get(meter__serial="OLD-1").removed_on == date(2026, 4, 1)

    code, out, _ = coopcis(capsys, "net-metering", "list", "--json")
    assert json.loads(out)[0] | {"id": 0} == {
        "id": 0,
        "account": "1000500",
        "service_point": "SP-NM1",
        "system_type": "SOLAR",
        "ac_kw": "150.000",
        "status": "IN_SERVICE",
        "fee": "100.00",
    }
    assert verify_ledger().problems == []


def test_a_second_open_application_and_a_closed_one(capsys, home):
    assert apply(capsys, kw="7.5")[0] == 0
    code, _, err = apply(capsys, system="wind", kw="5")
    assert code == 1 and "already has an open interconnection" in err
    ic = Interconnection.objects.get()
    code, out, _ = coopcis(
        capsys, "net-metering", "withdraw", ic.pk, "--reason", "moving", "--on", "2026-03-05"
    )
    assert code == 0 and "withdrawn" in out
    code, _, err = coopcis(capsys, "net-metering", "approve", ic.pk, "--on", "2026-03-06")
    assert code == 1 and "withdrawn, not submitted" in err


def test_a_commands_changes_need_an_operator(capsys, home, monkeypatch):
    monkeypatch.delenv("COOPCIS_OPERATOR")
    code, _, err = apply(capsys)
    assert code != 0 and "operator" in err.lower()


def test_avoided_cost_table(capsys):
    code, _, _ = coopcis(
        capsys,
        "net-metering",
        "avoided-cost",
        "--from",
        "2026-01-01",
        "--rate",
        "0.0285",
        "--source",
        "PRC filing 2026",
    )
    assert code == 0 and AvoidedCostRate.objects.get().rate_per_kwh == D("0.0285")
    code, _, err = coopcis(
        capsys,
        "net-metering",
        "avoided-cost",
        "--from",
        "2026-02-01",
        "--rate",
        "1e-2",
        "--source",
        "x",
    )
    assert code == 2 and "rate" in err and len(err.strip().splitlines()) == 1
