"""Shared fixtures (tests/shared_build.py): built once, yet each test sees only the build,
as built, whatever ran before it in any order; tests without them never see it."""

from __future__ import annotations

import pytest

from coopcis.apps.billing.models import BillingCycle, RiderFactor
from tests.shared_build import shared_fixture


@shared_fixture
def cycle():
    return BillingCycle.objects.create(number=7, read_day=7, bill_lag_days=5)


@shared_fixture
def cycle_with_rider(cycle):
    RiderFactor.objects.create(month="2026-10", code="pca", per_kwh="0.004210", source="test")
    return cycle


def numbers() -> list[int]:
    return list(BillingCycle.objects.order_by("number").values_list("number", flat=True))


@pytest.mark.parametrize("run", range(3))
def test_each_test_sees_the_build_as_built_though_others_wrote(cycle, run):
    assert numbers() == [7]
    assert cycle.read_day == 7 and BillingCycle.objects.get(number=7).read_day == 7
    assert not RiderFactor.objects.exists()
    cycle.read_day = 20 + run  # in memory and in the database: neither reaches the next test
    cycle.save()
    BillingCycle.objects.create(number=10 + run, read_day=1, bill_lag_days=9)


@pytest.mark.parametrize("run", range(2))
def test_a_build_on_a_build_shares_its_objects(cycle_with_rider, cycle, run):
    assert cycle_with_rider is cycle
    assert numbers() == [7] and RiderFactor.objects.count() == 1
    cycle.read_day = 3
    cycle.save()
    RiderFactor.objects.all().delete()


def test_a_test_without_it_sees_none_of_it(db):
    assert numbers() == []
    BillingCycle.objects.create(number=30, read_day=1, bill_lag_days=9)


@pytest.mark.django_db
def test_a_marked_test_sees_the_build_as_built(cycle):
    assert numbers() == [7] and cycle.read_day == 7
    BillingCycle.objects.create(number=40, read_day=1, bill_lag_days=9)


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_builds_its_own(cycle):
    assert numbers() == [7] and cycle.read_day == 7
    BillingCycle.objects.create(number=50, read_day=1, bill_lag_days=9)


@pytest.mark.build_per_test
def test_a_test_may_build_its_own(cycle):
    assert numbers() == [7] and cycle.read_day == 7
    cycle.delete()
