"""Allocating a year's margins to patrons (bylaws art. VIII sec. 2), posted and noticed.

One call per year and pool: the margins are split over the year's patronage
(:mod:`patronage`) by the core's largest-remainder method, so the pool is allocated to
the cent; each share is a :class:`CapitalCredit` with its notice: email where the member chose
paperless bills and gave an address (sent by ``capital-credits send-notices`` through the
notify app: ``notices.py``), else a mailed letter, and one journal entry
moves the margins from patronage capital assignable to the patrons' capital accounts:
Dr 201.2 the margins, Cr 201.1 each patron's share (naming the account).
A year and pool is allocated once; a second allocation is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from coopcis.apps.audit.context import current_actor
from coopcis.apps.capital_credits.models import (
    Allocation,
    CapitalCredit,
    NoticeMethod,
    PatronageBasis,
)
from coopcis.apps.capital_credits.params import check_pool, rules
from coopcis.apps.capital_credits.patronage import year_patronage
from coopcis.apps.ledger.models import EntryKind
from coopcis.apps.ledger.services import Posting, post_entry_ids
from coopcis.apps.members.models import Account
from coopcis.core.capital_credits.allocation import allocate_margins
from coopcis.core.errors import RuleViolation
from coopcis.core.ledger.entries import JournalEntry, JournalLine
from coopcis.core.money import Money
from coopcis.site.bulk import insert_rows

ASSIGNABLE = "201.2"
PATRONAGE_CAPITAL = "201.1"
CHUNK = 2000
CREDIT_COLUMNS = (
    "allocation_id",
    "account_id",
    "patronage",
    "amount",
    "retired_amount",
    "notice_method",
    "noticed_on",
)


@dataclass(frozen=True)
class PatronShare:
    account: str
    patronage: Decimal
    amount: Decimal
    notice_method: str


@dataclass(frozen=True)
class AllocationResult:
    allocation: Allocation
    basis: str
    patrons: list[PatronShare]

    def as_json(self) -> dict[str, object]:
        places = "{:.3f}" if self.basis == PatronageBasis.KWH else "{:.2f}"
        return {
            "year": self.allocation.year,
            "pool": self.allocation.pool,
            "total": f"{self.allocation.margins_amount:.2f}",
            "patrons": [
                {
                    "account": share.account,
                    "patronage": places.format(share.patronage),
                    "amount": f"{share.amount:.2f}",
                }
                for share in self.patrons
            ],
        }


def _accounts(ids: list[int]) -> dict[int, tuple[str, bool]]:
    """Account id -> (number, notified by email)."""
    found: dict[int, tuple[str, bool]] = {}
    for offset in range(0, len(ids), CHUNK):
        rows = Account.objects.filter(pk__in=ids[offset : offset + CHUNK]).values_list(
            "id", "number", "paperless", "email"
        )
        for pk, number, paperless, email in rows:
            found[pk] = (number, bool(paperless and email))
    return found


def already_allocated(year: int, pool: str) -> RuleViolation:
    return RuleViolation(
        f"{year} is already allocated for the {pool} pool: a year's margins are credited to "
        "the patrons' capital accounts once (bylaws art. VIII sec. 2)",
        field="year",
    )


def check_allocation(*, year: int, margins: Decimal, pool: str, on: date) -> None:
    """What refuses an allocation before any patronage is summed."""
    check_pool(pool)
    if margins <= 0:
        raise RuleViolation("margins to allocate are a positive amount", field="margins")
    if on <= date(year, 12, 31):
        raise RuleViolation(
            f"{year}'s margins are allocated after its fiscal year ends on {year}-12-31 "
            "(bylaws art. VIII sec. 2, art. X sec. 4)",
            field="year",
        )
    if Allocation.objects.filter(year=year, pool=pool).exists():
        raise already_allocated(year, pool)


def no_patronage(year: int) -> RuleViolation:
    return RuleViolation(f"no patronage in {year}: no electric revenue billed", field="year")


@transaction.atomic
def allocate_year(*, year: int, margins: Decimal, pool: str, on: date) -> AllocationResult:
    """Allocate ``margins`` of ``year`` in ``pool`` over the year's patronage, dated ``on``."""
    check_allocation(year=year, margins=margins, pool=pool, on=on)
    basis = rules().basis
    patronage = year_patronage(year, basis=basis)
    if not patronage:
        raise no_patronage(year)
    return post_allocation(
        year=year,
        margins=margins,
        pool=pool,
        on=on,
        basis=basis,
        patronage=patronage,
        created_by=current_actor().label,
    )


def post_allocation(
    *,
    year: int,
    margins: Decimal,
    pool: str,
    on: date,
    basis: str,
    patronage: dict[int, Decimal],
    created_by: str,
) -> AllocationResult:
    """Split ``margins`` over every patron's ``patronage`` at once (the largest remainder
    needs them all to allocate the pool to the cent), record each patron's credit and post
    the one entry. In the caller's transaction; a second allocation of the year and pool is
    refused (checked here and by the database's unique constraint)."""
    if Allocation.objects.filter(year=year, pool=pool).exists():
        raise already_allocated(year, pool)
    accounts = _accounts(sorted(patronage))
    shares = allocate_margins(margins, {str(pk): value for pk, value in patronage.items()})
    allocation = Allocation.objects.create(
        year=year,
        pool=pool,
        margins_amount=margins,
        basis=basis,
        total_patronage=sum(patronage.values(), Decimal(0)),
        allocated_on=on,
        created_by=created_by,
    )
    rows, patrons = [], []
    for share in shares:
        number, by_email = accounts[int(share.patron)]
        method = NoticeMethod.EMAIL if by_email else NoticeMethod.MAIL
        rows.append(
            (allocation.pk, int(share.patron), share.patronage, share.amount, 0, method, on)
        )
        patrons.append(PatronShare(number, share.patronage, share.amount, method))
    insert_rows(CapitalCredit, CREDIT_COLUMNS, rows)
    patrons.sort(key=lambda share: share.account)
    allocation.entry_id = _post(allocation, patrons)
    allocation.save(update_fields=["entry"])
    return AllocationResult(allocation, basis, patrons)


def allocation_result(allocation: Allocation) -> AllocationResult:
    """An allocation as :func:`allocate_year` returned it, read back from its credits (what
    ``allocate --workers`` prints: a worker posted it)."""
    rows = CapitalCredit.objects.filter(allocation=allocation).values_list(
        "account__number", "patronage", "amount", "notice_method"
    )
    patrons = sorted(
        (
            PatronShare(number, patronage, amount, method)
            for number, patronage, amount, method in rows
        ),
        key=lambda share: share.account,
    )
    return AllocationResult(allocation, allocation.basis, patrons)


def _post(allocation: Allocation, patrons: list[PatronShare]) -> int | None:
    memo = f"Capital credits {allocation.year} ({allocation.pool}) allocated to patrons"
    lines = [JournalLine(ASSIGNABLE, debit=Money(allocation.margins_amount), memo=memo)]
    lines += [
        JournalLine(PATRONAGE_CAPITAL, credit=Money(share.amount), member_account=share.account)
        for share in patrons
        if share.amount > 0
    ]
    entry = JournalEntry(posted_on=allocation.allocated_on, memo=memo, lines=tuple(lines))
    (entry_id,) = post_entry_ids(
        [
            Posting(
                entry=entry,
                kind=EntryKind.ADJUSTMENT,
                source_key=f"capital-credits:allocation:{allocation.year}:{allocation.pool}",
            )
        ]
    )
    return entry_id
