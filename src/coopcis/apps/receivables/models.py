"""Open items: each charge a member owes, and how much of it payments have covered.

The ledger knows each member's balance (the 142.x lines); these items say what the
balance is made of, so a payment can pay the oldest charges first (profile order across
categories) and collections can name the past-due bills. ``paid_amount`` changes only
through ``coopcis.apps.payments.services`` under a lock on the member's account row.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class ItemCategory(models.TextChoices):
    ELECTRIC = "ELECTRIC", "Electric charges"
    FEE = "FEE", "Fee"
    DEPOSIT = "DEPOSIT", "Deposit billed"
    LOAN = "LOAN", "Loan installment"


class ItemStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    PAID = "PAID", "Paid"
    VOID = "VOID", "Void (cancelled or reversed)"


class ReceivableItem(models.Model):
    """One charge on a member's account: a bill, a fee, a deposit billed, an installment."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="receivables"
    )
    category = models.CharField(max_length=8, choices=ItemCategory.choices)
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    paid_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    posted_on = models.DateField()
    due_on = models.DateField()
    gl_account = models.CharField(max_length=10)
    status = models.CharField(max_length=4, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    bill = models.OneToOneField(
        "billing.Bill", null=True, blank=True, on_delete=models.PROTECT, related_name="receivable"
    )
    fee_code = models.CharField(max_length=40, blank=True)
    journal_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["account", "status", "due_on"])]
        constraints = [
            models.CheckConstraint(name="item_amount_positive", condition=models.Q(amount__gt=0)),
            models.CheckConstraint(
                name="item_paid_within_amount",
                condition=models.Q(paid_amount__gte=0, paid_amount__lte=models.F("amount")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} ${self.amount} due {self.due_on}"

    @property
    def open_amount(self) -> Decimal:
        return Decimal(0) if self.status == ItemStatus.VOID else self.amount - self.paid_amount
