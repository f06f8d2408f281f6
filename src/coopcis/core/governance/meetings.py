"""Members' meetings: the annual meeting's day, the notice window and the quorum.

Bylaws art. III: annual meeting in August (OCEC: the first Saturday), special meetings
called by the board, three trustees, the president or ten per cent of the members; a
written notice delivered 10 to 25 days before; a quorum of two per cent of all members
present in person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from coopcis.core.errors import RuleViolation
from coopcis.core.governance.rules import GovernanceRules

#: art. III sec. 6, the order of business, as the notice and the minutes list it.
ORDER_OF_BUSINESS = (
    "Report the existence of a quorum",
    "Reading of the notice of the meeting and proof of its mailing",
    "Reading of unapproved minutes of previous meetings and action on them",
    "Reports of officers, trustees and committees",
    "Election of trustees",
    "Unfinished business",
    "New business",
    "Adjournment",
)


def usual_annual_meeting_day(*, year: int, rules: GovernanceRules) -> date:
    """The profile's annual meeting day: e.g. the first Saturday of August."""
    first = date(year, rules.annual_meeting_month, 1)
    offset = (rules.annual_meeting_weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (rules.annual_meeting_week - 1))


def check_annual_meeting_day(*, on: date, rules: GovernanceRules) -> None:
    """art. III sec. 1: the annual meeting is held during the month the bylaws name."""
    if on.month != rules.annual_meeting_month:
        month = date(2000, rules.annual_meeting_month, 1).strftime("%B")
        raise RuleViolation(
            f"the annual meeting is held in {month} ({rules.source} art. III sec. 1)",
            field="date",
        )


def notice_window(*, meeting_on: date, rules: GovernanceRules) -> tuple[date, date]:
    """The first and latest days a meeting's notice may be mailed (art. III sec. 3)."""
    return (
        meeting_on - timedelta(days=rules.notice_max_days),
        meeting_on - timedelta(days=rules.notice_min_days),
    )


def check_notice_date(*, mailed_on: date, meeting_on: date, rules: GovernanceRules) -> None:
    """Refuse a notice mailed outside 10 to 25 days before the meeting (art. III sec. 3)."""
    first, latest = notice_window(meeting_on=meeting_on, rules=rules)
    if not first <= mailed_on <= latest:
        raise RuleViolation(
            f"{mailed_on.isoformat()} is {(meeting_on - mailed_on).days} days before the "
            f"meeting; notice is delivered {rules.notice_min_days} to {rules.notice_max_days}"
            f" days before, {first.isoformat()} to {latest.isoformat()} "
            f"({rules.source} art. III sec. 3)",
            field="mailed-on",
        )


@dataclass(frozen=True, slots=True)
class Quorum:
    """art. III sec. 4: ``required`` members present in person out of ``members_of_record``."""

    members_of_record: int
    present: int
    required: int

    @property
    def has_quorum(self) -> bool:
        return self.present >= self.required


def percent_of(count: int, percent: Decimal) -> int:
    """``percent`` % of ``count`` members, rounded up to a whole member (a part of a member
    cannot be present; 2% of 20,001 is 400.02, so 401 are needed)."""
    return int((Decimal(count) * percent / 100).to_integral_value(rounding=ROUND_CEILING))


def members_quorum(*, members_of_record: int, present: int, rules: GovernanceRules) -> Quorum:
    """Two per cent of all members of record, present in person, rounded up; at least one."""
    required = max(1, percent_of(members_of_record, rules.quorum_percent))
    return Quorum(members_of_record=members_of_record, present=present, required=required)


def is_majority(*, votes_for: int, votes_against: int) -> bool:
    """art. III sec. 5: other questions carry by a majority of the members voting on them."""
    return votes_for > votes_against
