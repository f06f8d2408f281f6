"""Forms of the portal's bills-and-money pages: pay once (card or e-check), autopay (bank
draft or card), paperless billing, a payment arrangement request.

Labels are the accessible names the tests and screen readers find (``Amount``,
``Card number``...). Every typed amount goes through ``parse_amount``.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coopcis.apps.members.models import BankAccountType, DraftDay
from coopcis.core.money import AmountError, parse_amount

_EXPIRY = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*$")


def _text(label: Any, max_length: int = 40, **attrs: str) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, widget=forms.TextInput(attrs=attrs))


def read_money(text: str, *, field: str) -> Decimal:
    """A typed amount as people type it (``$1,234.56``), exactly, or the reason it is not."""
    try:
        return parse_amount(text, field=field, allow_grouping=True).amount
    except AmountError as error:
        raise forms.ValidationError(error.message) from None


class IdempotentForm(forms.Form):
    """A form that pays carries a key made when it is drawn: sent twice, it pays once."""

    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def clean_idempotency_key(self) -> str:
        key = str(self.cleaned_data["idempotency_key"]).strip()
        if not re.fullmatch(r"[0-9a-f]{32}", key):
            raise forms.ValidationError(_("This form has expired: please fill it in again."))
        return key


class CardFields(forms.Form):
    card_number = _text(_("Card number"), 23, autocomplete="cc-number", inputmode="numeric")
    expiry = _text(_("Expiry (MM/YY)"), 7, autocomplete="cc-exp", placeholder="MM/YY")
    cvc = _text(_("Security code (CVC)"), 4, autocomplete="cc-csc", inputmode="numeric")
    card_name = _text(_("Name on card"), 80, autocomplete="cc-name")

    #: the day the form is checked (the view sets it; an expired card is refused)
    today: date | None = None

    def clean_expiry(self) -> tuple[int, int]:
        matched = _EXPIRY.match(self.cleaned_data["expiry"])
        if matched is None:
            raise forms.ValidationError(_("Write the expiry as MM/YY, e.g. 08/29."))
        month, year = int(matched.group(1)), int(matched.group(2))
        year = year + 2000 if year < 100 else year
        if not 1 <= month <= 12:
            raise forms.ValidationError(_("The month is 01 to 12."))
        if self.today is not None and (year, month) < (self.today.year, self.today.month):
            raise forms.ValidationError(_("This card has expired."))
        return month, year

    def clean_cvc(self) -> str:
        cvc = self.cleaned_data["cvc"].strip()
        if not (cvc.isdigit() and len(cvc) in (3, 4)):
            raise forms.ValidationError(_("The security code is the 3 or 4 digits on the card."))
        return cvc


class BankFields(forms.Form):
    routing_number = _text(_("Routing number"), 9, inputmode="numeric", autocomplete="off")
    bank_account_number = _text(
        _("Bank account number"), 17, inputmode="numeric", autocomplete="off"
    )
    holder_name = _text(_("Name on the bank account"), 80)


class AmountField(forms.Form):
    amount = _text(_("Amount"), 20, inputmode="decimal", autocomplete="off")

    def clean_amount(self) -> Decimal:
        return read_money(self.cleaned_data["amount"], field="amount")


class CardPaymentForm(IdempotentForm, AmountField, CardFields):
    """Pay once by card."""

    field_order = ["amount", "card_number", "expiry", "cvc", "card_name"]


class EcheckPaymentForm(IdempotentForm, AmountField, BankFields):
    """Pay once by e-check from a bank account."""

    field_order = ["amount", "routing_number", "bank_account_number", "holder_name"]


class BankDraftForm(BankFields):
    """Autopay by bank draft on the 3rd or the 25th (a prenote proves the account first)."""

    bank_account_type = forms.ChoiceField(
        label=_("Account type"),
        choices=[
            (BankAccountType.CHECKING, _("Checking")),
            (BankAccountType.SAVINGS, _("Savings")),
        ],
    )
    draft_day = forms.TypedChoiceField(
        label=_("Draft day"),
        coerce=int,
        choices=[
            (DraftDay.THIRD, _("The 3rd of the month")),
            (DraftDay.TWENTY_FIFTH, _("The 25th of the month")),
        ],
    )


class RecurringCardForm(CardFields):
    """Autopay by card on each bill's due date."""


class PaperlessForm(forms.Form):
    paperless = forms.BooleanField(
        label=_("Paperless billing: email me when my bill is ready instead of mailing it"),
        required=False,
    )


class ArrangementForm(forms.Form):
    """What a member can pay now, and over how many months the rest."""

    amount_now = _text(_("Amount I can pay now"), 20, inputmode="decimal")
    months = forms.TypedChoiceField(label=_("Months to pay the rest"), coerce=int, choices=[])
    note = forms.CharField(
        label=_("Anything you would like us to know (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, max_months: int = 12, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["months"].choices = [(n, str(n)) for n in range(1, max_months + 1)]  # type: ignore[attr-defined]

    def clean_amount_now(self) -> Decimal:
        return read_money(self.cleaned_data["amount_now"], field="amount_now")
