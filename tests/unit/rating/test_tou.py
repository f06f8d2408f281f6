"""TOU classification by the interval's local start, across DST, with calendars."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coopcis.core.rating.errors import TariffError
from coopcis.core.rating.tou import TouSchedule, TouWindow, is_on_peak, parse_tou_schedule

from .helpers import ON_PEAK_EVERY_DAY

DENVER = ZoneInfo("America/Denver")
OCEC = parse_tou_schedule(ON_PEAK_EVERY_DAY)


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [(14, 59, False), (15, 0, True), (20, 59, True), (21, 0, False), (0, 0, False)],
)
def test_on_peak_boundaries_in_local_time(hour, minute, expected):
    start_at = datetime(2020, 7, 15, hour, minute, tzinfo=DENVER)
    assert is_on_peak(start_at, schedule=OCEC) is expected


def test_classification_uses_local_time_not_utc():
    # 21:30 UTC in July is 15:30 MDT (on-peak); in January 14:30 MST (off-peak)
    assert is_on_peak(datetime(2020, 7, 15, 21, 30, tzinfo=UTC), schedule=OCEC)
    assert not is_on_peak(datetime(2020, 1, 15, 21, 30, tzinfo=UTC), schedule=OCEC)


def test_weekends_and_holidays_are_on_peak_under_ocec():
    saturday = datetime(2020, 7, 18, 16, 0, tzinfo=DENVER)
    holiday = datetime(2020, 7, 3, 16, 0, tzinfo=DENVER)
    schedule = OCEC.with_holidays(frozenset({date(2020, 7, 3)}))
    assert is_on_peak(saturday, schedule=schedule)
    assert is_on_peak(holiday, schedule=schedule)


def test_weekday_only_calendar_with_holidays_as_a_parameter():
    weekdays = TouSchedule(
        windows=(TouWindow("on_peak", 15 * 60, 21 * 60, frozenset({"weekday"})),),
        holidays=frozenset({date(2020, 7, 3)}),
    )
    assert is_on_peak(datetime(2020, 7, 2, 16, tzinfo=DENVER), schedule=weekdays)
    assert not is_on_peak(datetime(2020, 7, 3, 16, tzinfo=DENVER), schedule=weekdays)
    assert not is_on_peak(datetime(2020, 7, 4, 16, tzinfo=DENVER), schedule=weekdays)


def test_fall_back_hours_are_both_off_peak_and_15_00_is_on_peak():
    # 2020-11-01: 01:00 local occurs twice; 15:00 MST = 22:00 UTC
    first = datetime(2020, 11, 1, 7, 30, tzinfo=UTC)  # 01:30 MDT
    second = first + timedelta(hours=1)  # 01:30 MST
    assert not is_on_peak(first, schedule=OCEC)
    assert not is_on_peak(second, schedule=OCEC)
    assert is_on_peak(datetime(2020, 11, 1, 22, 0, tzinfo=UTC), schedule=OCEC)
    assert not is_on_peak(datetime(2020, 11, 1, 21, 59, tzinfo=UTC), schedule=OCEC)


def test_naive_start_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        is_on_peak(datetime(2020, 7, 15, 16, 0), schedule=OCEC)


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ({"period": "on_peak", "start": "21:00", "end": "15:00", "days": ["weekday"]}, "start"),
        ({"period": "on_peak", "start": "3 PM", "end": "21:00", "days": ["weekday"]}, "start"),
        ({"period": "on_peak", "start": "15:00", "end": "21:00", "days": ["someday"]}, "day"),
    ],
)
def test_bad_windows_are_refused(window, message):
    with pytest.raises(TariffError, match=message):
        parse_tou_schedule({"windows": [window]})


def test_unknown_time_zone_is_refused():
    with pytest.raises(TariffError, match=r"time_of_use\.time_zone"):
        parse_tou_schedule({**ON_PEAK_EVERY_DAY, "time_zone": "Mars/Olympus"})
