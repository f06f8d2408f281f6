"""The member's usage pages: charts with their tables, the rate comparison, Green Button
download and high-usage alert settings, each for linked accounts only."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from coopcis.apps.billing.run import run_billing
from coopcis.apps.members.models import Language
from coopcis.apps.usage.models import UsageThreshold
from tests.integration.portal.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(small_coop, freeze_today) -> tuple[Client, str]:
    """The small co-op's time-of-use home, billed for 2026-10, as its member sees it."""
    freeze_today(date(2026, 10, 20))
    run_billing(period_label="2026-10")
    client = Client()
    client.force_login(member("ana@example.org", small_coop.tou_home))
    return client, small_coop.tou_home.number


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_monthly_chart_has_its_title_description_and_table(ana):
    client, number = ana
    page = client.get(f"/portal/accounts/{number}/usage/").content.decode()

    assert 'role="img"' in page and "<title id=" in page and "<desc id=" in page
    assert "kWh by billing month, 13 months" in page
    assert '<rect class="bar bar-latest" data-key="2026-10"' in page
    # the bill's 1,260 kWh over its 30 days read to read: 42 kWh a day, cost $297.23
    table = text(page.split('data-testid="table-')[1].split("</table>")[0])
    assert "2026-10 1260 $297.23 30 42.0" in table
    assert "style=" not in page and "<script" not in page


def test_the_15_minute_view_draws_a_month_as_one_path_with_every_interval_in_the_table(ana):
    client, number = ana
    page = client.get(f"/portal/accounts/{number}/usage/?view=15min&month=2026-09").content.decode()

    assert page.count('<path class="steps"') == 1
    table = page.split('data-testid="intervals-table-')[1].split("</table>")[0]
    rows = re.findall(r'<tr><th scope="row">([\d: -]+)</th><td class="num">([\d.]+)</td>', table)
    assert len(rows) == 30 * 96
    assert rows[0] == ("2026-09-01 00:00", "0.25") and rows[60] == ("2026-09-01 15:00", "1")
    facts = text(page.split('data-testid="facts-')[1].split("</dl>")[0])
    assert "Days 30" in facts and "kWh used 1260" in facts and "Average per day 42 kWh" in facts
    assert "Highest 15 minutes 4 kW" in facts  # 1 kWh in a quarter hour


def test_the_daily_view_gives_each_days_high(ana):
    client, number = ana
    page = client.get(f"/portal/accounts/{number}/usage/?view=daily&month=2026-09").content.decode()
    table = page.split('data-testid="table-')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    assert len(rows) == 30
    assert text(rows[0]) == "2026-09-01 42 4 15:00"


def test_the_rate_comparison_recommends_the_flat_rate_with_the_saving(ana):
    client, number = ana
    page = text(client.get(f"/portal/accounts/{number}/usage/rates/").content.decode())

    # 2026-10: flat $223.37, time of use (the bill) $297.23: $73.86 less on flat
    assert "Over this month you would have paid $73.86 less on the rate below" in page
    assert "2026-10 1260 $297.23 $223.37 -$73.86" in page


def test_the_download_is_a_green_button_file(ana):
    client, number = ana
    response = client.get(
        f"/portal/accounts/{number}/usage/download/",
        {"point": "", "start": "2026-09-01", "end": "2026-09-02", "file_format": "xml"},
    )
    assert response.status_code == 200  # no point chosen: the form again, with the error
    point = re.search(r'<option value="([^"]+)"', response.content.decode()).group(1)
    response = client.get(
        f"/portal/accounts/{number}/usage/download/",
        {"point": point, "start": "2026-09-01", "end": "2026-09-02", "file_format": "xml"},
    )
    assert response["Content-Disposition"].startswith('attachment; filename="green-button-')
    body = response.content.decode()
    assert body.count("<IntervalReading>") == 2 * 96 and "<LocalTimeParameters" in body


def test_the_member_sets_a_threshold_and_a_bad_amount_is_refused_by_name(ana):
    client, number = ana
    url = f"/portal/accounts/{number}/usage/alerts/"
    refused = client.post(url, {"daily_kwh": "", "daily_amount": "1e3"})
    assert refused.status_code == 200 and "exponent" in refused.content.decode()
    assert client.post(url, {"daily_kwh": "40", "daily_amount": "9.90"}).status_code == 302
    threshold = UsageThreshold.objects.get()
    assert (threshold.daily_kwh, threshold.daily_amount) == (Decimal("40"), Decimal("9.90"))
    client.post(url, {"daily_kwh": "", "daily_amount": ""})
    assert not UsageThreshold.objects.exists()


@pytest.mark.parametrize("page", ["", "rates/", "download/", "alerts/"])
def test_another_members_account_is_not_found(ana, small_coop, page):
    client, _ = ana
    assert client.get(f"/portal/accounts/{small_coop.home.number}/usage/{page}").status_code == 404


def test_the_usage_pages_speak_spanish(ana, small_coop):
    small_coop.tou_home.language = Language.SPANISH  # the member's language: their account's
    small_coop.tou_home.save()
    client, number = ana
    page = client.get(f"/portal/accounts/{number}/usage/").content.decode()
    assert "Mi consumo, cuenta" in page and "kWh por mes de facturación, 13 meses" in page
    assert ">Ene</text>" in page and ">Jan</text>" not in page  # Django's own month names
    rates = client.get(f"/portal/accounts/{number}/usage/rates/")
    assert "En 1 mes habría pagado $73.86 menos" in text(rates.content.decode())
