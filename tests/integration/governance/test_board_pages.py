"""The board's pages (bylaws art. IV-VI): seat a trustee, elect the officers, call board
meetings (a special one refused on four days' notice), record attendance until a trustee is
flagged for three consecutive unexcused absences, remove the trustee at a board meeting and
fill the vacancy for the rest of the term; each refusal answers the form with the field
named and the bylaw cited, and each change leaves an audit event."""

from __future__ import annotations

from datetime import date

import pytest

from coopcis.apps.audit.models import AuditEvent
from coopcis.apps.governance.models import BoardMeeting, OfficerTerm, Trustee
from tests.integration.governance.coop import member, small_democracy
from tests.integration.governance.test_board_and_ethics import _seat_board
from tests.integration.governance.test_desk_forms import _client

pytestmark = pytest.mark.django_db

BOARD = ["N100", "N101", "S200", "S201", "NE0", "NE1", "CN0", "CN1", "SW0", "SW1"]


def _marks(**special: str) -> dict[str, str]:
    return {f"mark_{n}": special.get(n, "PRESENT") for n in BOARD}


def test_seat_a_trustee_and_elect_the_officers():
    small_democracy()
    secretary = _client("Manager", "sec")
    seat = {"membership": "N100", "district": "NW", "term_ends_year": "2027"}

    missing = secretary.post("/governance/board/seat/", seat)
    assert missing.status_code == 400 and 'id="error-started_on"' in missing.text
    wrong = secretary.post(
        "/governance/board/seat/", {**seat, "district": "SE", "started_on": "2024-08-03"}
    )
    assert wrong.status_code == 400 and 'id="error-membership"' in wrong.text
    assert "resides in NW, not SE" in wrong.text and not Trustee.objects.exists()
    bad_year = secretary.post(
        "/governance/board/seat/", {**seat, "term_ends_year": "99999", "started_on": "2024-08-03"}
    )
    assert bad_year.status_code == 400 and 'id="error-term_ends_year"' in bad_year.text
    year_one = secretary.post("/governance/board/seat/", {**seat, "started_on": "0001-01-01"})
    assert year_one.status_code == 400 and 'id="error-started_on"' in year_one.text

    seated = secretary.post("/governance/board/seat/", {**seat, "started_on": "2024-08-03"})
    assert seated.status_code == 302 and seated["Location"] == "/governance/board/"
    assert Trustee.objects.get().term_ends_year == 2027
    assert AuditEvent.objects.filter(model="governance.trustee", action="CREATE").count() == 1
    secretary.post(
        "/governance/board/seat/", {**seat, "membership": "N101", "started_on": "2024-08-03"}
    )
    third = secretary.post(
        "/governance/board/seat/", {**seat, "membership": "N102", "started_on": "2024-08-03"}
    )
    assert third.status_code == 400 and 'id="error-district"' in third.text
    assert "NW already has 2 trustees" in third.text and "art. IV sec. 2" in third.text
    assert Trustee.objects.count() == 2
    assert (
        _client("Customer service", "cs").post("/governance/board/seat/", seat).status_code == 403
    )

    Trustee.objects.all().delete()
    _seat_board()
    officers = {
        "elected_on": "2026-08-01",
        "president": "N100",
        "vice_president": "N100",
        "secretary": "NE0",
        "treasurer": "NE0",
    }
    same = secretary.post("/governance/board/officers/", officers)
    assert (
        same.status_code == 400
        and "only the secretary and treasurer may be one person" in same.text
    )
    stranger = secretary.post("/governance/board/officers/", {**officers, "vice_president": "N102"})
    assert stranger.status_code == 400 and 'id="error-vice_president"' in stranger.text
    assert not OfficerTerm.objects.exists()
    elected = secretary.post("/governance/board/officers/", {**officers, "vice_president": "S200"})
    assert elected.status_code == 302
    assert dict(OfficerTerm.objects.values_list("office", "trustee__membership__number")) == {
        "PRESIDENT": "N100",
        "VICE_PRESIDENT": "S200",
        "SECRETARY": "NE0",
        "TREASURER": "NE0",
    }
    page = secretary.get("/governance/board/").text
    assert "Vice President: MemberS200, Pat (SE)" in page and "Every seat is filled." in page


def test_board_meetings_attendance_removal_and_vacancy_from_the_pages(freeze_today):
    freeze_today(date(2027, 1, 25))
    small_democracy()
    _seat_board()
    secretary = _client("Manager", "sec")

    special = secretary.post(
        "/governance/board/meetings/new/",
        {"on": "2026-09-10", "kind": "SPECIAL", "notice_given_on": "2026-09-06"},
    )
    assert special.status_code == 400 and 'id="error-notice_given_on"' in special.text
    assert "5 days&#x27; notice" in special.text and "art. V sec. 3" in special.text
    no_notice = secretary.post(
        "/governance/board/meetings/new/", {"on": "2026-09-10", "kind": "SPECIAL"}
    )
    assert no_notice.status_code == 400 and "needs written notice" in no_notice.text
    assert not BoardMeeting.objects.exists()
    called = secretary.post(
        "/governance/board/meetings/new/",
        {
            "on": "2026-09-10",
            "kind": "SPECIAL",
            "notice_given_on": "2026-09-05",
            "purpose": "Rates",
        },
    )
    assert called.status_code == 302 and BoardMeeting.objects.get().kind == "SPECIAL"

    meetings = []
    for month in (10, 11, 12):
        secretary.post(
            "/governance/board/meetings/new/", {"on": f"2026-{month}-15", "kind": "REGULAR"}
        )
        meetings.append(BoardMeeting.objects.order_by("-pk").first())
    short = secretary.post(
        f"/governance/board/meetings/{meetings[0].pk}/attendance/", {"mark_N100": "PRESENT"}
    )
    assert short.status_code == 400 and 'id="error-mark_CN1"' in short.text
    for meeting in meetings[:2]:
        done = secretary.post(
            f"/governance/board/meetings/{meeting.pk}/attendance/", _marks(CN1="UNEXCUSED")
        )
        assert done.status_code == 302
    remove_url = f"/governance/board/meetings/{meetings[2].pk}/remove/"
    early = secretary.post(remove_url, {"trustee": "CN1"})
    assert early.status_code == 400 and "art. IV sec. 2(d)" in early.text
    assert Trustee.objects.get(membership__number="CN1").left_on is None

    third = secretary.post(
        f"/governance/board/meetings/{meetings[2].pk}/attendance/",
        _marks(CN1="UNEXCUSED", SW0="EXCUSED"),
        follow=True,
    )
    assert "flagged for removal: MemberCN1, Pat" in third.text
    assert "Three consecutive unexcused absences" in secretary.get("/governance/board/").text
    page = secretary.get(f"/governance/board/meetings/{meetings[2].pk}/").text
    assert 'data-testid="remove-form"' in page and "Absent, excused" in page
    assert _client("Customer service", "cs").post(remove_url, {"trustee": "CN1"}).status_code == 403

    removed = secretary.post(remove_url, {"trustee": "CN1"})
    assert removed.status_code == 302
    gone = Trustee.objects.get(membership__number="CN1")
    assert (gone.left_on, gone.left_reason) == (date(2026, 12, 15), "REMOVED_ABSENCES")
    assert "removed for absence" in BoardMeeting.objects.get(pk=meetings[2].pk).minutes
    board = secretary.get("/governance/board/").text
    assert "to be filled by the board to 2028" in board

    wrong = secretary.post(
        "/governance/board/fill/", {"district": "CN", "membership": "N102", "on": "2027-01-19"}
    )
    assert wrong.status_code == 400 and "resides in NW, not CN" in wrong.text
    none_there = secretary.post(
        "/governance/board/fill/", {"district": "NW", "membership": "N102", "on": "2027-01-19"}
    )
    assert none_there.status_code == 400 and "no vacancy in NW" in none_there.text
    member("CN9", "CN")
    filled = secretary.post(
        "/governance/board/fill/", {"district": "CN", "membership": "CN9", "on": "2027-01-19"}
    )
    assert filled.status_code == 302
    appointed = Trustee.objects.get(membership__number="CN9")
    assert (appointed.term_ends_year, appointed.appointed) == (2028, True)
    assert AuditEvent.objects.filter(model="governance.trustee", action="UPDATE").exists()
    assert secretary.get("/governance/board/meetings/999/").status_code == 404
    assert secretary.post("/governance/board/meetings/999/attendance/", {}).status_code == 404
