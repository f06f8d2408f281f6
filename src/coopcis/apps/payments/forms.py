"""Cashier forms: open a drawer's batch, take an office payment, count the drawer.

They parse input; ``payments.services`` decides (an unknown or closed account, an amount
that is not more than zero, a tender the office does not take are its refusals, shown
against the field).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms

from coopcis.apps.members.models import Account
from coopcis.apps.payments.models import CHANNEL_TENDERS, PaymentChannel, Tender
from coopcis.site.fields import MoneyField


def _money(label: str, **kwargs: Any) -> MoneyField:
    return MoneyField(label=label, **kwargs)


class OpenBatchForm(forms.Form):
    drawer = forms.CharField(label="Drawer", max_length=40, help_text="e.g. Cloudcroft 1")
    opening_cash = _money("Opening cash", minimum=Decimal(0), initial=Decimal("0.00"))


class OfficePaymentForm(forms.Form):
    """One payment at the counter. ``submission`` makes a double-clicked Save post once."""

    account = forms.CharField(label="Account number", max_length=12)
    amount = _money("Amount")
    tender = forms.ChoiceField(
        label="Tender",
        choices=[
            (tender, Tender(tender).label) for tender in CHANNEL_TENDERS[PaymentChannel.OFFICE]
        ],
    )
    reference = forms.CharField(
        label="Reference",
        max_length=80,
        required=False,
        help_text="Check or money order number, card authorization",
    )
    submission = forms.CharField(widget=forms.HiddenInput, max_length=40)
    #: Shown as a checkbox only once the payment was found to be more than is owed.
    take_overpayment = forms.BooleanField(
        label="Take it anyway: the rest is left as credit on the account",
        required=False,
        widget=forms.HiddenInput,
    )

    def warn_overpayment(self, message: str) -> None:
        """Refuse this submission with ``message`` and offer the box that accepts it."""
        field = self.fields["take_overpayment"]
        field.widget = forms.CheckboxInput()
        self.add_error("take_overpayment", message)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["submission"].initial = uuid.uuid4().hex

    def clean_account(self) -> Account | None:
        # an unknown number is the service's refusal ("no such account"), shown here
        return Account.objects.filter(number=self.cleaned_data["account"].strip()).first()

    def clean_reference(self) -> str:
        return str(self.cleaned_data["reference"]).strip()


class CloseBatchForm(forms.Form):
    counted_cash = _money("Counted cash", minimum=Decimal(0), help_text="Including the float")
    counted_checks = _money("Counted checks and money orders", minimum=Decimal(0))
    counted_cards = _money("Card slips total", minimum=Decimal(0))
