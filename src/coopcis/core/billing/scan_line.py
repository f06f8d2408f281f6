"""The scan line printed on a bill's remittance stub, and reading it back.

The lockbox (the bank or the co-op's mail room) scans the stub that comes back with a
check and needs three things from it: whose account, which bill, how much was asked.
The line is digits only, in fixed-width groups, so an OCR reader or a clerk keying it
by hand cannot confuse fields::

    AAAAAAAAAAAA BBBBBBBBBBBBBB CCCCCCCCCC K
    account (12) bill (14)      cents (10) check (1)

* account: the account number, zero-padded on the left to 12 digits. Account numbers
  are therefore 1-12 digits with no leading zero (otherwise they would not read back).
* bill: the bill number ``YYYYMM-NNNNNNNN`` without its dash.
* cents: the amount due in cents, zero-padded to 10 digits. A stub asks for money, so
  the amount is never negative: a bill in credit prints 0 (the caller decides that).
* check: one mod-10 check digit by the Luhn algorithm over the 36 digits before it.
  Luhn catches every single-digit misread and every swap of two adjacent digits
  except 09/90; the lockbox rejects any line whose check digit does not match.

Spaces are for people: :func:`read_scan_line` ignores all whitespace.

An account summary statement (SEC policy 408, "Combined billing": one page and one amount
for an account's several location bills) has a stub too. Its bill field is the statement's
billing month and the sequence ``00000000``, which no bill has (a bill's sequence is its
database id, from 1): :func:`statement_bill_field`. With the account field this says what
the printed reference ``S<YYYYMM>-<account>`` says (:func:`statement_reference`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from coopcis.core.money import Money

ACCOUNT_DIGITS = 12
BILL_DIGITS = 14
CENTS_DIGITS = 10
SCAN_LINE_DIGITS = ACCOUNT_DIGITS + BILL_DIGITS + CENTS_DIGITS + 1
MAX_CENTS = 10**CENTS_DIGITS - 1

#: The bill sequence of an account summary statement's scan line: no bill is numbered 0.
STATEMENT_SEQUENCE = "00000000"

_ACCOUNT = re.compile(r"^[1-9]\d{0,11}$")
_BILL = re.compile(r"^(\d{6})-(\d{8})$")
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class ScanLineError(ValueError):
    """A scan line that cannot be made (bad input) or read (misread, wrong length)."""


@dataclass(frozen=True, slots=True)
class ScanLine:
    """What a stub's scan line says: account, bill number and the amount the bill asked."""

    account_number: str
    bill_number: str
    amount_due: Money

    @property
    def is_statement(self) -> bool:
        """Whether the stub was an account summary statement's rather than one bill's."""
        return self.bill_number.endswith(f"-{STATEMENT_SEQUENCE}")


def luhn_check_digit(digits: str) -> int:
    """The Luhn (mod 10) check digit to append to ``digits``.

    From the right, every second digit starting with the rightmost is doubled (minus 9
    when over 9); the check digit brings the sum to a multiple of 10.
    """
    if not digits.isdigit():
        raise ScanLineError(f"not digits: {digits!r}")
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def make_scan_line(*, account_number: str, bill_number: str, amount_due: Money) -> str:
    """The stub's scan line for a bill (groups separated by one space)."""
    if not _ACCOUNT.match(account_number):
        raise ScanLineError(
            f"account number {account_number!r} must be 1-12 digits without a leading zero"
        )
    bill = _BILL.match(bill_number)
    if bill is None:
        raise ScanLineError(f"bill number {bill_number!r} is not YYYYMM-NNNNNNNN")
    if not amount_due.is_whole_cents:
        raise ScanLineError(f"amount {amount_due.amount} is not in whole cents")
    cents = int(amount_due.amount * 100)
    if not 0 <= cents <= MAX_CENTS:
        raise ScanLineError(f"amount {amount_due} is outside 0.00-{MAX_CENTS / 100:,.2f}")
    groups = [
        account_number.rjust(ACCOUNT_DIGITS, "0"),
        bill.group(1) + bill.group(2),
        str(cents).rjust(CENTS_DIGITS, "0"),
    ]
    check = luhn_check_digit("".join(groups))
    return " ".join([*groups, str(check)])


def read_scan_line(text: str) -> ScanLine:
    """Read a scanned or keyed line back; :class:`ScanLineError` if it is not one we printed.

    Refuses anything but 37 digits (whitespace ignored) and any line whose check digit
    does not match, so a misread stub goes to a person instead of the wrong account.
    """
    digits = "".join(text.split())
    if not digits.isdigit() or len(digits) != SCAN_LINE_DIGITS:
        raise ScanLineError(f"a scan line is {SCAN_LINE_DIGITS} digits, got {text!r}")
    body, check = digits[:-1], int(digits[-1])
    if luhn_check_digit(body) != check:
        raise ScanLineError(f"check digit does not match: {text!r}")
    account = body[:ACCOUNT_DIGITS].lstrip("0")
    bill = body[ACCOUNT_DIGITS : ACCOUNT_DIGITS + BILL_DIGITS]
    cents = int(body[ACCOUNT_DIGITS + BILL_DIGITS :])
    if not account:
        raise ScanLineError(f"no account number in {text!r}")
    return ScanLine(
        account_number=account,
        bill_number=f"{bill[:6]}-{bill[6:]}",
        amount_due=Money(Decimal(cents).scaleb(-2)),
    )


def statement_bill_field(period: str) -> str:
    """The bill number an account summary statement's scan line carries for billing month
    ``period`` (YYYY-MM): ``YYYYMM-00000000`` (SEC policy 408).

    The account goes in the scan line's own account field, so the stub reads back to the
    account and the amount; the lockbox applies the payment to the account's oldest items
    first, as it does for a bill's stub.
    """
    match = _PERIOD.match(period)
    if match is None:
        raise ScanLineError(f"period {period!r} is not YYYY-MM")
    return f"{match.group(1)}{match.group(2)}-{STATEMENT_SEQUENCE}"


def statement_reference(*, account_number: str, period: str) -> str:
    """The reference printed on an account summary statement: ``S202610-1000123`` for account
    1000123's statement of October 2026. People read it; the scan line carries the same
    facts as the account field and :func:`statement_bill_field`."""
    if not _ACCOUNT.match(account_number):
        raise ScanLineError(
            f"account number {account_number!r} must be 1-12 digits without a leading zero"
        )
    statement_bill_field(period)  # refuses a period that is not YYYY-MM
    return f"S{period.replace('-', '')}-{account_number}"
