"""Interruptions of service and the history files they came from (IEEE 1366 records)."""

from __future__ import annotations

from django.db import models


class InterruptionSource(models.TextChoices):
    IMPORTED = "IMPORTED", "Imported history"
    RECORDED = "RECORDED", "Recorded by coopcis"


class HistoryImport(models.Model):
    """One file of interruption history from the co-op's previous outage system.

    The file's SHA-256 is kept so the same file is never counted twice."""

    sha256 = models.CharField(max_length=64, unique=True)
    file_name = models.CharField(max_length=255)
    rows = models.PositiveIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.CharField(max_length=150)

    def __str__(self) -> str:
        return f"{self.file_name} ({self.rows} interruptions)"


class Interruption(models.Model):
    """A customer interruption: ``[start_at, end_at)``, how many customers, why, and the
    device that operated. Sustained (more than five minutes) or momentary follows from the
    duration (``coopcis.core.outages.reliability``)."""

    start_at = models.DateTimeField(db_index=True)
    end_at = models.DateTimeField()
    customers_interrupted = models.PositiveIntegerField()
    cause = models.CharField(max_length=40)
    device = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=10, choices=InterruptionSource.choices)
    history_import = models.ForeignKey(
        HistoryImport, null=True, blank=True, on_delete=models.PROTECT, related_name="rows_in"
    )
    line_number = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["start_at"]
        constraints = [
            models.CheckConstraint(
                name="interruption_ends_after_it_starts",
                condition=models.Q(end_at__gte=models.F("start_at")),
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.start_at:%Y-%m-%d %H:%M} {self.customers_interrupted} customers ({self.cause})"
        )


class NetworkImport(models.Model):
    """One GIS export loaded as the network (the latest replaces the devices before it)."""

    sha256 = models.CharField(max_length=64)
    file_name = models.CharField(max_length=255)
    devices = models.PositiveIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.CharField(max_length=150)

    def __str__(self) -> str:
        return f"{self.file_name} ({self.devices} devices)"


class DeviceKind(models.TextChoices):
    SOURCE = "source", "Transmission source"
    SUBSTATION = "substation", "Substation"
    FEEDER = "feeder", "Feeder"
    BREAKER = "breaker", "Breaker"
    RECLOSER = "recloser", "Recloser"
    FUSE = "fuse", "Fuse"
    TRANSFORMER = "transformer", "Transformer"


class NetworkDevice(models.Model):
    """A device of the distribution network (``coopcis.core.outages.network``); service
    points hang from the transformer their ``ServicePoint.transformer`` names."""

    code = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=12, choices=DeviceKind.choices)
    parent_code = models.CharField(max_length=40, blank=True)
    name = models.CharField(max_length=120, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    network_import = models.ForeignKey(
        NetworkImport, on_delete=models.PROTECT, related_name="devices_in"
    )
    line_number = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"


class PlannedOutage(models.Model):
    """Work announced ahead: reports under ``device`` in ``[start_at, end_at)`` are
    suppressed (kept, but never predicted into an outage)."""

    device_code = models.CharField(max_length=40)
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    reason = models.CharField(max_length=200)
    entered_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["start_at"]
        constraints = [
            models.CheckConstraint(
                name="planned_outage_ends_after_it_starts",
                condition=models.Q(end_at__gt=models.F("start_at")),
            )
        ]

    def __str__(self) -> str:
        return f"planned {self.device_code} {self.start_at:%Y-%m-%d %H:%M}"


class OutageStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    RESTORED = "RESTORED", "Restored"


class Outage(models.Model):
    """A predicted outage: the device thought to have failed and what it serves."""

    device_code = models.CharField(max_length=40, db_index=True)
    device_kind = models.CharField(max_length=14)
    status = models.CharField(
        max_length=10, choices=OutageStatus.choices, default=OutageStatus.OPEN, db_index=True
    )
    started_at = models.DateTimeField()
    predicted_at = models.DateTimeField()
    affected = models.PositiveIntegerField()
    reported = models.PositiveIntegerField(default=0)
    estimated_restoration_at = models.DateTimeField(null=True, blank=True)
    crew = models.CharField(max_length=80, blank=True)
    cause = models.CharField(max_length=40, blank=True)
    restored_at = models.DateTimeField(null=True, blank=True)
    interruption = models.OneToOneField(
        Interruption, null=True, blank=True, on_delete=models.PROTECT, related_name="outage"
    )

    class Meta:
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"outage {self.pk} at {self.device_code} ({self.get_status_display()})"


class ReportSource(models.TextChoices):
    PORTAL = "PORTAL", "Member portal"
    PHONE = "PHONE", "Phone system"
    MOBILE = "MOBILE", "Mobile app"
    STAFF = "STAFF", "Staff taking a call"
    AMI = "AMI", "AMI meter"


class ReportKind(models.TextChoices):
    OUT = "OUT", "Power out"
    RESTORED = "RESTORED", "Power restored"
    STILL_OUT = "STILL_OUT", "Still out after restoration"


class OutageReport(models.Model):
    """One report about one service point: from a member, staff or a meter's message.

    AMI messages are idempotent by ``message_id`` (unique): the same message twice is one
    report."""

    service_point = models.ForeignKey(
        "premises.ServicePoint", on_delete=models.PROTECT, related_name="outage_reports"
    )
    account = models.ForeignKey(
        "members.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=8, choices=ReportSource.choices)
    kind = models.CharField(max_length=10, choices=ReportKind.choices, default=ReportKind.OUT)
    event_at = models.DateTimeField(db_index=True)
    received_at = models.DateTimeField(auto_now_add=True)
    message_id = models.CharField(max_length=80, null=True, blank=True, unique=True)
    note = models.CharField(max_length=500, blank=True)
    outage = models.ForeignKey(
        Outage, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    planned = models.ForeignKey(
        PlannedOutage, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )

    class Meta:
        ordering = ["event_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.service_point_id} ({self.source})"
