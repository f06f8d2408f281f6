"""Installment and settlement agreements: the schedule, and whether it is being kept.

DOMAIN.md "Bills and payment": members who cannot pay in 20 days may ask for an
arrangement; 17.5.410 NMAC: a member keeping a settlement or installment agreement is not
disconnected (and is protected through the winter moratorium). An agreement is *kept*
while, at each installment's due date plus ``grace_days``, the payments received since the
agreement began cover every installment due by then **and** the new bills due by then (a
member on an arrangement keeps the current bills paid too: the common industry term).
The first shortfall breaks it, which reopens collection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from coopcis.core.money import Money, total

KEPT = "KEPT"
BROKEN = "BROKEN"
COMPLETED = "COMPLETED"


@dataclass(frozen=True, slots=True)
class Installment:
    due_on: date
    amount: Money


def installment_schedule(
    *,
    total_amount: Money,
    down_payment: Money,
    count: int,
    made_on: date,
    first_due_on: date,
    every_days: int = 30,
) -> list[Installment]:
    """A down payment due on the day the agreement is made (when there is one), then
    ``count`` installments every ``every_days``: equal cents, the last one takes the rest."""
    if count < 1:
        raise ValueError("an agreement needs at least one installment")
    if down_payment.amount < 0 or down_payment > total_amount:
        raise ValueError("the down payment must be between zero and the total")
    rest = total_amount - down_payment
    each = Money((rest.amount / count).quantize(Decimal("0.01"), ROUND_DOWN))
    schedule = []
    if down_payment:
        schedule.append(Installment(made_on, down_payment))
    for index in range(count):
        amount = each if index < count - 1 else rest - each * (count - 1)
        schedule.append(Installment(first_due_on + timedelta(days=every_days * index), amount))
    return schedule


@dataclass(frozen=True, slots=True)
class Standing:
    status: str
    broken_on: date | None = None
    shortfall: Money = field(default_factory=Money.zero)


def agreement_standing(
    *,
    installments: Sequence[Installment],
    new_bills: Sequence[Installment],
    payments: Sequence[tuple[date, Money]],
    as_of: date,
    grace_days: int = 0,
) -> Standing:
    """KEPT, BROKEN (with the first day it was known broken and the shortfall then), or
    COMPLETED once every installment has come due and been covered."""
    checkpoints = sorted({item.due_on for item in installments})
    for due_on in checkpoints:
        deadline = due_on + timedelta(days=grace_days)
        if deadline >= as_of:
            break
        owed = total([i.amount for i in (*installments, *new_bills) if i.due_on <= due_on])
        paid = total([amount for day, amount in payments if day <= deadline])
        if paid < owed:
            return Standing(BROKEN, deadline + timedelta(days=1), owed - paid)
    last = max(checkpoints) if checkpoints else as_of
    if last + timedelta(days=grace_days) < as_of:
        return Standing(COMPLETED)
    return Standing(KEPT)
