"""`coopcis alerts run`: one alert per account and day over the member's threshold."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from coopcis import events
from coopcis.apps.billing.models import Bill
from coopcis.apps.billing.run import run_billing
from coopcis.apps.notify.models import OutboxMessage
from coopcis.apps.usage.alerts import set_threshold
from coopcis.apps.usage.events import HighUsage
from coopcis.apps.usage.models import UsageAlert, UsageThreshold
from coopcis.core.errors import RuleViolation
from tests.integration.jobs import coopcis

pytestmark = pytest.mark.django_db

# the small co-op's time-of-use home: every September day 24 on-peak quarter hours of
# 1 kWh and 72 off-peak of 0.25 kWh, 42 kWh a day


def alerts(capsys, *argv):
    code, out, err = coopcis(capsys, "alerts", "run", *argv, "--json")
    assert (code, err) == (0, ""), err
    return json.loads(out)


def test_a_day_over_the_kwh_threshold_raises_one_alert_however_often_the_job_runs(
    small_coop, capsys, freeze_today
):
    freeze_today(date(2026, 10, 20))
    set_threshold(small_coop.tou_home, daily_kwh=Decimal("40"), daily_amount=None)
    set_threshold(small_coop.home, daily_kwh=Decimal("1"), daily_amount=None)  # no intervals

    first = alerts(capsys, "--date", "2026-09-15")
    again = alerts(capsys, "--date", "2026-09-15")

    assert first["checked"] == 1 and first["no_data"] == [small_coop.home.number]
    assert first["raised"] == [
        {"account": small_coop.tou_home.number, "kwh": "42", "estimated_amount": None,
         "over": "kwh"}
    ]  # fmt: skip
    assert (again["raised"], again["already_raised"]) == ([], 1)
    alert = UsageAlert.objects.get()
    assert (alert.day, alert.energy_wh, alert.threshold_kwh) == (
        date(2026, 9, 15), 42_000, Decimal("40.000"))  # fmt: skip


def test_at_the_threshold_is_not_over_it(small_coop, capsys, freeze_today):
    freeze_today(date(2026, 10, 20))
    set_threshold(small_coop.tou_home, daily_kwh=Decimal("42"), daily_amount=None)
    assert alerts(capsys, "--date", "2026-09-15")["raised"] == []


def test_the_dollar_threshold_prices_the_day_at_the_latest_bills_price(
    small_coop, capsys, freeze_today
):
    freeze_today(date(2026, 10, 20))
    run_billing(period_label="2026-10")
    Bill.objects.filter(account=small_coop.tou_home).update(bill_date=date(2026, 9, 10))
    # $297.23 for 1,260 kWh = $0.2358968... a kWh; 42 kWh -> $9.9077 -> $9.91
    set_threshold(small_coop.tou_home, daily_kwh=None, daily_amount=Decimal("9.91"))
    assert alerts(capsys, "--date", "2026-09-15")["raised"] == []
    set_threshold(small_coop.tou_home, daily_kwh=None, daily_amount=Decimal("9.90"))
    [raised] = alerts(capsys, "--date", "2026-09-15")["raised"]
    assert (raised["estimated_amount"], raised["over"]) == ("9.91", "amount")


def test_a_dry_run_keeps_nothing_and_a_future_day_is_refused(small_coop, capsys, freeze_today):
    freeze_today(date(2026, 10, 20))
    set_threshold(small_coop.tou_home, daily_kwh=Decimal("40"), daily_amount=None)
    report = alerts(capsys, "--date", "2026-09-15", "--dry-run")
    assert report["dry_run"] is True and len(report["raised"]) == 1
    assert not UsageAlert.objects.exists()
    assert not OutboxMessage.objects.exists()  # nothing to send either

    code, _out, err = coopcis(capsys, "alerts", "run", "--date", "2026-10-21")
    assert code == 2 and "argument --date: 2026-10-21 is after today" in err


def test_each_new_alert_is_announced_once_committed(
    small_coop, capsys, freeze_today, django_capture_on_commit_callbacks, monkeypatch
):
    freeze_today(date(2026, 10, 20))
    sent = []
    monkeypatch.setattr(events, "_handlers", {HighUsage: [sent.append]})
    set_threshold(small_coop.tou_home, daily_kwh=Decimal("40"), daily_amount=None)
    with django_capture_on_commit_callbacks(execute=True):
        alerts(capsys, "--date", "2026-09-15")
    alert = UsageAlert.objects.get()
    assert sent == [HighUsage(alert.pk, small_coop.tou_home.pk, date(2026, 9, 15))]


def test_a_threshold_must_be_positive_and_clearing_both_removes_it(small_coop):
    with pytest.raises(RuleViolation, match="daily_kwh: must be more than zero"):
        set_threshold(small_coop.tou_home, daily_kwh=Decimal("0"), daily_amount=None)
    set_threshold(small_coop.tou_home, daily_kwh=Decimal("5"), daily_amount=None)
    assert set_threshold(small_coop.tou_home, daily_kwh=None, daily_amount=None) is None
    assert not UsageThreshold.objects.exists()


def test_the_member_is_told_once_by_email_in_their_words(
    small_coop, capsys, freeze_today, django_capture_on_commit_callbacks, mailoutbox
):
    freeze_today(date(2026, 10, 20))
    account = small_coop.tou_home
    account.email = "ana@example.org"
    account.save()
    set_threshold(account, daily_kwh=Decimal("40"), daily_amount=Decimal("50.00"))
    with django_capture_on_commit_callbacks(execute=True):
        alerts(capsys, "--date", "2026-09-15")
    with django_capture_on_commit_callbacks(execute=True):
        alerts(capsys, "--date", "2026-09-15")

    [mail] = mailoutbox
    assert mail.to == ["ana@example.org"]
    assert mail.subject == "High use on September 15, 2026"
    words = " ".join(mail.body.split())
    # over the kWh limit only: the kWh words, not the dollar ones
    assert "On September 15, 2026 your service used 42 kWh: over the daily limit of 40 kWh" in words
    assert "/portal/accounts/" in words
    assert UsageAlert.objects.get().sent_at is not None
