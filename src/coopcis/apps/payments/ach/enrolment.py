"""Enrolling an account in automatic bank draft, and ending the enrolment.

OCEC handbook: the member signs the form and gives a voided check; drafts run on the 3rd
or the 25th. The routing number must pass the ABA check digit (``stdnum.us.rtn``); the
account number is 4 to 17 digits. New or changed bank details get a prenote with the
next file, and live debits wait for it (docs/domain/bank-draft.md).

A co-op moving to coopcis brings mandates its previous system already proved: enrolled
with a :class:`PriorProof` (the day the details were proven and where that is recorded),
such a mandate drafts from the first file, with no new prenote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.us import rtn

from coopcis.apps.members.models import (
    Account,
    AccountStatus,
    BankAccountType,
    BankDraftMandate,
    DraftDay,
)
from coopcis.apps.payments.ach.models import (
    AccountFlag,
    AccountFlagKind,
    Prenote,
    PrenoteStatus,
)
from coopcis.core.errors import RuleViolation


@dataclass(frozen=True)
class PriorProof:
    """The previous system's proof of a mandate's bank details (a prenote that cleared
    there, or the live debits it drafted): the day, and where it is recorded."""

    proven_on: date
    source: str
    #: the day of the import (the caller reads the clock): a proof cannot be later
    imported_on: date

    def check(self) -> None:
        if not self.source.strip():
            raise RuleViolation(
                "say where the previous proof of the bank details is recorded", field="source"
            )
        if self.proven_on > self.imported_on:
            raise RuleViolation(
                f"the bank details cannot be proven on {self.proven_on}, after today "
                f"({self.imported_on})",
                field="proven_on",
            )


def check_routing_number(value: str) -> str:
    """The 9-digit routing number, or a refusal naming ``routing_number``."""
    try:
        return str(rtn.validate(value))
    except StdnumError as error:
        raise RuleViolation(
            f"routing number {value!r} is not valid: {error}", field="routing_number"
        ) from None


def _check(account: Account, account_number: str, account_type: str, holder: str, day: int) -> str:
    if account.status == AccountStatus.CLOSED:
        raise RuleViolation(f"account {account.number} is closed", field="account")
    number = account_number.replace(" ", "").replace("-", "")
    if not (number.isdigit() and 4 <= len(number) <= 17):
        raise RuleViolation(
            "the bank account number must be 4 to 17 digits", field="bank_account_number"
        )
    if account_type not in BankAccountType.values:
        raise RuleViolation(
            f"account type must be one of {', '.join(BankAccountType.values)}",
            field="bank_account_type",
        )
    if not holder.strip():
        raise RuleViolation("name the bank account holder", field="holder_name")
    if day not in DraftDay.values:
        raise RuleViolation("the draft day is the 3rd or the 25th", field="draft_day")
    return number


@transaction.atomic
def enroll_bank_draft(
    *,
    account: Account,
    routing_number: str,
    account_number: str,
    account_type: str,
    holder_name: str,
    draft_day: int,
    signed_on: date,
    bank_name: str = "",
    prior_proof: PriorProof | None = None,
) -> BankDraftMandate:
    """Sign the account up (or change its bank details or draft day) and queue a prenote
    when the bank details are new; with ``prior_proof`` (a mandate brought over from the
    previous system) record that proof instead of queueing a prenote."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    routing = check_routing_number(routing_number.strip())
    number = _check(account, account_number, account_type, holder_name, draft_day)
    if prior_proof is not None:
        prior_proof.check()
    mandate = BankDraftMandate.objects.filter(account=account).first() or BankDraftMandate(
        account=account
    )
    # bank details are encrypted at rest: compared here, not in the database
    proven = mandate.pk is not None and any(
        (p.routing_number, p.bank_account_number, p.bank_account_type)
        == (routing, number, account_type)
        for p in Prenote.objects.filter(
            mandate=mandate,
            status__in=[PrenoteStatus.PENDING, PrenoteStatus.SENT, PrenoteStatus.IMPORTED],
        )
    )
    mandate.routing_number, mandate.bank_account_number = routing, number
    mandate.bank_account_type, mandate.holder_name = account_type, holder_name.strip()
    mandate.draft_day, mandate.signed_on, mandate.active = draft_day, signed_on, True
    mandate.bank_name = bank_name.strip()
    mandate.with_reason("bank draft enrolment signed").save()
    if prior_proof is not None:
        Prenote.objects.filter(mandate=mandate, status=PrenoteStatus.PENDING).delete()
        Prenote.objects.create(
            mandate=mandate,
            routing_number=routing,
            bank_account_number=number,
            bank_account_type=account_type,
            requested_on=prior_proof.imported_on,
            status=PrenoteStatus.IMPORTED,
            proven_on=prior_proof.proven_on,
            source=prior_proof.source.strip()[:120],
        )
    elif not proven:
        Prenote.objects.filter(mandate=mandate, status=PrenoteStatus.PENDING).delete()
        Prenote.objects.create(
            mandate=mandate,
            routing_number=routing,
            bank_account_number=number,
            bank_account_type=account_type,
            requested_on=signed_on,
        )
    if not account.autopay:
        account.autopay = True
        account.with_reason("enrolled in automatic bank draft").save(update_fields=["autopay"])
    return mandate


def end_bank_draft(*, mandate: BankDraftMandate, on: date, reason: str, source_key: str) -> bool:
    """Stop drafting: the mandate goes inactive and the account leaves autopay, flagged.
    False when it had already ended. Runs inside the caller's transaction."""
    mandate = BankDraftMandate.objects.select_for_update().get(pk=mandate.pk)
    if not mandate.active:
        return False
    mandate.active = False
    mandate.with_reason(reason).save(update_fields=["active"])
    account = Account.objects.select_for_update().get(pk=mandate.account_id)
    account.autopay = False
    account.with_reason(reason).save(update_fields=["autopay"])
    Prenote.objects.filter(mandate=mandate, status=PrenoteStatus.PENDING).delete()
    AccountFlag.objects.get_or_create(
        source_key=source_key,
        defaults={
            "account": account,
            "kind": AccountFlagKind.AUTOPAY_ENDED,
            "on": on,
            "detail": reason[:200],
        },
    )
    return True
