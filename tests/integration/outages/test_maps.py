"""The outage maps' figures: the staff map's outages with positions, the public map's
counts by feeder and area, without any member data, cached and throttled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from coopcis.apps.outages import intake, predictor
from coopcis.apps.outages.models import (
    LifeSupportCertificate,
    Outage,
    OutageReport,
    ReportSource,
)
from coopcis.apps.portal import outage_map
from coopcis.apps.premises.models import ServicePoint
from tests.factories import AccountFactory, PartyFactory, ServiceAgreementFactory
from tests.integration.backoffice.factories import staff_user
from tests.integration.outages.small_network import build_network, position

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def report(code: str) -> None:
    OutageReport.objects.create(
        service_point=ServicePoint.objects.get(code=code),
        source=ReportSource.AMI,
        event_at=timezone.now() - timedelta(minutes=1),
        message_id=f"msg-{code}",
    )


@pytest.fixture
def storm(tmp_path):
    """R1's two service points out (a recloser outage), and SP-M alone (one service)."""
    build_network(tmp_path)
    holder = AccountFactory(
        number="7712001", party=PartyFactory(first_name="Celestina", last_name="Montoya")
    )
    ServiceAgreementFactory(account=holder, service_point=ServicePoint.objects.get(code="SP-A"))
    today = timezone.localdate()
    LifeSupportCertificate.objects.create(
        account=holder,
        equipment="oxygen concentrator",
        certified_by="Dr. Ruiz",
        received_on=today - timedelta(days=10),
        expires_on=today + timedelta(days=100),
    )
    for code in ("SP-A", "SP-B", "SP-M"):
        report(code)
    predictor.run_pass()


def test_staff_map_places_outages_devices_and_service_points(storm):
    client = Client()
    client.force_login(staff_user("read_only", username="ro"))

    figures = client.get("/outages/map.json").json()

    by_device = {o["device"]: o for o in figures["outages"]}
    assert list(by_device) == ["R1", "SP-M"]  # restoration order: lines, then services
    recloser = by_device["R1"]
    assert (recloser["kind"], recloser["tier"], recloser["affected"]) == ("recloser", "Lines", 2)
    assert (recloser["life_support"], by_device["SP-M"]["life_support"]) == (1, 0)
    assert (recloser["lat"], recloser["lon"]) == (32.945, -105.725)  # the GIS's position
    expected = sorted([float(c) for c in position(code)] + [1] for code in ("SP-A", "SP-B"))
    assert sorted(recloser["points"]) == expected
    single = by_device["SP-M"]
    assert single["tier"] == "Single services"
    assert (single["lat"], single["lon"]) == tuple(float(c) for c in position("SP-M"))
    assert (figures["members_affected"], figures["life_support_households"]) == (3, 1)
    assert {s["name"] for s in figures["substations"]} == {"Cloudcroft", "Mayhill"}


def test_public_map_counts_by_feeder_and_area_only(storm):
    anonymous = Client()

    answer = anonymous.get("/portal/outage-map/data.json")

    assert answer.status_code == 200
    assert answer["Cache-Control"] == f"public, max-age={outage_map.CACHE_SECONDS}"
    figures = answer.json()
    assert (figures["members_served"], figures["members_out"], figures["outages"]) == (14, 3, 2)
    assert figures["feeders"] == [
        {
            "feeder": "MAY-1",
            "area": "Mayhill",
            "lat": 32.88,
            "lon": -105.47,
            "members_served": 2,
            "members_out": 1,
            "outages": 1,
        },
        {
            "feeder": "SUB-1",
            "area": "Cloudcroft",
            "lat": 32.95,
            "lon": -105.73,
            "members_served": 12,
            "members_out": 2,
            "outages": 1,
        },
    ]
    assert figures["areas"] == [
        {"area": "Cloudcroft", "members_served": 12, "members_out": 2, "feeders_out": 1},
        {"area": "Mayhill", "members_served": 2, "members_out": 1, "feeders_out": 1},
    ]
    # no member data: no service point, premises position, address, account or name
    text = answer.content.decode()
    leaks = ["SP-", "Vigil", "7712001", "Celestina", "Montoya", "M-SP", "R1", "T1"]
    leaks += [f"{float(c)}" for code in ("SP-A", "SP-B", "SP-M") for c in position(code)]
    assert [leak for leak in leaks if leak in text] == []


def test_public_map_page_is_in_spanish_and_needs_no_sign_in(storm):
    page = Client().get("/portal/outage-map/", headers={"Accept-Language": "es"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Mapa de apagones" in text and "Por zona" in text
    assert "outages/outage_map.js" in text


def test_public_figures_are_cached_and_one_address_is_throttled(storm, monkeypatch):
    anonymous = Client()
    first = anonymous.get("/portal/outage-map/data.json").json()
    assert first["members_out"] == 3
    single = Outage.objects.get(device_code="SP-M")
    intake.restore(single, cause="animal", restored_at=timezone.now())
    # within the cache's seconds the same figures are served
    assert anonymous.get("/portal/outage-map/data.json").json() == first
    cache.delete(outage_map.FIGURES_KEY)
    assert anonymous.get("/portal/outage-map/data.json").json()["members_out"] == 2

    monkeypatch.setattr(outage_map, "PER_ADDRESS_PER_MINUTE", 4)
    answers = [anonymous.get("/portal/outage-map/data.json") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 429, 429]  # 3 asked already
    assert answers[-1]["Retry-After"] == "60"
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.get("/portal/outage-map/data.json").status_code == 200
