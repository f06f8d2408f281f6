"""One residential member billed month after month (cycle 1 reads on the 1st)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.billing.models import BillingCycle, RiderFactor
from coopcis.apps.ledger.integrity import verify_ledger
from coopcis.apps.ledger.models import JournalLine
from coopcis.apps.payments.models import PaymentChannel
from coopcis.apps.payments.services import receive_payment
from tests.factories import (
    AccountFactory,
    MeterFactory,
    MeterInstallationFactory,
    PremiseFactory,
    ServiceAgreementFactory,
    ServicePointFactory,
)
from tests.integration.small_coop import reads

D = Decimal


@dataclass
class Member:
    account: object
    meter: object


def month_reads(meter, months: list[str], kwh_a_month: int = 500) -> None:
    """A read on the 1st of each billing month; the month before's read starts it."""
    first = date.fromisoformat(months[0] + "-01")
    start = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    values = [(start, 10_000)]
    for index, month in enumerate(months, start=1):
        values.append((date.fromisoformat(month + "-01"), 10_000 + index * kwh_a_month))
    reads(meter, *values)
    for month in months:
        for code, rate in (("pca", D("0.004210")), ("dca", D("0.000850"))):
            RiderFactor.objects.get_or_create(
                month=month, code=code, defaults={"per_kwh": rate, "source": "test filing"}
            )


@pytest.fixture
def member(db) -> Member:
    BillingCycle.objects.create(number=1, read_day=1, bill_lag_days=9)
    point = ServicePointFactory(premise=PremiseFactory(county="Otero"))
    account = AccountFactory(rate_class="RESIDENTIAL")
    ServiceAgreementFactory(
        account=account, service_point=point, tariff_code="ocec-res", start_on=date(2024, 1, 1)
    )
    meter = MeterFactory(kind="REGISTER")
    MeterInstallationFactory(meter=meter, service_point=point, installed_on=date(2024, 1, 1))
    return Member(account, meter)


def pay(account, amount: Decimal, on: date, reference: str):
    return receive_payment(
        account=account,
        amount=amount,
        channel=PaymentChannel.OFFICE,
        tender="CASHIERS_CHECK",
        received_on=on,
        reference=reference,
    )


def gl_net(number: str, account=None) -> Decimal:
    """Debits less credits on a GL account (for one member when given)."""
    lines = JournalLine.objects.filter(gl_account_id=number)
    if account is not None:
        lines = lines.filter(member_account=account)
    return sum((line.debit_amount - line.credit_amount for line in lines), D(0))


def assert_ledger_balanced() -> None:
    check = verify_ledger()
    assert check.sound, check
    assert gl_sum_zero()


def gl_sum_zero() -> bool:
    lines = JournalLine.objects.all()
    return sum((line.debit_amount - line.credit_amount for line in lines), D(0)) == 0
