"""Outage reports through the API (AMI meters, the phone system), predicted, restored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from coopcis.apps.outages import intake
from coopcis.apps.outages.models import (
    Interruption,
    Outage,
    OutageReport,
    OutageStatus,
    PlannedOutage,
    ReportKind,
    ReportSource,
)
from coopcis.apps.payments.keys import create_api_key
from coopcis.apps.premises.models import ServicePoint
from tests.factories import (
    AccountFactory,
    MeterInstallationFactory,
    ServiceAgreementFactory,
    ServicePointFactory,
)

pytestmark = pytest.mark.django_db

AMI_KEY = "ami-test-key-0123456789"
# R1 > F1 > T1 serves SP-A and SP-B; T2 on the feeder serves SP-C .. SP-L (10).
GIS = (
    "device_id,kind,parent_id\n"
    "TX,source,\n"
    "SUB,substation,TX\n"
    "SUB-1,feeder,SUB\n"
    "R1,recloser,SUB-1\n"
    "F1,fuse,R1\n"
    "T1,transformer,F1\n"
    "T2,transformer,SUB-1\n"
)


@pytest.fixture
def network(tmp_path):
    from django.core.management import call_command

    for code in ("SP-A", "SP-B"):
        MeterInstallationFactory(
            meter__serial=f"M-{code}",
            service_point=ServicePointFactory(code=code, transformer="T1"),
        )
    for letter in "CDEFGHIJKL":
        MeterInstallationFactory(
            meter__serial=f"M-SP-{letter}",
            service_point=ServicePointFactory(code=f"SP-{letter}", transformer="T2"),
        )
    path = tmp_path / "gis.csv"
    path.write_text(GIS, encoding="utf-8")
    call_command("outages", "network", "import", str(path))


def ami(client: Client, body: dict, key: str = AMI_KEY):
    return client.post(
        "/api/v1/outages/ami",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


@override_settings(COOPCIS_AMI_KEY=AMI_KEY)
def test_last_gasps_predict_the_recloser_once_each_and_restoration_records_it(network):
    client = Client()
    at = timezone.now() - timedelta(minutes=2)
    first = ami(
        client, {"message_id": "m1", "meter": "M-SP-A", "event": "last_gasp", "at": at.isoformat()}
    )
    assert first.status_code == 201 and first.json()["service_point"] == "SP-A"
    again = ami(
        client, {"message_id": "m1", "meter": "M-SP-A", "event": "last_gasp", "at": at.isoformat()}
    )
    assert again.status_code == 200 and again.json()["report"] == first.json()["report"]
    ami(client, {"message_id": "m2", "meter": "M-SP-B", "event": "last_gasp", "at": at.isoformat()})
    assert OutageReport.objects.count() == 2

    # 2 of 2 under R1 (recloser 30 %); SUB-1 has 2 of 12 (17 % < 30 %): R1 is the top.
    [outage] = intake.refresh_predictions(timezone.now())
    assert (outage.device_code, outage.device_kind, outage.affected, outage.reported) == (
        "R1",
        "recloser",
        2,
        2,
    )
    assert outage.started_at == at.replace(microsecond=at.microsecond)
    # a second refresh keeps the one outage
    intake.refresh_predictions(timezone.now())
    assert Outage.objects.count() == 1

    restored_at = timezone.now() - timedelta(seconds=30)
    intake.restore(outage, cause="tree", restored_at=restored_at)
    interruption = Interruption.objects.get()
    assert (interruption.customers_interrupted, interruption.device, interruption.cause) == (
        2,
        "R1",
        "tree",
    )
    assert interruption.end_at - interruption.start_at == restored_at - at

    # "my power is still out" after the restoration: a single-service outage for SP-A
    received = intake.receive_report(
        service_point=ServicePoint.objects.get(code="SP-A"),
        source=ReportSource.PORTAL,
        kind=ReportKind.STILL_OUT,
        event_at=timezone.now(),
    )
    single = received.report.outage
    assert single is not None and single.status == OutageStatus.OPEN
    assert (single.device_code, single.affected) == ("SP-A", 1)


@override_settings(COOPCIS_AMI_KEY=AMI_KEY)
def test_ami_refusals_name_the_field(network):
    client = Client()
    assert ami(client, {}, key="wrong").status_code == 401
    bad = ami(client, {"message_id": "m9", "meter": "NOPE", "event": "boom", "at": "noon"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"event", "at"}
    unknown = ami(
        client,
        {
            "message_id": "m9",
            "meter": "NOPE",
            "event": "last_gasp",
            "at": "2026-07-01T10:00:00-06:00",
        },
    )
    assert unknown.status_code == 400 and "meter" in unknown.json()["errors"]
    assert OutageReport.objects.count() == 0


def test_phone_reports_inside_a_planned_outage_are_kept_but_not_predicted(network):
    now = timezone.now()
    PlannedOutage.objects.create(
        device_code="T2",
        start_at=now - timedelta(hours=1),
        end_at=now + timedelta(hours=1),
        reason="transformer change",
        entered_by="ops",
    )
    key = create_api_key(channel="IVR", name="phone system").key
    client = Client()
    for letter in "CDEFGH":
        account = AccountFactory()
        ServiceAgreementFactory(
            account=account, service_point=ServicePoint.objects.get(code=f"SP-{letter}")
        )
        response = client.post(
            "/api/v1/outages/reports",
            data={"account": account.number},
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        )
        assert response.status_code == 201, response.content
        assert response.json()["suppressed_by_planned_outage"] is True
    assert OutageReport.objects.filter(source=ReportSource.PHONE).count() == 6
    assert intake.refresh_predictions(timezone.now()) == []
    assert not Outage.objects.exists()
    missing = client.post(
        "/api/v1/outages/reports",
        data={},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert missing.status_code == 400 and "account" in missing.json()["errors"]


def test_a_retried_phone_report_with_its_idempotency_key_is_kept_once(network):
    key = create_api_key(channel="IVR", name="phone system").key
    account = AccountFactory()
    ServiceAgreementFactory(account=account, service_point=ServicePoint.objects.get(code="SP-C"))
    client = Client()

    def send(idempotency_key: str):
        return client.post(
            "/api/v1/outages/reports",
            data={"account": account.number},
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idempotency_key},
        )

    first, retried = send("call-7781"), send("call-7781")
    assert (first.status_code, retried.status_code) == (201, 200)
    assert first.json()["report"] == retried.json()["report"]
    assert send("call-7782").status_code == 201  # a second call is a second report
    assert OutageReport.objects.filter(source=ReportSource.PHONE).count() == 2
    bad = send("x" * 65)
    assert bad.status_code == 400 and "Idempotency-Key" in bad.json()["errors"]
    assert OutageReport.objects.filter(source=ReportSource.PHONE).count() == 2
