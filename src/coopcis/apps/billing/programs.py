"""The programs that ride on the monthly bill: aid-to-construction loan installments
(SEC policy 424), efficiency rebate credits (OCEC handbook) and net-metering payouts as bill
credits (SEC policy 425, where the profile says so).

Each program posts its own entries and open items (``loans.services.bill_installments``,
``rebates.services.credit_rebates``, ``netmetering.payout_credits.credit_payouts``); the
bill run only prints their lines after the rated ones, with no riders or taxes on them, and adds them to the amount due. The bill's
``total_amount`` stays its electric charges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import F, Max

from coopcis.apps.billing.models import Bill, BillLineItem
from coopcis.apps.loans.services import bill_installments
from coopcis.apps.netmetering.payout_credits import credit_payouts
from coopcis.apps.rebates.services import credit_rebates
from coopcis.site.bulk import insert_rows

COLUMNS = ("bill_id", "position", "code", "description", "quantity", "unit", "rate", "amount",
           "source")  # fmt: skip


def bill_programs(bills: Sequence[Bill], *, period: str) -> None:
    """Put each program's line on the posted ``bills`` (called in the batch's transaction,
    after the bills' own items are open, so a rebate credit can pay them)."""
    extra: dict[int, list[Any]] = defaultdict(list)
    for made in (
        bill_installments(bills, period=period),
        credit_rebates(bills, period=period),
        credit_payouts(bills, period=period),
    ):
        for bill_id, line in made.items():
            extra[bill_id].append(line)
    if not extra:
        return
    latest = dict(
        BillLineItem.objects.filter(bill_id__in=list(extra))
        .values("bill_id")
        .annotate(top=Max("position"))
        .values_list("bill_id", "top")
    )
    later = _from_each_bill_on(bills)
    rows = []
    for bill_id, lines in extra.items():
        for offset, line in enumerate(lines, start=1):
            rows.append(
                (
                    bill_id,
                    latest.get(bill_id, 0) + offset,
                    line.code,
                    line.description[:200],
                    Decimal(1),
                    "month",
                    line.amount,
                    line.amount,
                    line.source[:300],
                )
            )
        added = sum((line.amount for line in lines), Decimal("0.00"))
        # the account's later bills of the batch carry this one's amount due in theirs
        # (SEC policy 408: the last one and the summary statement ask for the balance)
        Bill.objects.filter(pk__in=later[bill_id]).update(
            amount_due_amount=F("amount_due_amount") + added
        )
    insert_rows(BillLineItem, COLUMNS, rows)


def _from_each_bill_on(bills: Sequence[Bill]) -> dict[int, list[int]]:
    """For each bill, its id and those of its account's bills after it in the batch: the
    run builds a later location's amount due on the earlier one's (``billing.run``)."""
    seen: dict[int, list[int]] = defaultdict(list)
    out: dict[int, list[int]] = {}
    for bill in reversed(bills):
        seen[bill.account_id].insert(0, bill.pk)
        out[bill.pk] = list(seen[bill.account_id])
    return out
