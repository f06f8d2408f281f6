"""The daily deposit report: what came in, what the books say, what the bank says.

For one day it lists the payments received by channel and tender, the lockbox items held
in suspense, the debits posted to GL cash (131) and the deposits reported by imported
files, and ties them two ways, listing each difference it finds:

* **books**: money received that day = 131 debits posted that day. Payments still in an
  open cashier batch are not posted yet; a 131 debit with no payment or suspense item
  behind it (a manual entry) is listed; anything else is listed as unexplained.
* **bank**: lockbox items posted that day = the bank's lockbox deposits that day (BAI2
  type 115). A BAI2 file that carried its items ties by construction (the import checks
  items against deposits); a lockbox CSV batch ties to a bank deposit of the same amount
  and day. A bank deposit with no matching file, and a lockbox batch the bank did not
  report, are listed.

A payment made from the suspense queue is not counted again: its cash came in as the
suspense item, on the day of the deposit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum

from coopcis.apps.ledger.models import JournalLine
from coopcis.apps.payments.lockbox.models import FileFormat, LockboxDeposit, SuspenseItem
from coopcis.apps.payments.models import BatchStatus, Payment, PaymentStatus

ZERO = Decimal("0.00")
CASH = "131"


@dataclass(frozen=True)
class ReceivedRow:
    channel: str
    tender: str
    count: int
    amount: Decimal
    pending_count: int
    pending_amount: Decimal


@dataclass(frozen=True)
class BankRow:
    file: str
    format: str
    reference: str
    amount: Decimal
    item_count: int
    matched: bool


@dataclass(frozen=True)
class Difference:
    kind: str
    amount: Decimal
    detail: str


@dataclass
class DepositReport:
    day: date
    received: list[ReceivedRow]
    suspense_count: int
    suspense_amount: Decimal
    gl_cash_debits: Decimal
    bank: list[BankRow]
    lockbox_posted: Decimal
    differences: list[Difference] = field(default_factory=list)

    @property
    def received_total(self) -> Decimal:
        return sum((row.amount for row in self.received), ZERO) + self.suspense_amount

    @property
    def bank_total(self) -> Decimal:
        return sum((row.amount for row in self.bank if row.format == FileFormat.BAI2), ZERO)

    @property
    def ties(self) -> bool:
        return not self.differences

    def as_json(self) -> dict[str, object]:
        return {
            "date": self.day.isoformat(),
            "received": [
                {
                    "channel": r.channel,
                    "tender": r.tender,
                    "count": r.count,
                    "amount": f"{r.amount:.2f}",
                    "pending_count": r.pending_count,
                    "pending_amount": f"{r.pending_amount:.2f}",
                }
                for r in self.received
            ],
            "suspense": {"count": self.suspense_count, "amount": f"{self.suspense_amount:.2f}"},
            "received_total": f"{self.received_total:.2f}",
            "gl_cash_debits": f"{self.gl_cash_debits:.2f}",
            "lockbox_posted": f"{self.lockbox_posted:.2f}",
            "bank_deposits": [
                {
                    "file": b.file,
                    "format": b.format,
                    "reference": b.reference,
                    "amount": f"{b.amount:.2f}",
                    "items": b.item_count,
                    "matched": b.matched,
                }
                for b in self.bank
            ],
            "bank_total": f"{self.bank_total:.2f}",
            "ties": self.ties,
            "differences": [
                {"kind": d.kind, "amount": f"{d.amount:.2f}", "detail": d.detail}
                for d in self.differences
            ],
        }


def _received(day: date) -> list[ReceivedRow]:
    rows = (
        # a payment voided before its batch closed was never received
        Payment.objects.filter(received_on=day, suspense_item__isnull=True)
        .exclude(status=PaymentStatus.VOIDED)
        .values("channel", "tender")
        .annotate(
            n=Count("id"),
            received=Sum("amount"),
            pending_n=Count("id", filter=Q(status=PaymentStatus.PENDING)),
            pending=Sum("amount", filter=Q(status=PaymentStatus.PENDING)),
        )
        .order_by("channel", "tender")
    )
    return [
        ReceivedRow(
            r["channel"],
            r["tender"],
            r["n"],
            r["received"] or ZERO,
            r["pending_n"],
            r["pending"] or ZERO,
        )
        for r in rows
    ]


def _books(day: date, report: DepositReport) -> None:
    """Tie money received to the 131 debits posted the same day."""
    open_batches = (
        Payment.objects.filter(received_on=day, status=PaymentStatus.PENDING)
        .values("cashier_batch", "cashier_batch__drawer", "cashier_batch__status")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by("cashier_batch")
    )
    pending = ZERO
    for batch in open_batches:
        pending += batch["total"]
        state = "open" if batch["cashier_batch__status"] == BatchStatus.OPEN else "not posted"
        report.differences.append(
            Difference(
                "cashier batch open",
                batch["total"],
                f"cashier batch {batch['cashier_batch']} (drawer {batch['cashier_batch__drawer']}) "
                f"is {state}: {batch['n']} payments ${batch['total']:.2f} received, "
                "not yet posted to 131",
            )
        )
    unexplained_lines = (
        JournalLine.objects.filter(gl_account_id=CASH, entry__posted_on=day, debit_amount__gt=0)
        .filter(entry__payment__isnull=True, entry__suspense_item__isnull=True)
        .values("entry_id", "entry__memo")
        .annotate(debited=Sum("debit_amount"))
        .order_by("entry_id")
    )
    other = ZERO
    for line in unexplained_lines:
        other += line["debited"]
        report.differences.append(
            Difference(
                "cash entry with no payment",
                line["debited"],
                f"journal entry {line['entry_id']} ({line['entry__memo']}) debits 131 "
                f"${line['debited']:.2f} with no payment or suspense item",
            )
        )
    residual = report.received_total - pending - (report.gl_cash_debits - other)
    if residual:
        report.differences.append(
            Difference(
                "unexplained",
                residual,
                f"payments and suspense posted ${report.received_total - pending:.2f}, "
                f"131 debits from them ${report.gl_cash_debits - other:.2f}",
            )
        )


def _bank(day: date, report: DepositReport) -> list[BankRow]:
    """Tie lockbox files to the bank's deposits; list what has no partner."""
    deposits = list(
        LockboxDeposit.objects.filter(deposit_date=day).select_related("file").order_by("id")
    )
    bank = [d for d in deposits if d.file.format == FileFormat.BAI2]
    batches = [d for d in deposits if d.file.format == FileFormat.CSV]
    # the bank's statement-only deposits pair with lockbox CSV batches of the same amount
    waiting: dict[Decimal, list[LockboxDeposit]] = defaultdict(list)
    for deposit in bank:
        if deposit.item_count == 0:
            waiting[deposit.amount].append(deposit)
    matched: set[int] = {d.pk for d in bank if d.item_count > 0}
    for batch in batches:
        partners = waiting.get(batch.amount)
        if partners:
            partner = partners.pop(0)
            matched.update({partner.pk, batch.pk})
            continue
        report.differences.append(
            Difference(
                "lockbox batch not on the bank file",
                batch.amount,
                f"lockbox batch {batch.reference} (file {batch.file.name}) ${batch.amount:.2f}: "
                + ("no bank deposit of that amount" if bank else f"no bank file for {day}"),
            )
        )
    for deposit in bank:
        if deposit.pk not in matched:
            report.differences.append(
                Difference(
                    "bank deposit with no lockbox file",
                    deposit.amount,
                    f"bank deposit {deposit.reference} (file {deposit.file.name}, account "
                    f"{deposit.bank_account}) ${deposit.amount:.2f}: no lockbox file for it",
                )
            )
    return [
        BankRow(d.file.name, d.file.format, d.reference, d.amount, d.item_count, d.pk in matched)
        for d in deposits
    ]


def deposit_report(*, day: date) -> DepositReport:
    """The day's deposit report (see the module docstring for how it ties)."""
    suspense = SuspenseItem.objects.filter(deposit_date=day).aggregate(
        n=Count("id"), total=Sum("amount")
    )
    gl = JournalLine.objects.filter(gl_account_id=CASH, entry__posted_on=day).aggregate(
        debit=Sum("debit_amount")
    )
    lockbox_posted = LockboxDeposit.objects.filter(deposit_date=day, item_count__gt=0).aggregate(
        total=Sum("amount")
    )
    report = DepositReport(
        day=day,
        received=_received(day),
        suspense_count=suspense["n"],
        suspense_amount=suspense["total"] or ZERO,
        gl_cash_debits=gl["debit"] or ZERO,
        bank=[],
        lockbox_posted=lockbox_posted["total"] or ZERO,
    )
    _books(day, report)
    report.bank = _bank(day, report)
    return report
