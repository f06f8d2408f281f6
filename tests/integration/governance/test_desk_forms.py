"""The governance forms at a desk: the secretary calls the annual meeting, the tellers
enter ballots (a second one refused with the bylaw), a question's vote, and members'
charges against a trustee with the hearing and the vote (bylaws art. III-IV)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from coopcis.apps.audit.models import AuditEvent
from coopcis.apps.governance.models import BallotIssued, Meeting, Question, RemovalCase, Trustee
from tests.integration.governance.coop import small_democracy
from tests.integration.governance.test_annual_meeting import run, run_json
from tests.integration.governance.test_board_and_ethics import _seat_board

pytestmark = pytest.mark.django_db


def _client(role: str, name: str) -> Client:
    user = User.objects.create_user(username=name)
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


def test_call_the_meeting_enter_ballots_and_a_question():
    small_democracy()
    secretary = _client("Manager", "sec")
    teller = _client("Customer service", "teller")

    wrong = secretary.post(
        "/governance/meetings/new/", {"on": "2027-08-07", "kind": "ANNUAL", "seats": "ZZ=1"}
    )
    assert "write seats as D=N" in wrong.text and not Meeting.objects.exists()
    called = secretary.post(
        "/governance/meetings/new/",
        {"on": "2027-08-07", "kind": "ANNUAL", "place": "Cloudcroft", "seats": "NW=1"},
    )
    meeting = Meeting.objects.get()
    assert called.status_code == 302 and called["Location"].endswith(f"/{meeting.pk}/")
    assert AuditEvent.objects.filter(model="governance.meeting").exists()
    run_json(
        "elections", "petition", str(meeting.pk), "--district", "NW", "--candidate", "N100",
        "--signers", ",".join(f"N{110 + i}" for i in range(15)), "--filed-on", "2027-07-01",
    )  # fmt: skip
    url = f"/governance/meetings/{meeting.pk}/ballots/"

    absent = teller.post(url, {"membership": "N120", "choices": "N100"})
    assert "not checked in" in absent.text and "art. III sec. 5" in absent.text
    run("meetings", "check-in", str(meeting.pk), "N120")
    entered = teller.post(url, {"membership": "N120", "choices": "N100"}, follow=True)
    assert "Ballot of N120 entered (NW)" in entered.text
    again = teller.post(url, {"membership": "N120", "choices": "N100"})
    assert again.status_code == 200 and "error" in again.text
    assert BallotIssued.objects.count() == 1
    assert teller.post(f"/governance/meetings/{meeting.pk}/question/", {}).status_code == 403

    secretary.post(
        f"/governance/meetings/{meeting.pk}/question/",
        {"text": "Approve the minutes of 2026", "votes_for": "1", "votes_against": "0"},
    )
    assert Question.objects.get().carried is True
    tally = secretary.get(f"/governance/meetings/{meeting.pk}/tally/").text
    assert "MemberN100, Pat" in tally and "Elected" in tally


def test_charges_hearing_and_vote_from_the_removals_page():
    small_democracy()
    _seat_board()
    meeting = run(
        "meetings", "create", "--date", "2027-03-20", "--kind", "special", "--called-by",
        "petition", "--callers", ",".join(f"N{100 + i}" for i in range(6)),
    ).strip()  # fmt: skip
    secretary = _client("Manager", "sec")
    base = f"/governance/meetings/{meeting}/removals/"
    form = {
        "trustee": "S201",
        "charges": "Absent from duty",
        "signers": "N100 N101 N102 N103 N104\nN105",
        "filed_on": "2027-03-01",
        "informed_on": "2027-03-16",  # four days before: too late
    }

    late = secretary.post(base + "charges/", form)
    assert late.status_code == 200 and "art. IV sec. 4" in late.text
    assert not RemovalCase.objects.exists()
    filed = secretary.post(base + "charges/", form | {"informed_on": "2027-03-15"}, follow=True)
    assert "6 valid signatures of 6 needed" in filed.text
    case = RemovalCase.objects.get()

    decided = secretary.post(
        base + "decide/",
        {"case": case.pk, "hearing": "Heard in person", "votes_for": "20", "votes_against": "12"},
        follow=True,
    )

    assert ": removed." in decided.text
    assert Trustee.objects.get(membership__number="S201").left_reason == "REMOVED_BY_MEMBERS"
    page = secretary.get(base).text
    assert "20 for, 12 against: removed" in page
