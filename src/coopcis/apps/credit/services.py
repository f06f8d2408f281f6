"""Deposits: decided, taken or billed, receipted, accruing interest, reviewed and refunded.

Each state change is one function, atomic, locking the deposit (and the member's account
row when open charges are paid from it, the lock payments use). Postings (ADR 5):

- taken at the office: Dr 131 cash, Cr 235 customer deposits;
- billed: Dr 142.2 other receivables, Cr 235, with an open item of category DEPOSIT;
- interest: Dr 431 other interest expense, Cr 235;
- refund by credit to the bill: Dr 235, Cr the receivable each charge is booked to (142.1,
  142.2); by check: Dr 235, Cr 131.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Avg

from coopcis.apps.audit.context import current_actor
from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.credit.history import chronically_delinquent, paid_in_full_on
from coopcis.apps.credit.models import (
    CreditDecision,
    DecisionEvent,
    Deposit,
    DepositApplication,
    DepositEvent,
    DepositInterestRate,
    DepositReceipt,
    DepositStatus,
    EventKind,
    Guarantor,
)
from coopcis.apps.credit.receipt import receipt_pdf
from coopcis.apps.ledger.models import EntryKind
from coopcis.apps.ledger.services import Posting, post_entries
from coopcis.apps.members.models import Account, AccountStatus, RateClass
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.apps.receivables.models import ItemCategory, ItemStatus, ReceivableItem
from coopcis.apps.receivables.services import apply_to_items
from coopcis.core.credit import deposits as rule
from coopcis.core.errors import RuleViolation
from coopcis.core.ledger.entries import JournalEntry, JournalLine, credit, debit
from coopcis.core.money import Money

CASH, DEPOSITS, INTEREST, OTHER_RECEIVABLE = "131", "235", "431", "142.2"
#: NM Uniform Unclaimed Property Act: a utility deposit or refund is presumed abandoned a
#: year after it became payable (the common reading; docs/domain/collections.md).
ESCHEAT_AFTER_DAYS = 365
EVENT_GROUNDS = {
    DecisionEvent.CHRONIC_DELINQUENCY: rule.CHRONICALLY_DELINQUENT,
    DecisionEvent.RECONNECTION: rule.RECONNECTION,
    DecisionEvent.TAMPERING: rule.TAMPERING,
}


def _post(memo: str, on: date, lines: Sequence[JournalLine], key: str) -> object:
    entry = JournalEntry(posted_on=on, memo=memo[:200], lines=tuple(lines), source="deposit")
    posted = post_entries([Posting(entry=entry, kind=EntryKind.DEPOSIT, source_key=key)])
    return posted[0] if posted else None


def interest_rates() -> list[rule.InterestRate]:
    return [
        rule.InterestRate(row.effective_on, row.annual_rate)
        for row in DepositInterestRate.objects.all()
    ]


def set_interest_rate(
    *, effective_on: date, annual_rate: Decimal, source: str
) -> DepositInterestRate:
    """Add the commission's rate from ``effective_on`` (a new row, never an edit)."""
    if not Decimal(0) <= annual_rate < 1:
        raise RuleViolation("the rate is a fraction: 0.0125 is 1.25%", field="annual_rate")
    if DepositInterestRate.objects.filter(effective_on=effective_on).exists():
        raise RuleViolation(f"a rate from {effective_on} is on file already", field="effective_on")
    return DepositInterestRate.objects.create(
        effective_on=effective_on, annual_rate=annual_rate, source=source
    )


# ---- deciding ------------------------------------------------------------------------------


def _service_points(account: Account) -> list[int]:
    return list(
        ServiceAgreement.objects.filter(account=account).values_list("service_point_id", flat=True)
    )


def estimate_for(account: Account, *, as_of: date) -> rule.Estimate:
    """Policy 404's estimate: the premise's bills of the last 12 months, month by month,
    else the rate class's average bill for that calendar month."""
    since = as_of - timedelta(days=365)
    bills = Bill.objects.filter(status=BillStatus.POSTED, bill_date__gte=since, bill_date__lt=as_of)
    history: dict[int, Money] = {}
    for period, amount in bills.filter(service_point_id__in=_service_points(account)).values_list(
        "period", "total_amount"
    ):
        month = int(period[5:7])
        history[month] = history.get(month, Money.zero()) + Money(amount)
    averages = (
        bills.filter(account__rate_class=account.rate_class)
        .values("period")
        .annotate(average=Avg("total_amount"))
    )
    class_average = {int(row["period"][5:7]): Money(Decimal(row["average"])) for row in averages}
    try:
        return rule.estimate_monthly_bills(premise_history=history, class_average=class_average)
    except ValueError as error:
        raise RuleViolation(str(error), field="estimate") from None


@transaction.atomic
def decide_deposit(
    *,
    account: Account,
    event: str,
    on: date,
    credit_methods: Sequence[str] = (),
    special_consideration: str = "",
    amount: Decimal | None = None,
    note: str = "",
) -> CreditDecision:
    """Rule No. 4 on one of its events: is a deposit required, and how much (policy 404).

    ``credit_methods``: how the member established credit (only for an application).
    ``special_consideration``: why a low-income elderly or disabled member (or a spouse's
    history) was considered; with it staff set ``amount`` (0: no deposit)."""
    if event not in DecisionEvent.values:
        raise RuleViolation(f"unknown event {event!r}", field="event")
    if amount is not None and (amount < 0 or not Money(amount).is_whole_cents):
        raise RuleViolation(
            "the amount is zero or more, in whole cents (0: no deposit)", field="amount"
        )
    facts = rule.CreditFacts(
        is_new_member=event == DecisionEvent.APPLICATION,
        credit_methods=tuple(credit_methods),
        chronically_delinquent=event == DecisionEvent.CHRONIC_DELINQUENCY
        and chronically_delinquent(account, as_of=on),
        reconnecting_after_discontinuance=event == DecisionEvent.RECONNECTION,
        tampering=event == DecisionEvent.TAMPERING,
    )
    try:
        decision = rule.deposit_decision(facts)
    except ValueError as error:
        raise RuleViolation(str(error), field="credit_methods") from None
    if event == DecisionEvent.CHRONIC_DELINQUENCY and not decision.required:
        note = note or "not chronically delinquent in the prior 12 months (17.5.410.7 NMAC)"
    estimate, deposit = None, Money.zero()
    if decision.required:
        estimate = estimate_for(account, as_of=on)
        residential = account.rate_class == RateClass.RESIDENTIAL
        deposit = rule.deposit_amount(
            estimated_monthly_bills=estimate.monthly_bills, residential=residential
        )
    if special_consideration:
        if amount is None:
            raise RuleViolation("with special consideration, set the amount", field="amount")
        if Money(amount) > deposit:
            raise RuleViolation("special consideration cannot raise the deposit", field="amount")
        deposit = Money(amount)
    elif amount is not None:
        raise RuleViolation(
            "the amount comes from policy 404 unless special consideration applies", field="amount"
        )
    return CreditDecision.objects.create(
        account=account,
        event=event,
        decided_on=on,
        required=bool(decision.required and deposit),
        reasons=list(decision.reasons),
        credit_established_by=list(decision.credit_established_by),
        special_consideration=special_consideration,
        estimate_source=estimate.source if estimate else "",
        estimated_monthly_bills=[str(bill.amount) for bill in estimate.monthly_bills]
        if estimate
        else [],
        amount=deposit.amount,
        decided_by=current_actor().label,
        note=note[:300],
    )


# ---- taking, billing, receipts ---------------------------------------------------------------


def _start_holding(deposit: Deposit, on: date) -> None:
    deposit.status = DepositStatus.HELD
    deposit.held_on = deposit.interest_through = on
    deposit.next_review_on = rule.anniversaries(on, date(on.year + 1, 12, 31))[0]
    deposit.save()


@transaction.atomic
def _deposit_amount(amount: Decimal, what: str = "a deposit") -> Money:
    money = Money(amount)
    if money.amount <= 0 or not money.is_whole_cents:
        raise RuleViolation(f"{what} is a positive amount in whole cents", field="amount")
    return money


def take_deposit(
    *, account: Account, amount: Decimal, on: date, decision: CreditDecision | None = None
) -> Deposit:
    """A deposit paid at the office: Dr 131, Cr 235; the receipt in the member's language."""
    money = _deposit_amount(amount)
    deposit = Deposit.objects.create(
        account=account, decision=decision, amount=money.amount, status=DepositStatus.HELD
    )
    _start_holding(deposit, on)
    entry = _post(
        f"Security deposit received, account {account.number}",
        on,
        [debit(CASH, money), credit(DEPOSITS, money, member_account=account.number)],
        f"deposit:{deposit.pk}:received",
    )
    DepositEvent.objects.create(
        deposit=deposit, kind=EventKind.RECEIVED, on=on, amount=money.amount, journal_entry=entry
    )
    issue_receipt(deposit, language=account.language, on=on)
    return deposit


@transaction.atomic
def bill_deposit(
    *, account: Account, amount: Decimal, on: date, decision: CreditDecision | None = None
) -> Deposit:
    """A deposit added to the account's charges: Dr 142.2, Cr 235, an open DEPOSIT item.
    It is held (and receipted) once the item is paid."""
    money = _deposit_amount(amount)
    deposit = Deposit.objects.create(
        account=account,
        decision=decision,
        amount=money.amount,
        status=DepositStatus.BILLED,
        billed_on=on,
    )
    entry = _post(
        f"Security deposit billed, account {account.number}",
        on,
        [
            debit(OTHER_RECEIVABLE, money, member_account=account.number),
            credit(DEPOSITS, money, member_account=account.number),
        ],
        f"deposit:{deposit.pk}:billed",
    )
    deposit.billed_item = ReceivableItem.objects.create(
        account=account,
        category=ItemCategory.DEPOSIT,
        description="Security deposit (Rule No. 4)",
        amount=money.amount,
        posted_on=on,
        due_on=on,
        gl_account=OTHER_RECEIVABLE,
        journal_entry=entry,
    )
    deposit.save(update_fields=["billed_item"])
    DepositEvent.objects.create(
        deposit=deposit, kind=EventKind.BILLED, on=on, amount=money.amount, journal_entry=entry
    )
    from coopcis.apps.payments.services import apply_credit

    apply_credit(account=account, on=on)
    settle_billed_deposits(account=account)
    return deposit


def settle_billed_deposits(*, account: Account | None = None) -> list[Deposit]:
    """Billed deposits whose item is paid are held from the day it was paid, and receipted."""
    billed = Deposit.objects.filter(
        status=DepositStatus.BILLED, billed_item__status=ItemStatus.PAID
    )
    if account is not None:
        billed = billed.filter(account=account)
    settled = []
    for deposit in billed.select_related("billed_item", "account"):
        paid_on = paid_in_full_on(deposit.billed_item) or deposit.billed_on
        with transaction.atomic():
            _start_holding(deposit, paid_on)
            DepositEvent.objects.create(
                deposit=deposit, kind=EventKind.PAID, on=paid_on, amount=deposit.amount
            )
            issue_receipt(deposit, language=deposit.account.language, on=paid_on)
        settled.append(deposit)
    return settled


def issue_receipt(deposit: Deposit, *, language: str, on: date) -> DepositReceipt:
    """The receipt in ``language`` (made once per language; later calls return it)."""
    existing = DepositReceipt.objects.filter(deposit=deposit, language=language).first()
    if existing is not None:
        return existing
    if deposit.held_on is None:
        raise RuleViolation("a receipt is issued when the deposit is paid", field="deposit")
    pdf = receipt_pdf(
        account=deposit.account, paid_on=deposit.held_on, amount=deposit.amount, language=language
    )
    DepositEvent.objects.create(deposit=deposit, kind=EventKind.RECEIPT, on=on, note=language)
    return DepositReceipt.objects.create(deposit=deposit, language=language, issued_on=on, pdf=pdf)


# ---- interest and refunds --------------------------------------------------------------------


def accrue_interest(deposit: Deposit, *, through: date) -> Money:
    """Post simple interest from ``interest_through`` to ``through``: Dr 431, Cr 235."""
    start = deposit.interest_through
    if start is None or through <= start:
        return Money.zero()
    try:
        interest = rule.deposit_interest(
            principal=Money(deposit.amount), rates=interest_rates(), start_on=start, end_on=through
        )
    except ValueError as error:
        raise RuleViolation(str(error), field="interest_rate") from None
    entry = None
    if interest:
        entry = _post(
            f"Deposit interest {start} to {through}, account {deposit.account.number}",
            through,
            [
                debit(INTEREST, interest),
                credit(DEPOSITS, interest, member_account=deposit.account.number),
            ],
            f"deposit:{deposit.pk}:interest:{through}",
        )
    DepositEvent.objects.create(
        deposit=deposit,
        kind=EventKind.INTEREST,
        on=through,
        amount=interest.amount,
        note=f"{start} to {through}",
        journal_entry=entry,
    )
    deposit.interest_through = through
    deposit.interest_amount += interest.amount
    deposit.save(update_fields=["interest_through", "interest_amount"])
    return interest


def _open_charges(account: Account) -> list[ReceivableItem]:
    return list(
        ReceivableItem.objects.select_for_update()
        .filter(account=account, status=ItemStatus.OPEN)
        .exclude(category=ItemCategory.DEPOSIT)
        .order_by("due_on", "id")
    )


def _credit_to_charges(deposit: Deposit, available: Money, on: date) -> Money:
    """Pay the account's open charges from the deposit (oldest first): Dr 235, Cr 142.x."""
    account = deposit.account
    Account.objects.select_for_update().get(pk=account.pk)
    applied, unapplied = apply_to_items(available, _open_charges(account))
    if not applied:
        return Money.zero()
    used = available - unapplied
    count = DepositEvent.objects.filter(deposit=deposit, kind=EventKind.CREDITED).count()
    entry = _post(
        f"Deposit credited to charges, account {account.number}",
        on,
        [
            debit(DEPOSITS, used, member_account=account.number),
            *(
                credit(item.gl_account, part, member_account=account.number)
                for item, part in applied
            ),
        ],
        f"deposit:{deposit.pk}:credit:{count + 1}",
    )
    for item, part in applied:
        item.save(update_fields=["paid_amount", "status"])
        DepositApplication.objects.create(
            deposit=deposit, item=item, amount=part.amount, applied_on=on
        )
    DepositEvent.objects.create(
        deposit=deposit, kind=EventKind.CREDITED, on=on, amount=used.amount, journal_entry=entry
    )
    return used


def _mail_check(deposit: Deposit, amount: Money, on: date) -> None:
    entry = _post(
        f"Deposit refund check, account {deposit.account.number}",
        on,
        [debit(DEPOSITS, amount, member_account=deposit.account.number), credit(CASH, amount)],
        f"deposit:{deposit.pk}:check:{on}",
    )
    DepositEvent.objects.create(
        deposit=deposit, kind=EventKind.CHECK, on=on, amount=amount.amount, journal_entry=entry
    )
    deposit.check_mailed_on = on
    deposit.check_cashed = False


@transaction.atomic
def refund_deposit(deposit: Deposit, *, on: date, by_check: bool = False) -> rule.RefundSplit:
    """Return the deposit with interest to ``on`` (interest stops that day): credit to the
    open charges, the excess by check when asked for and over $10 (or ``by_check``: all
    of the rest, e.g. when service ended), else kept in 235 for the next bills."""
    deposit = Deposit.objects.select_for_update().select_related("account").get(pk=deposit.pk)
    if deposit.status != DepositStatus.HELD:
        raise RuleViolation(f"deposit {deposit.pk} is not held", field="deposit")
    accrue_interest(deposit, through=on)
    refund = Money(deposit.amount + deposit.interest_amount)
    open_total = sum((Money(i.open_amount) for i in _open_charges(deposit.account)), Money.zero())
    split = rule.refund_split(
        refund=refund, open_charges=open_total, excess_requested=deposit.excess_requested
    )
    credited = _credit_to_charges(deposit, split.credit, on) if split.credit else Money.zero()
    rest = refund - credited
    check = rest if by_check else split.check
    if check:
        _mail_check(deposit, check, on)
    deposit.credit_remaining_amount = (rest - check).amount
    deposit.refunded_on = on
    deposit.next_review_on = None
    deposit.status = (
        DepositStatus.CREDITING if deposit.credit_remaining_amount else DepositStatus.REFUNDED
    )
    deposit.save()
    return rule.RefundSplit(credited, check, Money(deposit.credit_remaining_amount))


@transaction.atomic
def request_excess(deposit: Deposit, *, on: date) -> Money:
    """The member asks for the excess of the deposit over the current bill (Rule No. 4).
    Being credited to bills: the remainder is mailed now when over $10. Still held: the
    excess is paid by check when the deposit is refunded."""
    deposit = Deposit.objects.select_for_update().select_related("account").get(pk=deposit.pk)
    if deposit.status == DepositStatus.HELD:
        deposit.excess_requested = True
        deposit.save(update_fields=["excess_requested"])
        return Money.zero()
    if deposit.status != DepositStatus.CREDITING:
        raise RuleViolation(f"deposit {deposit.pk} has nothing left to refund", field="deposit")
    apply_deposit_credits(deposit.account, on=on)
    deposit.refresh_from_db()
    excess = Money(deposit.credit_remaining_amount)
    if not excess > rule.EXCESS_REFUND_MINIMUM:
        raise RuleViolation(
            f"the excess over the current bill is {excess.formatted()}: refunded on request "
            f"only when over {rule.EXCESS_REFUND_MINIMUM.formatted()}",
            field="deposit",
        )
    _mail_check(deposit, excess, on)
    deposit.credit_remaining_amount = Decimal(0)
    deposit.status = DepositStatus.REFUNDED
    deposit.save()
    return excess


def apply_deposit_credits(account: Account, *, on: date) -> Money:
    """Refunds kept as credit pay the account's open charges as they come."""
    applied = Money.zero()
    for deposit in Deposit.objects.filter(account=account, status=DepositStatus.CREDITING):
        with transaction.atomic():
            used = _credit_to_charges(deposit, Money(deposit.credit_remaining_amount), on)
            deposit.credit_remaining_amount -= used.amount
            if not deposit.credit_remaining_amount:
                deposit.status = DepositStatus.REFUNDED
            deposit.save(update_fields=["credit_remaining_amount", "status"])
            applied = applied + used
    return applied


def mark_check_uncashed(deposit: Deposit) -> None:
    """The refund check came back or was never cashed: the refund stays owed (escheat)."""
    deposit.check_cashed = False
    deposit.save(update_fields=["check_cashed"])


def mark_check_cashed(deposit: Deposit) -> None:
    deposit.check_cashed = True
    deposit.save(update_fields=["check_cashed"])


# ---- the yearly review -----------------------------------------------------------------------


@dataclass
class ReviewReport:
    as_of: date
    settled: list[str] = field(default_factory=list)
    refunded: list[dict[str, str]] = field(default_factory=list)
    deferred: list[dict[str, str]] = field(default_factory=list)
    interest: list[dict[str, str]] = field(default_factory=list)
    credited: list[dict[str, str]] = field(default_factory=list)
    guarantees_ended: list[str] = field(default_factory=list)
    unclaimed: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        counts = {
            name: len(getattr(self, name))
            for name in (
                "settled",
                "refunded",
                "deferred",
                "interest",
                "credited",
                "guarantees_ended",
                "unclaimed",
            )
        }
        return {
            "as_of": self.as_of.isoformat(),
            "counts": counts,
            **self.__dict__ | {"as_of": self.as_of.isoformat()},
        }


def _review_one(deposit: Deposit, as_of: date, report: ReviewReport) -> None:
    number = deposit.account.number
    while (
        deposit.status == DepositStatus.HELD
        and deposit.next_review_on
        and deposit.next_review_on <= as_of
    ):
        anniversary = deposit.next_review_on
        if chronically_delinquent(deposit.account, as_of=anniversary):
            with transaction.atomic():
                interest = accrue_interest(deposit, through=anniversary)
                DepositEvent.objects.create(
                    deposit=deposit,
                    kind=EventKind.DEFERRED,
                    on=anniversary,
                    note="chronically delinquent in the prior 12 months (17.5.410.7 NMAC)",
                )
                deposit.next_review_on = rule.anniversaries(
                    deposit.held_on,
                    date(anniversary.year + 1, 12, 31),  # type: ignore[arg-type]
                )[-1]
                deposit.save(update_fields=["next_review_on"])
            report.interest.append(
                {"account": number, "through": str(anniversary), "amount": str(interest.amount)}
            )
            report.deferred.append(
                {
                    "account": number,
                    "anniversary": str(anniversary),
                    "next_review_on": str(deposit.next_review_on),
                }
            )
            continue
        split = refund_deposit(deposit, on=as_of)
        deposit.refresh_from_db()
        report.refunded.append(
            {
                "account": number,
                "anniversary": str(anniversary),
                "interest": str(deposit.interest_amount),
                "credited": str(split.credit.amount),
                "check": str(split.check.amount),
                "kept_as_credit": str(split.held_as_credit.amount),
            }
        )


def review_deposits(*, as_of: date) -> ReviewReport:
    """The daily deposit job: settle paid billed deposits; on each anniversary accrue
    interest and refund when the member was not chronically delinquent in the prior 12
    months, else review again next anniversary; let refunds kept as credit pay new charges;
    end guarantees after 12 clean months; list unclaimed refunds for escheat."""
    report = ReviewReport(as_of)
    report.settled = [d.account.number for d in settle_billed_deposits()]
    due = Deposit.objects.filter(status=DepositStatus.HELD, next_review_on__lte=as_of)
    for deposit in due.select_related("account").order_by("id"):
        _review_one(deposit, as_of, report)
    crediting = Account.objects.filter(deposits__status=DepositStatus.CREDITING).distinct()
    for account in crediting:
        used = apply_deposit_credits(account, on=as_of)
        if used:
            report.credited.append({"account": account.number, "amount": str(used.amount)})
    report.guarantees_ended = end_guarantees(as_of=as_of)
    report.unclaimed = unclaimed_deposits(as_of=as_of)
    return report


def end_guarantees(*, as_of: date) -> list[str]:
    """Guarantees end after twelve months without chronic delinquency (Rule No. 4)."""
    ended = []
    for guarantee in Guarantor.objects.filter(ended_on__isnull=True, next_review_on__lte=as_of):
        anniversary = guarantee.next_review_on
        if chronically_delinquent(guarantee.account, as_of=anniversary):  # type: ignore[arg-type]
            guarantee.next_review_on = date(
                anniversary.year + 1, anniversary.month, min(anniversary.day, 28)
            )  # type: ignore[union-attr]
        else:
            guarantee.ended_on = as_of
            guarantee.end_reason = "twelve months without chronic delinquency"
            ended.append(guarantee.account.number)
        guarantee.save()
    return ended


def add_guarantor(
    *,
    account: Account,
    name: str,
    mailing_address: str,
    amount: Decimal,
    starts_on: date,
    phone: str = "",
) -> Guarantor:
    if not name.strip() or not mailing_address.strip():
        raise RuleViolation("a guarantor needs a name and a mailing address", field="name")
    _deposit_amount(amount, "the amount guaranteed")
    return Guarantor.objects.create(
        account=account,
        name=name,
        mailing_address=mailing_address,
        phone=phone,
        amount=amount,
        starts_on=starts_on,
        next_review_on=rule.anniversaries(starts_on, date(starts_on.year + 1, 12, 31))[0],
    )


def unclaimed_deposits(*, as_of: date) -> list[dict[str, str]]:
    """Refunds owed a year or more and not claimed, for the unclaimed-property report: checks
    mailed and never cashed, and credit left on closed accounts."""
    cutoff = as_of - timedelta(days=ESCHEAT_AFTER_DAYS)
    rows = []
    checks = Deposit.objects.filter(check_cashed=False, check_mailed_on__lte=cutoff)
    for deposit in checks.select_related("account__party"):
        amount = sum(
            (e.amount for e in deposit.events.filter(kind=EventKind.CHECK)), start=Decimal(0)
        )
        rows.append(_unclaimed_row(deposit, amount, "refund check not cashed"))
    closed = Deposit.objects.filter(
        status=DepositStatus.CREDITING,
        account__status=AccountStatus.CLOSED,
        refunded_on__lte=cutoff,
    )
    for deposit in closed.select_related("account__party"):
        rows.append(
            _unclaimed_row(deposit, deposit.credit_remaining_amount, "credit on a closed account")
        )
    return rows


def _unclaimed_row(deposit: Deposit, amount: Decimal, why: str) -> dict[str, str]:
    account = deposit.account
    address = ", ".join(
        part
        for part in (
            account.mailing_line1,
            account.mailing_city,
            account.mailing_state,
            account.mailing_zip,
        )
        if part
    )
    return {
        "account": account.number,
        "name": account.party.display_name,
        "last_known_address": address,
        "amount": str(amount),
        "since": str(deposit.check_mailed_on or deposit.refunded_on),
        "why": why,
    }


def held_deposit_amount(account: Account) -> Money:
    """What the account has on deposit now (held or billed)."""
    rows = Deposit.objects.filter(
        account=account, status__in=[DepositStatus.HELD, DepositStatus.BILLED]
    )
    return sum((Money(row.amount) for row in rows), Money.zero())
