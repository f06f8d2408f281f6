"""The member's net metering in the portal (SEC policy 425; issue 13: each program visible
to the member): each interconnection (system, AC kW, where it stands), the credit bank bill
by bill (excess kWh credited at the avoided cost, payouts, the balance carried) with the
profile's payout threshold, and the REC agreement with its reads and payments.

With an open REC agreement the member enters their REC meter read here, through the same
``netmetering.recs.enter_rec_read`` staff use (received today): a read lower than the
latest, dated before the agreement or after today, or a second one for a day is refused
against the form with the rule it cites, and nothing is recorded. Linked accounts only;
another account is a 404."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coopcis.apps.audit.context import acting_as
from coopcis.apps.netmetering.models import (
    Interconnection,
    NetMeteringMonth,
    RecAgreement,
    RecPayment,
    RecRead,
)
from coopcis.apps.netmetering.policy import net_metering_policy
from coopcis.apps.netmetering.recs import enter_rec_read
from coopcis.apps.portal.access import get_linked_account_or_404, member_required
from coopcis.apps.staff.forms import add_violation
from coopcis.core.errors import RuleViolation
from coopcis.site.jobs import today


class MemberRecReadForm(forms.Form):
    read_on = forms.DateField(label=gettext_lazy("Day you read the REC meter (YYYY-MM-DD)"))
    register_kwh = forms.DecimalField(
        label=gettext_lazy("REC meter reading (kWh)"),
        max_digits=12,
        decimal_places=3,
        min_value=0,
    )


def _payout() -> tuple[Decimal | None, bool]:
    """The profile's payout threshold (None for a profile that runs no net metering) and
    whether a bank over it is paid as a credit on the bill rather than by check."""
    try:
        policy = net_metering_policy()
    except RuleViolation:
        return None, False
    return policy.payout_above.amount, policy.payout_method == "BILL_CREDIT"


@member_required
def net_metering(request: HttpRequest, number: str) -> HttpResponse:
    account = get_linked_account_or_404(request.user, number)
    agreement = RecAgreement.objects.filter(account=account, ended_on__isnull=True).first()
    bound = request.method == "POST" and agreement is not None
    form = MemberRecReadForm(request.POST if bound else None) if agreement else None
    if bound and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            with (
                transaction.atomic(),
                acting_as(user=request.user, label=f"portal:{request.user.get_username()}"),
            ):
                read = enter_rec_read(
                    account=account,
                    read_on=data["read_on"],
                    register_kwh=data["register_kwh"],
                    received_on=today(),
                    entered_by=f"portal:{request.user.get_username()}",
                )
        except RuleViolation as violation:
            add_violation(form, violation, {"account": None})
        else:
            messages.success(
                request,
                _("REC read of %(kwh)s kWh on %(day)s recorded.")
                % {"kwh": read.register_kwh, "day": read.read_on.isoformat()},
            )
            return redirect("portal:net_metering", number=account.number)
    months = list(
        NetMeteringMonth.objects.filter(account=account, cancelled=False).order_by(
            "posted_on", "id"
        )
    )
    agreements = list(RecAgreement.objects.filter(account=account).order_by("signed_on", "id"))
    reads: dict[int, list[RecRead]] = {a.pk: [] for a in agreements}
    for rec_read in RecRead.objects.filter(agreement__account=account).order_by("read_on"):
        reads[rec_read.agreement_id].append(rec_read)
    payments: dict[int, list[RecPayment]] = {a.pk: [] for a in agreements}
    for payment in RecPayment.objects.filter(agreement__account=account).order_by("paid_on"):
        payments[payment.agreement_id].append(payment)
    counted = [m for m in months if not m.held]
    threshold, by_bill_credit = _payout()
    context = {
        "account": account,
        "interconnections": Interconnection.objects.filter(account=account).order_by(
            "submitted_on", "id"
        ),
        "months": months,
        "credited": sum((m.credit_amount for m in counted), Decimal("0.00")),
        "paid": sum((m.payout_amount for m in counted), Decimal("0.00")),
        "bank": counted[-1].bank_after_amount if counted else Decimal("0.00"),
        "threshold": threshold,
        "by_bill_credit": by_bill_credit,
        "agreements": [(a, reads[a.pk], payments[a.pk]) for a in agreements],
        "form": form,
    }
    status = 400 if bound else 200
    return render(request, "portal/programs/net_metering.html", context, status=status)
