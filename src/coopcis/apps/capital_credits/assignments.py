"""Assigning capital credits (bylaws art. VIII sec. 2): only on the books, on written
instructions from the assignor, and only to a successor in interest or in occupancy of
all or part of the patron's premises served by the co-op.

The successor's account must take (or have taken) service at a premise where the
assignor's account took service. Each open credit moves whole to the successor (a
partly retired one is split: the retired part stays with the assignor); the ledger moves
the same amount between the two members' patronage capital: Dr 201.1 assignor,
Cr 201.1 successor.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from coopcis.apps.audit.context import current_actor
from coopcis.apps.capital_credits.models import Assignment, CapitalCredit
from coopcis.apps.ledger.models import EntryKind
from coopcis.apps.ledger.services import Posting, post_entry_ids
from coopcis.apps.members.models import Account
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.core.errors import RuleViolation
from coopcis.core.ledger.entries import JournalEntry, credit, debit
from coopcis.core.money import Money

PATRONAGE_CAPITAL = "201.1"
SUCCESSORS = ("INTEREST", "OCCUPANCY")


def _premises(account: Account) -> set[int]:
    return set(
        ServiceAgreement.objects.filter(account=account).values_list(
            "service_point__premise_id", flat=True
        )
    )


@transaction.atomic
def assign_credits(
    *,
    from_account: Account,
    to_account: Account,
    successor: str,
    instructions: str,
    received_on: date,
) -> Assignment:
    """Move ``from_account``'s open credits to its successor ``to_account``."""
    if successor not in SUCCESSORS:
        raise RuleViolation("the successor is in INTEREST or in OCCUPANCY", field="successor")
    if not instructions.strip():
        raise RuleViolation(
            "capital credits are assigned only on written instructions from the assignor "
            "(bylaws art. VIII sec. 2): record them",
            field="instructions",
        )
    if from_account.pk == to_account.pk:
        raise RuleViolation("assign to another account", field="to")
    if not _premises(from_account) & _premises(to_account):
        raise RuleViolation(
            f"account {to_account.number} has no service at a premise of account "
            f"{from_account.number}: credits are assignable only to a successor in interest "
            "or occupancy of the patron's premises (bylaws art. VIII sec. 2)",
            field="to",
        )
    credits = list(
        CapitalCredit.objects.select_for_update().filter(
            account=from_account, retired_amount__lt=F("amount")
        )
    )
    if not credits:
        raise RuleViolation(
            f"account {from_account.number} has no open capital credits", field="account"
        )
    moved = Decimal(0)
    for credit_row in credits:
        open_amount = credit_row.open_amount
        moved += open_amount
        if credit_row.retired_amount:
            credit_row.amount = credit_row.retired_amount
            credit_row.save(update_fields=["amount"])
            credit_row.pk = None
            credit_row.amount, credit_row.retired_amount = open_amount, Decimal(0)
        credit_row.account, credit_row.assigned_from = to_account, from_account
        credit_row.save()
    assignment = Assignment.objects.create(
        from_account=from_account,
        to_account=to_account,
        successor=successor,
        instructions=instructions.strip(),
        received_on=received_on,
        amount=moved,
        recorded_by=current_actor().label,
    )
    memo = f"Capital credits assigned from {from_account.number} to {to_account.number}"
    lines = (
        debit(PATRONAGE_CAPITAL, Money(moved), member_account=from_account.number),
        credit(PATRONAGE_CAPITAL, Money(moved), member_account=to_account.number),
    )
    post_entry_ids(
        [
            Posting(
                entry=JournalEntry(posted_on=received_on, memo=memo, lines=lines),
                kind=EntryKind.ADJUSTMENT,
                source_key=f"capital-credits:assignment:{assignment.pk}",
            )
        ]
    )
    return assignment
