"""The bank's BAI2 file: lockbox deposits (type 115) and the items in them (type 116).

Parsed with the ``bai2`` package; its own integrity checks are turned off and done here
instead, so a refusal can name the line of the control record that does not add up (the
package says only which kind of record). Checked, every one refusing the whole file:

* 49 account trailer: control total = the 03 summary amounts + the 16 detail amounts;
  record count (03 through 49, continuations included);
* 98 group trailer: the accounts' control totals, the number of accounts, record count;
* 99 file trailer: the groups' control totals, the number of groups, record count;
* each 115 deposit that has 116 items: the items add up to the deposit;
* an 03 summary of type 110 (total lockbox deposits): its amount is at least the sum
  of the account's 115 deposits and its item count, when given, at least their number;
* a file with no 115, 116 or 110 record at all (a balance report) is refused, rather
  than imported as "0 items".

The package's reading of continuation records and blank availability amounts is
corrected here (``_records``), for the specification's own sample file.

Layout and matching are documented in ``docs/domain/lockbox.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from bai2.constants import RecordCode
from bai2.exceptions import IntegrityException, NotSupportedYetException, ParsingException
from bai2.helpers import IteratorHelper, RecordBuilderFactory
from bai2.models import Record
from bai2.parsers import Bai2FileParser

from coopcis.core.money import Money
from coopcis.core.payments.lockbox import (
    DepositTotal,
    LockboxFileError,
    Remittance,
    RemittanceFile,
)

RECORD_CODES = frozenset({"01", "02", "03", "16", "49", "88", "98", "99"})
TOTAL_LOCKBOX_DEPOSITS = "110"
LOCKBOX_DEPOSIT = "115"
LOCKBOX_ITEM = "116"


def _account_identifier(rows: list[tuple[Any, str]]) -> Any:
    """An 03 record from its physical rows, each continuation starting a new field.

    The ``bai2`` package (0.15) joins an 03 row ending ``/`` to the next without a comma
    when the row's summary fields number a multiple of four, so the specification's
    own sample (``...,400,2000000,,,190/`` then ``88,500000,,,110,...``) read type code
    ``190500000``. A row ends a field at its ``/``; only a row whose text already ends
    in ``,/`` (a group closed by the bank's extra comma) or a whole-group row needs no
    separator.
    """
    text = ""
    for index, (_, row) in enumerate(rows):
        if not row.endswith("/"):
            text += row
            continue
        body = row[:-1]
        text += body
        commas = body.count(",") - (2 if index == 0 else 0)
        more = index + 1 < len(rows)
        if commas % 4 or (more and body and not body.endswith(",")):
            text += ","
    return Record(code=rows[0][0], fields=text.split(","), rows=rows)


def _records(lines: Iterable[str]) -> Iterator[Any]:
    """The package's ``record_generator``, with :func:`_account_identifier` for 03."""
    group: list[tuple[Any, str]] = []
    for line in lines:
        row = (RecordCode(line[:2]), line[3:])
        if group and row[0] != RecordCode.continuation:
            yield _build(group)
            group = []
        group.append(row)
    if group:
        yield _build(group)


def _build(rows: list[tuple[Any, str]]) -> Any:
    if rows[0][0] == RecordCode.account_identifier:
        return _account_identifier(rows)
    record = RecordBuilderFactory[rows[0][0]](rows)
    fields = record.fields
    if rows[0][0] == RecordCode.transaction_detail and len(fields) > 5 and fields[2] == "S":
        # Funds type S: immediate, one-day and two-day amounts, each of which the
        # specification lets a bank leave blank (none available that day); the package
        # reads a blank as int('').
        fields[3:6] = [amount or "0" for amount in fields[3:6]]
    return record


class _CountingHelper(IteratorHelper):  # type: ignore[misc]
    """The package's record iterator, counting the physical rows it has moved past, so a
    parse error can be placed on the line of the record being read."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.rows_before = 0
        self._generator = _records(lines)
        self.current_record = None
        self.advance()

    def advance(self) -> None:
        if self.current_record is not None:
            self.rows_before += len(self.current_record.rows)
        super().advance()


def _physical_lines(text: str) -> list[tuple[int, str]]:
    lines = [(n, raw.strip()) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    if not lines:
        raise LockboxFileError("the file is empty", line=1)
    for number, line in lines:
        if line[:2] not in RECORD_CODES or line[2:3] != ",":
            raise LockboxFileError(
                "not a BAI2 record (01, 02, 03, 16, 49, 88, 98 or 99 and a comma)", line=number
            )
    if not lines[-1][1].startswith("99,"):
        raise LockboxFileError("the file ends before its 99 file trailer", line=lines[-1][0] + 1)
    return lines


def _cents(value: Any) -> Money:
    return Money(Decimal(int(value or 0)).scaleb(-2))


def _code(type_code: Any) -> str:
    return str(getattr(type_code, "code", type_code or ""))


@dataclass
class _Cursor:
    """Walks the parsed records in file order, handing out their first line numbers."""

    lines: list[tuple[int, str]]
    position: int = 0

    def take(self, rows: list[Any]) -> int:
        line = self.lines[self.position][0]
        self.position += len(rows)
        return line


@dataclass
class _Account:
    remittances: list[Remittance] = field(default_factory=list)
    deposits: list[DepositTotal] = field(default_factory=list)
    deposit_lines: dict[int, list[Remittance]] = field(default_factory=dict)


def _detail(account: _Account, detail: Any, line: int, on: date, bank_account: str) -> None:
    code = _code(detail.type_code)
    if code not in (LOCKBOX_DEPOSIT, LOCKBOX_ITEM):
        return  # other activity on the account: counted in the controls, not posted here
    if detail.amount is None or int(detail.amount) <= 0:
        raise LockboxFileError(f"type {code} amount must be more than zero", line=line)
    amount = _cents(detail.amount)
    bank_reference = (detail.bank_reference or "").strip()
    customer_reference = (detail.customer_reference or "").strip()
    if code == LOCKBOX_DEPOSIT:
        deposit = DepositTotal(
            line=line,
            deposit_date=on,
            reference=bank_reference or customer_reference or f"line {line}",
            amount=amount,
            item_count=0,
            bank_account=bank_account,
        )
        account.deposits.append(deposit)
        account.deposit_lines[line] = []
        return
    if not account.deposits:
        raise LockboxFileError(
            "a 116 lockbox item needs a 115 lockbox deposit before it", line=line
        )
    deposit = account.deposits[-1]
    items = account.deposit_lines[deposit.line]
    remittance = Remittance(
        line=line,
        deposit_date=on,
        batch=deposit.reference,
        item=bank_reference or str(len(items) + 1),
        amount=amount,
        remittance_text=(detail.text or "").replace(",", " ").strip(),
        check_number=customer_reference,
        bank_reference=bank_reference,
    )
    items.append(remittance)
    account.remittances.append(remittance)


def _account_controls(parsed: Any, account: _Account, header_line: int, trailer_line: int) -> int:
    summaries = parsed.header.summary_items
    details = parsed.children
    total = sum(int(s.amount or 0) for s in summaries) + sum(int(d.amount or 0) for d in details)
    stated = int(parsed.trailer.account_control_total or 0)
    if total != stated:
        raise LockboxFileError(
            f"account control total {_cents(stated).amount} does not match the records, "
            f"which add up to {_cents(total).amount}",
            line=trailer_line,
        )
    records = len(parsed.header.rows) + sum(len(d.rows) for d in details) + len(parsed.trailer.rows)
    _count("account", parsed.trailer.number_of_records, records, trailer_line)
    for deposit in account.deposits:
        items = account.deposit_lines[deposit.line]
        if items and sum((r.amount for r in items), Money.zero()) != deposit.amount:
            added = sum((r.amount for r in items), Money.zero())
            raise LockboxFileError(
                f"lockbox deposit {deposit.amount.amount} does not match its "
                f"{len(items)} items, which add up to {added.amount}",
                line=deposit.line,
            )
    for summary in summaries:
        if _code(summary.type_code) != TOTAL_LOCKBOX_DEPOSITS:
            continue
        # The total may be more than the 115s detail (the specification's own sample
        # details 5,000.00 of a 10,000.00 total), never less.
        deposited = sum((d.amount for d in account.deposits), Money.zero())
        if _cents(summary.amount) < deposited:
            raise LockboxFileError(
                f"total lockbox deposits {_cents(summary.amount).amount} is less than the "
                f"115 deposits, which add up to {deposited.amount}",
                line=header_line,
            )
        if summary.item_count is not None and summary.item_count < len(account.deposits):
            raise LockboxFileError(
                f"total lockbox deposits counts {summary.item_count} deposits, "
                f"the account has {len(account.deposits)}",
                line=header_line,
            )
    return records


def _count(what: str, stated: Any, found: int, line: int) -> None:
    if stated is not None and int(stated) != found:
        raise LockboxFileError(
            f"{what} trailer counts {int(stated)} records, the {what} has {found}", line=line
        )


def _parse(lines: list[tuple[int, str]]) -> Any:
    helper = _CountingHelper(line for _, line in lines)
    try:
        return Bai2FileParser(helper, check_integrity=False).parse()
    except (ParsingException, NotSupportedYetException, IntegrityException, ValueError) as error:
        at = lines[min(helper.rows_before, len(lines) - 1)][0]
        raise LockboxFileError(f"not a valid BAI2 record: {error}", line=at) from None
    except StopIteration:
        raise LockboxFileError(
            "the file ends before its 99 file trailer", line=lines[-1][0]
        ) from None


def parse_bai2(text: str) -> RemittanceFile:
    """Read a BAI2 file's lockbox deposits and items, refusing it whole if a control fails."""
    lines = _physical_lines(text)
    parsed = _parse(lines)
    cursor = _Cursor(lines)
    cursor.take(parsed.header.rows)
    remittances: list[Remittance] = []
    deposits: list[DepositTotal] = []
    deposit_date: date | None = None
    file_records = len(parsed.header.rows)
    for group in parsed.children:
        group_line = cursor.take(group.header.rows)
        on = group.header.as_of_date
        if deposit_date is not None and on != deposit_date:
            raise LockboxFileError(
                f"one deposit date per file: {on} after {deposit_date}", line=group_line
            )
        deposit_date = on
        group_records = len(group.header.rows)
        for bank in group.children:
            account = _Account()
            header_line = cursor.take(bank.header.rows)
            bank_account = str(bank.header.customer_account_number or "")
            for detail in bank.children:
                _detail(account, detail, cursor.take(detail.rows), on, bank_account)
            trailer_line = cursor.take(bank.trailer.rows)
            group_records += _account_controls(bank, account, header_line, trailer_line)
            remittances += account.remittances
            deposits += [
                _with_count(d, len(account.deposit_lines[d.line])) for d in account.deposits
            ]
        group_line = cursor.take(group.trailer.rows)
        group_records += len(group.trailer.rows)
        _group_controls(group, group_records, group_line)
        file_records += group_records
    trailer_line = cursor.take(parsed.trailer.rows)
    if cursor.position < len(lines):
        raise LockboxFileError(
            "nothing may follow the 99 file trailer", line=lines[cursor.position][0]
        )
    _file_controls(parsed, file_records + len(parsed.trailer.rows), trailer_line)
    assert deposit_date is not None  # the package refuses a file without groups
    if not deposits and not remittances and not _reports_lockbox(parsed):
        raise LockboxFileError(
            "the file holds no lockbox records (no 115 deposit, 116 item or 110 total "
            "lockbox deposits): a balance report, not a lockbox file; nothing imported",
            line=1,
        )
    return RemittanceFile(
        format="bai2",
        deposit_date=deposit_date,
        remittances=tuple(remittances),
        deposits=tuple(deposits),
    )


def _reports_lockbox(parsed: Any) -> bool:
    """Whether an account summary says how much came through the lockbox (type 110):
    a lockbox file of a day without mail says so with a zero total."""
    return any(
        _code(summary.type_code) == TOTAL_LOCKBOX_DEPOSITS
        for group in parsed.children
        for account in group.children
        for summary in account.header.summary_items
    )


def _with_count(deposit: DepositTotal, count: int) -> DepositTotal:
    return DepositTotal(
        line=deposit.line,
        deposit_date=deposit.deposit_date,
        reference=deposit.reference,
        amount=deposit.amount,
        item_count=count,
        bank_account=deposit.bank_account,
    )


def _group_controls(group: Any, records: int, line: int) -> None:
    trailer = group.trailer
    total = sum(int(a.trailer.account_control_total or 0) for a in group.children)
    if int(trailer.group_control_total or 0) != total:
        raise LockboxFileError(
            f"group control total {_cents(trailer.group_control_total).amount} does not match "
            f"its accounts, which add up to {_cents(total).amount}",
            line=line,
        )
    if trailer.number_of_accounts is not None and trailer.number_of_accounts != len(group.children):
        raise LockboxFileError(
            f"group trailer counts {trailer.number_of_accounts} accounts, "
            f"the group has {len(group.children)}",
            line=line,
        )
    _count("group", trailer.number_of_records, records, line)


def _file_controls(parsed: Any, records: int, line: int) -> None:
    trailer = parsed.trailer
    total = sum(int(g.trailer.group_control_total or 0) for g in parsed.children)
    if int(trailer.file_control_total or 0) != total:
        raise LockboxFileError(
            f"file control total {_cents(trailer.file_control_total).amount} does not match "
            f"its groups, which add up to {_cents(total).amount}",
            line=line,
        )
    if trailer.number_of_groups is not None and trailer.number_of_groups != len(parsed.children):
        raise LockboxFileError(
            f"file trailer counts {trailer.number_of_groups} groups, "
            f"the file has {len(parsed.children)}",
            line=line,
        )
    _count("file", trailer.number_of_records, records, line)
