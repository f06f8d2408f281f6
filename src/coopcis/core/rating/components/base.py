"""What every charge shape shares: the draft line, the rating context, the protocol.

A component turns billing quantities into *draft* lines (quantity, unit, rate);
the engine prices drafts, prorates them across tariff versions and rounds each to
the cent. Components run in stages: charges, then the minimum bill, then per-kWh
riders, then percentage fees (taxes are added by the engine last).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from typing import Any, ClassVar, Protocol

from coopcis.core.money import Money, total
from coopcis.core.rating import _fields as f
from coopcis.core.rating.lines import BillLine
from coopcis.core.rating.quantities import BillingQuantities
from coopcis.core.rating.riders import Riders
from coopcis.core.rating.tou import TouSchedule


class Stage(IntEnum):
    """When a component runs; later stages see the rounded lines of earlier ones."""

    CHARGE = 1
    MINIMUM = 2
    RIDER = 3
    FEE = 4


@dataclass(frozen=True, slots=True)
class LineDraft:
    """An unpriced line; ``prorate=False`` when the draft already holds the share."""

    code: str
    description: str
    quantity: Decimal
    unit: str
    rate: Decimal
    source: str
    prorate: bool = True
    #: a fixed charge (per period, per fixture): billed for the days served when a member
    #: moves in or out during the period (:class:`Served`)
    fixed: bool = False


@dataclass(frozen=True, slots=True)
class Served:
    """The part of a billing period one member was served (moved in or out during it):
    fixed charges are billed for ``days`` of the period's ``of`` days."""

    days: int
    of: int

    def __post_init__(self) -> None:
        if not 0 < self.days <= self.of:
            raise ValueError(f"served {self.days} of {self.of} days: not a part of the period")

    @property
    def whole(self) -> bool:
        return self.days == self.of

    @property
    def share(self) -> Decimal:
        """The exact fraction (not rounded: only the line's amount is rounded)."""
        return Decimal(self.days) / Decimal(self.of)

    @property
    def note(self) -> str:
        return f"{self.days} of {self.of} days"


@dataclass(frozen=True, slots=True)
class RatingContext:
    """What a component may look at while drafting its lines."""

    tariff_code: str
    quantities: BillingQuantities
    riders: Riders | None
    lines: tuple[BillLine, ...]
    share: Decimal
    time_of_use: TouSchedule | None
    served: Served | None = None

    @property
    def served_share(self) -> Decimal:
        return self.served.share if self.served is not None else Decimal(1)

    def lines_total(self, codes: frozenset[str] | None = None) -> Money:
        """Rounded sum of the lines so far (only ``codes`` if given)."""
        return total([line.amount for line in self.lines if codes is None or line.code in codes])


class Component(Protocol):
    """One charge shape of a tariff (a customer charge, a block energy charge...)."""

    kind: ClassVar[str]
    stage: ClassVar[Stage]

    @property
    def code(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def source(self) -> str: ...

    def required_determinants(self) -> tuple[str, ...]: ...

    def drafts(self, context: RatingContext) -> list[LineDraft]: ...


@dataclass(frozen=True, slots=True)
class Header:
    """The fields every component table has: code, description, source."""

    code: str
    description: str
    source: str


def header(
    data: Mapping[str, Any],
    where: str,
    *,
    default_code: str,
    default_description: str,
    default_source: str,
    extra: tuple[str, ...],
) -> Header:
    """Read code/description/source and refuse fields the component does not define."""
    f.only(data, ("kind", "code", "description", "source", *extra), where)
    return Header(
        code=f.text(data, "code", where, default=default_code),
        description=f.text(data, "description", where, default=default_description),
        source=f.text(data, "source", where, default=default_source),
    )


def with_note(description: str, note: str) -> str:
    return f"{description} ({note})" if note else description
