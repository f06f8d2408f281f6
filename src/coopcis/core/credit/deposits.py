"""Security deposits: when one may be required, how much, and its interest.

SEC Rule No. 4: a residential deposit may be required only (a) of a new member without an
acceptable credit rating, (b) of a chronically delinquent member, (c) for reconnection after
the co-op discontinued service, (d) after tampering or diversion. Acceptable credit: credit
references from a utility or commercial source, owning or buying a home, a year of full-time
employment, or an adequate regular income; a spouse's prior service may count; low-income
elderly or disabled members get special consideration (a staff decision, recorded).

Policy 404 amounts: residential one-sixth of estimated annual billings, capped at 150% of
the estimated highest monthly bill, and not less than $50 (the common reading of the
policy's three lines, written down in docs/domain/credit.md); commercial one-sixth of
estimated annual billings. Amounts are rounded half up to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from coopcis.core.money import Money, total

NEW_WITHOUT_CREDIT = "NEW_WITHOUT_CREDIT"
CHRONICALLY_DELINQUENT = "CHRONICALLY_DELINQUENT"
RECONNECTION = "RECONNECTION_AFTER_DISCONTINUANCE"
TAMPERING = "TAMPERING"
DEPOSIT_REASONS = (NEW_WITHOUT_CREDIT, CHRONICALLY_DELINQUENT, RECONNECTION, TAMPERING)

CREDIT_METHODS = ("REFERENCES", "HOME_OWNER", "EMPLOYED_A_YEAR", "REGULAR_INCOME", "SPOUSE_HISTORY")

RESIDENTIAL_MINIMUM = Money.of("50.00")
RESIDENTIAL_CAP_RATIO = Decimal("1.5")


@dataclass(frozen=True, kw_only=True, slots=True)
class CreditFacts:
    """What the co-op knows about a residential applicant or member."""

    is_new_member: bool
    credit_methods: tuple[str, ...] = ()
    chronically_delinquent: bool = False
    reconnecting_after_discontinuance: bool = False
    tampering: bool = False


@dataclass(frozen=True, slots=True)
class DepositDecision:
    required: bool
    reasons: tuple[str, ...]
    credit_established_by: tuple[str, ...]


def deposit_decision(facts: CreditFacts) -> DepositDecision:
    """Whether Rule No. 4 allows a residential deposit, and on which grounds."""
    unknown = set(facts.credit_methods) - set(CREDIT_METHODS)
    if unknown:
        raise ValueError(f"unknown ways to establish credit: {', '.join(sorted(unknown))}")
    reasons = []
    if facts.is_new_member and not facts.credit_methods:
        reasons.append(NEW_WITHOUT_CREDIT)
    if facts.chronically_delinquent:
        reasons.append(CHRONICALLY_DELINQUENT)
    if facts.reconnecting_after_discontinuance:
        reasons.append(RECONNECTION)
    if facts.tampering:
        reasons.append(TAMPERING)
    return DepositDecision(bool(reasons), tuple(reasons), facts.credit_methods)


def deposit_amount(*, estimated_monthly_bills: Sequence[Money], residential: bool) -> Money:
    """Policy 404 amount from twelve estimated monthly bills."""
    if len(estimated_monthly_bills) != 12:
        raise ValueError("give twelve estimated monthly bills")
    sixth = Money(total(list(estimated_monthly_bills)).amount / 6).round_cents()
    if not residential:
        return sixth
    cap = (
        max(estimated_monthly_bills, key=lambda bill: bill.amount) * RESIDENTIAL_CAP_RATIO
    ).round_cents()
    amount = sixth if sixth <= cap else cap
    return amount if amount >= RESIDENTIAL_MINIMUM else RESIDENTIAL_MINIMUM


@dataclass(frozen=True, slots=True)
class InterestRate:
    """The commission's annual simple-interest rate on deposits from ``effective_on``."""

    effective_on: date
    annual_rate: Decimal


def deposit_interest(
    *, principal: Money, rates: Sequence[InterestRate], start_on: date, end_on: date
) -> Money:
    """Simple interest on ``principal`` for ``[start_on, end_on)``, each day at the rate in
    force that day, actual days over 365; rounded half up to the cent once, at the end.

    Interest stops on the day the deposit is returned, service ends or the refund is mailed
    (Rule No. 4 B): pass that day as ``end_on``.
    """
    if end_on < start_on:
        raise ValueError("interest cannot run backwards")
    ordered = sorted(rates, key=lambda rate: rate.effective_on)
    if not ordered or ordered[0].effective_on > start_on:
        raise ValueError(f"no deposit interest rate in force on {start_on}")
    accrued = Decimal(0)
    for index, rate in enumerate(ordered):
        until = ordered[index + 1].effective_on if index + 1 < len(ordered) else end_on
        low, high = max(start_on, rate.effective_on), min(end_on, until)
        if high > low:
            accrued += principal.amount * rate.annual_rate * (high - low).days / Decimal(365)
    return Money(accrued).round_cents()


def anniversaries(start_on: date, as_of: date) -> list[date]:
    """Each anniversary of ``start_on`` up to ``as_of`` (29 February falls on 28 February)."""
    result: list[date] = []
    year = start_on.year + 1
    while True:
        try:
            day = start_on.replace(year=year)
        except ValueError:
            day = date(year, 2, 28)
        if day > as_of:
            return result
        result.append(day)
        year += 1


EXCESS_REFUND_MINIMUM = Money.of("10.00")
HISTORY = "HISTORY"
CLASS_AVERAGE = "CLASS_AVERAGE"
MIXED = "HISTORY_AND_CLASS_AVERAGE"


@dataclass(frozen=True, slots=True)
class Estimate:
    """Twelve estimated monthly bills (January first) and where they came from."""

    monthly_bills: tuple[Money, ...]
    source: str


def estimate_monthly_bills(
    *, premise_history: dict[int, Money], class_average: dict[int, Money]
) -> Estimate:
    """Policy 404's estimate: each calendar month from the premise's own bills where it has
    one, else the rate class's average bill for that month (keys are months 1-12); a month
    neither knows is the average of the months known (premise first, else class)."""
    bills: list[Money | None] = []
    used = set()
    for month in range(1, 13):
        if month in premise_history:
            bills.append(premise_history[month])
            used.add(HISTORY)
        elif month in class_average:
            bills.append(class_average[month])
            used.add(CLASS_AVERAGE)
        else:
            bills.append(None)
    known = [bill for bill in bills if bill is not None]
    if not known:
        raise ValueError("no history and no class average: give an estimate")
    fill = Money(total(known).amount / len(known))
    source = used.pop() if len(used) == 1 else MIXED
    if len(known) < 12:
        source += "_AVERAGED"
    return Estimate(tuple((bill or fill).round_cents() for bill in bills), source)


@dataclass(frozen=True, slots=True)
class RefundSplit:
    """How a refund is paid: ``credit`` to the open charges, ``check`` mailed, and
    ``held_as_credit`` kept in 235 to pay the next bills."""

    credit: Money
    check: Money
    held_as_credit: Money


def refund_split(*, refund: Money, open_charges: Money, excess_requested: bool) -> RefundSplit:
    """Rule No. 4: the deposit and interest are credited to the current bill; if they exceed
    it, the member may ask for the excess when it is more than $10 (else it pays the next
    bills)."""
    credit = refund if refund <= open_charges else open_charges
    credit = credit if credit.amount > 0 else Money.zero()
    excess = refund - credit
    if excess_requested and excess > EXCESS_REFUND_MINIMUM:
        return RefundSplit(credit, excess, Money.zero())
    return RefundSplit(credit, Money.zero(), excess)
