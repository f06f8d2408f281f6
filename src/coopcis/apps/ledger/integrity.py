"""``coopcis ledger verify``: the books checked from the rows up, not trusted.

The database's guard (guard.py) refuses what would break the ledger as it is written. This
check reads everything back, for an auditor, a backup that was restored, or a SQLite file
that some other program may have opened: every entry has two or more lines whose debits
equal its credits to the cent, no line lacks its entry, every amount is a number of whole
cents, and the guard's triggers are all still in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

#: The triggers each database's guard is made of (migrations 0002-0004).
GUARD_TRIGGERS = {
    "postgresql": (
        "ledger_entry_balanced",
        "ledger_line_open_entry",
        "ledger_line_append_only",
        "ledger_entry_append_only",
        "ledger_line_no_truncate",
        "ledger_entry_no_truncate",
    ),
    "sqlite": (
        "ledger_line_amounts",
        "ledger_line_open_entry",
        "ledger_entry_balanced",
        "ledger_journalentry_no_update",
        "ledger_journalentry_no_delete",
        "ledger_journalline_no_update",
        "ledger_journalline_no_delete",
    ),
}

#: The most problems of each kind listed by id; the counts are always complete.
SHOWN = 20


@dataclass
class Verification:
    entries: int = 0
    lines: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return not self.problems


def _rows(sql: str) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


def _cents(column: str) -> str:
    return f"CAST(round(coalesce(sum({column}), 0) * 100) AS BIGINT)"


def _report(found: list[tuple[object, ...]], what: str, problems: list[str]) -> None:
    if found:
        ids = ", ".join(str(row[0]) for row in found[:SHOWN])
        more = f" and {len(found) - SHOWN} more" if len(found) > SHOWN else ""
        problems.append(f"{len(found)} {what}: {ids}{more}")


def verify_ledger() -> Verification:
    """Every check over the whole ledger; an empty ``problems`` list means sound."""
    result = Verification()
    ((result.entries,),) = _rows("SELECT count(*) FROM ledger_journalentry")
    ((result.lines,),) = _rows("SELECT count(*) FROM ledger_journalline")
    problems = result.problems
    if connection.vendor == "sqlite":
        _report(
            _rows(
                "SELECT id FROM ledger_journalline"
                " WHERE typeof(debit_amount) NOT IN ('integer', 'real')"
                " OR typeof(credit_amount) NOT IN ('integer', 'real') ORDER BY id"
            ),
            "journal lines with an amount that is not a number",
            problems,
        )
    _report(
        _rows(
            "SELECT e.id FROM ledger_journalentry e LEFT JOIN ledger_journalline l"
            " ON l.entry_id = e.id GROUP BY e.id"
            f" HAVING count(l.id) < 2 OR {_cents('l.debit_amount')} <> {_cents('l.credit_amount')}"
            " ORDER BY e.id"
        ),
        "journal entries that do not balance or have fewer than two lines",
        problems,
    )
    _report(
        _rows(
            "SELECT l.id FROM ledger_journalline l LEFT JOIN ledger_journalentry e"
            " ON e.id = l.entry_id WHERE e.id IS NULL ORDER BY l.id"
        ),
        "journal lines without their entry",
        problems,
    )
    _report(
        _rows(
            "SELECT id FROM ledger_journalline WHERE debit_amount < 0 OR credit_amount < 0"
            " OR (debit_amount = 0) = (credit_amount = 0) ORDER BY id"
        ),
        "journal lines that are not one debit or one credit",
        problems,
    )
    missing = sorted(set(GUARD_TRIGGERS.get(connection.vendor, ())) - _triggers())
    if missing:
        problems.append(f"the ledger guard is missing triggers: {', '.join(missing)}")
    return result


def _triggers() -> set[str]:
    if connection.vendor == "postgresql":
        sql = (
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"
            " AND tgrelid IN ('ledger_journalentry'::regclass, 'ledger_journalline'::regclass)"
        )
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    return {str(row[0]) for row in _rows(sql)}
