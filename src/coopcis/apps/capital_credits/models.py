"""Capital credits: each year's margins allocated to patrons, and their retirement
(bylaws art. VIII; docs/domain/capital-credits.md).

An :class:`Allocation` is one fiscal year's pool (the co-op's operating margins, or one
generation-and-transmission co-op's allocation); a :class:`CapitalCredit` is one patron's
share of it, which retirements reduce (``retired_amount``) and an assignment moves to a
successor. A :class:`Retirement` (general, estate) retires credits
(:class:`RetiredCredit`) and pays each patron once (:class:`Payout`): a check, a bill
credit, or nothing now (carried forward). A check not claimed within two years of mailing
becomes a gift to the educational and charitable fund (art. VIII sec. 3).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import models
from django.utils import timezone

from coopcis.apps.audit.tracking import AuditedModel
from coopcis.apps.members.requests import MemberRequest

MONEY = {"max_digits": 14, "decimal_places": 2}


class PatronageBasis(models.TextChoices):
    REVENUE = "REVENUE", "Electric revenue billed"
    KWH = "KWH", "kWh billed"


class Allocation(AuditedModel):
    """One year's margins of one pool, allocated over that year's patronage (once)."""

    year = models.PositiveSmallIntegerField()
    pool = models.CharField(max_length=40)
    margins_amount = models.DecimalField(**MONEY)
    basis = models.CharField(max_length=7, choices=PatronageBasis.choices)
    total_patronage = models.DecimalField(max_digits=18, decimal_places=3)
    allocated_on = models.DateField()
    entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "pool"]
        constraints = [
            models.UniqueConstraint(fields=["year", "pool"], name="one_allocation_per_year_pool")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.pool}"


class NoticeMethod(models.TextChoices):
    MAIL = "MAIL", "Mailed letter"
    EMAIL = "EMAIL", "Email (paperless)"


class CapitalCredit(models.Model):
    """One patron's capital credit for one year and pool: what was allocated, what is
    retired, and the notice of it (art. VIII sec. 2: "notify each patron")."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="credits")
    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="capital_credits"
    )
    patronage = models.DecimalField(max_digits=16, decimal_places=3)
    amount = models.DecimalField(**MONEY)
    retired_amount = models.DecimalField(**MONEY, default=0)
    notice_method = models.CharField(max_length=5, choices=NoticeMethod.choices)
    noticed_on = models.DateField()
    assigned_from = models.ForeignKey(
        "members.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        indexes = [models.Index(fields=["account", "allocation"])]
        constraints = [
            models.CheckConstraint(
                name="credit_retired_within_amount",
                condition=models.Q(retired_amount__gte=0)
                & models.Q(retired_amount__lte=models.F("amount")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.allocation} {self.account_id}: {self.amount}"

    @property
    def open_amount(self) -> Decimal:
        return Decimal(self.amount) - Decimal(self.retired_amount)


class Assignment(AuditedModel):
    """Credits moved to a successor in interest or occupancy on written instructions."""

    from_account = models.ForeignKey("members.Account", on_delete=models.PROTECT, related_name="+")
    to_account = models.ForeignKey("members.Account", on_delete=models.PROTECT, related_name="+")
    successor = models.CharField(
        max_length=9, choices=[("INTEREST", "In interest"), ("OCCUPANCY", "In occupancy")]
    )
    instructions = models.TextField()
    received_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    recorded_by = models.CharField(max_length=150)
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.from_account_id} -> {self.to_account_id}: {self.amount}"


class RetirementKind(models.TextChoices):
    GENERAL = "GENERAL", "General retirement"
    ESTATE = "ESTATE", "Estate, early at present value"


class Retirement(AuditedModel):
    """A board-approved general retirement, or an estate's early retirement."""

    kind = models.CharField(max_length=7, choices=RetirementKind.choices)
    pool = models.CharField(max_length=40, default="operating")
    method = models.CharField(max_length=10, blank=True)
    approved_amount = models.DecimalField(**MONEY)
    approved_on = models.DateField()
    resolution = models.CharField(max_length=300)
    retired_on = models.DateField()
    retired_amount = models.DecimalField(**MONEY, default=0)
    paid_amount = models.DecimalField(**MONEY, default=0)
    entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    warnings = models.TextField(blank=True)
    #: An estate's retirement: the holder whose death it is for (a joint membership's
    #: deceased member, or the membership's own holder).
    deceased = models.CharField(max_length=200, blank=True, default="")
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-retired_on", "-id"]

    def __str__(self) -> str:
        return f"Retirement {self.pk} {self.retired_on} {self.retired_amount}"


class RetiredCredit(models.Model):
    """How much of one credit a retirement retired (face value).

    Written only by the retirements, in the transaction that reads the credits and creates
    the retirement, and never changed or deleted (nor are credits and retirements), so the
    database does not check its two keys: a general retirement over twenty years writes
    some 437,000 of these rows, and PostgreSQL's deferred check of both keys of each was
    most of the time its commit took (docs/benchmarks.md)."""

    retirement = models.ForeignKey(
        Retirement, on_delete=models.PROTECT, related_name="lines", db_constraint=False
    )
    credit = models.ForeignKey(
        CapitalCredit, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    amount = models.DecimalField(**MONEY)

    def __str__(self) -> str:
        return f"{self.credit_id}: {self.amount}"


class PayoutMethod(models.TextChoices):
    CHECK = "CHECK", "Check"
    BILL_CREDIT = "BILL_CREDIT", "Bill credit"
    CARRIED_FORWARD = "CARRIED", "Carried forward"


class PayoutStatus(models.TextChoices):
    ISSUED = "ISSUED", "Issued"
    CLAIMED = "CLAIMED", "Claimed"
    GIFTED = "GIFTED", "Unclaimed: gift to the educational and charitable fund"


class Payout(models.Model):
    """What one patron receives from a retirement, and how. A check is mailed to the last
    known address; unclaimed two years after mailing it becomes a gift (art. VIII sec. 3)."""

    retirement = models.ForeignKey(Retirement, on_delete=models.PROTECT, related_name="payouts")
    account = models.ForeignKey("members.Account", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=11, choices=PayoutMethod.choices)
    retired_amount = models.DecimalField(**MONEY)
    debts_amount = models.DecimalField(**MONEY, default=0)
    amount = models.DecimalField(**MONEY)
    check_number = models.PositiveIntegerField(null=True, blank=True)
    payee = models.CharField(max_length=200)
    address = models.CharField(max_length=400)
    mailed_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=7, choices=PayoutStatus.choices, default=PayoutStatus.ISSUED
    )
    claimed_on = models.DateField(null=True, blank=True)
    gifted_on = models.DateField(null=True, blank=True)
    payee_search = models.CharField(max_length=240, default="")

    class Meta:
        indexes = [
            models.Index(fields=["status", "mailed_on"]),
            models.Index(fields=["account"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.check_number or ''} {self.amount}"


class ClaimRequestStatus(models.TextChoices):
    REQUESTED = "REQUESTED", "Waiting for staff"
    CLAIMED = "CLAIMED", "Check claimed"


class ClaimRequest(MemberRequest):
    """A member's request, from the portal, to claim an unclaimed retirement check on one
    of their own accounts, with the mailing address they confirmed as current (where staff
    send the check again). It waits for staff, who record the check claimed
    (``unclaimed.claim_check``), which answers it (``decided_on``, ``decided_by``: a
    :class:`~coopcis.apps.members.requests.MemberRequest`). One request waits per check."""

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="claim_requests")
    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="capital_credit_claims"
    )
    line1 = models.CharField(max_length=120)
    line2 = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=60)
    state = models.CharField(max_length=2)
    zip_code = models.CharField(max_length=10)
    requested_on = models.DateField()
    requested_by = models.CharField(max_length=150)
    status = models.CharField(
        max_length=9, choices=ClaimRequestStatus.choices, default=ClaimRequestStatus.REQUESTED
    )

    waiting_status = ClaimRequestStatus.REQUESTED
    noun = "claim"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["payout"],
                condition=models.Q(status="REQUESTED"),
                name="one_waiting_claim_per_check",
            )
        ]

    def __str__(self) -> str:
        return f"Claim request {self.pk} ({self.get_status_display()})"

    @property
    def answered_on(self) -> date | None:
        """The day staff recorded the check claimed, which answered the request."""
        return self.decided_on

    @property
    def address_text(self) -> str:
        street = "; ".join(part for part in (self.line1, self.line2) if part)
        return f"{street}; {self.city} {self.state} {self.zip_code}"
