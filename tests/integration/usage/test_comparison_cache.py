"""The rate comparison is computed once and kept (coopcis/apps/usage/comparison_cache.py):
what the cache serves equals a computation from scratch and `coopcis rate quote`, any
change of the data it was computed from makes it compute again, and one account's entry
is never served for another."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from coopcis.apps.billing.corrections import cancel_bill
from coopcis.apps.billing.models import Bill, LocationTax, RiderFactor
from coopcis.apps.billing.run import run_billing
from coopcis.apps.metering.models import IntervalBlock, RegisterRead
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.apps.usage import comparison_cache
from coopcis.apps.usage.comparison import compare_account
from coopcis.apps.usage.comparison_cache import account_comparison, cache_key
from coopcis.apps.usage.readings import interval_meters, intervals
from coopcis.core.money import Money
from coopcis.core.periods import CO_OP_TIME_ZONE
from tests.integration.portal.factories import member
from tests.integration.usage.test_comparison import quote

pytestmark = pytest.mark.django_db

TODAY = date(2026, 10, 20)


def computing_forbidden(monkeypatch) -> None:
    """From here on, an answer can only come from the cache."""

    def refuse(*args, **kwargs):
        raise AssertionError("the comparison was computed again")

    monkeypatch.setattr(comparison_cache, "compare_account", refuse)


def test_a_second_visit_is_served_from_the_cache_and_agrees_with_rate_quote(
    small_coop, monkeypatch, tmp_path, capsys
):
    run_billing(period_label="2026-10")
    bill = Bill.objects.get(account=small_coop.tou_home)
    first = account_comparison(small_coop.tou_home, today=TODAY)
    assert first == compare_account(small_coop.tou_home, today=TODAY)

    computing_forbidden(monkeypatch)
    [point] = account_comparison(small_coop.tou_home, today=TODAY)

    assert [point] == first
    [month] = point.comparison.months
    # the bill's $297.23 on time of use; $223.37 flat (test_comparison.py has the sums)
    assert month.totals == {
        "ocec-res-tou": Money(Decimal("297.23")),
        "ocec-res": Money(Decimal("223.37")),
    }
    values = intervals(
        interval_meters(bill.service_point_id), start_on=bill.period_start, end_on=bill.period_end
    )
    path = tmp_path / "september.csv"
    rows = ["start,kwh"] + [
        f"{v.start_at.astimezone(CO_OP_TIME_ZONE).isoformat()},{Decimal(v.energy_wh) / 1000}"
        for v in values
    ]
    path.write_text("\n".join(rows) + "\n")
    for code in ("ocec-res", "ocec-res-tou"):
        assert Money(quote(capsys, code, path)) == month.totals[code]


def test_new_interval_data_is_compared_at_once(small_coop):
    before = account_comparison(small_coop.tou_home, today=TODAY)
    assert before[0].comparison.months[0].energy_kwh == Decimal("1260")

    # the importer replaces a day's block (delete, insert): UTC 15 September held 42 kWh
    # (24 on-peak quarters of 1 kWh, 72 of 0.25 kWh); now 96 x 2 kWh = 192 kWh
    meter = interval_meters(small_coop.tou_home.agreements.get().service_point_id)[0]
    day = datetime(2026, 9, 15, tzinfo=UTC)
    IntervalBlock.objects.get(meter_id=meter.meter_id, start_at=day).delete()
    IntervalBlock.objects.create(
        meter_id=meter.meter_id,
        start_at=day,
        interval_minutes=15,
        count=96,
        values_wh=IntervalBlock.pack([2000] * 96),
    )

    after = account_comparison(small_coop.tou_home, today=TODAY)
    assert after[0].comparison.months[0].energy_kwh == Decimal("1410")  # 1260 - 42 + 192
    assert after == compare_account(small_coop.tou_home, today=TODAY)
    assert after != before


def test_a_new_factor_and_a_new_bill_are_compared_at_once(small_coop):
    before = account_comparison(small_coop.tou_home, today=TODAY)
    assert before[0].comparison.months[0].totals["ocec-res"] == Money(Decimal("223.37"))

    # PCA 0.004210 -> 0.010000 $/kWh: 1260 kWh x 0.01 = 12.60 instead of 5.30; flat
    # 30.00 + 172.75 + 12.60 + 1.07 = 216.42, tax 6.8125% = 14.7436 -> 14.74: 231.16
    RiderFactor.objects.filter(month="2026-10", code="pca").update(per_kwh=Decimal("0.010000"))
    repriced = account_comparison(small_coop.tou_home, today=TODAY)
    assert repriced[0].comparison.months[0].totals["ocec-res"] == Money(Decimal("231.16"))
    assert repriced == compare_account(small_coop.tou_home, today=TODAY)

    run_billing(period_label="2026-10")  # the bill is rated with the new factor too
    billed = account_comparison(small_coop.tou_home, today=TODAY)
    bill = Bill.objects.get(account=small_coop.tou_home)
    assert billed[0].comparison.months[0].totals["ocec-res-tou"] == Money(bill.total_amount)
    assert billed == compare_account(small_coop.tou_home, today=TODAY)


def test_every_input_of_the_comparison_is_in_the_key(small_coop, monkeypatch):
    account = small_coop.tou_home
    run_billing(period_label="2026-10")
    keys = {cache_key(account, today=TODAY)}
    assert cache_key(account, today=TODAY) in keys  # nothing changed: the same key

    def changed() -> bool:
        key = cache_key(account, today=TODAY)
        new = key not in keys
        keys.add(key)
        return new

    agreement = ServiceAgreement.objects.get(account=account)
    meter = interval_meters(agreement.service_point_id)[0]
    block = IntervalBlock.objects.filter(meter_id=meter.meter_id).latest("start_at")
    IntervalBlock.objects.create(
        meter_id=meter.meter_id,
        start_at=block.start_at + timedelta(days=1),
        interval_minutes=15,
        count=1,
        values_wh=IntervalBlock.pack([250]),
    )
    assert changed(), "new interval data"
    read = RegisterRead.objects.filter(meter_id=meter.meter_id).latest("read_on")
    read.register_wh += 1000
    read.save()
    assert changed(), "a read corrected in place"
    cancel_bill(bill=Bill.objects.get(account=account), reason="test", on=TODAY)
    assert changed(), "a bill cancelled"
    RiderFactor.objects.create(month="2026-11", code="pca", per_kwh=Decimal("0.005"), source="t")
    assert changed(), "a new month's factor"
    LocationTax.objects.create(
        county="Otero", name="Municipal", rate=Decimal("0.01"), effective_on=TODAY, source="t"
    )
    assert changed(), "a new tax in the county"
    agreement.tariff_code = "ocec-res"
    agreement.save()
    assert changed(), "the member's schedule"
    monkeypatch.setattr(comparison_cache, "catalog_digest", lambda: "another catalog")
    assert changed(), "a tariff version added or edited"
    assert cache_key(account, today=TODAY + timedelta(days=1)) not in keys, "another day"


def test_one_accounts_figures_are_never_served_for_another(small_coop, monkeypatch):
    ana, mill = small_coop.tou_home, small_coop.mill
    ana_key, mill_key = cache_key(ana, today=TODAY), cache_key(mill, today=TODAY)
    assert ana_key.startswith(f"usage:rates:{ana.pk}:")
    assert mill_key.startswith(f"usage:rates:{mill.pk}:")

    # an entry under Ana's key holding the mill's figures is not served to her
    cache.set(ana_key, (mill.pk, compare_account(mill, today=TODAY)))
    [point] = account_comparison(ana, today=TODAY)
    assert set(point.comparison.codes) == {"ocec-res", "ocec-res-tou"}
    assert cache.get(ana_key)[0] == ana.pk  # replaced by her own

    computing_forbidden(monkeypatch)
    assert account_comparison(ana, today=TODAY) == [point]


def test_the_site_file_cache_keeps_the_comparison_between_processes(
    small_coop, settings, tmp_path, monkeypatch
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    first = account_comparison(small_coop.tou_home, today=TODAY)
    assert len(list((tmp_path / "cache").glob("*.djcache"))) == 1

    computing_forbidden(monkeypatch)
    cache.close()
    assert account_comparison(small_coop.tou_home, today=TODAY) == first  # read from the file


def test_the_rates_page_comes_from_the_cache_on_the_second_visit(
    small_coop, freeze_today, monkeypatch
):
    freeze_today(TODAY)
    run_billing(period_label="2026-10")
    client = Client()
    client.force_login(member("ana@example.org", small_coop.tou_home))
    url = f"/portal/accounts/{small_coop.tou_home.number}/usage/rates/"
    first = client.get(url)
    assert "$297.23" in first.content.decode() and "$223.37" in first.content.decode()

    computing_forbidden(monkeypatch)
    second = client.get(url)
    assert second.status_code == 200
    # the form's CSRF token aside, the same page
    assert _without_tokens(second.content) == _without_tokens(first.content)


def _without_tokens(html: bytes) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.decode())
