"""Efficiency rebate claims (OCEC handbook, "Energy Efficiency Rebates"): the form's facts,
the receipt and ENERGY STAR proof, inspections before and after where the measure needs
them, the decision, and the payment by bill credit or check, within the year's budget.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class RebateBudget(models.Model):
    """The program's budget for a calendar year and the most one account may receive in it."""

    year = models.PositiveSmallIntegerField(unique=True)
    budget_amount = models.DecimalField(max_digits=12, decimal_places=2)
    per_account_amount = models.DecimalField(max_digits=10, decimal_places=2)
    source = models.CharField(max_length=200, help_text="The board action or filing")

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="rebate_budget_positive",
                condition=models.Q(budget_amount__gt=0, per_account_amount__gt=0),
            )
        ]

    def __str__(self) -> str:
        return f"Rebate budget {self.year}: ${self.budget_amount}"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "SUBMITTED", "Submitted: waiting for a decision"
    INSPECTING = "INSPECTING", "Waiting for inspections"
    APPROVED = "APPROVED", "Approved: credit on the next bill"
    PAID = "PAID", "Paid"
    DENIED = "DENIED", "Denied"


#: Claims that hold part of the year's budget.
COMMITTED = (
    ClaimStatus.SUBMITTED,
    ClaimStatus.INSPECTING,
    ClaimStatus.APPROVED,
    ClaimStatus.PAID,
)


class PayBy(models.TextChoices):
    BILL_CREDIT = "BILL_CREDIT", "Credit on the bill"
    CHECK = "CHECK", "Check (accounts payable)"


class RebateClaim(models.Model):
    """A member's claim for one measure: what was bought, for how much, and the rebate."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="rebate_claims"
    )
    measure_code = models.CharField(max_length=40)
    measure_description = models.CharField(max_length=200)
    catalog_effective_from = models.DateField()
    submitted_on = models.DateField()
    purchased_on = models.DateField()
    program_year = models.PositiveSmallIntegerField()
    retailer = models.CharField(max_length=100)
    model_number = models.CharField(max_length=100, blank=True)
    cost_amount = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.PositiveSmallIntegerField(default=1)
    size = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    rebate_amount = models.DecimalField(max_digits=10, decimal_places=2)
    pay_by = models.CharField(max_length=11, choices=PayBy.choices)
    status = models.CharField(max_length=10, choices=ClaimStatus.choices)
    inspection_required = models.BooleanField(default=False)
    energy_star_required = models.BooleanField(default=False)
    submitted_by = models.CharField(max_length=150)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    credited_amount = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    paid_on = models.DateField(null=True, blank=True)
    check_entry = models.OneToOneField(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["status", "account"]),
            models.Index(fields=["program_year", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="claim_credit_within_rebate",
                condition=models.Q(
                    credited_amount__gte=0, credited_amount__lte=models.F("rebate_amount")
                ),
            ),
            models.CheckConstraint(
                name="claim_rebate_positive", condition=models.Q(rebate_amount__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return f"Rebate claim {self.pk} {self.measure_code} ${self.rebate_amount}"

    @property
    def credit_remaining(self) -> Decimal:
        return self.rebate_amount - self.credited_amount


class RebateCredit(models.Model):
    """The part of a bill-credit claim put on one charge, so that it can be given back to
    the claim when the charge's bill is cancelled (then the next bill credits it again)."""

    claim = models.ForeignKey(RebateClaim, on_delete=models.PROTECT, related_name="credits")
    item = models.ForeignKey(
        "receivables.ReceivableItem", on_delete=models.PROTECT, related_name="rebate_credits"
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    credited_on = models.DateField()
    journal_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, related_name="+"
    )
    given_back_on = models.DateField(null=True, blank=True)
    give_back_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(name="rebate_credit_positive", condition=models.Q(amount__gt=0))
        ]

    def __str__(self) -> str:
        return f"Rebate claim {self.claim_id} credit of ${self.amount} on item {self.item_id}"


class DocumentKind(models.TextChoices):
    RECEIPT = "RECEIPT", "Receipt of purchase"
    ENERGY_STAR = "ENERGY_STAR", "ENERGY STAR certification"
    FORM = "FORM", "Signed rebate form"


class ClaimDocument(models.Model):
    """An uploaded file kept in the database (it comes back with a backup), checked for
    size and type by its content, never trusted by its name."""

    claim = models.ForeignKey(RebateClaim, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=11, choices=DocumentKind.choices)
    filename = models.CharField(max_length=100)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    uploaded_on = models.DateField()

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"


class InspectionStage(models.TextChoices):
    PRE = "PRE", "Before installation"
    POST = "POST", "After installation"


class InspectionResult(models.TextChoices):
    PENDING = "PENDING", "Scheduled"
    PASSED = "PASSED", "Passed"
    FAILED = "FAILED", "Failed"


class Inspection(models.Model):
    """An inspection before or after installation (insulation, windows and doors)."""

    claim = models.ForeignKey(RebateClaim, on_delete=models.PROTECT, related_name="inspections")
    stage = models.CharField(max_length=4, choices=InspectionStage.choices)
    scheduled_on = models.DateField()
    result = models.CharField(
        max_length=7, choices=InspectionResult.choices, default=InspectionResult.PENDING
    )
    inspected_on = models.DateField(null=True, blank=True)
    inspector = models.CharField(max_length=150, blank=True)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "stage"], name="one_inspection_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} inspection of claim {self.claim_id}"
