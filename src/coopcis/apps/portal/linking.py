"""Proving an account: its number and the total of its latest bill.

The latest bill is the account's latest billed month among bills that were sent (posted,
not held or cancelled); where the account has several service points it has several bills
that month, and any one of their totals proves it.

Guessing the total is the attack, so wrong tries are counted: after
``FAILURES_PER_ACCOUNT`` wrong tries on one account number within ``WINDOW``, or
``FAILURES_PER_ADDRESS`` from one address, further tries are refused (and logged) until
the hour has passed. A wrong number and a wrong amount get the same answer, so the form
does not tell which account numbers exist.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.members.models import Account
from coopcis.apps.portal.models import LinkAttempt
from coopcis.core.money import parse_amount

logger = logging.getLogger("coopcis.portal")

FAILURES_PER_ACCOUNT = 3
FAILURES_PER_ADDRESS = 20
WINDOW = timedelta(hours=1)

NO_MATCH = _(
    "That account number and latest bill amount do not match our records. "
    "Check both on your latest bill."
)
TOO_MANY = _(
    "Too many wrong tries for this account. Try again in an hour, or call the co-op's office."
)


class LinkRefused(Exception):
    """The proof failed or is refused; ``message`` is for the member."""

    def __init__(self, message: object, *, throttled: bool = False) -> None:
        super().__init__(str(message))
        self.message = message
        self.throttled = throttled


def normalize_number(text: str) -> str:
    """An account number as typed: spaces and dashes dropped."""
    return "".join(text.split()).replace("-", "")


def latest_bill_totals(account: Account) -> set[Decimal]:
    """The totals of the account's bills of its latest billed month (one per service
    point billed that month); empty before its first bill."""
    sent = Bill.objects.filter(account=account, status=BillStatus.POSTED)
    latest = sent.aggregate(period=Max("period"))["period"]
    if latest is None:
        return set()
    return set(sent.filter(period=latest).values_list("total_amount", flat=True))


def read_amount(text: str) -> Decimal:
    """The amount typed (``$1,234.50`` accepted); a malformed one raises ``AmountError``."""
    return parse_amount(text, field="Latest bill amount", allow_grouping=True).amount


def _throttled(number: str, ip_address: str | None) -> bool:
    since = timezone.now() - WINDOW
    failures = LinkAttempt.objects.filter(attempted_at__gte=since, succeeded=False)
    if failures.filter(account_number=number).count() >= FAILURES_PER_ACCOUNT:
        return True
    return (
        ip_address is not None
        and failures.filter(ip_address=ip_address).count() >= FAILURES_PER_ADDRESS
    )


def prove_account(number_text: str, amount: Decimal, ip_address: str | None) -> Account:
    """The account that ``number_text`` and ``amount`` prove, else :class:`LinkRefused`.
    Every try that is not refused outright is recorded (see module)."""
    number = normalize_number(number_text)[:40]
    if _throttled(number, ip_address):
        logger.warning(
            "portal: account proof refused, too many wrong tries (account number %s, address %s)",
            number,
            ip_address,
        )
        raise LinkRefused(TOO_MANY, throttled=True)
    account = Account.objects.filter(number=number).first()
    matched = account is not None and amount in latest_bill_totals(account)
    LinkAttempt.objects.create(account_number=number, succeeded=matched, ip_address=ip_address)
    if not matched or account is None:
        logger.warning(
            "portal: wrong account proof (account number %s, address %s)", number, ip_address
        )
        raise LinkRefused(NO_MATCH)
    return account


def client_address(request: object) -> str | None:
    """REMOTE_ADDR as the web server (or the proxy in front) sets it, as axes reads it."""
    meta = getattr(request, "META", {})
    return meta.get("REMOTE_ADDR") or None
