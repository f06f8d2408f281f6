"""Per-period rates shared by the TOU energy and TOU demand charges.

``rates = [{period = "on_peak", label = "on-peak 3 PM to 9 PM", rate_code = "14",
rate_per_kwh = 0.2650}, ...]``; ``rate_code`` keeps the seed's bracketed number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from coopcis.core.rating import _fields as f
from coopcis.core.rating.errors import TariffError


@dataclass(frozen=True, slots=True)
class TouRate:
    period: str
    label: str
    rate: Decimal
    rate_code: str | None = None


def parse_tou_rates(data: Mapping[str, Any], where: str, *, rate_key: str) -> tuple[TouRate, ...]:
    rates: list[TouRate] = []
    for index, raw in enumerate(f.array(data, "rates", where)):
        at = f"{where}rates[{index}]."
        if not isinstance(raw, Mapping):
            raise TariffError("must be a table", field=at.rstrip("."))
        f.only(raw, ("period", "label", "rate_code", rate_key), at)
        period = f.text(raw, "period", at)
        code = raw.get("rate_code")
        if code is not None and not isinstance(code, str):
            raise TariffError("must be text", field=f"{at}rate_code")
        label = f.text(raw, "label", at, default=period.replace("_", "-"))
        rates.append(TouRate(period, label, f.number(raw, rate_key, at), code))
    periods = [rate.period for rate in rates]
    if not periods or len(set(periods)) != len(periods):
        raise TariffError("needs each TOU period once", field=f"{where}rates")
    return tuple(rates)
