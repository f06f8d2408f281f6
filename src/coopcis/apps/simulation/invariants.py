"""The co-op's invariants, read from the tables with SQL of their own after every step.

None of these calls the code under test: a report, a balance or a total the services keep
would be checking the services with themselves. Amounts are compared in whole cents.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection

SHOWN = 5


def _rows(sql: str, params: Iterable[object] = ()) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


def _cents(value: object) -> int:
    """A database amount (Decimal, or a float or int from SQLite's sums) in whole cents."""
    return int((Decimal(str(value or 0)) * 100).quantize(Decimal(1)))


def _some(items: Iterable[object]) -> str:
    listed = [str(item) for item in items]
    more = f" and {len(listed) - SHOWN} more" if len(listed) > SHOWN else ""
    return ", ".join(listed[:SHOWN]) + more


@dataclass
class Expected:
    """What the simulation itself knows was accepted, to hold the database to."""

    #: mark of each payment the co-op answered as taken (its reference or key) -> amount
    payments: dict[str, Decimal] = field(default_factory=dict)


def ledger_balances() -> list[str]:
    """Every journal entry's debits equal its credits to the cent, and so the whole ledger."""
    problems = []
    unbalanced = [
        entry
        for entry, debit, credit in _rows(
            "SELECT entry_id, sum(debit_amount), sum(credit_amount) FROM ledger_journalline"
            " GROUP BY entry_id ORDER BY entry_id"
        )
        if _cents(debit) != _cents(credit)
    ]
    if unbalanced:
        problems.append(f"journal entries whose debits are not their credits: {_some(unbalanced)}")
    ((debit, credit),) = _rows(
        "SELECT sum(debit_amount), sum(credit_amount) FROM ledger_journalline"
    )
    if _cents(debit) != _cents(credit):
        problems.append(f"the ledger does not balance: debits {debit}, credits {credit}")
    return problems


def receivables_tie() -> list[str]:
    """The 142.x control accounts equal the sum of member balances, and each member's
    balance equals what the member's open charges and unapplied payments say."""
    problems = []
    lines = _rows(
        "SELECT l.member_account_id, sum(l.debit_amount), sum(l.credit_amount)"
        " FROM ledger_journalline l JOIN ledger_ledgeraccount a ON a.number = l.gl_account_id"
        " WHERE a.member_subledger GROUP BY l.member_account_id"
    )
    ledger = {account: _cents(debit) - _cents(credit) for account, debit, credit in lines}
    if ledger.get(None):
        problems.append(f"receivable lines with no member account: {ledger[None] / 100:.2f}")
    control = sum(ledger.values())
    members = sum(balance for account, balance in ledger.items() if account is not None)
    if control != members:
        problems.append(
            f"receivables {control / 100:.2f} are not the sum of member balances "
            f"{members / 100:.2f}"
        )
    owed: dict[object, int] = defaultdict(int)
    for account, amount, paid in _rows(
        "SELECT account_id, amount, paid_amount FROM receivables_receivableitem"
        " WHERE status <> 'VOID'"
    ):
        owed[account] += _cents(amount) - _cents(paid)
    for account, unapplied in _rows(
        "SELECT account_id, unapplied_amount FROM payments_payment WHERE status = 'POSTED'"
    ):
        owed[account] -= _cents(unapplied)
    differ = sorted(
        (str(account), ledger.get(account, 0), owed.get(account, 0))
        for account in set(ledger) | set(owed)
        if account is not None and ledger.get(account, 0) != owed.get(account, 0)
    )
    if differ:
        problems.append(
            "member balances that are not their open charges less their credit: "
            + _some(
                f"account id {a} ledger {b / 100:.2f} items {c / 100:.2f}" for a, b, c in differ
            )
        )
    return problems


def one_bill_per_account_and_period() -> list[str]:
    """One live bill per account, location and month; each posted bill on the books once."""
    problems = []
    doubled = _rows(
        "SELECT account_id, service_point_id, period, count(*) FROM billing_bill"
        " WHERE status <> 'CANCELLED' GROUP BY account_id, service_point_id, period"
        " HAVING count(*) > 1"
    )
    if doubled:
        problems.append(
            "more than one bill for an account and month: "
            + _some(f"account id {a} point {p} {m} x{n}" for a, p, m, n in doubled)
        )
    unposted = _rows(
        "SELECT b.id FROM billing_bill b LEFT JOIN ledger_journalentry e"
        " ON e.id = b.journal_entry_id WHERE b.status = 'POSTED' AND e.id IS NULL"
    )
    if unposted:
        problems.append(f"posted bills with no journal entry: {_some(r[0] for r in unposted)}")
    items = _rows(
        "SELECT b.id, count(i.id) FROM billing_bill b LEFT JOIN receivables_receivableitem i"
        " ON i.bill_id = b.id AND i.status <> 'VOID' WHERE b.status = 'POSTED'"
        " AND b.total_amount > 0 GROUP BY b.id HAVING count(i.id) <> 1"
    )
    if items:
        problems.append("posted bills not owed once: " + _some(f"bill {b} x{n}" for b, n in items))
    return problems


def no_payment_posted_twice(expected: Expected) -> list[str]:
    """Each payment taken is one payment row on the books once; each bank draft one entry."""
    problems = []
    payments = _rows(
        "SELECT p.id, p.reference, p.idempotency_key, p.amount, p.status, p.journal_entry_id"
        " FROM payments_payment p ORDER BY p.id"
    )
    found: Counter[str] = Counter()
    amounts: dict[str, Decimal] = {}
    for _id, reference, key, amount, _status, _entry in payments:
        mark = _mark(str(reference or ""), str(key or ""))
        if mark:
            found[mark] += 1
            amounts[mark] = Decimal(str(amount))
    twice = sorted(mark for mark, count in found.items() if count > 1)
    if twice:
        problems.append(f"payments recorded more than once: {_some(twice)}")
    missing = sorted(mark for mark in expected.payments if mark not in found)
    if missing:
        problems.append(f"payments answered as taken but not recorded: {_some(missing)}")
    wrong = sorted(
        mark
        for mark, amount in expected.payments.items()
        if mark in amounts and _cents(amounts[mark]) != _cents(amount)
    )
    if wrong:
        problems.append(f"payments recorded for another amount: {_some(wrong)}")
    strays = sorted(
        mark for mark in found if mark.startswith("sim-") and mark not in expected.payments
    )
    if strays:
        problems.append(f"payments recorded that were never answered as taken: {_some(strays)}")
    for payment_id, _ref, _key, _amount, status, entry in payments:
        if status in ("POSTED", "REVERSED") and entry is None:
            problems.append(f"payment {payment_id} is {status.lower()} with no journal entry")
    doubled = _rows(
        "SELECT account_id, draft_on, count(*) FROM payments_achdraftentry WHERE NOT prenote"
        " GROUP BY account_id, draft_on HAVING count(*) > 1"
    )
    if doubled:
        problems.append(
            "bank drafts made twice: " + _some(f"account id {a} on {d}" for a, d, _n in doubled)
        )
    return problems


def _mark(reference: str, key: str) -> str:
    """The simulation's own name of a payment: its reference, or the end of its key (the
    portal's reference is the processor's authorization); a bank draft's trace number."""
    if reference.startswith(("sim-", "ACH ")):
        return reference
    tail = key.rsplit(":", 1)[-1]
    return tail if tail.startswith("sim-") else ""


def no_disconnection_past_protection() -> list[str]:
    """No non-payment disconnection worked on a day a co-op hold or a dispute under
    investigation protected the account."""
    held = _rows(
        "SELECT o.id, o.completed_on FROM collections_serviceorder o"
        " JOIN collections_coophold h ON h.account_id = o.account_id"
        " WHERE o.kind = 'DISCONNECT' AND o.status = 'COMPLETED'"
        " AND h.placed_on <= o.completed_on"
        " AND (h.released_on IS NULL OR h.released_on > o.completed_on)"
        " AND (h.until IS NULL OR h.until >= o.completed_on)"
    )
    disputed = _rows(
        "SELECT o.id, o.completed_on FROM collections_serviceorder o"
        " JOIN collections_dispute d ON d.account_id = o.account_id"
        " WHERE o.kind = 'DISCONNECT' AND o.status = 'COMPLETED'"
        " AND d.opened_on <= o.completed_on"
        " AND (d.resolved_on IS NULL OR d.resolved_on > o.completed_on)"
    )
    return [
        f"disconnect order {order} worked on {_day(on)} past an active {what}"
        for what, rows in (("co-op hold", held), ("dispute", disputed))
        for order, on in rows
    ]


def _day(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def check(expected: Expected) -> list[str]:
    """Every invariant; an empty list when the co-op is sound."""
    return [
        *ledger_balances(),
        *receivables_tie(),
        *one_bill_per_account_and_period(),
        *no_payment_posted_twice(expected),
        *no_disconnection_past_protection(),
    ]
