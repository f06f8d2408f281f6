"""The board of trustees: its quorum, terms, special-meeting notice and absences.

Bylaws art. IV sec. 1 (ten trustees), sec. 2 (three-year terms; removal after three
consecutive absences without a bona fide reason), art. V sec. 3 (special meetings on five
days' notice) and sec. 4 (a majority is a quorum).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from coopcis.core.errors import RuleViolation
from coopcis.core.governance.rules import GovernanceRules

PRESENT, EXCUSED, UNEXCUSED = "PRESENT", "EXCUSED", "UNEXCUSED"


def board_quorum(*, rules: GovernanceRules) -> int:
    """art. V sec. 4: a majority of the board (six of ten)."""
    return rules.board_size // 2 + 1


def check_special_board_notice(
    *, notice_on: date, meeting_on: date, rules: GovernanceRules
) -> None:
    """art. V sec. 3: written notice at least five days before a special board meeting."""
    days = (meeting_on - notice_on).days
    if days < rules.board_special_notice_days:
        raise RuleViolation(
            f"notice given {days} days before; a special board meeting needs "
            f"{rules.board_special_notice_days} days' notice ({rules.source} art. V sec. 3)",
            field="notice-on",
        )


def consecutive_unexcused(attendance: Sequence[str]) -> int:
    """Unexcused absences in a row at the latest meetings (oldest first in ``attendance``);
    an excused absence or attendance ends the run."""
    run = 0
    for mark in reversed(attendance):
        if mark != UNEXCUSED:
            break
        run += 1
    return run


def is_flagged_for_removal(attendance: Sequence[str], *, rules: GovernanceRules) -> bool:
    """art. IV sec. 2(d): three or more consecutive meetings missed without a bona fide
    reason (the remaining trustees decide what is one: they mark it EXCUSED)."""
    longest = 0
    run = 0
    for mark in attendance:
        run = run + 1 if mark == UNEXCUSED else 0
        longest = max(longest, run)
    return longest >= rules.consecutive_absences_for_removal


def term_end_year(*, elected_year: int, rules: GovernanceRules) -> int:
    """A trustee elected at a year's annual meeting serves until the annual meeting three
    years on (art. IV sec. 2)."""
    return elected_year + rules.term_years


def check_removal_notice(*, informed_on: date, meeting_on: date, rules: GovernanceRules) -> None:
    """art. IV sec. 4 / art. VI sec. 3: charges in writing at least five days before."""
    days = (meeting_on - informed_on).days
    if days < rules.removal_notice_days:
        raise RuleViolation(
            f"informed {days} days before the meeting; the charges are given at least "
            f"{rules.removal_notice_days} days before ({rules.source} art. IV sec. 4)",
            field="informed-on",
        )
