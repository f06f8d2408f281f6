"""NACHA files: writing PPD debit files and reading files (ours, and returns from the bank).

Automatic bank draft (DOMAIN.md "Bills and payment": the 3rd or the 25th) reaches the
member's bank as an ACH file in the NACHA format: 94-character records, a file header
(1), batches (5 ... 8) of entries (6) with optional addenda (7), a file control (9) and
lines of 9s padding the file to a multiple of 10 records ("blocks").

Amounts are integer cents everywhere (a ``Money`` is turned into cents exactly, never
through a float). The writer computes every control figure; the reader recomputes them
and refuses a file whose records disagree, naming the line (1-based), so nothing is
posted from a damaged file. Return entries (addenda type 99) carry the return reason,
the original entry's trace number and, for deaths, the date of death.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, time

from coopcis.core.money import Money

RECORD_LENGTH = 94
BLOCKING_FACTOR = 10
HASH_MODULUS = 10**10

CHECKING_DEBIT, CHECKING_PRENOTE_DEBIT = 27, 28
SAVINGS_DEBIT, SAVINGS_PRENOTE_DEBIT = 37, 38
#: Demand (2x) and savings (3x) codes: x1-x4 credit the receiver, x6-x9 debit; x1/x6 are
#: returns and notifications of change, x3/x8 prenotes, x4/x9 zero-dollar entries.
TRANSACTION_CODES = frozenset({21, 22, 23, 24, 26, 27, 28, 29, 31, 32, 33, 34, 36, 37, 38, 39})
PRENOTE_CODES = frozenset({23, 28, 33, 38})
SERVICE_CLASSES = frozenset({200, 220, 225})


class AchError(ValueError):
    """A file that cannot be written or read as NACHA, with the line at fault (1-based)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


def to_cents(amount: Money) -> int:
    """Whole cents of a non-negative amount; refuses fractions of a cent."""
    if not amount.is_whole_cents or amount.amount < 0:
        raise AchError(f"an ACH amount must be whole, non-negative cents, not {amount}")
    return int(amount.amount.scaleb(2))


def aba_check_digit(first_eight: str) -> int:
    """The ninth digit of a routing number: weights 3, 7, 1 over the first eight, mod 10."""
    if len(first_eight) != 8 or not first_eight.isdigit():
        raise AchError(f"routing prefix {first_eight!r} is not 8 digits")
    weighted = sum(int(d) * w for d, w in zip(first_eight, (3, 7, 1) * 3, strict=False))
    return (10 - weighted % 10) % 10


def is_routing_number(value: str) -> bool:
    return len(value) == 9 and value.isdigit() and aba_check_digit(value[:8]) == int(value[8])


@dataclass(frozen=True, slots=True)
class FileHeader:
    """Record 1: who the file goes to (the ODFI or operator) and comes from (the co-op)."""

    immediate_destination: str  # 9-digit routing number
    immediate_origin: str  # 9-digit routing number or 10 characters ("1" + EIN)
    destination_name: str
    origin_name: str
    created_on: date
    created_time: time | None
    file_id_modifier: str  # A-Z or 0-9: tells apart files made the same day
    reference_code: str = ""


@dataclass(frozen=True, slots=True)
class BatchHeader:
    """Record 5: one originator, one entry class, one effective date."""

    company_name: str
    company_identification: str
    entry_description: str  # shown on the member's statement, e.g. "ELEC BILL"
    effective_on: date
    originating_dfi: str  # first 8 digits of the co-op's bank routing number
    batch_number: int = 1
    service_class_code: int = 225  # 225 debits only; 200 mixed; 220 credits only
    sec_code: str = "PPD"
    discretionary_data: str = ""
    descriptive_date: str = ""
    settlement_day: str = ""  # Julian day, filled in by the ACH operator


@dataclass(frozen=True, slots=True)
class ReturnAddenda:
    """Addenda type 99: why the receiving bank sent the entry back."""

    return_reason_code: str
    original_trace_number: str
    original_receiving_dfi: str
    date_of_death: date | None = None
    information: str = ""


@dataclass(frozen=True, slots=True)
class ChangeAddenda:
    """Addenda type 98 (notification of change): the receiving bank's corrected data."""

    change_code: str
    original_trace_number: str
    original_receiving_dfi: str
    corrected_data: str


@dataclass(frozen=True, slots=True)
class PaymentAddenda:
    """Addenda type 05: free payment-related information."""

    information: str


Addenda = ReturnAddenda | ChangeAddenda | PaymentAddenda


@dataclass(frozen=True, slots=True)
class Entry:
    """Record 6 (PPD): one debit or prenote to a member's bank account."""

    transaction_code: int
    routing_number: str  # 9 digits, the receiving bank's, check digit included
    account_number: str
    amount_cents: int
    individual_id: str  # the member account number
    individual_name: str
    trace_number: str  # ODFI 8 digits + 7-digit sequence
    discretionary_data: str = ""
    addenda: tuple[Addenda, ...] = ()
    line: int = field(default=0, compare=False)  # where the reader found it

    @property
    def is_prenote(self) -> bool:
        return self.transaction_code in PRENOTE_CODES

    @property
    def is_debit(self) -> bool:
        return self.transaction_code % 10 >= 6

    @property
    def return_addenda(self) -> ReturnAddenda | None:
        found = [a for a in self.addenda if isinstance(a, ReturnAddenda)]
        return found[0] if found else None


@dataclass(frozen=True, slots=True)
class Batch:
    header: BatchHeader
    entries: tuple[Entry, ...]

    @property
    def entry_addenda_count(self) -> int:
        return sum(1 + len(entry.addenda) for entry in self.entries)

    @property
    def entry_hash(self) -> int:
        """Sum of the receiving banks' 8-digit routing prefixes, rightmost 10 digits."""
        return sum(int(entry.routing_number[:8]) for entry in self.entries) % HASH_MODULUS

    @property
    def total_debit_cents(self) -> int:
        return sum(entry.amount_cents for entry in self.entries if entry.is_debit)

    @property
    def total_credit_cents(self) -> int:
        return sum(entry.amount_cents for entry in self.entries if not entry.is_debit)


@dataclass(frozen=True, slots=True)
class AchFile:
    header: FileHeader
    batches: tuple[Batch, ...]

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(entry for batch in self.batches for entry in batch.entries)

    @property
    def entry_addenda_count(self) -> int:
        return sum(batch.entry_addenda_count for batch in self.batches)

    @property
    def entry_hash(self) -> int:
        return sum(batch.entry_hash for batch in self.batches) % HASH_MODULUS

    @property
    def total_debit_cents(self) -> int:
        return sum(batch.total_debit_cents for batch in self.batches)

    @property
    def total_credit_cents(self) -> int:
        return sum(batch.total_credit_cents for batch in self.batches)

    @property
    def record_count(self) -> int:
        """Records before padding: header, batch headers and controls, entries, addenda, control."""
        return 2 + 2 * len(self.batches) + self.entry_addenda_count

    @property
    def block_count(self) -> int:
        return -(-self.record_count // BLOCKING_FACTOR)


def trace_number(originating_dfi: str, sequence: int) -> str:
    """ODFI routing prefix (8 digits) and a 7-digit sequence."""
    if len(originating_dfi) != 8 or not originating_dfi.isdigit():
        raise AchError(f"originating DFI {originating_dfi!r} is not 8 digits")
    if not 0 < sequence < 10**7:
        raise AchError(f"trace sequence {sequence} is outside 1-9999999")
    return f"{originating_dfi}{sequence:07d}"


# --- writing -----------------------------------------------------------------------------


def _text(value: str, width: int) -> str:
    """Alphanumeric field: upper-case ASCII, left-justified, cut to the width."""
    ascii_ = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    printable = "".join(c if " " <= c <= "~" else " " for c in ascii_)
    return printable.upper()[:width].ljust(width)


def _number(value: int, width: int, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise AchError(f"{what} must be a non-negative integer, not {value!r}")
    text = str(value)
    if len(text) > width:
        raise AchError(f"{what} {value} does not fit in {width} digits")
    return text.zfill(width)


def _digits(value: str, width: int, what: str) -> str:
    if len(value) != width or not value.isdigit():
        raise AchError(f"{what} {value!r} must be {width} digits")
    return value


def _yymmdd(day: date | None) -> str:
    return day.strftime("%y%m%d") if day is not None else "      "


def _file_header(header: FileHeader) -> str:
    origin = header.immediate_origin
    if len(origin) == 9:
        _digits(origin, 9, "immediate origin")
        origin = f" {origin}"
    elif len(origin) != 10:
        raise AchError(f"immediate origin {origin!r} must be 9 digits or 10 characters")
    modifier = header.file_id_modifier
    if len(modifier) != 1 or not (modifier.isdigit() or "A" <= modifier <= "Z"):
        raise AchError(f"file ID modifier {modifier!r} must be one of A-Z or 0-9")
    created_time = header.created_time.strftime("%H%M") if header.created_time else "    "
    return (
        f"101 {_digits(header.immediate_destination, 9, 'immediate destination')}{origin}"
        f"{_yymmdd(header.created_on)}{created_time}{modifier}094101"
        f"{_text(header.destination_name, 23)}{_text(header.origin_name, 23)}"
        f"{_text(header.reference_code, 8)}"
    )


def _batch_header(header: BatchHeader) -> str:
    if header.service_class_code not in SERVICE_CLASSES:
        raise AchError(f"service class {header.service_class_code} is not 200, 220 or 225")
    return (
        f"5{header.service_class_code}{_text(header.company_name, 16)}"
        f"{_text(header.discretionary_data, 20)}{_text(header.company_identification, 10)}"
        f"{_text(header.sec_code, 3)}{_text(header.entry_description, 10)}"
        f"{_text(header.descriptive_date, 6)}{_yymmdd(header.effective_on)}"
        f"{_text(header.settlement_day, 3)}1"
        f"{_digits(header.originating_dfi, 8, 'originating DFI')}"
        f"{_number(header.batch_number, 7, 'batch number')}"
    )


def _check_entry(entry: Entry, header: BatchHeader) -> None:
    if entry.transaction_code not in TRANSACTION_CODES:
        raise AchError(f"transaction code {entry.transaction_code} is not a deposit-account code")
    if not is_routing_number(entry.routing_number):
        raise AchError(f"routing number {entry.routing_number!r} fails the ABA check digit")
    if not entry.account_number.strip() or len(entry.account_number) > 17:
        raise AchError(f"account number {entry.account_number!r} must be 1-17 characters")
    if entry.is_prenote and entry.amount_cents != 0:
        raise AchError(f"prenote {entry.trace_number} must be for zero")
    if entry.is_debit and header.service_class_code == 220:
        raise AchError(f"debit {entry.trace_number} in a credits-only batch")
    if not entry.is_debit and header.service_class_code == 225:
        raise AchError(f"credit {entry.trace_number} in a debits-only batch")
    _digits(entry.trace_number, 15, "trace number")


def _entry(entry: Entry) -> str:
    return (
        f"6{entry.transaction_code:02d}{entry.routing_number}"
        f"{_text(entry.account_number, 17)}{_number(entry.amount_cents, 10, 'amount')}"
        f"{_text(entry.individual_id, 15)}{_text(entry.individual_name, 22)}"
        f"{_text(entry.discretionary_data, 2)}{1 if entry.addenda else 0}{entry.trace_number}"
    )


def _addenda(addenda: Addenda, entry: Entry, sequence: int) -> str:
    if isinstance(addenda, ReturnAddenda):
        return (
            f"799{_text(addenda.return_reason_code, 3)}"
            f"{_digits(addenda.original_trace_number, 15, 'original trace number')}"
            f"{_yymmdd(addenda.date_of_death)}{_text(addenda.original_receiving_dfi, 8)}"
            f"{_text(addenda.information, 44)}{entry.trace_number}"
        )
    if isinstance(addenda, ChangeAddenda):
        return (
            f"798{_text(addenda.change_code, 3)}"
            f"{_digits(addenda.original_trace_number, 15, 'original trace number')}"
            f"{' ' * 6}{_text(addenda.original_receiving_dfi, 8)}"
            f"{_text(addenda.corrected_data, 29)}{' ' * 15}{entry.trace_number}"
        )
    return f"705{_text(addenda.information, 80)}{sequence:04d}{entry.trace_number[-7:]}"


def _batch_control(batch: Batch) -> str:
    header = batch.header
    return (
        f"8{header.service_class_code}"
        f"{_number(batch.entry_addenda_count, 6, 'batch entry/addenda count')}"
        f"{batch.entry_hash:010d}"
        f"{_number(batch.total_debit_cents, 12, 'batch debit total')}"
        f"{_number(batch.total_credit_cents, 12, 'batch credit total')}"
        f"{_text(header.company_identification, 10)}{' ' * 25}{header.originating_dfi}"
        f"{header.batch_number:07d}"
    )


def _file_control(ach: AchFile) -> str:
    return (
        f"9{_number(len(ach.batches), 6, 'batch count')}"
        f"{_number(ach.block_count, 6, 'block count')}"
        f"{_number(ach.entry_addenda_count, 8, 'file entry/addenda count')}"
        f"{ach.entry_hash:010d}"
        f"{_number(ach.total_debit_cents, 12, 'file debit total')}"
        f"{_number(ach.total_credit_cents, 12, 'file credit total')}{' ' * 39}"
    )


def _records(ach: AchFile) -> Iterator[str]:
    yield _file_header(ach.header)
    traces: set[str] = set()
    for batch in ach.batches:
        if not batch.entries:
            raise AchError(f"batch {batch.header.batch_number} has no entries")
        yield _batch_header(batch.header)
        for entry in batch.entries:
            _check_entry(entry, batch.header)
            if entry.trace_number in traces:
                raise AchError(f"trace number {entry.trace_number} is used twice in the file")
            traces.add(entry.trace_number)
            yield _entry(entry)
            for sequence, addenda in enumerate(entry.addenda, start=1):
                yield _addenda(addenda, entry, sequence)
        yield _batch_control(batch)
    yield _file_control(ach)


def write_ach_file(ach: AchFile) -> str:
    """The file's text: 94-character records ending in newlines, padded with 9s to a block."""
    if not ach.batches:
        raise AchError("a file needs at least one batch")
    records = list(_records(ach))
    records += ["9" * RECORD_LENGTH] * (-len(records) % BLOCKING_FACTOR)
    for number, record in enumerate(records, start=1):
        if len(record) != RECORD_LENGTH:  # a bug in this module, never the caller's data
            raise AchError(f"record is {len(record)} characters, not 94", line=number)
    return "\n".join(records) + "\n"


# --- reading ----------------------------------------------------------------------------


def _field(record: str, start: int, end: int) -> str:
    """Positions as the NACHA layout gives them: 1-based, inclusive."""
    return record[start - 1 : end]


def _int(record: str, start: int, end: int, what: str, line: int) -> int:
    raw = _field(record, start, end)
    if not raw.isdigit():
        raise AchError(f"{what} {raw.strip()!r} is not numeric", line=line)
    return int(raw)


def _date(record: str, start: int, what: str, line: int, *, blank_ok: bool = False) -> date | None:
    raw = _field(record, start, start + 5)
    if blank_ok and not raw.strip():
        return None
    try:
        return date(2000 + int(raw[:2]), int(raw[2:4]), int(raw[4:6]))
    except ValueError:
        raise AchError(f"{what} {raw!r} is not a YYMMDD date", line=line) from None


def _read_file_header(record: str, line: int) -> FileHeader:
    if not record.startswith("101"):
        raise AchError(
            "the file must begin with a file header (record type 1, priority 01)", line=line
        )
    if _field(record, 35, 40) != "094101":
        raise AchError(
            "file header must say record size 094, blocking factor 10, format 1", line=line
        )
    raw_time = _field(record, 30, 33)
    created_time = None
    if raw_time.strip():
        hours, minutes = (
            _int(record, 30, 31, "creation hour", line),
            _int(record, 32, 33, "creation minute", line),
        )
        if hours > 23 or minutes > 59:
            raise AchError(f"file creation time {raw_time!r} is not HHMM", line=line)
        created_time = time(hours, minutes)
    created_on = _date(record, 24, "file creation date", line)
    assert created_on is not None
    return FileHeader(
        immediate_destination=_field(record, 4, 13).strip(),
        immediate_origin=_field(record, 14, 23).strip(),
        destination_name=_field(record, 41, 63).rstrip(),
        origin_name=_field(record, 64, 86).rstrip(),
        created_on=created_on,
        created_time=created_time,
        file_id_modifier=_field(record, 34, 34),
        reference_code=_field(record, 87, 94).rstrip(),
    )


def _read_batch_header(record: str, line: int) -> BatchHeader:
    service_class = _int(record, 2, 4, "service class code", line)
    if service_class not in SERVICE_CLASSES:
        raise AchError(f"service class {service_class} is not 200, 220 or 225", line=line)
    effective_on = _date(record, 70, "effective entry date", line)
    assert effective_on is not None
    return BatchHeader(
        company_name=_field(record, 5, 20).rstrip(),
        company_identification=_field(record, 41, 50).rstrip(),
        entry_description=_field(record, 54, 63).rstrip(),
        effective_on=effective_on,
        originating_dfi=_field(record, 80, 87),
        batch_number=_int(record, 88, 94, "batch number", line),
        service_class_code=service_class,
        sec_code=_field(record, 51, 53),
        discretionary_data=_field(record, 21, 40).rstrip(),
        descriptive_date=_field(record, 64, 69).rstrip(),
        settlement_day=_field(record, 76, 78).strip(),
    )


def _read_entry(record: str, line: int) -> tuple[Entry, bool]:
    code = _int(record, 2, 3, "transaction code", line)
    if code not in TRANSACTION_CODES:
        raise AchError(f"transaction code {code:02d} is not a deposit-account code", line=line)
    routing = _field(record, 4, 12)
    if not is_routing_number(routing):
        raise AchError(f"receiving DFI {routing!r} fails the ABA check digit", line=line)
    indicator = _field(record, 79, 79)
    if indicator not in "01":
        raise AchError(f"addenda record indicator {indicator!r} is not 0 or 1", line=line)
    entry = Entry(
        transaction_code=code,
        routing_number=routing,
        account_number=_field(record, 13, 29).rstrip(),
        amount_cents=_int(record, 30, 39, "amount", line),
        individual_id=_field(record, 40, 54).rstrip(),
        individual_name=_field(record, 55, 76).rstrip(),
        discretionary_data=_field(record, 77, 78).rstrip(),
        trace_number=_field(record, 80, 94),
        line=line,
    )
    _digits_at(entry.trace_number, "trace number", line)
    return entry, indicator == "1"


def _digits_at(value: str, what: str, line: int) -> None:
    if not value.isdigit():
        raise AchError(f"{what} {value!r} is not numeric", line=line)


def _read_addenda(record: str, line: int) -> Addenda:
    kind = _field(record, 2, 3)
    if kind == "99":
        original = _field(record, 7, 21)
        _digits_at(original, "original entry trace number", line)
        return ReturnAddenda(
            return_reason_code=_field(record, 4, 6),
            original_trace_number=original,
            original_receiving_dfi=_field(record, 28, 35).strip(),
            date_of_death=_date(record, 22, "date of death", line, blank_ok=True),
            information=_field(record, 36, 79).rstrip(),
        )
    if kind == "98":
        original = _field(record, 7, 21)
        _digits_at(original, "original entry trace number", line)
        return ChangeAddenda(
            change_code=_field(record, 4, 6),
            original_trace_number=original,
            original_receiving_dfi=_field(record, 28, 35).strip(),
            corrected_data=_field(record, 36, 64).rstrip(),
        )
    if kind == "05":
        return PaymentAddenda(information=_field(record, 4, 83).rstrip())
    raise AchError(f"addenda type {kind!r} is not 05, 98 or 99", line=line)


def _check(found: int, expected: int, what: str, line: int) -> None:
    if found != expected:
        raise AchError(f"{what} is {found} but the records add up to {expected}", line=line)


def _check_batch_control(record: str, line: int, batch: Batch) -> None:
    header = batch.header
    _check(
        _int(record, 2, 4, "service class", line),
        header.service_class_code,
        "batch control service class",
        line,
    )
    _check(
        _int(record, 5, 10, "entry/addenda count", line),
        batch.entry_addenda_count,
        "batch control entry/addenda count",
        line,
    )
    _check(
        _int(record, 11, 20, "entry hash", line), batch.entry_hash, "batch control entry hash", line
    )
    _check(
        _int(record, 21, 32, "total debit", line),
        batch.total_debit_cents,
        "batch control total debit (cents)",
        line,
    )
    _check(
        _int(record, 33, 44, "total credit", line),
        batch.total_credit_cents,
        "batch control total credit (cents)",
        line,
    )
    _check(
        _int(record, 88, 94, "batch number", line),
        header.batch_number,
        "batch control batch number",
        line,
    )
    if _field(record, 80, 87) != header.originating_dfi:
        raise AchError("batch control ODFI differs from the batch header", line=line)


def _check_file_control(record: str, line: int, ach: AchFile, total_records: int) -> None:
    _check(
        _int(record, 2, 7, "batch count", line), len(ach.batches), "file control batch count", line
    )
    _check(
        _int(record, 8, 13, "block count", line),
        -(-total_records // BLOCKING_FACTOR),
        "file control block count",
        line,
    )
    _check(
        _int(record, 14, 21, "entry/addenda count", line),
        ach.entry_addenda_count,
        "file control entry/addenda count",
        line,
    )
    _check(
        _int(record, 22, 31, "entry hash", line), ach.entry_hash, "file control entry hash", line
    )
    _check(
        _int(record, 32, 43, "total debit", line),
        ach.total_debit_cents,
        "file control total debit (cents)",
        line,
    )
    _check(
        _int(record, 44, 55, "total credit", line),
        ach.total_credit_cents,
        "file control total credit (cents)",
        line,
    )


class _Reader:
    """Walks the records in order: 1, then (5, (6, 7*)+, 8)*, then 9, then padding."""

    def __init__(self, records: list[str]) -> None:
        self.records = records
        self.batches: list[Batch] = []
        self.header: BatchHeader | None = None
        self.entries: list[Entry] = []
        self.traces: dict[str, int] = {}
        self._expect_addenda = False

    def entry(self, record: str, line: int) -> None:
        if self.header is None:
            raise AchError("entry outside a batch", line=line)
        entry, has_addenda = _read_entry(record, line)
        if entry.trace_number in self.traces:
            first = self.traces[entry.trace_number]
            raise AchError(f"trace number {entry.trace_number} repeats line {first}", line=line)
        self.traces[entry.trace_number] = line
        if entry.is_prenote and entry.amount_cents:
            raise AchError("a prenote must be for zero", line=line)
        self.entries.append(entry)
        self._expect_addenda = has_addenda

    def addenda(self, record: str, line: int) -> None:
        if not self.entries or self.header is None or not self._expect_addenda:
            raise AchError("addenda record without an entry that announces addenda", line=line)
        latest = self.entries[-1]
        self.entries[-1] = replace(latest, addenda=(*latest.addenda, _read_addenda(record, line)))

    def close_batch(self, record: str, line: int) -> None:
        if self.header is None:
            raise AchError("batch control without a batch header", line=line)
        self._check_announced_addenda(line)
        if not self.entries:
            raise AchError(f"batch {self.header.batch_number} has no entries", line=line)
        batch = Batch(self.header, tuple(self.entries))
        _check_batch_control(record, line, batch)
        self.batches.append(batch)
        self.header, self.entries = None, []

    def _check_announced_addenda(self, line: int) -> None:
        if self.entries and self._expect_addenda and not self.entries[-1].addenda:
            raise AchError("entry announces addenda but none follows", line=line)

    def read(self) -> AchFile:
        file_header = _read_file_header(self.records[0], 1)
        for line, record in enumerate(self.records[1:], start=2):
            kind = record[0]
            if kind == "5":
                if self.header is not None:
                    raise AchError("batch header before the previous batch's control", line=line)
                self.header = _read_batch_header(record, line)
            elif kind == "6":
                self._check_announced_addenda(line)
                self.entry(record, line)
            elif kind == "7":
                self.addenda(record, line)
            elif kind == "8":
                self.close_batch(record, line)
            elif kind == "9" and record != "9" * RECORD_LENGTH:
                return self._finish(file_header, record, line)
            elif kind == "9":
                raise AchError("padding (a line of 9s) before the file control record", line=line)
            else:
                raise AchError(f"record type {kind!r} is out of place", line=line)
        raise AchError("the file has no file control record", line=len(self.records))

    def _finish(self, file_header: FileHeader, record: str, line: int) -> AchFile:
        if self.header is not None:
            raise AchError("file control before the batch control", line=line)
        # No batch is a bank's "zero file" (no returns today): its controls must say 0.
        ach = AchFile(file_header, tuple(self.batches))
        _check_file_control(record, line, ach, line)
        for padding_line, padding in enumerate(self.records[line:], start=line + 1):
            if padding != "9" * RECORD_LENGTH:
                raise AchError("only lines of 9s may follow the file control", line=padding_line)
        if len(self.records) % BLOCKING_FACTOR:
            raise AchError(
                f"{len(self.records)} records are not a whole number of blocks of 10",
                line=len(self.records),
            )
        _check(len(self.records) // BLOCKING_FACTOR, ach.block_count, "blocks of padding", line)
        return ach


def read_ach_file(text: str) -> AchFile:
    """Parse a NACHA file, checking every record's length and place and every control total.

    Raises :class:`AchError` naming the first line at fault.
    """
    records = text.splitlines()
    while records and not records[-1].strip():
        records.pop()
    if not records:
        raise AchError("the file is empty")
    for line, record in enumerate(records, start=1):
        if len(record) > RECORD_LENGTH or not record.strip():
            raise AchError(f"record is {len(record)} characters, not 94", line=line)
    # Banks and their software trim the trailing blanks of a record (a file header whose
    # reference code is blank ends at 86 characters): blanks are what is missing, and
    # every field is then read, and checked, as if they were there. A record cut short
    # of data fails a field's check, which then says the record was short.
    try:
        return _Reader([record.ljust(RECORD_LENGTH) for record in records]).read()
    except AchError as error:
        short = error.line is not None and 0 < error.line <= len(records)
        length = len(records[error.line - 1]) if short and error.line else RECORD_LENGTH
        if length < RECORD_LENGTH:
            raise AchError(
                f"{error.message} (the record is {length} characters, not 94, "
                "read as if trailing blanks were trimmed)",
                line=error.line,
            ) from None
        raise


# --- return reasons -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReturnReason:
    """What a return code means for the member (NACHA Operating Rules, Appendix Four).

    ``charges_fee``: the member's bank refused for a reason the member answers for (no
    funds, a closed or wrong account), so the returned-payment fee applies; not for
    disputes of authorization or deaths. ``ends_mandate``: the draft cannot work again
    (or NACHA forbids trying) without a new authorization.
    """

    code: str
    title: str
    charges_fee: bool
    ends_mandate: bool


RETURN_REASONS: dict[str, ReturnReason] = {
    reason.code: reason
    for reason in (
        ReturnReason("R01", "Insufficient funds", True, False),
        ReturnReason("R02", "Account closed", True, True),
        ReturnReason("R03", "No account / unable to locate account", True, True),
        ReturnReason("R04", "Invalid account number", True, True),
        ReturnReason("R05", "Unauthorized debit to consumer account", False, True),
        ReturnReason("R06", "Returned per ODFI's request", False, False),
        ReturnReason("R07", "Authorization revoked by customer", False, True),
        ReturnReason("R08", "Payment stopped", True, False),
        ReturnReason("R09", "Uncollected funds", True, False),
        ReturnReason("R10", "Customer advises not authorized", False, True),
        ReturnReason(
            "R11", "Entry not in accordance with the terms of the authorization", False, False
        ),
        ReturnReason("R14", "Representative payee deceased", False, True),
        ReturnReason("R15", "Beneficiary or account holder deceased", False, True),
        ReturnReason("R16", "Account frozen", True, True),
        ReturnReason("R20", "Non-transaction account", True, True),
        ReturnReason("R29", "Corporate customer advises not authorized", False, True),
    )
}


def return_reason(code: str) -> ReturnReason:
    """The meaning of a return code; an unknown code is recorded but charges nothing."""
    return RETURN_REASONS.get(code, ReturnReason(code, f"Return reason {code}", False, False))
