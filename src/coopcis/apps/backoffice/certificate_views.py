"""Medical certificates members send from the portal, on staff's work list
(:mod:`coopcis.apps.collections.certificate_uploads`): staff open the file, then accept it
by entering what it certifies (the back office's certificate form: it records the
``MedicalCertificate`` that protects the account, policy 422) or reject it with a reason
the member reads. Opening a member's file is a read of member data, recorded."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from coopcis.apps.audit.models import ReadKind
from coopcis.apps.audit.reads import record_read
from coopcis.apps.backoffice.collections_forms import CertificateForm
from coopcis.apps.backoffice.permissions import RECORD_CERTIFICATE, forbidden, staff_view
from coopcis.apps.backoffice.request_views import DeclineForm, WorkList, worked
from coopcis.apps.backoffice.views import not_found, posted_data
from coopcis.apps.collections.certificate_uploads import (
    accept_certificate_upload,
    billing_to_protect,
    reject_certificate_upload,
)
from coopcis.apps.collections.models import CertificateUpload, UploadStatus


class AcceptForm(CertificateForm):
    """The back office's certificate form; received the day the member sent it."""

    received_on = None  # type: ignore[assignment]


#: Answered on each certificate's own page (the file is read first), not on the list.
WORK_LIST = WorkList(
    template="backoffice/work_certificates.html",
    waiting=lambda: (
        CertificateUpload.objects.filter(status=UploadStatus.SUBMITTED)
        .select_related("account__party")
        .defer("data")
        .order_by("uploaded_on", "id")
    ),
    permission=RECORD_CERTIFICATE,
    url="backoffice:certificate_uploads",
)


@staff_view()
def certificate_uploads(request: HttpRequest) -> HttpResponse:
    """Certificates members sent, oldest first."""
    return WORK_LIST.page(request)


def _upload(upload_id: int) -> CertificateUpload | None:
    return (
        CertificateUpload.objects.select_related("account__party", "certificate__bill")
        .defer("data")
        .filter(pk=upload_id)
        .first()
    )


def _review_page(
    request: HttpRequest,
    upload: CertificateUpload,
    accept: AcceptForm | None = None,
    reject: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    account = upload.account
    if accept is None:
        bill = billing_to_protect(account)
        accept = AcceptForm(
            account=account, initial={"bill": bill, "ill_person": upload.ill_person}
        )
    context = {
        "upload": upload,
        "account": account,
        "accept_form": accept,
        "reject_form": reject or DeclineForm(),
        "can_work": request.user.has_perm(RECORD_CERTIFICATE)
        and upload.status == UploadStatus.SUBMITTED,
    }
    return render(request, "backoffice/certificate_review.html", context, status=status)


@staff_view()
def certificate_review(request: HttpRequest, upload_id: int) -> HttpResponse:
    """One certificate: the member's words, the file, and the accept and reject forms.
    Accepting (POST) needs the permission to record certificates."""
    upload = _upload(upload_id)
    if upload is None:
        return not_found(request, f"certificate upload {upload_id}")
    if request.method != "POST":
        record_read(
            request, account_number=upload.account.number, kind=ReadKind.MEDICAL_CERTIFICATE
        )
        return _review_page(request, upload)
    if not request.user.has_perm(RECORD_CERTIFICATE):
        return forbidden(request, "record seriously-ill certificates")
    form = AcceptForm(posted_data(request), account=upload.account)

    def accept(data: dict[str, Any]) -> str:
        accept_certificate_upload(upload=upload, on=timezone.localdate(), **data)
        return (
            f"Certificate accepted for account {upload.account.number}: "
            f"bill {data['bill'].number} is protected from disconnection."
        )

    if worked(request, form, accept):
        return redirect(WORK_LIST.url)
    return _review_page(request, upload, accept=form, status=400)


@require_POST
@staff_view(RECORD_CERTIFICATE, action="record seriously-ill certificates")
def certificate_reject(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = _upload(upload_id)
    if upload is None:
        return not_found(request, f"certificate upload {upload_id}")
    form = DeclineForm(posted_data(request))

    def reject(data: dict[str, str]) -> str:
        reject_certificate_upload(upload=upload, on=timezone.localdate(), reason=data["reason"])
        return f"Certificate from account {upload.account.number} rejected."

    if worked(request, form, reject):
        return redirect(WORK_LIST.url)
    return _review_page(request, upload, reject=form, status=400)


@staff_view()
def certificate_file(request: HttpRequest, upload_id: int) -> HttpResponse:
    """The file as the member sent it: an attachment with its checked type (never shown
    inline, never sniffed), its read recorded."""
    upload = CertificateUpload.objects.select_related("account").filter(pk=upload_id).first()
    if upload is None:
        return not_found(request, f"certificate upload {upload_id}")
    record_read(request, account_number=upload.account.number, kind=ReadKind.MEDICAL_CERTIFICATE)
    response = HttpResponse(bytes(upload.data), content_type=upload.content_type)
    response["Content-Disposition"] = f'attachment; filename="{upload.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
