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
