"""Taxes by location: each rate applied to the rounded sum of every line before taxes.

Rate 19, TAX ADJUSTMENT (seed 003): billing "may be increased by an amount equal to
the sum of the taxes payable under the Gross Receipts and Compensating Tax Act and
of all other taxes, fees, or charges (exclusive of Ad Valorem, State and Federal
Income Taxes)". The rate depends on where the service is, so it is passed in with
the riders (:class:`~coopcis.core.rating.riders.TaxRate`); taxes are not taxed.
"""

from __future__ import annotations

from decimal import Decimal

from coopcis.core.money import total
from coopcis.core.rating.components.base import LineDraft
from coopcis.core.rating.lines import BillLine
from coopcis.core.rating.riders import TaxRate


def tax_drafts(lines: tuple[BillLine, ...], taxes: tuple[TaxRate, ...]) -> list[LineDraft]:
    """One line per tax, each on the rounded pre-tax total (quantity in dollars)."""
    base: Decimal = total([line.amount for line in lines]).amount
    return [
        LineDraft(
            f"tax-{tax.name.lower().replace(' ', '-')}",
            tax.name,
            base,
            "$",
            tax.rate,
            tax.source,
            prorate=False,
        )
        for tax in taxes
    ]
