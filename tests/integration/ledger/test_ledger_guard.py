"""The database itself keeps the ledger balanced and append-only, on SQLite and PostgreSQL.

These tests commit for real (transaction=True): the balance check runs at commit.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from coopcis.apps.ledger import reports
from coopcis.apps.ledger.models import JournalEntry, JournalLine
from coopcis.apps.ledger.services import member_balance, post_entry, reverse_entry
from coopcis.core.errors import RuleViolation
from coopcis.core.ledger.entries import JournalEntry as Entry
from coopcis.core.ledger.entries import credit, debit
from coopcis.core.money import Money
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _raw_entry(cursor, entry_id: int) -> None:
    cursor.execute(
        "INSERT INTO ledger_journalentry (id, posted_on, posted_at, kind, memo, posted_by)"
        " VALUES (%s, '2026-01-31', '2026-01-31 12:00:00+00', 'ADJUSTMENT', 'raw', 'sql')",
        [entry_id],
    )


def _raw_line(cursor, entry_id: int, account: str, debit_amount: str, credit_amount: str) -> None:
    cursor.execute(
        "INSERT INTO ledger_journalline (entry_id, gl_account_id, debit_amount, credit_amount, memo)"
        " VALUES (%s, %s, %s, %s, '')",
        [entry_id, account, Decimal(debit_amount), Decimal(credit_amount)],
    )


def _raw_posting(cursor, entry_id: int, *lines: tuple[str, str, str]) -> None:
    """An entry and its lines by raw SQL, in the order the database's guard wants:
    PostgreSQL the entry first, SQLite the lines first (ledger/guard.py)."""
    if connection.vendor == "postgresql":
        _raw_entry(cursor, entry_id)
    for account, debit_amount, credit_amount in lines:
        _raw_line(cursor, entry_id, account, debit_amount, credit_amount)
    if connection.vendor == "sqlite":
        _raw_entry(cursor, entry_id)


def test_raw_unbalanced_insert_fails_at_commit():
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        _raw_posting(cursor, 9001, ("131", "10.00", "0"), ("456", "0", "9.99"))
    assert not JournalEntry.objects.filter(pk=9001).exists()


def test_raw_entry_without_lines_fails_at_commit():
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        _raw_entry(cursor, 9002)
    assert not JournalEntry.objects.filter(pk=9002).exists()


def test_raw_balanced_insert_commits_and_then_cannot_change():
    # given a balanced entry posted by raw SQL (0.10 + 0.20 = 0.30 exactly)
    with transaction.atomic(), connection.cursor() as cursor:
        _raw_posting(cursor, 9003, ("131", "0.10", "0"), ("131", "0.20", "0"), ("456", "0", "0.30"))
    # when anything tries to change or remove it, then the database refuses
    statements = [
        "UPDATE ledger_journalline SET debit_amount = 5 WHERE entry_id = 9003 AND debit_amount > 0",
        "UPDATE ledger_journalentry SET memo = 'edited' WHERE id = 9003",
        "DELETE FROM ledger_journalline WHERE entry_id = 9003",
        "DELETE FROM ledger_journalentry WHERE id = 9003",
    ]
    for statement in statements:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert JournalLine.objects.filter(entry_id=9003).count() == 3
    assert reports.trial_balance().balanced


def test_lines_added_to_a_committed_entry_fail():
    # given a balanced entry committed by an earlier transaction
    with transaction.atomic(), connection.cursor() as cursor:
        _raw_posting(cursor, 9004, ("131", "25.00", "0"), ("456", "0", "25.00"))
    # when a later transaction adds a line that unbalances it, then it does not commit
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        _raw_line(cursor, 9004, "131", "1.00", "0")
    assert JournalLine.objects.filter(entry_id=9004).count() == 2
    assert reports.trial_balance().balanced


def test_even_balanced_lines_on_a_committed_entry_are_refused():
    with transaction.atomic(), connection.cursor() as cursor:
        _raw_posting(cursor, 9005, ("131", "25.00", "0"), ("456", "0", "25.00"))
    with (
        pytest.raises(IntegrityError, match=r"earlier transaction|already posted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO ledger_journalline (entry_id, gl_account_id, debit_amount, credit_amount, memo)"
            " VALUES (9005, '131', 5, 0, ''), (9005, '456', 0, 5, '')"
        )
    assert JournalLine.objects.filter(entry_id=9005).count() == 2


def test_an_entry_and_its_lines_may_come_from_different_savepoints():
    postgres = connection.vendor == "postgresql"
    # the entry (PostgreSQL) or a line (SQLite) inside a nested atomic block (a savepoint)
    with transaction.atomic(), connection.cursor() as cursor:
        with transaction.atomic():
            if postgres:
                _raw_entry(cursor, 9006)
            _raw_line(cursor, 9006, "131", "7.00", "0")
        with transaction.atomic():
            _raw_line(cursor, 9006, "456", "0", "7.00")
        if not postgres:
            _raw_entry(cursor, 9006)
    assert JournalLine.objects.filter(entry_id=9006).count() == 2
    # and a savepoint rolled back takes its lines with it; the entry must still balance
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            _raw_entry(cursor, 9007)
        _raw_line(cursor, 9007, "131", "7.00", "0")
        try:
            with transaction.atomic():
                _raw_line(cursor, 9007, "456", "0", "7.00")
                raise RuntimeError("roll this savepoint back")
        except RuntimeError:
            pass
        if not postgres:
            _raw_entry(cursor, 9007)
    assert not JournalEntry.objects.filter(pk=9007).exists()


def test_orm_update_of_a_posted_line_fails():
    account = AccountFactory()
    entry = post_entry(
        Entry(
            date(2026, 2, 10),
            "bill",
            (
                debit("142.1", Money.of("50.00"), member_account=account.number),
                credit("440.1", Money.of("50.00"), member_account=account.number),
            ),
        ),
        kind="BILL",
    )
    line = entry.lines.first()
    line.debit_amount = Decimal("1.00")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        line.save()


def test_posting_validates_is_idempotent_and_reverses():
    account = AccountFactory()
    lines = (
        debit("142.1", Money.of("120.35"), member_account=account.number),
        credit("440.1", Money.of("119.16"), member_account=account.number),
        credit("242.1", Money.of("1.19"), member_account=account.number),
    )
    bill = Entry(date(2026, 2, 10), "Bill 2026-01", lines)
    first = post_entry(bill, kind="BILL", source_key="bill:test-1")
    assert post_entry(bill, kind="BILL", source_key="bill:test-1") is None  # already posted
    assert JournalEntry.objects.filter(source_key="bill:test-1").count() == 1
    assert member_balance(account) == Decimal("120.35")

    with pytest.raises(RuleViolation, match="do not equal"):
        post_entry(Entry(date(2026, 2, 10), "bad", lines[:2]), kind="BILL")

    reversal = reverse_entry(entry=first, posted_on=date(2026, 2, 20), reason="meter misread")
    assert reversal.reverses == first
    assert member_balance(account) == Decimal("0.00")
    with pytest.raises(RuleViolation, match="already reversed"):
        reverse_entry(entry=first, posted_on=date(2026, 2, 21), reason="again")
    assert JournalEntry.objects.count() == 2  # the original stays on the books


def test_receivables_tie_to_members_and_aging_pays_oldest_first():
    alice, bob = AccountFactory(), AccountFactory()

    def post(account, on, amount, side="bill"):
        if side == "bill":
            pair = (
                debit("142.1", Money.of(amount), member_account=account.number),
                credit("440.1", Money.of(amount), member_account=account.number),
            )
        else:
            pair = (
                debit("131", Money.of(amount)),
                credit("142.1", Money.of(amount), member_account=account.number),
            )
        post_entry(Entry(on, side, pair), kind="BILL" if side == "bill" else "PAYMENT")

    post(alice, date(2026, 1, 10), "100.00")
    post(alice, date(2026, 2, 10), "80.00")
    post(alice, date(2026, 3, 10), "90.00")
    post(alice, date(2026, 3, 15), "120.00", side="payment")  # pays January and 20 of February
    post(bob, date(2026, 3, 10), "40.00")
    post(bob, date(2026, 3, 20), "55.00", side="payment")  # 15.00 in credit

    assert reports.receivables_difference() == Decimal("0.00")
    balances = reports.member_balances()
    assert balances[alice.pk] == Decimal("150.00") and balances[bob.pk] == Decimal("-15.00")

    rows = {row.number: row for row in reports.aging(as_of=date(2026, 4, 15))}
    assert rows[alice.number].buckets == {
        "current": Decimal("0.00"),
        "30": Decimal("90.00"),
        "60": Decimal("60.00"),
        "90+": Decimal("0.00"),
    }
    assert rows[bob.number].credit == Decimal("15.00") and rows[bob.number].total == Decimal(
        "-15.00"
    )

    trial = reports.trial_balance()
    assert trial.balanced
    assert {row.number: (row.debit, row.credit) for row in trial.rows} == {
        "131": (Decimal("175.00"), Decimal("0.00")),
        "142.1": (Decimal("135.00"), Decimal("0.00")),
        "440.1": (Decimal("0.00"), Decimal("310.00")),
    }
    revenue = reports.revenue_by_class(since=date(2026, 1, 1), through=date(2026, 3, 31))
    assert revenue == [
        {
            "account": "440.1",
            "name": "Residential sales",
            "rate_class": "RESIDENTIAL",
            "amount": "310.00",
        }
    ]


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL closes entries outright")
def test_postgres_wants_an_entry_before_its_lines():
    # lines for an entry this transaction cannot see (not inserted yet, or another
    # transaction's uncommitted one) would escape that entry's commit-time check
    with (
        pytest.raises(IntegrityError, match="insert the entry before its lines"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        _raw_line(cursor, 9008, "131", "3.00", "0")
        _raw_line(cursor, 9008, "456", "0", "3.00")
        _raw_entry(cursor, 9008)
    assert not JournalEntry.objects.filter(pk=9008).exists()
