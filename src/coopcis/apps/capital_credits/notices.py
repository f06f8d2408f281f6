"""The notice of a year's capital credit by email (bylaws art. VIII sec. 2: "notify each
patron of the amount of capital so credited"), through ``coopcis.apps.notify``.

A patron who chose paperless bills and gave an email address is sent the notice by email
(the notify app's outbox: sent once the allocation commits, never twice for a year and
pool); if notify finds no way to reach them (no address, the member turned the kind
off), the notice falls back to the mailed letter. Everyone else gets the letter
(``documents.notice_pdf``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coopcis.apps.capital_credits.models import Allocation, CapitalCredit, NoticeMethod
from coopcis.apps.members.models import Account
from coopcis.apps.notify.kinds import NotificationKind, register
from coopcis.apps.notify.models import MessageStatus
from coopcis.apps.notify.services import notify

CAPITAL_CREDIT = register(
    NotificationKind(
        "capital_credit",
        _("Capital credits"),
        _("The capital credited to you each year from the co-op's margins."),
        template="capital_credit",
        position=70,
    )
)
CHUNK = 1000


def email_notices(allocation: Allocation) -> int:
    """Send the allocation's email notices; the count sent (queued), the rest by mail."""
    credits = CapitalCredit.objects.filter(allocation=allocation, notice_method=NoticeMethod.EMAIL)
    ids = list(credits.values_list("id", "account_id"))
    mailed, queued = [], 0
    for offset in range(0, len(ids), CHUNK):
        part = ids[offset : offset + CHUNK]
        accounts = Account.objects.select_related("party").in_bulk([a for _, a in part])
        amounts = dict(
            CapitalCredit.objects.filter(pk__in=[c for c, _ in part]).values_list("id", "amount")
        )
        for credit_id, account_id in part:
            message = notify(
                accounts[account_id],
                CAPITAL_CREDIT.code,
                {
                    "year": allocation.year,
                    "pool": allocation.pool,
                    "amount": amounts[credit_id],
                },
                idempotency_key=f"capital-credit:{allocation.year}:{allocation.pool}:{account_id}",
            )
            if message.status == MessageStatus.SKIPPED:
                mailed.append(credit_id)
            else:
                queued += 1
    if mailed:
        CapitalCredit.objects.filter(pk__in=mailed).update(notice_method=NoticeMethod.MAIL)
    return queued
