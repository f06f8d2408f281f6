"""Tiered demand charge: billing kW priced by cumulative blocks.

OCEC SUMMARY OF RATES (seed 001): General Service ~ Regular Rate "Demand Charge per
kW: (1-10 kW) $1.25", "(above 10 kW) $9.25"; Large Power ~ Regular Rate "first 500
kW per billing period: $11.25", "over 500 kW: $14.50". A single open block is a
flat demand charge, as Rate 19's "NCP Peak kW $18.50 per kW" (seed 003), which is
applied to billing demand after the power factor, loss and minimum rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from coopcis.core.rating.components.base import LineDraft, RatingContext, Stage, header, with_note
from coopcis.core.rating.components.blocks import Block, block_label, parse_blocks, split


@dataclass(frozen=True, slots=True)
class BlockDemand:
    """Billing kW split over ``blocks``; one block gives one line coded ``code``."""

    kind: ClassVar[str] = "block_demand"
    stage: ClassVar[Stage] = Stage.CHARGE
    code: str
    description: str
    source: str
    blocks: tuple[Block, ...]

    def required_determinants(self) -> tuple[str, ...]:
        return ("demand_kw",)

    def drafts(self, context: RatingContext) -> list[LineDraft]:
        quantities = context.quantities
        assert quantities.demand_kw is not None  # checked by required_determinants
        if len(self.blocks) == 1:
            description = with_note(self.description, quantities.demand_note)
            rate = self.blocks[0].rate
            return [
                LineDraft(self.code, description, quantities.demand_kw, "kW", rate, self.source)
            ]
        drafts = []
        for index, (block, lower, kw) in enumerate(split(quantities.demand_kw, self.blocks)):
            if index > 0 and kw == 0:
                continue
            label = f"{self.description}, {block_label(block, lower, 'kW', index)}"
            if index == 0:
                label = with_note(label, quantities.demand_note)
            drafts.append(
                LineDraft(f"{self.code}-{index + 1}", label, kw, "kW", block.rate, self.source)
            )
        return drafts


def parse(data: Mapping[str, Any], where: str, source: str) -> BlockDemand:
    head = header(
        data,
        where,
        default_code="demand",
        default_description="Demand",
        default_source=source,
        extra=("blocks",),
    )
    blocks = parse_blocks(data, where, bound="up_to_kw", rate="rate_per_kw")
    return BlockDemand(head.code, head.description, head.source, blocks)
