"""Staff work on bills: release a held bill, cancel a wrong one, rebill (policies 409, 410).

A posted bill is never edited. Cancelling reverses its journal entry (the original stays
on the books, linked to its reversal) and keeps the reason; rebilling bills the service
point for the month again from the reads as they are now (corrected or re-estimated),
and the new bill names the one it replaces.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q

from coopcis.apps.billing.events import BillCancelled, BillsPosted
from coopcis.apps.billing.models import Bill, BillRun, BillStatus, RunStatus
from coopcis.apps.billing.programs import bill_programs
from coopcis.apps.billing.run import BillBatch, bill_posting, rider_factors
from coopcis.apps.ledger.services import post_entries, reverse_entry
from coopcis.apps.netmetering.banking import cancel_month, release_month
from coopcis.apps.netmetering.payout_credits import give_back
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.apps.rebates.services import give_back_credits
from coopcis.apps.receivables.models import ReceivableItem
from coopcis.apps.receivables.services import bill_items
from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money
from coopcis.core.periods import Period
from coopcis.events import announce_in_transaction


def _locked(bill: Bill) -> Bill:
    return (
        Bill.objects.select_for_update()
        .select_related("account", "agreement__service_point")
        .get(pk=bill.pk)
    )


def _shares_its_period(bill: Bill) -> bool:
    """Another member's agreement at the service point touches this bill's period (a move
    in or out): the bill's posting is keyed by its agreement too."""
    return (
        ServiceAgreement.objects.filter(
            service_point_id=bill.service_point_id, start_on__lte=bill.period_end
        )
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=bill.period_start))
        .exclude(pk=bill.agreement_id)
        .exists()
    )


@transaction.atomic
def release_bill(*, bill: Bill, note: str) -> Bill:
    """Post a bill that was held for review, as it is."""
    bill = _locked(bill)
    if bill.status != BillStatus.HELD:
        raise RuleViolation(f"bill {bill.number} is not held", field="bill")
    if not note.strip():
        raise RuleViolation("say why the bill is right as it is", field="note")
    revision = Bill.objects.filter(
        agreement_id=bill.agreement_id, period=bill.period, status=BillStatus.CANCELLED
    ).count()
    lines = [(line.code, Money(line.amount)) for line in bill.lines.all()]
    posting = bill_posting(bill, lines, revision=revision, partial=_shares_its_period(bill))
    (entry,) = post_entries([posting])
    bill.journal_entry = entry
    bill.status = BillStatus.POSTED
    bill.hold_reasons = [*bill.hold_reasons, f"released: {note}"]
    bill.save(update_fields=["journal_entry", "status", "hold_reasons"])
    release_month(bill_id=bill.pk, number=bill.account.number)  # a held net-metering credit
    bill_items([bill])
    # the month's loan installment and rebate credit, skipped while the bill was held (none
    # when another bill of the account for the month already carried them)
    bill_programs([bill], period=bill.period)
    announce_in_transaction(BillsPosted((bill.account_id,), on=bill.bill_date))
    return bill


@transaction.atomic
def cancel_bill(*, bill: Bill, reason: str, on: date) -> Bill:
    """Cancel a bill (held or posted); a posted one is undone by a reversing entry."""
    bill = _locked(bill)
    if bill.status == BillStatus.CANCELLED:
        raise RuleViolation(f"bill {bill.number} is already cancelled", field="bill")
    if not reason.strip():
        raise RuleViolation("say why the bill is cancelled", field="reason")
    item = ReceivableItem.objects.filter(bill=bill).first()
    if item is not None:
        # a rebate credit that paid the bill goes back to its claim for the next bill
        give_back_credits(item_id=item.pk, on=on, reason=f"bill {bill.number} cancelled")
        # so does a net-metering payout credited to it (to 242.3, for the next bill)
        give_back(item_id=item.pk, on=on, reason=f"bill {bill.number} cancelled")
        announce_in_transaction(BillCancelled(item_id=item.pk, on=on))
    if bill.journal_entry is not None:
        bill.cancel_entry = reverse_entry(
            entry=bill.journal_entry, posted_on=on, reason=f"bill {bill.number}: {reason}"
        )
    cancel_month(bill_id=bill.pk, on=on, reason=f"bill {bill.number}: {reason}")
    bill.status = BillStatus.CANCELLED
    bill.cancel_reason = reason
    bill.save(update_fields=["cancel_entry", "status", "cancel_reason"])
    return bill


@transaction.atomic
def rebill(*, cancelled: Bill) -> Bill:
    """Bill the cancelled bill's agreement and month again from today's reads."""
    cancelled = _locked(cancelled)
    if cancelled.status != BillStatus.CANCELLED:
        raise RuleViolation(
            f"bill {cancelled.number} must be cancelled before it is rebilled", field="bill"
        )
    run = BillRun.objects.create(period=cancelled.period, status=RunStatus.FINISHED)
    batch = BillBatch(run, Period.parse_month(cancelled.period), rider_factors(cancelled.period))
    outcome = batch.bill([cancelled.account_id])
    new = (
        Bill.objects.filter(agreement_id=cancelled.agreement_id, period=cancelled.period)
        .exclude(status=BillStatus.CANCELLED)
        .first()
    )
    if new is None:
        issue = run.issues.filter(service_point_id=cancelled.service_point_id).first()
        raise RuleViolation(
            f"could not rebill: {issue.detail if issue else 'nothing to bill'}", field="bill"
        )
    new.replaces = cancelled
    new.save(update_fields=["replaces"])
    BillRun.objects.filter(pk=run.pk).update(
        billed=outcome.billed, held=outcome.held, skipped=outcome.skipped
    )
    return new
