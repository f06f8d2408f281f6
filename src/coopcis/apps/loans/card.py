"""The account page's loans card (registered in ``backoffice.cards``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum

from coopcis.apps.loans.models import Approver, Loan
from coopcis.apps.members.models import Account
from coopcis.apps.receivables.models import ItemStatus, ReceivableItem


def loans_card(account: Account) -> dict[str, Any]:
    """Context of ``loans/_loans_card.html``: each loan with its principal balance and
    what its billed installments still owe (two queries)."""
    loans = list(Loan.objects.filter(account=account).order_by("-applied_on", "-id"))
    owed = dict(
        ReceivableItem.objects.filter(
            account=account, status=ItemStatus.OPEN, loan_installment__isnull=False
        )
        .values_list("loan_installment__loan_id")
        .annotate(open=Sum("amount") - Sum("paid_amount"))
    )
    return {
        "loans": [(loan, owed.get(loan.pk, 0)) for loan in loans],
        "account_number": account.number,
        "approvers": Approver.choices,
    }
