"""Aid-to-construction loans, one function per step (SEC policy 424; docs/domain/loans.md).

- apply: the amount checked against the policy (refused outright, nothing recorded, when
  outside $500-$15,000 or above 80% of the aid), the qualifications decided from the
  account's history and the recorded facts; a member who does not qualify is recorded
  as denied with each reason.
- approve: over $5,000 the board (with its meeting date), else the general manager.
- disburse: Dr 141 notes receivable, Cr 131 cash (the loan's check); the schedule kept.
- each bill run bills the next installment (``bill_installments``): Dr 142.2, Cr 141 its
  principal, Cr 419 its interest, an open item of category LOAN on the bill's due date.
- payoff: the unbilled principal plus interest by days since the latest installment,
  billed at once as one LOAN item (Dr 142.2, Cr 141, Cr 419); the rest of the schedule
  is cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Min, Sum

from coopcis.apps.audit.context import current_actor
from coopcis.apps.ledger.models import EntryKind, JournalLine
from coopcis.apps.ledger.services import Posting, post_entries, post_entry
from coopcis.apps.loans.models import Approver, Installment, Loan, LoanStatus, Security
from coopcis.apps.members.models import Account
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.apps.receivables.models import ItemCategory, ReceivableItem
from coopcis.catalog.profiles import active_profile
from coopcis.core.errors import RuleViolation
from coopcis.core.ledger.entries import JournalEntry, credit, debit
from coopcis.core.loans.eligibility import LoanFacts, loan_refusals
from coopcis.core.loans.terms import POLICY, LoanTerms, payoff_amount, quote_loan
from coopcis.core.money import CENT, Money

NOTES_RECEIVABLE = "141"
OTHER_RECEIVABLE = "142.2"
INTEREST_INCOME = "419"
CASH = "131"
LOOKBACK_DAYS = 365


def late_months(account: Account, *, as_of: date) -> int:
    """Months of the last twelve in which the member owed money past a bill's due date:
    the member's receivable balance (142.x, from the ledger) at the end of a due day."""
    from coopcis.apps.ledger.services import member_balance

    due_days = (
        ReceivableItem.objects.filter(
            account=account,
            category=ItemCategory.ELECTRIC,
            due_on__gt=as_of - timedelta(days=LOOKBACK_DAYS),
            due_on__lt=as_of,
        )
        .values_list("due_on", flat=True)
        .distinct()
    )
    late = {(day.year, day.month) for day in due_days if member_balance(account, through=day) > 0}
    return len(late)


def service_since(account: Account) -> date | None:
    """The day the member's earliest service agreement here began."""
    found = ServiceAgreement.objects.filter(account=account).aggregate(first=Min("start_on"))
    first: date | None = found["first"]
    return first


@transaction.atomic
def apply_for_loan(
    *,
    account: Account,
    on: date,
    aid: Decimal,
    amount: Decimal,
    purpose: str,
    security: str,
    months: int | None = None,
    prior_utility_report: str = "",
    credit_report_on: date | None = None,
    credit_agency: str = "",
    bad_debt_found: bool = False,
    mortgage_fees_due: Decimal = Decimal("0.00"),
    mortgage_fees_paid: Decimal = Decimal("0.00"),
    waiver_note: str = "",
) -> Loan:
    """Record an application and decide whether the member qualifies (module docstring)."""
    quote = quote_loan(amount, months=months, aid=aid)  # refuses a bad amount, citing 424
    if security not in Security.values:
        raise RuleViolation(
            f"security is {' or '.join(Security.values)} ({POLICY})", field="security"
        )
    if not purpose.strip():
        raise RuleViolation("say which line extension the aid pays for", field="purpose")
    facts = LoanFacts(
        as_of=on,
        service_since=service_since(account),
        prior_utility_report_clean=bool(prior_utility_report.strip()),
        late_months=late_months(account, as_of=on),
        bad_debt_report_on=credit_report_on,
        bad_debt_found=bad_debt_found,
        security=security,
        mortgage_fees_paid=mortgage_fees_paid,
        mortgage_fees_due=mortgage_fees_due,
        waiver_note=waiver_note,
    )
    refusals = loan_refusals(facts)
    return Loan.objects.create(
        account=account,
        status=LoanStatus.DENIED if refusals else LoanStatus.APPLIED,
        applied_on=on,
        purpose=purpose.strip()[:200],
        aid_amount=aid,
        amount=amount,
        months=quote.months,
        payment_amount=quote.payment,
        final_payment_amount=quote.final_payment,
        annual_rate=LoanTerms().annual_rate,
        service_since=facts.service_since,
        prior_utility_report=prior_utility_report.strip()[:200],
        late_months=facts.late_months,
        credit_report_on=credit_report_on,
        credit_agency=credit_agency[:100],
        bad_debt_found=bad_debt_found,
        security=security,
        mortgage_fees_due_amount=mortgage_fees_due,
        mortgage_fees_paid_amount=mortgage_fees_paid,
        waiver_note=waiver_note.strip()[:300],
        refusals=refusals,
        applied_by=current_actor().label[:150],
    )


def _locked(loan: Loan) -> Loan:
    return Loan.objects.select_for_update().select_related("account").get(pk=loan.pk)


@transaction.atomic
def approve_loan(
    *, loan: Loan, on: date, approver: str, board_meeting_on: date | None = None
) -> Loan:
    """The general manager approves a loan of $5,000 or less; over that, the board, at a
    meeting whose date is recorded (SEC policy 424)."""
    loan = _locked(loan)
    if loan.status != LoanStatus.APPLIED:
        raise RuleViolation(
            f"loan {loan.pk} is {loan.get_status_display().lower()}, not waiting for approval",
            field="loan",
        )
    needed = quote_loan(loan.amount, months=loan.months).approval
    if approver not in Approver.values:
        raise RuleViolation("approved by board or general_manager", field="approver")
    if needed == Approver.BOARD and approver != Approver.BOARD:
        raise RuleViolation(
            f"a loan over $5,000 needs the board's approval ({POLICY}); ${loan.amount:,} is over",
            field="approver",
        )
    if approver == Approver.BOARD and board_meeting_on is None:
        raise RuleViolation("the board's approval names its meeting date", field="meeting_date")
    if board_meeting_on is not None and board_meeting_on > on:
        raise RuleViolation("the board meeting is on or before the approval", field="meeting_date")
    if on < loan.applied_on:
        raise RuleViolation("approved on or after the application", field="on")
    loan.status = LoanStatus.APPROVED
    loan.approver = approver
    loan.approved_on = on
    loan.board_meeting_on = board_meeting_on if approver == Approver.BOARD else None
    loan.approved_by = current_actor().label[:150]
    loan.save()
    return loan


@transaction.atomic
def disburse_loan(*, loan: Loan, on: date) -> Loan:
    """Lend the money: Dr 141 notes receivable, Cr 131 cash; keep the schedule."""
    loan = _locked(loan)
    if loan.status != LoanStatus.APPROVED:
        raise RuleViolation(f"loan {loan.pk} is not approved", field="loan")
    if loan.approved_on and on < loan.approved_on:
        raise RuleViolation("disbursed on or after its approval", field="on")
    money = Money(loan.amount)
    member = loan.account.number
    entry = post_entry(
        JournalEntry(
            posted_on=on,
            memo=f"Aid-to-construction loan {loan.pk} disbursed, account {member}",
            lines=(
                debit(NOTES_RECEIVABLE, money, member_account=member),
                credit(CASH, money),
            ),
            source="loan",
        ),
        kind=EntryKind.LOAN,
        source_key=f"loan:{loan.pk}:disbursed",
    )
    quote = quote_loan(loan.amount, months=loan.months)
    Installment.objects.bulk_create(
        Installment(
            loan=loan,
            number=row.number,
            payment_amount=row.payment,
            interest_amount=row.interest,
            principal_amount=row.principal,
            balance_after_amount=row.balance_after,
        )
        for row in quote.schedule
    )
    loan.status = LoanStatus.ACTIVE
    loan.disbursed_on = on
    loan.disbursement_entry = entry
    loan.save()
    return loan


@dataclass(frozen=True, slots=True)
class PayoffQuote:
    """What pays the loan off on ``as_of``: the unbilled principal and interest by days
    since the latest installment; installments already billed are owed on the account."""

    loan_id: int
    as_of: date
    principal: Decimal
    interest: Decimal
    amount: Decimal
    open_installments: Decimal

    def as_json(self) -> dict[str, object]:
        return {
            "loan": self.loan_id,
            "as_of": self.as_of.isoformat(),
            "principal": str(self.principal),
            "interest": str(self.interest),
            "payoff": str(self.amount),
            "open_installments": str(self.open_installments),
        }


def payoff_quote(*, loan: Loan, as_of: date) -> PayoffQuote:
    """The early payoff as of a date (interest actual/365, half up to the cent)."""
    if loan.status != LoanStatus.ACTIVE or loan.disbursed_on is None:
        raise RuleViolation(f"loan {loan.pk} has no balance to pay off", field="loan")
    since = loan.last_billed_on or loan.disbursed_on
    principal = loan.principal_balance
    amount = payoff_amount(principal, last_paid_on=since, as_of=as_of)
    open_items = ReceivableItem.objects.filter(
        loan_installment__loan=loan, status="OPEN"
    ).aggregate(owed=Sum("amount"), paid=Sum("paid_amount"))
    owed = ((open_items["owed"] or Decimal(0)) - (open_items["paid"] or Decimal(0))).quantize(CENT)
    return PayoffQuote(loan.pk, as_of, principal, amount - principal, amount, owed)


@transaction.atomic
def pay_off_loan(*, loan: Loan, on: date) -> ReceivableItem:
    """Bill the payoff now as one LOAN item; the schedule's later installments lapse."""
    loan = _locked(loan)
    quote = payoff_quote(loan=loan, as_of=on)
    member = loan.account.number
    lines = [
        debit(OTHER_RECEIVABLE, Money(quote.amount), member_account=member),
        credit(NOTES_RECEIVABLE, Money(quote.principal), member_account=member),
    ]
    if quote.interest:
        lines.append(credit(INTEREST_INCOME, Money(quote.interest), member_account=member))
    entry = post_entry(
        JournalEntry(
            posted_on=on,
            memo=f"Aid-to-construction loan {loan.pk} paid off early, account {member}",
            lines=tuple(lines),
            source="loan",
        ),
        kind=EntryKind.LOAN,
        source_key=f"loan:{loan.pk}:payoff",
    )
    due = on + timedelta(days=active_profile().due_days_for(loan.account.rate_class))
    item = ReceivableItem.objects.create(
        account=loan.account,
        category=ItemCategory.LOAN,
        description=f"Loan {loan.pk} payoff as of {on}",
        amount=quote.amount,
        posted_on=on,
        due_on=due,
        gl_account=OTHER_RECEIVABLE,
        journal_entry=entry,
    )
    loan.installments.filter(billed_on__isnull=True).update(cancelled=True)
    loan.principal_billed_amount = loan.amount
    loan.status = LoanStatus.CLOSED
    loan.paid_off_on = on
    loan.save()
    return item


@dataclass(frozen=True, slots=True)
class InstallmentLine:
    """The installment's line for the bill (no riders, no taxes: it is not electric)."""

    code: str
    description: str
    amount: Decimal
    source: str


def bill_installments(bills: Sequence[Any], *, period: str) -> dict[int, InstallmentLine]:
    """Bill the next installment of each active loan on its account's first posted bill
    of the batch (one installment a billing month); returns the line for each bill."""
    first: dict[int, Any] = {}
    for bill in bills:
        first.setdefault(bill.account_id, bill)
    loans = list(
        Loan.objects.select_related("account")
        .filter(status=LoanStatus.ACTIVE, account_id__in=list(first))
        .exclude(last_billed_period=period)
        .order_by("id")
    )
    if not loans:
        return {}
    due = {
        (row.loan_id, row.number): row
        for row in Installment.objects.filter(
            loan__in=loans, billed_on__isnull=True, cancelled=False
        )
    }
    plans = []
    for loan in loans:
        bill = first[loan.account_id]
        row = due.get((loan.pk, loan.installments_billed + 1))
        if row is None or bill.bill_date < loan.disbursed_on:
            continue
        plans.append((loan, bill, row))
    postings = [_installment_posting(loan, bill, row) for loan, bill, row in plans]
    entries = post_entries(postings)
    by_key = {entry.source_key: entry for entry in entries}
    lines: dict[int, InstallmentLine] = {}
    for (loan, bill, row), posting in zip(plans, postings, strict=True):
        entry = by_key.get(posting.source_key)
        if entry is None:  # already billed by an earlier, interrupted run
            continue
        row.item = ReceivableItem.objects.create(
            account_id=loan.account_id,
            category=ItemCategory.LOAN,
            description=f"Loan {loan.pk} installment {row.number} of {loan.months}",
            amount=row.payment_amount,
            posted_on=bill.bill_date,
            due_on=bill.due_date,
            gl_account=OTHER_RECEIVABLE,
            journal_entry=entry,
        )
        row.billed_on, row.period, row.bill_id = bill.bill_date, period, bill.pk
        row.save(update_fields=["item", "billed_on", "period", "bill_id"])
        loan.installments_billed = row.number
        loan.principal_billed_amount += row.principal_amount
        loan.last_billed_on, loan.last_billed_period = bill.bill_date, period
        if row.number == loan.months:
            loan.status = LoanStatus.CLOSED
        loan.save(
            update_fields=[
                "installments_billed",
                "principal_billed_amount",
                "last_billed_on",
                "last_billed_period",
                "status",
            ]
        )
        lines[bill.pk] = InstallmentLine(
            code="loan_installment",
            description=(
                f"Aid-to-construction loan {loan.pk}: installment {row.number} of "
                f"{loan.months} (principal ${row.principal_amount:,}, interest "
                f"${row.interest_amount:,})"
            ),
            amount=row.payment_amount,
            source=f"{POLICY}: level monthly payments at 5% a year",
        )
    return lines


def _installment_posting(loan: Loan, bill: Any, row: Installment) -> Posting:
    member = loan.account.number
    lines = [
        debit(OTHER_RECEIVABLE, Money(row.payment_amount), member_account=member),
        credit(NOTES_RECEIVABLE, Money(row.principal_amount), member_account=member),
    ]
    if row.interest_amount:
        lines.append(credit(INTEREST_INCOME, Money(row.interest_amount), member_account=member))
    entry = JournalEntry(
        posted_on=bill.bill_date,
        memo=f"Loan {loan.pk} installment {row.number} of {loan.months}, account {member}",
        lines=tuple(lines),
        source="loan",
    )
    return Posting(entry=entry, kind=EntryKind.LOAN, source_key=f"loan:{loan.pk}:i{row.number}")


def note_balance(loan: Loan) -> Decimal:
    """The loan's principal on the books (RUS 141 lines naming the member) — for checks."""
    lines = JournalLine.objects.filter(
        gl_account_id=NOTES_RECEIVABLE, entry__source_key__startswith=f"loan:{loan.pk}:"
    ).aggregate(debit=Sum("debit_amount"), credit=Sum("credit_amount"))
    return (lines["debit"] or Decimal(0)) - (lines["credit"] or Decimal(0))
