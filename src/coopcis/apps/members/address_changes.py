"""Mailing address changes members ask for in the portal, and staff's answer (issue 12,
"The member's service": "mailing address change (a request staff confirm)").

The address is checked as every mailing address is (``core.addresses.address_problems``,
the check ``open_account`` and ``update_account`` make) when the member asks, so staff
never see one that cannot be mailed to. The request waits on the back office's work list
(one per account at a time). Staff confirm it, which changes the account's mailing address
through :func:`~coopcis.apps.members.services.update_account` (an audited change of the
account, with the request named as its reason), or decline it with a reason the member
reads in the portal. Nothing changes the account's address until staff confirm.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from coopcis.apps.audit.context import current_actor
from coopcis.apps.members.models import Account, AddressChangeRequest, AddressRequestStatus
from coopcis.apps.members.requests import decline_request, lock_waiting, record_decision
from coopcis.apps.members.services import check_address, update_account
from coopcis.core.addresses import Address
from coopcis.core.errors import RuleViolation


def _tidy(address: Address) -> Address:
    """Spaces collapsed, the state code upper-case: what the account would store."""

    def one(text: str) -> str:
        return " ".join(text.split())

    return Address(
        line1=one(address.line1),
        line2=one(address.line2),
        city=one(address.city),
        state=one(address.state).upper(),
        zip_code=one(address.zip_code),
    )


def waiting_address_request(account: Account) -> AddressChangeRequest | None:
    return AddressChangeRequest.objects.filter(
        account=account, status=AddressRequestStatus.REQUESTED
    ).first()


@transaction.atomic
def request_address_change(*, account: Account, address: Address, on: date) -> AddressChangeRequest:
    """Put the member's new mailing address on staff's work list (one waiting per account);
    refused, naming the part at fault, when it cannot be mailed to."""
    address = _tidy(address)
    check_address(address)
    current = _tidy(account.mailing_address)
    if address == current:
        raise RuleViolation("this is already the account's mailing address", field="line1")
    try:
        with transaction.atomic():
            request = AddressChangeRequest(
                account=account,
                line1=address.line1[:120],
                line2=address.line2[:120],
                city=address.city[:60],
                state=address.state,
                zip_code=address.zip_code,
                requested_on=on,
                requested_by=current_actor().label[:150],
            )
            request.with_reason("mailing address change requested").save()
    except IntegrityError:
        raise RuleViolation(
            "a change of address for this account is already waiting for an answer",
            field="line1",
        ) from None
    return request


@transaction.atomic
def confirm_address_change(*, request: AddressChangeRequest, on: date) -> AddressChangeRequest:
    """Make the requested address the account's mailing address (checked again: the rules
    may have changed since the member asked)."""
    request = lock_waiting(request, with_account=True)
    update_account(
        account=request.account,
        reason=f"mailing address change request {request.pk} confirmed",
        mailing_line1=request.line1,
        mailing_line2=request.line2,
        mailing_city=request.city,
        mailing_state=request.state,
        mailing_zip=request.zip_code,
    )
    return record_decision(
        request,
        status=AddressRequestStatus.CONFIRMED,
        on=on,
        audit_reason="mailing address change confirmed",
    )


@transaction.atomic
def decline_address_change(
    *, request: AddressChangeRequest, on: date, reason: str
) -> AddressChangeRequest:
    """Say no, and why (the member reads the reason in the portal)."""
    return decline_request(
        request,
        status=AddressRequestStatus.DECLINED,
        on=on,
        reason=reason,
        audit_reason="mailing address change declined",
        with_account=True,
    )
