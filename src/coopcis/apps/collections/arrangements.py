"""Payment arrangements members ask for in the portal, and staff's answer.

DOMAIN.md "Bills and payment": a member who cannot pay a bill by its due date may ask for
a payment arrangement before then. The member says how much they can pay now and over
how many months the rest (up to the profile's ``[collections] arrangement_max_months``,
12 unless set); the request waits on the back office's work list; staff approve it,
which makes the installment agreement the back office already keeps
(:func:`coopcis.apps.collections.services.make_agreement`, with the down payment and
monthly installments from the request, over what the account owes on the day it is
approved), or decline it with a reason. The member sees the answer in the portal.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction

from coopcis.apps.audit.context import current_actor
from coopcis.apps.billing.models import Bill
from coopcis.apps.collections.models import (
    AgreementKind,
    ArrangementRequest,
    ArrangementStatus,
)
from coopcis.apps.collections.services import make_agreement, past_due_amount, setting
from coopcis.apps.members.models import Account
from coopcis.apps.members.requests import decline_request, lock_waiting, record_decision
from coopcis.core.errors import RuleViolation

#: Installments are monthly: the first a month after the agreement is made.
INSTALLMENT_EVERY_DAYS = 30


def max_months() -> int:
    return int(setting("arrangement_max_months", 12))  # type: ignore[call-overload]


def owed_now(account: Account) -> Decimal:
    """Open charges, due or not (a deposit billed is not part of an arrangement)."""
    return past_due_amount(account, as_of=date.max).amount


def waiting_request(account: Account) -> ArrangementRequest | None:
    return ArrangementRequest.objects.filter(
        account=account, status=ArrangementStatus.REQUESTED
    ).first()


@transaction.atomic
def request_arrangement(
    *,
    account: Account,
    amount_now: Decimal,
    months: int,
    on: date,
    note: str = "",
    bill: Bill | None = None,
) -> ArrangementRequest:
    """Put the member's request on staff's work list (one waiting per account)."""
    owed = owed_now(account)
    if owed <= 0:
        raise RuleViolation("nothing is owed on this account", field="amount_now")
    if amount_now < 0 or amount_now >= owed:
        raise RuleViolation(
            f"the amount now must be less than the ${owed:,.2f} owed", field="amount_now"
        )
    if not 1 <= months <= max_months():
        raise RuleViolation(f"choose 1 to {max_months()} months", field="months")
    try:
        with transaction.atomic():
            request = ArrangementRequest(
                account=account,
                bill=bill,
                requested_on=on,
                requested_by=current_actor().label[:150],
                amount_now=amount_now,
                months=months,
                owed_amount=owed,
                member_note=" ".join(note.split())[:500],
            )
            request.with_reason("payment arrangement requested").save()
    except IntegrityError:
        raise RuleViolation(
            "a request for this account is already waiting for an answer", field="months"
        ) from None
    return request


@transaction.atomic
def approve_arrangement(*, request: ArrangementRequest, on: date) -> ArrangementRequest:
    """Make the installment agreement the member asked for, over what is owed today."""
    request = lock_waiting(request)
    agreement = make_agreement(
        account=request.account,
        kind=AgreementKind.INSTALLMENT,
        made_on=on,
        down_payment_amount=min(request.amount_now, owed_now(request.account)),
        installments=request.months,
        first_due_on=on + timedelta(days=INSTALLMENT_EVERY_DAYS),
        every_days=INSTALLMENT_EVERY_DAYS,
        including_not_yet_due=True,
    )
    request.agreement = agreement
    return record_decision(
        request,
        status=ArrangementStatus.APPROVED,
        on=on,
        audit_reason="payment arrangement approved",
    )


@transaction.atomic
def decline_arrangement(
    *, request: ArrangementRequest, on: date, reason: str
) -> ArrangementRequest:
    """Say no, and why (the member reads the reason in the portal)."""
    return decline_request(
        request,
        status=ArrangementStatus.DECLINED,
        on=on,
        reason=reason,
        audit_reason="payment arrangement declined",
    )
