"""Paperless billing: the member is emailed when a bill is ready, instead of the mailed
bill (``bills print`` leaves paperless accounts out of the print manifest).

Subscribed to billing's ``BillsPosted`` (coopcis.events): for the newest posted bill of
each paperless account with a member sign-in, one message after the bill run's batch
commits, to the email of every sign-in linked to the account. (An account the office made
paperless before its member signed up to the portal has no address the member proved: it
is emailed once they sign up and link it; the office can mail it a copy meanwhile.)
"""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from coopcis.apps.billing.events import BillsPosted
from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.catalog.profiles import active_profile

log = logging.getLogger(__name__)


def on_bills_posted(event: BillsPosted) -> None:
    """Queue a "bill ready" email for each paperless account's newly posted bills."""
    bills = list(
        Bill.objects.filter(
            account_id__in=event.account_ids,
            account__paperless=True,
            account__portal_links__isnull=False,
            status=BillStatus.POSTED,
        )
        .select_related("account")
        .order_by("id")
        .distinct()
    )
    latest: dict[int, Bill] = {}
    for bill in bills:
        latest[bill.account_id] = bill  # the newest bill of each account
    for bill in latest.values():
        transaction.on_commit(partial(send_bill_ready, bill.pk))


def recipients(bill: Bill) -> list[str]:
    from coopcis.apps.portal.models import AccountLink

    linked = AccountLink.objects.filter(account_id=bill.account_id).values_list(
        "user__email", flat=True
    )
    return sorted({address for address in linked if address})


def send_bill_ready(bill_id: int) -> bool:
    bill = Bill.objects.select_related("account").get(pk=bill_id)
    to = recipients(bill)
    if not to:
        return False
    context = {"bill": bill, "account": bill.account, "co_op": active_profile()}
    with translation.override(bill.account.language.lower()):
        subject = " ".join(
            render_to_string("portal/bills/email/ready_subject.txt", context).split()
        )
        body = render_to_string("portal/bills/email/ready_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except Exception:  # the bill stands; the member can still see it in the portal
        log.exception("the bill-ready email for bill %s could not be sent", bill_id)
        return False
    return True
