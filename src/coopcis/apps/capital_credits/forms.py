"""The staff forms for capital credits: what ``coopcis capital-credits`` does at a desk.

Each form only reads what was typed (money by the one parser, ``MoneyField``; dates not
after today, as the CLI's ``--on``); the services the CLI calls decide everything else and
refuse with the bylaw cited (``RuleViolation``), which the view shows against the field.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from django import forms

from coopcis.apps.capital_credits.params import rules
from coopcis.core.capital_credits.retirement import METHODS
from coopcis.site.fields import MoneyField
from coopcis.site.jobs import today

METHOD_LABELS = {
    "fifo": "FIFO: oldest years first",
    "percentage": "Percentage of every open year",
    "hybrid": "Hybrid: part FIFO, the rest by percentage",
}


def _date(label: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


def _not_after_today(day: date | None, label: str) -> date | None:
    if day is not None and day > today():
        raise forms.ValidationError(f"{label} may not be after today ({today().isoformat()})")
    return day


def _pools() -> list[tuple[str, str]]:
    return [(pool, pool) for pool in rules().pools]


class PreviewedForm(forms.Form):
    """A form run once as a dry run (the preview) before it is confirmed.

    ``previewed`` carries a digest of what the preview was run with; a confirmation whose
    fields changed since is previewed again instead of acted on, so staff confirm exactly
    what they saw."""

    previewed = forms.CharField(required=False, widget=forms.HiddenInput)

    def digest(self) -> str:
        data = {k: str(v) for k, v in sorted(self.cleaned_data.items()) if k != "previewed"}
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:32]

    def confirmed(self) -> bool:
        return (
            bool(self.cleaned_data.get("previewed"))
            and self.cleaned_data["previewed"] == self.digest()
        )


class AllocateForm(PreviewedForm):
    year = forms.IntegerField(label="Fiscal year", min_value=1900, max_value=2999)
    margins = MoneyField(label="Margins to allocate", minimum=None)
    pool = forms.ChoiceField(label="Pool")
    on = _date("Allocated on", required=False, help_text="Default: today.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pool"].choices = _pools()  # type: ignore[attr-defined]

    def clean_on(self) -> date | None:
        return _not_after_today(self.cleaned_data.get("on"), "The allocation's date")


class RetireForm(PreviewedForm):
    approved = MoneyField(label="Amount the board approved")
    resolution = forms.CharField(label="Board resolution", max_length=300)
    approved_on = _date("Approved on")
    amount = MoneyField(
        label="Retire now", required=False, help_text="Default: all the board approved."
    )
    method = forms.ChoiceField(label="Method")
    pool = forms.ChoiceField(label="Pool")
    gt_cash = MoneyField(label="Cash the G&T paid", required=False, help_text="A G&T's pool only.")
    on = _date("Retired on", required=False, help_text="Default: today.")
    equity = MoneyField(label="Equity before (balance sheet)", required=False)
    assets = MoneyField(label="Total assets before (balance sheet)", required=False)
    first_check = forms.IntegerField(
        label="First check number", required=False, min_value=1, help_text="Default: the next."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pool"].choices = _pools()  # type: ignore[attr-defined]
        self.fields["method"].choices = [(m, METHOD_LABELS[m]) for m in METHODS]  # type: ignore[attr-defined]
        if not self.is_bound:
            self.fields["method"].initial = rules().retirement_method

    def clean_on(self) -> date | None:
        return _not_after_today(self.cleaned_data.get("on"), "The retirement's date")

    def clean_approved_on(self) -> date | None:
        return _not_after_today(self.cleaned_data.get("approved_on"), "The approval's date")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("equity") is None) != (data.get("assets") is None):
            raise forms.ValidationError(
                "Give both the equity and the total assets (for the equity-ratio check), or "
                "neither."
            )
        return data


class EstateForm(PreviewedForm):
    account = forms.CharField(label="Account number", max_length=12)
    resolution = forms.CharField(label="Request and its authority", max_length=300, required=False)
    deceased = forms.CharField(
        label="Deceased joint member",
        max_length=200,
        required=False,
        help_text="A joint membership only: the member who died, as recorded on it.",
    )
    on = _date("Retired on", required=False, help_text="Default: today.")

    def clean_on(self) -> date | None:
        return _not_after_today(self.cleaned_data.get("on"), "The retirement's date")


class AssignForm(forms.Form):
    account = forms.CharField(label="From account", max_length=12)
    to = forms.CharField(label="To account (the successor)", max_length=12)
    successor = forms.ChoiceField(
        label="Successor in",
        choices=[("interest", "Interest"), ("occupancy", "Occupancy at the premises")],
    )
    instructions = forms.CharField(
        label="The written instructions", widget=forms.Textarea(attrs={"rows": 3})
    )
    received_on = _date("Instructions received on")

    def clean_received_on(self) -> date | None:
        return _not_after_today(self.cleaned_data.get("received_on"), "The day received")


class ClaimForm(forms.Form):
    check = forms.IntegerField(label="Check number", min_value=1)
    on = _date("Claimed (cashed) on")

    def clean_on(self) -> date | None:
        return _not_after_today(self.cleaned_data.get("on"), "The day claimed")
