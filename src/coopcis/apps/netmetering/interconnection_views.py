"""Staff pages for net-metering interconnections (SEC policy 425), from the account page's
net-metering card: take an application, approve it (the fee charged), bill a study,
upgrade or the REC meter at cost, put it in service with the net meter and the REC meter,
or refuse or withdraw it.

One domain call per view (``netmetering.services``, the same as ``coopcis net-metering``).
A refusal shows against the application form (a combustion generator or a battery is
refused with the policy cited, nothing stored); the card's buttons say a refusal in the
page's messages and change nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coopcis.apps.members.models import Account
from coopcis.apps.netmetering.models import CostKind, Interconnection, SystemType
from coopcis.apps.netmetering.services import (
    apply_for_interconnection,
    approve_interconnection,
    charge_at_cost,
    close_interconnection,
    put_in_service,
)
from coopcis.apps.premises.models import ServicePoint
from coopcis.apps.staff.access import staff_view
from coopcis.apps.staff.forms import account_form_page
from coopcis.core.errors import RuleViolation
from coopcis.core.money import parse_amount, parse_decimal
from coopcis.site.jobs import today

APPLY = "netmetering.add_interconnection"
DECIDE = "netmetering.change_interconnection"
#: The largest AC rating the form takes (kW); the policy sets none, this only keeps typing
#: slips out of the fee.
LARGEST_KW = Decimal(100000)
#: Offered so a clerk can record what the member asked for; the policy refuses them.
NOT_RENEWABLE = [
    ("GENERATOR", "Combustion generator (not allowed)"),
    ("BATTERY", "Battery system (not allowed)"),
]


class ApplicationForm(forms.Form):
    service_point = forms.ChoiceField(label="Service point (the net meter's own location)")
    system_type = forms.ChoiceField(label="System", choices=[*SystemType.choices, *NOT_RENEWABLE])
    ac_kw = forms.CharField(label="AC rating (kW)", max_length=20)

    def __init__(self, *args: Any, points: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_point"].choices = [(code, code) for code in points]

    def clean_ac_kw(self) -> Decimal:
        try:
            return parse_decimal(
                self.cleaned_data["ac_kw"], field="ac_kw", places=3, largest=LARGEST_KW
            )
        except RuleViolation as refused:
            raise forms.ValidationError(refused.message) from None


class InServiceForm(forms.Form):
    net_meter = forms.CharField(label="Net meter serial", max_length=30)
    rec_meter = forms.CharField(label="REC meter serial", max_length=30)


class ChargeForm(forms.Form):
    kind = forms.ChoiceField(label="Cost", choices=CostKind.choices)
    amount = forms.CharField(label="Amount at cost ($)", max_length=20)
    description = forms.CharField(label="Description", max_length=200, required=False)


class CloseForm(forms.Form):
    how = forms.ChoiceField(
        label="Close", choices=[("refuse", "Refused by the co-op"), ("withdraw", "Withdrawn")]
    )
    reason = forms.CharField(label="Why", max_length=300)


def _back(number: str) -> HttpResponse:
    return redirect(reverse("backoffice:account", kwargs={"number": number}) + "#net-metering")


def _not_found(request: HttpRequest, what: str) -> HttpResponse:
    return render(request, "backoffice/not_found.html", {"what": what}, status=404)


def _points(account: Account) -> list[str]:
    """The service points the account is served at today (where a net meter may go)."""
    on = today()
    return list(
        ServicePoint.objects.filter(agreements__account=account, agreements__start_on__lte=on)
        .exclude(agreements__end_on__lte=on)
        .order_by("code")
        .values_list("code", flat=True)
        .distinct()
    )


@staff_view(APPLY, action="take net-metering interconnection applications")
def interconnection_new(request: HttpRequest, number: str) -> HttpResponse:
    account = Account.objects.select_related("party").filter(number=number).first()
    if account is None:
        return _not_found(request, f"account {number}")
    form = ApplicationForm(
        request.POST if request.method == "POST" else None, points=_points(account)
    )

    def record(data: dict[str, Any]) -> HttpResponse:
        made = apply_for_interconnection(
            account=account,
            service_point=ServicePoint.objects.get(code=data["service_point"]),
            system_type=data["system_type"],
            ac_kw=data["ac_kw"],
            on=today(),
        )
        messages.success(
            request,
            f"Interconnection {made.pk} submitted: {made.ac_kw} kW AC, waiting for approval.",
        )
        return _back(account.number)

    return account_form_page(
        request,
        account,
        form,
        "netmetering/interconnection_form.html",
        record,
        aliases={"account": None},
    )


def _step(request: HttpRequest, interconnection_id: int, act: Any, done: str) -> HttpResponse:
    """Run one state change from the card's buttons; a refusal goes to the messages."""
    found = Interconnection.objects.select_related("account").filter(pk=interconnection_id)
    ic = found.first()
    if ic is None:
        return _not_found(request, f"interconnection {interconnection_id}")
    if request.method == "POST":
        try:
            with transaction.atomic():
                changed = act(ic)
        except RuleViolation as violation:
            messages.error(request, f"Interconnection {ic.pk}: {violation.message}")
        else:
            messages.success(request, f"Interconnection {ic.pk} {done(changed)}.")
    return _back(ic.account.number)


def _form_step(
    request: HttpRequest, interconnection_id: int, form_class: Any, act: Any, done: Any
) -> HttpResponse:
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not form.is_valid():
        ic = Interconnection.objects.select_related("account").filter(pk=interconnection_id)
        found = ic.first()
        if found is None:
            return _not_found(request, f"interconnection {interconnection_id}")
        problems = "; ".join(f"{form.fields[name].label}: {' '.join(errors)}"
                             for name, errors in form.errors.items())  # fmt: skip
        messages.error(request, f"Interconnection {found.pk}: {problems}")
        return _back(found.account.number)
    data = form.cleaned_data if form.is_bound else {}
    return _step(request, interconnection_id, lambda ic: act(ic, data), done)


@staff_view(DECIDE, action="approve net-metering interconnections")
def interconnection_approve(request: HttpRequest, interconnection_id: int) -> HttpResponse:
    return _step(
        request,
        interconnection_id,
        lambda ic: approve_interconnection(ic, on=today()),
        lambda ic: f"approved: application fee ${ic.fee_amount} charged",
    )


@staff_view(DECIDE, action="put net-metering interconnections in service")
def interconnection_in_service(request: HttpRequest, interconnection_id: int) -> HttpResponse:
    return _form_step(
        request,
        interconnection_id,
        InServiceForm,
        lambda ic, data: put_in_service(
            ic, on=today(), net_meter_serial=data["net_meter"], rec_meter_serial=data["rec_meter"]
        ),
        lambda ic: f"in service with net meter {ic.net_meter.serial}",
    )


def _charge(ic: Interconnection, data: dict[str, Any]) -> Any:
    amount = parse_amount(data["amount"], field="amount", allow_grouping=True)
    return charge_at_cost(
        ic, kind=data["kind"], amount=amount, on=today(), description=data["description"]
    )


@staff_view(DECIDE, action="bill net-metering costs")
def interconnection_charge(request: HttpRequest, interconnection_id: int) -> HttpResponse:
    return _form_step(
        request,
        interconnection_id,
        ChargeForm,
        _charge,
        lambda charge: f"charged ${charge.amount} at cost ({charge.description})",
    )


@staff_view(DECIDE, action="refuse or withdraw net-metering interconnections")
def interconnection_close(request: HttpRequest, interconnection_id: int) -> HttpResponse:
    return _form_step(
        request,
        interconnection_id,
        CloseForm,
        lambda ic, data: close_interconnection(
            ic, on=today(), reason=data["reason"], refused=data["how"] == "refuse"
        ),
        lambda ic: f"{ic.get_status_display().lower()}: {ic.reason}",
    )
