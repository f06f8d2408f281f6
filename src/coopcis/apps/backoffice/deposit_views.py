"""The Security deposits card's forms: what ``coopcis deposits decide|take|refund|excess``
does, from the account page at the counter (and billing a deposit, guarantees).

Each form page calls one service of ``coopcis.apps.credit.services``; a refusal is shown
against the field it names and writes nothing, and a change takes staff back to the
account's Security deposits card. Deciding, taking and billing deposits and recording
guarantees are customer service's; refunds and excess payouts move money out of 235
customer deposits, so they are finance's (``apps.staff.roles``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from coopcis.apps.backoffice import permissions as perms
from coopcis.apps.backoffice import protections
from coopcis.apps.backoffice.deposit_forms import (
    BillDepositForm,
    DecisionForm,
    ExcessForm,
    GuarantorForm,
    RefundForm,
    TakeDepositForm,
)
from coopcis.apps.backoffice.deposit_records import GROUNDS
from coopcis.apps.backoffice.permissions import staff_view
from coopcis.apps.backoffice.views import account_or_404, form_page, not_found, posted_data
from coopcis.apps.credit import services
from coopcis.apps.credit.models import CreditDecision, Deposit, DepositStatus
from coopcis.apps.members.models import Account

#: The account page's card these forms go back to.
CARD = "deposits"


def _verdict(decision: CreditDecision) -> str:
    if not decision.required:
        return f"No deposit required ({decision.get_event_display().lower()})."
    grounds = ", ".join(GROUNDS.get(code, code) for code in decision.reasons)
    return f"Deposit required: ${decision.amount} ({grounds or 'special consideration'})."


@staff_view(perms.DECIDE_DEPOSIT, action="decide deposits")
def decision_new(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = DecisionForm(posted_data(request), initial={"on": protections.today()})

    def record(data: dict[str, Any]) -> str:
        return _verdict(services.decide_deposit(account=account, **data))

    title = "Decide whether a deposit is required"
    return form_page(request, account, form, title, record, card=CARD)


def _deposit_initial(account: Account) -> dict[str, Any]:
    """Today, and the latest decision that required a deposit none was taken for yet."""
    initial: dict[str, Any] = {"on": protections.today()}
    pending = (
        CreditDecision.objects.filter(account=account, required=True, deposits__isnull=True)
        .order_by("-decided_on", "-id")
        .first()
    )
    if pending is not None:
        initial |= {"decision": pending.pk, "amount": pending.amount}
    return initial


@staff_view(perms.TAKE_DEPOSIT, action="take deposits")
def deposit_take(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = TakeDepositForm(posted_data(request), account=account, initial=_deposit_initial(account))

    def record(data: dict[str, Any]) -> str:
        # As ``coopcis deposits take``: the service issues the receipt in the account's
        # language; the card links to its PDF.
        deposit = services.take_deposit(account=account, **data)
        return (
            f"Deposit of ${deposit.amount} held from {deposit.held_on:%Y-%m-%d}; receipt "
            f"issued in {account.get_language_display()}."
        )

    return form_page(request, account, form, "Take a deposit at the office", record, card=CARD)


@staff_view(perms.BILL_DEPOSIT, action="bill deposits")
def deposit_bill(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = BillDepositForm(posted_data(request), account=account, initial=_deposit_initial(account))

    def record(data: dict[str, Any]) -> str:
        deposit = services.bill_deposit(account=account, **data)
        if deposit.status == DepositStatus.HELD:  # paid at once from the account's credit
            return f"Deposit of ${deposit.amount} billed and paid from the account's credit."
        return f"Deposit of ${deposit.amount} billed: held and receipted once paid."

    return form_page(request, account, form, "Bill a deposit", record, card=CARD)


@staff_view(perms.ADD_GUARANTOR, action="record guarantors")
def guarantor_new(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = GuarantorForm(posted_data(request), initial={"starts_on": protections.today()})

    def record(data: dict[str, Any]) -> str:
        made = services.add_guarantor(account=account, **data)
        return f"{made.name} guarantees ${made.amount} from {made.starts_on:%Y-%m-%d}."

    return form_page(request, account, form, "Add a guarantor", record, card=CARD)


def _deposit_or_404(
    request: HttpRequest, number: str, deposit_id: int
) -> tuple[Account, Deposit] | HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    deposit = Deposit.objects.filter(pk=deposit_id, account=account).first()
    if deposit is None:
        return not_found(request, f"deposit {deposit_id} on account {account.number}")
    return account, deposit


@staff_view(perms.REFUND_DEPOSIT, action="refund deposits")
def deposit_refund(request: HttpRequest, number: str, deposit_id: int) -> HttpResponse:
    found = _deposit_or_404(request, number, deposit_id)
    if isinstance(found, HttpResponse):
        return found
    account, deposit = found
    form = RefundForm(posted_data(request), initial={"on": protections.today()})

    def record(data: dict[str, Any]) -> str:
        split = services.refund_deposit(deposit, **data)
        return (
            f"Deposit {deposit.pk} refunded: ${split.credit.amount} credited to charges, "
            f"${split.check.amount} by check, ${split.held_as_credit.amount} kept as credit "
            "to coming bills."
        )

    title = f"Refund deposit {deposit.pk} of ${deposit.amount} now"
    return form_page(request, account, form, title, record, card=CARD)


@staff_view(perms.REQUEST_EXCESS, action="pay the excess of deposits")
def deposit_excess(request: HttpRequest, number: str, deposit_id: int) -> HttpResponse:
    found = _deposit_or_404(request, number, deposit_id)
    if isinstance(found, HttpResponse):
        return found
    account, deposit = found
    form = ExcessForm(posted_data(request), initial={"on": protections.today()})

    def record(data: dict[str, Any]) -> str:
        paid = services.request_excess(deposit, **data)
        if paid:
            return f"Excess of deposit {deposit.pk} refunded: ${paid.amount} by check."
        return f"Excess of deposit {deposit.pk} requested: paid by check at its refund."

    title = f"The member asks for the excess of deposit {deposit.pk}"
    return form_page(request, account, form, title, record, card=CARD)
