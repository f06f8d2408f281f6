"""The member's billed months rated on every residential schedule agree with
`coopcis rate quote CODE --intervals FILE --json` on the same intervals."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.billing.models import Bill
from coopcis.apps.billing.run import run_billing
from coopcis.apps.metering.models import RegisterRead
from coopcis.apps.usage.comparison import compare_account
from coopcis.apps.usage.readings import interval_meters, intervals
from coopcis.commands import rate
from coopcis.core.money import Money
from coopcis.core.periods import CO_OP_TIME_ZONE
from tests.integration.small_coop import DCA, GRT, PCA

pytestmark = pytest.mark.django_db


def quote(capsys, code: str, path) -> Decimal:
    argv = ["quote", code, "--intervals", str(path), "--json"]
    argv += ["--pca", str(PCA), "--dca", str(DCA), "--tax-rate", str(GRT)]
    assert rate.main(argv) == 0
    return Decimal(json.loads(capsys.readouterr().out)["total"])


def test_the_comparison_agrees_with_rate_quote_and_with_the_bill(small_coop, tmp_path, capsys):
    run_billing(period_label="2026-10")
    bill = Bill.objects.get(account=small_coop.tou_home)

    [point] = compare_account(small_coop.tou_home, today=date(2026, 10, 20))

    result = point.comparison
    [month] = result.months
    assert month.label == "2026-10" and month.energy_kwh == Decimal("1260")
    # time of use (the member's): the bill itself, $297.23 (tests/integration/billing)
    assert month.totals["ocec-res-tou"] == Money(bill.total_amount) == Money(Decimal("297.23"))
    # flat: 30.00 + 172.75 energy + PCA 5.30 + DCA 1.07 = 209.12; tax 6.8125% 14.2463 -> 14.25
    assert month.totals["ocec-res"] == Money(Decimal("223.37"))
    assert month.differences == {"ocec-res": Money(Decimal("-73.86"))}
    assert result.recommendation is not None
    assert (result.recommendation.action, result.recommendation.code) == ("switch", "ocec-res")
    assert set(point.tariffs) == {"ocec-res", "ocec-res-tou"}  # the residential class only

    # the same intervals through the command line
    values = intervals(
        interval_meters(bill.service_point_id), start_on=bill.period_start, end_on=bill.period_end
    )
    path = tmp_path / "september.csv"
    rows = ["start,kwh"] + [
        f"{v.start_at.astimezone(CO_OP_TIME_ZONE).isoformat()},{Decimal(v.energy_wh) / 1000}"
        for v in values
    ]
    path.write_text("\n".join(rows) + "\n")
    for code in ("ocec-res", "ocec-res-tou"):
        assert Money(quote(capsys, code, path)) == month.totals[code]


def test_a_month_before_the_first_bill_is_compared_over_its_reads_with_its_riders(small_coop):
    # no bill yet: the reads of 1 September and 1 October make billing month 2026-10,
    # rated with 2026-10's factors and the county's tax, as its bill will be
    [point] = compare_account(small_coop.tou_home, today=date(2026, 10, 20))
    [month] = point.comparison.months
    assert month.label == "2026-10"
    assert month.totals["ocec-res"] == Money(Decimal("223.37"))
    assert month.totals["ocec-res-tou"] == Money(Decimal("297.23"))


def test_without_bills_or_reads_calendar_months_are_compared_at_base_rates(small_coop):
    RegisterRead.objects.all().delete()
    [point] = compare_account(small_coop.tou_home, today=date(2026, 10, 20))
    [month] = point.comparison.months
    assert month.label == "2026-09"
    # no riders: $202.75 flat, $271.90 time of use (tests/unit/usage/test_rate_comparison.py)
    assert month.totals["ocec-res"] == Money(Decimal("202.75"))
    assert month.totals["ocec-res-tou"] == Money(Decimal("271.90"))


def test_register_meters_get_no_comparison(small_coop):
    assert compare_account(small_coop.home, today=date(2026, 10, 20)) == []


def test_a_demand_schedule_is_rated_with_the_agreements_terms_and_matches_the_bill(small_coop):
    # Rate 19 needs the power factor read (0.90), the contract kW and the losses: the
    # mill's October bill is $98,442.34 (tests/integration/billing/test_bill_run.py)
    run_billing(period_label="2026-10")
    [point] = compare_account(small_coop.mill, today=date(2026, 10, 20))
    assert point.comparison is not None and point.comparison.codes == ("sec-19",)
    [month] = point.comparison.months
    assert month.totals == {"sec-19": Money(Decimal("98442.34"))}


def test_a_net_meter_is_not_compared(small_coop):
    meter = small_coop.tou_home.agreements.get().service_point.installations.get().meter
    meter.kind = "NET_METER"
    meter.save()
    [point] = compare_account(small_coop.tou_home, today=date(2026, 10, 20))
    assert (point.comparison, point.reason) == (None, "net_metered")
