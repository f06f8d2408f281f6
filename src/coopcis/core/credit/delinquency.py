"""Chronic delinquency (17.5.410.7 NMAC), computed from the account's own history.

A residential member is chronically delinquent if, in the prior 12 months, service was
disconnected for non-payment, or on three or more occasions a bill was not paid by the time
the next bill was rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

LOOKBACK_DAYS = 365
LATE_OCCASIONS = 3


@dataclass(frozen=True, slots=True)
class BillHistory:
    """A bill, when the next one was rendered, and when it was paid in full (None: not yet)."""

    bill_date: date
    next_bill_date: date | None
    paid_in_full_on: date | None


def late_occasions(bills: Sequence[BillHistory], *, as_of: date) -> list[date]:
    """Bills in the prior 12 months not paid by the time the next bill was rendered."""
    since = as_of - timedelta(days=LOOKBACK_DAYS)
    late = []
    for bill in bills:
        if bill.next_bill_date is None or not since <= bill.next_bill_date <= as_of:
            continue
        if bill.paid_in_full_on is None or bill.paid_in_full_on > bill.next_bill_date:
            late.append(bill.bill_date)
    return late


def is_chronically_delinquent(
    *, bills: Sequence[BillHistory], disconnections_for_nonpayment: Sequence[date], as_of: date
) -> bool:
    """17.5.410.7 NMAC: disconnected for non-payment, or 3+ late occasions, in 12 months."""
    since = as_of - timedelta(days=LOOKBACK_DAYS)
    if any(since <= day <= as_of for day in disconnections_for_nonpayment):
        return True
    return len(late_occasions(bills, as_of=as_of)) >= LATE_OCCASIONS
