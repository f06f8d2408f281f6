"""Medical certificates members send from the portal, and staff's answer (issue 12, "a
seriously ill person's medical certificate uploaded (PDF or photo) for staff to accept").

Policy 422 (``record_certificate``): a licensed physician, dentist, osteopath or
chiropractor certifies that disconnection might endanger the life of a seriously ill person
at the residence; with the responsible person's affidavit of inability to pay it stops a
disconnection for the billing it was made for. The member sends the certificate as a PDF
or a photo (JPEG or PNG, known by its first bytes, at most 5 MB: ``core.uploads``); it
waits on the back office's work list. Staff read it and either accept it, entering the
billing, profession, certifier, license, ill person and affidavit as on the back office's
own form, which records the :class:`MedicalCertificate` through ``record_certificate``
(received the day the member sent it) and so protects the account exactly as one staff
record at the counter (open disconnect orders cancelled, the daily run refuses to
disconnect); or reject it with a reason the member reads.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.db import transaction

from coopcis.apps.audit.context import current_actor
from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.collections.models import CertificateUpload, CollectionCase, UploadStatus
from coopcis.apps.collections.services import record_certificate
from coopcis.apps.members.models import Account
from coopcis.apps.members.requests import decline_request, lock_waiting, record_decision
from coopcis.core.errors import RuleViolation
from coopcis.core.uploads import LARGEST_FILE, safe_filename, sniffed_type


def check_certificate_file(data: bytes) -> str:
    """The file's content type; refused when empty, too big, or not a PDF, JPEG or PNG."""
    if not data:
        raise RuleViolation("the file is empty", field="file")
    if len(data) > LARGEST_FILE:
        raise RuleViolation(
            f"{len(data):,} bytes, more than the {LARGEST_FILE // (1024 * 1024)} MB a "
            "certificate may be",
            field="file",
        )
    content_type = sniffed_type(data)
    if content_type is None:
        raise RuleViolation("a certificate is a PDF, JPEG or PNG file", field="file")
    return content_type


@transaction.atomic
def upload_certificate(
    *, account: Account, name: str, data: bytes, on: date, ill_person: str = "", note: str = ""
) -> CertificateUpload:
    """Keep the member's certificate file for staff to read."""
    content_type = check_certificate_file(data)
    upload = CertificateUpload(
        account=account,
        filename=safe_filename(name),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        ill_person=" ".join(ill_person.split())[:120],
        member_note=" ".join(note.split())[:500],
        uploaded_on=on,
        uploaded_by=current_actor().label[:150],
    )
    upload.with_reason("medical certificate sent from the portal").save()
    return upload


def billing_to_protect(account: Account) -> Bill | None:
    """The bill a certificate most likely is for: the open collection case's, else the
    account's latest posted bill (staff may choose another)."""
    case = CollectionCase.objects.filter(account=account, closed_on__isnull=True).first()
    if case is not None:
        return case.bill
    return (
        Bill.objects.filter(account=account, status=BillStatus.POSTED)
        .order_by("-period", "-id")
        .first()
    )


@transaction.atomic
def accept_certificate_upload(
    *,
    upload: CertificateUpload,
    on: date,
    bill: Bill,
    profession: str,
    certifier_name: str,
    license_number: str,
    ill_person: str,
    affidavit_of_inability: bool,
) -> CertificateUpload:
    """Record the certificate the file shows (policy 422), received the day it was sent."""
    upload = lock_waiting(upload, with_account=True)
    certificate = record_certificate(
        account=upload.account,
        bill=bill,
        received_on=upload.uploaded_on,
        profession=profession,
        certifier_name=certifier_name,
        license_number=license_number,
        ill_person=ill_person,
        affidavit_of_inability=affidavit_of_inability,
    )
    upload.certificate = certificate
    return record_decision(
        upload, status=UploadStatus.ACCEPTED, on=on, audit_reason="medical certificate accepted"
    )


@transaction.atomic
def reject_certificate_upload(
    *, upload: CertificateUpload, on: date, reason: str
) -> CertificateUpload:
    """Say no, and why (the member reads the reason in the portal)."""
    return decline_request(
        upload,
        status=UploadStatus.REJECTED,
        on=on,
        reason=reason,
        audit_reason="medical certificate rejected",
        with_account=True,
    )
