"""REC reads and payments (SEC policy 425), by hand."""

from datetime import date
from decimal import Decimal as D

import pytest

from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money
from coopcis.core.net_metering.recs import (
    ReadStatus,
    check_read,
    is_payment_month,
    read_status,
    rec_payment,
)


def test_a_read_lower_than_the_latest_is_refused():
    check_read(register_kwh=D("1200"), latest_kwh=D("1200"), latest_on=date(2026, 4, 3))
    with pytest.raises(RuleViolation, match="lower than the latest"):
        check_read(register_kwh=D("1199.9"), latest_kwh=D("1200"), latest_on=date(2026, 4, 3))


@pytest.mark.parametrize(
    ("received", "as_of", "status"),
    [
        ([date(2026, 5, 7)], date(2026, 5, 20), ReadStatus.ON_TIME),
        ([date(2026, 5, 8)], date(2026, 5, 20), ReadStatus.LATE),
        ([], date(2026, 5, 8), ReadStatus.MISSING),
        ([], date(2026, 5, 7), ReadStatus.NOT_DUE),
    ],
)
def test_reads_are_due_by_the_seventh(received, as_of, status):
    assert read_status(year=2026, month=5, received_on=received, as_of=as_of) == status


def test_payments_are_made_in_may_and_september():
    assert [m for m in range(1, 13) if is_payment_month(date(2026, m, 1))] == [5, 9]


def test_payment_is_generation_since_the_last_times_the_rate():
    # 4,321.5 - 3,000 = 1,321.5 kWh x $0.0125 = 16.51875 -> 16.52
    paid = rec_payment(from_kwh=D("3000"), to_kwh=D("4321.5"), rate_per_kwh=D("0.0125"))
    assert (paid.generation_kwh, paid.amount) == (D("1321.5"), Money.of("16.52"))
