"""Meters, where they are installed, and what they read.

Energy is stored as integer watt-hours. Register reads keep the register value as Wh
(a dial reading of 12,345 kWh is 12,345,000 Wh) before the meter multiplier; interval
data is kept in blocks of consecutive intervals, one row per meter, channel and UTC day,
the values packed as little-endian signed 32-bit Wh (see ``IntervalBlock``).
"""

from __future__ import annotations

from array import array
from datetime import timedelta

from django.db import models

from coopcis.apps.audit.tracking import AuditedModel


class MeterKind(models.TextChoices):
    REGISTER = "REGISTER", "Register (monthly reads)"
    AMI_INTERVAL = "AMI_INTERVAL", "AMI interval"
    NET_METER = "NET_METER", "Bidirectional net meter"


class Meter(AuditedModel):
    """A physical meter, known by its serial; ``multiplier`` scales its register (CT/PT)."""

    serial = models.CharField(max_length=30, unique=True)
    kind = models.CharField(max_length=12, choices=MeterKind.choices)
    multiplier = models.PositiveIntegerField(default=1)
    dials = models.PositiveSmallIntegerField(default=6, help_text="Register digits, for rollover")
    interval_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    manufacturer = models.CharField(max_length=40, blank=True)
    measures_demand = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="interval_meter_has_interval_length",
                condition=models.Q(kind="REGISTER")
                | models.Q(interval_minutes__in=[5, 15, 30, 60]),
            )
        ]

    def __str__(self) -> str:
        return f"Meter {self.serial}"


class MeterInstallation(AuditedModel):
    """A meter at a service point for ``[installed_on, removed_on)``; never at two at once."""

    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="installations")
    service_point = models.ForeignKey(
        "premises.ServicePoint", on_delete=models.PROTECT, related_name="installations"
    )
    installed_on = models.DateField()
    removed_on = models.DateField(null=True, blank=True)
    removal_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["installed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["meter"],
                condition=models.Q(removed_on__isnull=True),
                name="meter_installed_once",
            ),
            models.CheckConstraint(
                name="installation_removed_after_installed",
                condition=models.Q(removed_on__isnull=True)
                | models.Q(removed_on__gt=models.F("installed_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meter.serial} at {self.service_point.code} from {self.installed_on}"

    def audit_account_id(self) -> int | None:
        """The account served at this service point when the meter went in."""
        from coopcis.apps.premises.models import ServiceAgreement

        agreement = (
            ServiceAgreement.objects.filter(
                service_point_id=self.service_point_id, start_on__lte=self.installed_on
            )
            .exclude(end_on__lte=self.installed_on)
            .order_by("-start_on")
            .values_list("account_id", flat=True)
            .first()
        )
        return agreement


class Channel(models.TextChoices):
    DELIVERED = "DELIVERED", "Delivered to the member"
    RECEIVED = "RECEIVED", "Received from the member (net metering)"


class ReadKind(models.TextChoices):
    ACTUAL = "ACTUAL", "Actual"
    ESTIMATED = "ESTIMATED", "Estimated"


class RegisterRead(models.Model):
    """A monthly register read: energy register in Wh, optional max demand and power factor."""

    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="register_reads")
    channel = models.CharField(max_length=9, choices=Channel.choices, default=Channel.DELIVERED)
    read_on = models.DateField()
    register_wh = models.BigIntegerField()
    demand_kw = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    power_factor = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    kind = models.CharField(max_length=9, choices=ReadKind.choices, default=ReadKind.ACTUAL)
    source = models.CharField(max_length=20, default="FIELD")
    estimate_method = models.CharField(
        max_length=30, blank=True, help_text="How an estimated read was estimated"
    )
    import_batch = models.ForeignKey(
        "ReadImportBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="register_reads",
    )

    class Meta:
        ordering = ["meter", "channel", "read_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["meter", "channel", "read_on"], name="one_register_read_per_day"
            ),
            models.CheckConstraint(
                name="register_non_negative", condition=models.Q(register_wh__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meter.serial} {self.read_on}: {self.register_wh // 1000} kWh"


class IntervalBlock(models.Model):
    """Consecutive intervals of one meter channel, starting at ``start_at`` (UTC).

    ``values_wh`` packs ``count`` signed 32-bit little-endian integers, Wh per interval
    (enough for 2.1 GWh in one interval). One block per meter, channel and UTC day keeps
    a year of 15-minute data at 365 rows instead of 35,040.
    """

    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="interval_blocks")
    channel = models.CharField(max_length=9, choices=Channel.choices, default=Channel.DELIVERED)
    start_at = models.DateTimeField()
    interval_minutes = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField()
    values_wh = models.BinaryField()

    class Meta:
        ordering = ["meter", "channel", "start_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meter", "channel", "start_at"], name="one_interval_block_per_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.channel} {self.start_at:%Y-%m-%d} x{self.count}"

    @staticmethod
    def pack(values_wh: list[int]) -> bytes:
        packed = array("i", values_wh)
        if packed.itemsize != 4:
            raise RuntimeError("this platform's C int is not 32 bits")
        return packed.tobytes() if array("i", [1]).tobytes()[0] == 1 else _swapped(packed)

    def values(self) -> list[int]:
        unpacked = array("i")
        unpacked.frombytes(bytes(self.values_wh))
        if array("i", [1]).tobytes()[0] != 1:
            unpacked.byteswap()
        return unpacked.tolist()

    @property
    def end_at(self):  # type: ignore[no-untyped-def]
        return self.start_at + timedelta(minutes=self.interval_minutes * self.count)


class ImportFormat(models.TextChoices):
    CSV_REGISTER = "CSV_REGISTER", "CSV register reads"
    CSV_INTERVAL = "CSV_INTERVAL", "CSV interval data"
    ESPI = "ESPI", "Green Button (ESPI XML)"


class ReadImportBatch(models.Model):
    """One imported read file, known by the SHA-256 of its bytes.

    The unique hash makes an import idempotent: the same file a second time is refused as
    "already imported" before any row is read. ``skipped`` lists the rows not stored, each
    ``{"line", "meter", "reason"}``, so staff can fix and re-send them.
    """

    content_sha256 = models.CharField(max_length=64, unique=True)
    file_name = models.CharField(max_length=255)
    format = models.CharField(max_length=12, choices=ImportFormat.choices)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.CharField(max_length=150, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_stored = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_format_display()}, {self.rows_stored} stored)"


class ExceptionKind(models.TextChoices):
    MISSING_READ = "MISSING_READ", "Missing read (estimated)"
    NEGATIVE_CONSUMPTION = "NEGATIVE_CONSUMPTION", "Register went down"
    ROLLOVER = "ROLLOVER", "Implausible rollover"
    ZERO_USE = "ZERO_USE", "Zero use on an active account"
    HIGH_USE = "HIGH_USE", "High use against history"
    LOW_USE = "LOW_USE", "Low use against history"
    INTERVAL_GAP = "INTERVAL_GAP", "Gap in interval data"


class ExceptionStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    ACCEPTED = "ACCEPTED", "Accepted: the read stands"
    REJECTED = "REJECTED", "Rejected: replaced by an estimate"
    REPLACED = "REPLACED", "Replaced by an actual read"


class ReadException(models.Model):
    """A read VEE would not pass on its own: staff accept it, reject it or it gets replaced.

    ``period_start``/``period_end`` are the read dates the check covered; ``billing_month``
    is the first day of the month ``coopcis reads validate --period`` ran for. An OPEN
    exception on a read keeps that read out of bills (``metering.usage.period_usage``
    refuses it); a MISSING_READ records the estimate stored in its place and does not hold
    billing. A rejected read's original register is kept in ``rejected_register_wh``.
    """

    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="read_exceptions")
    channel = models.CharField(max_length=9, choices=Channel.choices, default=Channel.DELIVERED)
    billing_month = models.DateField()
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField()
    kind = models.CharField(max_length=20, choices=ExceptionKind.choices)
    detail = models.TextField()
    status = models.CharField(
        max_length=8, choices=ExceptionStatus.choices, default=ExceptionStatus.OPEN
    )
    read = models.ForeignKey(
        RegisterRead, on_delete=models.PROTECT, null=True, blank=True, related_name="exceptions"
    )
    rejected_register_wh = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["billing_month", "meter", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["meter", "channel", "billing_month", "kind"],
                name="one_read_exception_per_kind_and_month",
            ),
            models.CheckConstraint(
                name="read_exception_resolved_when_closed",
                condition=models.Q(status="OPEN", resolved_at__isnull=True)
                | (~models.Q(status="OPEN") & models.Q(resolved_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meter.serial} {self.billing_month:%Y-%m} {self.kind} ({self.status})"

    @property
    def holds_billing(self) -> bool:
        return self.status == ExceptionStatus.OPEN and self.kind != ExceptionKind.MISSING_READ


def _swapped(values: array) -> bytes:  # type: ignore[type-arg]
    copy = array("i", values)
    copy.byteswap()
    return copy.tobytes()
