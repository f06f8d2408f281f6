"""The member's service details in the portal (issue 12, "The member's service"): the
account's phone, email and language, changed directly by the account holder. The language
is ``Account.language``, the one bills, letters, mail and the portal follow
(portal/locale.py). Each change is an audited save of the account (apps/audit), made as the
member's portal sign-in, so the account's history shows who changed what and when. Members
the holder invited see the details but do not change them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coopcis.apps.audit.context import acting_as
from coopcis.apps.members.models import Account, Language
from coopcis.apps.portal.access import get_linked_account_or_404, member_required
from coopcis.apps.portal.models import AccountLink, LinkRole

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


def _holds(request: HttpRequest, account: Account) -> bool:
    return AccountLink.objects.filter(
        account=account, user=request.user, role=LinkRole.HOLDER
    ).exists()


@member_required
def service(request: HttpRequest, number: str) -> HttpResponse:
    account = get_linked_account_or_404(request.user, number)
    holder = _holds(request, account)
    bound = request.method == "POST" and holder
    initial = {"phone": account.phone, "email": account.email, "language": account.language}
    form = ServiceDetailsForm(request.POST if bound else None, initial=initial)
    if bound and form.is_valid():
        data = form.cleaned_data
        with (
            transaction.atomic(),
            acting_as(user=request.user, label=f"portal:{request.user.get_username()}"),
        ):
            account.phone = data["phone"]
            account.email = data["email"]
            account.language = data["language"]
            account.save()
        messages.success(request, _("Your details are saved."))
        return redirect("portal:service", number=account.number)
    status = 400 if bound else (403 if request.method == "POST" else 200)
    context = {"account": account, "form": form, "holder": holder}
    return render(request, "portal/service/service.html", context, status=status)
