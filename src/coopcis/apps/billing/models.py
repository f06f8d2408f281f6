"""Bills: one per service agreement per billing month (so one per service point, or two
when it changed hands), booked to the ledger when released.

Cycle billing (SEC policy 407; DOMAIN.md "Bills and payment"): a "month" is the time
between meter readings. ``period`` names the billing month in which the cycle's current
read falls; ``[period_start, period_end)`` are the read dates. Each metered location is
billed separately (policy 408). A bill is never edited once posted: a correction cancels
it with a reversing entry and a new bill replaces it (policies 409, 410).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class BillingCycle(models.Model):
    """A group of accounts read on about the same day each month."""

    number = models.PositiveSmallIntegerField(primary_key=True)
    read_day = models.PositiveSmallIntegerField(help_text="Day of the month meters are read")
    bill_lag_days = models.PositiveSmallIntegerField(
        default=3, help_text="Days from the read to the bill date"
    )

    def __str__(self) -> str:
        return f"Cycle {self.number} (read on day {self.read_day})"


class RiderFactor(models.Model):
    """A month's $/kWh cost adjustment factor: fuel and purchased power (PCA, 17.9.550 NMAC)
    or debt cost (DCA, 17.9.540 NMAC), as the co-op files it."""

    month = models.CharField(max_length=7, help_text="Billing month YYYY-MM")
    code = models.CharField(max_length=10, choices=[("pca", "PCA"), ("dca", "DCA")])
    per_kwh = models.DecimalField(max_digits=10, decimal_places=6)
    source = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "code"], name="one_factor_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.code.upper()} {self.month}: {self.per_kwh}/kWh"


class LocationTax(models.Model):
    """A tax on electric service by the premise's county (gross receipts; Rate 19 tax clause)."""

    county = models.CharField(max_length=40)
    name = models.CharField(max_length=60)
    rate = models.DecimalField(max_digits=8, decimal_places=6, help_text="Fraction, 0.0725 = 7.25%")
    effective_on = models.DateField()
    source = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name", "effective_on"], name="one_tax_rate_per_day"
            ),
            models.CheckConstraint(
                name="tax_rate_fraction", condition=models.Q(rate__gte=0, rate__lt=1)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.county} {self.rate} from {self.effective_on}"


class RunStatus(models.TextChoices):
    RUNNING = "RUNNING", "Running"
    FINISHED = "FINISHED", "Finished"
    INTERRUPTED = "INTERRUPTED", "Interrupted"


class BillRun(models.Model):
    """One ``coopcis bill-run``: its batches commit on their own, so a killed run is resumed
    by running again; the unique bill per agreement and period keeps it exactly once.

    A run that stops before its end (killed, Ctrl-C, an error) is ``INTERRUPTED``: said at
    once when the process can still say it, else by the next run (or ``billing runs``),
    which sees that the process named by ``host`` and ``pid`` is gone or that the run has
    not moved for :data:`coopcis.apps.billing.runs.STALE_AFTER`. The next run of the same
    month bills what it left and is named in ``finished_by``."""

    period = models.CharField(max_length=7)
    cycle = models.PositiveSmallIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=11, choices=RunStatus.choices, default=RunStatus.RUNNING)
    host = models.CharField(max_length=255, blank=True, default="")
    pid = models.PositiveIntegerField(null=True, blank=True)
    #: the latest moment the run committed a batch (or started)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="finished_runs"
    )
    billed = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    total_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    def __str__(self) -> str:
        return f"Bill run {self.pk} for {self.period}"


class BillStatus(models.TextChoices):
    HELD = "HELD", "Held for review"
    POSTED = "POSTED", "Posted"
    CANCELLED = "CANCELLED", "Cancelled"


class Bill(models.Model):
    """A bill for one service point and billing month, with what the member needs to read it."""

    run = models.ForeignKey(
        BillRun, null=True, blank=True, on_delete=models.PROTECT, related_name="bills"
    )
    account = models.ForeignKey("members.Account", on_delete=models.PROTECT, related_name="bills")
    service_point = models.ForeignKey(
        "premises.ServicePoint", on_delete=models.PROTECT, related_name="bills"
    )
    agreement = models.ForeignKey(
        "premises.ServiceAgreement", on_delete=models.PROTECT, related_name="bills"
    )
    period = models.CharField(max_length=7, db_index=True)
    period_start = models.DateField()
    period_end = models.DateField()
    bill_date = models.DateField()
    due_date = models.DateField()
    tariff_code = models.CharField(max_length=40)
    status = models.CharField(max_length=9, choices=BillStatus.choices)
    estimated = models.BooleanField(default=False)
    hold_reasons = models.JSONField(default=list, blank=True)
    # what the meter said (empty for unmetered lighting)
    meter_serial = models.CharField(max_length=30, blank=True)
    multiplier = models.PositiveIntegerField(default=1)
    previous_register_wh = models.BigIntegerField(null=True, blank=True)
    current_register_wh = models.BigIntegerField(null=True, blank=True)
    previous_read_kind = models.CharField(max_length=9, blank=True)
    current_read_kind = models.CharField(max_length=9, blank=True)
    energy_wh = models.BigIntegerField(null=True, blank=True)
    demand_kw = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    power_factor = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    # money
    total_amount = models.DecimalField(max_digits=12, decimal_places=2)
    previous_balance_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    payments_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    amount_due_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    journal_entry = models.OneToOneField(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="bill"
    )
    # corrections
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    cancel_reason = models.CharField(max_length=300, blank=True)
    cancel_entry = models.OneToOneField(
        "ledger.JournalEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cancelled_bill",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # one bill per agreement: a service point that changed hands during the
            # period has a final bill for the member moving out and one for the member
            # moving in (gather.py)
            models.UniqueConstraint(
                fields=["agreement", "period"],
                condition=~models.Q(status="CANCELLED"),
                name="one_bill_per_agreement_and_period",
            ),
            models.CheckConstraint(
                name="bill_period_order",
                condition=models.Q(period_end__gt=models.F("period_start")),
            ),
        ]
        indexes = [models.Index(fields=["account", "period"])]

    def __str__(self) -> str:
        return f"Bill {self.pk} {self.period} account {self.account_id}"

    @property
    def number(self) -> str:
        return f"{self.period.replace('-', '')}-{self.pk:08d}"


class BillLineItem(models.Model):
    """A priced line of a bill, as the rating engine explained it (clause in ``source``)."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=40)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=20, decimal_places=6)
    unit = models.CharField(max_length=20)
    rate = models.DecimalField(max_digits=16, decimal_places=6)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["bill", "position"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "position"], name="one_line_per_position")
        ]

    def __str__(self) -> str:
        return f"{self.description} {self.amount}"


class BillRunIssue(models.Model):
    """Why an account was not billed in a run (no reads, bad interval data, ...)."""

    run = models.ForeignKey(BillRun, on_delete=models.PROTECT, related_name="issues")
    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="bill_run_issues"
    )
    service_point = models.ForeignKey(
        "premises.ServicePoint", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    meter_serial = models.CharField(max_length=30, blank=True)
    reason = models.CharField(max_length=40)
    detail = models.TextField()

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail[:60]}"
