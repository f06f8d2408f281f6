"""Where a member resides, for voting and for nominations (bylaws art. IV sec. 2).

A member votes in the trustee district of the premise where they reside. A member served
at several premises (a home and a well, a ranch) resides at a dwelling: a residence or
mobile-home space before any other kind; among several of the same rank, the one served
longest (the earliest agreement still open), then the lowest premise id, so the answer
never depends on the order rows come back in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

DWELLINGS = frozenset({"RESIDENCE", "MOBILE_HOME_SPACE"})


@dataclass(frozen=True, slots=True)
class ServedPremise:
    premise_id: int
    kind: str
    district: str
    served_since: date


def residence_district(premises: Iterable[ServedPremise]) -> str | None:
    """The district of the premise a member resides at, or ``None`` when served nowhere."""
    ranked = sorted(
        premises,
        key=lambda p: (p.kind not in DWELLINGS, p.served_since, p.premise_id),
    )
    return ranked[0].district if ranked else None
