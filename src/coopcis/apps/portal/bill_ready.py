"""Paperless billing: the member is told when a bill is ready, instead of the mailed bill
(``bills print`` leaves paperless accounts out of the print manifest).

Subscribed to billing's ``BillsPosted`` (coopcis.events): for the newest posted bill of
each paperless account that a member sign-in is linked to, the notifications'
``bill_ready`` message (email or text as the member chose; once per bill), sent after the
bill run's batch commits. (An account the office made paperless before its member
signed up to the portal is told once they link it; the office can mail it a copy
meanwhile.)
"""

from __future__ import annotations

from coopcis.apps.billing.events import BillsPosted
from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.notify.services import notify
from coopcis.catalog.profiles import active_profile


def on_bills_posted(event: BillsPosted) -> None:
    bills = (
        Bill.objects.filter(
            account_id__in=event.account_ids,
            account__paperless=True,
            account__portal_links__isnull=False,
            status=BillStatus.POSTED,
        )
        .select_related("account__party")
        .order_by("id")
        .distinct()
    )
    latest: dict[int, Bill] = {}
    for bill in bills:
        latest[bill.account_id] = bill  # the newest bill of each account
    for bill in latest.values():
        send_bill_ready(bill)


def send_bill_ready(bill: Bill) -> None:
    portal = active_profile().portal_url.rstrip("/")
    account = bill.account
    notify(
        account,
        "bill_ready",
        {
            "amount_due": bill.amount_due_amount,
            "due_date": bill.due_date,
            "autopay": account.autopay,
            "url": f"{portal}/accounts/{account.number}/bills/{bill.pk}/" if portal else "",
        },
        idempotency_key=f"bill_ready:{bill.pk}",
    )
