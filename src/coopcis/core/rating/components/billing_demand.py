"""Billing demand: the kW a demand charge applies to.

Rate 19, DETERMINATION OF BILLING DEMAND (seed 003): billed demand is "the greater
of 1,000 kilowatts (kW) or the Maximum Actual Demand"; the NCP demand "in no event
shall ... be less than the contracted minimum kW demand" and is "adjusted ... to
account for losses between the metering location and the point of delivery".
So: billing kW = max(minimum kW, contract kW, ratchet, PF-adjusted kW x (1 + loss
factor)). The ratchet (not used by the seed tariffs) is ``ratchet_percent`` of the
highest measured peak of the ``ratchet_months`` earlier billing periods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from coopcis.core.rating import _fields as f
from coopcis.core.rating.errors import TariffError

ZERO = Decimal(0)
HUNDRED = Decimal(100)

BD_SOURCE = "Rate 19, DETERMINATION OF BILLING DEMAND AND CONSUMPTION (seed 003)"


@dataclass(frozen=True, slots=True)
class BillingDemand:
    """The billing kW and the candidate that set it (for the bill's description)."""

    kw: Decimal
    basis: str


@dataclass(frozen=True, slots=True)
class BillingDemandRule:
    """Floors and adjustments turning (PF-adjusted) measured kW into billing kW."""

    minimum_kw: Decimal = ZERO
    use_contract_kw: bool = False
    loss_adjustment: bool = False
    ratchet_percent: Decimal = ZERO
    ratchet_months: int = 0
    source: str = BD_SOURCE

    def __post_init__(self) -> None:
        if self.ratchet_percent > HUNDRED or self.ratchet_percent < 0:
            raise TariffError("must be between 0 and 100", field="billing_demand.ratchet_percent")
        if (self.ratchet_percent > 0) != (self.ratchet_months > 0):
            raise TariffError(
                "a ratchet needs both ratchet_percent and ratchet_months",
                field="billing_demand.ratchet_months",
            )

    def billing_demand(
        self,
        *,
        adjusted_kw: Decimal,
        contract_kw: Decimal | None,
        loss_factor: Decimal,
        earlier_demand_kw: tuple[Decimal, ...],
    ) -> BillingDemand:
        """The greatest of the candidates; ties keep the earlier (metered) basis."""
        metered = adjusted_kw * (1 + loss_factor) if self.loss_adjustment else adjusted_kw
        candidates = [(metered, "measured")]
        if self.minimum_kw > 0:
            candidates.append((self.minimum_kw, "tariff minimum"))
        if self.use_contract_kw and contract_kw is not None:
            candidates.append((contract_kw, "contract minimum"))
        recent = earlier_demand_kw[: self.ratchet_months]
        if self.ratchet_months and recent:
            ratchet = max(recent) * self.ratchet_percent / HUNDRED
            candidates.append((ratchet, f"{self.ratchet_percent}% ratchet"))
        kw, basis = candidates[0]
        for candidate_kw, candidate_basis in candidates[1:]:
            if candidate_kw > kw:
                kw, basis = candidate_kw, candidate_basis
        return BillingDemand(kw=kw, basis=basis)


def parse_billing_demand_rule(data: Mapping[str, Any]) -> BillingDemandRule:
    where = "billing_demand."
    allowed = ("minimum_kw", "contract_kw", "loss_adjustment", "ratchet_percent", "ratchet_months")
    f.only(data, (*allowed, "source"), where)
    months = data.get("ratchet_months", 0)
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise TariffError("must be a whole number of months", field=f"{where}ratchet_months")
    return BillingDemandRule(
        minimum_kw=f.number(data, "minimum_kw", where, default=ZERO),
        use_contract_kw=f.boolean(data, "contract_kw", where, False),
        loss_adjustment=f.boolean(data, "loss_adjustment", where, False),
        ratchet_percent=f.number(data, "ratchet_percent", where, default=ZERO),
        ratchet_months=months,
        source=f.text(data, "source", where, default=BD_SOURCE),
    )
