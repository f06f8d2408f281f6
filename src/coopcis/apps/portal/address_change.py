"""The member asks for a new mailing address (issue 12, "mailing address change (a request
staff confirm)"): ``/portal/accounts/<number>/service/address/``.

The form checks the address with the one mailing-address check (``core.addresses``), its
refusals in the member's language; ``members.address_changes.request_address_change``
puts it on the back office's work list, audited as the member's portal sign-in. The page
shows the address bills go to now, the request waiting and the co-op's earlier answers
(confirmed, or declined with the reason). Only the account's holder asks; a member the
holder invited reads.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coopcis.apps.audit.context import acting_as
from coopcis.apps.members.address_changes import request_address_change
from coopcis.apps.members.models import AddressChangeRequest
from coopcis.apps.portal.access import get_linked_account_or_404, member_required
from coopcis.apps.portal.models import AccountLink, LinkRole
from coopcis.core.addresses import Address, address_problems
from coopcis.core.errors import RuleViolation
from coopcis.site.jobs import today

#: The co-op's answers shown: the latest few.
SHOWN = 5


def problem_text(field: str) -> str:
    """A mailing-address refusal (``core.addresses``) in the member's language."""
    return {
        "line1": _("Enter the street address or PO box."),
        "city": _("Enter the city's name."),
        "state": _("Enter a US state as its two-letter code, such as NM."),
        "zip_code": _("Enter the ZIP code as 12345 or 12345-6789."),
    }.get(field, _("This address cannot be mailed to."))


class AddressForm(forms.Form):
    line1 = forms.CharField(label=gettext_lazy("Street address or PO box"), max_length=120)
    line2 = forms.CharField(
        label=gettext_lazy("Apartment, suite or unit (optional)"), max_length=120, required=False
    )
    city = forms.CharField(label=gettext_lazy("City"), max_length=60)
    state = forms.CharField(label=gettext_lazy("State (two letters)"), max_length=2, initial="NM")
    zip_code = forms.CharField(label=gettext_lazy("ZIP code"), max_length=10)

    def clean(self) -> dict[str, str]:
        data: dict[str, str] = super().clean() or {}
        if self.errors:
            return data
        for field, _message in address_problems(self.address()):
            self.add_error(field, problem_text(field))
        return data

    def address(self) -> Address:
        data = self.cleaned_data
        return Address(
            line1=data.get("line1", ""),
            line2=data.get("line2", ""),
            city=data.get("city", ""),
            state=data.get("state", "").upper(),
            zip_code=data.get("zip_code", ""),
        )


@member_required
def address_change(request: HttpRequest, number: str) -> HttpResponse:
    account = get_linked_account_or_404(request.user, number)
    holder = AccountLink.objects.filter(
        account=account, user=request.user, role=LinkRole.HOLDER
    ).exists()
    posted = request.method == "POST"
    if posted and not holder:
        return _page(request, account, AddressForm(), holder, status=403)
    form = AddressForm(request.POST if posted else None)
    if posted and form.is_valid():
        try:
            with (
                transaction.atomic(),
                acting_as(user=request.user, label=f"portal:{request.user.get_username()}"),
            ):
                request_address_change(account=account, address=form.address(), on=today())
        except RuleViolation as violation:
            message = (
                _("A change of address for this account is already waiting for an answer.")
                if "already waiting" in violation.message
                else _("This is already the account's mailing address.")
                if "already the account" in violation.message
                else problem_text(violation.field or "")
            )
            form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Your new address is sent. The co-op confirms it before mail goes there."),
            )
            return redirect("portal:address_change", number=account.number)
    return _page(request, account, form, holder, status=400 if posted else 200)


def _page(
    request: HttpRequest, account: object, form: AddressForm, holder: bool, *, status: int
) -> HttpResponse:
    requests = list(
        AddressChangeRequest.objects.filter(account=account).order_by("-requested_on", "-id")[
            :SHOWN
        ]
    )
    waiting = next((row for row in requests if row.status == "REQUESTED"), None)
    context = {
        "account": account,
        "form": form,
        "holder": holder,
        "waiting": waiting,
        "answered": [row for row in requests if row.status != "REQUESTED"],
    }
    return render(request, "portal/service/address.html", context, status=status)
