"""Importing a lockbox file, and staff work on the suspense queue.

A file is checked whole before anything posts (``parse_lockbox_csv``/``parse_bai2``):
a malformed line or a control total that does not add up refuses it, naming the line.
Then, in one transaction, each remittance is matched (scan line, else an account number
in the text, else suspense) and either received as a payment for the member (applied
oldest first, Dr 131 / Cr 142.x) or held in suspense (Dr 131 / Cr 242.2).

Imported twice: the same bytes (same sha256) import nothing; a re-sent copy with other
bytes finds every item's key already used (``lockbox:csv:<date>:<batch>:<item>`` or
``lockbox:bai2:<bank account>:<date>:<bank reference>``, else the file hash and line)
and posts nothing new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from coopcis.apps.audit.context import current_actor
from coopcis.apps.ledger.models import EntryKind
from coopcis.apps.ledger.services import Posting, post_entries, post_entry_ids
from coopcis.apps.members.models import Account, AccountStatus
from coopcis.apps.payments.lockbox.bank_file import parse_bai2
from coopcis.apps.payments.lockbox.models import (
    FileFormat,
    LockboxDeposit,
    LockboxFile,
    SuspenseItem,
    SuspenseStatus,
)
from coopcis.apps.payments.lockbox.posting import CHUNK, SUSPENSE, PaymentDraft, post_payments_bulk
from coopcis.apps.payments.models import Payment
from coopcis.apps.payments.services import CASH
from coopcis.core.errors import RuleViolation
from coopcis.core.ledger.entries import JournalEntry, credit, debit
from coopcis.core.money import Money
from coopcis.core.payments.lockbox import (
    LockboxFileError,
    Remittance,
    RemittanceFile,
    match_remittance,
    parse_lockbox_csv,
)

KEY_LENGTH = 120


@dataclass(frozen=True)
class ImportResult:
    """What one import did; ``duplicate`` when the same file was imported before."""

    file: LockboxFile
    duplicate: bool
    matched: int = 0
    suspense: int = 0
    already: int = 0
    matched_amount: Decimal = Decimal("0.00")
    suspense_amount: Decimal = Decimal("0.00")
    #: (account number, amount) of each payment posted, in file order
    payments: list[tuple[str, Decimal]] = field(default_factory=list)
    #: (line, amount, reason) of each item held in suspense
    held: list[tuple[int, Decimal, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file.pk,
            "name": self.file.name,
            "format": self.file.format,
            "deposit_date": self.file.deposit_date.isoformat(),
            "duplicate": self.duplicate,
            "items": self.file.item_count,
            "total": f"{self.file.total_amount:.2f}",
            "matched": self.matched,
            "matched_amount": f"{self.matched_amount:.2f}",
            "suspense": self.suspense,
            "suspense_amount": f"{self.suspense_amount:.2f}",
            "already_posted": self.already,
        }


def parse_file(content: bytes, *, file_format: str | None = None) -> RemittanceFile:
    """Parse and control-check a file; :class:`LockboxFileError` names the line at fault."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise LockboxFileError("not UTF-8 text", line=line) from None
    chosen = (file_format or ("bai2" if text.lstrip().startswith("01,") else "csv")).lower()
    if chosen == "bai2":
        return parse_bai2(text)
    if chosen == "csv":
        return parse_lockbox_csv(text)
    raise RuleViolation(f"unknown format {file_format!r}: csv or bai2", field="format")


def item_key(remittance: Remittance, *, file_format: str, bank_account: str, sha256: str) -> str:
    """The remittance's idempotency key: the bank's or lockbox's own reference when the
    file carries one (so a re-sent copy matches), else this file's hash and line."""
    if file_format == "csv":
        key = f"lockbox:csv:{remittance.deposit_date}:{remittance.batch}:{remittance.item}"
    elif remittance.bank_reference:
        key = f"lockbox:bai2:{bank_account}:{remittance.deposit_date}:{remittance.bank_reference}"
    else:
        key = f"lockbox:{sha256[:32]}:{remittance.line}"
    if len(key) > KEY_LENGTH:
        raise LockboxFileError("batch or item reference is too long", line=remittance.line)
    return key


def _accounts(numbers: set[str]) -> dict[str, tuple[int, str]]:
    """Account id and status by number (no model instances: a file names 100,000)."""
    ordered = sorted(numbers)
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(ordered), CHUNK):
        rows = Account.objects.filter(number__in=ordered[start : start + CHUNK])
        for pk, number, status in rows.values_list("pk", "number", "status"):
            found[number] = (pk, status)
    return found


def _used_suspense_keys(keys: list[str]) -> dict[str, SuspenseItem]:
    found: dict[str, SuspenseItem] = {}
    for start in range(0, len(keys), CHUNK):
        for item in SuspenseItem.objects.filter(key__in=keys[start : start + CHUNK]):
            found[item.key] = item
    return found


def _source(name: str, remittance: Remittance) -> str:
    return f"{name[-90:]} line {remittance.line}"


def import_lockbox_file(
    *,
    content: bytes,
    name: str,
    file_format: str | None = None,
    progress: Callable[[int], None] | None = None,
    today: date | None = None,
) -> ImportResult:
    """Import a lockbox CSV or BAI2 file: refuse it whole, or post every item once.
    With ``today``, a file whose deposit date is after it is refused (payments are never
    dated a day that has not come)."""
    sha256 = hashlib.sha256(content).hexdigest()
    previous = LockboxFile.objects.filter(sha256=sha256).first()
    if previous is not None:
        return ImportResult(previous, duplicate=True)
    try:
        parsed = parse_file(content, file_format=file_format)
    except LockboxFileError as error:
        raise RuleViolation(f"{name}: {error}", field="file") from error
    if today is not None and parsed.deposit_date > today:
        raise RuleViolation(
            f"{name}: deposit date {parsed.deposit_date} is after today ({today}): "
            "payments are not posted for a day that has not come",
            field="file",
        )
    try:
        return _post_file(parsed, name=name, sha256=sha256, progress=progress)
    except LockboxFileError as error:
        raise RuleViolation(f"{name}: {error}", field="file") from error
    except IntegrityError:
        previous = LockboxFile.objects.filter(sha256=sha256).first()
        if previous is None:
            raise
        return ImportResult(previous, duplicate=True)  # imported at the same moment elsewhere


def _record_deposits(record: LockboxFile, parsed: RemittanceFile) -> None:
    """The file's deposits, except those a re-sent copy of it already recorded."""
    known = set(
        LockboxDeposit.objects.filter(
            file__format=record.format, deposit_date=parsed.deposit_date
        ).values_list("bank_account", "reference", "amount")
    )
    LockboxDeposit.objects.bulk_create(
        [
            LockboxDeposit(
                file=record,
                line=d.line,
                deposit_date=d.deposit_date,
                bank_account=d.bank_account[:40],
                reference=d.reference[:80],
                amount=d.amount.amount,
                item_count=d.item_count,
            )
            for d in parsed.deposits
            if (d.bank_account[:40], d.reference[:80], d.amount.amount) not in known
        ]
    )


@transaction.atomic
def _post_file(
    parsed: RemittanceFile,
    *,
    name: str,
    sha256: str,
    progress: Callable[[int], None] | None,
) -> ImportResult:
    record = LockboxFile.objects.create(
        sha256=sha256,
        name=name[-255:],
        format=FileFormat.BAI2 if parsed.format == "bai2" else FileFormat.CSV,
        deposit_date=parsed.deposit_date,
        item_count=len(parsed.remittances),
        total_amount=parsed.total.amount,
        imported_by=current_actor().label,
    )
    _record_deposits(record, parsed)
    banks = {d.reference: d.bank_account for d in parsed.deposits}
    keys = [
        item_key(r, file_format=parsed.format, bank_account=banks.get(r.batch, ""), sha256=sha256)
        for r in parsed.remittances
    ]
    first_line: dict[str, int] = {}
    for remittance, key in zip(parsed.remittances, keys, strict=True):
        if key in first_line:
            raise LockboxFileError(
                f"item reference repeats line {first_line[key]}", line=remittance.line
            )
        first_line[key] = remittance.line
    matches = [match_remittance(r.remittance_text) for r in parsed.remittances]
    accounts = _accounts({m.account_number for m in matches if m.account_number})
    held = _used_suspense_keys(keys)
    drafts: list[PaymentDraft] = []
    suspense: list[tuple[Remittance, str, str]] = []
    already = 0
    for remittance, key, match in zip(parsed.remittances, keys, matches, strict=True):
        if key in held:
            if held[key].amount != remittance.amount.amount:
                raise LockboxFileError(
                    f"item {key} was imported before for {held[key].amount}", line=remittance.line
                )
            already += 1
            continue
        number = match.account_number
        account = accounts.get(number or "")
        if number is None:
            suspense.append((remittance, key, match.reason))
        elif account is None:
            suspense.append((remittance, key, f"no account {number}"))
        elif account[1] == AccountStatus.CLOSED:
            suspense.append((remittance, key, f"account {number} is closed"))
        else:
            drafts.append(
                PaymentDraft(
                    account_id=account[0],
                    account_number=number,
                    amount=remittance.amount.amount,
                    received_on=remittance.deposit_date,
                    reference=remittance.check_number,
                    source=_source(name, remittance),
                    idempotency_key=key,
                )
            )
    posted = post_payments_bulk(drafts, progress=progress)
    new_payments = [p for p in posted if p.created]
    already += len(posted) - len(new_payments)
    held_items = _hold(record, suspense, name)
    if progress is not None and suspense:
        progress(len(suspense))
    record.matched_count = len(new_payments)
    record.suspense_count = len(held_items)
    record.already_count = already
    record.save(update_fields=["matched_count", "suspense_count", "already_count"])
    return ImportResult(
        record,
        duplicate=False,
        matched=len(new_payments),
        suspense=len(held_items),
        already=already,
        matched_amount=sum((p.amount for p in new_payments), Decimal("0.00")),
        suspense_amount=sum((i.amount for i in held_items), Decimal("0.00")),
        payments=[
            (draft.account_number, draft.amount)
            for draft, result in zip(drafts, posted, strict=True)
            if result.created
        ],
        held=[(i.line, i.amount, i.reason) for i in held_items],
    )


def _hold(
    record: LockboxFile, suspense: list[tuple[Remittance, str, str]], name: str
) -> list[SuspenseItem]:
    """Post unmatched remittances to suspense: the cash is in the bank (Dr 131), whose it
    is waits for staff (Cr 242.2)."""
    items: list[SuspenseItem] = []
    for start in range(0, len(suspense), CHUNK):
        part = suspense[start : start + CHUNK]
        postings = [
            Posting(
                entry=JournalEntry(
                    posted_on=r.deposit_date,
                    memo=f"Lockbox suspense: {reason} ({_source(name, r)})"[:200],
                    lines=(debit(CASH, r.amount), credit(SUSPENSE, r.amount)),
                    source="lockbox",
                ),
                kind=EntryKind.PAYMENT,
                source_key=f"lockbox-suspense:{record.pk}:{r.line}",
            )
            for r, _key, reason in part
        ]
        entry_ids = post_entry_ids(postings)
        items += SuspenseItem.objects.bulk_create(
            [
                SuspenseItem(
                    file=record,
                    line=r.line,
                    key=key,
                    deposit_date=r.deposit_date,
                    batch=r.batch[:40],
                    item=r.item[:40],
                    amount=r.amount.amount,
                    remittance_text=r.remittance_text[:200],
                    check_number=r.check_number[:40],
                    payer_name=r.payer_name[:120],
                    reason=reason[:200],
                    journal_entry_id=entry_id,
                )
                for (r, key, reason), entry_id in zip(part, entry_ids, strict=True)
            ]
        )
    return items


def _open_item(item: SuspenseItem, note: str) -> SuspenseItem:
    locked = SuspenseItem.objects.select_for_update().select_related("file").get(pk=item.pk)
    if locked.status != SuspenseStatus.OPEN:
        raise RuleViolation(
            f"suspense item {locked.pk} is already {locked.get_status_display().lower()}",
            field="item",
        )
    if not note.strip():
        raise RuleViolation("say how the item was identified", field="note")
    return locked


@transaction.atomic
def resolve_suspense(*, item: SuspenseItem, account: Account, note: str, on: date) -> SuspenseItem:
    """Apply a suspense item to the member it belongs to: a payment received on the deposit
    date, applied oldest first, whose cash side is 242.2 (Dr 242.2 / Cr 142.x, posted ``on``)."""
    item = _open_item(item, note)
    if account.status == AccountStatus.CLOSED:
        raise RuleViolation(f"account {account.number} is closed", field="account")
    (posted,) = post_payments_bulk(
        [
            PaymentDraft.for_account(
                account,
                amount=item.amount,
                received_on=item.deposit_date,
                posted_on=on,
                reference=item.check_number,
                source=f"suspense item {item.pk} ({item.file.name[-60:]} line {item.line})",
                idempotency_key=f"lockbox-suspense:{item.pk}",
                cash_account=SUSPENSE,
                memo=f"Lockbox suspense item {item.pk} applied to {account.number}",
            )
        ]
    )
    item.status = SuspenseStatus.RESOLVED
    item.payment = Payment.objects.get(pk=posted.payment_id)
    item.resolved_account = account
    item.resolved_by = current_actor().label
    item.resolved_at = timezone.now()
    item.note = note.strip()[:300]
    item.save()
    return item


@transaction.atomic
def refund_suspense(*, item: SuspenseItem, note: str, on: date) -> SuspenseItem:
    """Send an unidentified remittance back to whoever sent it: Dr 242.2 / Cr 131."""
    item = _open_item(item, note)
    amount = Money(item.amount)
    (entry,) = post_entries(
        [
            Posting(
                entry=JournalEntry(
                    posted_on=on,
                    memo=f"Lockbox suspense item {item.pk} refunded: {note.strip()}"[:200],
                    lines=(debit(SUSPENSE, amount), credit(CASH, amount)),
                    source="lockbox",
                ),
                kind=EntryKind.ADJUSTMENT,
                source_key=f"lockbox-refund:{item.pk}",
            )
        ]
    )
    item.status = SuspenseStatus.REFUNDED
    item.refund_entry = entry
    item.resolved_by = current_actor().label
    item.resolved_at = timezone.now()
    item.note = note.strip()[:300]
    item.save()
    return item
