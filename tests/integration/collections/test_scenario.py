"""A residential member from an unpaid bill to disconnection and back (dates frozen)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from coopcis.apps.collections.models import (
    CollectionCase,
    Notice,
    NoticeKind,
    OrderKind,
    OrderStatus,
    ServiceOrder,
    Stage,
)
from coopcis.apps.collections.orders import complete_order
from coopcis.apps.collections.run import run_collections
from coopcis.apps.collections.services import name_third_party
from coopcis.apps.credit.models import Deposit, DepositStatus
from coopcis.apps.ledger import reports
from coopcis.apps.receivables.models import ItemStatus, ReceivableItem
from tests.integration.collections.conftest import pay, run_days, steps_for

pytestmark = pytest.mark.django_db
D = Decimal


def text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(pdf))).pages)


def test_an_unpaid_bill_goes_through_both_notices_to_disconnection_and_reconnection(billed):
    home = billed.home
    name_third_party(
        account=home,
        name="Rosa Baca",
        mailing_address="12 Elm St\nAlamogordo NM 88310",
        named_on=date(2026, 10, 1),
    )
    # when: the daily job runs every day from the due date (30 October)
    reports_by_day = run_days(date(2026, 10, 30), date(2026, 11, 30))

    # then: second notice the day after the due date; the 15-day notice the day after the
    # second notice's pay-by date (10 November); 15 days on is Thanksgiving (26th), the 27th
    # is a New Mexico holiday too, then a weekend: the date is Monday 30 November; the
    # final contact 3 days before; the order on the date
    assert steps_for(reports_by_day, home.number) == {
        "opened": [date(2026, 10, 31)],
        "second_notices": [date(2026, 10, 31)],
        "disconnect_notices": [date(2026, 11, 11)],
        "third_party_notices": [date(2026, 11, 11)],
        "final_contacts": [date(2026, 11, 27)],
        "disconnect_orders": [date(2026, 11, 30)],
    }
    other = [n for r in reports_by_day.values() for ns in r["accounts"].values() for n in ns]
    assert set(other) == {home.number}  # everyone else paid

    case = CollectionCase.objects.get(account=home)
    assert case.stage == Stage.DISCONNECT_ORDERED and case.disconnect_on == date(2026, 11, 30)
    notices = {n.kind: n for n in Notice.objects.filter(case=case)}
    assert {k: (n.sent_on, n.amount) for k, n in notices.items()} == {
        NoticeKind.SECOND: (date(2026, 10, 31), D("183.89")),
        NoticeKind.DISCONNECT: (date(2026, 11, 11), D("183.89")),
        NoticeKind.THIRD_PARTY: (date(2026, 11, 11), D("183.89")),
        NoticeKind.FINAL_CONTACT: (date(2026, 11, 27), D("183.89")),
    }
    assert notices[NoticeKind.SECOND].pay_by == date(2026, 11, 10)
    notice = notices[NoticeKind.DISCONNECT]
    assert notice.bilingual and (notice.disconnect_on - notice.sent_on).days >= 15
    final = notices[NoticeKind.FINAL_CONTACT]
    assert (case.disconnect_on - final.sent_on).days >= 2
    words = text(notice.pdf)
    for expected in (
        "Notice of disconnection for non-payment",
        "$183.89",
        "November 30, 2026",
        "installment agreement",
        "budget",
        "Your rights",
        "Aviso de desconexión por falta de pago",
        "30 de noviembre de 2026",
        "Sus derechos",
        "plan de pagos a plazos",
    ):
        assert expected in words, expected
    copy = text(notices[NoticeKind.THIRD_PARTY].pdf)
    assert "Rosa Baca" in copy and "named you to receive a copy" in copy

    # the field disconnects: OCEC's $80 trip charge, and a new deposit billed (Rule 4 (c))
    order = ServiceOrder.objects.get(case=case, kind=OrderKind.DISCONNECT)
    assert (order.fee_code, order.fee_amount, order.window) == ("trip", D("80.00"), "08:00-16:00")
    complete_order(order, on=date(2026, 11, 30))
    case.refresh_from_db()
    assert case.stage == Stage.DISCONNECTED and case.disconnected_on == date(2026, 11, 30)
    deposit = Deposit.objects.get(account=home)
    # history: one October bill of $183.89 stands for every month; a sixth of the year is
    # $367.78, capped at 150% of the highest month
    assert deposit.status == DepositStatus.BILLED and deposit.amount == D("275.84")

    # a partial payment does not reconnect
    pay(home, "183.89", date(2026, 12, 1))
    assert run_collections(as_of=date(2026, 12, 1)).count("reconnect_orders") == 0
    # the rest (trip fee + deposit) does, as soon as it is paid, and the job adds nothing
    pay(home, "355.84", date(2026, 12, 1))
    reconnect = ServiceOrder.objects.get(case=case, kind=OrderKind.RECONNECT)
    assert run_collections(as_of=date(2026, 12, 1)).count("reconnect_orders") == 0
    assert reconnect.scheduled_on == date(2026, 12, 1) and reconnect.status == OrderStatus.OPEN
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.HELD and deposit.held_on == date(2026, 12, 1)
    assert deposit.receipts.count() == 1
    complete_order(reconnect, on=date(2026, 12, 1))
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and case.close_reason.startswith("reconnected")
    assert not ReceivableItem.objects.filter(account=home, status=ItemStatus.OPEN).exists()
    assert reports.receivables_difference() == 0 and reports.trial_balance().balanced


def test_running_the_job_twice_a_day_sends_nothing_twice(billed):
    for day in (date(2026, 10, 31), date(2026, 11, 11), date(2026, 11, 27), date(2026, 11, 30)):
        first = run_collections(as_of=day).as_json()
        second = run_collections(as_of=day).as_json()
        assert sum(first["counts"].values()) == 1 + (day == date(2026, 10, 31))
        sent = ("second_notices", "disconnect_notices", "final_contacts", "disconnect_orders")
        assert all(second["counts"][name] == 0 for name in sent)
    assert Notice.objects.count() == 3
    assert ServiceOrder.objects.filter(kind=OrderKind.DISCONNECT).count() == 1


def test_a_payment_after_the_order_was_generated_cancels_it(billed):
    home = billed.home
    run_days(date(2026, 10, 30), date(2026, 11, 30))
    order = ServiceOrder.objects.get(account=home, kind=OrderKind.DISCONNECT)
    payment = pay(home, "20.00", date(2026, 11, 30))
    # in the field: the crew's check cancels it
    done = complete_order(order, on=date(2026, 11, 30))
    assert done.status == OrderStatus.CANCELLED
    assert done.cancel_reason == (
        f"payment {payment.pk} of $20.00 on 2026-11-30 posted after the order was generated"
    )
    assert not ReceivableItem.objects.filter(account=home, fee_code="trip").exists()
    # still $163.89 past due: the next day's job orders again (once)
    report = run_collections(as_of=date(2026, 12, 1))
    assert report.accounts["disconnect_orders"] == [home.number]
    assert run_collections(as_of=date(2026, 12, 1)).count("disconnect_orders") == 0


def test_the_daily_job_cancels_an_order_a_payment_overtook(billed):
    home = billed.home
    run_days(date(2026, 10, 30), date(2026, 11, 30))
    pay(home, "183.89", date(2026, 11, 30))
    report = run_collections(as_of=date(2026, 12, 1)).as_json()
    assert report["accounts"]["orders_cancelled"] == [home.number]
    assert report["accounts"]["closed"] == [home.number]
    order = ServiceOrder.objects.get(account=home, kind=OrderKind.DISCONNECT)
    assert order.status == OrderStatus.CANCELLED and "posted after the order" in order.cancel_reason
