"""Block (tiered) energy charge: kWh priced by cumulative blocks per billing period.

OCEC SUMMARY OF RATES (seed 001), Large Power ~ Regular Rate: "Energy for first
500,000 kWh per billing period: $0.1114"; "Energy over 500,000 kWh per billing
period: $0.0893". One line per block; the first block always shows, later blocks
only when they hold energy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from coopcis.core.rating.components.base import LineDraft, RatingContext, Stage, header, with_note
from coopcis.core.rating.components.blocks import Block, block_label, parse_blocks, split


@dataclass(frozen=True, slots=True)
class BlockEnergy:
    """Billed kWh split over ``blocks``; lines coded ``{code}-1``, ``{code}-2``..."""

    kind: ClassVar[str] = "block_energy"
    stage: ClassVar[Stage] = Stage.CHARGE
    code: str
    description: str
    source: str
    blocks: tuple[Block, ...]

    def required_determinants(self) -> tuple[str, ...]:
        return ("energy_kwh",)

    def drafts(self, context: RatingContext) -> list[LineDraft]:
        quantities = context.quantities
        assert quantities.energy_kwh is not None  # checked by required_determinants
        drafts = []
        for index, (block, lower, kwh) in enumerate(split(quantities.energy_kwh, self.blocks)):
            if index > 0 and kwh == 0:
                continue
            label = f"{self.description}, {block_label(block, lower, 'kWh', index)}"
            if index == 0:
                label = with_note(label, quantities.energy_note)
            drafts.append(
                LineDraft(f"{self.code}-{index + 1}", label, kwh, "kWh", block.rate, self.source)
            )
        return drafts


def parse(data: Mapping[str, Any], where: str, source: str) -> BlockEnergy:
    head = header(
        data,
        where,
        default_code="energy",
        default_description="Energy",
        default_source=source,
        extra=("blocks",),
    )
    blocks = parse_blocks(data, where, bound="up_to_kwh", rate="rate_per_kwh")
    return BlockEnergy(head.code, head.description, head.source, blocks)
