"""Billing determinants: what was measured in one billing period.

The engine prices these; it never reads meters. Determinants come from monthly
register reads (:func:`determinants_from_registers`) or from interval data
(:func:`coopcis.core.rating.intervals.determinants_from_intervals`).

What the service agreement fixes for a large-power member (contract kW, the loss
factor between meter and point of delivery, earlier months' peaks for a ratchet)
travels here too, so one value carries everything a bill needs (ADR 0003).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from zoneinfo import ZoneInfo

from coopcis.core.money import to_decimal
from coopcis.core.periods import CO_OP_TIME_ZONE, Period
from coopcis.core.rating.errors import MissingDeterminantError

__all__ = [
    "Determinants",
    "MissingDeterminantError",
    "determinants_from_registers",
    "hours_in_period",
    "power_factor_from_kvarh",
]

ZERO = Decimal(0)


def _frozen_mapping(values: Mapping[str, object], name: str) -> Mapping[str, Decimal]:
    converted: dict[str, Decimal] = {}
    for key, value in values.items():
        number = to_decimal(value)
        if number < 0:
            raise ValueError(f"{name}[{key}] must not be negative, got {number}")
        converted[str(key)] = number
    return MappingProxyType(converted)


def _non_negative(value: object, name: str) -> Decimal:
    number = to_decimal(value)
    if number < 0:
        raise ValueError(f"{name} must not be negative, got {number}")
    return number


@dataclass(frozen=True, kw_only=True, slots=True)
class Determinants:
    """Quantities measured in the billing period ``period`` (local dates, half-open).

    ``hours`` is the elapsed time of the period (a DST-change day counts 23 or 25),
    used by Rate 19's load factor test. ``energy_kwh_by_tou`` and ``demand_kw_by_tou``
    are keyed by period name ("on_peak", "off_peak"); without ``energy_kwh`` the
    total is the sum of the TOU parts (and must equal it when given). ``earlier_demand_kw`` are the
    measured peaks of earlier billing periods, most recent first (for ratchets).
    ``loss_factor`` is the fraction added for losses between meter and point of
    delivery (Rate 19, DETERMINATION OF BILLING DEMAND). All numbers are Decimal;
    floats are refused.
    """

    period: Period
    hours: Decimal
    energy_kwh: Decimal | None = None
    energy_kwh_by_tou: Mapping[str, Decimal] = field(default_factory=dict)
    demand_kw: Decimal | None = None
    demand_kw_by_tou: Mapping[str, Decimal] = field(default_factory=dict)
    power_factor: Decimal | None = None
    fixtures: int | None = None
    contract_kw: Decimal | None = None
    loss_factor: Decimal = ZERO
    earlier_demand_kw: tuple[Decimal, ...] = ()

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "hours", _non_negative(self.hours, "hours"))
        for name in ("energy_kwh", "demand_kw", "contract_kw"):
            value = getattr(self, name)
            if value is not None:
                put(self, name, _non_negative(value, name))
        put(self, "energy_kwh_by_tou", _frozen_mapping(self.energy_kwh_by_tou, "energy_kwh_by_tou"))
        if self.energy_kwh_by_tou:
            parts_kwh = sum(self.energy_kwh_by_tou.values(), ZERO)
            if self.energy_kwh is None:
                put(self, "energy_kwh", parts_kwh)
            elif self.energy_kwh != parts_kwh:
                raise ValueError(
                    f"energy_kwh {self.energy_kwh} is not the sum of its TOU parts {parts_kwh}"
                )
        put(self, "demand_kw_by_tou", _frozen_mapping(self.demand_kw_by_tou, "demand_kw_by_tou"))
        put(self, "loss_factor", _non_negative(self.loss_factor, "loss_factor"))
        put(
            self,
            "earlier_demand_kw",
            tuple(_non_negative(peak, "earlier_demand_kw") for peak in self.earlier_demand_kw),
        )
        if self.power_factor is not None:
            power_factor = to_decimal(self.power_factor)
            if not ZERO < power_factor <= 1:
                raise ValueError(f"power_factor must be in (0, 1], got {power_factor}")
            put(self, "power_factor", power_factor)
        if self.fixtures is not None and (
            isinstance(self.fixtures, bool)
            or not isinstance(self.fixtures, int)
            or self.fixtures < 0
        ):
            raise ValueError(f"fixtures must be a whole number >= 0, got {self.fixtures!r}")

    def has(self, name: str) -> bool:
        """Whether the determinant ``name`` is present (``energy_kwh_by_tou.on_peak`` form)."""
        if "." in name:
            mapping_name, key = name.split(".", 1)
            mapping: Mapping[str, Decimal] = getattr(self, mapping_name)
            return key in mapping
        return getattr(self, name) is not None

    def require(self, tariff_code: str, names: tuple[str, ...]) -> None:
        """Raise :class:`MissingDeterminantError` listing every name not present."""
        missing = [name for name in names if not self.has(name)]
        if missing:
            raise MissingDeterminantError(tariff_code, missing)


def hours_in_period(period: Period, *, time_zone: ZoneInfo = CO_OP_TIME_ZONE) -> Decimal:
    """Elapsed hours from local midnight at ``period.start`` to local midnight at ``end``.

    A period holding the spring-forward day has one hour fewer than 24 x days.
    """
    # Same-zone aware datetimes subtract as wall clock; convert to UTC for elapsed time.
    start_at = datetime.combine(period.start, datetime.min.time(), tzinfo=time_zone)
    end_at = datetime.combine(period.end, datetime.min.time(), tzinfo=time_zone)
    seconds = int((end_at.astimezone(UTC) - start_at.astimezone(UTC)).total_seconds())
    return Decimal(seconds) / Decimal(3600)


def power_factor_from_kvarh(*, energy_kwh: Decimal, reactive_kvarh: Decimal) -> Decimal:
    """Average power factor of a period from its kWh and kVARh registers.

    PF = kWh / sqrt(kWh^2 + kVARh^2): the displacement power factor a demand and
    power-factor meter (Rate 19, METERING) reports as the period's average.
    """
    energy, reactive = to_decimal(energy_kwh), abs(to_decimal(reactive_kvarh))
    if energy <= 0:
        raise ValueError("power factor needs a positive kWh register")
    return energy / (energy * energy + reactive * reactive).sqrt()


def determinants_from_registers(
    *,
    period: Period,
    energy_kwh: Decimal | None = None,
    demand_kw: Decimal | None = None,
    power_factor: Decimal | None = None,
    reactive_kvarh: Decimal | None = None,
    hours: Decimal | None = None,
    **agreement: object,
) -> Determinants:
    """Determinants from monthly register reads (kWh, kW, and PF or kVARh).

    ``hours`` defaults to the period's elapsed local hours. ``agreement`` passes
    the remaining :class:`Determinants` fields through (``contract_kw``,
    ``loss_factor``, ``earlier_demand_kw``, ``energy_kwh_by_tou``, ``fixtures``...).
    """
    if power_factor is not None and reactive_kvarh is not None:
        raise ValueError("give power_factor or reactive_kvarh, not both")
    if reactive_kvarh is not None:
        if energy_kwh is None:
            raise ValueError("reactive_kvarh needs energy_kwh to give a power factor")
        power_factor = power_factor_from_kvarh(energy_kwh=energy_kwh, reactive_kvarh=reactive_kvarh)
    return Determinants(
        period=period,
        hours=hours if hours is not None else hours_in_period(period),
        energy_kwh=energy_kwh,
        demand_kw=demand_kw,
        power_factor=power_factor,
        **agreement,  # type: ignore[arg-type]
    )
