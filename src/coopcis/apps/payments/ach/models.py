"""Automatic bank draft by ACH: the co-op's originator set-up, the files sent, each entry,
prenotes, imported return files, and flags on accounts whose payments came back.

DOMAIN.md "Bills and payment": automatic bank draft on the 3rd or the 25th (form plus
voided check). The rules chosen are in docs/domain/bank-draft.md. These models belong to
the payments app (imported by ``coopcis.apps.payments.models``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from coopcis.site.encryption import EncryptedTextField

__all__ = [
    "AccountFlag",
    "AccountFlagKind",
    "AchDraftEntry",
    "AchDraftItem",
    "AchEntryStatus",
    "AchFile",
    "AchFileStatus",
    "AchOriginator",
    "AchReturn",
    "AchReturnFile",
    "Prenote",
    "PrenoteStatus",
]


class AchOriginator(models.Model):
    """The co-op's ACH set-up with its bank (the ODFI): one row, ``pk=1``.

    Installation data, not co-op profile data: it names the co-op's bank relationship.
    """

    immediate_destination = models.CharField(max_length=9, help_text="Routing number")
    destination_name = models.CharField(max_length=23)
    immediate_origin = models.CharField(
        max_length=10, help_text="Routing number, or 1 followed by the co-op's EIN"
    )
    origin_name = models.CharField(max_length=23)
    company_name = models.CharField(max_length=16)
    company_identification = models.CharField(max_length=10)
    originating_dfi = models.CharField(max_length=8, help_text="First 8 digits of the routing")
    entry_description = models.CharField(max_length=10, default="ELEC BILL")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"ACH originator {self.company_name} via {self.destination_name}"


class AchFileStatus(models.TextChoices):
    CREATED = "CREATED", "Created"
    SENT = "SENT", "Sent to the bank"


class AchFile(models.Model):
    """A NACHA file made for one draft date: its exact text, so it can be sent again as is."""

    draft_on = models.DateField(help_text="The 3rd or the 25th the file drafts for")
    created_on = models.DateField()
    created_at = models.DateTimeField()
    effective_on = models.DateField()
    send_on = models.DateField()
    file_id_modifier = models.CharField(max_length=1)
    sha256 = models.CharField(max_length=64, unique=True)
    text = EncryptedTextField(help_text="The file as sent, members' bank details included")
    entry_count = models.PositiveIntegerField()
    prenote_count = models.PositiveIntegerField()
    total_cents = models.BigIntegerField()
    status = models.CharField(
        max_length=7, choices=AchFileStatus.choices, default=AchFileStatus.CREATED
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["created_on", "file_id_modifier"], name="ach_file_modifier_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"ACH file {self.pk} for {self.draft_on} ({self.entry_count} entries)"


class AchEntryStatus(models.TextChoices):
    DRAFTED = "DRAFTED", "Drafted"
    SETTLED = "SETTLED", "Settled (return window passed)"
    RETURNED = "RETURNED", "Returned"


class AchDraftEntry(models.Model):
    """One entry of a file: a live debit of the member's amount due, or a zero prenote.

    A debit's payment is posted when the file is made, dated the effective date, and
    reversed if the entry comes back. One debit per account and draft date.
    """

    file = models.ForeignKey(AchFile, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="ach_entries"
    )
    mandate = models.ForeignKey(
        "members.BankDraftMandate", on_delete=models.PROTECT, related_name="ach_entries"
    )
    draft_on = models.DateField()
    transaction_code = models.PositiveSmallIntegerField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    trace_number = models.CharField(max_length=15, unique=True)
    prenote = models.BooleanField(default=False)
    status = models.CharField(
        max_length=8, choices=AchEntryStatus.choices, default=AchEntryStatus.DRAFTED
    )
    payment = models.OneToOneField(
        "payments.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ach_entry",
    )
    return_code = models.CharField(max_length=3, blank=True)
    returned_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "ACH draft entries"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "draft_on"],
                condition=models.Q(prenote=False),
                name="one_ach_debit_per_account_and_draft_date",
            ),
            models.CheckConstraint(
                name="ach_prenote_is_zero_and_debit_positive",
                condition=models.Q(prenote=True, amount=0) | models.Q(prenote=False, amount__gt=0),
            ),
        ]

    def __str__(self) -> str:
        kind = "prenote" if self.prenote else f"${self.amount}"
        return f"ACH {kind} {self.trace_number} for {self.account_id}"


class AchDraftItem(models.Model):
    """A charge a debit covered: each charge is drafted at most once, ever."""

    entry = models.ForeignKey(AchDraftEntry, on_delete=models.PROTECT, related_name="items")
    item = models.OneToOneField(
        "receivables.ReceivableItem", on_delete=models.PROTECT, related_name="ach_draft"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    def __str__(self) -> str:
        return f"${self.amount} of item {self.item_id} in {self.entry.trace_number}"


class PrenoteStatus(models.TextChoices):
    PENDING = "PENDING", "To be sent with the next file"
    SENT = "SENT", "Sent"
    RETURNED = "RETURNED", "Returned by the member's bank"
    IMPORTED = "IMPORTED", "Proven by the previous system (imported)"


class Prenote(models.Model):
    """A zero-dollar test entry proving the bank details of a mandate before live debits.

    It records the details it tested: a mandate whose bank details change needs a new one.
    A mandate brought over from the co-op's previous system, which had already proved its
    bank details, carries an ``IMPORTED`` prenote instead: no entry, but the day the
    details were proven (``proven_on``) and where that is recorded (``source``).
    """

    mandate = models.ForeignKey(
        "members.BankDraftMandate", on_delete=models.PROTECT, related_name="prenotes"
    )
    routing_number = EncryptedTextField()
    bank_account_number = EncryptedTextField()
    bank_account_type = models.CharField(max_length=8)
    requested_on = models.DateField()
    status = models.CharField(
        max_length=8, choices=PrenoteStatus.choices, default=PrenoteStatus.PENDING
    )
    entry = models.OneToOneField(
        AchDraftEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="prenote_of"
    )
    proven_on = models.DateField(
        null=True, blank=True, help_text="Imported proof: the day the previous system proved it"
    )
    source = models.CharField(
        max_length=120, blank=True, help_text="Imported proof: where it is recorded"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mandate"],
                condition=models.Q(status="PENDING"),
                name="one_pending_prenote_per_mandate",
            ),
            models.CheckConstraint(
                name="imported_prenote_has_date_and_source",
                condition=~models.Q(status="IMPORTED")
                | (models.Q(proven_on__isnull=False, entry__isnull=True) & ~models.Q(source="")),
            ),
        ]

    def __str__(self) -> str:
        return f"Prenote for mandate {self.mandate_id} ({self.get_status_display()})"


class AchReturnFile(models.Model):
    """A returns file from the bank, imported once (by its SHA-256)."""

    sha256 = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    imported_on = models.DateField()
    imported_at = models.DateTimeField(default=timezone.now)
    return_count = models.PositiveIntegerField()
    text = EncryptedTextField(help_text="The file as received, members' bank details included")

    def __str__(self) -> str:
        return f"ACH returns {self.name} ({self.return_count})"


class AchReturn(models.Model):
    """One returned entry of an imported file and what was done about it."""

    return_file = models.ForeignKey(AchReturnFile, on_delete=models.PROTECT, related_name="returns")
    line = models.PositiveIntegerField()
    original_trace_number = models.CharField(max_length=15)
    reason_code = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    date_of_death = models.DateField(null=True, blank=True)
    entry = models.ForeignKey(
        AchDraftEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="returns"
    )
    outcome = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.reason_code} for {self.original_trace_number}: {self.outcome}"


class AccountFlagKind(models.TextChoices):
    RETURNED_PAYMENT = "RETURNED_PAYMENT", "Payment returned"
    PRENOTE_RETURNED = "PRENOTE_RETURNED", "Bank details refused (prenote returned)"
    AUTOPAY_ENDED = "AUTOPAY_ENDED", "Automatic bank draft ended"


class AccountFlag(models.Model):
    """Something staff should see on the account (a returned payment, autopay ended).

    ``source_key`` makes flagging idempotent (``return:<trace>``, ``check:<payment>``).
    """

    account = models.ForeignKey("members.Account", on_delete=models.PROTECT, related_name="flags")
    kind = models.CharField(max_length=16, choices=AccountFlagKind.choices)
    on = models.DateField()
    detail = models.CharField(max_length=200)
    source_key = models.CharField(max_length=80, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["account", "kind", "on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on}: {self.detail}"
