"""A member's month rated on every residential schedule, by hand."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from coopcis.catalog.tariffs import load_tariff_versions
from coopcis.core.money import Money
from coopcis.core.periods import CO_OP_TIME_ZONE
from coopcis.core.rating.comparison import MonthUsage, compare_tariffs
from coopcis.core.rating.intervals import Interval


def september(on_peak_wh: int, off_peak_wh: int) -> list[Interval]:
    """September 2026 in quarter hours: on-peak (15:00-21:00 local) and off-peak Wh."""
    first = datetime.combine(date(2026, 9, 1), time(0), tzinfo=CO_OP_TIME_ZONE)
    found = []
    for index in range(30 * 96):
        start = first + timedelta(minutes=15 * index)
        local_hour = start.astimezone(CO_OP_TIME_ZONE).hour
        found.append(Interval(start, 15, on_peak_wh if 15 <= local_hour < 21 else off_peak_wh))
    return found


SCHEDULES = {code: load_tariff_versions(code) for code in ("ocec-res", "ocec-res-tou")}


def test_an_evening_heavy_member_on_time_of_use_is_told_to_switch_to_flat():
    # on-peak 30 days x 24 quarter hours x 1 kWh = 720 kWh; off-peak 30 x 72 x 0.25 = 540
    # flat: $30.00 + 1,260 x $0.1371 ($172.746 -> $172.75) = $202.75
    # time of use: $32.50 + 720 x $0.2650 ($190.80) + 540 x $0.0900 ($48.60) = $271.90
    result = compare_tariffs(
        months=[MonthUsage("2026-09", september(1000, 250))],
        schedules=SCHEDULES,
        current_code="ocec-res-tou",
    )

    [month] = result.months
    assert month.energy_kwh == Decimal("1260")
    assert month.totals == {
        "ocec-res": Money(Decimal("202.75")),
        "ocec-res-tou": Money(Decimal("271.90")),
    }
    assert month.differences == {"ocec-res": Money(Decimal("-69.15"))}
    assert result.codes[0] == "ocec-res-tou"  # the current schedule first
    recommendation = result.recommendation
    assert recommendation is not None
    assert (recommendation.action, recommendation.code) == ("switch", "ocec-res")
    assert recommendation.saving == Money(Decimal("69.15"))


def test_a_night_owl_stays_on_time_of_use_when_it_is_cheaper():
    # on-peak 720 x 0.05 = 36 kWh, off-peak 2,160 x 0.5 = 1,080 kWh: 1,116 kWh
    # flat: 30.00 + 1,116 x 0.1371 = 30.00 + 153.0036 (153.00) = 183.00
    # TOU: 32.50 + 36 x 0.2650 (9.54) + 1,080 x 0.09 (97.20) = 139.24
    result = compare_tariffs(
        months=[MonthUsage("2026-09", september(50, 500))],
        schedules=SCHEDULES,
        current_code="ocec-res-tou",
    )
    assert result.totals["ocec-res"] == Money(Decimal("183.00"))
    assert result.totals["ocec-res-tou"] == Money(Decimal("139.24"))
    recommendation = result.recommendation
    assert recommendation is not None and recommendation.action == "stay"
    assert recommendation.saving == Money(Decimal("0"))


def test_a_saving_under_the_minimum_is_not_worth_switching():
    result = compare_tariffs(
        months=[MonthUsage("2026-09", september(1000, 250))],
        schedules=SCHEDULES,
        current_code="ocec-res-tou",
        minimum_saving=Money(Decimal("100.00")),
    )
    assert result.recommendation is not None
    assert result.recommendation.action == "stay"
    assert result.recommendation.saving == Money(Decimal("69.15"))
