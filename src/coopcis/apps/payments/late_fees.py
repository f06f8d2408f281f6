"""Late fees on delinquent non-residential balances.

OCEC handbook: 3% per month on delinquent balances, residential exempt. The percent and
the rate classes it applies to are the profile's (``[late_fee]``; SEC charges none). For
each account of those classes with electric charges due before ``as_of`` and still open,
the fee is the percent of that past-due amount, rounded half up to the cent, posted once
per calendar month of ``as_of`` (``source_key`` ``late:<account>:<YYYY-MM>``) to 450
forfeited discounts. Fees, deposits and loans are not charged late fees (no fee on a fee).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from coopcis.apps.members.models import Account, AccountStatus
from coopcis.apps.receivables.models import ItemCategory, ItemStatus, ReceivableItem
from coopcis.apps.receivables.services import charge_fee
from coopcis.catalog.profiles import CoOpProfile, active_profile
from coopcis.core.money import Money

LATE_FEE = "late_fee"


@dataclass(frozen=True)
class LateFee:
    account_number: str
    past_due: Decimal
    fee: Decimal
    charged: bool  # False when this month's fee was already posted


def late_fee_rule(profile: CoOpProfile) -> str:
    """The rule cited on every late fee, e.g. the OCEC handbook's 3% per month."""
    percent = f"{profile.late_fee_percent_per_month.normalize():f}"
    return f"{profile.short_name} handbook: {percent}% per month on delinquent non-residential balances"


def late_fee_amount(past_due: Money, percent_per_month: Decimal) -> Money:
    return (past_due * percent_per_month * Decimal("0.01")).round_cents()


def charge_late_fees(*, as_of: date, profile: CoOpProfile | None = None) -> list[LateFee]:
    """Charge this month's late fee on every delinquent account the profile's rule covers."""
    profile = profile or active_profile()
    percent = profile.late_fee_percent_per_month
    if percent <= 0 or not profile.late_fee_classes:
        return []
    past_due: dict[int, Decimal] = {}
    items = ReceivableItem.objects.filter(
        category=ItemCategory.ELECTRIC,
        status=ItemStatus.OPEN,
        due_on__lt=as_of,
        account__rate_class__in=profile.late_fee_classes,
    ).exclude(account__status=AccountStatus.CLOSED)
    for item in items.only("account_id", "amount", "paid_amount", "status"):
        past_due[item.account_id] = past_due.get(item.account_id, Decimal(0)) + item.open_amount
    results = []
    rule = late_fee_rule(profile)
    for account in Account.objects.filter(pk__in=past_due).order_by("number"):
        owed = Money(past_due[account.pk])
        fee = late_fee_amount(owed, percent)
        if not fee:
            continue
        item = charge_fee(
            account=account,
            fee_code=LATE_FEE,
            on=as_of,
            reason=f"Late fee {percent.normalize():f}% of ${owed} past due ({rule})",
            amount=fee.amount,
            source_key=f"late:{account.number}:{as_of:%Y-%m}",
        )
        results.append(LateFee(account.number, owed.amount, fee.amount, item is not None))
    return results
