"""The restoration queue page: the co-op's order, estimates, crews and restoration."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from coopcis.apps.outages.models import Interruption, Outage, OutageStatus
from coopcis.core.periods import CO_OP_TIME_ZONE
from tests.integration.backoffice.factories import staff_user

pytestmark = pytest.mark.django_db


def outage(code: str, kind: str, affected: int, minutes_ago: int) -> Outage:
    at = timezone.now() - timedelta(minutes=minutes_ago)
    return Outage.objects.create(
        device_code=code, device_kind=kind, started_at=at, predicted_at=at, affected=affected
    )


def test_queue_order_and_restoration():
    outage("SP-1", "service_point", 1, 90)
    outage("F-2", "fuse", 40, 10)
    outage("SUB-1", "feeder", 900, 5)
    sub = outage("SUB", "substation", 3000, 1)
    client = Client()
    client.force_login(staff_user("customer_service", username="cs"))
    page = client.get("/outages/").content.decode()
    devices = re.findall(r"<td>([A-Z0-9-]+) \((\w+)\)</td>", page)
    assert [d for d, _ in devices] == ["SUB", "SUB-1", "F-2", "SP-1"]
    assert "3941 members affected" in page
    assert f'<label for="id_o{sub.pk}-crew">Crew</label>' in page

    local = (timezone.now() + timedelta(hours=2)).astimezone(CO_OP_TIME_ZONE)
    client.post(
        f"/outages/{sub.pk}/estimate/",
        {
            f"o{sub.pk}-estimated_restoration_at": local.strftime("%Y-%m-%dT%H:%M"),
            f"o{sub.pk}-crew": "Line crew 3",
        },
    )
    sub.refresh_from_db()
    assert sub.crew == "Line crew 3"
    assert sub.estimated_restoration_at == local.replace(second=0, microsecond=0)

    restored = timezone.now().astimezone(CO_OP_TIME_ZONE).replace(second=0, microsecond=0)
    response = client.post(
        f"/outages/{sub.pk}/restore/",
        {
            f"r{sub.pk}-cause": "lightning",
            f"r{sub.pk}-restored_at": restored.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.status == OutageStatus.RESTORED
    interruption = Interruption.objects.get()
    assert (interruption.customers_interrupted, interruption.cause) == (3000, "lightning")
    assert interruption.end_at == restored


def test_a_bad_cause_is_refused_and_read_only_cannot_dispatch():
    fuse = outage("F-2", "fuse", 40, 10)
    client = Client()
    client.force_login(staff_user("customer_service", username="cs"))
    client.post(
        f"/outages/{fuse.pk}/restore/",
        {f"r{fuse.pk}-cause": "Big Tree!", f"r{fuse.pk}-restored_at": ""},
    )
    fuse.refresh_from_db()
    assert fuse.status == OutageStatus.OPEN and not Interruption.objects.exists()
    reader = Client()
    reader.force_login(staff_user("read_only", username="ro"))
    assert reader.post(f"/outages/{fuse.pk}/restore/", {}).status_code == 403
    assert "Save estimate" not in reader.get("/outages/").content.decode()
