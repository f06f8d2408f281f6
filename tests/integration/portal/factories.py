"""Portal test data: accounts with bills to prove, and member sign-ins linked to them.

Other portal tests (bills, payments, usage) build on these: ``member_with_account()``
gives a signed-in-able member whose account has a posted bill.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from coopcis.apps.billing.models import Bill
from coopcis.apps.members.models import Account
from coopcis.apps.portal.models import AccountLink, LinkRole, MemberSignIn
from coopcis.apps.premises.models import ServiceAgreement
from tests.factories import AccountFactory, ServiceAgreementFactory, ServicePointFactory
from tests.integration.billing_pdf.factories import RESIDENTIAL_TOTAL, make_bill

PASSWORD = "Ocotillo-Mesa-2931"
_numbers = itertools.count(1)


@dataclass
class BilledAccount:
    account: Account
    agreement: ServiceAgreement
    bills: list[Bill]

    @property
    def number(self) -> str:
        return self.account.number


def billed_account(
    number: str | None = None,
    *,
    periods: tuple[str, ...] = ("2026-02", "2026-03"),
    account_fields: dict[str, object] | None = None,
    **fields: object,
) -> BilledAccount:
    """An account (``account_fields`` for the account factory) with an agreement on its own
    service point and a posted bill for each of ``periods`` (each of RESIDENTIAL_TOTAL,
    $167.83, unless ``total_amount`` is given among the bill ``fields``)."""
    account = AccountFactory(number=number or f"77{next(_numbers):05d}", **(account_fields or {}))
    point = ServicePointFactory()
    agreement = ServiceAgreementFactory(
        account=account, service_point=point, start_on=date(2021, 1, 1)
    )
    bills = [make_bill(agreement, period, **fields) for period in periods]
    return BilledAccount(account, agreement, bills)


def member(
    email: str = "ana@example.org",
    *accounts: Account,
    password: str = PASSWORD,
    verified: bool = True,
    role: str = LinkRole.HOLDER,
) -> User:
    """A member sign-in (user name = email) linked to ``accounts``."""
    user = User.objects.create_user(username=email, email=email, password=password)
    MemberSignIn.objects.create(user=user, email_verified_at=timezone.now() if verified else None)
    for account in accounts:
        AccountLink.objects.create(user=user, account=account, role=role)
    return user


def member_with_account(email: str = "ana@example.org", number: str | None = None):
    """A verified member holding one billed account: (user, BilledAccount)."""
    billed = billed_account(number)
    return member(email, billed.account), billed


__all__ = ["PASSWORD", "RESIDENTIAL_TOTAL", "Decimal", "billed_account", "member"]
