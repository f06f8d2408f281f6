"""The audit trail of master data: append-only events, one per create, change or delete."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    CREATE = "CREATE", "created"
    UPDATE = "UPDATE", "changed"
    DELETE = "DELETE", "deleted"


class AuditEvent(models.Model):
    """Who changed which record, when, and each field's value before and after.

    Written by the audit hooks on every audited model (see ``coopcis.apps.audit.tracking``),
    never edited: ``save`` refuses updates and ``delete`` refuses outright. ``account_id``
    ties the event to the member account whose history page shows it.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=6, choices=AuditAction.choices)
    model = models.CharField(max_length=100)
    object_pk = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    account_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_pk"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("audit events are append-only")


class ReadKind(models.TextChoices):
    ACCOUNT_PAGE = "ACCOUNT_PAGE", "account page"
    ACCOUNT_API = "ACCOUNT_API", "account (API)"
    BILL_PDF = "BILL_PDF", "bill PDF"
    BILL_PAGE = "BILL_PAGE", "bill review page"
    NOTICE_PDF = "NOTICE_PDF", "notice PDF"
    RECEIPT_PDF = "RECEIPT_PDF", "deposit receipt PDF"
    CAPITAL_CREDITS = "CAP_CREDITS", "capital credits"
    LOAN_PDF = "LOAN_PDF", "loan schedule PDF"
    REBATE_CLAIM = "REBATE_CLAIM", "rebate claim"
    LIFE_SUPPORT = "LIFE_SUPPORT", "life-support certificates"
    OUTAGE_MEMBERS = "OUTAGE", "members of an outage"
    MEDICAL_CERTIFICATE = "MEDICAL_CERT", "medical certificate upload"


class MemberDataRead(models.Model):
    """A staff member saw a member's data: who, which account, what, when, from where.

    The co-op's code of ethics keeps member information confidential; this is how it shows
    who saw it. One row per successful read (the account page, the account API, a bill,
    notice or receipt PDF), written with a single INSERT (``coopcis.apps.audit.reads``);
    a manager lists them per account and per staff member. Append-only, like the trail.
    """

    at = models.DateTimeField(default=timezone.now)
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reader_label = models.CharField(max_length=150)
    account_number = models.CharField(max_length=20)
    kind = models.CharField(max_length=12, choices=ReadKind.choices)
    path = models.CharField(max_length=300)
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["account_number", "at"]),
            models.Index(fields=["reader", "at"]),
        ]
        permissions = [("review_memberdataread", "Can list who read member data")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.reader_label} read {self.account_number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("the read log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("the read log is append-only")
