"""Partial restorations worked by hand (coopcis.core.outages.restoration).

A recloser R serves 100 members; fuse F below it serves 20 of them, and transformer T
below F serves 5 of those. R went out at 10:00.

- F closed at 10:40 while R stayed open to 11:00: F's 20 members wait for R, so all 100
  are out 10:00-11:00: 100 x 60 = 6,000 customer minutes.
- R closed at 11:00 with F still out to 12:30: R's own 80 members 10:00-11:00 (4,800),
  F's 20 members 10:00-12:30 (20 x 150 = 3,000): 7,800.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coopcis.core.outages.prediction import DEFAULT_THRESHOLDS, parameters_from_table
from coopcis.core.outages.restoration import Span, own_members, settle, still_out


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 7, 1, hour, minute, tzinfo=UTC)


def test_a_fuse_closed_under_an_open_recloser_restores_nobody_until_the_recloser_closes():
    fuse_closed = [
        Span("R", 100, at(10), None),
        Span("F", 20, at(10), at(10, 40), parent="R"),
    ]
    assert settle(fuse_closed) == []
    assert still_out(fuse_closed) == 100
    both = [Span("R", 100, at(10), at(11)), Span("F", 20, at(10), at(10, 40), parent="R")]
    records = {s.key: (s.customers, s.start_at, s.end_at) for s in settle(both)}
    assert records == {"R": (80, at(10), at(11)), "F": (20, at(10), at(11))}
    assert sum(s.customer_minutes for s in settle(both)) == 6_000


def test_a_recloser_closed_with_its_fuse_still_out_restores_the_rest_only():
    spans = [Span("R", 100, at(10), at(11)), Span("F", 20, at(10), None, parent="R")]
    [recloser] = settle(spans)
    assert (recloser.key, recloser.customers, recloser.customer_minutes) == ("R", 80, 4_800)
    assert still_out(spans) == 20
    later = [
        Span("R", 100, at(10), at(11), recorded=True),
        Span("F", 20, at(10), at(12, 30), parent="R"),
    ]
    [fuse] = settle(later)
    assert (fuse.key, fuse.customers, fuse.start_at, fuse.end_at) == ("F", 20, at(10), at(12, 30))
    assert fuse.customer_minutes == 3_000  # with R's 4,800: 7,800 in all


def test_three_levels_the_latest_restoration_on_the_chain_ends_each_group():
    # T (5 members) closed at 10:30, F at 11:30, R at 11:00: T's and F's own members wait
    # for F (11:30), R's own for R (11:00)
    spans = [
        Span("R", 100, at(10), at(11)),
        Span("F", 20, at(10), at(11, 30), parent="R"),
        Span("T", 5, at(10), at(10, 30), parent="F"),
    ]
    assert own_members(spans) == {"R": 80, "F": 15, "T": 5}
    minutes = {s.key: s.customer_minutes for s in settle(spans)}
    assert minutes == {"R": 80 * 60, "F": 15 * 90, "T": 5 * 90}


def test_a_nested_outage_that_started_earlier_keeps_its_own_start():
    # F blew at 09:30; R went out at 10:00 and closed at 10:45; F closed at 10:15 (waited)
    spans = [Span("R", 50, at(10), at(10, 45)), Span("F", 10, at(9, 30), at(10, 15), parent="R")]
    records = {s.key: (s.start_at, s.end_at) for s in settle(spans)}
    assert records == {"R": (at(10), at(10, 45)), "F": (at(9, 30), at(10, 45))}


def test_nested_outages_cannot_hold_more_members_than_their_parent():
    with pytest.raises(ValueError, match="more members"):
        own_members([Span("R", 5, at(10), None), Span("F", 6, at(10), None, parent="R")])


def test_thresholds_come_from_the_profile_table_and_bad_ones_are_refused():
    parameters = parameters_from_table(
        {"window_minutes": 10, "minimum_reports": 3, "thresholds": {"fuse": "0.6"}}
    )
    assert parameters.window.total_seconds() == 600
    assert parameters.minimum_reports == 3
    assert str(parameters.thresholds["fuse"]) == "0.6"
    assert parameters.thresholds["recloser"] == DEFAULT_THRESHOLDS["recloser"]
    for bad, message in (
        ({"thresholds": {"pole": "0.5"}}, "not a device kind"),
        ({"thresholds": {"fuse": "1.5"}}, "between 0 and 1"),
        ({"thresholds": {"fuse": 0.4}}, "as text"),
        ({"window_minutes": 0}, "at least 1"),
        ({"colour": "red"}, "unknown keys"),
    ):
        with pytest.raises(ValueError, match=message):
            parameters_from_table(bad)
