"""Notification preferences, where to send, numbers that texted STOP, and the outbox."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from coopcis.apps.audit.tracking import AuditedModel
from coopcis.apps.members.models import Account, Party


class ChannelChoice(models.TextChoices):
    """How a member hears of one kind (the core's ``Channel``, with labels)."""

    EMAIL = "EMAIL", _("Email")
    SMS = "SMS", _("Text message")
    OFF = "OFF", _("Off")


class NotificationPreference(AuditedModel):
    """A member's choice for one kind: email, text message or off. No row: the default."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="notify_preferences")
    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=5, choices=ChannelChoice.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["party", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.party_id} {self.kind}: {self.channel}"


class NotificationContact(AuditedModel):
    """Where a member's notifications go: an email address (blank: the account's or the
    member's own) and a mobile number for texts, in E.164 (blank: no texts; a landline
    on file is never texted)."""

    party = models.OneToOneField(Party, on_delete=models.CASCADE, related_name="notify_contact")
    email = models.EmailField(blank=True)
    mobile_phone = models.CharField(max_length=16, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.party_id}: {self.email or '-'} {self.mobile_phone or '-'}"


class SmsOptOut(models.Model):
    """A mobile number that texted STOP: no text goes to it until it texts START."""

    phone = models.CharField(max_length=16, unique=True)
    opted_out = models.BooleanField(default=True)
    keyword = models.CharField(max_length=20)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.phone}: {'out' if self.opted_out else 'in'} ({self.keyword})"


class MessageStatus(models.TextChoices):
    QUEUED = "QUEUED", _("Queued")
    SENDING = "SENDING", _("Sending")
    SENT = "SENT", _("Sent")
    FAILED = "FAILED", _("Failed")
    SKIPPED = "SKIPPED", _("Not sent")


class OutboxMessage(models.Model):
    """One notification as rendered and sent (or why not): the outbox.

    ``idempotency_key`` is unique: a second call with the same key returns this row and
    sends nothing. ``status`` moves QUEUED -> SENDING -> SENT or FAILED once; SKIPPED
    records a message not sent (kind turned off, no address, STOP).
    """

    idempotency_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40)
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    channel = models.CharField(max_length=5, choices=ChannelChoice.choices)
    recipient = models.CharField(max_length=254, blank=True)
    language = models.CharField(max_length=5)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=MessageStatus.choices)
    provider = models.CharField(max_length=20, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "created_at"], name="outbox_status"),
            models.Index(fields=["party", "created_at"], name="outbox_party"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient or '-'} by {self.channel}: {self.status}"
