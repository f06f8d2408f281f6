"""Net-metering payouts as bill credits (SEC policy 425, "paid ... as a bill credit where the
profile says so": ``[net_metering] payout_method = "BILL_CREDIT"``).

In a month the member's bank is greater than the threshold, the bank restarts at zero as
with a check, but instead of a check request the payout is put on the member's open
charges, in the order payments use (oldest first, the profile's category order, loan
installments last): Dr 242.3 net-metering credits owed to members, Cr the receivable each
charge is booked to (142.1 or 142.2). It is a non-cash credit: no payment is made, nothing
reaches 131 cash, and the day's deposit report (``coopcis reconcile``) does not count it.

The bill run credits it after the bill's own charge is open (``billing.programs``), so it
normally pays that bill; the bill shows it as its own line (a negative amount, no riders or
taxes on it). What finds no open charge stays in 242.3, still owed to the member, and the
next bill credits it: a payout never becomes a credit balance in 142.1 that no charge
tracks. Each part put on a charge is kept (``PayoutCredit``) so that cancelling the bill
gives it back (Dr the receivable, Cr 242.3) for the next bill to credit again, and
cancelling the month gives back all of its payout.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import F

from coopcis.apps.ledger.models import EntryKind
from coopcis.apps.netmetering.models import NetMeteringMonth, PayoutCredit, PayoutMethod
from coopcis.apps.netmetering.policy import CREDITS_OWED
from coopcis.apps.receivables.models import ReceivableItem
from coopcis.apps.receivables.services import (
    credit_open_charges,
    give_back_charge_credit,
    lock_open_charges,
)
from coopcis.core.money import Money

LINE_CODE = "net_metering_credit"
SOURCE = "SEC policy 425: net-metering credit over the threshold paid as a bill credit"


@dataclass(frozen=True, slots=True)
class PayoutLine:
    """The payout's line for the bill (a negative amount)."""

    code: str
    description: str
    amount: Decimal
    source: str


def credit_payouts(bills: Sequence[Any], *, period: str) -> dict[int, PayoutLine]:
    """Put the accounts' bill-credit payouts not yet credited on their open charges (in the
    batch's transaction, after the bills' own items are open); returns each bill's line.
    The line goes on the bill whose month paid out, else on the account's first bill."""
    first: dict[int, Any] = {}
    by_id: dict[int, Any] = {}
    for bill in bills:
        first.setdefault(bill.account_id, bill)
        by_id[bill.pk] = bill
    months = list(
        NetMeteringMonth.objects.select_for_update()
        .select_related("account")
        .filter(
            account_id__in=list(first),
            payout_method=PayoutMethod.BILL_CREDIT,
            cancelled=False,
            held=False,
            payout_amount__gt=F("payout_credited_amount"),
        )
        .order_by("account_id", "posted_on", "id")
    )
    if not months:
        return {}
    items = lock_open_charges({m.account_id for m in months})
    credited: dict[int, Decimal] = defaultdict(Decimal)
    periods: dict[int, list[str]] = defaultdict(list)
    for month in months:
        bill = by_id.get(month.bill_id) or first[month.account_id]
        used = _credit_month(month, items[month.account_id], bill, period)
        if used:
            credited[bill.pk] += used
            periods[bill.pk].append(month.period)
    return {
        bill_id: PayoutLine(
            code=LINE_CODE,
            description="Net-metering credit paid as a bill credit (bank of "
            + ", ".join(periods[bill_id])
            + ")",
            amount=-amount,
            source=SOURCE,
        )
        for bill_id, amount in credited.items()
    }


def _credit_month(
    month: NetMeteringMonth, items: list[ReceivableItem], bill: Any, period: str
) -> Decimal:
    applied = credit_open_charges(
        amount=Money(month.payout_to_credit),
        charges=items,
        member=month.account.number,
        debit_account=CREDITS_OWED,
        posted_on=bill.bill_date,
        memo=f"Net-metering credit of {month.period} paid as a bill credit, bill {period}",
        source="net-metering",
        kind=EntryKind.ADJUSTMENT,
        # the bill's id too: a rebill of the period credits the payout again
        source_key=f"nm-payout-credit:{month.pk}:{bill.pk}",
    )
    if applied is None:
        return Decimal("0.00")
    PayoutCredit.objects.bulk_create(
        PayoutCredit(
            month=month,
            item=item,
            bill_id=bill.pk,
            amount=part.amount,
            credited_on=bill.bill_date,
            journal_entry=applied.entry,
        )
        for item, part in applied.parts
    )
    month.payout_credited_amount += applied.total.amount
    month.save(update_fields=["payout_credited_amount"])
    return applied.total.amount


def give_back(
    *, on: date, reason: str, item_id: int | None = None, month_id: int | None = None
) -> Decimal:
    """Give back the payout credits on a charge whose bill is cancelled (``item_id``), or
    all of a cancelled month's (``month_id``), in the cancellation's transaction and before
    the charge is voided: Dr the receivable the credit paid, Cr 242.3; the charge is open
    again for that much and the month's payout waits for the next bill. Returns the amount."""
    parts = PayoutCredit.objects.select_for_update().select_related("item", "month__account")
    parts = parts.filter(given_back_on__isnull=True)
    if item_id is not None:
        parts = parts.filter(item_id=item_id)
    if month_id is not None:
        parts = parts.filter(month_id=month_id)
    given = Decimal("0.00")
    for part in parts.order_by("id"):
        month = NetMeteringMonth.objects.select_for_update().get(pk=part.month_id)
        item = ReceivableItem.objects.select_for_update().get(pk=part.item_id)
        entry = give_back_charge_credit(
            item=item,
            amount=part.amount,
            member=part.month.account.number,
            credit_account=CREDITS_OWED,
            posted_on=on,
            memo=f"Net-metering bill credit of {month.period} given back: {reason}",
            source="net-metering",
            kind=EntryKind.ADJUSTMENT,
            source_key=f"nm-payout-credit:give-back:{part.pk}",
        )
        part.given_back_on, part.give_back_entry = on, entry
        part.save(update_fields=["given_back_on", "give_back_entry"])
        month.payout_credited_amount -= part.amount
        month.save(update_fields=["payout_credited_amount"])
        given += part.amount
    return given
