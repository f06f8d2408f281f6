"""A small co-op's patrons and their bills, for the capital-credit tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from coopcis.apps.capital_credits.models import (
    Allocation,
    CapitalCredit,
    NoticeMethod,
    PatronageBasis,
)
from coopcis.apps.ledger.models import EntryKind
from coopcis.apps.ledger.services import post_entry
from coopcis.core.billing.posting import bill_entry
from coopcis.core.money import Money
from tests.factories import AccountFactory, MembershipFactory, PartyFactory


def patron(number: str, *, member: bool = True, status: str = "ACTIVE", **account) -> object:
    """An account (and its membership when ``member``); ``status`` CLOSED for a former one."""
    party = PartyFactory()
    if member:
        MembershipFactory(party=party)
    closed = {"closed_on": date(2024, 6, 30)} if status == "CLOSED" else {}
    return AccountFactory(number=number, party=party, status=status, **closed, **account)


def bill(account, on: date, *lines: tuple[str, str], revenue: str = "440.1"):
    """Post a bill's entry as a bill run does (core/billing/posting.py)."""
    entry = bill_entry(
        member_account=account.number,
        memo=f"Bill {account.number} {on}",
        posted_on=on,
        lines=[(code, Money(Decimal(amount))) for code, amount in lines],
        revenue=revenue,
    )
    return post_entry(entry, kind=EntryKind.BILL, source_key=f"test-bill:{account.number}:{on}")


def credits(year: int, shares: dict[object, str], pool: str = "operating") -> Allocation:
    """An allocation already made (for retirement tests): account -> amount."""
    total = sum((Decimal(v) for v in shares.values()), Decimal(0))
    allocation = Allocation.objects.create(
        year=year,
        pool=pool,
        margins_amount=total,
        basis=PatronageBasis.REVENUE,
        total_patronage=total,
        allocated_on=date(year + 1, 3, 1),
        created_by="test",
    )
    for account, amount in shares.items():
        CapitalCredit.objects.create(
            allocation=allocation,
            account=account,
            patronage=Decimal(amount),
            amount=Decimal(amount),
            notice_method=NoticeMethod.MAIL,
            noticed_on=date(year + 1, 3, 1),
        )
    return allocation
