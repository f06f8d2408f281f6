"""Who may borrow: the qualifications of SEC policy 424, decided from recorded facts.

A member qualifies for an aid-to-construction loan when all of these hold:

- twelve months of service from the co-op, or a clean credit report from the previous
  power supplier, recorded on the application;
- late no more than two months in the last twelve for electric service (the months
  come from the account's own bills and payments, or from that prior report);
- no bad debt reported by a credit agency in the last three years (recorded from the
  agency's report);
- a mortgage on the property with its filing and release fees paid in advance, or the
  mortgage waived because the member's capital credits are adequate security (a
  recorded decision until capital credits are kept here).

:func:`loan_refusals` returns every reason the member does not qualify, each citing the
policy; an empty list means the member qualifies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

POLICY = "SEC policy 424"
SERVICE_MONTHS = 12
MOST_LATE_MONTHS = 2
BAD_DEBT_YEARS = 3

MORTGAGE = "MORTGAGE"
CAPITAL_CREDITS = "CAPITAL_CREDITS"


@dataclass(frozen=True, slots=True)
class LoanFacts:
    """What is known about the applicant on the day the application is decided."""

    as_of: date
    service_since: date | None
    prior_utility_report_clean: bool
    late_months: int
    bad_debt_report_on: date | None
    bad_debt_found: bool
    security: str
    mortgage_fees_paid: Decimal
    mortgage_fees_due: Decimal
    waiver_note: str = ""


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (2025-03-15 to 2026-03-14 is 11)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


def loan_refusals(facts: LoanFacts) -> list[str]:
    """Each qualification the applicant lacks, in the policy's words (empty: qualifies)."""
    refusals: list[str] = []
    served = (
        facts.service_since is not None
        and months_between(facts.service_since, facts.as_of) >= SERVICE_MONTHS
    )
    if not served and not facts.prior_utility_report_clean:
        refusals.append(
            f"fewer than {SERVICE_MONTHS} months of service and no clean credit report from "
            f"the previous power supplier recorded ({POLICY})"
        )
    if facts.late_months > MOST_LATE_MONTHS:
        refusals.append(
            f"late {facts.late_months} months in the last twelve, more than "
            f"{MOST_LATE_MONTHS} ({POLICY})"
        )
    if facts.bad_debt_report_on is None:
        refusals.append(f"no credit agency report recorded ({POLICY}: no bad debts in three years)")
    elif facts.bad_debt_found:
        refusals.append(f"a bad debt reported in the last {BAD_DEBT_YEARS} years ({POLICY})")
    if facts.security == MORTGAGE:
        if facts.mortgage_fees_paid < facts.mortgage_fees_due:
            refusals.append(
                f"mortgage filing and release fees ${facts.mortgage_fees_due:,} are paid in "
                f"advance (paid ${facts.mortgage_fees_paid:,}; {POLICY})"
            )
    elif facts.security == CAPITAL_CREDITS:
        if not facts.waiver_note.strip():
            refusals.append(
                "a mortgage waived for capital credits needs the decision recorded "
                f"with its reason ({POLICY})"
            )
    else:
        refusals.append(f"a mortgage on the property, or its waiver for capital credits ({POLICY})")
    return refusals
