"""General ledger tables: the chart, journal entries and their lines.

Amounts are ``DecimalField(14, 2)``: whole cents. A line is a debit or a credit, never
both. Receivable lines (142.x) name the member account, which is what makes the member
subledger: a member's balance is the sum of their lines. The database refuses unbalanced
entries and any change to posted rows (``guard.py``, migrations 0002-0004).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class LedgerAccount(models.Model):
    """A general-ledger account of the RUS chart (loaded from ``catalog/chart/rus.toml``)."""

    number = models.CharField(max_length=10, primary_key=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10)
    member_subledger = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class EntryKind(models.TextChoices):
    BILL = "BILL", "Bill"
    PAYMENT = "PAYMENT", "Payment"
    FEE = "FEE", "Fee"
    DEPOSIT = "DEPOSIT", "Deposit"
    ADJUSTMENT = "ADJUSTMENT", "Adjustment"
    REVERSAL = "REVERSAL", "Reversal"
    LOAN = "LOAN", "Aid-to-construction loan"
    REBATE = "REBATE", "Efficiency rebate"


class JournalEntry(models.Model):
    """A posted journal entry. ``source_key`` makes posting idempotent (e.g. ``bill:123``);
    ``reverses`` links a reversing entry to the one it undoes (at most one reversal each)."""

    posted_on = models.DateField(db_index=True)
    posted_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    memo = models.CharField(max_length=200)
    source_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    posted_by = models.CharField(max_length=150)

    class Meta:
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"JE {self.pk} {self.posted_on} {self.memo}"


class JournalLine(models.Model):
    """One debit or credit of an entry."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    gl_account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="lines")
    member_account = models.ForeignKey(
        "members.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_lines",
    )
    debit_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    credit_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    memo = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["member_account", "gl_account"])]
        constraints = [
            models.CheckConstraint(
                name="journal_line_one_side",
                condition=(
                    models.Q(debit_amount__gt=0, credit_amount=0)
                    | models.Q(credit_amount__gt=0, debit_amount=0)
                ),
            )
        ]

    def __str__(self) -> str:
        side = f"Dr {self.debit_amount}" if self.debit_amount else f"Cr {self.credit_amount}"
        return f"{self.gl_account_id} {side}"
