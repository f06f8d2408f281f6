"""A members' meeting's notice goes once (bylaws art. III sec. 3): sending it again is
refused, from the command and from the meeting page, with nothing printed, sent or written
in the minutes again; staff who mean to send it again ask for a re-send, which is recorded
once in the minutes with its day, prints and emails every member once more, and is refused
on a day already recorded."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail

from coopcis.apps.governance.models import Meeting
from tests.integration.governance.coop import small_democracy
from tests.integration.governance.test_annual_meeting import refused, run, run_json
from tests.integration.governance.test_desk_forms import _client

pytestmark = pytest.mark.django_db


def _meeting(freeze_today) -> str:
    freeze_today(date(2027, 7, 18))
    small_democracy()
    return run(
        "meetings", "create", "--date", "2027-08-07", "--kind", "annual", "--seats", "NW=1"
    ).strip()


def _notice_lines(meeting: str) -> list[str]:
    minutes = Meeting.objects.get(pk=meeting).minutes
    return [line for line in minutes.splitlines() if line.startswith("Notice")]


def test_the_notice_command_sends_once_and_re_sends_only_when_asked(
    freeze_today, tmp_path, django_capture_on_commit_callbacks
):
    meeting = _meeting(freeze_today)
    notice = ("meetings", "notice", meeting, "--out", str(tmp_path))
    with django_capture_on_commit_callbacks(execute=True):
        first = run_json(*notice, "--mailed-on", "2027-07-18")
    assert (first["letters"], first["emails"]) == (48, 3) and len(mail.outbox) == 3
    letters = sorted(tmp_path.glob("notice-*.pdf"))
    assert len(letters) == 48
    for letter in letters:
        letter.unlink()  # the mail house took them

    for day in ("2027-07-18", "2027-07-20"):
        freeze_today(date.fromisoformat(day))
        with django_capture_on_commit_callbacks(execute=True):
            again = refused(*notice, "--mailed-on", day)
        assert "already mailed 2027-07-18" in again and "art. III sec. 3" in again
        assert "--resend" in again
    assert not list(tmp_path.glob("notice-*.pdf"))  # nothing printed twice
    assert len(mail.outbox) == 3  # nor emailed
    assert _notice_lines(meeting) == [
        "Notice mailed 2027-07-18 to 48 members (3 also by email or text)."
    ]

    with django_capture_on_commit_callbacks(execute=True):
        resent = run_json(*notice, "--mailed-on", "2027-07-20", "--resend")
    assert (resent["letters"], resent["emails"], resent["resend"]) == (48, 3, True)
    assert len(list(tmp_path.glob("notice-*.pdf"))) == 48 and len(mail.outbox) == 6
    for day in ("2027-07-20", "2027-07-19"):  # recorded already, or before the last mailing
        with django_capture_on_commit_callbacks(execute=True):
            assert "art. III sec. 3" in refused(*notice, "--mailed-on", day, "--resend")
    assert len(mail.outbox) == 6
    recorded = Meeting.objects.get(pk=meeting)
    assert (recorded.notice_mailed_on, recorded.notice_resent_on) == (
        date(2027, 7, 18),
        date(2027, 7, 20),
    )
    assert _notice_lines(meeting) == [
        "Notice mailed 2027-07-18 to 48 members (3 also by email or text).",
        "Notice re-sent 2027-07-20 to 48 members (3 also by email or text).",
    ]
    # a re-send is still a notice: refused outside 10 to 25 days before the meeting
    freeze_today(date(2027, 7, 30))
    assert "art. III sec. 3" in refused(*notice, "--mailed-on", "2027-07-30", "--resend")
    shown = run_json("meetings", "show", meeting)
    assert shown["notice_mailed_on"] == "2027-07-18" and shown["notice_resent_on"] == "2027-07-20"


def test_a_re_send_before_any_mailing_is_refused(freeze_today, tmp_path):
    meeting = _meeting(freeze_today)
    message = refused(
        "meetings", "notice", meeting, "--out", str(tmp_path),
        "--mailed-on", "2027-07-18", "--resend",
    )  # fmt: skip
    assert "not been mailed" in message
    assert Meeting.objects.get(pk=meeting).notice_mailed_on is None


def test_sending_the_notice_again_from_the_meeting_page_is_refused(
    freeze_today, django_capture_on_commit_callbacks
):
    meeting = _meeting(freeze_today)
    secretary = _client("Manager", "sec")
    url = f"/governance/meetings/{meeting}/notices/"
    with django_capture_on_commit_callbacks(execute=True):
        secretary.post(url, {"mailed_on": "2027-07-18", "action": "send"})
    assert len(mail.outbox) == 3
    page = secretary.get(f"/governance/meetings/{meeting}/").text
    assert 'value="resend"' in page  # the re-send is its own button once the notice went

    with django_capture_on_commit_callbacks(execute=True):
        again = secretary.post(url, {"mailed_on": "2027-07-18", "action": "send"})
    assert again.status_code == 400 and 'id="error-mailed_on"' in again.text
    assert "already mailed 2027-07-18" in again.text and "art. III sec. 3" in again.text
    assert len(mail.outbox) == 3
    assert len(_notice_lines(meeting)) == 1

    freeze_today(date(2027, 7, 21))
    with django_capture_on_commit_callbacks(execute=True):
        resent = secretary.post(url, {"mailed_on": "2027-07-21", "action": "resend"}, follow=True)
    assert "re-sent 2027-07-21 to 48 members; 3 sent by email or text" in resent.text
    assert len(mail.outbox) == 6
    assert _notice_lines(meeting)[1] == (
        "Notice re-sent 2027-07-21 to 48 members (3 also by email or text)."
    )
