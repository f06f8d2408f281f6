"""The member's service details in the portal (issue 12, "The member's service"): the
account's phone, email and language, changed directly by the account holder. The language
is ``Account.language``, the one bills, letters, mail and the portal follow
(portal/locale.py). Each change is an audited save of the account (apps/audit), made as the
member's portal sign-in, so the account's history shows who changed what and when. The holder
also names the third party who gets a copy of each disconnection notice (17.5.410 NMAC):
``collections.services.name_third_party``, the same record the back office keeps and the
collections run reads. Members the holder invited see the details but do not change them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coopcis.apps.audit.context import acting_as
from coopcis.apps.collections.models import ThirdPartyContact
from coopcis.apps.collections.services import name_third_party
from coopcis.apps.members.models import Account, AddressChangeRequest, Language
from coopcis.apps.portal.access import get_linked_account_or_404, member_required
from coopcis.apps.portal.models import AccountLink, LinkRole
from coopcis.apps.staff.forms import add_violation
from coopcis.core.errors import RuleViolation
from coopcis.site.jobs import today

#: Each language in its own name, so a member finds theirs whatever the page's language.
LANGUAGES = ((Language.ENGLISH.value, "English"), (Language.SPANISH.value, "Español"))


class ServiceDetailsForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)
    language = forms.ChoiceField(
        label=gettext_lazy("Language of bills, letters and this site"),
        choices=LANGUAGES,
        widget=forms.RadioSelect,
    )

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"].strip()
        digits = "".join(ch for ch in phone if ch.isdigit())
        if phone and len(digits) not in (10, 11):
            raise forms.ValidationError(_("Enter a phone number of 10 digits, area code first."))
        return phone


class ThirdPartyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    mailing_address = forms.CharField(label=gettext_lazy("Mailing address"), max_length=300)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    email = forms.EmailField(
        label=gettext_lazy("Email (a copy goes by email as well as by mail)"), required=False
    )


def _holds(request: HttpRequest, account: Account) -> bool:
    return AccountLink.objects.filter(
        account=account, user=request.user, role=LinkRole.HOLDER
    ).exists()


@member_required
def service(request: HttpRequest, number: str) -> HttpResponse:
    account = get_linked_account_or_404(request.user, number)
    holder = _holds(request, account)
    posted = request.POST.get("part", "details") if request.method == "POST" and holder else None
    initial = {"phone": account.phone, "email": account.email, "language": account.language}
    form = ServiceDetailsForm(request.POST if posted == "details" else None, initial=initial)
    third_form = ThirdPartyForm(request.POST if posted == "third_party" else None, prefix="third")
    actor = {"user": request.user, "label": f"portal:{request.user.get_username()}"}
    if posted == "details" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic(), acting_as(**actor):
            account.phone = data["phone"]
            account.email = data["email"]
            account.language = data["language"]
            account.save()
        messages.success(request, _("Your details are saved."))
        return redirect("portal:service", number=account.number)
    if posted == "third_party" and third_form.is_valid():
        data = third_form.cleaned_data
        try:
            with transaction.atomic(), acting_as(**actor):
                name_third_party(
                    account=account,
                    name=data["name"],
                    mailing_address=data["mailing_address"],
                    phone=data["phone"],
                    email=data["email"],
                    named_on=today(),
                )
        except RuleViolation as violation:
            add_violation(
                third_form, violation, {"name": "name", "phone": "phone", "email": "email"}
            )
        else:
            messages.success(request, _("The third party is saved."))
            return redirect("portal:service", number=account.number)
    status = 400 if posted else (403 if request.method == "POST" else 200)
    third_party = (
        ThirdPartyContact.objects.filter(account=account, active=True).order_by("-id").first()
    )
    address_request = (
        AddressChangeRequest.objects.filter(account=account)
        .order_by("-requested_on", "-id")
        .first()
    )
    context = {
        "account": account,
        "form": form,
        "third_form": third_form,
        "third_party": third_party,
        "address_request": address_request,
        "holder": holder,
    }
    return render(request, "portal/service/service.html", context, status=status)
