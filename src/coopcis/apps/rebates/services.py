"""Efficiency rebate claims, one function per step (docs/domain/rebates.md).

- claim: the measure in force on the purchase day (``catalog/rebates/``) prices the
  rebate; the receipt and, where the measure says so, the ENERGY STAR proof must come
  with it; the rebate must fit the year's budget and the account's limit (refused with
  the rule cited, nothing recorded, otherwise). A measure needing inspections waits for
  one before and one after installation.
- approve: inspections passed, the budget checked again under a lock on the year's row.
  By check: Dr 908 customer assistance expense, Cr 232 accounts payable (the check is
  issued by accounts payable). By bill credit: nothing yet; the next bill run credits it.
- deny: with a reason; the claim's share of the budget is released.
- each bill run credits approved bill-credit claims (``credit_rebates``) to the account's
  open charges in the order payments use: Dr 908, Cr the receivable each charge is
  booked to; what finds no open charge waits for the next bill. Each part put on a charge
  is kept (``RebateCredit``).
- a cancelled bill gives its charge's rebate credit back (``give_back_credits``): Dr the
  receivable, Cr 908, the claim is open again for that much, and the next bill (the
  rebill, or the next month's) credits it again.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from coopcis.apps.audit.context import current_actor
from coopcis.apps.ledger.models import EntryKind
from coopcis.apps.ledger.services import post_entry
from coopcis.apps.members.models import Account
from coopcis.apps.rebates.models import (
    COMMITTED,
    ClaimDocument,
    ClaimStatus,
    Inspection,
    InspectionResult,
    InspectionStage,
    PayBy,
    RebateBudget,
    RebateClaim,
    RebateCredit,
)
from coopcis.apps.receivables.models import ReceivableItem
from coopcis.apps.receivables.services import (
    credit_open_charges,
    give_back_charge_credit,
    lock_open_charges,
)
from coopcis.catalog.profiles import active_profile
from coopcis.catalog.rebates import load_rebate_catalog
from coopcis.core.errors import RuleViolation
from coopcis.core.ledger.entries import JournalEntry, credit, debit
from coopcis.core.money import Money
from coopcis.core.rebates.claims import (
    HANDBOOK,
    Headroom,
    check_headroom,
    file_type,
    missing_proof,
    safe_filename,
)
from coopcis.core.rebates.measures import quote_rebate

REBATE_EXPENSE = "908"
ACCOUNTS_PAYABLE = "232"


@dataclass(frozen=True, slots=True)
class Upload:
    """A file as it came in: its kind (RECEIPT, ENERGY_STAR, FORM), name and bytes."""

    kind: str
    name: str
    data: bytes


def _budget(year: int, *, lock: bool = False) -> RebateBudget:
    rows = RebateBudget.objects.filter(year=year)
    found = (rows.select_for_update() if lock else rows).first()
    if found is None:
        raise RuleViolation(
            f"no rebate budget for {year}: set it with `coopcis rebates budget --year {year} "
            "--amount X --per-account Y --source TEXT`",
            field="budget",
        )
    return found


def headroom(account: Account, year: int, *, lock: bool = False, leave_out: int = 0) -> Headroom:
    budget = _budget(year, lock=lock)
    held = RebateClaim.objects.filter(program_year=year, status__in=COMMITTED).exclude(pk=leave_out)
    total = held.aggregate(sum=Sum("rebate_amount"))["sum"] or Decimal(0)
    mine = held.filter(account=account).aggregate(sum=Sum("rebate_amount"))["sum"] or Decimal(0)
    return Headroom(year, budget.budget_amount, total, budget.per_account_amount, mine)


@transaction.atomic
def set_budget(*, year: int, amount: Decimal, per_account: Decimal, source: str) -> RebateBudget:
    """The board's budget for the year (a lower budget may not undercut claims held)."""
    if amount <= 0 or per_account <= 0:
        raise RuleViolation("a budget and a per-account limit above $0.00", field="amount")
    if not source.strip():
        raise RuleViolation("name the board action or filing", field="source")
    held = RebateClaim.objects.filter(program_year=year, status__in=COMMITTED).aggregate(
        sum=Sum("rebate_amount")
    )["sum"] or Decimal(0)
    if amount < held:
        raise RuleViolation(
            f"claims already hold ${held:,} of {year}'s budget; it cannot be ${amount:,}",
            field="amount",
        )
    budget, _ = RebateBudget.objects.update_or_create(
        year=year,
        defaults={"budget_amount": amount, "per_account_amount": per_account, "source": source},
    )
    return budget


@transaction.atomic
def submit_claim(
    *,
    account: Account,
    measure_code: str,
    on: date,
    purchased_on: date,
    cost: Decimal,
    retailer: str,
    uploads: Sequence[Upload],
    pay_by: str = PayBy.BILL_CREDIT,
    quantity: int = 1,
    size: Decimal | None = None,
    model_number: str = "",
) -> RebateClaim:
    """Record a claim with its proof (module docstring); refused whole when anything is
    missing or the budget cannot hold it."""
    if purchased_on > on:
        raise RuleViolation(
            "the purchase is on or before the claim",
            field="purchased_on",
            code="purchase_after_claim",
        )
    catalog = load_rebate_catalog(active_profile().code, on=purchased_on)
    measure = catalog.measures.get(measure_code)
    if measure is None:
        raise RuleViolation(
            f"no measure {measure_code!r} in the catalog of {catalog.effective_from} "
            "(coopcis rebates list)",
            field="measure",
        )
    if pay_by not in PayBy.values:
        raise RuleViolation("paid by BILL_CREDIT or CHECK", field="pay_by")
    if not retailer.strip():
        raise RuleViolation("the form names the retailer or installer", field="retailer")
    rebate = quote_rebate(measure, cost=cost, quantity=quantity, size=size)
    checked = [(upload, file_type(upload.name, upload.data)) for upload in uploads]
    missing = missing_proof({upload.kind for upload in uploads}, energy_star=measure.energy_star)
    if missing:
        raise RuleViolation(
            f"a {measure.code} claim needs {' and '.join(missing)} ({HANDBOOK})",
            field="file",
            code="missing_energy_star"
            if missing == ["the ENERGY STAR certification"]
            else "missing_receipt",
        )
    Account.objects.select_for_update().get(pk=account.pk)
    check_headroom(rebate, headroom(account, on.year, lock=True))
    claim = RebateClaim.objects.create(
        account=account,
        measure_code=measure.code,
        measure_description=measure.description[:200],
        catalog_effective_from=catalog.effective_from,
        submitted_on=on,
        purchased_on=purchased_on,
        program_year=on.year,
        retailer=retailer.strip()[:100],
        model_number=model_number.strip()[:100],
        cost_amount=cost,
        quantity=quantity,
        size=size,
        rebate_amount=rebate,
        pay_by=pay_by,
        status=ClaimStatus.INSPECTING if measure.inspection else ClaimStatus.SUBMITTED,
        inspection_required=measure.inspection,
        energy_star_required=measure.energy_star,
        submitted_by=current_actor().label[:150],
    )
    ClaimDocument.objects.bulk_create(
        ClaimDocument(
            claim=claim,
            kind=upload.kind,
            filename=safe_filename(upload.name),
            content_type=content_type,
            size=len(upload.data),
            sha256=hashlib.sha256(upload.data).hexdigest(),
            data=upload.data,
            uploaded_on=on,
        )
        for upload, content_type in checked
    )
    return claim


def _locked(claim: RebateClaim) -> RebateClaim:
    return RebateClaim.objects.select_for_update().select_related("account").get(pk=claim.pk)


@transaction.atomic
def schedule_inspection(
    *, claim: RebateClaim, stage: str, on: date, inspector: str = ""
) -> Inspection:
    """Book the inspection before or after installation for a measure that needs it."""
    claim = _locked(claim)
    if not claim.inspection_required:
        raise RuleViolation(f"{claim.measure_code} needs no inspection", field="stage")
    if claim.status != ClaimStatus.INSPECTING:
        raise RuleViolation(f"claim {claim.pk} is not waiting for inspections", field="claim")
    if stage not in InspectionStage.values:
        raise RuleViolation("the stage is PRE or POST", field="stage")
    inspection, _ = Inspection.objects.update_or_create(
        claim=claim,
        stage=stage,
        defaults={"scheduled_on": on, "inspector": inspector[:150]},
    )
    return inspection


@transaction.atomic
def record_inspection(
    *, claim: RebateClaim, stage: str, on: date, passed: bool, notes: str = ""
) -> Inspection:
    """The inspection's result; the one after installation comes after the one before."""
    claim = _locked(claim)
    inspection = Inspection.objects.filter(claim=claim, stage=stage).first()
    if inspection is None:
        raise RuleViolation(f"no {stage} inspection scheduled for claim {claim.pk}", field="stage")
    if stage == InspectionStage.POST:
        pre = Inspection.objects.filter(claim=claim, stage=InspectionStage.PRE).first()
        if pre is None or pre.result != InspectionResult.PASSED:
            raise RuleViolation("the inspection before installation passes first", field="stage")
    if not passed and not notes.strip():
        raise RuleViolation("say why the inspection failed", field="notes")
    inspection.result = InspectionResult.PASSED if passed else InspectionResult.FAILED
    inspection.inspected_on = on
    inspection.notes = notes.strip()[:300]
    inspection.save()
    if passed and stage == InspectionStage.POST:
        claim.status = ClaimStatus.SUBMITTED
        claim.save(update_fields=["status"])
    return inspection


@transaction.atomic
def approve_claim(*, claim: RebateClaim, on: date) -> RebateClaim:
    """Approve within the budget; a check is owed at once (Dr 908, Cr 232), a bill
    credit waits for the next bill run."""
    claim = _locked(claim)
    if claim.status == ClaimStatus.INSPECTING:
        raise RuleViolation(
            f"claim {claim.pk} waits for its inspections before and after installation "
            f"({HANDBOOK})",
            field="claim",
        )
    if claim.status != ClaimStatus.SUBMITTED:
        raise RuleViolation(f"claim {claim.pk} is not waiting for a decision", field="claim")
    if on < claim.submitted_on:
        raise RuleViolation("decided on or after the claim", field="on")
    check_headroom(
        claim.rebate_amount,
        headroom(claim.account, claim.program_year, lock=True, leave_out=claim.pk),
    )
    claim.decided_on, claim.decided_by = on, current_actor().label[:150]
    claim.status = ClaimStatus.APPROVED
    if claim.pay_by == PayBy.CHECK:
        money, member = Money(claim.rebate_amount), claim.account.number
        claim.check_entry = post_entry(
            JournalEntry(
                posted_on=on,
                memo=f"Efficiency rebate claim {claim.pk} ({claim.measure_code}) by check",
                lines=(
                    debit(REBATE_EXPENSE, money, member_account=member),
                    credit(ACCOUNTS_PAYABLE, money, member_account=member),
                ),
                source="rebate",
            ),
            kind=EntryKind.REBATE,
            source_key=f"rebate:{claim.pk}:check",
        )
        claim.status, claim.paid_on = ClaimStatus.PAID, on
    claim.save()
    return claim


@transaction.atomic
def deny_claim(*, claim: RebateClaim, on: date, reason: str) -> RebateClaim:
    claim = _locked(claim)
    if claim.status not in (ClaimStatus.SUBMITTED, ClaimStatus.INSPECTING):
        raise RuleViolation(f"claim {claim.pk} is already decided", field="claim")
    if not reason.strip():
        raise RuleViolation("say why the claim is denied", field="reason")
    claim.status = ClaimStatus.DENIED
    claim.decided_on, claim.decided_by = on, current_actor().label[:150]
    claim.reason = reason.strip()[:300]
    claim.save()
    return claim


@dataclass(frozen=True, slots=True)
class CreditLine:
    """The rebate credit's line for the bill (a negative amount)."""

    code: str
    description: str
    amount: Decimal
    source: str


def credit_rebates(bills: Sequence[Any], *, period: str) -> dict[int, CreditLine]:
    """Credit approved bill-credit claims to their accounts' open charges on the first
    posted bill of each account in the batch; returns the line for each bill."""
    first: dict[int, Any] = {}
    for bill in bills:
        first.setdefault(bill.account_id, bill)
    claims = list(
        RebateClaim.objects.select_related("account")
        .filter(status=ClaimStatus.APPROVED, pay_by=PayBy.BILL_CREDIT, account_id__in=list(first))
        .order_by("account_id", "decided_on", "id")
    )
    if not claims:
        return {}
    by_account: dict[int, list[RebateClaim]] = defaultdict(list)
    for claim in claims:
        by_account[claim.account_id].append(claim)
    items = lock_open_charges(by_account)
    lines: dict[int, CreditLine] = {}
    for account_id, account_claims in by_account.items():
        bill = first[account_id]
        credited = sum(
            (_credit_claim(claim, items[account_id], bill, period) for claim in account_claims),
            Decimal("0.00"),
        )
        if credited:
            lines[bill.pk] = CreditLine(
                code="rebate_credit",
                description="Efficiency rebate credit: "
                + ", ".join(f"claim {claim.pk} {claim.measure_code}" for claim in account_claims),
                amount=-credited,
                source=HANDBOOK,
            )
    return lines


def _credit_claim(
    claim: RebateClaim, items: list[ReceivableItem], bill: Any, period: str
) -> Decimal:
    applied = credit_open_charges(
        amount=Money(claim.credit_remaining),
        charges=items,
        member=claim.account.number,
        debit_account=REBATE_EXPENSE,
        posted_on=bill.bill_date,
        memo=f"Efficiency rebate claim {claim.pk} ({claim.measure_code}) credited, bill {period}",
        source="rebate",
        kind=EntryKind.REBATE,
        # the bill's id too: a rebill of the period credits the claim again
        source_key=f"rebate:{claim.pk}:credit:{period}:{bill.pk}",
    )
    if applied is None:
        return Decimal("0.00")
    RebateCredit.objects.bulk_create(
        RebateCredit(
            claim=claim,
            item=item,
            amount=part.amount,
            credited_on=bill.bill_date,
            journal_entry=applied.entry,
        )
        for item, part in applied.parts
    )
    claim.credited_amount += applied.total.amount
    if claim.credited_amount == claim.rebate_amount:
        claim.status, claim.paid_on = ClaimStatus.PAID, bill.bill_date
    claim.save(update_fields=["credited_amount", "status", "paid_on"])
    return applied.total.amount


def give_back_credits(*, item_id: int, on: date, reason: str) -> Decimal:
    """The rebate credit on a charge whose bill is cancelled goes back to its claims (in the
    cancellation's transaction, before the charge is voided): Dr the receivable the credit
    paid, Cr 908, and each claim is open again for its part (APPROVED, credited again by the
    next bill). Returns the amount given back."""
    credits = list(
        RebateCredit.objects.select_for_update()
        .select_related("claim__account", "item")
        .filter(item_id=item_id, given_back_on__isnull=True)
        .order_by("id")
    )
    given = Decimal("0.00")
    for part in credits:
        claim = RebateClaim.objects.select_for_update().get(pk=part.claim_id)
        entry = give_back_charge_credit(
            item=part.item,
            amount=part.amount,
            member=claim.account.number,
            credit_account=REBATE_EXPENSE,
            posted_on=on,
            memo=f"Efficiency rebate claim {claim.pk} credit given back: {reason}",
            source="rebate",
            kind=EntryKind.REBATE,
            source_key=f"rebate:{claim.pk}:give-back:{part.pk}",
        )
        part.given_back_on, part.give_back_entry = on, entry
        part.save(update_fields=["given_back_on", "give_back_entry"])
        claim.credited_amount -= part.amount
        claim.status, claim.paid_on = ClaimStatus.APPROVED, None
        claim.save(update_fields=["credited_amount", "status", "paid_on"])
        given += part.amount
    return given
