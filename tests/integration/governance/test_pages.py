"""Staff pages: registration with search, the live quorum, petitions and tally, the board,
and the confidentiality of reports of violations."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from coopcis.apps.governance.models import CheckIn
from tests.integration.governance.coop import small_democracy
from tests.integration.governance.test_annual_meeting import run, run_json

pytestmark = pytest.mark.django_db


def _client(role: str) -> Client:
    user = User.objects.create_user(username=f"page-{role}")
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


def test_registration_quorum_and_tally_pages():
    small_democracy()
    meeting = run(
        "meetings", "create", "--date", "2027-08-07", "--kind", "annual", "--seats", "NW=1"
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
    desk = _client("Customer service")

    found = desk.get(f"/governance/meetings/{meeting}/", {"q": "membern12"})
    assert found.status_code == 200
    # MemberN120..N129: ten names start with the word MEMBERN12
    assert found.content.decode().count('name="membership"') == 10
    answer = desk.post(f"/governance/meetings/{meeting}/check-in/", {"membership": "N120"})
    assert answer.status_code == 302
    again = desk.post(
        f"/governance/meetings/{meeting}/check-in/", {"membership": "N120"}, follow=True
    )
    assert "already checked in" in again.content.decode()
    assert CheckIn.objects.count() == 1
    assert desk.get(f"/governance/meetings/{meeting}/quorum/", {"format": "json"}).json() == {
        "members_of_record": 48,
        "present": 1,
        "required": 1,
        "has_quorum": True,
    }
    run("elections", "vote", meeting, "N120", "--for", "N100")
    tally = desk.get(f"/governance/meetings/{meeting}/tally/").content.decode()
    assert "MemberN100, Pat" in tally and "Elected" in tally
    petitions = desk.get(f"/governance/meetings/{meeting}/petitions/").content.decode()
    assert "Valid" in petitions
    pdf = desk.get(f"/governance/meetings/{meeting}/notice.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_reports_of_violations_are_read_only_by_those_the_policy_names():
    reporter = _client("Billing")
    sent = reporter.post(
        "/governance/ethics/report/",
        {"subject": "Gift", "text": "A vendor's gift", "standard": "C"},
        follow=True,
    )
    assert "kept confidential" in sent.content.decode()
    assert reporter.get("/governance/ethics/reports/").status_code == 403
    assert _client("Read-only").get("/governance/ethics/reports/").status_code == 403
    manager = _client("Manager").get("/governance/ethics/reports/")
    assert "A vendor&#x27;s gift" in manager.content.decode()


def test_petition_coin_toss_and_certification_from_the_pages():
    small_democracy()
    meeting = run(
        "meetings", "create", "--date", "2027-08-07", "--kind", "annual", "--seats", "NW=1"
    ).strip()
    manager = _client("Manager")
    signers = "\n".join(f"N{110 + i}" for i in range(15))
    for candidate in ("N100", "N101"):
        filed = manager.post(
            f"/governance/meetings/{meeting}/petitions/new/",
            {
                "district": "NW",
                "candidate": candidate,
                "signers": signers,
                "filed_on": "2027-07-01",
            },
            follow=True,
        )
        assert f"Petition for {candidate} recorded, valid." in filed.content.decode()
    for voter, choice in (("N110", "N100"), ("N111", "N101")):
        run("meetings", "check-in", meeting, voter)
        run("elections", "vote", meeting, voter, "--for", choice)

    refused = manager.post(f"/governance/meetings/{meeting}/certify/", follow=True)
    assert "ties not yet settled" in refused.content.decode()
    tossed = manager.post(
        f"/governance/meetings/{meeting}/coin-toss/",
        {
            "district": "NW",
            "winner": "N100",
            "called_by": "Pat MemberN101",
            "call": "tails",
            "result": "heads",
            "chair": "President",
            "rules": "N101 calls; the chair tosses",
        },
        follow=True,
    )
    assert "N100 takes the seat" in tossed.content.decode()
    certified = manager.post(f"/governance/meetings/{meeting}/certify/", follow=True)

    assert "certified and kept with the minutes" in certified.content.decode()
    assert run_json("elections", "tally", meeting)["districts"]["NW"]["elected"] == ["N100"]
    assert (
        _client("Customer service").post(f"/governance/meetings/{meeting}/certify/").status_code
        == 403
    )
