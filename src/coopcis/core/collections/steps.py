"""The next collection step for a delinquent account, and the day it falls due.

The daily job (``coopcis collections run``) asks :func:`next_step` for each open case and
does the step when its day has come. The steps, in order (17.5.410 NMAC; SEC policies 411,
421; OCEC handbook "Bills"):

1. **second notice** ``second_notice_after_due_days`` after the due date; it asks for
   payment within ``second_notice_pay_within_days``;
2. **disconnection notice** the day after that pay-by date; it names a disconnection date at
   least 15 days later (``NOTICE_DAYS``), moved to the next day a disconnection may be
   worked (:class:`~coopcis.core.collections.calendar.WorkCalendar`);
3. **final contact** ``final_contact_days_before`` the date and never later than 2 days
   before it; if the job missed that window, the contact is made now and the date moves
   so that it is again at least 2 days away;
4. **disconnect order** on the date (or the next workable day), unless a protection stops
   it; a notice more than ``notice_valid_days`` past its date (a protection lapsed, a
   broken agreement) is renewed instead: a new round starts at step 2.

An agreement being kept, a dispute under investigation and a co-op hold pause the case
(no notices go out); a medical certificate and the winter moratorium stop only the
disconnection. Nothing past due (at least ``minimum_past_due``): the case closes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from coopcis.core.collections.calendar import WorkCalendar
from coopcis.core.collections.rules import FINAL_CONTACT_DAYS, NOTICE_DAYS, PAUSING
from coopcis.core.money import Money

CLOSE = "CLOSE"
PAUSED = "PAUSED"
SECOND_NOTICE = "SECOND_NOTICE"
DISCONNECT_NOTICE = "DISCONNECT_NOTICE"
FINAL_CONTACT = "FINAL_CONTACT"
DISCONNECT = "DISCONNECT"
PROTECTED = "PROTECTED"
RENEW_NOTICE = "RENEW_NOTICE"


@dataclass(frozen=True, kw_only=True, slots=True)
class CollectionTerms:
    """The co-op's collection parameters (profile ``[collections]``)."""

    second_notice_after_due_days: int = 1
    second_notice_pay_within_days: int = 10
    final_contact_days_before: int = 3
    notice_valid_days: int = 30
    minimum_past_due: Money = field(default_factory=lambda: Money.of("0.01"))

    def __post_init__(self) -> None:
        if self.final_contact_days_before < FINAL_CONTACT_DAYS:
            raise ValueError(f"the final contact must be at least {FINAL_CONTACT_DAYS} days before")


@dataclass(frozen=True, kw_only=True, slots=True)
class CaseState:
    """Where a case stands in its current round (dates of the steps already taken)."""

    due_on: date
    past_due: Money
    second_notice_on: date | None = None
    disconnect_notice_on: date | None = None
    disconnect_on: date | None = None
    final_contact_on: date | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """An action due on ``on`` (do it when ``on <= as_of``), with the disconnection date it
    sets or keeps, and the protections that pause or stop the case."""

    action: str
    on: date
    disconnect_on: date | None = None
    reasons: tuple[str, ...] = ()

    def is_due(self, as_of: date) -> bool:
        return self.on <= as_of


def disconnect_date(notice_on: date, calendar: WorkCalendar) -> date:
    """The date a notice sent on ``notice_on`` names: 15 days on, then a workable day."""
    return calendar.next_disconnect_day(notice_on + timedelta(days=NOTICE_DAYS))


def next_step(
    state: CaseState,
    *,
    as_of: date,
    terms: CollectionTerms,
    calendar: WorkCalendar,
    protected_by: Sequence[str] = (),
) -> Step:
    """The case's next step. ``protected_by``: the protections found for its disconnection
    date (:func:`coopcis.core.collections.rules.protections`)."""
    if state.past_due < terms.minimum_past_due:
        return Step(CLOSE, as_of, reasons=("nothing past due",))
    pausing = tuple(reason for reason in protected_by if reason in PAUSING)
    if pausing:
        return Step(PAUSED, as_of, state.disconnect_on, pausing)
    if state.second_notice_on is None:
        return Step(SECOND_NOTICE, state.due_on + timedelta(terms.second_notice_after_due_days))
    if state.disconnect_notice_on is None or state.disconnect_on is None:
        on = state.second_notice_on + timedelta(days=terms.second_notice_pay_within_days + 1)
        return Step(DISCONNECT_NOTICE, on, disconnect_date(max(on, as_of), calendar))
    disconnect_on = state.disconnect_on
    if state.final_contact_on is None:
        if as_of > disconnect_on - timedelta(days=FINAL_CONTACT_DAYS):
            moved = calendar.next_disconnect_day(as_of + timedelta(days=FINAL_CONTACT_DAYS))
            return Step(FINAL_CONTACT, as_of, max(moved, disconnect_on))
        on = max(
            disconnect_on - timedelta(days=terms.final_contact_days_before),
            state.disconnect_notice_on + timedelta(days=1),
        )
        return Step(FINAL_CONTACT, on, disconnect_on)
    work_on = calendar.next_disconnect_day(max(disconnect_on, as_of))
    if protected_by:
        return Step(PROTECTED, work_on, disconnect_on, tuple(protected_by))
    if as_of > disconnect_on + timedelta(days=terms.notice_valid_days):
        return Step(RENEW_NOTICE, as_of, disconnect_date(as_of, calendar))
    return Step(DISCONNECT, work_on, disconnect_on)
