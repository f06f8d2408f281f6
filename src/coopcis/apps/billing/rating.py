"""From what was gathered for a service to a rated bill (determinants, riders, engine)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

import numpy as np

from coopcis.apps.billing.gather import Service, local_midnight, span_of
from coopcis.apps.billing.models import LocationTax
from coopcis.catalog.tariffs import load_tariff_versions
from coopcis.core.metering.registers import register_advance
from coopcis.core.periods import Period
from coopcis.core.rating.determinants import Determinants, determinants_from_registers
from coopcis.core.rating.engine import Served, rate_bill, rate_bill_prorated, tariff_slices
from coopcis.core.rating.interval_arrays import TouLabels, determinants_from_arrays
from coopcis.core.rating.lines import RatedBill
from coopcis.core.rating.riders import Riders, TaxRate
from coopcis.core.rating.tariff import Tariff

THOUSAND = Decimal(1000)


class UsageProblem(ValueError):
    """Reads that cannot be billed as they are (the reason code goes on the run's issues)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@cache
def tariff_versions(code: str) -> tuple[Tariff, ...]:
    return tuple(load_tariff_versions(code))


def needs_intervals(tariff: Tariff) -> bool:
    required = set(tariff.required_determinants)
    return any(name.startswith(("energy_kwh_by_tou", "demand_kw")) for name in required)


def register_energy_wh(service: Service) -> int:
    """Energy between the two reads, times the multiplier (rollover and the true-up of an
    estimate as ``coopcis.core.metering.registers`` rules); a register that went backwards
    is refused, and so is a true-up credit larger than the period's use."""
    assert service.previous and service.current
    advance = register_advance(
        previous_wh=service.previous.register_wh,
        current_wh=service.current.register_wh,
        dials=service.dials,
        multiplier=service.multiplier,
        previous_is_estimate=service.previous.kind == "ESTIMATED",
    )
    if advance.went_backwards or advance.energy_wh < 0:
        raise UsageProblem(
            "NEGATIVE_USE",
            f"meter {service.meter_serial} register went from "
            f"{service.previous.register_wh // 1000} to {service.current.register_wh // 1000} kWh "
            f"between {service.previous.read_on} and {service.current.read_on}; "
            "run `coopcis reads validate` and resolve the exception",
        )
    return advance.energy_wh


@dataclass
class Usage:
    determinants: Determinants
    energy_wh: int | None
    demand_kw: Decimal | None
    power_factor: Decimal | None


def service_usage(
    service: Service,
    tariff: Tariff,
    *,
    month: Period,
    arrays: dict[int, tuple[np.ndarray, np.ndarray, int]],
    tou: dict[int, TouLabels],
) -> Usage:
    """Determinants for one service: lights by fixtures, meters by reads or intervals."""
    agreement = service.agreement
    terms = {
        "contract_kw": agreement.contract_kw,
        "loss_factor": agreement.loss_factor or Decimal(0),
        "earlier_demand_kw": (),
    }
    if not service.metered:
        determinants = determinants_from_registers(
            period=service.lighting_part or month, fixtures=agreement.fixtures, **terms
        )
        return Usage(determinants, None, None, None)
    assert service.previous and service.current
    energy_wh = register_energy_wh(service)
    power_factor = service.current.power_factor
    if needs_intervals(tariff) and service.meter_id in arrays:
        starts, values, minutes = arrays[service.meter_id]
        if service.partial:  # this agreement's part of the service point's intervals
            low = int(local_midnight(service.previous.read_on).timestamp())
            high = int(local_midnight(service.current.read_on).timestamp())
            keep = (starts >= low) & (starts < high)
            starts, values = starts[keep], values[keep]
        schedule = tariff.time_of_use
        labels = tou.setdefault(id(schedule), TouLabels(schedule)) if schedule else None
        determinants = determinants_from_arrays(
            starts=starts,
            minutes=minutes,
            energy_wh=values,
            span=span_of(service),
            tariff=tariff,
            tou=labels,
            power_factor=power_factor,
            **terms,
        )
        if determinants.energy_kwh is not None and determinants.energy_kwh * THOUSAND != energy_wh:
            # intervals are the meter's own record; the register is cross-checked, not billed
            raise UsageProblem(
                "REGISTER_MISMATCH",
                f"meter {service.meter_serial}: register says {Decimal(energy_wh) / THOUSAND} kWh, "
                f"intervals sum to {determinants.energy_kwh} kWh",
            )
        return Usage(determinants, energy_wh, determinants.demand_kw, power_factor)
    demand = service.current.demand_kw
    demand_kw = demand * service.multiplier if demand is not None else None
    determinants = determinants_from_registers(
        period=Period(service.previous.read_on, service.current.read_on),
        energy_kwh=Decimal(energy_wh) / THOUSAND,
        demand_kw=demand_kw,
        power_factor=power_factor,
        **terms,
    )
    return Usage(determinants, energy_wh, demand_kw, power_factor)


def served(service: Service, month: Period) -> Served | None:
    """The days of the read-to-read period (of the lighting month, for lights) this
    agreement was served, when a member moved in or out during it; None for all of it."""
    if service.lighting_part is not None:
        return Served(service.lighting_part.days, month.days)
    if service.span is None or not (service.previous and service.current):
        return None
    first, last = service.span
    part = Period(service.previous.read_on, service.current.read_on)
    return Served(part.days, Period(first.read_on, last.read_on).days)


def location_taxes(counties: set[str], on: date) -> dict[str, tuple[TaxRate, ...]]:
    """The taxes in force on ``on`` for each county (latest effective rate per tax)."""
    latest: dict[tuple[str, str], LocationTax] = {}
    for tax in LocationTax.objects.filter(county__in=counties, effective_on__lte=on).order_by(
        "effective_on"
    ):
        latest[(tax.county, tax.name)] = tax
    taxes: dict[str, list[TaxRate]] = {county: [] for county in counties}
    for (county, _name), tax in sorted(latest.items()):
        taxes[county].append(TaxRate(name=tax.name, rate=tax.rate, source=tax.source))
    return {county: tuple(rates) for county, rates in taxes.items()}


def rate(
    versions: tuple[Tariff, ...],
    determinants: Determinants,
    riders: Riders,
    served: Served | None = None,
) -> RatedBill:
    """Rate with the version in force, prorating by days when the period spans two (and
    the fixed charges by the days served, ``served``)."""
    slices = tariff_slices(versions=versions, period=determinants.period)
    if len(slices) == 1:
        return rate_bill(
            tariff=slices[0][0], determinants=determinants, riders=riders, served=served
        )
    return rate_bill_prorated(
        versions=versions, determinants=determinants, riders=riders, served=served
    )
