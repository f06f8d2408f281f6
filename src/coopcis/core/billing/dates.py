"""Bill and due dates (cycle billing; SEC policy 407, OCEC handbook "Bills")."""

from __future__ import annotations

from datetime import date, timedelta


def bill_dates(*, read_on: date, bill_lag_days: int, due_days: int) -> tuple[date, date]:
    """``(bill_date, due_date)``: the bill goes out ``bill_lag_days`` after the read and is
    due ``due_days`` after the bill date (20 for residential, 10 for commercial at SEC)."""
    bill_date = read_on + timedelta(days=bill_lag_days)
    return bill_date, bill_date + timedelta(days=due_days)
