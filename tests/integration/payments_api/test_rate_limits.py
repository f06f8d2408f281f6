"""Every channel key is rate-limited (429 with Retry-After past its requests a minute, set
per key), and a key that reads the balance of many accounts that pay nothing through it is
flagged and logged: the security review read 546 of 600 sequential accounts in 6 seconds."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest

from coopcis.apps.payments.keys import admit, set_key_limits
from coopcis.apps.payments.models import ApiKeyWindow, ChannelApiKey
from coopcis.cli import main
from tests.integration.payments_api.conftest import front_end
from tests.integration.payments_api.test_api import body

pytestmark = pytest.mark.django_db


def test_past_its_limit_a_key_gets_429_with_retry_after_and_other_keys_do_not(billed, kiosk):
    set_key_limits(prefix=kiosk.record.prefix, requests_per_minute=3)
    other = front_end("KIOSK", "Alamogordo Walmart")

    answers = [kiosk.balance(billed.home.number).status_code for _ in range(3)]
    refused = kiosk.balance(billed.home.number)
    paid = kiosk.pay(body(billed.home), idempotency_key="after-limit")

    assert answers == [200, 200, 200]
    assert refused.status_code == 429 and paid.status_code == 429
    assert refused.json() == {"error": "this key may make 3 requests a minute"}
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert other.balance(billed.home.number).status_code == 200


def test_the_next_minute_opens_again_and_retry_after_counts_to_it(kiosk):
    record = kiosk.record
    set_key_limits(prefix=record.prefix, requests_per_minute=2)
    record.refresh_from_db()
    start = datetime(2026, 11, 2, 15, 30, 10, tzinfo=UTC)

    first = [admit(record, now=start + timedelta(seconds=n)) for n in range(3)]
    later = admit(record, now=start + timedelta(seconds=49))
    next_minute = admit(record, now=start + timedelta(seconds=50))

    assert first == [None, None, 48]  # 15:30:12 waits for 15:31:00
    assert later == 1
    assert next_minute is None
    assert ApiKeyWindow.objects.filter(api_key=record).count() == 1  # old minutes dropped


def test_reading_many_accounts_that_never_pay_flags_the_key(billed, kiosk, caplog):
    set_key_limits(prefix=kiosk.record.prefix, unpaid_lookups_flag=3)
    accounts = [billed.home, billed.tou_home, billed.lights, billed.mill]

    kiosk.pay(body(billed.home), idempotency_key="home-pays")
    with caplog.at_level(logging.WARNING, logger="coopcis.payments.api"):
        for account in accounts[:3]:
            assert kiosk.balance(account.number).status_code == 200
        kiosk.record.refresh_from_db()
        assert kiosk.record.flagged_at is None  # the home paid: two unpaid so far
        kiosk.balance(billed.mill.number)

    record = ChannelApiKey.objects.get(pk=kiosk.record.pk)
    assert record.flagged_at is not None
    assert "read the balance of 3 accounts on" in record.flag_reason
    assert f"channel API key {record.prefix} (Tularosa Travel Center) flagged" in caplog.text


def test_the_cli_sets_limits_lists_the_flag_and_clears_it(billed, kiosk, capsys):
    prefix = kiosk.record.prefix
    assert main(["payments", "api-key", "limit", prefix, "--per-minute", "30",
                 "--flag-after", "1"]) == 0  # fmt: skip
    kiosk.balance(billed.lights.number)
    assert main(["payments", "api-key", "list"]) == 0
    assert main(["payments", "api-key", "limit", prefix, "--clear-flag"]) == 0
    assert main(["payments", "api-key", "limit", prefix, "--per-minute", "0"]) == 1

    out, err = capsys.readouterr()
    assert "30 requests a minute, flagged after 1 unpaid lookups a day; not flagged." in out
    assert "\t30/min\t" in out and "FLAGGED read the balance of 1 accounts on" in out
    assert out.rstrip().endswith("flagged after 1 unpaid lookups a day; not flagged.")
    assert "requests_per_minute: must be at least 1" in err
    assert ChannelApiKey.objects.get(pk=kiosk.record.pk).flagged_at is None


def test_a_burst_like_the_security_review_is_cut_off_at_the_limit(billed, kiosk):
    numbers = [f"{2000000 + n}" for n in range(200)]

    with mock.patch("coopcis.apps.payments.api.timezone.now") as now:
        now.return_value = datetime(2026, 11, 2, 15, 30, 0, tzinfo=UTC)
        codes = [kiosk.balance(number).status_code for number in numbers]

    assert codes.count(429) == 200 - kiosk.record.requests_per_minute
    assert set(codes[: kiosk.record.requests_per_minute]) <= {200, 400}
