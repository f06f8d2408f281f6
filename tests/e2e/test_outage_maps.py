"""The outage maps in headless Chromium: drawn from the hand-made network's coordinates
(no tiles, nothing from another site, nothing the Content-Security-Policy refuses), and
redrawn while open when the prediction pass finds a new outage or one is restored."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from coopcis.apps.outages import intake, predictor, views
from coopcis.apps.outages.models import Outage, OutageReport, ReportSource
from coopcis.apps.portal import outage_map
from coopcis.apps.premises.models import ServicePoint
from tests.integration.backoffice.factories import PASSWORD, staff_user
from tests.integration.outages.small_network import build_network

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def report(code: str) -> None:
    OutageReport.objects.create(
        service_point=ServicePoint.objects.get(code=code),
        source=ReportSource.AMI,
        event_at=timezone.now() - timedelta(minutes=1),
        message_id=f"msg-{code}",
    )


@pytest.fixture
def watched(page, live_server):
    """Every request the page makes, and every policy refusal it reports."""
    seen: dict[str, list[str]] = {"hosts": [], "refusals": []}
    page.on("request", lambda request: seen["hosts"].append(urlsplit(request.url).netloc))
    page.on(
        "console",
        lambda message: (
            seen["refusals"].append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield seen
    assert set(seen["hosts"]) == {urlsplit(live_server.url).netloc}
    assert seen["refusals"] == []


@pytest.fixture(autouse=True)
def quick_refresh(monkeypatch):
    monkeypatch.setattr(views, "MAP_REFRESH_SECONDS", 1)
    monkeypatch.setattr(outage_map, "REFRESH_SECONDS", 1)
    monkeypatch.setattr(outage_map, "CACHE_SECONDS", 0)
    cache.clear()


def test_staff_map_draws_outages_and_follows_the_predictions(page, watched, tmp_path):
    build_network(tmp_path)
    for code in ("SP-A", "SP-B"):
        report(code)
    predictor.run_pass()
    staff_user("read_only", username="rosa")
    page.goto("/outages/map/")
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/outages/map/$"))

    recloser = page.locator("#outage-map g.outage")
    expect(recloser).to_have_count(1)
    expect(recloser.locator("circle.sp.reported")).to_have_count(2)
    expect(recloser.locator("circle.device")).to_have_count(1)
    expect(page.locator("#outage-map rect.substation")).to_have_count(2)
    expect(page.locator("#map-outages tbody tr")).to_have_count(1)
    expect(page.locator("#map-outages tbody tr").first).to_contain_text("R1 (recloser)")
    expect(page.locator("#map-members")).to_have_text("2")
    # the points sit inside the drawing
    box = page.locator("#outage-map circle.sp").first.bounding_box()
    frame = page.locator("#outage-map").bounding_box()
    assert frame["x"] <= box["x"] <= frame["x"] + frame["width"]
    assert frame["y"] <= box["y"] <= frame["y"] + frame["height"]

    # a meter under T2 goes quiet: the pass makes a single-service outage; the open map
    # shows it without being reloaded
    report("SP-C")
    predictor.run_pass()
    expect(page.locator("#outage-map g.outage")).to_have_count(2)
    expect(page.locator("#map-outages tbody tr").nth(1)).to_contain_text("SP-C (service_point)")
    expect(page.locator("#map-members")).to_have_text("3")


def test_public_map_counts_by_area_and_follows_restorations(page, watched, tmp_path):
    build_network(tmp_path)
    for code in ("SP-A", "SP-B", "SP-M"):
        report(code)
    predictor.run_pass()
    page.goto("/portal/outage-map/")  # no sign-in

    expect(page.locator("#outage-map circle.area-out")).to_have_count(2)
    expect(page.locator("#map-members")).to_have_text("3")
    expect(page.locator("#map-served")).to_have_text("14")
    areas = page.locator("#map-areas tbody tr")
    expect(areas).to_have_count(2)
    expect(areas.nth(0)).to_have_text(re.compile(r"Cloudcroft\s*2\s*12"))
    expect(areas.nth(1)).to_have_text(re.compile(r"Mayhill\s*1\s*2"))
    # no service point or device code anywhere in the page (its random CSRF token and
    # CSP nonce left out: a token holds "R1" about once in 60 pages)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"|nonce="[^"]*"', "", page.content())
    assert "SP-A" not in html and "R1" not in html

    intake.restore(
        Outage.objects.get(device_code="SP-M"), cause="animal", restored_at=timezone.now()
    )
    expect(page.locator("#outage-map circle.area-out")).to_have_count(1)
    expect(page.locator("#map-areas tbody tr")).to_have_count(1)
    expect(page.locator("#map-members")).to_have_text("2")

    # in Spanish as the member chooses it
    page.get_by_role("button", name="Español").click()
    expect(page.locator("h1")).to_have_text("Mapa de apagones")
    expect(page.locator("#map-members")).to_have_text("2")
