"""Energy-efficiency rebates: each measure's rule and the rebate it pays (OCEC handbook).

A measure pays one of five shapes, each with its own rule:

- ``fixed``: one amount for the measure (a freezer, $100);
- ``per_unit``: an amount a unit, up to ``max_quantity`` units where set (a washer or a
  dryer $75 each, $150 a pair);
- ``per_room``: an amount a room (a mini-split, $500 a room);
- ``by_size``: an amount by size band, the band whose lower bound the size reaches (a
  refrigerator $50-$200 by cubic feet);
- ``percent_of_cost``: a percentage of what the member paid, rounded half up to the cent,
  up to an optional cap (insulation 30% of material; an electric mower 25% up to $100).

The rebate never exceeds what the member paid. Limits per account and the program's yearly
budget are the claim's business, not the measure's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from coopcis.core.errors import RuleViolation
from coopcis.core.money import round_half_up

RULES = ("fixed", "per_unit", "per_room", "by_size", "percent_of_cost")


@dataclass(frozen=True)
class Measure:
    code: str
    description: str
    category: str
    rule: str
    amount: Decimal | None = None
    max_quantity: int | None = None
    percent: Decimal | None = None
    cap: Decimal | None = None
    bands: tuple[tuple[Decimal, Decimal], ...] = ()
    size_unit: str = ""
    energy_star: bool = False
    inspection: bool = False

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise RuleViolation(
                f"measure {self.code}: rule is one of {', '.join(RULES)}", field="rule"
            )
        needs = {
            "fixed": self.amount,
            "per_unit": self.amount,
            "per_room": self.amount,
            "by_size": self.bands or None,
            "percent_of_cost": self.percent,
        }[self.rule]
        if needs is None:
            raise RuleViolation(
                f"measure {self.code}: its {self.rule} rule lacks its figure", field="rule"
            )

    def rule_text(self) -> str:
        """The rule in the handbook's words."""
        if self.rule == "fixed":
            return f"${self.amount:,}"
        if self.rule == "per_unit":
            most = f", up to {self.max_quantity}" if self.max_quantity else ""
            return f"${self.amount:,} a unit{most}"
        if self.rule == "per_room":
            return f"${self.amount:,} a room"
        if self.rule == "by_size":
            return ", ".join(
                f"${amount:,} from {size} {self.size_unit}" for size, amount in self.bands
            )
        capped = f" up to ${self.cap:,}" if self.cap is not None else ""
        return f"{self.percent}% of cost{capped}"


def quote_rebate(
    measure: Measure,
    *,
    cost: Decimal,
    quantity: int = 1,
    size: Decimal | None = None,
) -> Decimal:
    """The rebate the measure pays for what the member bought (module docstring)."""
    if cost <= 0:
        raise RuleViolation(
            "the cost is what the member paid: more than $0.00", field="cost", code="cost_positive"
        )
    if quantity < 1:
        raise RuleViolation("the quantity is 1 or more", field="quantity")
    if measure.rule in ("fixed", "by_size", "percent_of_cost") and quantity != 1:
        raise RuleViolation(
            f"{measure.code} is not rebated by the unit: leave out the quantity",
            field="quantity",
            code="not_by_unit",
        )
    if measure.max_quantity is not None and quantity > measure.max_quantity:
        raise RuleViolation(
            f"{measure.code} pays for at most {measure.max_quantity} units",
            field="quantity",
            code="most_units",
            params={"most": measure.max_quantity},
        )
    if measure.rule == "by_size":
        if size is None or size < 0:
            raise RuleViolation(
                f"{measure.code} needs its size ({measure.size_unit})",
                field="size",
                code="size_needed",
                params={"unit": measure.size_unit},
            )
        reached = [amount for lower, amount in measure.bands if size >= lower]
        if not reached:
            raise RuleViolation(
                f"no rebate below {measure.bands[0][0]} {measure.size_unit}",
                field="size",
                code="size_below",
                params={"size": measure.bands[0][0], "unit": measure.size_unit},
            )
        rebate = reached[-1]
    elif size is not None:
        raise RuleViolation(
            f"{measure.code} is not rebated by size: leave out the size",
            field="size",
            code="not_by_size",
        )
    elif measure.rule == "percent_of_cost":
        assert measure.percent is not None
        rebate = round_half_up(cost * measure.percent / 100)
        if measure.cap is not None:
            rebate = min(rebate, measure.cap)
    else:
        assert measure.amount is not None
        rebate = measure.amount * quantity
    return min(rebate, cost)
