"""Builders for rating tests: small tariffs written inline, determinants by keyword."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from coopcis.core.periods import Period
from coopcis.core.rating.determinants import Determinants
from coopcis.core.rating.engine import RatedBill, rate_bill
from coopcis.core.rating.riders import Riders
from coopcis.core.rating.tariff import Tariff, parse_tariff

D = Decimal
MARCH_2020 = Period.month(2020, 3)

ON_PEAK_EVERY_DAY = {
    "time_zone": "America/Denver",
    "windows": [
        {
            "period": "on_peak",
            "start": "15:00",
            "end": "21:00",
            "days": ["weekday", "weekend", "holiday"],
        }
    ],
}


def tariff_of(*components: dict[str, Any], **top: Any) -> Tariff:
    """A test tariff holding ``components`` (tables as in a catalog file)."""
    data: dict[str, Any] = {
        "code": "test",
        "name": "Test schedule",
        "rate_class": "test",
        "effective_date": date(2020, 1, 1),
        "source": {"document": "test document"},
        "components": list(components),
    }
    data.update(top)
    return parse_tariff(data)


def determinants(**values: Any) -> Determinants:
    values.setdefault("period", MARCH_2020)
    values.setdefault("hours", D(743))
    return Determinants(**values)


def bill(tariff: Tariff, riders: Riders | None = None, **values: Any) -> RatedBill:
    return rate_bill(tariff=tariff, determinants=determinants(**values), riders=riders)


def amounts(rated: RatedBill) -> dict[str, str]:
    """Line code -> amount text, for compact assertions."""
    return {line.code: str(line.amount) for line in rated.lines}
