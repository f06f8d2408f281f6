"""What an account summary statement shows, loaded from the database in three queries.

SEC policy 408, "Combined billing": "If service is supplied at more than one meter
location, separate billing will be made for each location." The bill run makes one bill
per service point, so a farm with wells and a house, or a business with several meters,
gets several bills a month on one account. The summary statement groups them on one page
with one amount to pay and one stub.

* Which bills: the account's POSTED bills of the billing month, two or more (a held bill
  waits for review, a cancelled one was replaced). With fewer there is nothing to group:
  :class:`RuleViolation`, print the bill itself.
* Statement date: the latest bill date. Due date: the earliest due date.
* Amount due: the account's receivable balance (142.x, :func:`member_balance`) through the
  statement date, the rule the bill run uses for a bill's amount due (the balance before the
  bill plus the bill), so with nothing else posted it equals the latest bill's amount due.
  A fee or payment dated by the statement date is in it; one dated later is not.
* Money is Decimal in whole cents throughout (bill totals and ledger amounts are cents), so
  sums need no rounding.

:class:`SummaryStatement` holds plain values; :mod:`.summary_render` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.billing.pdf.document import mailing_lines
from coopcis.apps.ledger.services import member_balance
from coopcis.apps.members.models import Account
from coopcis.core.billing.scan_line import (
    make_scan_line,
    statement_bill_field,
    statement_reference,
)
from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money

#: Fewer bills than this on the account in the month: print the bill, not a statement.
MINIMUM_BILLS = 2


@dataclass(frozen=True, slots=True)
class LocationBill:
    """One location's bill, as a row of the statement."""

    number: str
    service_address: str
    service_point_code: str
    meter_serial: str
    period_start: date
    period_end: date
    energy_wh: int | None
    bill_date: date
    due_date: date
    total_amount: Decimal


@dataclass(frozen=True, slots=True)
class SummaryStatement:
    """Everything printed on an account's summary statement for one billing month."""

    account_number: str
    name: str
    language: str
    autopay: bool
    mailing_lines: tuple[str, ...]
    period: str
    statement_date: date
    due_date: date
    bills: tuple[LocationBill, ...]
    amount_due_amount: Decimal

    @property
    def total_amount(self) -> Decimal:
        """The sum of the location bills' totals."""
        return sum((bill.total_amount for bill in self.bills), Decimal("0.00"))

    @property
    def other_activity_amount(self) -> Decimal:
        """What the amount due holds besides these bills: the balance carried from earlier
        bills, less payments, plus fees and other charges."""
        return self.amount_due_amount - self.total_amount

    @property
    def reference(self) -> str:
        """``S<YYYYMM>-<account>``, printed where a bill prints its bill number."""
        return statement_reference(account_number=self.account_number, period=self.period)

    @property
    def amount_asked(self) -> Money:
        """What the stub asks for: the amount due, or nothing when the account is in credit."""
        return max(Money.of(self.amount_due_amount), Money.zero())

    @property
    def scan_line(self) -> str:
        """The stub's scan line: the account, ``YYYYMM-00000000`` and the amount asked."""
        return make_scan_line(
            account_number=self.account_number,
            bill_number=statement_bill_field(self.period),
            amount_due=self.amount_asked,
        )


def _location(bill: Bill) -> LocationBill:
    return LocationBill(
        number=bill.number,
        service_address=bill.service_point.premise.address.one_line(),
        service_point_code=bill.service_point.code,
        meter_serial=bill.meter_serial,
        period_start=bill.period_start,
        period_end=bill.period_end,
        energy_wh=bill.energy_wh,
        bill_date=bill.bill_date,
        due_date=bill.due_date,
        total_amount=bill.total_amount,
    )


def _too_few(account: Account, period: str, posted: int) -> RuleViolation:
    held = Bill.objects.filter(account=account, period=period, status=BillStatus.HELD).count()
    waiting = f" ({held} more held for review)" if held else ""
    if posted == 0:
        return RuleViolation(f"account {account.number} has no posted bills for {period}{waiting}")
    return RuleViolation(
        f"account {account.number} has one bill for {period}{waiting}; print the bill itself"
    )


def load_summary_statement(*, account_number: str, period: str) -> SummaryStatement:
    """The summary statement of ``account_number`` for billing month ``period`` (YYYY-MM).

    Refuses (:class:`RuleViolation`) an unknown account and one with fewer than two posted
    bills in the month. Rows are in service point order, the same from month to month.
    """
    account = Account.objects.select_related("party").filter(number=account_number).first()
    if account is None:
        raise RuleViolation(f"no account {account_number!r}")
    bills = [
        _location(bill)
        for bill in Bill.objects.filter(account=account, period=period, status=BillStatus.POSTED)
        .select_related("service_point__premise")
        .order_by("service_point__code", "id")
    ]
    if len(bills) < MINIMUM_BILLS:
        raise _too_few(account, period, len(bills))
    statement_date = max(bill.bill_date for bill in bills)
    return SummaryStatement(
        account_number=account.number,
        name=account.party.display_name,
        language=account.language,
        autopay=account.autopay,
        mailing_lines=mailing_lines(account),
        period=period,
        statement_date=statement_date,
        due_date=min(bill.due_date for bill in bills),
        bills=tuple(bills),
        amount_due_amount=member_balance(account, through=statement_date),
    )
