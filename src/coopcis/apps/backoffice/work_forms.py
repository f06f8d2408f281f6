"""Forms of the work queues: resolve a read exception, apply a suspense item, record a
refund check."""

from __future__ import annotations

from django import forms

from coopcis.apps.metering.models import ExceptionStatus


class ResolveExceptionForm(forms.Form):
    status = forms.ChoiceField(
        label="Decision",
        choices=[
            (ExceptionStatus.ACCEPTED, "Accept: the read stands"),
            (ExceptionStatus.REJECTED, "Reject: bill an estimate in its place"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(max_length=300, required=False)


class ApplySuspenseForm(forms.Form):
    account = forms.CharField(label="Account number", max_length=20)
    note = forms.CharField(max_length=300, help_text="How you know whose payment it is.")


class RefundCheckForm(forms.Form):
    check_number = forms.CharField(max_length=20)
