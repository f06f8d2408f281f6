"""Parties, memberships, member accounts, bank-draft mandates and applications for service.

DOMAIN.md "Members and accounts": anyone in the service area (person, firm, trust,
agency...) may take service as a member or, declining membership, as a non-member;
one membership per person, not transferable; each metered location billed separately.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from coopcis.apps.audit.tracking import AuditedModel
from coopcis.apps.members.requests import MemberRequest
from coopcis.catalog.profiles import active_profile
from coopcis.core.addresses import Address
from coopcis.core.search import address_search_text, digits_only, name_search_text
from coopcis.site.encryption import EncryptedTextField


class PartyKind(models.TextChoices):
    PERSON = "PERSON", "Person"
    ORGANIZATION = "ORGANIZATION", "Organization"


class OrganizationKind(models.TextChoices):
    NONE = "", "-"
    FIRM = "FIRM", "Firm or company"
    PARTNERSHIP = "PARTNERSHIP", "Partnership"
    TRUST = "TRUST", "Trust"
    ESTATE = "ESTATE", "Estate"
    AGENCY = "AGENCY", "Government agency"
    CHURCH = "CHURCH", "Church or non-profit"
    ASSOCIATION = "ASSOCIATION", "Association"


class Language(models.TextChoices):
    ENGLISH = "EN", "English"
    SPANISH = "ES", "Spanish"


class Party(AuditedModel):
    """A person or organization the co-op deals with: a member, non-member or applicant."""

    kind = models.CharField(max_length=12, choices=PartyKind.choices)
    organization_kind = models.CharField(
        max_length=12, choices=OrganizationKind.choices, blank=True, default=""
    )
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    organization_name = models.CharField(max_length=160, blank=True)
    display_name = models.CharField(max_length=200, db_index=True, editable=False)
    phone = models.CharField(max_length=20, blank=True, db_index=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    #: The name folded for search (core/search.py): no accents, upper case, padded.
    search_name = models.CharField(max_length=240, editable=False, default="")
    #: The phone's digits alone, so "(575) 682-4411" is found by "682-4411" or "4411".
    phone_digits = models.CharField(max_length=20, editable=False, default="")

    audit_exclude = ("search_name", "phone_digits")

    class Meta:
        verbose_name_plural = "parties"
        constraints = [
            models.CheckConstraint(
                name="party_named",
                condition=(
                    models.Q(kind="PERSON") & ~models.Q(last_name="")
                    | models.Q(kind="ORGANIZATION") & ~models.Q(organization_name="")
                ),
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.display_name = self.compose_display_name()
        self.search_name = self.compose_search_name()
        self.phone_digits = digits_only(self.phone)
        super().save(*args, **kwargs)

    def compose_search_name(self) -> str:
        return name_search_text(self.display_name)[:240]

    def compose_display_name(self) -> str:
        if self.kind == PartyKind.ORGANIZATION:
            return self.organization_name.strip()
        return f"{self.last_name.strip()}, {self.first_name.strip()}".strip(", ")


class MembershipKind(models.TextChoices):
    MEMBER = "MEMBER", "Member"
    NON_MEMBER = "NON_MEMBER", "Non-member service"


class MembershipStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"
    DECEASED = "DECEASED", "Deceased"
    DISSOLVED = "DISSOLVED", "Dissolved"
    NON_USE = "NON_USE", "Ended for not using energy"
    EXPELLED = "EXPELLED", "Expelled"


class Membership(AuditedModel):
    """A party's one membership (bylaws art. I): never transferred, ended with a reason.

    Members vote; non-members take service under the same rules without a vote.
    ``party`` is unique: a second membership for the same party is refused.
    """

    party = models.OneToOneField(Party, on_delete=models.PROTECT, related_name="membership")
    number = models.CharField(max_length=12, unique=True)
    kind = models.CharField(max_length=10, choices=MembershipKind.choices)
    status = models.CharField(
        max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    joined_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="membership_end_after_join",
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("joined_on")),
            )
        ]

    def __str__(self) -> str:
        return f"Membership {self.number} ({self.get_status_display()})"

    @property
    def can_vote(self) -> bool:
        return self.kind == MembershipKind.MEMBER and self.status == MembershipStatus.ACTIVE


class JointMember(AuditedModel):
    """A person holding a membership jointly with its party (spouses, say): still one
    membership and one vote (bylaws art. I sec. 1, art. III sec. 5). What a joint member's
    death does to the membership's capital credits is the profile's ``joint_estate``
    (``capital_credits/estates.py``); ``died_on`` records it."""

    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="joint_members"
    )
    name = models.CharField(max_length=200)
    died_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "name"], name="joint_member_once")
        ]

    def __str__(self) -> str:
        return self.name


class MembershipEventKind(models.TextChoices):
    JOINED = "JOINED", "Joined"
    WITHDRAWN = "WITHDRAWN", "Withdrew"
    DECEASED = "DECEASED", "Died"
    DISSOLVED = "DISSOLVED", "Dissolved"
    NON_USE = "NON_USE", "Stopped using energy"
    EXPELLED = "EXPELLED", "Expelled"
    REINSTATED = "REINSTATED", "Reinstated"


class MembershipEvent(models.Model):
    """A dated step in a membership's life, with its reason and authority (e.g. board vote)."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=MembershipEventKind.choices)
    on = models.DateField()
    reason = models.CharField(max_length=300, blank=True)
    authority = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class RateClass(models.TextChoices):
    RESIDENTIAL = "RESIDENTIAL", "Residential"
    SMALL_COMMERCIAL = "SMALL_COMMERCIAL", "Small commercial"
    IRRIGATION = "IRRIGATION", "Irrigation"
    LARGE_COMMERCIAL = "LARGE_COMMERCIAL", "Large commercial"
    LIGHTING = "LIGHTING", "Lighting"


class AccountStatus(models.TextChoices):
    PENDING = "PENDING", "Pending connection"
    ACTIVE = "ACTIVE", "Active"
    CLOSED = "CLOSED", "Closed"


class Account(AuditedModel):
    """A billing account: whom the co-op bills, where it mails, in which language.

    Due days come from the co-op profile by rate class (SEC policy 407: residential 20
    days; small commercial, irrigation and large commercial 10; OCEC: 20 for all).
    """

    number = models.CharField(max_length=12, unique=True)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="accounts")
    rate_class = models.CharField(max_length=16, choices=RateClass.choices)
    status = models.CharField(
        max_length=8, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    billing_cycle = models.PositiveSmallIntegerField(default=1)
    paperless = models.BooleanField(default=False)
    autopay = models.BooleanField(default=False)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    mailing_line1 = models.CharField(max_length=120)
    mailing_line2 = models.CharField(max_length=120, blank=True)
    mailing_city = models.CharField(max_length=60)
    mailing_state = models.CharField(max_length=2, default="NM")
    mailing_zip = models.CharField(max_length=10)
    phone = models.CharField(max_length=20, blank=True, db_index=True)
    email = models.EmailField(blank=True)
    #: The mailing street folded for search (core/search.py), suffixes in both spellings.
    mailing_search = models.CharField(max_length=300, editable=False, default="")
    phone_digits = models.CharField(max_length=20, editable=False, default="")

    audit_exclude = ("mailing_search", "phone_digits")

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="account_closed_after_opened",
                condition=models.Q(closed_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
            )
        ]

    def __str__(self) -> str:
        return f"Account {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.mailing_search = self.compose_mailing_search()
        self.phone_digits = digits_only(self.phone)
        super().save(*args, **kwargs)

    def compose_mailing_search(self) -> str:
        return address_search_text(f"{self.mailing_line1} {self.mailing_line2}")[:300]

    def audit_account_id(self) -> int | None:
        return self.pk

    @property
    def mailing_address(self) -> Address:
        return Address(
            line1=self.mailing_line1,
            line2=self.mailing_line2,
            city=self.mailing_city,
            state=self.mailing_state,
            zip_code=self.mailing_zip,
        )

    @property
    def due_days(self) -> int:
        return active_profile().due_days_for(self.rate_class)


class BankAccountType(models.TextChoices):
    CHECKING = "CHECKING", "Checking"
    SAVINGS = "SAVINGS", "Savings"


class DraftDay(models.IntegerChoices):
    THIRD = 3, "3rd of the month"
    TWENTY_FIFTH = 25, "25th of the month"


class BankDraftMandate(AuditedModel):
    """Automatic bank draft enrolment (OCEC handbook: form plus voided check; 3rd or 25th)."""

    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="bank_draft")
    draft_day = models.PositiveSmallIntegerField(choices=DraftDay.choices)
    bank_name = models.CharField(max_length=80, blank=True)
    # encrypted at rest; screens and the audit trail show the last four digits
    routing_number = EncryptedTextField()
    bank_account_number = EncryptedTextField()
    bank_account_type = models.CharField(max_length=8, choices=BankAccountType.choices)
    holder_name = models.CharField(max_length=80)
    signed_on = models.DateField()
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"Bank draft on the {self.draft_day} for {self.account}"

    def audit_account_id(self) -> int | None:
        return self.account_id


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "SUBMITTED", "Submitted"
    APPROVED = "APPROVED", "Approved"
    CONNECTED = "CONNECTED", "Connected"
    DECLINED = "DECLINED", "Declined"


class ServiceApplication(AuditedModel):
    """An application for service (SEC policy 401): made at the office with fees, deposit
    and any special agreement; once accepted, a binding, non-transferable agreement.

    Workflow: SUBMITTED -> APPROVED -> CONNECTED, or SUBMITTED/APPROVED -> DECLINED.
    """

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="applications")
    premise = models.ForeignKey(
        "premises.Premise", on_delete=models.PROTECT, related_name="applications"
    )
    rate_class = models.CharField(max_length=16, choices=RateClass.choices)
    tariff_code = models.CharField(max_length=40)
    membership_kind = models.CharField(
        max_length=10, choices=MembershipKind.choices, default=MembershipKind.MEMBER
    )
    status = models.CharField(
        max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    submitted_on = models.DateField()
    decided_on = models.DateField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    connected_on = models.DateField(null=True, blank=True)
    requested_on = models.DateField(help_text="Date service is wanted")
    special_agreement = models.TextField(blank=True)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )

    class Meta:
        permissions = [("decide_serviceapplication", "Can approve or decline applications")]

    def __str__(self) -> str:
        return f"Application {self.pk} ({self.get_status_display()})"

    def audit_account_id(self) -> int | None:
        return self.account_id


class ChargeKind(models.TextChoices):
    FEE = "FEE", "Fee"
    DEPOSIT = "DEPOSIT", "Deposit"


class ApplicationCharge(models.Model):
    """An amount an application carries (connect fee, deposit): owed before connection."""

    application = models.ForeignKey(
        ServiceApplication, on_delete=models.PROTECT, related_name="charges"
    )
    kind = models.CharField(max_length=8, choices=ChargeKind.choices)
    fee_code = models.CharField(max_length=40, blank=True)
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(name="charge_positive", condition=models.Q(amount__gt=0))
        ]

    def __str__(self) -> str:
        return f"{self.description} ${self.amount}"


class ContactChannel(models.TextChoices):
    PHONE = "PHONE", "Phone call"
    OFFICE = "OFFICE", "Office visit"
    EMAIL = "EMAIL", "Email"
    LETTER = "LETTER", "Letter"
    FIELD = "FIELD", "Field visit"
    NOTE = "NOTE", "Note"


class ContactNote(models.Model):
    """The account's notes and contact log: who at the co-op, when, how the member was in
    touch and what was said. Kept as written (a correction is a new note); a note can be
    pinned so everyone who opens the account reads it first ("member is hard of hearing:
    call the daughter")."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="contact_notes")
    at = models.DateTimeField(default=timezone.now)
    by = models.CharField(max_length=150, help_text="The staff member who wrote it")
    channel = models.CharField(max_length=6, choices=ContactChannel.choices)
    text = models.TextField()
    pinned = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["account", "-at"])]
        constraints = [
            models.CheckConstraint(name="contact_note_has_text", condition=~models.Q(text=""))
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.at:%Y-%m-%d} by {self.by}"


class AddressRequestStatus(models.TextChoices):
    REQUESTED = "REQUESTED", "Waiting for the co-op"
    CONFIRMED = "CONFIRMED", "Confirmed"
    DECLINED = "DECLINED", "Declined"


class AddressChangeRequest(MemberRequest):
    """A member's request, from the portal, to mail an account's bills and letters to a new
    address. The address was checked as a mailing address (``core.addresses``) when asked;
    it waits on staff's work list; confirmed, it becomes the account's mailing address
    (an audited change of the account); declined, it carries the reason the member reads.
    One request waits per account at a time."""

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="address_change_requests"
    )
    line1 = models.CharField(max_length=120)
    line2 = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=60)
    state = models.CharField(max_length=2)
    zip_code = models.CharField(max_length=10)
    requested_on = models.DateField()
    requested_by = models.CharField(max_length=150)
    status = models.CharField(
        max_length=9,
        choices=AddressRequestStatus.choices,
        default=AddressRequestStatus.REQUESTED,
    )
    decline_reason = models.CharField(max_length=300, blank=True)

    waiting_status = AddressRequestStatus.REQUESTED

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(status="REQUESTED"),
                name="one_waiting_address_request",
            )
        ]

    def __str__(self) -> str:
        return f"Address change request {self.pk} ({self.get_status_display()})"

    @property
    def address(self) -> Address:
        return Address(
            line1=self.line1,
            line2=self.line2,
            city=self.city,
            state=self.state,
            zip_code=self.zip_code,
        )
