"""A billed small co-op for the lockbox tests: the home owes a fee and its October bill."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.billing.run import run_billing
from coopcis.apps.receivables.services import charge_fee
from coopcis.core.billing.scan_line import make_scan_line
from coopcis.core.money import Money
from tests.integration.small_coop import small_coop
from tests.shared_build import shared_fixture

__all__ = ["billed", "small_coop"]
DEPOSIT_DAY = date(2026, 10, 15)


def stub(account) -> str:
    """The scan line printed on the account's October bill."""
    bill = Bill.objects.get(account=account, status=BillStatus.POSTED)
    return make_scan_line(
        account_number=account.number,
        bill_number=bill.number,
        amount_due=Money(bill.total_amount),
    )


@dataclass
class Billed:
    coop: object
    home: object
    tou_home: object
    lights: object
    mill: object


@shared_fixture
def billed(small_coop) -> Billed:
    run_billing(period_label="2026-10")  # home owes 183.89, due 30 October
    fee = charge_fee(
        account=small_coop.home,
        fee_code="returned_check",
        on=date(2026, 10, 5),
        reason="check 1042 returned",
    )  # $40.00, due 25 October: older than the bill
    assert fee.amount == Decimal("40.00")
    return Billed(
        small_coop, small_coop.home, small_coop.tou_home, small_coop.lights, small_coop.mill
    )
