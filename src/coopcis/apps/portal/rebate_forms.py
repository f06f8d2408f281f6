"""The member's rebate claim form: the staff form's fields and checks (``rebates.forms``),
with the member's words in their language; the signed paper form is not asked for (the
member fills this one in)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coopcis.apps.portal.rebate_words import measure_words
from coopcis.apps.rebates.forms import ClaimForm, ProofField
from coopcis.apps.rebates.models import PayBy
from coopcis.core.rebates.claims import LARGEST_FILE


class MemberProofField(ProofField):
    """A proof file; one over the limit is refused (in the member's language) unread."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        if data is not None and getattr(data, "size", 0) > LARGEST_FILE:
            raise forms.ValidationError(
                _("This file is %(size)s bytes: a proof may be at most %(most)s MB."),
                params={"size": f"{data.size:,}", "most": LARGEST_FILE // (1024 * 1024)},
            )
        return super().clean(data, initial)


class MemberClaimForm(ClaimForm):
    receipt = MemberProofField(label=_("Receipt of purchase (PDF, JPEG or PNG, at most 5 MB)"))
    energy_star = MemberProofField(
        label=_("ENERGY STAR certification (PDF, JPEG or PNG; needed where the measure says so)"),
        required=False,
    )
    form_scan = None  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            "measure": _("Measure"),
            "purchased_on": _("Purchased on"),
            "cost": _("Cost paid ($)"),
            "quantity": _("Units or rooms"),
            "size": _("Size (refrigerators: cubic feet)"),
            "retailer": _("Retailer or installer"),
            "model_number": _("Model number"),
            "pay_by": _("How you want the rebate"),
        }
        for name, label in labels.items():
            self.fields[name].label = label
        measure_field = self.fields["measure"]
        measure_field.choices = [  # type: ignore[attr-defined]
            (code, measure_words(str(words)))
            for code, words in measure_field.choices  # type: ignore[attr-defined]
        ]
        self.fields["pay_by"].choices = [
            (PayBy.BILL_CREDIT, _("A credit on my bill")),
            (PayBy.CHECK, _("A check")),
        ]

    def clean_cost(self) -> Any:
        try:
            return super().clean_cost()
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Enter what you paid in dollars and cents, such as 1,249.00.")
            ) from None

    def clean_size(self) -> Any:
        try:
            return super().clean_size()
        except forms.ValidationError:
            raise forms.ValidationError(_("Enter the size as a number, such as 18.5.")) from None
