"""Splitting a quantity into declining or inclining blocks (tiers).

A block list is ``[(up_to, rate), ..., (None, rate)]``: each ``up_to`` is the
cumulative upper bound of its block; the last block is open-ended. A quantity
exactly at a bound falls wholly in the lower block (500,000 kWh is all "first
500,000 kWh"). Nothing is rounded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from coopcis.core.rating import _fields as f
from coopcis.core.rating.errors import TariffError

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Block:
    """Rate for the quantity between the previous block's bound and ``up_to``."""

    up_to: Decimal | None
    rate: Decimal


def split(quantity: Decimal, blocks: Sequence[Block]) -> list[tuple[Block, Decimal, Decimal]]:
    """``(block, lower bound, quantity in block)`` for every block, in order."""
    parts = []
    lower = ZERO
    for block in blocks:
        upper = quantity if block.up_to is None else min(quantity, block.up_to)
        parts.append((block, lower, max(ZERO, upper - lower)))
        if block.up_to is not None:
            lower = block.up_to
    return parts


def block_label(block: Block, lower: Decimal, unit: str, index: int) -> str:
    """``first 500,000 kWh``, ``next 100 kW``, ``over 500,000 kWh``."""
    if block.up_to is None:
        return f"over {lower:,f} {unit}" if lower else f"all {unit}"
    if index == 0:
        return f"first {block.up_to:,f} {unit}"
    return f"next {block.up_to - lower:,f} {unit}"


def parse_blocks(
    data: Mapping[str, Any], where: str, *, bound: str, rate: str
) -> tuple[Block, ...]:
    """Read ``blocks = [{up_to_kwh = 500000, rate_per_kwh = 0.1114}, {rate_per_kwh = ...}]``."""
    raw_blocks = f.array(data, "blocks", where)
    if not raw_blocks:
        raise TariffError("needs at least one block", field=f"{where}blocks")
    blocks: list[Block] = []
    previous = ZERO
    for index, raw in enumerate(raw_blocks):
        at = f"{where}blocks[{index}]."
        if not isinstance(raw, Mapping):
            raise TariffError("must be a table", field=at.rstrip("."))
        f.only(raw, (bound, rate), at)
        is_last = index == len(raw_blocks) - 1
        up_to = f.optional_number(raw, bound, at)
        if is_last and up_to is not None:
            raise TariffError(f"the last block is open-ended: drop {bound}", field=f"{at}{bound}")
        if not is_last and (up_to is None or up_to <= previous):
            raise TariffError(f"must be above {previous}", field=f"{at}{bound}")
        blocks.append(Block(up_to, f.number(raw, rate, at)))
        previous = up_to if up_to is not None else previous
    return tuple(blocks)
