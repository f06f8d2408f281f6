"""``coopcis rate quote --received-kwh`` takes the avoided cost in force from the database."""

import json
from datetime import date
from decimal import Decimal as D

import pytest

from coopcis.apps.netmetering.models import AvoidedCostRate
from coopcis.commands import rate

pytestmark = pytest.mark.django_db


def test_the_avoided_cost_in_force_on_the_periods_last_day(capsys):
    AvoidedCostRate.objects.create(
        effective_on=date(2026, 1, 1), rate_per_kwh=D("0.02"), source="a"
    )
    AvoidedCostRate.objects.create(
        effective_on=date(2026, 9, 30), rate_per_kwh=D("0.031"), source="b"
    )
    code = rate.main(
        [
            "quote",
            "ocec-res",
            "--kwh",
            "100",
            "--received-kwh",
            "300",
            "--start",
            "2026-09-01",
            "--end",
            "2026-10-01",
            "--json",
        ]
    )
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert json.loads(out)["net_metering"]["credit"] == "6.20"  # 200 x 0.031
