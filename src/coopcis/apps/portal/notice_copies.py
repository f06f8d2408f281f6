"""A copy of each disconnection notice to the member, by email or text (the kind
``disconnect_notice``, which members cannot turn off: only choose email or text).

Subscribed to collections' ``DisconnectNoticesMailed`` (coopcis.events), delivered after the
daily run's transaction commits: for each notice on an account a member sign-in is linked
to (the members who have notification preferences, as for the bill-ready message and the
reminders), one message keyed ``disconnect_notice:<case>:<round>``, so a run repeated, or
a case's notice sent again in a later round, is told once per round. The mailed notice
stays the one the rule (17.5.410 NMAC) requires; this copy only makes sure the member
sees it in time.
"""

from __future__ import annotations

from coopcis.apps.collections.events import DisconnectNoticesMailed
from coopcis.apps.members.models import Account
from coopcis.apps.notify.services import notify
from coopcis.catalog.profiles import active_profile


def on_disconnect_notices(event: DisconnectNoticesMailed) -> None:
    linked = {
        account.pk: account
        for account in Account.objects.filter(
            pk__in={notice.account_id for notice in event.notices},
            portal_links__isnull=False,
        )
        .select_related("party")
        .distinct()
    }
    portal = active_profile().portal_url.rstrip("/")
    for notice in event.notices:
        account = linked.get(notice.account_id)
        if account is None:
            continue
        notify(
            account,
            "disconnect_notice",
            {
                "amount": notice.amount,
                "disconnect_on": notice.disconnect_on,
                "url": f"{portal}/accounts/{account.number}/" if portal else "",
            },
            idempotency_key=f"disconnect_notice:{notice.case_id}:{notice.round}",
        )
