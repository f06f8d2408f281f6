"""Billing quantities: measured determinants after the tariff's adjustment rules.

Order (Rate 19, seed 003): power factor raises measured demand; losses and the
minimum/contract/ratchet floors give billing demand; the load factor test raises
billed energy using the *measured* (unadjusted) kW.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from coopcis.core.rating.components.billing_demand import BillingDemandRule
from coopcis.core.rating.components.load_factor import LoadFactorRule
from coopcis.core.rating.components.power_factor import PowerFactorRule
from coopcis.core.rating.determinants import Determinants


@dataclass(frozen=True, kw_only=True, slots=True)
class BillingQuantities:
    """What the charges price: billed kWh, billing kW, TOU parts, with notes saying why."""

    determinants: Determinants
    energy_kwh: Decimal | None
    demand_kw: Decimal | None
    demand_kw_by_tou: Mapping[str, Decimal] = field(default_factory=dict)
    energy_note: str = ""
    demand_note: str = ""


def _fmt(value: Decimal) -> str:
    text = f"{value.normalize():,f}" if value == value.to_integral() else f"{value:,f}"
    return text


def billing_quantities(
    determinants: Determinants,
    *,
    billing_demand: BillingDemandRule | None,
    power_factor: PowerFactorRule | None,
    load_factor: LoadFactorRule | None,
) -> BillingQuantities:
    """Apply the tariff's demand and energy rules to measured determinants."""
    measured_kw = determinants.demand_kw
    pf = determinants.power_factor

    def pf_adjust(kw: Decimal) -> Decimal:
        return power_factor.adjust(kw, pf) if power_factor and pf is not None else kw

    demand_kw, demand_note = None, ""
    if measured_kw is not None:
        demand_kw = pf_adjust(measured_kw)
        if power_factor and pf is not None and demand_kw != measured_kw:
            demand_note = f"measured {_fmt(measured_kw)} kW at PF {pf}"
        if billing_demand is not None:
            result = billing_demand.billing_demand(
                adjusted_kw=demand_kw,
                contract_kw=determinants.contract_kw,
                loss_factor=determinants.loss_factor,
                earlier_demand_kw=determinants.earlier_demand_kw,
            )
            if result.basis != "measured":
                demand_note = f"{result.basis}; measured {_fmt(measured_kw)} kW"
            elif billing_demand.loss_adjustment and determinants.loss_factor:
                demand_note = f"measured {_fmt(measured_kw)} kW, losses {determinants.loss_factor}"
            demand_kw = result.kw
    energy_kwh, energy_note = determinants.energy_kwh, ""
    if load_factor is not None and energy_kwh is not None and measured_kw is not None:
        billed = load_factor.billed_kwh(
            metered_kwh=energy_kwh, measured_kw=measured_kw, hours=determinants.hours
        )
        if billed != energy_kwh:
            energy_note = (
                f"metered {_fmt(energy_kwh)} kWh raised to {load_factor.minimum:%} load factor"
            )
        energy_kwh = billed
    by_tou = {name: pf_adjust(kw) for name, kw in determinants.demand_kw_by_tou.items()}
    return BillingQuantities(
        determinants=determinants,
        energy_kwh=energy_kwh,
        demand_kw=demand_kw,
        demand_kw_by_tou=MappingProxyType(by_tou),
        energy_note=energy_note,
        demand_note=demand_note,
    )
