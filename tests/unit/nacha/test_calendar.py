"""Draft dates on Federal Reserve business days; who is drafted and for how much."""

from __future__ import annotations

from datetime import date

import holidays
import pytest

from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money
from coopcis.core.payments.calendar import (
    DraftableItem,
    add_business_days,
    amount_to_draft,
    draft_schedule,
    is_business_day,
    is_due_for_draft,
    months_before,
)

FED = frozenset(holidays.financial_holidays("XFED", years=[2026, 2027]))


@pytest.mark.parametrize(
    ("draft_on", "effective_on", "send_on"),
    [
        # a plain Tuesday: effective that day, sent Monday
        (date(2026, 11, 3), date(2026, 11, 3), date(2026, 11, 2)),
        # Wednesday before Thanksgiving 2026: sent Tuesday
        (date(2026, 11, 25), date(2026, 11, 25), date(2026, 11, 24)),
        # Thanksgiving 2027 is the 25th: effective Friday, sent Wednesday (not on the holiday)
        (date(2027, 11, 25), date(2027, 11, 26), date(2027, 11, 24)),
        # Christmas 2026 is a Friday: effective Monday the 28th, sent Thursday the 24th
        (date(2026, 12, 25), date(2026, 12, 28), date(2026, 12, 24)),
        # Christmas 2027 is a Saturday (the Fed does not move it): effective Monday 27th
        (date(2027, 12, 25), date(2027, 12, 27), date(2027, 12, 24)),
        # Sunday the 25th: effective Monday, sent the Friday before
        (date(2026, 10, 25), date(2026, 10, 26), date(2026, 10, 23)),
        # Saturday the 3rd: effective Monday the 5th, sent Friday the 2nd
        (date(2026, 10, 3), date(2026, 10, 5), date(2026, 10, 2)),
        # Sunday 3 January 2027: effective Monday the 4th; New Year's Day is a holiday, so
        # the file goes on Thursday 31 December
        (date(2027, 1, 3), date(2027, 1, 4), date(2026, 12, 31)),
    ],
)
def test_effective_and_send_dates(draft_on, effective_on, send_on):
    schedule = draft_schedule(draft_on, FED)
    assert (schedule.effective_on, schedule.send_on) == (effective_on, send_on)
    assert is_business_day(schedule.effective_on, FED) and is_business_day(schedule.send_on, FED)


def test_without_the_holiday_set_thanksgiving_would_be_a_business_day():
    assert draft_schedule(date(2027, 11, 25), frozenset()).effective_on == date(2027, 11, 25)


@pytest.mark.parametrize("day", [date(2026, 11, 4), date(2026, 11, 24), date(2026, 11, 30)])
def test_only_the_3rd_and_the_25th_are_draft_dates(day):
    with pytest.raises(RuleViolation, match="not a draft date") as refusal:
        draft_schedule(day, FED)
    assert refusal.value.field == "date"


def test_business_days_skip_weekends_and_holidays():
    # Wednesday 25 Nov 2026 + 2 business days: Thursday is Thanksgiving -> Monday 30th
    assert add_business_days(date(2026, 11, 25), 2, FED) == date(2026, 11, 30)
    assert add_business_days(date(2026, 11, 30), -2, FED) == date(2026, 11, 25)
    assert add_business_days(date(2026, 11, 30), 0, FED) == date(2026, 11, 30)


def test_members_are_due_on_their_own_day():
    assert is_due_for_draft(3, date(2026, 11, 3)) and not is_due_for_draft(25, date(2026, 11, 3))


def test_amount_drafted_is_what_is_open_by_the_draft_day_and_never_drafted_before():
    items = [
        DraftableItem(1, date(2026, 10, 10), Money.of("183.89")),
        DraftableItem(2, date(2026, 10, 20), Money.of("40.00")),
        DraftableItem(3, date(2026, 11, 4), Money.of("99.00")),  # posted after the draft day
        DraftableItem(4, date(2026, 9, 10), Money.of("12.00"), already_drafted=True),
    ]
    due = amount_to_draft(items, draft_on=date(2026, 11, 3))
    assert due.amount == Money.of("223.89") and due.item_ids == (1, 2)
    less_credit = amount_to_draft(items, draft_on=date(2026, 11, 3), credit=Money.of("23.89"))
    assert less_credit.amount == Money.of("200.00")
    covered = amount_to_draft(items, draft_on=date(2026, 11, 3), credit=Money.of("300.00"))
    assert covered.amount == Money.zero() and covered.item_ids == ()


def test_months_before_keeps_the_day_or_takes_the_month_end():
    assert months_before(date(2026, 11, 3), 12) == date(2025, 11, 3)
    assert months_before(date(2027, 3, 31), 1) == date(2027, 2, 28)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)
