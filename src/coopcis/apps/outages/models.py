"""Interruptions of service and the history files they came from (IEEE 1366 records)."""

from __future__ import annotations

from datetime import date

from django.db import models

from coopcis.apps.audit.tracking import AuditedModel


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
    #: The outage of a device above this one, open when this one was found (a fuse blown
    #: under an open recloser): this outage's members are restored only once it is too.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="nested"
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
    #: When a prediction pass first put the report in an outage: how long after its
    #: arrival (``received_at``) the dispatcher could see it.
    predicted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.service_point_id} ({self.source})"


class LifeSupportCertificate(AuditedModel):
    """A household on the account depends on life-support (medical) equipment, as a
    practitioner certifies until ``expires_on`` (included). Its members are listed first
    in every outage that reaches them and counted per outage; the member is told the flag
    is no promise of priority restoration (member handbook, "Restoring Your Power").

    Renewed with a new certificate's expiry; ended early when the equipment goes. It counts
    on a day from ``received_on`` through ``expires_on`` unless ended before that day.
    """

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="life_support_certificates"
    )
    equipment = models.CharField(max_length=120)
    certified_by = models.CharField(max_length=120)
    received_on = models.DateField()
    expires_on = models.DateField()
    renewed_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-expires_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="life_support_expires_after_received",
                condition=models.Q(expires_on__gte=models.F("received_on")),
            )
        ]

    def __str__(self) -> str:
        return f"life support {self.account_id} to {self.expires_on}"

    def audit_account_id(self) -> int | None:
        return self.account_id

    def counts_on(self, day: date) -> bool:
        """The certificate is in force on ``day``: received, not expired, not ended."""
        ended = self.ended_on is not None and self.ended_on <= day
        return self.received_on <= day <= self.expires_on and not ended


class PredictionState(models.Model):
    """The background prediction pass's bookmark (one row): the newest report the latest
    pass took in, and when it finished. The restoration queue and the maps read outages
    as the latest pass left them and say how old that is."""

    latest_report_id = models.BigIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    reports_in_window = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"prediction pass up to report {self.latest_report_id}"
