"""A manager runs the board from its pages: calls three regular board meetings, marks one
trustee absent without excuse at each, sees the flag for removal (bylaws art. IV sec. 2(d)),
removes the trustee at the third meeting and fills the vacancy for the rest of the term
(art. IV sec. 5)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from coopcis.apps.governance.models import BoardMeeting, Trustee
from tests.integration.backoffice.factories import PASSWORD, staff_user
from tests.integration.governance.coop import member, small_democracy
from tests.integration.governance.test_board_and_ethics import _seat_board

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_absences_flag_removal_and_vacancy(page, freeze_today):
    freeze_today(date(2027, 1, 25))
    small_democracy()
    _seat_board()
    member("CN9", "CN")
    staff_user("manager", username="mona")

    page.goto("/governance/board/")
    page.get_by_label("Username").fill("mona")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/governance/board/$"))

    for day in ("2026-10-15", "2026-11-17", "2026-12-15"):
        form = page.get_by_test_id("board-meeting-form")
        form.get_by_label("Date of the board meeting").fill(day)
        form.get_by_label("Kind").select_option("REGULAR")
        form.get_by_role("button", name="Call the board meeting").click()
        expect(page.locator(".messages")).to_contain_text(f"Regular board meeting {day} is called")
        page.locator("#field-mark_CN1").get_by_label("Absent, unexcused").check()
        page.get_by_role("button", name="Record the attendance").click()
        expect(page.locator(".messages")).to_contain_text("Attendance recorded: a quorum")
        if day != "2026-12-15":
            page.goto("/governance/board/")
    expect(page.locator(".messages")).to_contain_text("flagged for removal: MemberCN1, Pat")
    expect(page.get_by_test_id("flagged")).to_contain_text("MemberCN1, Pat (CN, CN1)")

    page.get_by_role("button", name="Remove for absences at this meeting").click()
    expect(page).to_have_url(re.compile(r"/governance/board/$"))
    expect(page.locator(".messages")).to_contain_text("MemberCN1, Pat removed")
    expect(page.get_by_test_id("vacancies")).to_contain_text("to be filled by the board to 2028")
    assert Trustee.objects.get(membership__number="CN1").left_reason == "REMOVED_ABSENCES"
    latest = BoardMeeting.objects.get(on=date(2026, 12, 15))
    assert "removed for absence from 3 consecutive meetings" in latest.minutes

    form = page.get_by_test_id("vacancy-form")
    form.get_by_label("District of the vacancy").select_option("CN")
    form.get_by_label("Appointee's membership number").fill("CN9")
    form.get_by_label("Appointed by the board on").fill("2027-01-19")
    form.get_by_role("button", name="Appoint").click()
    expect(page.locator(".messages")).to_contain_text("MemberCN9, Pat appointed for CN to 2028")
    expect(page.get_by_test_id("trustees")).to_contain_text("2028 (appointed to a vacancy)")
    expect(page.get_by_test_id("vacancies")).to_contain_text("Every seat is filled.")
