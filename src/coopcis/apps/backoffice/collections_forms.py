"""Forms for what staff record against collection (docs/domain/collections.md "Staff forms").

As in :mod:`.forms`, a form parses; ``coopcis.apps.collections.services`` decides. Texts a
service checks (what is disputed, why collection is held, who the third party is) and the
certifier's profession are left to the service, so staff read the policy's own words.
"""

from __future__ import annotations

from typing import Any

from django import forms

from coopcis.apps.backoffice.forms import date_field
from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.collections.models import AgreementKind, Profession
from coopcis.apps.members.models import Account
from coopcis.site.fields import MoneyField


class BillChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} ({obj.period}, due {obj.due_date:%Y-%m-%d}, ${obj.total_amount})"


def _bill_field(label: str, *, required: bool) -> BillChoiceField:
    return BillChoiceField(
        label=label, queryset=Bill.objects.none(), required=required, empty_label="—"
    )


class _AccountBillsForm(forms.Form):
    """A form with a ``bill`` field offering the account's bills, newest first."""

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bill"].queryset = (  # type: ignore[attr-defined]
            Bill.objects.filter(account=account)
            .exclude(status=BillStatus.CANCELLED)
            .order_by("-period", "-id")
        )


class CertificateForm(_AccountBillsForm):
    """Policy 422: a seriously-ill certificate for one billing (``record_certificate``)."""

    bill = _bill_field("For bill (that billing only)", required=True)
    received_on = date_field("Received on")
    # A select of the four professions; the service says who may certify.
    profession = forms.CharField(
        label="Certified by a licensed",
        required=False,
        widget=forms.Select(choices=[("", "—"), *Profession.choices]),
    )
    certifier_name = forms.CharField(label="Certifier's name", max_length=120)
    license_number = forms.CharField(label="License number", max_length=40)
    ill_person = forms.CharField(label="Seriously ill person", max_length=120)
    affidavit_of_inability = forms.BooleanField(
        label="Affidavit of inability to pay received",
        required=False,
        help_text="Without it the certificate does not stop a disconnection.",
    )


class LiheapForm(forms.Form):
    """LIHEAP qualification for a heating season (``record_liheap``)."""

    qualified_on = date_field(
        "Qualified on",
        help_text="Before November 15 it counts for the coming heating season.",
    )
    reference = forms.CharField(label="Reference", max_length=80, required=False)


class PaymentAgreementForm(forms.Form):
    """An installment or settlement agreement and its schedule (``make_agreement``)."""

    kind = forms.ChoiceField(label="Kind", choices=AgreementKind.choices)
    made_on = date_field("Made on")
    # Shown, never typed: the service takes the account's past-due amount on the day made.
    total_amount = forms.DecimalField(
        label="Total past due",
        max_digits=12,
        decimal_places=2,
        disabled=True,
        required=False,
        help_text="From the account: open charges due before the day the agreement is made.",
    )
    down_payment_amount = MoneyField(label="Down payment (due the day made)")
    installments = forms.IntegerField(label="Installments")
    first_due_on = date_field("First installment due on")
    every_days = forms.IntegerField(label="Every (days)", min_value=1)
    terms_text = forms.CharField(
        label="Terms",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Leave empty for the standard wording.",
    )


class DisputeForm(_AccountBillsForm):
    """Policy 409: a disputed amount under investigation (``open_dispute``)."""

    amount = MoneyField(label="Disputed amount")
    opened_on = date_field("Opened on")
    description = forms.CharField(label="What is disputed", max_length=300, required=False)
    bill = _bill_field("Bill disputed (optional)", required=False)


class ResolveDisputeForm(forms.Form):
    on = date_field("Resolved on")
    resolution = forms.CharField(label="Resolution", max_length=300, required=False)


class HoldForm(forms.Form):
    """A co-op hold on collection, until released or its end date (``place_hold``)."""

    reason = forms.CharField(label="Why collection is held", max_length=200, required=False)
    on = date_field("Placed on")
    until = date_field("Until (last day held)", required=False)


class ReleaseHoldForm(forms.Form):
    on = date_field("Released on")


class ThirdPartyForm(forms.Form):
    """Someone the member names to receive copies of disconnection notices."""

    name = forms.CharField(label="Name", max_length=120, required=False)
    mailing_address = forms.CharField(
        label="Mailing address",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    phone = forms.CharField(label="Phone", max_length=20, required=False)
    email = forms.CharField(label="Email (a copy by email too)", max_length=254, required=False)
    named_on = date_field("Named on")
