"""Tariffs as data: one effective-dated version of a rate schedule.

A catalog file (``catalog/tariffs/<code>/<YYYY-MM-DD>.toml``) is parsed into a
frozen :class:`Tariff` by :func:`parse_tariff`; the format is described in
``docs/adr/0003-tariff-format.md`` and the seed readings in
``docs/domain/tariffs.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from coopcis.core.rating import _fields as f
from coopcis.core.rating.components.base import Component
from coopcis.core.rating.components.billing_demand import (
    BillingDemandRule,
    parse_billing_demand_rule,
)
from coopcis.core.rating.components.load_factor import LoadFactorRule, parse_load_factor_rule
from coopcis.core.rating.components.power_factor import PowerFactorRule, parse_power_factor_rule
from coopcis.core.rating.errors import TariffError
from coopcis.core.rating.registry import PARSERS
from coopcis.core.rating.tou import TouSchedule, parse_tou_schedule

__all__ = ["Tariff", "TariffError", "TariffSource", "parse_tariff"]

CODE_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TOP_LEVEL = (
    "code",
    "name",
    "rate_class",
    "effective_date",
    "source",
    "interpretations",
    "time_of_use",
    "billing_demand",
    "power_factor",
    "load_factor",
    "components",
)


@dataclass(frozen=True, slots=True)
class TariffSource:
    """Where a schedule's numbers come from: document, filing reference, seed file."""

    document: str
    reference: str | None = None
    seed: str | None = None

    def __str__(self) -> str:
        parts = [self.document]
        if self.reference:
            parts.append(self.reference)
        if self.seed:
            parts.append(f"seed {self.seed}")
        return "; ".join(parts)


@dataclass(frozen=True, kw_only=True, slots=True)
class Tariff:
    """One version of a rate schedule, effective from ``effective_date`` until superseded.

    ``interpretations`` records every reading made where the source is ambiguous.
    ``components`` are the charge shapes in billing order; the optional rules adjust
    measured demand and energy before the charges price them.
    """

    code: str
    name: str
    rate_class: str
    effective_date: date
    source: TariffSource
    interpretations: tuple[str, ...]
    components: tuple[Component, ...]
    time_of_use: TouSchedule | None = None
    billing_demand: BillingDemandRule | None = None
    power_factor: PowerFactorRule | None = None
    load_factor: LoadFactorRule | None = None

    @property
    def required_determinants(self) -> tuple[str, ...]:
        """Determinant names a bill needs, e.g. ``("energy_kwh", "demand_kw")``."""
        names: list[str] = []
        for component in self.components:
            names.extend(component.required_determinants())
        if self.power_factor is not None:
            names.append("power_factor")
        if self.load_factor is not None:
            names.extend(("energy_kwh", "demand_kw"))
        if self.billing_demand is not None:
            names.append("demand_kw")
        return tuple(dict.fromkeys(names))

    @property
    def is_time_of_use(self) -> bool:
        return self.time_of_use is not None


def parse_tariff(data: Mapping[str, Any]) -> Tariff:
    """Build a :class:`Tariff` from a mapping (a parsed TOML file).

    Raises :class:`TariffError` naming the field at fault (``components[2].blocks``).
    """
    if not isinstance(data, Mapping):
        raise TariffError("a tariff must be a table")
    f.only(data, TOP_LEVEL, "")
    code = f.text(data, "code", "")
    if not CODE_PATTERN.match(code):
        raise TariffError(f"must be lowercase words joined by '-', got {code!r}", field="code")
    source = _source(f.table(data, "source", ""))
    schedule = parse_tou_schedule(data["time_of_use"]) if "time_of_use" in data else None
    tariff = Tariff(
        code=code,
        name=f.text(data, "name", ""),
        rate_class=f.text(data, "rate_class", ""),
        effective_date=f.a_date(data, "effective_date", ""),
        source=source,
        interpretations=_interpretations(data),
        components=_components(data, str(source)),
        time_of_use=schedule,
        billing_demand=_optional(data, "billing_demand", parse_billing_demand_rule),
        power_factor=_optional(data, "power_factor", parse_power_factor_rule),
        load_factor=_optional(data, "load_factor", parse_load_factor_rule),
    )
    _check_time_of_use(tariff)
    return tariff


def _source(data: Mapping[str, Any]) -> TariffSource:
    f.only(data, ("document", "reference", "seed"), "source.")
    reference = f.text(data, "reference", "source.") if "reference" in data else None
    seed = f.text(data, "seed", "source.") if "seed" in data else None
    return TariffSource(f.text(data, "document", "source."), reference, seed)


def _interpretations(data: Mapping[str, Any]) -> tuple[str, ...]:
    values = data.get("interpretations", [])
    if isinstance(values, str) or not all(isinstance(value, str) for value in values):
        raise TariffError("must be an array of text", field="interpretations")
    return tuple(values)


def _optional(data: Mapping[str, Any], key: str, parse: Any) -> Any:
    if key not in data:
        return None
    return parse(f.table(data, key, ""))


def _components(data: Mapping[str, Any], source: str) -> tuple[Component, ...]:
    components: list[Component] = []
    for index, raw in enumerate(f.array(data, "components", "")):
        where = f"components[{index}]."
        if not isinstance(raw, Mapping):
            raise TariffError("must be a table", field=where.rstrip("."))
        kind = f.text(raw, "kind", where)
        if kind not in PARSERS:
            raise TariffError(
                f"unknown kind {kind!r}; expected one of {', '.join(sorted(PARSERS))}",
                field=f"{where}kind",
            )
        components.append(PARSERS[kind](raw, where, source))
    if not components:
        raise TariffError("a tariff needs at least one component", field="components")
    codes = [component.code for component in components]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise TariffError(
            f"duplicate component code(s) {', '.join(duplicates)}", field="components"
        )
    return tuple(components)


def _check_time_of_use(tariff: Tariff) -> None:
    for index, component in enumerate(tariff.components):
        periods: tuple[str, ...] | None = getattr(component, "periods", None)
        if periods is None:
            continue
        where = f"components[{index}].rates"
        if tariff.time_of_use is None:
            raise TariffError("TOU charges need a [time_of_use] table", field=where)
        if set(periods) != set(tariff.time_of_use.periods):
            raise TariffError(
                f"must price each TOU period ({', '.join(tariff.time_of_use.periods)})", field=where
            )
