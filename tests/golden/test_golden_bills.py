"""Golden bill scenarios: each file in scenarios/ is a tariff code, determinants and the
bill worked out by hand from the seed tariff text (arithmetic in the file's comments).

Every line the engine returns must be listed, in order, with its amount; quantity and
rate are checked where the scenario gives them.
"""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from coopcis.catalog.tariffs import load_tariff, tariff_codes
from coopcis.core.periods import Period
from coopcis.core.rating.determinants import Determinants, hours_in_period
from coopcis.core.rating.engine import rate_bill
from coopcis.core.rating.riders import Riders, TaxRate

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.toml"))


def load(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def determinants_of(data: dict[str, Any]) -> Determinants:
    values = dict(data)
    period = Period(values.pop("period_start"), values.pop("period_end"))
    values.setdefault("hours", hours_in_period(period))
    for key, value in values.items():
        if isinstance(value, str):
            values[key] = Decimal(value)
        elif isinstance(value, dict):
            values[key] = {name: Decimal(text) for name, text in value.items()}
    return Determinants(period=period, **values)


def riders_of(data: dict[str, Any] | None) -> Riders | None:
    if data is None:
        return None
    factors = {key: Decimal(data[key]) for key in ("pca", "dca") if key in data}
    taxes = ()
    if "gross_receipts" in data:
        taxes = (TaxRate(name="Gross receipts", rate=Decimal(data["gross_receipts"])),)
    return Riders(factors_per_kwh=factors, taxes=taxes)


def test_every_seed_tariff_has_a_golden_scenario():
    covered = {load(path)["tariff"] for path in SCENARIOS}
    assert covered == set(tariff_codes())


@pytest.mark.parametrize("path", SCENARIOS, ids=[path.stem for path in SCENARIOS])
def test_golden_bill(path: Path):
    scenario = load(path)
    found = determinants_of(scenario["determinants"])
    tariff = load_tariff(scenario["tariff"], on=found.period.start)
    assert isinstance(found.period.start, date)
    rated = rate_bill(tariff=tariff, determinants=found, riders=riders_of(scenario.get("riders")))

    expected = scenario["expected"]
    assert [line.code for line in rated.lines] == [line["code"] for line in expected["lines"]]
    for line, want in zip(rated.lines, expected["lines"], strict=True):
        assert str(line.amount) == want["amount"], line.code
        if "quantity" in want:
            assert line.quantity == Decimal(want["quantity"]), line.code
        if "rate" in want:
            assert line.rate == Decimal(want["rate"]), line.code
    assert str(rated.total) == expected["total"]
