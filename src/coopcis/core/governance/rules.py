"""The bylaws' numbers as one value, read from the co-op profile's ``[governance]`` table."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class GovernanceRules:
    """OCEC bylaws art. III-VI; each field names its section."""

    #: art. III sec. 1: the annual meeting's month; the profile's usual day (1 = first).
    annual_meeting_month: int = 8
    annual_meeting_weekday: int = 5  # Saturday (Monday is 0)
    annual_meeting_week: int = 1
    #: art. III sec. 3: written notice delivered 10 to 25 days before the meeting.
    notice_min_days: int = 10
    notice_max_days: int = 25
    #: art. III sec. 4: two percent of all members, present in person, rounded up.
    quorum_percent: Decimal = Decimal("2")
    #: art. III sec. 2: special meeting on a petition of ten per centum of the members.
    special_meeting_petition_percent: Decimal = Decimal("10")
    #: art. IV sec. 1, 2: ten trustees, two per district, three-year terms.
    board_size: int = 10
    trustees_per_district: int = 2
    term_years: int = 3
    #: art. IV sec. 3: nominating petition of fifteen or more members of the district,
    #: filed 25 to 45 days before the meeting.
    petition_min_signatures: int = 15
    petition_min_days: int = 25
    petition_max_days: int = 45
    #: art. IV sec. 2(d): absent from three consecutive board meetings without a bona
    #: fide reason.
    consecutive_absences_for_removal: int = 3
    #: art. IV sec. 4, art. VI sec. 3: removal charges with a petition of 10% of the
    #: members; the trustee informed at least five days before the meeting.
    removal_petition_percent: Decimal = Decimal("10")
    removal_notice_days: int = 5
    #: art. V sec. 3: special board meetings on five days' written notice.
    board_special_notice_days: int = 5
    #: Where each rule is written, for refusals ("bylaws art. III sec. 4").
    source: str = "bylaws"

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> GovernanceRules:
        """Build from the profile's ``[governance]`` table; unknown keys are refused."""
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(table) - known)
        if unknown:
            raise ValueError(f"unknown [governance] keys: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for key, value in table.items():
            default = getattr(cls(), key)
            values[key] = Decimal(str(value)) if isinstance(default, Decimal) else value
        return cls(**values)
