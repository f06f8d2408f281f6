"""The member's rebate pages in the member's language (issue 13 pages, issue 12's "every
portal page in English and Spanish").

The rebate catalog (``catalog/rebates/*.toml``) is data written in English; its measure
descriptions and the size unit are put into Spanish through the catalogue, context
``rebate measure`` / ``rebate unit``, by their English words (:func:`measure_words`): the
strings are listed here so ``scripts/messages.py`` gathers them, and a test fails when a
measure of the catalog has no Spanish. A claim keeps the description it was made under,
which reads the same way.

A refusal from the rebates app (``submit_claim``, ``quote_rebate``, the budget check)
carries its rule's ``code`` and figures; :func:`member_refusal` words it for the member
(:data:`REFUSALS`), falling back to the English message for a rule without words here.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from coopcis.core.errors import RuleViolation
from coopcis.site.display import money

#: Every measure description of the catalog, for the catalogue (see the module).
MEASURES = (
    pgettext_lazy(
        "rebate measure", "ENERGY STAR clothes washer or clothes dryer ($75 each, $150 a pair)"
    ),
    pgettext_lazy("rebate measure", "ENERGY STAR refrigerator, by size"),
    pgettext_lazy("rebate measure", "ENERGY STAR freezer"),
    pgettext_lazy("rebate measure", "ENERGY STAR dishwasher"),
    pgettext_lazy("rebate measure", "ENERGY STAR LED television"),
    pgettext_lazy("rebate measure", "Programmable thermostat"),
    pgettext_lazy("rebate measure", "Smart thermostat"),
    pgettext_lazy("rebate measure", "HVAC tune-up by a qualified technician"),
    pgettext_lazy(
        "rebate measure", "HVAC system installed by a qualified technician, 16 SEER or higher"
    ),
    pgettext_lazy("rebate measure", "Closed-loop geothermal heat pump"),
    pgettext_lazy("rebate measure", "Air-source heat pump, 16 SEER or higher"),
    pgettext_lazy("rebate measure", "Mini-split heat pump system"),
    pgettext_lazy(
        "rebate measure",
        "Evaporative cooler, single-duct, 12-inch media, an approved model (window units do not qualify)",
    ),
    # xgettext:no-python-format
    pgettext_lazy("rebate measure", "Improving or adding insulation (30% of material costs)"),
    # xgettext:no-python-format
    pgettext_lazy("rebate measure", "ENERGY STAR rated windows and doors (25% of material costs)"),
    # xgettext:no-python-format
    pgettext_lazy("rebate measure", "Caulking and weatherstripping (50% of material costs)"),
    # xgettext:no-python-format
    pgettext_lazy("rebate measure", "LED lighting (25% of cost)"),
    # xgettext:no-python-format
    pgettext_lazy("rebate measure", "Electric water heater, 0.93 UEF or higher (25% of cost)"),
    # xgettext:no-python-format
    pgettext_lazy(
        "rebate measure", "ENERGY STAR heat pump water heater, heat-pump setting only (25% of cost)"
    ),
    # xgettext:no-python-format
    pgettext_lazy(
        "rebate measure", "Electric mower or snow blower, 36 volt minimum (25% of cost, up to $100)"
    ),
    # xgettext:no-python-format
    pgettext_lazy(
        "rebate measure",
        "Electric trimmer, chainsaw, pruner or blower, 18 volt minimum (25% of cost, up to $50)",
    ),
)
UNITS = (pgettext_lazy("rebate unit", "cu ft"),)

REFUSALS: dict[str, Promise] = {
    "cost_positive": _("Enter what you paid: more than $0.00."),
    "not_by_unit": _("This measure is not paid by the unit: leave the units at 1."),
    "most_units": _("This measure pays for at most %(most)s units."),
    "size_needed": _("Give the size, in %(unit)s."),
    "size_below": _("There is no rebate below %(size)s %(unit)s."),
    "not_by_size": _("This measure is not paid by size: leave the size empty."),
    "file_empty": _("The file is empty."),
    "file_too_big": _("A proof may be at most 5 MB."),
    "file_type": _("Each proof is a PDF, JPEG or PNG file."),
    "purchase_after_claim": _("The purchase date cannot be after today."),
    "missing_receipt": _(
        "A claim needs the receipt of purchase (OCEC handbook, Energy Efficiency Rebates)."
    ),
    "missing_energy_star": _(
        "A claim for this measure needs the ENERGY STAR certification (OCEC handbook, Energy "
        "Efficiency Rebates)."
    ),
    "over_budget": _(
        "A rebate of %(rebate)s would overrun the program's %(year)s budget: %(left)s is left."
    ),
    "over_account_limit": _(
        "A rebate of %(rebate)s would take the account over its %(year)s limit of %(limit)s "
        "(%(claimed)s already claimed)."
    ),
}


def measure_words(description: str) -> str:
    """A measure's description in the active language."""
    return pgettext("rebate measure", description) if description else description


def unit_words(unit: str) -> str:
    return pgettext("rebate unit", unit) if unit else unit


def member_refusal(violation: RuleViolation) -> RuleViolation:
    """The refusal in the member's words and language (the same field)."""
    words = REFUSALS.get(violation.code)
    if words is None:
        return violation
    params = {
        name: money(value)
        if isinstance(value, Decimal) and name != "size"
        else unit_words(value)
        if name == "unit" and isinstance(value, str)
        else value
        for name, value in violation.params.items()
    }
    return RuleViolation(str(words) % params, field=violation.field, code=violation.code)
