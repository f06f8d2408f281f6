"""Life-support certificates: recorded, renewed and ended on the staff page (audited,
confirmed to the member in their language), counted per outage while in force, and listed
first in the queue's tier and on the outage's page (tests/integration/outages/
nested_network.py: R1 serves A, B, M, N, O; F1 A and B; T2 C, D, E)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from coopcis.apps.audit.models import AuditEvent, MemberDataRead
from coopcis.apps.notify.models import OutboxMessage
from coopcis.apps.outages.life_support import (
    life_support_points,
    record_certificate,
)
from coopcis.apps.outages.listing import members_listed
from coopcis.apps.outages.models import LifeSupportCertificate, Outage
from coopcis.core.errors import RuleViolation
from tests.integration.backoffice.factories import staff_user
from tests.integration.outages.nested_network import build, number_of

pytestmark = pytest.mark.django_db


def outage(code: str, kind: str, affected: int, minutes_ago: int) -> Outage:
    at = timezone.now() - timedelta(minutes=minutes_ago)
    return Outage.objects.create(
        device_code=code, device_kind=kind, started_at=at, predicted_at=at, affected=affected
    )


def test_staff_record_renew_and_end_a_certificate_audited_and_told_in_spanish(tmp_path):
    accounts = build(tmp_path, language="ES")
    account = accounts["N"]
    today = timezone.localdate()
    client = Client()
    client.force_login(staff_user("customer_service", username="cs"))
    url = f"/outages/life-support/{account.number}/"
    response = client.post(
        url,
        {
            "part": "new",
            "new-equipment": "oxygen concentrator",
            "new-certified_by": "Dr. Ortiz",
            "new-received_on": today.isoformat(),
            "new-expires_on": (today + timedelta(days=180)).isoformat(),
        },
    )
    assert response.status_code == 302
    certificate = LifeSupportCertificate.objects.get(account=account)
    assert certificate.counts_on(today)
    [message] = OutboxMessage.objects.filter(kind="life_support")
    assert message.language == "es"
    assert "no es una promesa de restablecimiento prioritario" in message.body
    assert "oxygen concentrator" in message.body

    renewed_to = today + timedelta(days=365)
    client.post(
        url,
        {
            "part": "renew",
            "certificate": certificate.pk,
            f"renew{certificate.pk}-received_on": today.isoformat(),
            f"renew{certificate.pk}-expires_on": renewed_to.isoformat(),
        },
    )
    certificate.refresh_from_db()
    assert certificate.expires_on == renewed_to
    # a renewal that does not run past the expiry is refused on the page
    refused = client.post(
        url,
        {
            "part": "renew",
            "certificate": certificate.pk,
            f"renew{certificate.pk}-received_on": today.isoformat(),
            f"renew{certificate.pk}-expires_on": (today + timedelta(days=30)).isoformat(),
        },
    )
    assert refused.status_code == 400 and "must run past" in refused.content.decode()

    client.post(
        url,
        {
            "part": "end",
            "certificate": certificate.pk,
            f"end{certificate.pk}-ended_on": today.isoformat(),
            f"end{certificate.pk}-reason": "equipment returned",
        },
    )
    certificate.refresh_from_db()
    assert certificate.ended_on == today and not certificate.counts_on(today)
    assert OutboxMessage.objects.filter(kind="life_support").count() == 3
    events = AuditEvent.objects.filter(model="outages.lifesupportcertificate")
    assert [e.action for e in events.order_by("pk")] == ["CREATE", "UPDATE", "UPDATE"]
    assert {e.actor_label for e in events} == {"staff:cs"}
    assert events.order_by("pk").last().reason == "ended: equipment returned"

    # the page is a logged read; the letter is Spanish
    assert client.get(url).status_code == 200
    assert MemberDataRead.objects.filter(account_number=account.number, kind="LIFE_SUPPORT")
    letter = client.get(f"/outages/life-support/certificates/{certificate.pk}/letter.pdf")
    assert letter["Content-Type"] == "application/pdf"
    reader = Client()
    reader.force_login(staff_user("read_only", username="ro"))
    assert reader.post(url, {"part": "new"}).status_code == 403


def test_the_letter_says_no_promise_in_the_members_language(tmp_path):
    from io import BytesIO

    from pypdf import PdfReader

    accounts = build(tmp_path, language="ES")
    today = timezone.localdate()
    certificate = record_certificate(
        account=accounts["A"],
        equipment="home dialysis",
        certified_by="Dr. Vigil",
        received_on=today,
        expires_on=today + timedelta(days=90),
        today=today,
    )
    from coopcis.apps.outages.life_support import RECORDED, confirmation_letter

    text = PdfReader(BytesIO(confirmation_letter(certificate, RECORDED))).pages[0].extract_text()
    text = " ".join(text.split())
    assert "Equipo de soporte vital registrado" in text
    assert "no es una promesa de restablecimiento prioritario" in text


def test_certificates_count_only_while_in_force(tmp_path):
    accounts = build(tmp_path)
    day = date(2026, 3, 1)
    LifeSupportCertificate.objects.create(
        account=accounts["A"],
        equipment="ventilator",
        certified_by="Dr. A",
        received_on=date(2026, 1, 1),
        expires_on=date(2026, 3, 1),
    )
    LifeSupportCertificate.objects.create(
        account=accounts["C"],
        equipment="oxygen",
        certified_by="Dr. C",
        received_on=date(2026, 1, 1),
        expires_on=date(2026, 12, 31),
        ended_on=date(2026, 2, 15),
    )
    assert life_support_points(day) == {"SP-A": {number_of("A")}}
    assert life_support_points(day + timedelta(days=1)) == {}  # expired on the 1st
    assert life_support_points(date(2026, 2, 14)) == {
        "SP-A": {number_of("A")},
        "SP-C": {number_of("C")},
    }
    with pytest.raises(RuleViolation, match="already expired"):
        record_certificate(
            account=accounts["B"],
            equipment="oxygen",
            certified_by="Dr. B",
            received_on=date(2026, 1, 1),
            expires_on=date(2026, 2, 1),
            today=day,
        )


def test_life_support_households_come_first_in_their_tier_and_on_the_outage_page(tmp_path):
    """R1 (5 members) and T2 (3 members) are both lines; T2 reaches D's life-support
    household, so T2 comes first although R1 has more members. The substation outage
    stays ahead of both (the flag never jumps a tier)."""
    accounts = build(tmp_path)
    today = timezone.localdate()
    record_certificate(
        account=accounts["D"],
        equipment="oxygen concentrator",
        certified_by="Dr. D",
        received_on=today,
        expires_on=today + timedelta(days=30),
        today=today,
    )
    recloser = outage("R1", "recloser", 5, 30)
    transformer = outage("T2", "transformer", 3, 10)
    outage("SUB", "substation", 8, 5)
    client = Client()
    client.force_login(staff_user("read_only", username="ro"))
    page = client.get("/outages/").content.decode()
    devices = re.findall(r"<td>([A-Z0-9-]+) \((\w+)\)", page)
    assert [d for d, _ in devices][:3] == ["SUB", "T2", "R1"]
    counts = re.findall(r'data-testid="life-support">(\d+)<', page)
    assert counts == ["1", "1", "0"]  # SUB reaches D too
    assert "16 members affected and 2 life-support households, counted per outage" in page

    listed = members_listed(transformer)
    assert [row.number for row in listed.rows] == [number_of(x) for x in "DCE"]
    assert (listed.total, listed.life_support) == (3, 1)
    detail = client.get(f"/outages/{transformer.pk}/").content.decode()
    assert detail.index(number_of("D")) < detail.index(number_of("C"))
    assert "oxygen concentrator" in detail
    reads = MemberDataRead.objects.filter(kind="OUTAGE")
    assert sorted(reads.values_list("account_number", flat=True)) == sorted(
        number_of(x) for x in "CDE"
    )
    assert members_listed(recloser).life_support == 0
