"""Managers' Staff page: every sign-in with its role; add one, or give a new password.
And the read log: who read which member's data, per account or per staff member.

Each added sign-in or reset shows its one-time password once, on the page that made it;
the holder must choose their own at the first sign-in (the password-change page here).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import PasswordChangeView
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from coopcis.apps.audit.models import MemberDataRead
from coopcis.apps.backoffice.forms import add_violation
from coopcis.apps.backoffice.permissions import staff_view
from coopcis.apps.staff.middleware import password_changed
from coopcis.apps.staff.roles import MANAGE_STAFF, ROLE_NAMES
from coopcis.apps.staff.services import add_staff, reset_password, role_of
from coopcis.core.errors import RuleViolation


class StaffForm(forms.Form):
    username = forms.CharField(label="Sign-in name", max_length=40)
    full_name = forms.CharField(label="Full name", max_length=150, required=False)
    email = forms.EmailField(label="Email", required=False)
    role = forms.ChoiceField(label="Role", choices=list(ROLE_NAMES.items()))


def _page(request: HttpRequest, form: StaffForm, issued: dict[str, str] | None) -> HttpResponse:
    users = get_user_model().objects.order_by("username").prefetch_related("groups")
    rows = [(user, role_of(user)) for user in users]
    return render(request, "backoffice/staff.html", {"form": form, "rows": rows, "issued": issued})


@staff_view(*MANAGE_STAFF, action="give staff sign-ins")
def staff_list(request: HttpRequest) -> HttpResponse:
    form = StaffForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = add_staff(
                username=data["username"],
                role=data["role"],
                full_name=data["full_name"],
                email=data["email"],
                by=request.user,
            )
        except RuleViolation as violation:
            add_violation(form, violation)
        else:
            issued = {"username": user.get_username(), "password": password}
            form = StaffForm()
    return _page(request, form, issued)


@require_POST
@staff_view(*MANAGE_STAFF, action="give staff sign-ins")
def staff_reset(request: HttpRequest, username: str) -> HttpResponse:
    try:
        password = reset_password(username=username, by=request.user)
    except RuleViolation as violation:
        messages.error(request, violation.message)
        return redirect("backoffice:staff")
    return _page(request, StaffForm(), {"username": username, "password": password})


class OwnPasswordChangeView(PasswordChangeView):
    """Choosing one's own password (required after a one-time password)."""

    template_name = "backoffice/password_change.html"
    success_url = reverse_lazy("backoffice:search")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        password_changed(self.request)
        messages.success(self.request, "Your password is changed.")
        return response


#: Listing who read member data is a manager's (the custom audit permission).
REVIEW_READS = "audit.review_memberdataread"
READS_PER_PAGE = 50


@staff_view(REVIEW_READS, action="list who read member data")
def member_data_reads(request: HttpRequest) -> HttpResponse:
    """Who read member data: for one account (``?account=``) or one staff member
    (``?reader=``), newest first."""
    account = request.GET.get("account", "").strip()
    reader = request.GET.get("reader", "").strip()
    reads = MemberDataRead.objects.all()
    if account:
        reads = reads.filter(account_number=account)
    if reader:
        reads = reads.filter(reader_label=reader)
    page = Paginator(reads, READS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/member_data_reads.html",
        {"page": page, "account": account, "reader": reader},
    )
