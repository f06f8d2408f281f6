"""Forms for security deposits at the counter (docs/domain/credit.md "Staff forms").

Each mirrors what ``coopcis deposits decide|take|refund|excess`` accepts and parses it for
one service of ``coopcis.apps.credit.services``; the service decides (Rule No. 4, policy
404) and its refusal is shown against the field it names. A form checks more only where
the service would otherwise store nonsense or fail on a database constraint (a deposit
billed, a guarantee or a special-consideration amount that is not positive).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from coopcis.apps.backoffice.deposit_records import GROUNDS, credit_method_choices
from coopcis.apps.backoffice.forms import date_field
from coopcis.apps.credit.models import CreditDecision, DecisionEvent
from coopcis.apps.members.models import Account
from coopcis.site.fields import MoneyField

CENT = Decimal("0.01")


def _amount_field(label: str, **kwargs: Any) -> MoneyField:
    return MoneyField(label=label, **kwargs)


class DecisionForm(forms.Form):
    """Rule No. 4 on one of its events (``decide_deposit``, ``coopcis deposits decide``):
    how the member established credit, or why special consideration applied and the lower
    amount staff set."""

    event = forms.ChoiceField(label="Event", choices=DecisionEvent.choices)
    on = date_field("Decided on")
    credit_methods = forms.MultipleChoiceField(
        label="Credit established by",
        choices=credit_method_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="On an application, any of these means no deposit.",
    )
    special_consideration = forms.CharField(
        label="Special consideration",
        max_length=300,
        required=False,
        help_text="Why (low-income elderly or disabled member, a spouse's history); "
        "then set the amount.",
    )
    amount = _amount_field(
        "Amount (with special consideration only)",
        required=False,
        minimum=Decimal(0),
        help_text="Not more than policy 404's amount; 0 means no deposit.",
    )


class DecisionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        grounds = ", ".join(GROUNDS.get(code, code) for code in obj.reasons)
        return f"{obj.decided_on:%Y-%m-%d} {obj.get_event_display()}: ${obj.amount} ({grounds})"


class _DepositForm(forms.Form):
    """A deposit on the account, optionally for one of its decisions that required one."""

    decision = DecisionChoiceField(
        label="For the decision",
        queryset=CreditDecision.objects.none(),
        required=False,
        empty_label="—",
    )

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = CreditDecision.objects.filter(  # type: ignore[attr-defined]
            account=account, required=True
        ).order_by("-decided_on", "-id")


class TakeDepositForm(_DepositForm):
    """Paid at the office (``take_deposit``): held from that day, receipted in the
    account's language."""

    amount = _amount_field("Amount paid")
    on = date_field("Paid on")
    field_order = ["amount", "on", "decision"]


class BillDepositForm(_DepositForm):
    """Added to the account's charges (``bill_deposit``): held and receipted once paid."""

    # The service does not check the amount; the database refuses one not positive.
    amount = _amount_field("Amount to bill", minimum=CENT)
    on = date_field("Billed on (due the same day)")
    field_order = ["amount", "on", "decision"]


class GuarantorForm(forms.Form):
    """A guarantee of payment in place of a deposit (``add_guarantor``), ended after
    twelve months without chronic delinquency."""

    name = forms.CharField(label="Guarantor's name", max_length=120, required=False)
    mailing_address = forms.CharField(
        label="Mailing address",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    phone = forms.CharField(label="Phone", max_length=20, required=False)
    amount = _amount_field("Amount guaranteed", minimum=CENT)
    starts_on = date_field("Starts on")


class RefundForm(forms.Form):
    """Return a held deposit now with interest to the day (``refund_deposit``)."""

    on = date_field("Refunded on", help_text="Interest runs to this day and stops.")
    by_check = forms.BooleanField(
        label="Pay all not credited to open charges by check",
        required=False,
        help_text="E.g. when service ended. Otherwise the excess is mailed only when the "
        "member asked for it and it is over $10; the rest pays the next bills.",
    )


class ExcessForm(forms.Form):
    """The member asks for the excess of the deposit over the current bill
    (``request_excess``)."""

    on = date_field("Asked on")
