"""Paperless billing: the bill run emails a paperless member that the bill is ready (and the
print manifest leaves the account out, tests/integration/billing_pdf/test_print_command.py)."""

from __future__ import annotations

import pytest

from coopcis.apps.billing.models import Bill
from coopcis.apps.billing.run import run_billing
from tests.integration.portal.factories import member

pytestmark = pytest.mark.django_db


def test_a_paperless_member_is_emailed_when_the_bill_is_ready(
    small_coop, smtp_server, django_capture_on_commit_callbacks
):
    home, tou_home = small_coop.home, small_coop.tou_home
    home.paperless, home.email = True, "ana@example.org"
    home.save()
    member("ana@example.org", home)
    tou_home.email = "luis@example.org"
    tou_home.save()
    member("luis@example.org", tou_home)  # not paperless: the mailed bill is the notice

    with django_capture_on_commit_callbacks(execute=True):
        run_billing(period_label="2026-10")

    [message] = smtp_server.wait_for(1)
    bill = Bill.objects.get(account=home)
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Your OCEC bill is ready: $183.89 due October 30, 2026"
    body = smtp_server.body(message)
    assert f"/portal/accounts/{home.number}/bills/{bill.pk}/" in body
