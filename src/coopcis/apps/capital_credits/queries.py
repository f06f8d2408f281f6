"""Reading capital credits: a patron's history (the account page's card, the member
portal), the years and pools, and the dissolution report."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Sum

from coopcis.apps.capital_credits.models import CapitalCredit, NoticeMethod, Payout
from coopcis.apps.members.models import Account
from coopcis.core.capital_credits.allocation import split_by_largest_remainder


@dataclass(frozen=True)
class CreditRow:
    id: int
    year: int
    pool: str
    patronage: Decimal
    basis: str
    amount: Decimal
    retired: Decimal
    open: Decimal
    notice_method: str
    noticed_on: object
    assigned_from: str


def credit_history(account: Account) -> dict[str, Any]:
    """The patron's credits year by year, what is retired and open, and their payouts;
    two queries however long the history. The portal shows the same."""
    credits = [
        CreditRow(
            id=c.pk,
            year=c.allocation.year,
            pool=c.allocation.pool,
            patronage=c.patronage,
            basis=c.allocation.basis,
            amount=c.amount,
            retired=c.retired_amount,
            open=c.open_amount,
            notice_method=c.notice_method,
            noticed_on=c.noticed_on,
            assigned_from=c.assigned_from.number if c.assigned_from else "",
        )
        for c in CapitalCredit.objects.filter(account=account)
        .select_related("allocation", "assigned_from")
        .order_by("-allocation__year", "allocation__pool", "id")
    ]
    payouts = list(
        Payout.objects.filter(account=account)
        .select_related("retirement")
        .order_by("-retirement__retired_on", "-id")
    )
    return {
        "credits": credits,
        "payouts": payouts,
        "allocated": sum((c.amount for c in credits), Decimal(0)),
        "retired": sum((c.retired for c in credits), Decimal(0)),
        "open": sum((c.open for c in credits), Decimal(0)),
    }


def capital_credits_card(account: Account) -> dict[str, Any]:
    """The account page's card (``backoffice/cards.py``)."""
    return {"account": account, "notice_methods": NoticeMethod.choices, **credit_history(account)}


@dataclass(frozen=True)
class DissolutionRow:
    account: str
    name: str
    outstanding: Decimal
    retired: Decimal


def dissolution_report(available: Decimal | None = None) -> list[DissolutionRow]:
    """On dissolution, after all debts are paid, outstanding credits are retired pro rata
    before any payment on the members' property rights (art. VIII sec. 2): each patron's
    outstanding credits (all pools), and their pro-rata share of ``available`` (to the
    cent by largest remainder; in full when ``available`` covers them all)."""
    rows = (
        CapitalCredit.objects.filter(retired_amount__lt=F("amount"))
        .values("account_id", "account__number", "account__party__display_name")
        .annotate(outstanding=Sum(F("amount") - F("retired_amount")))
        .order_by("account__number")
    )
    found = {
        row["account__number"]: (row["account__party__display_name"], Decimal(row["outstanding"]))
        for row in rows
    }
    total = sum((value for _, value in found.values()), Decimal(0))
    if available is None or available >= total:
        shares = {number: value for number, (_, value) in found.items()}
    else:
        shares = split_by_largest_remainder(
            available, {number: value for number, (_, value) in found.items()}
        )
    return [
        DissolutionRow(number, name, value, shares[number])
        for number, (name, value) in found.items()
    ]
