"""ACH returns from the bank, and what any returned payment does to the account.

A returned draft (R01 insufficient funds and the rest) is posted as a reversal of its
payment, adds the profile's returned-payment fee (``returned_check``: $40 at OCEC) when
the code is one the member answers for, and flags the account. The second return within
12 months (``DraftPolicy``), or a code after which NACHA forbids trying again (account
closed, authorization revoked...), ends the automatic bank draft. A returned prenote
ends the enrolment too: the bank details are wrong.

A returns file is imported all or nothing, once (by its SHA-256): a file whose records
or control totals do not agree is refused with the line at fault, and nothing posts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction

from coopcis.apps.members.models import BankDraftMandate
from coopcis.apps.payments.ach.enrolment import end_bank_draft
from coopcis.apps.payments.ach.models import (
    AccountFlag,
    AccountFlagKind,
    AchDraftEntry,
    AchEntryStatus,
    AchReturn,
    AchReturnFile,
    PrenoteStatus,
)
from coopcis.apps.payments.models import Payment, PaymentStatus
from coopcis.apps.payments.services import reverse_payment
from coopcis.apps.receivables.services import charge_fee
from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money
from coopcis.core.payments import nacha
from coopcis.core.payments.calendar import DraftPolicy, months_before

RETURNED_PAYMENT_FEE = "returned_check"
ALREADY_RETURNED = "already returned"
NOT_POSTED = "its payment is not posted: nothing reversed"


def record_returned_payment(
    *,
    payment: Payment,
    on: date,
    reason: str,
    return_code: str,
    source_key: str,
    charge: bool,
    ends_mandate: bool,
    policy: DraftPolicy,
) -> list[str]:
    """Reverse the payment, charge the fee, flag the account and end autopay when the
    returns say so. Returns what was done, for the command's report."""
    done = [f"payment {payment.pk} ${payment.amount} reversed"]
    reverse_payment(payment=payment, on=on, reason=reason, return_code=return_code)
    account = payment.account
    if charge:
        fee = charge_fee(
            account=account,
            fee_code=RETURNED_PAYMENT_FEE,
            on=on,
            reason=reason,
            source_key=source_key,
        )
        if fee is not None:
            done.append(f"fee ${fee.amount}")
    AccountFlag.objects.get_or_create(
        source_key=source_key,
        defaults={
            "account": account,
            "kind": AccountFlagKind.RETURNED_PAYMENT,
            "on": on,
            "detail": reason[:200],
        },
    )
    since = months_before(on, policy.returns_window_months)
    returns = AccountFlag.objects.filter(
        account=account, kind=AccountFlagKind.RETURNED_PAYMENT, on__gt=since, on__lte=on
    ).count()
    mandate = BankDraftMandate.objects.filter(account=account, active=True).first()
    if mandate is not None and (ends_mandate or returns >= policy.returns_to_end_autopay):
        why = (
            reason
            if ends_mandate
            else f"{returns} returned payments in {policy.returns_window_months} months"
        )
        end_bank_draft(
            mandate=mandate, on=on, reason=f"autopay ended: {why}", source_key=f"end:{source_key}"
        )
        done.append("autopay ended")
    return done


@dataclass
class ReturnsImport:
    return_file: AchReturnFile
    created: bool
    lines: list[str] = field(default_factory=list)
    posted: int = 0  # returns matched to a draft of ours and acted on
    not_ours: int = 0  # returns of entries no draft of ours has the trace number of

    def summary(self) -> str:
        """One line: what the file held and what was done with it."""
        count = self.return_file.return_count
        if not count:
            return "no returns in the file; nothing posted"
        other = count - self.posted - self.not_ours
        parts = [f"{count} returns read", f"{self.posted} posted"]
        if self.not_ours:
            parts.append(f"{self.not_ours} name no draft of ours (nothing posted)")
        if other:
            parts.append(f"{other} already returned or with nothing to reverse")
        return ", ".join(parts)


def _one_return(
    entry: nacha.Entry, imported_on: date, policy: DraftPolicy
) -> tuple[AchDraftEntry | None, str]:
    addenda = entry.return_addenda
    assert addenda is not None
    reason = nacha.return_reason(addenda.return_reason_code)
    draft = (
        AchDraftEntry.objects.select_for_update(of=("self",))
        .filter(trace_number=addenda.original_trace_number)
        .select_related("payment", "mandate")
        .first()
    )
    if draft is None:
        return None, "no entry of ours has this trace number: nothing posted"
    if draft.status == AchEntryStatus.RETURNED:
        return draft, ALREADY_RETURNED
    expected = nacha.to_cents(Money(draft.amount))
    if entry.amount_cents != expected:
        raise RuleViolation(
            f"line {entry.line}: return of {addenda.original_trace_number} is for "
            f"{entry.amount_cents} cents but the draft was for {expected}",
            field="file",
        )
    draft.status, draft.return_code, draft.returned_on = (
        AchEntryStatus.RETURNED,
        reason.code,
        imported_on,
    )
    draft.save(update_fields=["status", "return_code", "returned_on"])
    text = f"ACH return {reason.code} ({reason.title}) of draft {draft.trace_number}"
    if draft.prenote:
        draft.prenote_of.status = PrenoteStatus.RETURNED  # type: ignore[attr-defined]
        draft.prenote_of.save(update_fields=["status"])  # type: ignore[attr-defined]
        AccountFlag.objects.get_or_create(
            source_key=f"return:{draft.trace_number}",
            defaults={
                "account_id": draft.account_id,
                "kind": AccountFlagKind.PRENOTE_RETURNED,
                "on": imported_on,
                "detail": text[:200],
            },
        )
        end_bank_draft(
            mandate=draft.mandate,
            on=imported_on,
            reason=f"autopay ended: {text}",
            source_key=f"end:return:{draft.trace_number}",
        )
        return draft, "prenote returned; autopay ended"
    if draft.payment is None or draft.payment.status != PaymentStatus.POSTED:
        return draft, NOT_POSTED
    done = record_returned_payment(
        payment=draft.payment,
        on=imported_on,
        reason=text,
        return_code=reason.code,
        source_key=f"return:{draft.trace_number}",
        charge=reason.charges_fee,
        ends_mandate=reason.ends_mandate,
        policy=policy,
    )
    return draft, "; ".join(done)


@transaction.atomic
def import_returns(
    *, text: str, name: str, imported_on: date, policy: DraftPolicy | None = None
) -> ReturnsImport:
    """Post every return in a returns file, all or nothing; a file already imported (same
    SHA-256) posts nothing again."""
    policy = policy or DraftPolicy()
    sha = hashlib.sha256(text.encode()).hexdigest()
    existing = AchReturnFile.objects.filter(sha256=sha).first()
    if existing is not None:
        return ReturnsImport(existing, False, [f"{name} was imported on {existing.imported_on}"])
    try:
        parsed = nacha.read_ach_file(text)
    except nacha.AchError as error:
        raise RuleViolation(f"{name}: {error}", field="file") from None
    returned = [entry for entry in parsed.entries if entry.return_addenda is not None]
    return_file = AchReturnFile.objects.create(
        sha256=sha, name=name[:200], imported_on=imported_on, return_count=len(returned), text=text
    )
    result = ReturnsImport(return_file, True)
    for entry in returned:
        addenda = entry.return_addenda
        assert addenda is not None
        draft, outcome = _one_return(entry, imported_on, policy)
        if draft is None:
            result.not_ours += 1
        elif outcome not in (ALREADY_RETURNED, NOT_POSTED):
            result.posted += 1
        AchReturn.objects.create(
            return_file=return_file,
            line=entry.line,
            original_trace_number=addenda.original_trace_number,
            reason_code=addenda.return_reason_code,
            amount=Decimal(entry.amount_cents).scaleb(-2),
            date_of_death=addenda.date_of_death,
            entry=draft,
            outcome=outcome[:200],
        )
        result.lines.append(
            f"line {entry.line}: {addenda.return_reason_code} {addenda.original_trace_number} "
            f"account {entry.individual_id}: {outcome}"
        )
    skipped = len(parsed.entries) - len(returned)
    if skipped:
        result.lines.append(f"{skipped} entries without a return addenda (e.g. changes) left alone")
    return result
