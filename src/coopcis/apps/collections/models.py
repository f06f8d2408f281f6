"""Collection models: cases, notices, protections, agreements and field service orders.

The rules are in ``coopcis.core.collections`` (steps, protections, agreements); these
models store what happened, with the database keeping the daily job exactly-once: one
notice per case, kind and round; one open case per account; one disconnect order per
case and day.
"""

from __future__ import annotations

from django.db import models

from coopcis.apps.audit.tracking import AuditedModel
from coopcis.apps.members.requests import MemberRequest


class Stage(models.TextChoices):
    ARREARS = "ARREARS", "In arrears"
    SECOND_NOTICE = "SECOND_NOTICE", "Second notice sent"
    DISCONNECT_NOTICE = "DISCONNECT_NOTICE", "Disconnection notice sent"
    FINAL_CONTACT = "FINAL_CONTACT", "Final contact made"
    DISCONNECT_ORDERED = "DISCONNECT_ORDERED", "Disconnect ordered"
    DISCONNECTED = "DISCONNECTED", "Disconnected for non-payment"
    RECONNECT_ORDERED = "RECONNECT_ORDERED", "Reconnect ordered"
    CLOSED = "CLOSED", "Closed"


class CollectionCase(models.Model):
    """One delinquency of one account: opened on its oldest past-due bill, carried through
    the notices to disconnection and reconnection, closed when nothing is past due.

    ``round`` counts disconnection notices: a notice renewed (a protection lapsed, an
    agreement broke) starts a new round. ``protected_by`` holds the protections found on
    the latest run, each with why; ``next_step``/``next_step_on`` what staff see."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="collection_cases"
    )
    bill = models.OneToOneField(
        "billing.Bill", on_delete=models.PROTECT, related_name="collection_case"
    )
    opened_on = models.DateField()
    stage = models.CharField(max_length=18, choices=Stage.choices, default=Stage.ARREARS)
    round = models.PositiveSmallIntegerField(default=1)
    past_due_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    disconnect_on = models.DateField(null=True, blank=True)
    protected_by = models.JSONField(default=list, blank=True)
    next_step = models.CharField(max_length=20, blank=True)
    next_step_on = models.DateField(null=True, blank=True)
    reviewed_on = models.DateField(null=True, blank=True)
    disconnected_on = models.DateField(null=True, blank=True)
    reconnect_fee_item = models.ForeignKey(
        "receivables.ReceivableItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(closed_on__isnull=True),
                name="one_open_collection_case_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"Collection case {self.pk} {self.account_id} ({self.get_stage_display()})"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class NoticeKind(models.TextChoices):
    SECOND = "SECOND", "Second notice"
    DISCONNECT = "DISCONNECT", "15-day disconnection notice"
    THIRD_PARTY = "THIRD_PARTY", "Copy to the member's third party"
    FINAL_CONTACT = "FINAL_CONTACT", "Final contact"


class Notice(models.Model):
    """A notice sent (or contact made) for a case: what it said, to whom, in which language,
    and its PDF. A disconnection notice is printed in English and Spanish, the member's
    language first (``language``)."""

    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, related_name="notices")
    account = models.ForeignKey("members.Account", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=13, choices=NoticeKind.choices)
    round = models.PositiveSmallIntegerField()
    language = models.CharField(max_length=2)
    bilingual = models.BooleanField(default=False)
    sent_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    pay_by = models.DateField(null=True, blank=True)
    disconnect_on = models.DateField(null=True, blank=True)
    recipient = models.CharField(max_length=200)
    method = models.CharField(max_length=10, default="MAIL")
    pdf = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "round"], name="one_notice_per_case_kind_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sent_on} ${self.amount}"


class ThirdPartyContact(AuditedModel):
    """Someone the member named to be told of a disconnection notice (17.5.410 NMAC)."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="third_parties"
    )
    name = models.CharField(max_length=120)
    mailing_address = models.CharField(max_length=300)
    phone = models.CharField(max_length=20, blank=True)
    #: Where an email copy of each notice goes as well as the paper one (blank: post only).
    email = models.EmailField(blank=True)
    named_on = models.DateField()
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"Third party {self.name}"

    def audit_account_id(self) -> int | None:
        return self.account_id


class Profession(models.TextChoices):
    PHYSICIAN = "PHYSICIAN", "Physician (medicine)"
    DENTIST = "DENTIST", "Dentist"
    OSTEOPATH = "OSTEOPATH", "Osteopath"
    CHIROPRACTOR = "CHIROPRACTOR", "Chiropractor"


class MedicalCertificate(AuditedModel):
    """Policy 422: a licensed practitioner certifies that disconnection might endanger the
    life of a seriously ill person at the residence; with the responsible person's affidavit
    of financial inability. Valid for the billing it was made for (``bill``) only."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="medical_certificates"
    )
    bill = models.ForeignKey("billing.Bill", on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField()
    profession = models.CharField(max_length=12, choices=Profession.choices)
    certifier_name = models.CharField(max_length=120)
    license_number = models.CharField(max_length=40)
    ill_person = models.CharField(max_length=120)
    affidavit_of_inability = models.BooleanField()

    def __str__(self) -> str:
        return f"Medical certificate {self.received_on} for bill {self.bill_id}"

    def audit_account_id(self) -> int | None:
        return self.account_id


class UploadStatus(models.TextChoices):
    SUBMITTED = "SUBMITTED", "Waiting for the co-op"
    ACCEPTED = "ACCEPTED", "Accepted"
    REJECTED = "REJECTED", "Rejected"


class CertificateUpload(MemberRequest):
    """A seriously ill person's medical certificate a member sent from the portal (a PDF or
    a photo), waiting for staff to read it. Accepted, staff enter what it certifies and it
    becomes the :class:`MedicalCertificate` the back office records (``certificate``), which
    protects the account as policy 422 says; rejected, it carries the reason the member
    reads. The file is kept in the database (never under the web server's files, and it
    comes back with a backup), checked by its content, and sent only to the account's
    members and to staff."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="certificate_uploads"
    )
    filename = models.CharField(max_length=100)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    ill_person = models.CharField(max_length=120, blank=True)
    member_note = models.CharField(max_length=500, blank=True)
    uploaded_on = models.DateField()
    uploaded_by = models.CharField(max_length=150)
    status = models.CharField(
        max_length=9, choices=UploadStatus.choices, default=UploadStatus.SUBMITTED
    )
    reject_reason = models.CharField(max_length=300, blank=True)
    certificate = models.OneToOneField(
        MedicalCertificate, null=True, blank=True, on_delete=models.PROTECT, related_name="upload"
    )

    audit_exclude = ("data",)
    waiting_status = UploadStatus.SUBMITTED
    reason_field = "reject_reason"
    noun = "certificate"

    def __str__(self) -> str:
        return f"Certificate upload {self.pk} ({self.get_status_display()})"


class LiheapQualification(models.Model):
    """The member qualified for LIHEAP for the heating season starting ``season_start``
    (November 15)."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="liheap_qualifications"
    )
    season_start = models.DateField()
    qualified_on = models.DateField()
    reference = models.CharField(max_length=80, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "season_start"], name="one_liheap_per_account_season"
            )
        ]

    def __str__(self) -> str:
        return f"LIHEAP {self.season_start:%Y}-{self.season_start.year + 1}"


class AgreementKind(models.TextChoices):
    INSTALLMENT = "INSTALLMENT", "Installment agreement"
    SETTLEMENT = "SETTLEMENT", "Settlement agreement"


class AgreementStatus(models.TextChoices):
    KEPT = "KEPT", "Being kept"
    BROKEN = "BROKEN", "Broken"
    COMPLETED = "COMPLETED", "Completed"


class Agreement(models.Model):
    """An installment or settlement agreement for a past-due amount: its terms and schedule
    (``installments``), kept, completed or broken (broken reopens collection)."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="payment_agreements"
    )
    kind = models.CharField(max_length=11, choices=AgreementKind.choices)
    made_on = models.DateField()
    total_amount = models.DecimalField(max_digits=12, decimal_places=2)
    down_payment_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    terms = models.TextField()
    status = models.CharField(
        max_length=9, choices=AgreementStatus.choices, default=AgreementStatus.KEPT
    )
    broken_on = models.DateField(null=True, blank=True)
    shortfall_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.made_on} ${self.total_amount}"


class AgreementInstallment(models.Model):
    """One payment due under an agreement."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="installments")
    due_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"${self.amount} due {self.due_on}"


class DisputeStatus(models.TextChoices):
    INVESTIGATING = "INVESTIGATING", "Under investigation"
    RESOLVED = "RESOLVED", "Resolved"


class Dispute(models.Model):
    """A disputed amount under investigation (policy 409): no disconnection meanwhile."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="disputes"
    )
    bill = models.ForeignKey(
        "billing.Bill", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    opened_on = models.DateField()
    description = models.CharField(max_length=300)
    status = models.CharField(
        max_length=13, choices=DisputeStatus.choices, default=DisputeStatus.INVESTIGATING
    )
    resolved_on = models.DateField(null=True, blank=True)
    resolution = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"Dispute {self.opened_on} ${self.amount} ({self.get_status_display()})"


class CoopHold(models.Model):
    """A hold the co-op placed on collection for an account (manager review, billing error,
    emergency): active from ``placed_on`` until released or ``until``."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="collection_holds"
    )
    reason = models.CharField(max_length=200)
    placed_on = models.DateField()
    until = models.DateField(null=True, blank=True)
    released_on = models.DateField(null=True, blank=True)
    placed_by = models.CharField(max_length=150)

    def __str__(self) -> str:
        return f"Hold {self.placed_on}: {self.reason}"


class OrderKind(models.TextChoices):
    DISCONNECT = "DISCONNECT", "Disconnect"
    RECONNECT = "RECONNECT", "Reconnect"
    COLLECT = "COLLECT", "Collect at the premises"
    METER_TEST = "METER_TEST", "Meter test"
    TROUBLE_CALL = "TROUBLE_CALL", "Trouble call"
    CONNECT = "CONNECT", "Connect"


class OrderReason(models.TextChoices):
    NON_PAYMENT = "NON_PAYMENT", "Non-payment"
    HAZARD = "HAZARD", "Hazardous condition (no notice)"
    HARMFUL_EQUIPMENT = "HARMFUL_EQUIPMENT", "Equipment harming the system (no notice)"
    TAMPERING = "TAMPERING", "Tampering (no notice)"
    UNAUTHORIZED_USE = "UNAUTHORIZED_USE", "Unauthorized use (no notice)"
    MEMBER_REQUEST = "MEMBER_REQUEST", "Member's request"
    PAID = "PAID", "Delinquent amount, fees and deposit paid"


class OrderStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    COMPLETED = "COMPLETED", "Completed"
    CANCELLED = "CANCELLED", "Cancelled"


class ServiceOrder(models.Model):
    """Work for the field: disconnect, reconnect, collect, meter test, trouble call, connect;
    the fee it carries (from the profile) charged when the work is done.

    ``latest_payment_id`` is the account's latest payment when the order was generated: a
    payment posted after it cancels a non-payment disconnect (checked again in the field)."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="service_orders"
    )
    case = models.ForeignKey(
        CollectionCase, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    kind = models.CharField(max_length=12, choices=OrderKind.choices)
    reason = models.CharField(max_length=17, choices=OrderReason.choices)
    without_notice = models.BooleanField(default=False)
    created_on = models.DateField()
    scheduled_on = models.DateField()
    window = models.CharField(max_length=20, help_text="Business hours the work is due in")
    after_hours = models.BooleanField(default=False)
    fee_code = models.CharField(max_length=40, blank=True)
    fee_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    status = models.CharField(max_length=9, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    latest_payment_id = models.BigIntegerField(default=0)
    note = models.CharField(max_length=300, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.CharField(max_length=150, blank=True)
    fee_item = models.ForeignKey(
        "receivables.ReceivableItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_on = models.DateField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "created_on"],
                condition=models.Q(case__isnull=False),
                name="one_order_per_case_kind_day",
            ),
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(status="OPEN", case__isnull=False),
                name="one_open_order_per_case_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} order {self.pk} ({self.get_status_display()})"


class ArrangementStatus(models.TextChoices):
    REQUESTED = "REQUESTED", "Waiting for the co-op"
    APPROVED = "APPROVED", "Approved"
    DECLINED = "DECLINED", "Declined"


class ArrangementRequest(MemberRequest):
    """A member's request, from the portal, for a payment arrangement (an installment
    agreement) when a bill cannot be paid by its due date: how much now, and over how many
    months the rest. It waits on staff's work list; approved, it becomes the
    :class:`Agreement` the back office makes; declined, it carries the reason the member
    is shown. One request waits per account at a time."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="arrangement_requests"
    )
    bill = models.ForeignKey(
        "billing.Bill", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_on = models.DateField()
    requested_by = models.CharField(max_length=150)
    amount_now = models.DecimalField(max_digits=12, decimal_places=2)
    months = models.PositiveSmallIntegerField()
    owed_amount = models.DecimalField(max_digits=12, decimal_places=2)
    member_note = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=9, choices=ArrangementStatus.choices, default=ArrangementStatus.REQUESTED
    )
    decline_reason = models.CharField(max_length=300, blank=True)
    agreement = models.OneToOneField(
        Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="request"
    )

    waiting_status = ArrangementStatus.REQUESTED

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(status="REQUESTED"),
                name="one_waiting_arrangement_request",
            ),
            models.CheckConstraint(
                name="arrangement_months_1_to_24",
                condition=models.Q(months__gte=1, months__lte=24),
            ),
        ]

    def __str__(self) -> str:
        return f"Arrangement request {self.pk} ({self.get_status_display()})"
