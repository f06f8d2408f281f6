"""An account's own payment history, as the core's chronic-delinquency rule needs it.

17.5.410.7 NMAC: in the prior 12 months, disconnected for non-payment, or three or more
bills not paid in full by the time the next bill was rendered. "Paid in full on" is the
day payments (and deposit credits) applied to the bill's open item first covered it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.members.models import Account
from coopcis.apps.payments.models import PaymentApplication
from coopcis.apps.receivables.models import ReceivableItem
from coopcis.core.credit.delinquency import BillHistory, is_chronically_delinquent


def paid_in_full_on(item: ReceivableItem) -> date | None:
    """The day the applications to ``item`` (still standing) first covered its amount."""
    from coopcis.apps.credit.models import DepositApplication

    parts = [
        (on, amount)
        for on, amount in PaymentApplication.objects.filter(
            item=item, released_on__isnull=True
        ).values_list("applied_on", "amount")
    ]
    parts += list(DepositApplication.objects.filter(item=item).values_list("applied_on", "amount"))
    covered = Decimal(0)
    for on, amount in sorted(parts):
        covered += amount
        if covered >= item.amount:
            return on
    return None


def bill_history(account: Account) -> list[BillHistory]:
    """Each posted bill with the next bill's date and the day it was paid in full."""
    bills = list(
        Bill.objects.filter(account=account, status=BillStatus.POSTED)
        .select_related("receivable")
        .order_by("bill_date", "id")
    )
    history = []
    for index, bill in enumerate(bills):
        following = bills[index + 1].bill_date if index + 1 < len(bills) else None
        item = getattr(bill, "receivable", None)
        paid_on = paid_in_full_on(item) if item is not None else bill.bill_date
        history.append(BillHistory(bill.bill_date, following, paid_on))
    return history


#: Where the days an account was disconnected for non-payment come from: the collections
#: app registers its service orders here when it starts (credit does not import it).
_disconnection_sources: list[Callable[[Account], list[date]]] = []


def register_disconnection_source(source: Callable[[Account], list[date]]) -> None:
    if source not in _disconnection_sources:
        _disconnection_sources.append(source)


def disconnections_for_nonpayment(account: Account) -> list[date]:
    return sorted(day for source in _disconnection_sources for day in source(account))


def chronically_delinquent(account: Account, *, as_of: date) -> bool:
    """Whether the account was chronically delinquent in the 12 months before ``as_of``."""
    return is_chronically_delinquent(
        bills=bill_history(account),
        disconnections_for_nonpayment=disconnections_for_nonpayment(account),
        as_of=as_of,
    )
