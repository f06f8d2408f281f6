"""Ledger reports: trial balance, receivables aging, revenue by class, GL export.

Aging rule: payments and credits apply to a member's oldest charges first; what remains
of each charge is aged by days since it was posted (the bill date): current (0-29 days),
30-59, 60-89 and 90+ days. Credit balances are reported apart from the buckets.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO

from django.db.models import F, Q, Sum

from coopcis.apps.ledger.models import JournalLine, LedgerAccount

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
AGING_BUCKETS = ("current", "30", "60", "90+")


@dataclass(frozen=True)
class TrialBalanceRow:
    number: str
    name: str
    debit: Decimal
    credit: Decimal


@dataclass
class TrialBalance:
    rows: list[TrialBalanceRow]
    total_debit: Decimal
    total_credit: Decimal

    @property
    def balanced(self) -> bool:
        return self.total_debit == self.total_credit

    def as_json(self) -> dict[str, object]:
        return {
            "accounts": [
                {
                    "number": r.number,
                    "name": r.name,
                    "debit": f"{r.debit:.2f}",
                    "credit": f"{r.credit:.2f}",
                }
                for r in self.rows
            ],
            "total_debit": f"{self.total_debit:.2f}",
            "total_credit": f"{self.total_credit:.2f}",
        }


def _lines(through: date | None, since: date | None = None):  # type: ignore[no-untyped-def]
    lines = JournalLine.objects.all()
    if through is not None:
        lines = lines.filter(entry__posted_on__lte=through)
    if since is not None:
        lines = lines.filter(entry__posted_on__gte=since)
    return lines


def trial_balance(*, through: date | None = None) -> TrialBalance:
    """Each account's net balance on its debit or credit side; totals must agree."""
    sums = (
        _lines(through)
        .values("gl_account")
        .annotate(debit=Sum("debit_amount"), credit=Sum("credit_amount"))
    )
    balances = {row["gl_account"]: net(row["debit"], row["credit"]) for row in sums}
    rows = []
    for account in LedgerAccount.objects.filter(number__in=balances.keys()).order_by("number"):
        balance = balances[account.number]
        if balance == 0:
            continue
        rows.append(
            TrialBalanceRow(
                account.number,
                account.name,
                balance if balance > 0 else ZERO,
                -balance if balance < 0 else ZERO,
            )
        )
    return TrialBalance(
        rows=rows,
        total_debit=sum((row.debit for row in rows), ZERO),
        total_credit=sum((row.credit for row in rows), ZERO),
    )


def member_balances(*, through: date | None = None) -> dict[int, Decimal]:
    """Each member account's receivable balance (142.x), by account id."""
    sums = (
        _lines(through)
        .filter(gl_account__member_subledger=True)
        .values("member_account")
        .annotate(debit=Sum("debit_amount"), credit=Sum("credit_amount"))
    )
    return {row["member_account"]: net(row["debit"], row["credit"]) for row in sums}


def net(debit: Decimal | None, credit: Decimal | None) -> Decimal:
    """Debit less credit of two sums, in whole cents. SQLite sums decimals as binary
    floating point (its columns have REAL affinity), so a sum can come back as
    ``0E-13``; every amount is whole cents, so rounding to the cent restores it exactly."""
    return ((debit or ZERO) - (credit or ZERO)).quantize(CENT)


def receivables_difference(*, through: date | None = None) -> Decimal:
    """Control accounts (142.x) minus the sum of member balances: zero when the subledger ties."""
    control = (
        _lines(through)
        .filter(gl_account__member_subledger=True)
        .aggregate(debit=Sum("debit_amount"), credit=Sum("credit_amount"))
    )
    control_balance = net(control["debit"], control["credit"])
    return control_balance - sum(member_balances(through=through).values(), ZERO)


@dataclass
class AgingRow:
    account_id: int
    number: str
    name: str
    buckets: dict[str, Decimal] = field(default_factory=dict)
    credit: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO) - self.credit


def _bucket(age_days: int) -> str:
    if age_days < 30:
        return "current"
    if age_days < 60:
        return "30"
    if age_days < 90:
        return "60"
    return "90+"


def aging(*, as_of: date) -> list[AgingRow]:
    """Open receivables per member account, oldest charges paid first, by age bucket."""
    rows = (
        _lines(as_of)
        .filter(gl_account__member_subledger=True)
        .values_list(
            "member_account_id",
            "member_account__number",
            "member_account__party__display_name",
            "entry__posted_on",
            "debit_amount",
            "credit_amount",
        )
        .order_by("member_account_id", "entry__posted_on", "id")
    )
    charges: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    credits: dict[int, Decimal] = defaultdict(lambda: ZERO)
    names: dict[int, tuple[str, str]] = {}
    for account_id, number, name, posted_on, debit_amount, credit_amount in rows:
        names[account_id] = (number, name)
        if debit_amount:
            charges[account_id].append((posted_on, debit_amount))
        else:
            credits[account_id] += credit_amount
    result = []
    for account_id, (number, name) in names.items():
        row = AgingRow(account_id, number, name, dict.fromkeys(AGING_BUCKETS, ZERO))
        remaining_credit = credits[account_id]
        for posted_on, amount in charges[account_id]:
            applied = min(amount, remaining_credit)
            remaining_credit -= applied
            if amount > applied:
                row.buckets[_bucket((as_of - posted_on).days)] += amount - applied
        row.credit = remaining_credit
        if row.total != 0 or row.credit:
            result.append(row)
    return result


def revenue_by_class(*, since: date, through: date) -> list[dict[str, object]]:
    """Revenue (credits less debits) by RUS account and the member's rate class."""
    sums = (
        _lines(through, since)
        .filter(gl_account__kind="REVENUE")
        .values("gl_account", "gl_account__name", "member_account__rate_class")
        .annotate(amount=Sum(F("credit_amount") - F("debit_amount")))
        .order_by("gl_account", "member_account__rate_class")
    )
    return [
        {
            "account": row["gl_account"],
            "name": row["gl_account__name"],
            "rate_class": row["member_account__rate_class"] or "",
            "amount": f"{(row['amount'] or ZERO).quantize(CENT):.2f}",
        }
        for row in sums
    ]


GL_EXPORT_COLUMNS = [
    "entry",
    "posted_on",
    "kind",
    "memo",
    "account",
    "debit",
    "credit",
    "member_account",
]


def export_gl(out: IO[str], *, since: date | None = None, through: date | None = None) -> int:
    """Write journal lines as CSV for the co-op's accounting package; returns lines written."""
    writer = csv.writer(out)
    writer.writerow(GL_EXPORT_COLUMNS)
    count = 0
    lines = (
        _lines(through, since)
        .filter(~Q(entry__isnull=True))
        .values_list(
            "entry_id",
            "entry__posted_on",
            "entry__kind",
            "entry__memo",
            "gl_account_id",
            "debit_amount",
            "credit_amount",
            "member_account__number",
        )
        .order_by("entry__posted_on", "entry_id", "id")
    )
    for (
        entry_id,
        posted_on,
        kind,
        memo,
        account,
        debit_amount,
        credit_amount,
        member,
    ) in lines.iterator():
        writer.writerow(
            [
                entry_id,
                posted_on.isoformat(),
                kind,
                memo,
                account,
                f"{debit_amount:.2f}",
                f"{credit_amount:.2f}",
                member or "",
            ]
        )
        count += 1
    return count
