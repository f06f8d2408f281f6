"""Patronage: what each patron, member or not, bought of the co-op's electric energy in a
fiscal year (January to December; bylaws art. X sec. 4), the weight of their share of
that year's margins (art. VIII sec. 2).

On the ``REVENUE`` basis it is the electric revenue billed to the account, read from the
ledger: the credits less debits on the profile's electric sales accounts (440.1, 442.1,
442.2, 444) of entries dated in the year, each bill line carrying its member account
(``core/billing/posting.py``). Taxes (241), the renewable energy fee (242.1), service fees
(450, 451), deposits (235) and loans are booked elsewhere and so left out; a cancelled
bill's reversing entry takes its revenue back out. On the ``KWH`` basis it is the energy
of the account's posted bills dated in the year.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.capital_credits.params import rules
from coopcis.apps.ledger.models import JournalLine

WH_PER_KWH = Decimal(1000)


def year_patronage(
    year: int, *, basis: str | None = None, accounts: Sequence[int] | None = None
) -> dict[int, Decimal]:
    """Each account's patronage in ``year`` (account id -> dollars or kWh), left out when
    it is not positive; only ``accounts``' when given (a batch of ``allocate --workers``:
    an account's patronage is its own sums, so the batches' patronage together is the
    whole's)."""
    found = rules()
    basis = basis or found.basis
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    result: dict[int, Decimal] = {}
    if basis == "KWH":
        bills = (
            Bill.objects.filter(status=BillStatus.POSTED, bill_date__gte=start, bill_date__lt=end)
            .values("account_id")
            .annotate(wh=Sum("energy_wh"))
        )
        if accounts is not None:
            bills = bills.filter(account_id__in=accounts)
        for row in bills:
            energy = Decimal(row["wh"] or 0) / WH_PER_KWH
            if energy > 0:
                result[row["account_id"]] = energy
        return result
    lines = (
        JournalLine.objects.filter(
            gl_account_id__in=found.revenue_accounts,
            member_account__isnull=False,
            entry__posted_on__gte=start,
            entry__posted_on__lt=end,
        )
        .values("member_account_id")
        .annotate(credit=Sum("credit_amount"), debit=Sum("debit_amount"))
    )
    if accounts is not None:
        lines = lines.filter(member_account_id__in=accounts)
    for row in lines:
        revenue = Decimal(row["credit"] or 0) - Decimal(row["debit"] or 0)
        if revenue > 0:
            result[row["member_account_id"]] = revenue
    return result
