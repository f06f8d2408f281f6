"""The board with an absence removal and a vacancy filled (bylaws art. IV-VI), and the code
of ethics' disclosures, member lists and access review (seed 000)."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest

from coopcis.apps.audit.models import MemberDataRead
from coopcis.apps.governance.models import (
    BoardMeeting,
    EthicsReport,
    MemberListRequest,
    Trustee,
)
from tests.integration.governance.coop import member, small_democracy
from tests.integration.governance.test_annual_meeting import refused, run, run_json

pytestmark = pytest.mark.django_db


def _seat_board() -> None:
    """Ten trustees, two per district, terms ending 2027, 2028, 2029 (staggered)."""
    for code in ("NE", "CN", "SW"):
        for i in range(2):
            member(f"{code}{i}", code)
    plan = [
        ("N100", "NW", 2027),
        ("N101", "NW", 2028),
        ("S200", "SE", 2029),
        ("S201", "SE", 2027),
        ("NE0", "NE", 2028),
        ("NE1", "NE", 2029),
        ("CN0", "CN", 2027),
        ("CN1", "CN", 2028),
        ("SW0", "SW", 2029),
        ("SW1", "SW", 2027),
    ]
    for number, district, ends in plan:
        run(
            "board",
            "seat",
            number,
            "--district",
            district,
            "--term-ends",
            str(ends),
            "--since",
            "2024-08-03",
        )


def test_board_absences_removal_and_vacancy():
    small_democracy()
    _seat_board()
    assert "already has 2" in refused(
        "board", "seat", "N102", "--district", "NW", "--term-ends", "2029", "--since", "2026-08-01"
    )
    run(
        "board",
        "officers",
        "--on",
        "2026-08-01",
        "--president",
        "N100",
        "--vice-president",
        "S200",
        "--secretary",
        "NE0",
        "--treasurer",
        "NE0",
    )
    everyone_but_cn1 = ["N100", "N101", "S200", "S201", "NE0", "NE1", "CN0", "SW0", "SW1"]

    # special meeting on 4 days' notice refused (art. V sec. 3)
    assert "art. V sec. 3" in refused(
        "board", "meeting", "--date", "2026-09-10", "--kind", "special", "--notice-on", "2026-09-06"
    )
    # CN1: unexcused, excused, then three unexcused in a row
    marks = []
    for month, excused in [(9, False), (10, True), (11, False), (12, False)]:
        meeting = run(
            "board", "meeting", "--date", f"2026-{month:02d}-15", "--kind", "regular"
        ).strip()
        args = ["--excused", "CN1"] if excused else []
        marks.append(
            run_json("board", "attendance", meeting, "--present", ",".join(everyone_but_cn1), *args)
        )
    assert [m["flagged_for_removal"] for m in marks] == [[], [], [], []]
    assert "art. IV sec. 2(d)" in refused(
        "board", "remove", "CN1", "--board-meeting", meeting, "--on", "2026-12-15"
    )
    meeting = run("board", "meeting", "--date", "2027-01-19", "--kind", "regular").strip()
    fifth = run_json("board", "attendance", meeting, "--present", ",".join(everyone_but_cn1[:5]))
    assert fifth == {"has_quorum": False, "flagged_for_removal": ["CN1"]}  # 5 of 10: no quorum
    # the removal, recorded in the minutes
    run("board", "remove", "CN1", "--board-meeting", meeting, "--on", "2027-01-19")
    removed = Trustee.objects.get(membership__number="CN1")
    assert (removed.left_reason, removed.left_on) == ("REMOVED_ABSENCES", date(2027, 1, 19))
    assert (
        "removed for absence from 3 consecutive meetings"
        in BoardMeeting.objects.get(pk=meeting).minutes
    )
    # the vacancy filled by the board for the rest of CN1's term (to 2028); eligibility
    assert "resides in NW, not CN" in refused(
        "board", "fill", "N102", "--district", "CN", "--on", "2027-02-16"
    )
    member("CN9", "CN")
    run("board", "fill", "CN9", "--district", "CN", "--on", "2027-02-16")
    appointed = Trustee.objects.get(membership__number="CN9")
    assert (appointed.term_ends_year, appointed.appointed) == (2028, True)
    # the next annual meeting's seats follow the terms ending in 2027
    created = run_json("meetings", "create", "--date", "2027-08-07", "--kind", "annual")
    assert created["seats"] == {"NW": 1, "NE": 0, "CN": 1, "SW": 1, "SE": 1}
    # a trustee removed for absences may not be nominated (art. IV sec. 2(d))
    facts = run_json(
        "elections",
        "petition",
        str(created["meeting"]),
        "--district",
        "CN",
        "--candidate",
        "CN1",
        "--signers",
        "CN0,CN9",
        "--filed-on",
        "2027-07-01",
    )
    assert facts["eligibility"]["not_removed_for_absences"] is False


def test_members_charges_need_ten_percent_and_five_days():
    small_democracy()
    _seat_board()
    meeting = run(
        "meetings",
        "create",
        "--date",
        "2027-03-20",
        "--kind",
        "special",
        "--called-by",
        "petition",
        "--callers",
        ",".join([f"N{100 + i}" for i in range(6)]),
    ).strip()
    # 54 members of record: 10% = 5.4 -> 6 signatures
    assert "art. IV sec. 4" in refused(
        "board",
        "charges",
        "S201",
        "--meeting",
        meeting,
        "--charges",
        "Absent from duty",
        "--signers",
        "N100,N101,N102,N103,N104,N104",
        "--filed-on",
        "2027-03-01",
        "--informed-on",
        "2027-03-10",
    )
    assert "art. IV sec. 4" in refused(
        "board",
        "charges",
        "S201",
        "--meeting",
        meeting,
        "--charges",
        "Absent from duty",
        "--signers",
        "N100,N101,N102,N103,N104,N105",
        "--filed-on",
        "2027-03-01",
        "--informed-on",
        "2027-03-16",
    )
    run(
        "board",
        "charges",
        "S201",
        "--meeting",
        meeting,
        "--charges",
        "Absent from duty",
        "--signers",
        "N100,N101,N102,N103,N104,N105",
        "--filed-on",
        "2027-03-01",
        "--informed-on",
        "2027-03-15",
    )
    assert (
        run(
            "board", "decide", "1", "--hearing", "Heard in person", "--for", "20", "--against", "12"
        ).strip()
        == "removed"
    )
    assert Trustee.objects.get(membership__number="S201").left_reason == "REMOVED_BY_MEMBERS"


def test_special_meeting_petition_of_ten_percent():
    small_democracy()  # 48 members of record: 10% = 4.8 -> 5
    assert "art. III sec. 2" in refused(
        "meetings",
        "create",
        "--date",
        "2027-03-20",
        "--kind",
        "special",
        "--called-by",
        "petition",
        "--callers",
        "N100,N101,N102,N103,X900",
    )


def test_disclosures_member_lists_and_access_review(tmp_path, client):
    small_democracy()
    _seat_board()
    meeting = run("board", "meeting", "--date", "2026-10-20", "--kind", "regular").strip()
    run(
        "ethics",
        "disclose",
        "--membership",
        "N100",
        "--kind",
        "annual",
        "--year",
        "2026",
        "--interests",
        "none",
        "--signed-on",
        "2026-01-15",
    )
    run(
        "ethics",
        "disclose",
        "--membership",
        "N101",
        "--kind",
        "decision",
        "--year",
        "2026",
        "--interests",
        "Brother-in-law owns Sacramento Line Builders",
        "--decision",
        "Line-clearing contract 2027",
        "--board-meeting",
        meeting,
        "--recused",
        "--signed-on",
        "2026-10-20",
    )
    assert "recused" in BoardMeeting.objects.get(pk=meeting).minutes
    # a member with a competing business on record is not eligible as a candidate
    run(
        "ethics",
        "disclose",
        "--membership",
        "N102",
        "--kind",
        "annual",
        "--year",
        "2027",
        "--interests",
        "Owns a propane and electrical supply store",
        "--competing-business",
        "Alamo Electric Supply",
        "--signed-on",
        "2027-01-05",
    )
    annual = str(
        run_json("meetings", "create", "--date", "2027-08-07", "--kind", "annual")["meeting"]
    )
    petition = run_json(
        "elections",
        "petition",
        annual,
        "--district",
        "NW",
        "--candidate",
        "N102",
        "--signers",
        ",".join(f"N{110 + i}" for i in range(15)),
        "--filed-on",
        "2027-07-01",
    )
    assert petition["valid"] is False
    assert petition["eligibility"]["no_competing_interest"] is False
    # a candidate and an incumbent get the same list: NW's 30 members, names and addresses
    run_json(
        "elections",
        "petition",
        annual,
        "--district",
        "NW",
        "--candidate",
        "N103",
        "--signers",
        ",".join(f"N{110 + i}" for i in range(15)),
        "--filed-on",
        "2027-07-01",
    )
    run(
        "ethics",
        "member-list",
        "--district",
        "NW",
        "--for",
        "N103",
        "--out",
        str(tmp_path / "c.csv"),
    )
    run(
        "ethics",
        "member-list",
        "--district",
        "NW",
        "--for",
        "N100",
        "--out",
        str(tmp_path / "i.csv"),
    )
    candidate = list(csv.reader((tmp_path / "c.csv").open()))
    assert candidate == list(csv.reader((tmp_path / "i.csv").open()))
    assert candidate[0] == ["name", "address"] and len(candidate) == 31
    assert sorted(MemberListRequest.objects.values_list("role", flat=True)) == [
        "CANDIDATE",
        "INCUMBENT",
    ]
    assert "confidential" in refused("ethics", "member-list", "--district", "NW", "--for", "N104")
    # a report of a violation; the access summary for the board
    run(
        "ethics",
        "report",
        "--subject",
        "Gift from a vendor",
        "--text",
        "Seen at lunch",
        "--standard",
        "C",
    )
    assert EthicsReport.objects.count() == 1
    MemberDataRead.objects.create(
        reader_label="rosa", account_number="9N100", kind="ACCOUNT_PAGE", path="/accounts/9N100/"
    )
    summary = json.loads(
        run("ethics", "access-summary", "--from", "2000-01-01", "--to", "2100-01-01")
    )
    assert summary["reads"] == 1 and summary["by_reader"][0]["reader"] == "rosa"
    assert len(summary["member_lists"]) == 2
