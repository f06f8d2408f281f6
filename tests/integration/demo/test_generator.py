"""The demo generator's pure parts: routing numbers, the class table, the timeline."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from coopcis.apps.demo.synth.banking import (
    is_valid_routing_number,
    make_routing_number,
    routing_check_digit,
)
from coopcis.apps.demo.synth.classes import SERVICE_CLASSES, demo_tariff_codes
from coopcis.apps.demo.synth.population import FULL_MIX_MEMBERS, plan_coop
from coopcis.apps.demo.synth.timeline import build_timeline, local_midnight_utc
from coopcis.apps.members.models import RateClass
from coopcis.apps.metering.models import MeterKind
from coopcis.apps.premises.models import PremiseKind


def test_routing_check_digit_of_a_known_number() -> None:
    # 011000015 is the Federal Reserve Bank of Boston's published routing number.
    assert routing_check_digit("01100001") == "5"
    assert is_valid_routing_number("011000015")
    assert not is_valid_routing_number("011000016")
    assert not is_valid_routing_number("131000015")  # prefix 13 is not a Fed district


def test_generated_routing_numbers_are_valid() -> None:
    rng = random.Random(3)
    numbers = [make_routing_number(rng, credit_union=cu) for cu in (False, True) * 200]
    assert all(is_valid_routing_number(n) for n in numbers)
    assert {n[:2] for n in numbers} <= {"10", "11", "30", "31"}


def test_demo_tariffs_are_in_the_catalog() -> None:
    from coopcis.catalog.tariffs import tariff_codes

    assert set(demo_tariff_codes()) <= set(tariff_codes())


def test_class_table_uses_the_models_choices() -> None:
    for service in SERVICE_CLASSES.values():
        assert service.rate_class in RateClass.values
        assert service.premise_kind in PremiseKind.values
        assert service.meter_kind is None or service.meter_kind in MeterKind.values


def test_timeline_spans_daylight_saving_days() -> None:
    timeline = build_timeline(date(2026, 3, 1), date(2026, 4, 1))
    # March 2026 has a 23-hour day (the 8th): 31 days x 96 intervals, less 4.
    assert timeline.count == 31 * 96 - 4
    assert timeline.index_of(date(2026, 3, 9)) - timeline.index_of(date(2026, 3, 8)) == 92
    assert sum(block.count for block in timeline.blocks) == timeline.count
    for block in timeline.blocks:
        end = block.start_at + timedelta(minutes=15 * block.count)
        assert end.date() == block.start_at.date() or end.hour == end.minute == 0
    assert timeline.blocks[0].start_at == local_midnight_utc(date(2026, 3, 1))
    # 6 PM local on March 10 (MDT, UTC-6) is midnight UTC on the 11th.
    at = timeline.index_of(date(2026, 3, 10)) + 18 * 4
    assert timeline.local_hour[at] == 18.0
    assert timeline.interval_at(at).hour == 0


@pytest.mark.parametrize("members", [1, 2, 3, 7, 20, FULL_MIX_MEMBERS, 51, 333])
def test_plan_has_exactly_the_members_asked_for(members: int) -> None:
    plan = plan_coop(
        members=members, seed=5, start_date=date(2025, 1, 1), end_date=date(2025, 4, 1)
    )
    assert len(plan.parties) == members
    assert all(any(a.party == i for a in plan.accounts) for i in range(members))
    assert all(plan.accounts[a.account].party < members for a in plan.agreements)
    if members >= FULL_MIX_MEMBERS:
        assert {a.class_key for a in plan.accounts} == set(SERVICE_CLASSES)


class _Stuck(random.Random):
    """Always the first choice: every name pattern gives the same name."""

    def choice(self, seq):  # type: ignore[override]
        return seq[0]


def test_organization_names_never_run_out() -> None:
    from coopcis.apps.demo.synth.population import _People
    from coopcis.apps.demo.synth.records import DemoPlan

    people = _People(DemoPlan(date(2024, 1, 1), date(2024, 12, 31)), _Stuck(1), date(2024, 1, 1))
    first = people._organization_name("BUSINESS", 0)
    names = [people._organization_name("BUSINESS", 0) for _ in range(15)]

    assert first not in names and len(set(names)) == 15
    # 2..10 come from the patterns' own numbering (attempts 21-29), then the next free ones
    assert names[:9] == [f"{first} No. {n}" for n in range(2, 11)]
    assert names[9:] == [f"{first} No. {n}" for n in range(11, 17)]
