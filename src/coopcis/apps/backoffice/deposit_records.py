"""What the account page's Security deposits card shows besides the deposits themselves:
the credit decisions (required or not, the amount, and why) and the guarantees.

Reads only. As in :mod:`.protections`, the account query carries one ``EXISTS`` flag per
kind of record (:func:`deposit_flags`), so an account with neither costs no query here and
the page's query count stays fixed; each kind present costs one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists

from coopcis.apps.backoffice.record_flags import exists_flags, has_records
from coopcis.apps.credit.models import CreditDecision, Guarantor
from coopcis.apps.members.models import Account
from coopcis.core.credit import deposits as rule

#: The kinds of record, by the flag the account query carries.
RECORDS: dict[str, Any] = {
    "has_credit_decisions": CreditDecision,
    "has_guarantors": Guarantor,
}

#: Rule No. 4's grounds for a deposit, in the rule's words.
GROUNDS = {
    rule.NEW_WITHOUT_CREDIT: "new member without acceptable credit",
    rule.CHRONICALLY_DELINQUENT: "chronically delinquent",
    rule.RECONNECTION: "reconnection after discontinuance",
    rule.TAMPERING: "tampering or diversion",
}

#: How a member establishes acceptable credit (Rule No. 4).
CREDIT_METHODS = {
    "REFERENCES": "References from a prior utility or a credit source",
    "HOME_OWNER": "Owns or is buying a home",
    "EMPLOYED_A_YEAR": "Employed full time for a year",
    "REGULAR_INCOME": "Adequate regular income",
    "SPOUSE_HISTORY": "A spouse's prior service history",
}


def credit_method_choices() -> list[tuple[str, str]]:
    """The rule's methods, each with its label (the code where none is written here)."""
    return [(code, CREDIT_METHODS.get(code, code)) for code in rule.CREDIT_METHODS]


def deposit_flags() -> dict[str, Exists]:
    """Annotations for an account query: whether it has credit decisions, guarantees."""
    return exists_flags(RECORDS)


@dataclass
class DecisionRow:
    decision: CreditDecision
    why: list[str]


def _why(decision: CreditDecision) -> list[str]:
    """The decision's reasons as staff read them: grounds, credit, special consideration."""
    parts = []
    if decision.reasons:
        grounds = ", ".join(GROUNDS.get(code, code) for code in decision.reasons)
        parts.append(f"Grounds: {grounds}")
    if decision.credit_established_by:
        methods = ", ".join(
            CREDIT_METHODS.get(code, code).lower() for code in decision.credit_established_by
        )
        parts.append(f"Credit established by: {methods}")
    if decision.special_consideration:
        parts.append(f"Special consideration: {decision.special_consideration}")
    if decision.estimate_source:
        parts.append(f"Estimate: {decision.estimate_source}")
    if decision.note:
        parts.append(decision.note)
    return parts


def deposit_records(account: Account) -> dict[str, object]:
    """The account's credit decisions and guarantees, newest first."""
    decisions = []
    if has_records(account, "has_credit_decisions"):
        decisions = [
            DecisionRow(decision, _why(decision))
            for decision in CreditDecision.objects.filter(account=account).order_by(
                "-decided_on", "-id"
            )
        ]
    guarantors = []
    if has_records(account, "has_guarantors"):
        guarantors = list(Guarantor.objects.filter(account=account).order_by("-starts_on", "-id"))
    return {"decisions": decisions, "guarantors": guarantors}
