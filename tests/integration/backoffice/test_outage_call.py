"""Taking an outage call: the back office's account search, the service point, the report
through the outages intake (source STAFF); planned work and life support said on the page
(tests/integration/outages/nested_network.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from coopcis.apps.audit.models import MemberDataRead
from coopcis.apps.outages.life_support import record_certificate
from coopcis.apps.outages.models import OutageReport, PlannedOutage, ReportSource
from tests.integration.backoffice.factories import staff_user
from tests.integration.outages.nested_network import build, number_of

pytestmark = pytest.mark.django_db


def test_search_pick_and_record_the_call(tmp_path):
    accounts = build(tmp_path)
    account = accounts["E"]
    today = timezone.localdate()
    record_certificate(
        account=account,
        equipment="oxygen",
        certified_by="Dr. E",
        received_on=today,
        expires_on=today + timedelta(days=10),
        today=today,
    )
    client = Client()
    client.force_login(staff_user("customer_service", username="cs"))
    found = client.get("/calls/outage/", {"q": "MemberE"}).content.decode()
    assert f'href="?account={account.number}"' in found
    page = client.get("/calls/outage/", {"account": account.number}).content.decode()
    assert "Life-support equipment on record" in page and "no promise of priority" in page
    assert MemberDataRead.objects.filter(account_number=account.number, kind="OUTAGE").exists()

    response = client.post(
        f"/calls/outage/?account={account.number}",
        {"service_point": "SP-E", "note": "tree on the line"},
        follow=True,
    )
    report = OutageReport.objects.get()
    assert (report.source, report.service_point.code, report.account, report.note) == (
        ReportSource.STAFF,
        "SP-E",
        account,
        "tree on the line",
    )
    assert f"Report {report.pk} recorded for SP-E" in response.content.decode()

    PlannedOutage.objects.create(
        device_code="T2",
        start_at=timezone.now() - timedelta(minutes=1),
        end_at=timezone.now() + timedelta(hours=1),
        reason="pole replacement",
        entered_by="ops",
    )
    planned = client.post(
        f"/calls/outage/?account={number_of('C')}", {"service_point": "SP-C"}, follow=True
    ).content.decode()
    assert "planned work (pole replacement) covers it" in planned
    # a service point of another account is not a choice
    bad = client.post(f"/calls/outage/?account={number_of('C')}", {"service_point": "SP-E"})
    assert bad.status_code == 400 and OutageReport.objects.count() == 2


def test_only_staff_who_take_calls_may(tmp_path):
    client = Client()
    client.force_login(staff_user("billing", username="bill"))
    assert client.get("/calls/outage/").status_code == 403


def test_a_caller_still_out_after_the_restoration_reopens_their_outage(tmp_path):
    from coopcis.apps.outages import restoration
    from coopcis.apps.outages.models import Outage, OutageStatus, ReportKind

    build(tmp_path)
    started = timezone.now() - timedelta(hours=2)
    single = Outage.objects.create(
        device_code="SP-D",
        device_kind="service_point",
        started_at=started,
        predicted_at=started,
        affected=1,
    )
    restoration.restore(single, cause="service_drop", restored_at=started + timedelta(hours=1))
    client = Client()
    client.force_login(staff_user("customer_service", username="cs"))
    page = client.post(
        f"/calls/outage/?account={number_of('D')}",
        {"service_point": "SP-D", "still_out": "on"},
        follow=True,
    ).content.decode()
    single.refresh_from_db()
    assert single.status == OutageStatus.OPEN
    assert f"still out, outage {single.pk} open" in page
    assert OutageReport.objects.get().kind == ReportKind.STILL_OUT
