"""Component kinds a tariff file may use, each parsed by its own module."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from coopcis.core.rating.components import (
    base_energy_cost,
    block_demand,
    block_energy,
    cost_adjustment,
    customer_charge,
    flat_energy,
    lighting,
    minimum_bill,
    percentage_fee,
    tou_demand,
    tou_energy,
)
from coopcis.core.rating.components.base import Component

Parser = Callable[[Mapping[str, Any], str, str], Component]

PARSERS: dict[str, Parser] = {
    "customer_charge": customer_charge.parse,
    "flat_energy": flat_energy.parse,
    "block_energy": block_energy.parse,
    "tou_energy": tou_energy.parse,
    "base_energy_cost": base_energy_cost.parse,
    "block_demand": block_demand.parse,
    "tou_demand": tou_demand.parse,
    "lighting": lighting.parse,
    "minimum_bill": minimum_bill.parse,
    "cost_adjustment": cost_adjustment.parse,
    "percentage_fee": percentage_fee.parse,
}
