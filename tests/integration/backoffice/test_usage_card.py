"""The account page's usage card: 13 months of kWh (and kW where billed) drawn as SVG
with the reads behind each month beside it, and the daily use of interval meters."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.billing.account_usage import account_usage
from tests.factories import MeterFactory, MeterInstallationFactory
from tests.integration.backoffice.conftest import account_card
from tests.integration.billing_pdf.factories import make_bill
from tests.integration.small_coop import interval_blocks, reads

pytestmark = pytest.mark.django_db


def monthly_reads(meter, first: date, months: int, start_kwh: int, step_kwh: int) -> None:
    values = []
    for index in range(months):
        year, month = divmod(first.month - 1 + index, 12)
        values.append((date(first.year + year, month + 1, 5), start_kwh + index * step_kwh))
    reads(meter, *values)


def test_months_before_the_first_bill_come_from_the_reads_and_billed_ones_from_the_bill(
    client_as, maria
):
    monthly_reads(maria.meter, date(2025, 1, 5), 14, 380_000, 640)  # Jan 2025 .. Feb 2026
    make_bill(maria.agreement, "2026-03", energy_wh=712_500, meter_serial="AMI77120",
              previous_register_wh=388_320_244, current_register_wh=389_032_744,
              current_read_kind="ESTIMATED", demand_kw=None)  # fmt: skip

    card = account_card(client_as("read_only"), maria.account, "usage")

    assert 'data-testid="usage-SP-417"' in card
    table = card.split('data-testid="reads-SP-417"')[1]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    assert len(rows) == 13  # 2026-03 billed, and twelve months of reads before it
    first = " ".join(re.sub(r"<[^>]+>", " ", rows[0]).split())
    assert first.startswith("2026-03 712.5 AMI77120 388,320 02/05 actual 389,032 03/05 estimated 1")
    assert "Bill" in first
    second = " ".join(re.sub(r"<[^>]+>", " ", rows[1]).split())
    assert second == "2026-02 640 AMI77120 387,680 01/05 actual 388,320 02/05 actual 1 Reads"
    assert "388,320.244" not in card  # registers as the dials show them
    # the chart: one bar per month with use, the latest highlighted, and no style attribute
    assert len(re.findall(r"<rect class=\"bar", card)) == 13
    assert card.count("bar-latest") == 1
    assert 'data-key="2026-03"' in card and "<title>2026-03: 712.5 kWh</title>" in card
    assert "style=" not in card and "<script" not in card
    assert "Demand kW" not in card  # a residential bill bills no demand


def test_demand_is_charted_where_the_bill_has_it(client_as, maria):
    monthly_reads(maria.meter, date(2026, 1, 5), 2, 10_000, 500)
    make_bill(maria.agreement, "2026-03", energy_wh=500_000, demand_kw=Decimal("8.588"))

    card = account_card(client_as("read_only"), maria.account, "usage")

    assert "Demand kW by billing month" in card
    assert "<title>2026-03: 8.588 kW</title>" in card


def test_the_previous_occupants_reads_are_not_the_members_use(maria):
    maria.agreement.start_on = date(2026, 1, 20)
    maria.agreement.save()
    reads(maria.meter, (date(2025, 12, 5), 10_000), (date(2026, 1, 5), 10_640),
          (date(2026, 1, 20), 10_900), (date(2026, 2, 5), 11_420))  # fmt: skip

    [usage] = account_usage(maria.account)

    by_month = {month.period: month.energy_wh for month in usage.months}
    assert by_month["2026-02"] == 520_000
    assert by_month.get("2026-01") is None


def test_an_interval_meter_shows_its_daily_use(client_as, maria):
    reads(maria.meter, (date(2026, 9, 1), 1_000), (date(2026, 10, 1), 1_900))
    # 15-minute intervals of 25 Wh: 2.4 kWh a day, 3.6 on Sundays
    interval_blocks(maria.meter, date(2026, 9, 1), date(2026, 10, 1),
                    lambda moment: 37 if moment.weekday() == 6 else 25)  # fmt: skip

    card = account_card(client_as("read_only"), maria.account, "usage")

    assert "Daily kWh, latest 30 days (interval meter)" in card
    daily = card.split('data-testid="daily-SP-417"')[1].split("</table>")[0]
    days = re.findall(r"<tr><td>([\d-]+)</td><td class=\"num\">([\d.,]+)</td></tr>", daily)
    assert len(days) == 30
    assert days[0] == ("2026-09-01", "2.4")
    assert ("2026-09-06", "3.552") in days  # a Sunday: 96 x 37 Wh
    assert days[-1][0] == "2026-09-30"


def test_an_account_without_reads_says_so(client_as, maria):
    maria.meter.installations.all().delete()
    maria.old_meter.installations.all().delete()

    card = account_card(client_as("read_only"), maria.account, "usage")

    assert "No reads or bills yet." in card


def test_the_usage_card_costs_the_same_queries_for_two_years_of_history(
    client_as, maria, django_assert_max_num_queries
):
    from tests.integration.backoffice.test_account_page import ACCOUNT_PAGE_QUERIES

    clerk = client_as("read_only")
    second = MeterFactory(serial="REG2")
    MeterInstallationFactory(
        meter=second, service_point=maria.agreement.service_point, installed_on=date(2019, 3, 4)
    )
    monthly_reads(maria.meter, date(2024, 1, 5), 26, 5_000, 700)
    monthly_reads(second, date(2024, 1, 5), 26, 9_000, 10)
    for period in ("2025-12", "2026-01", "2026-02"):
        make_bill(maria.agreement, period)

    with django_assert_max_num_queries(ACCOUNT_PAGE_QUERIES):
        response = clerk.get("/accounts/3100417/")

    assert response.status_code == 200
    assert "REG2" in response.text
