"""Lockbox CSV and BAI2 files written in the tests, with correct control records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

CSV_HEADER = "deposit_date,batch,item,scan_line,amount,check_number,payer_name"


@dataclass(frozen=True)
class Row:
    batch: str
    item: str
    scan_line: str
    amount: str
    check_number: str = ""
    payer_name: str = ""


def lockbox_csv(
    on: date, rows: Sequence[Row], *, count: int | None = None, total: str | None = None
) -> str:
    """A lockbox CSV; ``count``/``total`` override the TOTAL control record."""
    lines = [CSV_HEADER]
    lines += [
        f"{on},{r.batch},{r.item},{r.scan_line},{r.amount},{r.check_number},{r.payer_name}"
        for r in rows
    ]
    if total is None:
        total = f"{sum((Decimal(r.amount) for r in rows), Decimal('0.00')):.2f}"
    lines.append(f"TOTAL,{len(rows) if count is None else count},{total}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Item:
    bank_reference: str
    check_number: str
    amount: str
    text: str


def _cents(amount: str) -> int:
    return int(Decimal(amount) * 100)


def bai2(
    on: date,
    deposits: Sequence[tuple[str, Sequence[Item]]],
    *,
    account: str = "4400123456",
    deposit_amounts: dict[str, str] | None = None,
    continuation_after: int = 24,
) -> str:
    """A BAI2 file: one group, one account, a 115 deposit per batch and a 116 per item
    (remittance text longer than ``continuation_after`` continues on an 88 record)."""
    yymmdd = on.strftime("%y%m%d")
    amounts = {
        ref: (deposit_amounts or {}).get(ref) or f"{sum(Decimal(i.amount) for i in items):.2f}"
        for ref, items in deposits
    }
    body: list[str] = []
    control = 0
    deposited = sum(_cents(a) for a in amounts.values())
    body.append(f"03,{account},USD,110,{deposited},{len(deposits)},Z/")
    control += deposited
    for ref, items in deposits:
        body.append(f"16,115,{_cents(amounts[ref])},Z,{ref},,LOCKBOX DEPOSIT/")
        control += _cents(amounts[ref])
        for item in items:
            head, tail = item.text[:continuation_after], item.text[continuation_after:]
            body.append(
                f"16,116,{_cents(item.amount)},Z,{item.bank_reference},{item.check_number},{head}"
            )
            if tail:
                body.append(f"88,{tail}")
            control += _cents(item.amount)
    body.append(f"49,{control},{len(body) + 1}/")
    group = [f"02,OCEC,COOPBANK,1,{yymmdd},0600,USD,2/", *body, f"98,{control},1,{len(body) + 2}/"]
    lines = [f"01,COOPBANK,OCEC,{yymmdd},0600,1,,,2/", *group, f"99,{control},1,{len(group) + 2}/"]
    return "\n".join(lines) + "\n"


def line_of(text: str, prefix: str) -> int:
    """The 1-based number of the first line starting with ``prefix``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(prefix):
            return number
    raise AssertionError(f"no line starts with {prefix!r}")
