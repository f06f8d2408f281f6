"""Partial restorations: which customers are back, and their interruptions (IEEE 1366).

An outage may hold nested outages: devices below its own found out while it was open (a
fuse blown under an open recloser, or a recloser closed with a fuse below it still open).
A member's power is back only when every outage on the way down to them is restored, so:

- a nested outage restored while an outage above it is still open restores nobody yet:
  its members wait for the upstream device;
- an outage restored with a nested one still open restores every member under it except
  those under the open nested outage, who stay out until it is restored too.

Each outage accounts for the members under its device and under none of its nested
outages (its *own* members). Their interruption is final once the outage and every outage
above it in the family are restored: it starts at the earliest start on that chain and ends
at the latest restoration on it. One interruption is recorded per outage for its own
members (customers interrupted, customer minutes = customers x minutes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Span:
    """One outage of a family: its members under its device (``affected``), its start and
    restoration (None while open), the outage it is nested in, and whether its own
    interruption is already recorded."""

    key: str
    affected: int
    start_at: datetime
    restored_at: datetime | None
    parent: str | None = None
    recorded: bool = False


@dataclass(frozen=True)
class Settled:
    """An interruption now final: the outage's own members, from ``start_at`` to ``end_at``."""

    key: str
    customers: int
    start_at: datetime
    end_at: datetime

    @property
    def customer_minutes(self) -> float:
        return self.customers * (self.end_at - self.start_at).total_seconds() / 60


def own_members(spans: Sequence[Span]) -> dict[str, int]:
    """Members each outage accounts for: under its device and under none of its nested
    outages (nested outages are disjoint: each hangs from the nearest outage above it)."""
    nested: dict[str, int] = {}
    for span in spans:
        if span.parent is not None:
            nested[span.parent] = nested.get(span.parent, 0) + span.affected
    own = {}
    for span in spans:
        count = span.affected - nested.get(span.key, 0)
        if count < 0:
            raise ValueError(f"outage {span.key}: nested outages hold more members than it")
        own[span.key] = count
    return own


def _chain(span: Span, by_key: Mapping[str, Span]) -> list[Span]:
    chain = [span]
    seen = {span.key}
    while chain[-1].parent is not None and chain[-1].parent in by_key:
        upper = by_key[chain[-1].parent]
        if upper.key in seen:
            raise ValueError(f"outage {span.key}: nested outages form a loop")
        seen.add(upper.key)
        chain.append(upper)
    return chain


def settle(spans: Sequence[Span]) -> list[Settled]:
    """The interruptions that became final and are not recorded yet: for each outage whose
    chain up (itself and every outage it is nested in) is restored, its own members from
    the earliest start to the latest restoration on the chain. Outages whose own members
    are none (all under nested outages) record nothing."""
    by_key = {span.key: span for span in spans}
    own = own_members(spans)
    settled = []
    for span in spans:
        if span.recorded or own[span.key] == 0:
            continue
        chain = _chain(span, by_key)
        ends = [item.restored_at for item in chain]
        if any(end is None for end in ends):
            continue
        settled.append(
            Settled(
                key=span.key,
                customers=own[span.key],
                start_at=min(item.start_at for item in chain),
                end_at=max(end for end in ends if end is not None),
            )
        )
    return settled


def still_out(spans: Sequence[Span]) -> int:
    """Members still without power in the family: the own members of every outage with an
    open outage on its chain up."""
    by_key = {span.key: span for span in spans}
    own = own_members(spans)
    return sum(
        own[span.key]
        for span in spans
        if any(item.restored_at is None for item in _chain(span, by_key))
    )
