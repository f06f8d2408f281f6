"""Printable bills: load what a bill shows (:mod:`.document`), draw it (:mod:`.render`);
and the account summary statement that groups an account's location bills of a month
(:mod:`.summary`, drawn by :mod:`.summary_render`)."""

from __future__ import annotations

from coopcis.apps.billing.pdf.document import BillDocument, load_bill_documents
from coopcis.apps.billing.pdf.render import RenderedBill, render_bill
from coopcis.apps.billing.pdf.summary import SummaryStatement, load_summary_statement
from coopcis.apps.billing.pdf.summary_render import RenderedStatement, render_summary_statement
from coopcis.catalog.profiles import active_profile


def render_bill_by_id(bill_id: int) -> RenderedBill | None:
    """One bill's PDF under the active co-op profile, or None if there is no such bill."""
    documents = load_bill_documents([bill_id])
    return render_bill(documents[0], active_profile()) if documents else None


__all__ = [
    "BillDocument",
    "RenderedBill",
    "RenderedStatement",
    "SummaryStatement",
    "load_bill_documents",
    "load_summary_statement",
    "render_bill",
    "render_bill_by_id",
    "render_summary_statement",
]
