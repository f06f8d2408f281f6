"""Back-office forms. They parse input; the service functions decide.

A form checks only what it must to call a service (dates are dates, an account
number names an account). The co-op's rules (a mailable ZIP, one membership, a meter
at one place, no overlapping agreements) are the services' to enforce; their refusal
comes back as a :class:`RuleViolation` and :func:`add_violation` shows it against
the field at fault.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from coopcis.apps.members.models import (
    Account,
    Language,
    MembershipKind,
    OrganizationKind,
    Party,
    PartyKind,
    RateClass,
)
from coopcis.apps.members.services import ACCOUNT_EDITABLE
from coopcis.apps.metering.models import Meter
from coopcis.apps.premises.models import Premise, PremiseKind, ServicePoint
from coopcis.apps.staff.forms import add_violation as add_violation
from coopcis.apps.staff.forms import form_field_for as form_field_for
from coopcis.catalog.profiles import active_profile
from coopcis.site.fields import CoordinateField, MoneyField, NumberField


def tariff_code_options() -> list[str]:
    """Codes for the tariff input's suggestions; the service checks the code itself."""
    try:
        from coopcis.catalog.tariffs import tariff_codes
    except ImportError:  # the catalog ships separately; without it, no suggestions
        return []
    return list(tariff_codes())


def date_field(label: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


class AccountForm(forms.Form):
    """Contact and preferences of an account (``members.services.update_account``)."""

    mailing_line1 = forms.CharField(label="Mailing street", max_length=120)
    mailing_line2 = forms.CharField(label="Mailing line 2", max_length=120, required=False)
    mailing_city = forms.CharField(label="City", max_length=60)
    # No length limits here: the address check explains what a state or ZIP must be.
    mailing_state = forms.CharField(label="State")
    mailing_zip = forms.CharField(label="ZIP")
    phone = forms.CharField(max_length=20, required=False)
    email = forms.EmailField(required=False)
    language = forms.ChoiceField(choices=Language.choices)
    paperless = forms.BooleanField(required=False)
    billing_cycle = forms.IntegerField(label="Billing cycle")
    reason = forms.CharField(
        max_length=300, required=False, help_text="Why it changed (kept in the history)"
    )

    @classmethod
    def for_account(cls, account: Account, data: Any = None) -> AccountForm:
        return cls(data, initial={name: getattr(account, name) for name in ACCOUNT_EDITABLE})

    def clean_mailing_state(self) -> str:
        return self.cleaned_data["mailing_state"].strip().upper()

    def clean_mailing_zip(self) -> str:
        return self.cleaned_data["mailing_zip"].strip()

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ACCOUNT_EDITABLE}


def _account_by_number(number: str) -> Account:
    account = Account.objects.select_related("party").filter(number=number.strip()).first()
    if account is None:
        raise forms.ValidationError(f"No account {number.strip()}.")
    return account


class MembershipForm(forms.Form):
    """Enroll the account's party as a member or non-member (``enroll_membership``)."""

    party = forms.ChoiceField(label="Party")
    kind = forms.ChoiceField(label="Kind", choices=MembershipKind.choices)
    joined_on = date_field("Joined on")
    number = forms.CharField(
        label="Membership number",
        max_length=12,
        required=False,
        help_text="Leave empty for the next number.",
    )

    def __init__(self, *args: Any, party: Party, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [(str(party.pk), party.display_name)]
        self.fields["party"].initial = str(party.pk)


class ApplicationForm(forms.Form):
    """An application for service: an existing party (by one of its account numbers) or a
    new one, at an existing premise (by number) or a new one."""

    applicant_account = forms.CharField(
        label="Applicant's account number",
        required=False,
        help_text="For an existing member or customer; leave empty for a new party.",
    )
    party_kind = forms.ChoiceField(
        label="New party is a", choices=[("", "—"), *PartyKind.choices], required=False
    )
    party_first_name = forms.CharField(label="First name", max_length=80, required=False)
    party_last_name = forms.CharField(label="Last name", max_length=80, required=False)
    party_organization_name = forms.CharField(
        label="Organization name", max_length=160, required=False
    )
    party_organization_kind = forms.ChoiceField(
        label="Organization kind", choices=OrganizationKind.choices, required=False
    )
    party_phone = forms.CharField(label="Phone", max_length=20, required=False)
    party_email = forms.EmailField(label="Email", required=False)

    premise_id = forms.IntegerField(
        label="Existing premise number",
        required=False,
        help_text="As shown on the account page; leave empty for a new premise.",
    )
    premise_kind = forms.ChoiceField(
        label="Premise kind", choices=[("", "—"), *PremiseKind.choices], required=False
    )
    premise_line1 = forms.CharField(label="Street", max_length=120, required=False)
    premise_line2 = forms.CharField(label="Line 2", max_length=120, required=False)
    premise_city = forms.CharField(label="City", max_length=60, required=False)
    premise_state = forms.CharField(label="State", required=False, initial="NM")
    premise_zip_code = forms.CharField(label="ZIP", required=False)
    premise_county = forms.CharField(label="County", max_length=40, required=False)
    premise_district = forms.ChoiceField(label="Trustee district", required=False)
    premise_latitude = CoordinateField(label="Latitude", largest=90, required=False)
    premise_longitude = CoordinateField(label="Longitude", largest=180, required=False)

    rate_class = forms.ChoiceField(label="Rate class", choices=RateClass.choices)
    tariff_code = forms.CharField(
        label="Tariff", max_length=40, widget=forms.TextInput(attrs={"list": "tariff-codes"})
    )
    membership_kind = forms.ChoiceField(label="Service as", choices=MembershipKind.choices)
    submitted_on = date_field("Submitted on")
    requested_on = date_field("Service wanted on")
    deposit_amount = MoneyField(label="Deposit", required=False)
    after_hours = forms.BooleanField(label="After-hours connection", required=False)
    special_agreement = forms.CharField(
        label="Special agreement", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["premise_district"].choices = [("", "—"), *active_profile().districts]
        self.party: Party | None = None
        self.premise: Premise | None = None

    def clean_applicant_account(self) -> str:
        number = self.cleaned_data["applicant_account"].strip()
        if number:
            self.party = _account_by_number(number).party
        return number

    def clean_premise_id(self) -> int | None:
        premise_id = self.cleaned_data["premise_id"]
        if premise_id is not None:
            self.premise = Premise.objects.filter(pk=premise_id).first()
            if self.premise is None:
                raise forms.ValidationError(f"No premise {premise_id}.")
        return premise_id

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("applicant_account") and data.get("party_kind"):
            self.add_error("party_kind", "Either an existing applicant or a new party, not both.")
        elif data.get("applicant_account") == "" and not data.get("party_kind"):
            self.add_error("party_kind", "Give the applicant's account number or a new party.")
        if data.get("premise_id") is not None and data.get("premise_line1"):
            self.add_error("premise_line1", "Either an existing premise or a new one, not both.")
        elif "premise_id" in data and data["premise_id"] is None and not data.get("premise_kind"):
            self.add_error("premise_kind", "Give a premise number or the new premise's details.")
        return data

    def _prefixed(self, prefix: str) -> dict[str, Any]:
        return {
            name.removeprefix(prefix): value
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix) and name != "premise_id"
        }

    def new_party(self) -> dict[str, Any] | None:
        return None if self.party is not None else self._prefixed("party_")

    def new_premise(self) -> dict[str, Any] | None:
        if self.premise is not None:
            return None
        fields = self._prefixed("premise_")
        fields["state"] = fields["state"].strip().upper()
        return fields

    def application(self) -> dict[str, Any]:
        names = (
            "rate_class", "tariff_code", "membership_kind", "submitted_on", "requested_on",
            "deposit_amount", "after_hours", "special_agreement",
        )  # fmt: skip
        return {name: self.cleaned_data[name] for name in names}


class ApproveForm(forms.Form):
    on = date_field("Decided on")
    note = forms.CharField(label="Note", max_length=300, required=False)


class DeclineForm(forms.Form):
    on = date_field("Decided on")
    decision_note = forms.CharField(label="Why declined", max_length=300, required=False)


class ConnectForm(forms.Form):
    """Connect an approved application at one of the premise's service points, opening the
    account with its mailing address and preferences."""

    service_point = forms.ChoiceField(label="Service point")
    on = date_field("Connected on")
    mailing_line1 = forms.CharField(label="Mailing street", max_length=120)
    mailing_line2 = forms.CharField(label="Mailing line 2", max_length=120, required=False)
    mailing_city = forms.CharField(label="City", max_length=60)
    mailing_state = forms.CharField(label="State")
    mailing_zip = forms.CharField(label="ZIP")
    phone = forms.CharField(max_length=20, required=False)
    email = forms.EmailField(required=False)
    language = forms.ChoiceField(choices=Language.choices)
    paperless = forms.BooleanField(required=False)

    #: ``start_on`` is the agreement's start, which is the connection date.
    ALIASES = {"start_on": "on", "tariff_code": None}

    def __init__(self, *args: Any, service_points: list[ServicePoint], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.points = {point.code: point for point in service_points}
        self.fields["service_point"].choices = [
            (point.code, f"{point.code} ({point.get_kind_display()})") for point in service_points
        ]

    def clean_mailing_state(self) -> str:
        return self.cleaned_data["mailing_state"].strip().upper()

    def account_fields(self) -> dict[str, Any]:
        excluded = {"service_point", "on"}
        return {name: value for name, value in self.cleaned_data.items() if name not in excluded}


class MeterInstallForm(forms.Form):
    service_point = forms.CharField(label="Service point code", max_length=20)
    meter = forms.CharField(label="Meter serial", max_length=30)
    installed_on = date_field("Installed on")

    def clean_service_point(self) -> ServicePoint:
        code = self.cleaned_data["service_point"].strip()
        point = ServicePoint.objects.filter(code=code).first()
        if point is None:
            raise forms.ValidationError(f"No service point {code}.")
        return point

    def clean_meter(self) -> Meter:
        serial = self.cleaned_data["meter"].strip()
        meter = Meter.objects.filter(serial__iexact=serial).first()
        if meter is None:
            raise forms.ValidationError(f"No meter with serial {serial}.")
        return meter


class MeterRemoveForm(forms.Form):
    meter = forms.ChoiceField(label="Meter")
    removed_on = date_field("Removed on")
    reason = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, serials: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meter"].choices = [(serial, serial) for serial in serials]


class AgreementStartForm(forms.Form):
    service_point = forms.CharField(label="Service point code", max_length=20)
    tariff_code = forms.CharField(
        label="Tariff", max_length=40, widget=forms.TextInput(attrs={"list": "tariff-codes"})
    )
    start_on = date_field("Starts on")
    end_on = date_field("Ends on (first day not covered)", required=False)
    contract_kw = NumberField(
        label="Contract kW", places=3, largest=Decimal("9999999.999"), required=False
    )
    loss_factor = NumberField(
        label="Loss factor", places=5, largest=Decimal("0.99999"), initial=0, required=False
    )
    fixtures = forms.IntegerField(label="Fixtures", min_value=1, required=False)

    def clean_service_point(self) -> ServicePoint:
        code = self.cleaned_data["service_point"].strip()
        point = ServicePoint.objects.filter(code=code).first()
        if point is None:
            raise forms.ValidationError(f"No service point {code}.")
        return point

    def terms(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("service_point")
        if data["loss_factor"] is None:
            data.pop("loss_factor")
        return data


class AgreementEndForm(forms.Form):
    end_on = date_field("Ends on (first day not covered)")
    reason = forms.CharField(max_length=300, required=False)
