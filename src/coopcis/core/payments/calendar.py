"""Bank-draft dates and amounts: Federal Reserve business days, the 3rd and the 25th.

DOMAIN.md "Bills and payment": automatic bank draft on the 3rd or the 25th. ACH moves
only on Federal Reserve business days (no weekends, no Fed holidays); the holiday set is
passed in (the Django side asks ``holidays.financial_holidays("XFED")``), so this module
reads no clock and no calendar of its own.

Rules chosen (docs/domain/bank-draft.md):

- **Effective date**: the draft day itself when it is a business day, else the next
  business day (a draft never comes out *before* the day the member chose).
- **Send date**: the file goes to the bank one business day before the effective date,
  so same-day settlement is never needed.
- **Who is due**: members whose mandate names that day (3 or 25).
- **How much**: the open amounts of the account's charges posted on or before the draft
  day and not drafted before, less any unapplied credit; nothing when that is not positive.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money, total

DRAFT_DAYS = (3, 25)
NO_CREDIT = Money.zero()


@dataclass(frozen=True, slots=True)
class DraftPolicy:
    """The co-op's bank-draft parameters.

    ``prenote_wait_business_days``: business days between a prenote's effective date and
    the first live debit's (NACHA asks for 3 banking days after the prenote settles; 6 from
    its effective date is the common rule of thumb that also covers the 2-day return window).
    ``return_window_business_days``: after this many business days past its effective date
    an entry with no return is taken as settled (R01/R09 come back within 2 banking days;
    a late return of an unauthorized debit still posts when it comes).
    ``returns_to_end_autopay`` returns within ``returns_window_months`` end the enrolment.
    """

    prenote_wait_business_days: int = 6
    return_window_business_days: int = 2
    returns_to_end_autopay: int = 2
    returns_window_months: int = 12


def is_business_day(day: date, holidays: Collection[date]) -> bool:
    """A Federal Reserve business day: Monday to Friday and not a Fed holiday."""
    return day.weekday() < 5 and day not in holidays


def business_day_on_or_after(day: date, holidays: Collection[date]) -> date:
    while not is_business_day(day, holidays):
        day += timedelta(days=1)
    return day


def add_business_days(day: date, count: int, holidays: Collection[date]) -> date:
    """``count`` business days after (positive) or before (negative) ``day``."""
    step = timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    while remaining:
        day += step
        if is_business_day(day, holidays):
            remaining -= 1
    return day


def is_draft_date(day: date) -> bool:
    return day.day in DRAFT_DAYS


@dataclass(frozen=True, slots=True)
class DraftSchedule:
    """One draft run: the member's day, when the money moves, when the file must go."""

    draft_on: date
    effective_on: date
    send_on: date


def draft_schedule(draft_on: date, holidays: Collection[date]) -> DraftSchedule:
    """When the draft for the 3rd or the 25th of a month takes effect and is sent."""
    if not is_draft_date(draft_on):
        raise RuleViolation(
            f"{draft_on.isoformat()} is not a draft date: drafts run on the 3rd and the 25th",
            field="date",
        )
    effective_on = business_day_on_or_after(draft_on, holidays)
    return DraftSchedule(draft_on, effective_on, add_business_days(effective_on, -1, holidays))


def is_due_for_draft(draft_day: int, draft_on: date) -> bool:
    """A mandate for the 3rd is drafted on the 3rd's run, one for the 25th on the 25th's."""
    return draft_day == draft_on.day


@dataclass(frozen=True, slots=True)
class DraftableItem:
    """An open charge on the account: its id, when it was posted, what is still owed."""

    item_id: int
    posted_on: date
    open_amount: Money
    already_drafted: bool = False


@dataclass(frozen=True, slots=True)
class DraftAmount:
    amount: Money
    item_ids: tuple[int, ...]


def amount_to_draft(
    items: Sequence[DraftableItem], *, draft_on: date, credit: Money = NO_CREDIT
) -> DraftAmount:
    """What to draft on ``draft_on``: open charges posted by then and never drafted before,
    less the account's unapplied credit. Zero (and no items) when nothing is owed."""
    chosen = [
        item
        for item in items
        if item.posted_on <= draft_on
        and not item.already_drafted
        and item.open_amount > Money.zero()
    ]
    amount = total([item.open_amount for item in chosen]) - credit
    if amount <= Money.zero():
        return DraftAmount(Money.zero(), ())
    return DraftAmount(amount.round_cents(), tuple(item.item_id for item in chosen))


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it has fewer days)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover
