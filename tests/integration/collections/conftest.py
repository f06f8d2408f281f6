"""Helpers for the collection scenarios: a billed small co-op and a day-by-day job."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.test import TestCase

from coopcis.apps.billing.models import Bill
from coopcis.apps.billing.run import run_billing
from coopcis.apps.collections.run import run_collections
from coopcis.apps.payments.services import receive_payment
from tests.shared_build import shared_fixture


def days(start: date, end: date):
    """Each day of ``[start, end]``."""
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def run_days(start: date, end: date) -> dict[date, dict]:
    """Run the daily job each day; the JSON report of each day."""
    return {day: run_collections(as_of=day).as_json() for day in days(start, end)}


def steps_for(reports: dict[date, dict], number: str) -> dict[str, list[date]]:
    """For one account: each step and the days it happened."""
    found: dict[str, list[date]] = {}
    for day, report in reports.items():
        for step, accounts in report["accounts"].items():
            if number in accounts:
                found.setdefault(step, []).append(day)
    return found


def pay(account, amount: str, on: date, reference: str = ""):
    """A payment by check at the office (the mill's bill is more than the office takes in
    cash); what it announces on commit (a reconnection) runs as the commit would run it
    (the test's own transaction never commits)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return receive_payment(
            account=account,
            amount=Decimal(amount),
            channel="OFFICE",
            tender="CHECK",
            received_on=on,
            reference=reference or f"{account.number}-{on}-{amount}",
        ).payment


@shared_fixture
def billed(small_coop):
    """October 2026 billed: the home's bill of $183.89 dated 10 October, due 30 October.
    Every other account pays on time, so only the home is delinquent."""
    run_billing(period_label="2026-10")
    for account in (small_coop.tou_home, small_coop.lights, small_coop.mill, small_coop.no_read):
        for bill in Bill.objects.filter(account=account, status="POSTED"):
            pay(account, str(bill.total_amount), date(2026, 10, 20))
    return small_coop
