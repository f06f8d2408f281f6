"""A member's high-usage threshold and the alerts it raised (issue 12).

Thresholds are per account, over the day's use of its interval-metered service points;
a member sets them in the portal. ``UsageAlert`` is unique per account and day, so the
daily job (``coopcis alerts run``) raises at most one alert per account per day however
often it runs.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone

from coopcis.apps.audit.tracking import AuditedModel
from coopcis.core.units import wh_to_kwh


class UsageThreshold(AuditedModel):
    """The daily use above which the member wants to hear: kWh, dollars, or both.

    Dollars are compared with the day's estimated cost (the latest bill's price per kWh
    times the day's kWh; :mod:`coopcis.core.usage.alerts`).
    """

    account = models.OneToOneField(
        "members.Account", on_delete=models.PROTECT, related_name="usage_threshold"
    )
    daily_kwh = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    daily_amount = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="usage_threshold_positive",
                condition=(models.Q(daily_kwh__isnull=True) | models.Q(daily_kwh__gt=0))
                & (models.Q(daily_amount__isnull=True) | models.Q(daily_amount__gt=0)),
            )
        ]

    def __str__(self) -> str:
        return f"Usage threshold of account {self.account_id}"


class UsageAlert(models.Model):
    """A day an account's use went over its threshold, with the figures as they were.

    ``sent_at`` is when the alert was handed to the notifications (``notify``, kind
    "high_usage"), which send it after the run commits.
    """

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="usage_alerts"
    )
    day = models.DateField()
    energy_wh = models.BigIntegerField()
    estimated_amount = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    threshold_kwh = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    threshold_amount = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    over = models.CharField(max_length=20, help_text="kwh, amount or both")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "account"]
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="one_usage_alert_per_day")
        ]

    def __str__(self) -> str:
        return f"High usage on account {self.account_id}, {self.day}"

    @property
    def energy_kwh(self) -> Decimal:
        return wh_to_kwh(self.energy_wh)
