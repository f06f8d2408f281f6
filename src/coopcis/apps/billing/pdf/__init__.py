"""Printable bills: load what a bill shows (:mod:`.document`), draw it (:mod:`.render`)."""

from __future__ import annotations

from coopcis.apps.billing.pdf.document import BillDocument, load_bill_documents
from coopcis.apps.billing.pdf.render import RenderedBill, render_bill
from coopcis.catalog.profiles import active_profile


def render_bill_by_id(bill_id: int) -> RenderedBill | None:
    """One bill's PDF under the active co-op profile, or None if there is no such bill."""
    documents = load_bill_documents([bill_id])
    return render_bill(documents[0], active_profile()) if documents else None


__all__ = [
    "BillDocument",
    "RenderedBill",
    "load_bill_documents",
    "render_bill",
    "render_bill_by_id",
]
