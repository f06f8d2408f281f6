"""Payments, how they were applied, and the office's cashier batches.

DOMAIN.md "Bills and payment": mail (check, money order, cashier's check with the stub),
office (cash, check, money order, card), drop box (checks only), online, kiosks (cash,
card, check), phone IVR (card or e-check), mobile app, automatic bank draft on the 3rd or
the 25th, recurring card. Every payment records its channel, tender, reference and who
took it, and posts exactly once (``idempotency_key``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from coopcis.apps.audit.tracking import AuditedModel


class PaymentChannel(models.TextChoices):
    OFFICE = "OFFICE", "Office"
    MAIL = "MAIL", "Mail"
    DROP_BOX = "DROP_BOX", "Drop box"
    LOCKBOX = "LOCKBOX", "Bank lockbox"
    ONLINE = "ONLINE", "Online"
    KIOSK = "KIOSK", "Kiosk"
    IVR = "IVR", "Phone (IVR)"
    MOBILE = "MOBILE", "Mobile app"
    BANK_DRAFT = "BANK_DRAFT", "Automatic bank draft"
    RECURRING_CARD = "RECURRING_CARD", "Recurring card"


class Tender(models.TextChoices):
    CASH = "CASH", "Cash"
    CHECK = "CHECK", "Check"
    MONEY_ORDER = "MONEY_ORDER", "Money order"
    CASHIERS_CHECK = "CASHIERS_CHECK", "Cashier's check"
    CARD = "CARD", "Card"
    ACH = "ACH", "ACH / e-check"


#: What each channel accepts (a drop box takes checks and money orders only, and so on).
CHANNEL_TENDERS: dict[str, tuple[str, ...]] = {
    PaymentChannel.OFFICE: (
        Tender.CASH,
        Tender.CHECK,
        Tender.MONEY_ORDER,
        Tender.CASHIERS_CHECK,
        Tender.CARD,
    ),
    PaymentChannel.MAIL: (Tender.CHECK, Tender.MONEY_ORDER, Tender.CASHIERS_CHECK),
    PaymentChannel.DROP_BOX: (Tender.CHECK, Tender.MONEY_ORDER, Tender.CASHIERS_CHECK),
    PaymentChannel.LOCKBOX: (Tender.CHECK, Tender.MONEY_ORDER, Tender.CASHIERS_CHECK),
    PaymentChannel.ONLINE: (Tender.CARD, Tender.ACH),
    PaymentChannel.KIOSK: (Tender.CASH, Tender.CARD, Tender.CHECK),
    PaymentChannel.IVR: (Tender.CARD, Tender.ACH),
    PaymentChannel.MOBILE: (Tender.CARD, Tender.ACH),
    PaymentChannel.BANK_DRAFT: (Tender.ACH,),
    PaymentChannel.RECURRING_CARD: (Tender.CARD,),
}


class BatchStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    CLOSED = "CLOSED", "Closed"


class CashierBatch(models.Model):
    """A cashier's drawer for a shift: opened, payments taken, counted, closed and posted."""

    drawer = models.CharField(max_length=40)
    opened_by = models.CharField(max_length=150)
    opened_on = models.DateField()
    opened_at = models.DateTimeField(default=timezone.now)
    opening_cash = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    status = models.CharField(max_length=6, choices=BatchStatus.choices, default=BatchStatus.OPEN)
    counted_cash = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    counted_checks = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    counted_cards = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    difference = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    closed_by = models.CharField(max_length=150, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "cashier batches"
        constraints = [
            models.UniqueConstraint(
                fields=["drawer"],
                condition=models.Q(status="OPEN"),
                name="one_open_batch_per_drawer",
            )
        ]

    def __str__(self) -> str:
        return f"Batch {self.pk} {self.drawer} {self.opened_on} ({self.get_status_display()})"


class PaymentStatus(models.TextChoices):
    PENDING = "PENDING", "In an open cashier batch"
    POSTED = "POSTED", "Posted"
    REVERSED = "REVERSED", "Reversed (returned or voided)"
    VOIDED = "VOIDED", "Voided before posting"


class Payment(models.Model):
    """Money received for a member account through one channel."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    unapplied_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    channel = models.CharField(max_length=14, choices=PaymentChannel.choices)
    tender = models.CharField(max_length=14, choices=Tender.choices)
    reference = models.CharField(
        max_length=80, blank=True, help_text="Check number, authorization, trace"
    )
    received_on = models.DateField(db_index=True)
    received_at = models.DateTimeField(default=timezone.now)
    taken_by = models.CharField(max_length=150)
    source = models.CharField(
        max_length=120, blank=True, help_text="File and line, gateway, API key"
    )
    cashier_batch = models.ForeignKey(
        CashierBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    idempotency_key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=PaymentStatus.choices)
    journal_entry = models.OneToOneField(
        "ledger.JournalEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment",
    )
    reversal_entry = models.OneToOneField(
        "ledger.JournalEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_payment",
    )
    return_code = models.CharField(max_length=4, blank=True)
    reversal_reason = models.CharField(max_length=200, blank=True)
    reversed_by = models.CharField(
        max_length=150, blank=True, help_text="Who voided or reversed it"
    )
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "status"])]
        permissions = [
            ("void_payment", "Void an office payment the same day, before its batch closes"),
            ("reverse_payment", "Reverse a posted payment with reversing entries"),
        ]
        constraints = [
            models.CheckConstraint(name="payment_positive", condition=models.Q(amount__gt=0)),
            models.CheckConstraint(
                name="payment_unapplied_within_amount",
                condition=models.Q(
                    unapplied_amount__gte=0, unapplied_amount__lte=models.F("amount")
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Payment {self.pk} ${self.amount} {self.get_channel_display()} {self.received_on}"


class PaymentApplication(models.Model):
    """Part of a payment applied to one charge; released when the charge is voided or the
    payment reversed (the record stays, with ``released_on``)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="applications")
    item = models.ForeignKey(
        "receivables.ReceivableItem", on_delete=models.PROTECT, related_name="applications"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    applied_on = models.DateField()
    released_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(name="application_positive", condition=models.Q(amount__gt=0))
        ]

    def __str__(self) -> str:
        return f"${self.amount} of payment {self.payment_id} to item {self.item_id}"


class RefundStatus(models.TextChoices):
    REQUESTED = "REQUESTED", "Check requested"
    ISSUED = "ISSUED", "Check issued"


class RefundRequest(models.Model):
    """A check request refunding (part of) a member's credit balance.

    Requesting moves the amount out of the member's receivables into accounts payable
    (Dr 142.1, Cr 232); issuing the check pays it out of cash (Dr 232, Cr 131).
    """

    account = models.ForeignKey("members.Account", on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=200)
    requested_on = models.DateField()
    requested_by = models.CharField(max_length=150)
    status = models.CharField(
        max_length=9, choices=RefundStatus.choices, default=RefundStatus.REQUESTED
    )
    request_entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, related_name="refund_request"
    )
    check_number = models.CharField(max_length=20, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    issue_entry = models.OneToOneField(
        "ledger.JournalEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refund_check",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(name="refund_positive", condition=models.Q(amount__gt=0))
        ]

    def __str__(self) -> str:
        return f"Refund {self.pk} ${self.amount} to account {self.account_id} ({self.get_status_display()})"


from coopcis.apps.payments.lockbox.models import LockboxDeposit, LockboxFile, SuspenseItem  # noqa: E402, F401


class ApiChannel(models.TextChoices):
    """The channels whose front ends pay through the JSON API with their own key."""

    ONLINE = PaymentChannel.ONLINE.value, PaymentChannel.ONLINE.label
    KIOSK = PaymentChannel.KIOSK.value, PaymentChannel.KIOSK.label
    IVR = PaymentChannel.IVR.value, PaymentChannel.IVR.label
    MOBILE = PaymentChannel.MOBILE.value, PaymentChannel.MOBILE.label


class ChannelApiKey(models.Model):
    """A front end's key to the payments API (a kiosk vendor, the IVR, the web portal).

    The key is shown once when made; only its public prefix and a salted SHA-256 of the
    secret are kept, so a copy of the database cannot be used to pay as a kiosk. The
    channel of every payment made with the key is the key's channel.
    """

    name = models.CharField(max_length=100)
    channel = models.CharField(max_length=14, choices=ApiChannel.choices)
    prefix = models.CharField(max_length=16, unique=True)
    salt = models.CharField(max_length=32)
    key_hash = models.CharField(max_length=64)
    active = models.BooleanField(default=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    #: Requests a minute this front end may make; more are answered 429 with Retry-After.
    requests_per_minute = models.PositiveIntegerField(default=120)
    #: Distinct accounts whose balance it may read in a day without a payment through it
    #: before it is flagged (a key reading account after account is being misused).
    unpaid_lookups_flag = models.PositiveIntegerField(default=100)
    flagged_at = models.DateTimeField(null=True, blank=True)
    flag_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "channel API key"

    def __str__(self) -> str:
        state = "active" if self.active else "revoked"
        return f"{self.prefix} {self.name} ({self.get_channel_display()}, {state})"


class ApiKeyWindow(models.Model):
    """How many requests a key made in one clock minute: the rate limit's counter, shared by
    every server process because it is in the database."""

    api_key = models.ForeignKey(ChannelApiKey, on_delete=models.CASCADE, related_name="windows")
    started_at = models.DateTimeField()
    requests = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "started_at"], name="one_window_a_minute")
        ]

    def __str__(self) -> str:
        return f"{self.requests} requests in the minute from {self.started_at:%Y-%m-%d %H:%M}"


class BalanceLookup(models.Model):
    """A key read an account's balance on a day (how often), so that a key reading many
    accounts that never pay through it can be flagged."""

    api_key = models.ForeignKey(ChannelApiKey, on_delete=models.CASCADE, related_name="lookups")
    account = models.ForeignKey("members.Account", on_delete=models.CASCADE, related_name="+")
    looked_up_on = models.DateField()
    lookups = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "account", "looked_up_on"], name="one_lookup_row_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lookups} balance lookups on {self.looked_up_on}"


class RequestState(models.TextChoices):
    PENDING = "PENDING", "Being processed"
    TIMED_OUT = "TIMED_OUT", "Processor did not answer"
    DECLINED = "DECLINED", "Declined by the processor"
    RECORDED = "RECORDED", "Payment recorded"


class Settlement(models.TextChoices):
    NONE = "", "Not applicable or not yet settled"
    SETTLED = "SETTLED", "Settled"
    RETURNED = "RETURNED", "Returned"
    CHARGEBACK = "CHARGEBACK", "Charged back"


class PaymentRequest(models.Model):
    """One payment submitted through the API, by its ``Idempotency-Key``.

    It holds what makes a repeat "the same request" (``fingerprint``), the processor's
    answer when a card or e-check token was charged, and the first response, which a
    repeat gets back unchanged. The payment itself is a :class:`Payment` like any other.
    """

    api_key = models.ForeignKey(ChannelApiKey, on_delete=models.PROTECT, related_name="requests")
    idempotency_key = models.CharField(max_length=120, unique=True)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=9, choices=RequestState.choices)
    created_at = models.DateTimeField(default=timezone.now)
    attempted_at = models.DateTimeField(default=timezone.now)
    gateway = models.CharField(max_length=40, blank=True)
    #: CARD or ACH for a charge through the processor: which callbacks may apply to it
    tender = models.CharField(max_length=14, blank=True)
    authorization = models.CharField(max_length=64, blank=True, db_index=True)
    decline_reason = models.CharField(max_length=200, blank=True)
    settlement = models.CharField(
        max_length=10, choices=Settlement.choices, default=Settlement.NONE, blank=True
    )
    settled_at = models.DateTimeField(null=True, blank=True)
    return_code = models.CharField(max_length=4, blank=True)
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="api_request"
    )
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return f"API request {self.idempotency_key} ({self.get_state_display()})"


class GatewayEvent(models.Model):
    """A processor callback event received and applied, by the processor's event id.

    A callback whose event id is here already is refused: a processor's redelivery
    changes nothing, and neither does a captured callback posted again."""

    gateway = models.CharField(max_length=40)
    event_id = models.CharField(max_length=120)
    kind = models.CharField(max_length=10)
    authorization = models.CharField(max_length=64)
    sent_at = models.DateTimeField()
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="gateway_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.event_id} ({self.kind})"


class RecurringCard(AuditedModel):
    """A member's card charged on each bill's due date for the amount due (autopay by card).

    Only the processor's token, the last four digits, the brand and the expiry are kept,
    never the card number. One active card per account; stopping it keeps the row
    (``stopped_on``) for the audit trail. ``coopcis autopay charge`` charges it."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="recurring_cards"
    )
    gateway = models.CharField(max_length=40)
    token = models.CharField(max_length=200)
    last4 = models.CharField(max_length=4)
    brand = models.CharField(max_length=20, blank=True)
    expiry_month = models.PositiveSmallIntegerField()
    expiry_year = models.PositiveSmallIntegerField()
    holder_name = models.CharField(max_length=80)
    enrolled_on = models.DateField()
    stopped_on = models.DateField(null=True, blank=True)

    audit_exclude = ("token",)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(stopped_on__isnull=True),
                name="one_active_recurring_card",
            )
        ]

    def __str__(self) -> str:
        return f"{self.brand or 'Card'} ending {self.last4} for account {self.account_id}"

    def audit_account_id(self) -> int | None:
        return self.account_id


from coopcis.apps.payments.ach.models import *  # noqa: E402, F403
