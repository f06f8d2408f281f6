"""Staff pages for net metering: enter a member's REC meter read from the account page.

One domain call per view (``recs.enter_rec_read``); a refusal (a read lower than the
latest, a read before the agreement, one already entered) shows against the form.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coopcis.apps.audit.context import current_actor
from coopcis.apps.members.models import Account
from coopcis.apps.netmetering.recs import enter_rec_read
from coopcis.apps.staff.access import staff_view
from coopcis.apps.staff.forms import account_form_page
from coopcis.site.fields import NumberField
from coopcis.site.jobs import today

ENTER_READS = "netmetering.add_recread"


class RecReadForm(forms.Form):
    read_on = forms.DateField(label="Read on (the day the member read the REC meter)")
    register_kwh = NumberField(
        label="REC meter reading (kWh)", places=3, largest=Decimal("999999999.999")
    )
    received_on = forms.DateField(label="Received on (blank: today)", required=False)


@staff_view(ENTER_READS, action="enter REC reads")
def rec_read_new(request: HttpRequest, number: str) -> HttpResponse:
    account = Account.objects.select_related("party").filter(number=number).first()
    if account is None:
        return render(
            request, "backoffice/not_found.html", {"what": f"account {number}"}, status=404
        )
    form = RecReadForm(request.POST if request.method == "POST" else None)

    def record(data: dict[str, Any]) -> HttpResponse:
        read = enter_rec_read(
            account=account,
            read_on=data["read_on"],
            register_kwh=data["register_kwh"],
            received_on=data["received_on"] or today(),
            entered_by=current_actor().label,
        )
        messages.success(request, f"REC read of {read.register_kwh} kWh on {read.read_on}.")
        return redirect(reverse("backoffice:account", kwargs={"number": account.number}))

    return account_form_page(
        request, account, form, "netmetering/rec_read_form.html", record, aliases={"account": None}
    )
