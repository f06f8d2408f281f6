"""The net-metering credit bank: each net-metered bill's credit, the bank, the payout, and
their ledger entries (SEC policy 425, "COLLECTION OF ENERGY").

The bill run (``coopcis.apps.billing.netting``) computes each month with the core's
rules and hands the months here to be stored and posted in its batch's transaction:

- the credit: Dr 555 purchased power, Cr 242.3 net-metering credits owed to members;
- the payout, in a month the bank is greater than the profile's $50.00, and the bank
  restarts at zero: by check request (``payout_method = "CHECK"``) Dr 242.3, Cr 232.1
  accounts payable, posted here; as a bill credit (``"BILL_CREDIT"``) nothing here: the
  bill run puts it on the member's charges (``netmetering.payout_credits``, Dr 242.3,
  Cr 142.x) once the bill's own charge is open.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from coopcis.apps.ledger.models import EntryKind
from coopcis.apps.ledger.services import Posting, post_entry_ids, reverse_entry
from coopcis.apps.netmetering.models import NetMeteringMonth, PayoutMethod
from coopcis.apps.netmetering.payout_credits import give_back
from coopcis.apps.netmetering.policy import (
    CREDITS_OWED,
    PAYABLE,
    PURCHASED_POWER,
    net_metering_policy,
)
from coopcis.core.ledger.entries import JournalEntry, credit, debit
from coopcis.core.money import Money
from coopcis.core.net_metering.netting import bank_month


def bank_balances(account_ids: Iterable[int]) -> dict[int, Money]:
    """Each account's credit bank now (the latest month's balance after it; zero if none)."""
    banks: dict[int, Money] = {}
    rows = (
        NetMeteringMonth.objects.filter(
            account_id__in=list(account_ids), cancelled=False, held=False
        )
        .order_by("account_id", "posted_on", "id")
        .values_list("account_id", "bank_after_amount")
    )
    for account_id, after in rows:
        banks[account_id] = Money(after)
    return banks


def _postings(month: NetMeteringMonth, number: str) -> list[tuple[str, Posting]]:
    out: list[tuple[str, Posting]] = []
    if month.held:
        return out
    where = f"{month.period} bill {month.bill.pk}"
    if month.credit_amount > 0:
        amount = Money(month.credit_amount)
        entry = JournalEntry(
            posted_on=month.posted_on,
            memo=f"Net-metering credit {where}: {month.excess_wh / 1000} kWh at avoided cost",
            lines=(
                debit(PURCHASED_POWER, amount, member_account=number),
                credit(CREDITS_OWED, amount, member_account=number),
            ),
            source="net-metering",
        )
        out.append(("credit", Posting(entry, EntryKind.ADJUSTMENT, f"nm-credit:{month.bill.pk}")))
    if month.payout_amount > 0 and month.payout_method == PayoutMethod.CHECK:
        amount = Money(month.payout_amount)
        entry = JournalEntry(
            posted_on=month.posted_on,
            memo=f"Net-metering credit paid by check request {where}",
            lines=(
                debit(CREDITS_OWED, amount, member_account=number),
                credit(PAYABLE, amount, member_account=number),
            ),
            source="net-metering",
        )
        out.append(("payout", Posting(entry, EntryKind.ADJUSTMENT, f"nm-payout:{month.bill.pk}")))
    return out


def record_months(months: Sequence[NetMeteringMonth], numbers: dict[int, str]) -> None:
    """Store the months (their bills already saved) and post their credits and payouts, in
    the caller's transaction. ``numbers`` maps account ids to account numbers."""
    tagged = [
        (month, kind, posting)
        for month in months
        for kind, posting in _postings(month, numbers[month.account_id])
    ]
    ids = post_entry_ids([posting for _, _, posting in tagged])
    for (month, kind, _), entry_id in zip(tagged, ids, strict=True):
        if kind == "credit":
            month.journal_entry_id = entry_id
        else:
            month.payout_entry_id = entry_id
    NetMeteringMonth.objects.bulk_create(months, batch_size=500)


def cancel_month(*, bill_id: int, on: date, reason: str) -> None:
    """A cancelled bill's credit and payout are reversed and its month no longer counts in
    the bank (called in the cancellation's transaction; a rebill credits again)."""
    month = NetMeteringMonth.objects.filter(bill_id=bill_id, cancelled=False).first()
    if month is None:
        return
    # a payout by bill credit comes off the charges it paid (the bill's own charge gave its
    # part back already, before it was voided)
    give_back(on=on, reason=reason, month_id=month.pk)
    for entry in (month.journal_entry, month.payout_entry):
        if entry is not None:
            reverse_entry(entry=entry, posted_on=on, reason=f"net-metering month: {reason}")
    month.cancelled = True
    month.save(update_fields=["cancelled"])


def release_month(*, bill_id: int, number: str) -> None:
    """A held bill was released: its credit goes to the bank now (with a payout if the bank
    passes the threshold), posted in the release's transaction."""
    month = NetMeteringMonth.objects.filter(bill_id=bill_id, held=True, cancelled=False).first()
    if month is None:
        return
    policy = net_metering_policy()
    before = bank_balances([month.account_id]).get(month.account_id, Money.zero())
    worked = bank_month(
        before=before, credited=Money(month.credit_amount), payout_above=policy.payout_above
    )
    month.held = False
    month.bank_before_amount = worked.before.amount
    month.payout_amount = worked.payout.amount
    month.payout_method = policy.payout_method if worked.payout else ""
    month.bank_after_amount = worked.after.amount
    tagged = _postings(month, number)
    ids = post_entry_ids([posting for _, posting in tagged])
    for (kind, _), entry_id in zip(tagged, ids, strict=True):
        setattr(month, "journal_entry_id" if kind == "credit" else "payout_entry_id", entry_id)
    month.save()
