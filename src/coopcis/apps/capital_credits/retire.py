"""A general retirement of capital credits, approved by the board (bylaws art. VIII sec. 2).

The board approves an amount (its resolution and date recorded); the amount retired now
may not exceed it, and a G&T pool is retired only with the cash that co-op has paid. The
open credits of the pool are retired by the profile's method (FIFO, percentage or hybrid,
``core/capital_credits/retirement.py``), to the cent by largest remainder. Each patron is
paid once: active accounts by bill credit (or check, per profile), former ones by check
to the last known address; an amount under the smallest check is a bill credit for an
active account where the profile says so, else carried forward (nothing retired now).

Posted as one entry: Dr 201.1 each patron's retired credits; Cr 142.1 each bill credit
(the member's next bill shows it), Cr 232 the checks to mail. Warned, not refused, when
the equity ratio after the retirement would fall below the profile's minimum (lenders'
covenants), given the balance sheet's equity and assets.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection, transaction

from coopcis.apps.audit.context import current_actor
from coopcis.apps.capital_credits.models import (
    Allocation,
    CapitalCredit,
    Payout,
    PayoutMethod,
    PayoutStatus,
    RetiredCredit,
    Retirement,
    RetirementKind,
)
from coopcis.apps.capital_credits.params import OPERATING, check_pool, rules
from coopcis.apps.capital_credits.payouts import (
    CHECKS_PAYABLE,
    next_check_number,
    patrons,
    search_text,
)
from coopcis.apps.ledger.models import EntryKind
from coopcis.apps.ledger.services import Posting, post_entry_ids
from coopcis.core.capital_credits import retirement as core
from coopcis.core.errors import RuleViolation
from coopcis.core.ledger.entries import JournalEntry, JournalLine
from coopcis.core.money import Money
from coopcis.site.bulk import insert_rows, update_rows

PATRONAGE_CAPITAL = "201.1"
RECEIVABLE = "142.1"
PAYOUT_COLUMNS = (
    "retirement_id",
    "account_id",
    "method",
    "retired_amount",
    "debts_amount",
    "amount",
    "check_number",
    "payee",
    "address",
    "mailed_on",
    "status",
    "claimed_on",
    "payee_search",
)
LINE_COLUMNS = ("retirement_id", "credit_id", "amount")


@dataclass(frozen=True)
class Approval:
    """The board's decision: how much, when, and its resolution."""

    amount: Decimal
    approved_on: date
    resolution: str


@dataclass(frozen=True)
class BalanceSheet:
    """The co-op's equity and total assets before the retirement (from its books)."""

    equity: Decimal
    assets: Decimal


@dataclass
class RetirementResult:
    retirement: Retirement
    payouts: list[Payout] = field(default_factory=list)
    carried: dict[str, Decimal] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        by_method: dict[str, Decimal] = defaultdict(Decimal)
        for payout in self.payouts:
            by_method[payout.method] += payout.amount
        return {
            "retirement": self.retirement.pk,
            "pool": self.retirement.pool,
            "method": self.retirement.method,
            "approved": f"{self.retirement.approved_amount:.2f}",
            "retired": f"{self.retirement.retired_amount:.2f}",
            "checks": f"{by_method[PayoutMethod.CHECK]:.2f}",
            "bill_credits": f"{by_method[PayoutMethod.BILL_CREDIT]:.2f}",
            "carried_forward": f"{sum(self.carried.values(), Decimal(0)):.2f}",
            "payouts": len(self.payouts),
            "warnings": self.warnings,
        }


def _check_approval(
    approval: Approval, amount: Decimal, pool: str, gt_cash: Decimal | None
) -> None:
    if approval.amount <= 0 or amount <= 0:
        raise RuleViolation("the board approves a positive amount", field="approved")
    if not approval.resolution.strip():
        raise RuleViolation("name the board's resolution approving it", field="resolution")
    if amount > approval.amount:
        raise RuleViolation(
            f"retiring {amount:.2f} exceeds the board's approval of {approval.amount:.2f}: "
            "credits are retired only in the amounts the Board of Trustees determines "
            "(bylaws art. VIII sec. 2)",
            field="amount",
        )
    if pool != OPERATING:
        if gt_cash is None:
            raise RuleViolation(
                f"the {pool} pool is retired only with the cash that co-op paid: give --gt-cash",
                field="gt_cash",
            )
        if amount > gt_cash:
            raise RuleViolation(
                f"retiring {amount:.2f} of the {pool} pool exceeds the {gt_cash:.2f} that "
                "co-op paid in cash",
                field="gt_cash",
            )


def equity_warning(sheet: BalanceSheet | None, retired: Decimal) -> list[str]:
    """The covenant check: equity / assets after paying ``retired`` out of both."""
    minimum = rules().minimum_equity_ratio
    if sheet is None:
        return ["equity ratio not checked: give the balance sheet's --equity and --assets"]
    if sheet.assets - retired <= 0:
        return ["equity ratio not checked: assets after the retirement are not positive"]
    ratio = (sheet.equity - retired) / (sheet.assets - retired)
    if ratio < minimum:
        return [
            f"equity ratio after the retirement {ratio:.2%} is below the profile's minimum "
            f"{minimum:.2%} (lenders' covenants)"
        ]
    return []


@dataclass
class OpenCredits:
    """The pool's open credits as parallel lists (one entry per credit), in whole cents."""

    ids: list[int] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    accounts: list[int] = field(default_factory=list)
    open_cents: list[int] = field(default_factory=list)
    retired_cents: list[int] = field(default_factory=list)


def _open_credits(pool: str) -> OpenCredits:
    """Read in whole cents with one raw query: a retirement over twenty years reads several
    hundred thousand credits, and Django's decimal conversion per value (or an object per
    credit) would be most of its time."""
    credit_table = CapitalCredit._meta.db_table
    allocation_table = Allocation._meta.db_table
    sql = (
        f"SELECT c.id, a.year, c.account_id, CAST(ROUND(c.amount * 100) AS BIGINT), "
        f"CAST(ROUND(c.retired_amount * 100) AS BIGINT) FROM {credit_table} c "
        f"JOIN {allocation_table} a ON a.id = c.allocation_id "
        "WHERE a.pool = %s AND c.retired_amount < c.amount"
    )
    found = OpenCredits()
    with connection.cursor() as cursor:
        cursor.execute(sql, [pool])
        for pk, year, account_id, amount_cents, retired_cents in cursor.fetchall():
            found.ids.append(pk)
            found.years.append(year)
            found.accounts.append(account_id)
            found.open_cents.append(amount_cents - retired_cents)
            found.retired_cents.append(retired_cents)
    return found


@transaction.atomic
def retire_general(
    *,
    approval: Approval,
    amount: Decimal | None = None,
    method: str | None = None,
    pool: str = OPERATING,
    on: date,
    gt_cash: Decimal | None = None,
    sheet: BalanceSheet | None = None,
    first_check: int | None = None,
) -> RetirementResult:
    """Retire up to the approval over the pool's open credits; see the module docstring."""
    check_pool(pool)
    found = rules()
    method = method or found.retirement_method
    amount = approval.amount if amount is None else amount
    _check_approval(approval, amount, pool, gt_cash)
    if approval.approved_on > on:
        raise RuleViolation("the retirement follows the board's approval", field="approved_on")
    credits = _open_credits(pool)
    if not credits.ids:
        raise RuleViolation(f"no open capital credits in the {pool} pool", field="pool")
    # each credit's key as the core's Decimal API has it, (year, credit id, pool): the
    # largest-remainder ties go by it
    parts = core.plan_in_cents(
        int(amount.scaleb(2)),
        credits.years,
        [(year, str(pk), pool) for year, pk in zip(credits.years, credits.ids, strict=True)],
        credits.open_cents,
        method=method,
        fifo_share=found.hybrid_fifo_share,
    )
    by_account: dict[int, list[int]] = defaultdict(list)  # account id -> credit indexes
    for index, part in enumerate(parts):
        if part:
            by_account[credits.accounts[index]].append(index)
    people = patrons(sorted(by_account))
    decided = core.payouts(
        [
            core.Retirement(
                0, str(account_id), pool, Decimal(sum(parts[i] for i in indexes)).scaleb(-2)
            )
            for account_id, indexes in by_account.items()
        ],
        active_members={str(pk) for pk, p in people.items() if p.active},
        smallest_check=found.smallest_check,
        small_active="bill_credit" if found.small_amounts == "bill_credit" else "carry_forward",
        active_by=found.active_members_paid_by,
    )
    paid = [p for p in decided if p.how != "carried_forward"]
    carried = {
        people[int(p.patron)].number: p.amount for p in decided if p.how == "carried_forward"
    }
    retired_total = sum((p.amount for p in paid), Decimal(0))
    warnings = equity_warning(sheet, retired_total)
    retirement = Retirement.objects.create(
        kind=RetirementKind.GENERAL,
        pool=pool,
        method=method,
        approved_amount=approval.amount,
        approved_on=approval.approved_on,
        resolution=approval.resolution.strip()[:300],
        retired_on=on,
        retired_amount=retired_total,
        paid_amount=retired_total,
        warnings="\n".join(warnings),
        created_by=current_actor().label,
    )
    retired = [i for payout in paid for i in by_account[int(payout.patron)]]
    lines = [(retirement.pk, credits.ids[i], Decimal(parts[i]).scaleb(-2)) for i in retired]
    insert_rows(RetiredCredit, LINE_COLUMNS, lines)
    _add_retired(
        retirement.pk,
        [(credits.ids[i], Decimal(credits.retired_cents[i] + parts[i]).scaleb(-2)) for i in retired]
        if connection.vendor != "postgresql"
        else [],
    )
    payouts = _pay(retirement, paid, people, on, first_check)
    retirement.entry_id = _post(retirement, payouts, people)
    retirement.save(update_fields=["entry"])
    return RetirementResult(retirement, payouts, carried, warnings)


def _add_retired(retirement_id: int, new_amounts: list[tuple[int, Decimal]]) -> None:
    """Add what this retirement retired of each credit to its ``retired_amount``.

    PostgreSQL: one statement joining the credits to the retirement's lines just written,
    in the database (nothing sent back; with the table's fill factor, migration 0003, the
    rows are updated in place, no index touched). SQLite: one ``executemany`` of the new
    amounts, ``new_amounts`` (credit id, retired in all) (in-process, a statement per row
    costs little; exact, no REAL arithmetic)."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        credits = quote(CapitalCredit._meta.db_table)
        retired = quote(RetiredCredit._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {credits} AS c SET retired_amount = c.retired_amount + r.amount "
                f"FROM {retired} AS r WHERE r.retirement_id = %s AND c.id = r.credit_id",
                [retirement_id],
            )
        return
    update_rows(CapitalCredit, ["retired_amount"], [(amount, pk) for pk, amount in new_amounts])


def _pay(
    retirement: Retirement,
    paid: list[core.Payout],
    people: dict,  # type: ignore[type-arg]
    on: date,
    first_check: int | None,
) -> list[Payout]:
    number = next_check_number(first_check)
    rows, result = [], []
    for payout in sorted(paid, key=lambda p: people[int(p.patron)].number):
        person = people[int(payout.patron)]
        is_check = payout.how == "check"
        check = number if is_check else None
        number += 1 if is_check else 0
        method = PayoutMethod.CHECK if is_check else PayoutMethod.BILL_CREDIT
        status = PayoutStatus.ISSUED if is_check else PayoutStatus.CLAIMED
        row = (
            retirement.pk,
            person.id,
            method,
            payout.amount,
            Decimal(0),
            payout.amount,
            check,
            person.name[:200],
            person.address[:400],
            on if is_check else None,
            status,
            None if is_check else on,
            search_text(person.name, person.number),
        )
        rows.append(row)
        result.append(
            Payout(
                retirement=retirement,
                account_id=person.id,
                method=method,
                retired_amount=payout.amount,
                amount=payout.amount,
                check_number=check,
                payee=person.name,
                address=person.address,
                mailed_on=row[9],
                status=status,
            )
        )
    insert_rows(Payout, PAYOUT_COLUMNS, rows)
    return result


def _post(retirement: Retirement, payouts: list[Payout], people: dict) -> int | None:  # type: ignore[type-arg]
    memo = (
        f"Capital credits retired ({retirement.pool}, {retirement.method}): {retirement.resolution}"
    )
    numbers = {p.id: p.number for p in people.values()}
    lines: list[JournalLine] = []
    checks = Decimal(0)
    for payout in payouts:
        member = numbers[payout.account_id]
        lines.append(
            JournalLine(PATRONAGE_CAPITAL, debit=Money(payout.amount), member_account=member)
        )
        if payout.method == PayoutMethod.BILL_CREDIT:
            memo_line = "Capital credit retirement, bill credit"
            lines.append(
                JournalLine(
                    RECEIVABLE, credit=Money(payout.amount), member_account=member, memo=memo_line
                )
            )
        else:
            checks += payout.amount
    if checks:
        lines.append(JournalLine(CHECKS_PAYABLE, credit=Money(checks), memo="Retirement checks"))
    if not lines:
        return None
    entry = JournalEntry(posted_on=retirement.retired_on, memo=memo, lines=tuple(lines))
    (entry_id,) = post_entry_ids(
        [
            Posting(
                entry=entry,
                kind=EntryKind.ADJUSTMENT,
                source_key=f"capital-credits:retirement:{retirement.pk}",
            )
        ]
    )
    return entry_id
