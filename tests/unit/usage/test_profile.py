"""Interval data summed for the member's charts: days, hours, the day's high, facts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from coopcis.core.usage.profile import daily_usage, local_buckets, usage_facts

DENVER = ZoneInfo("America/Denver")


def quarter_hours(first: datetime, values: list[int]) -> list[tuple[datetime, int, int]]:
    return [(first + timedelta(minutes=15 * i), 15, value) for i, value in enumerate(values)]


def test_days_are_local_and_the_high_is_the_highest_interval():
    # two local days from Denver midnight (07:00 UTC in September): 100 Wh each quarter
    # hour, and one 900 Wh quarter hour at 18:15 local on the second day
    first = datetime(2026, 9, 1, 6, tzinfo=UTC)  # midnight MDT
    values = [100] * 192
    values[96 + 73] = 900  # 18:15 on 2 September
    days = daily_usage(quarter_hours(first, values), zone=DENVER)

    assert [day.day for day in days] == [date(2026, 9, 1), date(2026, 9, 2)]
    assert days[0].energy_wh == 9_600
    assert days[1].energy_wh == 9_600 + 800
    assert days[1].peak_kw == Decimal("3.6")  # 0.9 kWh in 15 minutes
    assert days[1].peak_at.hour == 18 and days[1].peak_at.minute == 15
    assert days[0].peak_kw == Decimal("0.4")


def test_hours_sum_four_quarter_hours_and_a_dst_day_has_23_hours():
    # 8 March 2026: clocks jump 02:00 -> 03:00 in Denver; the local day is 23 hours
    first = datetime(2026, 3, 8, 7, tzinfo=UTC)  # midnight MST
    values = list(range(1, 93))  # 92 quarter hours = 23 hours
    hours = local_buckets(quarter_hours(first, values), minutes=60, zone=DENVER)

    assert len(hours) == 23
    assert hours[0].energy_wh == 1 + 2 + 3 + 4
    assert [hour.start_at.hour for hour in hours[:3]] == [0, 1, 3]
    assert hours[2].energy_wh == 9 + 10 + 11 + 12
    days = daily_usage(quarter_hours(first, values), zone=DENVER)
    assert [(day.day, day.energy_wh, day.intervals) for day in days] == [
        (date(2026, 3, 8), sum(values), 92)
    ]


def test_facts_give_days_average_and_highest_day():
    first = datetime(2026, 9, 1, 6, tzinfo=UTC)
    values = [100] * 96 + [250] * 96 + [50] * 96  # 9.6, 24 and 4.8 kWh
    facts = usage_facts(daily_usage(quarter_hours(first, values), zone=DENVER))

    assert facts.days == 3
    assert facts.energy_kwh == Decimal("38.4")
    assert facts.average_kwh_per_day == Decimal("12.800")
    assert facts.highest_day is not None and facts.highest_day.day == date(2026, 9, 2)
    assert usage_facts([]).average_kwh_per_day is None
