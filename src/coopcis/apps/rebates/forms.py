"""The rebate form as staff enter it at the counter, with the member's proof attached (the
portal's form is this one in the member's words: ``portal.rebate_forms``), and the claim
it makes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from coopcis.apps.rebates.models import PayBy, RebateClaim
from coopcis.apps.rebates.services import Upload, submit_claim
from coopcis.catalog.profiles import active_profile
from coopcis.catalog.rebates import load_rebate_catalog
from coopcis.core.errors import RuleViolation
from coopcis.core.money import parse_amount, parse_decimal
from coopcis.core.rebates.claims import LARGEST_FILE


class ProofField(forms.FileField):
    """An uploaded proof; one larger than the limit is refused before it is read."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload is not None and upload.size > LARGEST_FILE:
            raise forms.ValidationError(
                f"{upload.size:,} bytes: a proof may be at most {LARGEST_FILE // (1024 * 1024)} MB"
            )
        return upload


#: Each proof's field on the claim form and the kind of document it is.
PROOFS = (("receipt", "RECEIPT"), ("energy_star", "ENERGY_STAR"), ("form_scan", "FORM"))
#: Where a refusal of the claim shows: the service's field to the form's (None: above it).
REFUSAL_FIELDS: dict[str, str | None] = {
    "file": None,
    "budget": None,
    "purchased_on": "purchased_on",
}


class ClaimForm(forms.Form):
    measure = forms.ChoiceField(label="Measure")
    purchased_on = forms.DateField(
        label="Purchased on", widget=forms.DateInput(attrs={"type": "date"})
    )
    cost = forms.CharField(label="Cost paid ($)", max_length=20)
    quantity = forms.IntegerField(label="Units or rooms", min_value=1, initial=1)
    size = forms.CharField(label="Size (refrigerators: cu ft)", max_length=10, required=False)
    retailer = forms.CharField(label="Retailer or installer", max_length=100)
    model_number = forms.CharField(label="Model number", max_length=100, required=False)
    pay_by = forms.ChoiceField(label="Paid by", choices=PayBy.choices)
    receipt = ProofField(label="Receipt of purchase (PDF, JPEG or PNG)")
    energy_star = ProofField(label="ENERGY STAR certification", required=False)
    form_scan = ProofField(label="Signed rebate form", required=False)

    def __init__(self, *args: Any, today: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        catalog = load_rebate_catalog(active_profile().code, on=today)
        self.fields["measure"].choices = [
            (code, measure.description) for code, measure in catalog.measures.items()
        ]

    def clean_cost(self) -> Any:
        try:
            return parse_amount(self.cleaned_data["cost"], field="cost", allow_grouping=True).amount
        except RuleViolation as refused:
            raise forms.ValidationError(refused.message) from None

    def clean_size(self) -> Any:
        text = self.cleaned_data.get("size") or ""
        if not text.strip():
            return None
        try:
            return parse_decimal(text, field="size", places=2, largest=Decimal(100000))
        except RuleViolation as refused:
            raise forms.ValidationError(refused.message) from None

    def submit(self, *, account: Any, on: date) -> RebateClaim:
        """The claim this valid form makes (``submit_claim``), with its proof files."""
        data = self.cleaned_data
        uploads = [
            Upload(kind, data[key].name, data[key].read()) for key, kind in PROOFS if data.get(key)
        ]
        return submit_claim(
            account=account,
            measure_code=data["measure"],
            on=on,
            purchased_on=data["purchased_on"],
            cost=data["cost"],
            retailer=data["retailer"],
            uploads=uploads,
            pay_by=data["pay_by"],
            quantity=data["quantity"],
            size=data["size"],
            model_number=data["model_number"],
        )


class InspectionForm(forms.Form):
    """Book an inspection, or record its result (leave the result empty to book it)."""

    stage = forms.ChoiceField(
        label="Inspection", choices=[("PRE", "Before installation"), ("POST", "After installation")]
    )
    on = forms.DateField(label="On", widget=forms.DateInput(attrs={"type": "date"}))
    result = forms.ChoiceField(
        label="Result",
        required=False,
        choices=[("", "Not yet: book it"), ("PASSED", "Passed"), ("FAILED", "Failed")],
    )
    inspector = forms.CharField(label="Inspector", max_length=150, required=False)
    notes = forms.CharField(label="Notes (why it failed)", max_length=300, required=False)
