"""The code of ethics' pages (seed 000): disclosures recorded at a desk (the yearly
statement, one for a decision with the recusal in the minutes) beside who has not signed
this year's; and district member lists as a CSV for a candidate and an incumbent alike,
each logged, refused to anyone else, the log shown to managers only."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from coopcis.apps.audit.models import AuditEvent
from coopcis.apps.governance.models import BoardMeeting, ConflictDisclosure, MemberListRequest
from tests.integration.governance.coop import small_democracy
from tests.integration.governance.test_annual_meeting import run, run_json
from tests.integration.governance.test_board_and_ethics import _seat_board
from tests.integration.governance.test_desk_forms import _client

pytestmark = pytest.mark.django_db


def test_disclosures_and_missing_statements(freeze_today):
    freeze_today(date(2026, 10, 20))
    small_democracy()
    _seat_board()
    meeting = run("board", "meeting", "--date", "2026-10-20", "--kind", "regular").strip()
    secretary = _client("Manager", "sec")
    annual = {
        "membership": "N100",
        "kind": "ANNUAL",
        "year": "2026",
        "interests": "none",
        "signed_on": "2026-01-15",
    }
    assert "MemberN100, Pat" in secretary.get("/governance/ethics/disclosures/").text

    both = secretary.post("/governance/ethics/disclosures/new/", {**annual, "employee": "sec"})
    assert both.status_code == 400 and 'id="error-membership"' in both.text
    assert "name either the membership or the employee" in both.text
    nobody = secretary.post("/governance/ethics/disclosures/new/", {**annual, "membership": "Z1"})
    assert nobody.status_code == 400 and "no membership Z1" in nobody.text
    bad_year = secretary.post("/governance/ethics/disclosures/new/", {**annual, "year": "70000"})
    assert bad_year.status_code == 400 and 'id="error-year"' in bad_year.text
    assert not ConflictDisclosure.objects.exists()
    done = secretary.post("/governance/ethics/disclosures/new/", annual)
    assert done.status_code == 302
    assert AuditEvent.objects.filter(model="governance.conflictdisclosure").count() == 1
    page = secretary.get("/governance/ethics/disclosures/").text
    missing = page.split('data-testid="missing-statements"')[1].split("</section>")[0]
    assert "MemberN100, Pat" not in missing and "MemberN101, Pat" in missing

    decision = {
        "membership": "N101",
        "kind": "DECISION",
        "year": "2026",
        "interests": "Brother-in-law owns Sacramento Line Builders",
        "decision": "Line-clearing contract 2027",
        "recused": "on",
        "signed_on": "2026-10-20",
    }
    no_meeting = secretary.post("/governance/ethics/disclosures/new/", decision)
    assert no_meeting.status_code == 400 and 'id="error-board_meeting"' in no_meeting.text
    no_decision = secretary.post(
        "/governance/ethics/disclosures/new/",
        {**decision, "decision": "", "board_meeting": meeting},
    )
    assert no_decision.status_code == 400 and 'id="error-decision"' in no_decision.text
    recused = secretary.post(
        "/governance/ethics/disclosures/new/", {**decision, "board_meeting": meeting}
    )
    assert recused.status_code == 302
    minutes = BoardMeeting.objects.get(pk=meeting).minutes
    assert 'disclosed an interest in "Line-clearing contract 2027" and recused' in minutes
    employee = secretary.post(
        "/governance/ethics/disclosures/new/", {**annual, "membership": "", "employee": "sec"}
    )
    assert employee.status_code == 302
    assert ConflictDisclosure.objects.filter(employee__username="sec").exists()
    staff = _client("Customer service", "cs")
    missing = staff.get("/governance/ethics/disclosures/").text
    missing = missing.split('data-testid="missing-statements"')[1].split("</section>")[0]
    assert "(cs)" in missing and "(sec)" not in missing

    assert staff.get("/governance/ethics/disclosures/").status_code == 200
    assert staff.post("/governance/ethics/disclosures/new/", annual).status_code == 403


def test_member_lists_for_a_candidate_and_an_incumbent_logged():
    small_democracy()
    _seat_board()
    meeting = str(
        run_json("meetings", "create", "--date", "2027-08-07", "--kind", "annual")["meeting"]
    )
    run_json(
        "elections", "petition", meeting, "--district", "NW", "--candidate", "N103",
        "--signers", ",".join(f"N{110 + i}" for i in range(15)), "--filed-on", "2027-07-01",
    )  # fmt: skip
    secretary = _client("Manager", "sec")
    url = "/governance/ethics/member-lists/"

    refused = secretary.post(url, {"district": "NW", "for_number": "N104"})
    assert refused.status_code == 400 and 'id="error-for_number"' in refused.text
    assert "member lists are confidential" in refused.text
    other_district = secretary.post(url, {"district": "SE", "for_number": "N100"})
    assert other_district.status_code == 400
    bad = secretary.post(url, {"district": "ZZ", "for_number": "N100"})
    assert bad.status_code == 400 and 'id="error-district"' in bad.text
    assert not MemberListRequest.objects.exists()

    candidate = secretary.post(url, {"district": "NW", "for_number": "N103"})
    incumbent = secretary.post(url, {"district": "NW", "for_number": "N100"})
    assert candidate["Content-Type"].startswith("text/csv")
    assert "attachment" in candidate["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(candidate.content.decode())))
    assert rows == list(csv.reader(io.StringIO(incumbent.content.decode())))
    assert rows[0] == ["name", "address"] and len(rows) == 31
    assert all(len(row) == 2 for row in rows) and "9N100" not in candidate.content.decode()
    logged = list(MemberListRequest.objects.order_by("pk").values_list("role", "requested_by"))
    assert logged == [("CANDIDATE", "staff:sec"), ("INCUMBENT", "staff:sec")]
    log = secretary.get(url).text.split('data-testid="member-list-log"')[1]
    assert log.count("<td>NW</td>") == 2 and "candidate" in log and "incumbent" in log

    staff = _client("Customer service", "cs")
    assert staff.get(url).status_code == 403
    assert staff.post(url, {"district": "NW", "for_number": "N103"}).status_code == 403
    assert MemberListRequest.objects.count() == 2


def test_a_member_list_never_hands_a_spreadsheet_a_formula():
    """A name typed as a formula (CSV injection) reaches the candidate's spreadsheet as text."""
    from coopcis.apps.members.models import Membership, Party

    small_democracy()
    _seat_board()
    member = Membership.objects.get(number="N112")
    Party.objects.filter(pk=member.party_id).update(
        display_name='=HYPERLINK("http://example.com/pay","Pay your bill")'
    )
    listed = _client("Manager", "sec").post(
        "/governance/ethics/member-lists/", {"district": "NW", "for_number": "N100"}
    )
    names = [row[0] for row in csv.reader(io.StringIO(listed.content.decode()))]
    assert '\'=HYPERLINK("http://example.com/pay","Pay your bill")' in names
    assert not any(name.startswith(("=", "+", "@")) for name in names)
