"""Members see the meeting notice in the portal, with their district and its candidates."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from coopcis.apps.members.models import Account
from tests.integration.governance.coop import small_democracy
from tests.integration.governance.test_annual_meeting import run, run_json
from tests.integration.portal.factories import member as portal_member

pytestmark = pytest.mark.django_db


def test_the_notice_in_the_portal(freeze_today, tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    small_democracy()
    meeting = run(
        "meetings",
        "create",
        "--date",
        "2027-08-07",
        "--kind",
        "annual",
        "--seats",
        "NW=1",
        "--place",
        "Cloudcroft High School",
    ).strip()
    run_json(
        "elections",
        "petition",
        meeting,
        "--district",
        "NW",
        "--candidate",
        "N100",
        "--signers",
        ",".join(f"N{110 + i}" for i in range(15)),
        "--filed-on",
        "2027-07-01",
    )
    client = Client()
    client.force_login(portal_member("pat@example.org", Account.objects.get(number="9N105")))
    freeze_today(date(2027, 7, 18))
    url = "/portal/accounts/9N105/meetings/"

    before = client.get(url).content.decode()
    run(
        "meetings",
        "notice",
        meeting,
        "--mailed-on",
        "2027-07-18",
        "--out",
        str(tmp_path),
        "--skip-email",
    )
    after = client.get(url).content.decode()

    assert "No members' meeting is noticed" in before
    assert "Notice of the annual meeting of the members" in after
    assert "Cloudcroft High School" in after
    assert "You vote in trustee district NW." in after and "MemberN100, Pat" in after
