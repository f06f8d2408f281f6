"""Aid-to-construction loans (SEC policy 424): the application with the facts its
decision rests on, the approval, the disbursement and the installments billed.

A loan's principal is a note receivable (RUS 141) from the day it is disbursed; each
installment billed moves its principal to the member's other receivables (142.2) and its
interest to interest income (419); docs/domain/loans.md.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class LoanStatus(models.TextChoices):
    APPLIED = "APPLIED", "Applied: qualifies, waiting for approval"
    DENIED = "DENIED", "Denied"
    APPROVED = "APPROVED", "Approved, not yet disbursed"
    ACTIVE = "ACTIVE", "Disbursed: installments on the bills"
    CLOSED = "CLOSED", "Closed: every installment billed, or paid off"


class Security(models.TextChoices):
    MORTGAGE = "MORTGAGE", "Mortgage on the property"
    CAPITAL_CREDITS = "CAPITAL_CREDITS", "Mortgage waived: capital credits as security"


class Approver(models.TextChoices):
    GENERAL_MANAGER = "general_manager", "General manager"
    BOARD = "board", "Board of trustees"


class Loan(models.Model):
    """A member's aid-to-construction loan, from application to the last installment."""

    account = models.ForeignKey("members.Account", on_delete=models.PROTECT, related_name="loans")
    status = models.CharField(max_length=8, choices=LoanStatus.choices)
    applied_on = models.DateField()
    purpose = models.CharField(max_length=200, help_text="The line extension the aid pays for")
    aid_amount = models.DecimalField(max_digits=12, decimal_places=2)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    months = models.PositiveSmallIntegerField()
    payment_amount = models.DecimalField(max_digits=12, decimal_places=2)
    final_payment_amount = models.DecimalField(max_digits=12, decimal_places=2)
    annual_rate = models.DecimalField(max_digits=6, decimal_places=4)
    # the facts the decision rests on (SEC policy 424 qualifications)
    service_since = models.DateField(null=True, blank=True)
    prior_utility_report = models.CharField(
        max_length=200, blank=True, help_text="Clean credit report from the previous supplier"
    )
    late_months = models.PositiveSmallIntegerField(default=0)
    credit_report_on = models.DateField(null=True, blank=True)
    credit_agency = models.CharField(max_length=100, blank=True)
    bad_debt_found = models.BooleanField(default=False)
    security = models.CharField(max_length=15, choices=Security.choices)
    mortgage_fees_due_amount = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    mortgage_fees_paid_amount = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    waiver_note = models.CharField(max_length=300, blank=True)
    refusals = models.JSONField(default=list, blank=True)
    applied_by = models.CharField(max_length=150)
    # approval
    approver = models.CharField(max_length=15, choices=Approver.choices, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    board_meeting_on = models.DateField(null=True, blank=True)
    approved_by = models.CharField(max_length=150, blank=True)
    # disbursement and billing
    disbursed_on = models.DateField(null=True, blank=True)
    disbursement_entry = models.OneToOneField(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    installments_billed = models.PositiveSmallIntegerField(default=0)
    principal_billed_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    last_billed_on = models.DateField(null=True, blank=True)
    last_billed_period = models.CharField(max_length=7, blank=True)
    paid_off_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "account"])]
        constraints = [
            models.CheckConstraint(
                name="loan_within_policy_424",
                condition=models.Q(amount__gte=500, amount__lte=15000),
            ),
            models.CheckConstraint(
                name="loan_billed_within_amount",
                condition=models.Q(principal_billed_amount__lte=models.F("amount")),
            ),
        ]

    def __str__(self) -> str:
        return f"Loan {self.pk} ${self.amount} account {self.account_id}"

    @property
    def principal_balance(self) -> Decimal:
        """Principal lent and not yet billed (still a note receivable)."""
        if self.disbursed_on is None:
            return Decimal("0.00")
        return self.amount - self.principal_billed_amount


class Installment(models.Model):
    """One month of a loan's amortization schedule, and the bill run that billed it."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="installments")
    number = models.PositiveSmallIntegerField()
    payment_amount = models.DecimalField(max_digits=12, decimal_places=2)
    interest_amount = models.DecimalField(max_digits=12, decimal_places=2)
    principal_amount = models.DecimalField(max_digits=12, decimal_places=2)
    balance_after_amount = models.DecimalField(max_digits=12, decimal_places=2)
    billed_on = models.DateField(null=True, blank=True)
    period = models.CharField(max_length=7, blank=True)
    bill_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The bill it was printed on (billing.Bill)"
    )
    item = models.OneToOneField(
        "receivables.ReceivableItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loan_installment",
    )
    cancelled = models.BooleanField(default=False, help_text="Replaced by an early payoff")

    class Meta:
        ordering = ["loan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="one_installment_per_number")
        ]

    def __str__(self) -> str:
        return f"Installment {self.number} of loan {self.loan_id}: ${self.payment_amount}"
