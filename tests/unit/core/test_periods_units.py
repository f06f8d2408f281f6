from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from coopcis.core.addresses import Address, address_problems
from coopcis.core.periods import (
    CO_OP_TIME_ZONE,
    InstantRange,
    Period,
    PeriodError,
    local_month_range,
    open_ended_overlaps,
)
from coopcis.core.units import kw_from_interval, kwh_to_wh, wh_to_kwh


def test_period_is_half_open():
    january = Period.month(2026, 1)
    assert january.days == 31
    assert january.contains(date(2026, 1, 31))
    assert not january.contains(date(2026, 2, 1))
    assert not january.overlaps(Period.month(2026, 2))
    assert Period.month(2025, 12).end == date(2026, 1, 1)


def test_period_refuses_backwards_and_bad_months():
    with pytest.raises(PeriodError):
        Period(date(2026, 1, 2), date(2026, 1, 2))
    for text in ("2026-13", "2026-1-1", "26-01", "march"):
        with pytest.raises(PeriodError, match="YYYY-MM"):
            Period.parse_month(text)


def test_open_ended_overlap():
    # an open installation overlaps anything after its start
    assert open_ended_overlaps(date(2026, 5, 1), None, date(2020, 1, 1), None)
    # back-to-back spans share no day
    assert not open_ended_overlaps(date(2026, 5, 1), None, date(2020, 1, 1), date(2026, 5, 1))
    assert open_ended_overlaps(date(2026, 4, 30), None, date(2020, 1, 1), date(2026, 5, 1))


def test_local_month_hours_follow_daylight_saving():
    assert local_month_range(2026, 3).hours == 31 * 24 - 1  # spring forward on 8 March
    assert local_month_range(2026, 11).hours == 30 * 24 + 1  # fall back on 1 November
    assert local_month_range(2026, 6).hours == 30 * 24


def test_instant_range_needs_time_zones():
    with pytest.raises(PeriodError, match="time zone"):
        InstantRange(datetime(2026, 1, 1), datetime(2026, 1, 2))
    start = datetime(2026, 1, 1, tzinfo=CO_OP_TIME_ZONE)
    assert InstantRange(start, start + timedelta(minutes=15)).seconds == 900


def test_energy_units_are_exact():
    assert wh_to_kwh(1234567) == Decimal("1234.567")
    assert kwh_to_wh("1.2345") == 1235  # half up to the Wh, on input only
    assert kwh_to_wh(Decimal("0.0004")) == 0
    with pytest.raises(TypeError):
        wh_to_kwh(1.5)  # type: ignore[arg-type]
    assert kw_from_interval(250, 15) == Decimal("1")  # 0.25 kWh in 15 minutes is 1 kW
    with pytest.raises(ValueError):
        kw_from_interval(1, 0)


def test_address_problems_name_the_field():
    good = Address(line1="404 Burro Avenue", city="Cloudcroft", state="NM", zip_code="88317")
    assert address_problems(good) == []
    bad = Address(line1=" ", city="88317", state="New Mexico", zip_code="8831")
    assert [field for field, _ in address_problems(bad)] == ["line1", "city", "state", "zip_code"]
    assert address_problems(Address("1 A St", "Alto", "nm", "88312-0001")) == []
