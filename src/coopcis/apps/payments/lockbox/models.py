"""Lockbox files, the bank deposits they report, and remittances that matched no account.

DOMAIN.md "Bills and payment": checks mailed with the stub, or left in the drop box, reach
the co-op as a lockbox file. A file is imported once (``sha256`` unique); each remittance
becomes a payment or, when it names no account we can trust, a :class:`SuspenseItem`
whose cash is on the books (Dr 131) against 242.2 "Unapplied payments (lockbox suspense)"
until staff resolve it to a member or refund it.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class FileFormat(models.TextChoices):
    CSV = "CSV", "Lockbox CSV"
    BAI2 = "BAI2", "Bank BAI2"


class LockboxFile(models.Model):
    """One imported remittance file: its content hash, control totals and what it posted."""

    sha256 = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    format = models.CharField(max_length=4, choices=FileFormat.choices)
    deposit_date = models.DateField(db_index=True)
    item_count = models.PositiveIntegerField()
    total_amount = models.DecimalField(max_digits=14, decimal_places=2)
    matched_count = models.PositiveIntegerField(default=0)
    suspense_count = models.PositiveIntegerField(default=0)
    already_count = models.PositiveIntegerField(
        default=0, help_text="Items another file (a re-sent copy) had already posted"
    )
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.CharField(max_length=150)

    def __str__(self) -> str:
        return f"Lockbox file {self.pk} {self.name} ({self.deposit_date})"


class LockboxDeposit(models.Model):
    """A deposit to the co-op's bank account on a day: a lockbox batch from a CSV file (what
    the lockbox says it deposited) or a BAI2 115 record (what the bank says it credited)."""

    file = models.ForeignKey(LockboxFile, on_delete=models.PROTECT, related_name="deposits")
    line = models.PositiveIntegerField()
    deposit_date = models.DateField(db_index=True)
    bank_account = models.CharField(max_length=40, blank=True)
    reference = models.CharField(max_length=80)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    item_count = models.PositiveIntegerField(
        help_text="Remittances in the file for this deposit (0: the bank's total only)"
    )

    def __str__(self) -> str:
        return f"Deposit {self.reference} ${self.amount} on {self.deposit_date}"


class SuspenseStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    RESOLVED = "RESOLVED", "Applied to a member"
    REFUNDED = "REFUNDED", "Refunded to the remitter"


class SuspenseItem(models.Model):
    """A remittance that matched no account (bad check digit, unknown or closed account, no
    stub): the cash is posted to 131 against 242.2 until staff decide whose it is."""

    file = models.ForeignKey(LockboxFile, on_delete=models.PROTECT, related_name="suspense")
    line = models.PositiveIntegerField()
    key = models.CharField(max_length=120, unique=True)
    deposit_date = models.DateField(db_index=True)
    batch = models.CharField(max_length=40)
    item = models.CharField(max_length=40)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    remittance_text = models.CharField(max_length=200, help_text="Scan line or remitter text")
    check_number = models.CharField(max_length=40, blank=True)
    payer_name = models.CharField(max_length=120, blank=True)
    reason = models.CharField(max_length=200)
    status = models.CharField(
        max_length=8, choices=SuspenseStatus.choices, default=SuspenseStatus.OPEN
    )
    journal_entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, related_name="suspense_item"
    )
    resolved_account = models.ForeignKey(
        "members.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suspense_items",
    )
    payment = models.OneToOneField(
        "payments.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suspense_item",
    )
    refund_entry = models.OneToOneField(
        "ledger.JournalEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunded_suspense_item",
    )
    resolved_by = models.CharField(max_length=150, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="suspense_amount_positive", condition=models.Q(amount__gt=0)
            ),
            models.CheckConstraint(
                name="suspense_resolved_has_payment",
                condition=~models.Q(status="RESOLVED") | models.Q(payment__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Suspense {self.pk} ${self.amount} ({self.get_status_display()}): {self.reason}"
