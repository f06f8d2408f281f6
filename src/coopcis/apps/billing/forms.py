"""Staff forms on bills: release a held bill with a note, cancel a bill (and rebill)."""

from __future__ import annotations

from django import forms


class ReleaseForm(forms.Form):
    note = forms.CharField(
        max_length=250,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the bill is right as it is (kept with the bill).",
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the bill is wrong (kept with the bill and on its reversing entry).",
    )
    rebill = forms.BooleanField(
        required=False,
        initial=True,
        label="Rebill from the reads as they are now",
    )
