"""Lockbox remittance files: reading the co-op's CSV and matching a remittance to an account.

DOMAIN.md "Bills and payment": members mail a check with the bill's stub (or leave it in
the drop box); the bank's lockbox scans the stub's scan line and sends the co-op a file of
remittances. The format is in ``docs/domain/lockbox.md``. This module is pure: it takes
the file's text and returns what it says, or refuses it naming the line.

Rules that decide whether anything posts:

* A malformed line (wrong number of fields, a bad date, an amount that is not a positive
  number of whole cents, a repeated item) refuses the whole file, naming the line.
* The control record (``TOTAL,<count>,<amount>``) must be the file's last record and agree
  with the rows above it; otherwise the whole file is refused, naming the control line.
* A well-formed remittance that names no account we can trust is *not* an error: it goes
  to the suspense queue with a reason (:func:`match_remittance`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from coopcis.core import money
from coopcis.core.billing.scan_line import SCAN_LINE_DIGITS, ScanLineError, read_scan_line
from coopcis.core.money import AmountError, Money

CSV_HEADER = ("deposit_date", "batch", "item", "scan_line", "amount", "check_number")
CSV_OPTIONAL = ("payer_name",)
CONTROL_WORD = "TOTAL"

#: "ACCT 1000123", "Account no. 1000123", "A/C #1000123": an account number a remitter wrote.
_ACCOUNT_IN_TEXT = re.compile(
    r"\b(?:ACCOUNT|ACCT|A/C)\s*(?:NUMBER|NO\.?|NBR|#)?\s*[:#]?\s*([1-9]\d{0,11})\b", re.IGNORECASE
)
_SCAN_LIKE = re.compile(r"^[\d\s]+$")


class LockboxFileError(ValueError):
    """The file cannot be posted; ``line`` is the 1-based line at fault."""

    def __init__(self, message: str, *, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.reason = message


@dataclass(frozen=True, slots=True)
class Remittance:
    """One check (or money order) with what came with it: the stub's scan line, or text."""

    line: int
    deposit_date: date
    batch: str
    item: str
    amount: Money
    remittance_text: str
    check_number: str = ""
    payer_name: str = ""
    bank_reference: str = ""


@dataclass(frozen=True, slots=True)
class DepositTotal:
    """A deposit the bank made for the co-op: a lockbox batch (CSV) or a BAI2 115 record."""

    line: int
    deposit_date: date
    reference: str
    amount: Money
    item_count: int
    bank_account: str = ""


@dataclass(frozen=True, slots=True)
class RemittanceFile:
    """A parsed, control-checked file: its remittances and the deposits they make up."""

    format: str
    deposit_date: date
    remittances: tuple[Remittance, ...]
    deposits: tuple[DepositTotal, ...]

    @property
    def total(self) -> Money:
        return sum((r.amount for r in self.remittances), Money.zero())


@dataclass(frozen=True, slots=True)
class Match:
    """Whose account a remittance names, or why it names none we can trust."""

    account_number: str | None
    bill_number: str = ""
    how: str = ""
    reason: str = ""


def parse_amount(text: str, *, line: int, what: str = "amount") -> Money:
    """A positive dollar amount in whole cents (``12.34``; no thousands commas, no exponent,
    ASCII digits only), read by the one money parser (:func:`coopcis.core.money.parse_amount`)."""
    try:
        value = money.parse_amount(text, field=what, allow_negative=True)
    except AmountError as refused:
        raise LockboxFileError(f"{what}: {refused.message}", line=line) from None
    if value.amount <= 0:
        raise LockboxFileError(f"{what} {text.strip()} must be more than zero", line=line)
    return value


def _date(text: str, *, line: int) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise LockboxFileError(f"deposit date {text!r} is not YYYY-MM-DD", line=line) from None


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank CSV records with their 1-based line numbers."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if any(field.strip() for field in row):
                rows.append((reader.line_num, [field.strip() for field in row]))
    except csv.Error as error:
        raise LockboxFileError(f"not CSV: {error}", line=reader.line_num) from None
    return rows


def _header(rows: list[tuple[int, list[str]]]) -> int:
    if not rows:
        raise LockboxFileError("the file is empty", line=1)
    line, header = rows[0]
    names = [name.lower() for name in header]
    if tuple(names) not in (CSV_HEADER, CSV_HEADER + CSV_OPTIONAL):
        expected = ",".join(CSV_HEADER) + "[," + ",".join(CSV_OPTIONAL) + "]"
        raise LockboxFileError(f"the header must be {expected}", line=line)
    return len(names)


def _remittance(line: int, row: list[str], width: int) -> Remittance:
    if len(row) != width:
        raise LockboxFileError(f"expected {width} fields, found {len(row)}", line=line)
    deposit_on, batch, item, scan_line, amount, check_number = row[:6]
    if not batch or not item:
        raise LockboxFileError("batch and item are required", line=line)
    return Remittance(
        line=line,
        deposit_date=_date(deposit_on, line=line),
        batch=batch,
        item=item,
        amount=parse_amount(amount, line=line),
        remittance_text=scan_line,
        check_number=check_number,
        payer_name=row[6] if width > 6 else "",
    )


def _control(line: int, row: list[str], remittances: list[Remittance]) -> None:
    if len(row) != 3:
        raise LockboxFileError("the control record is TOTAL,<count>,<amount>", line=line)
    count_text, amount_text = row[1], row[2]
    if not count_text.isdigit():
        raise LockboxFileError(f"control count {count_text!r} is not a whole number", line=line)
    total = sum((r.amount for r in remittances), Money.zero())
    if int(count_text) != len(remittances):
        raise LockboxFileError(
            f"control record says {int(count_text)} items, the file has {len(remittances)}",
            line=line,
        )
    stated = parse_amount(amount_text, line=line, what="control amount")
    if stated != total:
        raise LockboxFileError(
            f"control record says {stated.amount}, the items add up to {total.amount}", line=line
        )


def parse_lockbox_csv(text: str) -> RemittanceFile:
    """Read and control-check a lockbox CSV (docs/domain/lockbox.md); refuse it whole if wrong."""
    rows = _rows(text)
    width = _header(rows)
    remittances: list[Remittance] = []
    seen: dict[tuple[str, str], int] = {}
    control_seen = False
    for line, row in rows[1:]:
        if control_seen:
            raise LockboxFileError("nothing may follow the TOTAL control record", line=line)
        if row[0].upper() == CONTROL_WORD:
            _control(line, row, remittances)
            control_seen = True
            continue
        remittance = _remittance(line, row, width)
        key = (remittance.batch, remittance.item)
        if key in seen:
            raise LockboxFileError(
                f"batch {key[0]} item {key[1]} is also on line {seen[key]}", line=line
            )
        seen[key] = line
        if remittances and remittance.deposit_date != remittances[0].deposit_date:
            raise LockboxFileError(
                f"one deposit date per file: {remittance.deposit_date} after "
                f"{remittances[0].deposit_date}",
                line=line,
            )
        remittances.append(remittance)
    if not control_seen:
        last = rows[-1][0] if rows else 0
        raise LockboxFileError("the TOTAL control record is missing", line=last + 1)
    if not remittances:
        raise LockboxFileError("the file has no remittances", line=rows[-1][0])
    return RemittanceFile(
        format="csv",
        deposit_date=remittances[0].deposit_date,
        remittances=tuple(remittances),
        deposits=batch_deposits(remittances),
    )


def batch_deposits(remittances: list[Remittance]) -> tuple[DepositTotal, ...]:
    """One deposit per lockbox batch: the bank credits each batch as one deposit."""
    by_batch: dict[str, list[Remittance]] = {}
    for remittance in remittances:
        by_batch.setdefault(remittance.batch, []).append(remittance)
    return tuple(
        DepositTotal(
            line=items[0].line,
            deposit_date=items[0].deposit_date,
            reference=batch,
            amount=sum((r.amount for r in items), Money.zero()),
            item_count=len(items),
        )
        for batch, items in by_batch.items()
    )


def match_remittance(text: str) -> Match:
    """Which account a remittance names: the stub's scan line first, else an account number
    the remitter wrote ("ACCT 1000123"), else none (suspense, with the reason).

    A line that looks like a scan line (digits only) is never read any other way: a
    misread stub whose check digit fails must go to a person, not to whichever account
    its digits happen to spell.
    """
    stripped = text.strip()
    if not stripped:
        return Match(None, reason="no scan line or account number")
    if _SCAN_LIKE.match(stripped):
        digits = "".join(stripped.split())
        if len(digits) != SCAN_LINE_DIGITS:
            return Match(None, reason=f"scan line has {len(digits)} digits, not {SCAN_LINE_DIGITS}")
        try:
            scan = read_scan_line(digits)
        except ScanLineError:
            return Match(None, reason="scan line check digit does not match")
        return Match(scan.account_number, bill_number=scan.bill_number, how="scan line")
    found = {m.group(1) for m in _ACCOUNT_IN_TEXT.finditer(stripped)}
    if len(found) == 1:
        return Match(found.pop(), how="account number in text")
    if len(found) > 1:
        return Match(None, reason=f"text names several accounts: {', '.join(sorted(found))}")
    return Match(None, reason="no scan line or account number")
