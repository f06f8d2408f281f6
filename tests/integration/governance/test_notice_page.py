"""The members' meeting notice from the meeting page: every letter in one PDF and the
emails sent through ``send_notices``; a mailing day outside 10 to 25 days before the meeting
is refused with the bylaw cited and nothing printed, sent or recorded (art. III sec. 3)."""

from __future__ import annotations

import re
import zlib
from datetime import date

import pytest
from django.core import mail

from coopcis.apps.audit.models import AuditEvent, MemberDataRead
from coopcis.apps.billing.pdf.letter import letter_pdf
from coopcis.apps.governance import notices
from coopcis.apps.governance.models import Meeting
from coopcis.apps.members.models import Account, Membership
from coopcis.catalog.profiles import active_profile
from tests.integration.governance.coop import small_democracy
from tests.integration.governance.test_annual_meeting import run
from tests.integration.governance.test_desk_forms import _client

pytestmark = pytest.mark.django_db


def _page_text(pdf: bytes) -> str:
    """The drawing operators of every page, inflated."""
    parts = re.findall(rb"/FlateDecode >>\nstream\n(.*?)\nendstream", pdf, flags=re.S)
    return "\n".join(zlib.decompress(part).decode("latin-1") for part in parts)


def test_print_and_send_the_notice_within_the_window(
    freeze_today, django_capture_on_commit_callbacks
):
    freeze_today(date(2027, 7, 18))
    small_democracy()
    meeting = run(
        "meetings", "create", "--date", "2027-08-07", "--kind", "annual", "--seats", "NW=1"
    ).strip()
    secretary = _client("Manager", "sec")
    url = f"/governance/meetings/{meeting}/notices/"
    page = secretary.get(f"/governance/meetings/{meeting}/").text
    assert 'data-testid="notice-form"' in page and "2027-07-13 to 2027-07-28" in page

    for day in ("2027-07-12", "2027-07-30"):
        for action in ("print", "send"):
            with django_capture_on_commit_callbacks(execute=True):
                late = secretary.post(url, {"mailed_on": day, "action": action})
            assert late.status_code == 400 and 'id="error-mailed_on"' in late.text
            assert "art. III sec. 3" in late.text
    garbled = secretary.post(url, {"mailed_on": "18/07/2027", "action": "send"})
    assert garbled.status_code == 400 and 'id="error-mailed_on"' in garbled.text
    unsaid = secretary.post(url, {"mailed_on": "2027-07-18"})
    assert unsaid.status_code == 400 and "choose to print the letters or to send" in unsaid.text
    assert len(mail.outbox) == 0 and not MemberDataRead.objects.exists()
    assert Meeting.objects.get(pk=meeting).notice_mailed_on is None

    printed = secretary.post(url, {"mailed_on": "2027-07-18", "action": "print"})
    assert printed.status_code == 200 and printed["Content-Type"] == "application/pdf"
    text = _page_text(printed.content)
    assert printed.content.startswith(b"%PDF") and text.count("(Notice of the annual meeting") == 48
    assert all(f"(MemberN{100 + i}, Pat)" in text for i in range(30)) and "X900" not in text
    n105 = Membership.objects.get(number="N105")
    alone = letter_pdf(
        profile=active_profile(),
        address_lines=notices._lines(n105, Account.objects.get(number="9N105")),
        sections=[notices.notice_section(Meeting.objects.get(pk=meeting))],
        title="",
    )
    assert _page_text(alone) in text  # the same letter as the one-file-per-member print
    assert MemberDataRead.objects.filter(kind="NOTICE_PDF").count() == 48
    assert Meeting.objects.get(pk=meeting).notice_mailed_on is None  # printing records no mailing

    with django_capture_on_commit_callbacks(execute=True):
        sent = secretary.post(url, {"mailed_on": "2027-07-18", "action": "send"}, follow=True)
    assert "to 48 members; 3 sent by email or text" in sent.text
    assert len(mail.outbox) == 3
    recorded = Meeting.objects.get(pk=meeting)
    assert (recorded.notice_mailed_on, recorded.notices_printed) == (date(2027, 7, 18), 48)
    assert "Notice mailed 2027-07-18 to 48 members" in recorded.minutes
    assert AuditEvent.objects.filter(model="governance.meeting", action="UPDATE").exists()

    staff = _client("Customer service", "cs")
    assert 'data-testid="notice-form"' not in staff.get(f"/governance/meetings/{meeting}/").text
    assert staff.post(url, {"mailed_on": "2027-07-18", "action": "send"}).status_code == 403
