from datetime import date, datetime, time

import pytest

from coopcis.core.collections import steps
from coopcis.core.collections.agreements import (
    BROKEN,
    COMPLETED,
    KEPT,
    Installment,
    agreement_standing,
    installment_schedule,
)
from coopcis.core.collections.calendar import WorkCalendar
from coopcis.core.credit.deposits import (
    CLASS_AVERAGE,
    HISTORY,
    MIXED,
    RefundSplit,
    estimate_monthly_bills,
    refund_split,
)
from coopcis.core.money import Money

m = Money.of
THANKSGIVING = frozenset({date(2026, 11, 26), date(2026, 11, 27), date(2026, 12, 25)})
CAL = WorkCalendar(holidays=THANKSGIVING)
TERMS = steps.CollectionTerms()


def test_calendar_open_days_disconnect_days_and_hours():
    assert not CAL.is_open_day(date(2026, 11, 26)) and CAL.next_open_day(
        date(2026, 11, 26)
    ) == date(2026, 11, 30)
    assert not CAL.is_disconnect_day(date(2026, 12, 4))  # a Friday, before a weekend
    assert not CAL.is_disconnect_day(date(2026, 11, 25))  # the day before Thanksgiving
    assert CAL.next_disconnect_day(date(2026, 12, 24)) == date(2026, 12, 28)
    assert CAL.is_business_hours(datetime(2026, 12, 1, 8, 0)) and not CAL.is_business_hours(
        datetime(2026, 12, 1, 16, 0)
    )
    loose = WorkCalendar(
        holidays=THANKSGIVING, avoid_day_before_closed=False, opens=time(7), closes=time(17)
    )
    assert loose.is_disconnect_day(date(2026, 12, 4)) and loose.is_business_hours(
        datetime(2026, 12, 1, 7, 0)
    )


def state(**kw):
    base = {"due_on": date(2026, 10, 30), "past_due": m("100")}
    return steps.CaseState(**(base | kw))


def test_steps_in_order_with_their_dates():
    first = steps.next_step(state(), as_of=date(2026, 10, 31), terms=TERMS, calendar=CAL)
    assert (first.action, first.on) == (steps.SECOND_NOTICE, date(2026, 10, 31))
    notice = steps.next_step(
        state(second_notice_on=date(2026, 10, 31)),
        as_of=date(2026, 11, 5),
        terms=TERMS,
        calendar=CAL,
    )
    assert (notice.action, notice.on, notice.disconnect_on) == (
        steps.DISCONNECT_NOTICE,
        date(2026, 11, 11),
        date(2026, 11, 30),
    )
    assert not notice.is_due(date(2026, 11, 5))
    sent = {
        "second_notice_on": date(2026, 10, 31),
        "disconnect_notice_on": date(2026, 11, 11),
        "disconnect_on": date(2026, 11, 30),
    }
    contact = steps.next_step(state(**sent), as_of=date(2026, 11, 20), terms=TERMS, calendar=CAL)
    assert (contact.action, contact.on) == (steps.FINAL_CONTACT, date(2026, 11, 27))
    # missed the window: contact now and move the date 2+ days out to a workable day
    late = steps.next_step(state(**sent), as_of=date(2026, 11, 30), terms=TERMS, calendar=CAL)
    assert (late.action, late.on, late.disconnect_on) == (
        steps.FINAL_CONTACT,
        date(2026, 11, 30),
        date(2026, 12, 2),
    )
    done = sent | {"final_contact_on": date(2026, 11, 27)}
    cut = steps.next_step(state(**done), as_of=date(2026, 11, 30), terms=TERMS, calendar=CAL)
    assert (cut.action, cut.on) == (steps.DISCONNECT, date(2026, 11, 30))
    stopped = steps.next_step(
        state(**done),
        as_of=date(2026, 11, 30),
        terms=TERMS,
        calendar=CAL,
        protected_by=["MEDICAL_CERTIFICATE"],
    )
    assert stopped.action == steps.PROTECTED and stopped.reasons == ("MEDICAL_CERTIFICATE",)
    paused = steps.next_step(
        state(),
        as_of=date(2026, 11, 30),
        terms=TERMS,
        calendar=CAL,
        protected_by=["DISPUTE_UNDER_INVESTIGATION"],
    )
    assert paused.action == steps.PAUSED
    stale = steps.next_step(state(**done), as_of=date(2027, 1, 4), terms=TERMS, calendar=CAL)
    assert (stale.action, stale.disconnect_on) == (steps.RENEW_NOTICE, date(2027, 1, 19))
    assert (
        steps.next_step(
            state(past_due=m("0")), as_of=date(2026, 11, 1), terms=TERMS, calendar=CAL
        ).action
        == steps.CLOSE
    )
    with pytest.raises(ValueError, match="at least 2 days"):
        steps.CollectionTerms(final_contact_days_before=1)


def test_installment_schedule_and_standing():
    schedule = installment_schedule(
        total_amount=m("100.00"),
        down_payment=m("10.00"),
        count=3,
        made_on=date(2026, 1, 1),
        first_due_on=date(2026, 2, 1),
    )
    assert [(i.due_on, i.amount) for i in schedule] == [
        (date(2026, 1, 1), m("10.00")),
        (date(2026, 2, 1), m("30.00")),
        (date(2026, 3, 3), m("30.00")),
        (date(2026, 4, 2), m("30.00")),
    ]
    paid = [(date(2026, 1, 1), m("10.00")), (date(2026, 2, 3), m("30.00"))]
    assert (
        agreement_standing(
            installments=schedule,
            new_bills=[],
            payments=paid,
            as_of=date(2026, 2, 10),
            grace_days=5,
        ).status
        == KEPT
    )
    bill = [Installment(date(2026, 2, 20), m("50.00"))]
    broken = agreement_standing(
        installments=schedule, new_bills=bill, payments=paid, as_of=date(2026, 3, 10), grace_days=5
    )
    assert (broken.status, broken.broken_on, broken.shortfall) == (
        BROKEN,
        date(2026, 3, 9),
        m("80.00"),
    )
    everything = [*paid, (date(2026, 3, 1), m("110.00"))]
    assert (
        agreement_standing(
            installments=schedule,
            new_bills=bill,
            payments=everything,
            as_of=date(2026, 5, 1),
            grace_days=5,
        ).status
        == COMPLETED
    )


def test_estimate_from_history_class_average_or_both():
    year = {month: m("100") for month in range(1, 13)}
    assert estimate_monthly_bills(premise_history=year, class_average={}).source == HISTORY
    assert estimate_monthly_bills(premise_history={}, class_average=year).source == CLASS_AVERAGE
    mixed = estimate_monthly_bills(premise_history={1: m("300")}, class_average=year)
    assert mixed.source == MIXED and mixed.monthly_bills[:2] == (m("300"), m("100"))
    sparse = estimate_monthly_bills(premise_history={7: m("90"), 8: m("120")}, class_average={})
    assert sparse.source == "HISTORY_AVERAGED" and sparse.monthly_bills[0] == m("105.00")
    with pytest.raises(ValueError, match="give an estimate"):
        estimate_monthly_bills(premise_history={}, class_average={})


def test_refund_split_credit_first_excess_over_ten_on_request():
    assert refund_split(
        refund=m("205"), open_charges=m("180"), excess_requested=True
    ) == RefundSplit(m("180"), m("25"), m("0"))
    assert refund_split(
        refund=m("205"), open_charges=m("180"), excess_requested=False
    ).held_as_credit == m("25")
    assert refund_split(refund=m("190"), open_charges=m("180"), excess_requested=True).check == m(
        "0"
    )
    assert refund_split(refund=m("50"), open_charges=m("0"), excess_requested=True) == RefundSplit(
        m("0"), m("50"), m("0")
    )
