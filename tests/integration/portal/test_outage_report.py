"""Report an outage from the portal: the member's own service points only, the same intake
as the API (source PORTAL), a planned outage said at once, "my power is still out" after a
restoration, the life-support words, in English and Spanish
(tests/integration/outages/nested_network.py: SP-C is on T2, SP-A under F1 and R1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from coopcis.apps.outages import restoration
from coopcis.apps.outages.life_support import record_certificate
from coopcis.apps.outages.models import (
    Outage,
    OutageReport,
    OutageStatus,
    PlannedOutage,
    ReportKind,
    ReportSource,
)
from tests.integration.outages.nested_network import build
from tests.integration.portal.factories import member

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_member_reports_their_own_service_point_and_hears_of_planned_work(tmp_path):
    accounts = build(tmp_path)
    account = accounts["C"]
    client = signed_in(member("ana@example.org", account))
    url = f"/portal/accounts/{account.number}/outage/"
    page = client.get(url).content.decode()
    assert "No outage known." in page and "This is no promise of priority restoration." in page
    response = client.post(url, {"part": "out", "service_point": "SP-C", "note": "loud bang"})
    assert response.status_code == 302
    report = OutageReport.objects.get()
    assert (report.source, report.kind, report.account, report.note) == (
        ReportSource.PORTAL,
        ReportKind.OUT,
        account,
        "loud bang",
    )
    # another member's service point is not a choice on this page
    refused = client.post(url, {"part": "out", "service_point": "SP-D"})
    assert refused.status_code == 400 and OutageReport.objects.count() == 1

    now = timezone.now()
    PlannedOutage.objects.create(
        device_code="T2",
        start_at=now - timedelta(minutes=5),
        end_at=now + timedelta(hours=2),
        reason="transformer change",
        entered_by="ops",
    )
    assert "Planned work on the line serving this address" in client.get(url).content.decode()
    followed = client.post(url, {"part": "out", "service_point": "SP-C"}, follow=True)
    assert "Planned work on the line serving this address, until" in followed.content.decode()
    assert OutageReport.objects.latest("pk").planned is not None


def test_still_out_after_the_restored_message_reopens_from_the_portal(tmp_path):
    accounts = build(tmp_path, language="ES")
    account = accounts["C"]
    started = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    single = Outage.objects.create(
        device_code="SP-C",
        device_kind="service_point",
        started_at=started,
        predicted_at=started,
        affected=1,
    )
    restoration.restore(single, cause="service_drop", restored_at=started + timedelta(hours=1))
    client = signed_in(member("ana@example.org", account))
    url = f"/portal/accounts/{account.number}/outage/"
    page = client.get(url, headers={"accept-language": "es"}).content.decode()
    assert "Sigo sin luz" in page
    assert "Esto no es una promesa de restablecimiento prioritario." in page
    response = client.post(url, {"part": "still_out", "service_point": "SP-C"}, follow=True)
    assert "Reabrimos el apagón en esta dirección" in response.content.decode()
    single.refresh_from_db()
    assert single.status == OutageStatus.OPEN
    assert OutageReport.objects.get().kind == ReportKind.STILL_OUT
    # someone else's service point is ignored
    client.post(url, {"part": "still_out", "service_point": "SP-D"})
    assert OutageReport.objects.count() == 1


def test_the_life_support_flag_is_shown_with_no_promise(tmp_path):
    accounts = build(tmp_path)
    account = accounts["A"]
    today = timezone.localdate()
    record_certificate(
        account=account,
        equipment="ventilator",
        certified_by="Dr. V",
        received_on=today,
        expires_on=today + timedelta(days=60),
        today=today,
    )
    page = signed_in(member("ana@example.org", account)).get(
        f"/portal/accounts/{account.number}/outage/"
    )
    text = page.content.decode()
    assert "Our records show life-support equipment at your home (ventilator)" in text
    assert "This is no promise of priority restoration." in text
