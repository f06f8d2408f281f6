"""Deposit models: credit decisions, deposits and their events, receipts, the commission's
interest rates, guarantees (SEC Rule No. 4; policies 402, 404).

Deposits are a liability (235 customer deposits); interest is 431 other interest
expense. Every money movement is a :class:`DepositEvent` with its journal entry, unique per
deposit, kind and day, so the yearly review runs exactly once per anniversary.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from coopcis.apps.audit.tracking import AuditedModel


class DecisionEvent(models.TextChoices):
    APPLICATION = "APPLICATION", "Application for service"
    CHRONIC_DELINQUENCY = "CHRONIC_DELINQUENCY", "Chronically delinquent"
    RECONNECTION = "RECONNECTION", "Reconnection after discontinuance"
    TAMPERING = "TAMPERING", "Tampering or diversion"


class CreditDecision(models.Model):
    """Whether a deposit is required, on which Rule No. 4 grounds (``reasons``), how credit
    was established (``credit_established_by``) or why special consideration applied, and
    the policy 404 amount with the estimate it came from."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="credit_decisions"
    )
    event = models.CharField(max_length=19, choices=DecisionEvent.choices)
    decided_on = models.DateField()
    required = models.BooleanField()
    reasons = models.JSONField(default=list, blank=True)
    credit_established_by = models.JSONField(default=list, blank=True)
    special_consideration = models.CharField(max_length=300, blank=True)
    estimate_source = models.CharField(max_length=40, blank=True)
    estimated_monthly_bills = models.JSONField(default=list, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    decided_by = models.CharField(max_length=150)
    note = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        verdict = f"deposit ${self.amount}" if self.required else "no deposit"
        return f"Credit decision {self.decided_on} ({self.get_event_display()}): {verdict}"


class DepositInterestRate(models.Model):
    """The commission's simple-interest rate on deposits from ``effective_on``."""

    effective_on = models.DateField(unique=True)
    annual_rate = models.DecimalField(max_digits=7, decimal_places=5)
    source = models.CharField(max_length=200)

    class Meta:
        ordering = ["effective_on"]
        constraints = [
            models.CheckConstraint(
                name="deposit_rate_fraction",
                condition=models.Q(annual_rate__gte=0, annual_rate__lt=1),
            )
        ]

    def __str__(self) -> str:
        return f"{self.annual_rate} from {self.effective_on}"


class DepositStatus(models.TextChoices):
    BILLED = "BILLED", "Billed, not yet paid"
    HELD = "HELD", "Held"
    CREDITING = "CREDITING", "Refunded as credit to coming bills"
    REFUNDED = "REFUNDED", "Refunded"
    UNCLAIMED = "UNCLAIMED", "Refund unclaimed (for escheat)"


class Deposit(models.Model):
    """A security deposit: held from ``held_on`` (the date of payment), interest accrued to
    ``interest_through``, reviewed on each anniversary (``next_review_on``), and refunded by
    credit to the bill or by check. ``credit_remaining_amount`` is refund still in 235,
    applied to the next bills."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="deposits"
    )
    decision = models.ForeignKey(
        CreditDecision, null=True, blank=True, on_delete=models.PROTECT, related_name="deposits"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=9, choices=DepositStatus.choices)
    billed_on = models.DateField(null=True, blank=True)
    billed_item = models.OneToOneField(
        "receivables.ReceivableItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deposit",
    )
    held_on = models.DateField(null=True, blank=True)
    interest_through = models.DateField(null=True, blank=True)
    interest_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    next_review_on = models.DateField(null=True, blank=True)
    excess_requested = models.BooleanField(default=False)
    credit_remaining_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    refunded_on = models.DateField(null=True, blank=True)
    check_mailed_on = models.DateField(null=True, blank=True)
    check_cashed = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(name="deposit_positive", condition=models.Q(amount__gt=0))
        ]

    def __str__(self) -> str:
        return f"Deposit {self.pk} ${self.amount} ({self.get_status_display()})"

    @property
    def balance_amount(self) -> Decimal:
        """What 235 owes the member on this deposit now."""
        return sum(
            (event.amount * SIGN[EventKind(event.kind)] for event in self.events.all()),
            start=Decimal(0),
        )


class EventKind(models.TextChoices):
    RECEIVED = "RECEIVED", "Received"
    BILLED = "BILLED", "Billed"
    PAID = "PAID", "Billed deposit paid"
    INTEREST = "INTEREST", "Interest accrued"
    CREDITED = "CREDITED", "Credited to charges"
    CHECK = "CHECK", "Refund check mailed"
    DEFERRED = "DEFERRED", "Review: not refunded (chronically delinquent)"
    RECEIPT = "RECEIPT", "Receipt issued"
    UNCLAIMED = "UNCLAIMED", "Refund check unclaimed"


#: How each event moves the 235 balance of the deposit.
SIGN = {
    EventKind.RECEIVED: 1,
    EventKind.BILLED: 1,
    EventKind.PAID: 0,
    EventKind.INTEREST: 1,
    EventKind.CREDITED: -1,
    EventKind.CHECK: -1,
    EventKind.DEFERRED: 0,
    EventKind.RECEIPT: 0,
    EventKind.UNCLAIMED: 0,
}


class DepositEvent(models.Model):
    """Something that happened to a deposit, with its journal entry when money moved."""

    deposit = models.ForeignKey(Deposit, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=9, choices=EventKind.choices)
    on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    note = models.CharField(max_length=300, blank=True)
    journal_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deposit", "kind", "on"],
                condition=models.Q(kind__in=["INTEREST", "DEFERRED", "RECEIVED", "BILLED"]),
                name="one_deposit_event_per_kind_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on} ${self.amount}"


class DepositReceipt(models.Model):
    """The written receipt (Rule No. 4 C): name, date and amount of payment, and the terms
    of the deposit, in English or Spanish."""

    deposit = models.ForeignKey(Deposit, on_delete=models.PROTECT, related_name="receipts")
    language = models.CharField(max_length=2)
    issued_on = models.DateField()
    pdf = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deposit", "language"], name="one_receipt_per_language")
        ]

    def __str__(self) -> str:
        return f"Receipt {self.language} {self.issued_on} for deposit {self.deposit_id}"


class Guarantor(AuditedModel):
    """A guarantee of payment in place of a deposit (Rule No. 4), ended after twelve months
    without chronic delinquency."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="guarantors"
    )
    name = models.CharField(max_length=120)
    mailing_address = models.CharField(max_length=300)
    phone = models.CharField(max_length=20, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    starts_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    next_review_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Guarantee by {self.name} ${self.amount}"

    def audit_account_id(self) -> int | None:
        return self.account_id


class DepositApplication(models.Model):
    """Part of a deposit refund credited to one open charge (Dr 235, Cr the receivable)."""

    deposit = models.ForeignKey(Deposit, on_delete=models.PROTECT, related_name="applications")
    item = models.ForeignKey(
        "receivables.ReceivableItem", on_delete=models.PROTECT, related_name="deposit_credits"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    applied_on = models.DateField()

    def __str__(self) -> str:
        return f"${self.amount} of deposit {self.deposit_id} to item {self.item_id}"
