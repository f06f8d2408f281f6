"""The member sends a seriously ill person's medical certificate (issue 12): the page
``/portal/accounts/<number>/service/certificate/`` and the file's download.

The holder uploads a PDF or a photo (JPEG or PNG) of the certificate; the form refuses,
in the member's language, a file over 5 MB (unread) or one whose first bytes are not a
PDF's, JPEG's or PNG's, whatever its name says; ``collections.certificate_uploads``
keeps it for staff's work list, audited as the member's portal sign-in. The page lists
what was sent with the co-op's answer: accepted (the account is protected as policy 422
says) or rejected with the reason. The file goes back only to members linked to the
account (``.../certificate/<id>/file``, an attachment), never from a public address.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coopcis.apps.audit.context import acting_as
from coopcis.apps.collections.certificate_uploads import upload_certificate
from coopcis.apps.collections.models import CertificateUpload
from coopcis.apps.portal.access import get_linked_account_or_404, linked_or_404, member_required
from coopcis.apps.portal.models import AccountLink, LinkRole
from coopcis.core.errors import RuleViolation
from coopcis.core.uploads import LARGEST_FILE, sniffed_type
from coopcis.site.jobs import today

SHOWN = 10


class CertificateForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("The signed certificate (PDF, JPEG or PNG, at most 5 MB)")
    )
    ill_person = forms.CharField(
        label=gettext_lazy("Name of the seriously ill person"), max_length=120
    )
    note = forms.CharField(
        label=gettext_lazy("Anything the co-op should know (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > LARGEST_FILE:
            raise forms.ValidationError(
                _("This file is %(size)s bytes: a certificate may be at most %(most)s MB."),
                params={"size": f"{upload.size:,}", "most": LARGEST_FILE // (1024 * 1024)},
            )
        data = upload.read()
        if not data or sniffed_type(data) is None:
            raise forms.ValidationError(
                _("Send the certificate as a PDF, or as a JPEG or PNG photo.")
            )
        self.data_bytes = data
        return upload


def _holds(request: HttpRequest, account: Any) -> bool:
    return AccountLink.objects.filter(
        account=account, user=request.user, role=LinkRole.HOLDER
    ).exists()


@member_required
def certificate(request: HttpRequest, number: str) -> HttpResponse:
    account = get_linked_account_or_404(request.user, number)
    holder = _holds(request, account)
    posted = request.method == "POST"
    form = CertificateForm(
        request.POST if posted and holder else None, request.FILES if posted and holder else None
    )
    if posted and holder and form.is_valid():
        data = form.cleaned_data
        try:
            with (
                transaction.atomic(),
                acting_as(user=request.user, label=f"portal:{request.user.get_username()}"),
            ):
                upload_certificate(
                    account=account,
                    name=data["file"].name,
                    data=form.data_bytes,
                    ill_person=data["ill_person"],
                    note=data["note"],
                    on=today(),
                )
        except RuleViolation:
            form.add_error("file", _("Send the certificate as a PDF, or as a JPEG or PNG photo."))
        else:
            messages.success(
                request, _("Your certificate is sent. The co-op reads it and answers here.")
            )
            return redirect("portal:certificate", number=account.number)
    uploads = list(
        CertificateUpload.objects.filter(account=account)
        .defer("data")
        .order_by("-uploaded_on", "-id")[:SHOWN]
    )
    status = (400 if holder else 403) if posted else 200
    context = {"account": account, "form": form, "holder": holder, "uploads": uploads}
    return render(request, "portal/service/certificate.html", context, status=status)


@member_required
def certificate_file(request: HttpRequest, number: str, upload_id: int) -> HttpResponse:
    """The file as sent, to a member linked to the account only (an attachment, its type
    as checked, never sniffed by the browser)."""
    account = get_linked_account_or_404(request.user, number)
    upload = linked_or_404(
        request.user, CertificateUpload.objects.filter(account=account), pk=upload_id
    )
    response = HttpResponse(bytes(upload.data), content_type=upload.content_type)
    response["Content-Disposition"] = f'attachment; filename="{upload.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
