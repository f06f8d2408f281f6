"""IEEE 1366 indices and Major Event Days on hand-made logs, expectations worked by hand."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from coopcis.core.errors import RuleViolation
from coopcis.core.outages.reliability import (
    Interruption,
    compute_indices,
    daily_saidi,
    major_event_days,
    major_event_threshold,
    med_history_window,
    momentary_events,
)

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 08:00 in Albuquerque (MST)


def out(minutes: float, customers: int, *, at: datetime = T0, device: str = "", ids=None):
    return Interruption(
        start_at=at,
        end_at=at + timedelta(minutes=minutes),
        customers=customers,
        device=device,
        customer_ids=frozenset(ids) if ids is not None else None,
    )


def test_saifi_saidi_caidi_over_a_small_system():
    # given 1,000 customers served and three sustained interruptions
    log = [out(90, 200), out(30, 50), out(240, 10), out(2, 400)]  # the last is momentary
    # when
    result = compute_indices(log, customers_served=1000)
    # then: 260 customers interrupted; 90*200 + 30*50 + 240*10 = 21,900 customer minutes
    assert result.customers_interrupted == 260
    assert result.customer_minutes == Decimal(21900)
    assert result.saifi == Decimal("0.26")
    assert result.saidi == Decimal("21.9")
    assert result.caidi == Decimal("21.9") / Decimal("0.26")  # 84.23 minutes
    assert round(result.caidi, 2) == Decimal("84.23")
    assert result.maifi == Decimal("0.4")
    # without customer ids CAIFI, CEMI and CELID cannot be known: not guessed
    assert result.caifi is None and result.cemi is None and result.celid_total is None


def test_exactly_five_minutes_is_momentary_and_a_second_more_is_sustained():
    five = out(5, 10)
    assert not five.sustained
    longer = Interruption(T0, T0 + timedelta(minutes=5, seconds=1), 10)
    assert longer.sustained


def test_caifi_cemi_and_celid_from_named_customers():
    # customers a..e of 10 served; a is interrupted three times, b twice, c once
    log = [
        out(30, 3, ids="abc"),
        out(300, 2, at=T0 + timedelta(days=1), ids="ab"),
        out(500, 1, at=T0 + timedelta(days=2), ids="a"),
    ]
    result = compute_indices(log, customers_served=10, cemi_n=(0, 1, 2, 3), celid_hours=(5, 8))
    assert result.caifi == Decimal(6) / Decimal(3)  # 6 customer interruptions, 3 customers
    assert result.cemi == {
        0: Decimal("0.3"),
        1: Decimal("0.2"),
        2: Decimal("0.1"),
        3: Decimal("0"),
    }
    # single interruptions of 5 h or more: a (500 min) and b (300 min); 8 h or more: a
    assert result.celid_single == {5: Decimal("0.2"), 8: Decimal("0.1")}
    # totals: a 830 min, b 330 min, c 30 min -> 5 h: a, b; 8 h: a
    assert result.celid_total == {5: Decimal("0.2"), 8: Decimal("0.1")}


def test_momentary_events_group_a_reclosing_sequence_and_drop_one_that_locked_out():
    r1 = [out(0.5, 300, at=T0 + timedelta(minutes=m), device="R1") for m in (0, 1, 3)]
    # R2 recloses twice, then locks out (a sustained interruption): no momentary event
    r2 = [out(0.5, 80, at=T0 + timedelta(minutes=m), device="R2") for m in (0, 1)]
    r2.append(out(45, 80, at=T0 + timedelta(minutes=2), device="R2"))
    # a later, separate operation of R1 (an hour on) is a second event
    later = out(0.5, 300, at=T0 + timedelta(hours=1), device="R1")
    ami = out(1, 1)  # a meter's own momentary loss, no device: its own event
    log = [*r1, *r2, later, ami]
    assert len(momentary_events(log)) == 3
    result = compute_indices(log, customers_served=1000)
    assert result.maifi == Decimal(300 * 4 + 80 * 2 + 1) / 1000
    assert result.maifi_e == Decimal(300 + 300 + 1) / 1000


def test_an_interruption_belongs_to_the_local_day_it_starts():
    # 23:30 on 31 May in Albuquerque is 05:30 UTC on 1 June; it lasts into the next day
    late = Interruption(
        datetime(2026, 6, 1, 5, 30, tzinfo=UTC), datetime(2026, 6, 1, 8, 30, tzinfo=UTC), 100
    )
    assert daily_saidi([late], customers_served=1000) == {date(2026, 5, 31): Decimal(18)}


def test_t_med_by_the_two_and_a_half_beta_method_on_a_hand_made_five_years():
    # given five years in which three days had interruptions: daily SAIDI 1, 10 and 100
    # minutes over 1,000 customers; every other day zero (left out of the logarithms)
    served = 1000
    history = [
        out(10, 100, at=datetime(2021, 7, 4, 18, tzinfo=UTC)),  # 1,000 cust-min -> 1
        out(100, 100, at=datetime(2023, 2, 10, 18, tzinfo=UTC)),  # 10
        out(1000, 100, at=datetime(2025, 8, 20, 18, tzinfo=UTC)),  # 100
        out(3, 900, at=datetime(2024, 1, 1, 18, tzinfo=UTC)),  # momentary: no SAIDI
    ]
    daily = daily_saidi(history, customers_served=served)
    first, last = med_history_window(2026)
    assert (first, last) == (date(2021, 1, 1), date(2025, 12, 31))
    threshold = major_event_threshold(daily, first_day=first, last_day=last)
    # ln 1, ln 10, ln 100 = 0, L, 2L with L = ln 10: alpha = L, beta (n - 1) = L
    assert threshold is not None and threshold.days_used == 3
    assert threshold.alpha == pytest.approx(math.log(10))
    assert threshold.beta == pytest.approx(math.log(10))
    # T_MED = exp(L + 2.5 L) = 10 ** 3.5 = 3,162.28 minutes
    assert threshold.t_med == pytest.approx(10**3.5)
    # then in 2026 a day of SAIDI 4,000 is a Major Event Day and one of 3,000 is not
    storm = out(4000, 1000, at=datetime(2026, 4, 1, 18, tzinfo=UTC))
    windy = out(3000, 1000, at=datetime(2026, 4, 2, 18, tzinfo=UTC))
    ordinary = out(60, 50, at=datetime(2026, 4, 3, 18, tzinfo=UTC))
    year = daily_saidi([storm, windy, ordinary], customers_served=served)
    assert major_event_days(year, threshold) == [date(2026, 4, 1)]


def test_no_threshold_from_too_little_history():
    daily = {date(2025, 5, 1): Decimal(3)}
    assert (
        major_event_threshold(daily, first_day=date(2021, 1, 1), last_day=date(2025, 12, 31))
        is None
    )
    assert major_event_days(daily, None) == []


def test_bad_interruptions_are_refused_with_the_field():
    with pytest.raises(RuleViolation, match="end"):
        Interruption(T0, T0 - timedelta(minutes=1), 3)
    with pytest.raises(RuleViolation, match="offset"):
        Interruption(datetime(2026, 1, 1), datetime(2026, 1, 2), 3)
    with pytest.raises(RuleViolation, match="customers"):
        Interruption(T0, T0, -1)
    with pytest.raises(RuleViolation, match="customers served"):
        compute_indices([], customers_served=0)
