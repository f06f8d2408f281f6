"""Field orders: fees from the profile, business hours and New Mexico holidays, no-notice cases."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from coopcis.apps.collections.models import Notice, NoticeKind, OrderStatus
from coopcis.apps.collections.orders import complete_order, create_order
from coopcis.apps.receivables.models import ReceivableItem
from coopcis.core.periods import CO_OP_TIME_ZONE
from tests.integration.collections.conftest import run_days

pytestmark = pytest.mark.django_db
D = Decimal


def at(day, hour):
    return datetime.combine(day, time(hour), tzinfo=CO_OP_TIME_ZONE)


def test_connect_fee_in_and_after_business_hours(small_coop):
    home = small_coop.home
    day = create_order(
        account=home,
        kind="CONNECT",
        reason="MEMBER_REQUEST",
        on=date(2026, 12, 1),
        at=at(date(2026, 12, 1), 10),
    )
    night = create_order(
        account=home,
        kind="CONNECT",
        reason="MEMBER_REQUEST",
        on=date(2026, 12, 1),
        at=at(date(2026, 12, 1), 19),
    )
    holiday = create_order(
        account=home,
        kind="CONNECT",
        reason="MEMBER_REQUEST",
        on=date(2026, 11, 26),
        at=at(date(2026, 11, 26), 10),
    )
    assert [(o.fee_code, o.fee_amount, o.after_hours) for o in (day, night, holiday)] == [
        ("connect", D("40.00"), False),
        ("connect_after_hours", D("200.00"), True),
        ("connect_after_hours", D("200.00"), True),
    ]
    complete_order(night, on=date(2026, 12, 1))
    assert ReceivableItem.objects.get(account=home).amount == D("200.00")


def test_non_payment_work_waits_for_an_open_day_but_hazards_do_not(small_coop):
    home = small_coop.home
    # Thanksgiving and the day after are New Mexico holidays, then a weekend
    collect = create_order(
        account=home, kind="COLLECT", reason="NON_PAYMENT", on=date(2026, 11, 26)
    )
    hazard = create_order(account=home, kind="DISCONNECT", reason="HAZARD", on=date(2026, 11, 26))
    assert collect.scheduled_on == date(2026, 11, 30) and (
        collect.fee_code,
        collect.fee_amount,
    ) == ("trip", D("80.00"))
    assert (
        hazard.scheduled_on == date(2026, 11, 26)
        and hazard.without_notice
        and hazard.fee_code == ""
    )


def test_tampering_first_then_repeat_and_meter_test_only_when_it_applies(small_coop):
    home = small_coop.home
    first = create_order(account=home, kind="DISCONNECT", reason="TAMPERING", on=date(2026, 12, 1))
    assert (first.fee_code, first.fee_amount, first.without_notice) == (
        "tampering_first",
        D("150.00"),
        True,
    )
    complete_order(first, on=date(2026, 12, 1))
    repeat = create_order(account=home, kind="DISCONNECT", reason="TAMPERING", on=date(2027, 2, 1))
    assert (repeat.fee_code, repeat.fee_amount) == ("tampering_repeat", D("300.00"))
    accurate = create_order(
        account=home, kind="METER_TEST", reason="MEMBER_REQUEST", on=date(2026, 12, 1)
    )
    off = create_order(
        account=home, kind="METER_TEST", reason="MEMBER_REQUEST", on=date(2026, 12, 2)
    )
    complete_order(accurate, on=date(2026, 12, 1), fee_applies=True)
    off = complete_order(off, on=date(2026, 12, 2), fee_applies=False)
    assert accurate.fee_amount == D("35.00")
    assert list(
        ReceivableItem.objects.filter(fee_code="meter_test").values_list("amount", flat=True)
    ) == [D("35.00")]
    assert off.status == OrderStatus.COMPLETED and off.fee_item is None


def test_sec_profile_fees(small_coop, monkeypatch):
    monkeypatch.setenv("COOPCIS_PROFILE", "sec")
    home = small_coop.home
    collect = create_order(account=home, kind="COLLECT", reason="NON_PAYMENT", on=date(2026, 12, 1))
    test = create_order(
        account=home, kind="METER_TEST", reason="MEMBER_REQUEST", on=date(2026, 12, 1)
    )
    seasonal = create_order(
        account=home, kind="RECONNECT", reason="MEMBER_REQUEST", on=date(2026, 12, 1)
    )
    trip = create_order(account=home, kind="DISCONNECT", reason="NON_PAYMENT", on=date(2026, 12, 1))
    assert [(o.fee_code, o.fee_amount) for o in (collect, test, seasonal, trip)] == [
        ("collection", D("25.00")),
        ("meter_test", D("7.50")),
        ("seasonal_reconnect", D("15.00")),
        ("", D("0")),  # SEC charges no trip; its $50 reconnect fee is charged on disconnection
    ]


def test_order_commands(small_coop, capsys):
    home = small_coop.home
    call_command(
        "collections",
        "order",
        home.number,
        "--kind",
        "CONNECT",
        "--reason",
        "MEMBER_REQUEST",
        "--on",
        "2026-12-05",
        "--at",
        "09:30",
    )
    out = capsys.readouterr().out
    assert "on 2026-12-05 09:30 (connect_after_hours $200.00)" in out  # a Saturday


def test_sec_collection_charge_only_20_days_after_the_notice_of_delinquency(billed, monkeypatch):
    # given SEC's policy 405 and the home's unpaid October bill (due 30 October)
    monkeypatch.setenv("COOPCIS_PROFILE", "sec")
    home = billed.home
    early = create_order(account=home, kind="COLLECT", reason="NON_PAYMENT", on=date(2026, 10, 30))
    # no notice of delinquency mailed yet: a collection trip carries no charge
    early = complete_order(early, on=date(2026, 11, 2))
    assert early.fee_item is None and "no notice of delinquency was mailed" in early.note

    run_days(date(2026, 10, 30), date(2026, 11, 2))
    mailed = Notice.objects.get(account=home, kind=NoticeKind.SECOND).sent_on
    # on the 20th day after the mailing the member is still within the 20 days: no charge
    soon = create_order(account=home, kind="COLLECT", reason="NON_PAYMENT", on=mailed)
    soon = complete_order(soon, on=mailed + timedelta(days=20))
    assert soon.status == OrderStatus.COMPLETED and soon.fee_item is None
    assert f"mailed {mailed}; {mailed + timedelta(days=20)} is within 20 days" in soon.note
    # on the 21st day: the $25 collection charge
    late = create_order(account=home, kind="COLLECT", reason="NON_PAYMENT", on=mailed)
    late = complete_order(late, on=mailed + timedelta(days=21))
    assert (late.fee_item.fee_code, late.fee_item.amount) == ("collection", D("25.00"))


def test_ocec_trip_charge_does_not_wait_for_a_notice(small_coop):
    home = small_coop.home
    order = create_order(account=home, kind="COLLECT", reason="NON_PAYMENT", on=date(2026, 12, 1))
    order = complete_order(order, on=date(2026, 12, 1))
    assert (order.fee_item.fee_code, order.fee_item.amount) == ("trip", D("80.00"))
