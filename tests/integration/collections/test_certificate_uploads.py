"""A seriously ill person's medical certificate sent from the portal: checked by content,
kept out of every public address, read by staff from the work list, and either accepted
(it becomes the back office's certificate and stops the disconnection, policy 422) or
rejected with a reason the member reads."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.test import Client

from coopcis.apps.audit.models import MemberDataRead
from coopcis.apps.billing.models import Bill
from coopcis.apps.collections.models import (
    CertificateUpload,
    CollectionCase,
    MedicalCertificate,
    OrderKind,
    OrderStatus,
    ServiceOrder,
)
from coopcis.apps.portal.models import LinkRole
from tests.integration.backoffice.factories import staff_user
from tests.integration.collections.conftest import run_days, steps_for
from tests.integration.portal.factories import member

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def portal_client(account, role=LinkRole.HOLDER, email="ana@example.org") -> Client:
    client = Client()
    client.force_login(member(email, account, role=role))
    return client


def staff(role: str = "customer_service") -> Client:
    client = Client()
    client.force_login(staff_user(role))
    return client


def send(client: Client, account, data: bytes, name: str = "certificate.pdf", **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/portal/accounts/{account.number}/service/certificate/",
        {"file": SimpleUploadedFile(name, data), "ill_person": "Jose Baca", **fields},
    )


def accept_data(bill: Bill, **changes: str) -> dict[str, str]:
    return {
        "bill": str(bill.pk),
        "profession": "PHYSICIAN",
        "certifier_name": "Dr. Ana Ortiz",
        "license_number": "MD-1234",
        "ill_person": "Jose Baca",
        "affidavit_of_inability": "on",
        **changes,
    }


def test_an_accepted_certificate_protects_the_account_as_the_back_office_one_does(
    billed, freeze_today
):
    home = billed.home
    bill = Bill.objects.get(account=home)
    run_days(date(2026, 10, 30), date(2026, 11, 19))  # notices sent; disconnection 30 Nov
    freeze_today(date(2026, 11, 20))
    member_client = portal_client(home)

    sent = send(member_client, home, PDF, name="../../etc/dr ortiz.PDF", note="oxygen at home")

    assert sent.status_code == 302
    upload = CertificateUpload.objects.get()
    assert (upload.content_type, upload.size, upload.filename) == (
        "application/pdf",
        len(PDF),
        "dr_ortiz.PDF",
    )
    assert upload.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (upload.uploaded_on, upload.uploaded_by) == (
        date(2026, 11, 20),
        "portal:ana@example.org",
    )
    page = member_client.get(f"/portal/accounts/{home.number}/service/certificate/").text
    assert "waiting for the co-op to read it." in page

    # staff: the work list, the review page offering the open case's bill, the file
    clerk = staff()
    assert "oxygen at home" in clerk.get("/work/certificates/").text
    review = clerk.get(f"/work/certificates/{upload.pk}/")
    assert review.context["accept_form"]["bill"].value() == bill.pk
    file = clerk.get(f"/work/certificates/{upload.pk}/file")
    assert file.content == PDF and file["Content-Type"] == "application/pdf"
    assert file["Content-Disposition"] == 'attachment; filename="dr_ortiz.PDF"'
    assert file["X-Content-Type-Options"] == "nosniff"
    assert (
        MemberDataRead.objects.filter(account_number=home.number, kind="MEDICAL_CERT").count() == 2
    )

    accepted = clerk.post(f"/work/certificates/{upload.pk}/", accept_data(bill))

    assert accepted.status_code == 302
    upload.refresh_from_db()
    certificate = MedicalCertificate.objects.get(account=home)
    assert upload.status == "ACCEPTED" and upload.certificate == certificate
    assert (certificate.bill, certificate.received_on, certificate.license_number) == (
        bill,
        date(2026, 11, 20),
        "MD-1234",
    )
    # the daily job now refuses to disconnect, and says why
    reports = run_days(date(2026, 11, 20), date(2026, 12, 4))
    assert "disconnect_orders" not in steps_for(reports, home.number)
    assert not ServiceOrder.objects.filter(kind=OrderKind.DISCONNECT).exists()
    [found] = CollectionCase.objects.get(account=home).protected_by
    assert found["code"] == "MEDICAL_CERTIFICATE"
    answer = member_client.get(f"/portal/accounts/{home.number}/service/certificate/").text
    assert "The account is protected from disconnection for the bill it covers." in answer


def test_accepting_cancels_a_disconnect_order_already_made(billed, freeze_today):
    home = billed.home
    run_days(date(2026, 10, 30), date(2026, 11, 30))
    order = ServiceOrder.objects.get(kind=OrderKind.DISCONNECT)
    freeze_today(date(2026, 11, 27))  # sent before the day, read by staff on the day
    send(portal_client(home), home, PNG, name="photo.png")
    upload = CertificateUpload.objects.get()

    staff().post(f"/work/certificates/{upload.pk}/", accept_data(Bill.objects.get(account=home)))

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.cancel_reason == "protection recorded: seriously-ill certificate"


def test_a_rejected_certificate_protects_nothing_and_the_member_reads_why_in_spanish(
    billed, freeze_today
):
    home = billed.home
    home.language = "ES"
    home.save()
    run_days(date(2026, 10, 30), date(2026, 11, 19))
    freeze_today(date(2026, 11, 20))
    member_client = portal_client(home)
    send(member_client, home, PDF)
    upload = CertificateUpload.objects.get()
    clerk = staff()

    unlicensed = clerk.post(
        f"/work/certificates/{upload.pk}/",
        accept_data(Bill.objects.get(account=home), profession="NURSE"),
    )
    assert unlicensed.status_code == 400
    assert "licensed physician, dentist, osteopath or chiropractor" in unlicensed.text
    assert (
        staff("read_only")
        .post(f"/work/certificates/{upload.pk}/reject/", {"reason": "x"})
        .status_code
        == 403
    )
    clerk.post(
        f"/work/certificates/{upload.pk}/reject/", {"reason": "The certificate is not signed."}
    )

    upload.refresh_from_db()
    assert upload.status == "REJECTED" and not MedicalCertificate.objects.exists()
    reports = run_days(date(2026, 11, 20), date(2026, 11, 30))
    assert steps_for(reports, home.number)["disconnect_orders"] == [date(2026, 11, 30)]
    page = member_client.get(f"/portal/accounts/{home.number}/service/certificate/").text
    assert "Certificado médico" in page
    assert "no aceptado el" in page and "The certificate is not signed." in page


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"MZ\x90\x00 not a document", "certificate.pdf", "Send the certificate as a PDF"),
        (
            b"<html><script>alert(1)</script></html>",
            "certificate.png",
            "Send the certificate as a PDF",
        ),
        (b"", "empty.pdf", "The submitted file is empty."),
        (b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024), "big.pdf", "a certificate may be at most 5 MB"),
    ],
    ids=["an executable named .pdf", "HTML named .png", "empty", "over 5 MB"],
)
def test_only_a_pdf_jpeg_or_png_of_at_most_5_mb_is_kept(small_coop, data, name, expected):
    home = small_coop.home

    refused = send(portal_client(home), home, data, name=name)

    assert refused.status_code == 400
    assert expected in refused.text
    assert not CertificateUpload.objects.exists()


def test_only_the_accounts_members_and_staff_get_the_file(small_coop, freeze_today):
    freeze_today(date(2026, 11, 20))
    home = small_coop.home
    send(portal_client(home), home, PDF)
    upload = CertificateUpload.objects.get()
    url = f"/portal/accounts/{home.number}/service/certificate/{upload.pk}/file"

    invited = portal_client(home, role=LinkRole.INVITED, email="guest@example.org")
    stranger = portal_client(small_coop.tou_home, email="luis@example.org")
    tou_url = f"/portal/accounts/{small_coop.tou_home.number}/service/certificate/{upload.pk}/file"

    assert invited.get(url).content == PDF
    assert invited.post(f"/portal/accounts/{home.number}/service/certificate/").status_code == 403
    assert stranger.get(url).status_code == 404
    assert stranger.get(tou_url).status_code == 404
    assert Client().get(url).status_code == 302  # to the sign-in
    assert staff("read_only").get(f"/work/certificates/{upload.pk}/file").content == PDF
    assert "/media/" not in url and "/static/" not in url
