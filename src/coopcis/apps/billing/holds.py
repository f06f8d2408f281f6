"""Held bills as staff review them: the reasons in words, and the queue.

The run holds a bill that is unusual for the member (``coopcis.core.billing.review``);
staff release it with a note or cancel it and rebill (:mod:`.corrections`), from the back
office or with ``coopcis billing release|cancel``.
"""

from __future__ import annotations

from django.db.models import QuerySet

from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.core.billing import review

#: What each hold reason means, in the words staff read on the review page.
REASON_TEXT = {
    review.NEGATIVE: "The bill's total is negative: it would credit the member.",
    review.ZERO_USE: "No use on a metered service: a stopped meter, a vacant home or a bad read.",
    review.HIGH_USE: "Use more than three times the average of the member's recent bills.",
    review.LOW_USE: "Use under a quarter of the average of the member's recent bills.",
    review.ESTIMATED_TWICE: "A second estimated read in a row: the meter should be read.",
}


def reason_text(code: str) -> str:
    """The reason in words; a release note (``"released: ..."``) and unknown codes as
    they are."""
    return REASON_TEXT.get(code, code)


def held_bills() -> QuerySet[Bill]:
    """Bills held for review, oldest billing month first, with their account and point."""
    return (
        Bill.objects.filter(status=BillStatus.HELD)
        .select_related("account__party", "service_point")
        .order_by("period", "id")
    )
