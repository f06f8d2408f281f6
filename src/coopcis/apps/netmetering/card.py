"""The account page's net-metering card (registered in ``backoffice.cards``): the
interconnection, the credit bank with each month's credit and payout, and the REC
agreement. A fixed number of queries: one for an account with no net metering, seven at most
(eight when the profile pays the bank as a bill credit)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects

from coopcis.apps.members.models import Account
from coopcis.apps.netmetering.models import (
    CostKind,
    Interconnection,
    InterconnectionStatus,
    NetMeteringMonth,
    PayoutMethod,
    RecAgreement,
    RecPayment,
    RecRead,
    SystemType,
)
from coopcis.apps.netmetering.policy import NetMeteringPolicy, net_metering_policy
from coopcis.core.errors import RuleViolation

MONTHS_SHOWN = 13
READS_SHOWN = 6


def net_metering_card(account: Account) -> dict[str, Any]:
    """Context of ``netmetering/_card.html`` (``shown`` False: nothing to show but the link
    to apply, for staff who take applications)."""
    # one query says whether the account has anything to show (most accounts have not)
    mine = Interconnection.objects.filter(account=account).order_by().values("account_id")
    months_of = NetMeteringMonth.objects.filter(account=account).order_by().values("account_id")
    if not list(mine.union(months_of)):
        return {"shown": False, "account_number": account.number}
    interconnections = list(
        Interconnection.objects.filter(account=account)
        .select_related("service_point", "net_meter")
        .prefetch_related("charges")
    )
    months = list(
        NetMeteringMonth.objects.filter(account=account, cancelled=False)
        .select_related("bill")
        .order_by("-posted_on", "-id")[:MONTHS_SHOWN]
    )
    if any(m.payout_method == PayoutMethod.BILL_CREDIT for m in months):
        # the parts of each bill-credit payout and the bills that carried them (one query,
        # only for a profile that pays by bill credit)
        prefetch_related_objects(months, "payout_credits__bill")
    agreements = list(
        RecAgreement.objects.filter(account=account).prefetch_related(
            Prefetch("reads", queryset=RecRead.objects.order_by("-read_on")),
            Prefetch("payments", queryset=RecPayment.objects.order_by("-paid_on")),
        )
        if interconnections
        else []
    )
    for agreement in agreements:
        agreement.latest_reads = list(agreement.reads.all())[:READS_SHOWN]
    return {
        "shown": True,
        "account_number": account.number,
        "interconnections": interconnections,
        "months": months,
        "bank": months[0].bank_after_amount if months else Decimal("0.00"),
        "credited": sum((m.credit_amount for m in months), Decimal("0.00")),
        "paid": sum((m.payout_amount for m in months), Decimal("0.00")),
        "agreements": agreements,
        "policy": _policy(),
        "methods": PayoutMethod,
        "cost_kinds": CostKind.choices,
        "statuses": InterconnectionStatus,
        "systems": SystemType,
    }


def _policy() -> NetMeteringPolicy | None:
    """The profile's payout rule (None for a profile that runs no net metering)."""
    try:
        return net_metering_policy()
    except RuleViolation:
        return None
