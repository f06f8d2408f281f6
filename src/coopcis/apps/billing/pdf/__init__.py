"""Printable bills: load what a bill shows (:mod:`.document`), draw it (:mod:`.render`);
and the account summary statement that groups an account's location bills of a month
(:mod:`.summary`, drawn by :mod:`.summary_render`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from coopcis.apps.audit.context import current_actor
from coopcis.apps.audit.models import AuditAction, AuditEvent
from coopcis.apps.billing.models import Bill
from coopcis.apps.billing.pdf.document import BillDocument, load_bill_documents
from coopcis.apps.billing.pdf.render import RenderedBill, render_bill
from coopcis.apps.billing.pdf.summary import SummaryStatement, load_summary_statement
from coopcis.apps.billing.pdf.summary_render import RenderedStatement, render_summary_statement
from coopcis.catalog.profiles import active_profile


def render_bill_by_id(bill_id: int, *, reprinted_on: date | None = None) -> RenderedBill | None:
    """One bill's PDF under the active co-op profile, or None if there is no such bill;
    ``reprinted_on`` marks it a copy printed that day."""
    documents = load_bill_documents([bill_id])
    if not documents:
        return None
    return render_bill(replace(documents[0], reprinted_on=reprinted_on), active_profile())


def record_reprint(bill: Bill, *, on: date, reason: str) -> AuditEvent:
    """Write down that ``bill`` was printed again, by whom and why (the account's history)."""
    actor = current_actor()
    return AuditEvent.objects.create(
        actor=actor.user,
        actor_label=actor.label,
        action=AuditAction.UPDATE,
        model="billing.bill",
        object_pk=str(bill.pk),
        object_repr=f"Bill {bill.number} ({bill.period})",
        account_id=bill.account_id,
        changes={"reprinted_on": [None, on.isoformat()]},
        reason=f"Reprinted: {' '.join(reason.split())}"[:300],
    )


__all__ = [
    "BillDocument",
    "RenderedBill",
    "RenderedStatement",
    "SummaryStatement",
    "load_bill_documents",
    "load_summary_statement",
    "record_reprint",
    "render_bill",
    "render_bill_by_id",
    "render_summary_statement",
]
