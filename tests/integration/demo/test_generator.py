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


def _people():
    from coopcis.apps.demo.synth.population import _People
    from coopcis.apps.demo.synth.records import DemoPlan

    return _People(DemoPlan(date(2024, 1, 1), date(2024, 12, 31)), _Stuck(1), date(2024, 1, 1))


def test_taken_names_give_way_to_the_next_free_one_of_the_whole_space() -> None:
    people = _people()  # town 0 is Ruidoso; the first surname is Baca
    first = people._organization_name("BUSINESS", 0)
    names = [people._organization_name("BUSINESS", 0) for _ in range(33)]

    assert first == "Baca's Cafe"
    # the random draws' own numbering first (draws 22 to 30), as the demo always did
    assert names[:9] == [f"Baca's Cafe No. {n}" for n in range(2, 11)]
    # then the 20 patterns in turn, each with its first combination (the cafe is taken)
    assert names[9:16] == [
        "Ruidoso General Store",
        "Baca Feed & Supply",
        "Baca Auto Repair",
        "High Country Lodge of Ruidoso",
        "Ruidoso Hardware",
        "Baca Welding",
        "Mountain Pines Motel",
    ]
    assert len(set(names)) == 33 and first not in names
    # then each pattern's second combination, the town-only and fixed ones used up
    assert names[28:33] == [
        "Chavez's Cafe",
        "Chavez Feed & Supply",
        "Chavez Auto Repair",
        "Chavez Welding",
        "Chavez Propane",
    ]


def test_a_used_up_space_is_numbered_as_county_records_do() -> None:
    people = _people()
    names = [people._organization_name("LOAD_MANAGEMENT", 0) for _ in range(24)]

    seven = list(load_management_patterns())
    assert names[:10] == [seven[0]] + [f"{seven[0]} No. {n}" for n in range(2, 11)]
    assert names[10:16] == seven[1:]  # the space: the other 6 fixed names
    assert names[16:22] == [f"{name} No. 2" for name in seven[1:]]  # its second round
    assert names[22:] == [f"{seven[1]} No. 3", f"{seven[2]} No. 3"]  # the third


def load_management_patterns():
    from coopcis.apps.demo.synth import names

    return names.LOAD_MANAGEMENT_PATTERNS


def test_a_business_name_space_holds_every_owner_and_pattern() -> None:
    from itertools import islice

    from coopcis.apps.demo.synth import names
    from coopcis.apps.demo.synth.population import _name_space

    # 9 owner patterns x (140 surnames + 69 given x 140 surnames) + 8 town patterns + 3 fixed
    plain = 9 * (140 + 69 * 140) + 8 + 3
    space = list(islice(_name_space(names.BUSINESS_PATTERNS, "Tularosa"), plain + 1))
    assert len(set(space[:plain])) == plain
    assert "Rosa Baca Welding" in space[:plain] and "Tularosa Hardware" in space[:plain]
    assert space[plain] == "Baca's Cafe No. 2"


def test_a_large_plan_is_the_same_for_the_same_seed_and_names_no_one_twice() -> None:
    def plan():
        return plan_coop(
            members=5_000, seed=3, start_date=date(2026, 9, 1), end_date=date(2026, 11, 1)
        )

    first, second = plan(), plan()
    organizations = [p.organization_name for p in first.parties if p.kind == "ORGANIZATION"]
    assert len(first.parties) == 5_000
    assert len(set(organizations)) == len(organizations)
    assert organizations == [
        p.organization_name for p in second.parties if p.kind == "ORGANIZATION"
    ]


def test_far_addresses_come_in_order_and_never_end() -> None:
    from coopcis.apps.demo.synth.services import _far_addresses

    addresses = _far_addresses(("Sudderth Dr", "Mechem Dr"))
    assert [next(addresses) for _ in range(3)] == [
        ("Sudderth Dr", 10_000),
        ("Mechem Dr", 10_000),
        ("Sudderth Dr", 10_001),
    ]
