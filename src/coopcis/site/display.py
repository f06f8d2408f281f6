"""Template filters for showing figures to people, available in every template (a
``builtins`` library, see settings): the same formatting the bill PDFs use.

- ``{{ amount|money }}``: ``$26,256.41``; a negative ``-$10.00``; nothing shows as ``—``.
- ``{{ energy|energy_kwh }}``: ``1,234`` / ``12.5`` kWh, without needless decimals (from
  kWh; ``coopcis_numbers``' ``kwh`` takes watt-hours).
- ``{{ code|choice_label:choices }}``: a bare stored code by its label (a model field
  shows its own with ``get_FOO_display``).
"""

from __future__ import annotations

from typing import Any

from django import template

from coopcis.core.money import Money, MoneyError, to_decimal
from coopcis.core.units import format_kwh

register = template.Library()

MISSING = "—"


@register.filter
def money(value: Any) -> str:
    """Dollars and cents for people (half up to the cent, as :meth:`Money.formatted`)."""
    if value is None or value == "":
        return MISSING
    try:
        amount = value if isinstance(value, Money) else Money(to_decimal(value))
    except MoneyError:
        return str(value)
    return amount.formatted()


@register.filter
def energy_kwh(value: Any) -> str:
    """Energy in kWh without needless decimals (``1,234``, ``12.5``)."""
    if value is None or value == "":
        return MISSING
    try:
        return format_kwh(to_decimal(value))
    except MoneyError:
        return str(value)


@register.filter
def choice_label(value: Any, choices: Any) -> str:
    """The label of a stored choice code (``DISCONNECT_NOTICE`` -> ``Disconnect notice``),
    given the choices (a ``TextChoices`` class or its ``.choices``)."""
    pairs = getattr(choices, "choices", choices) or []
    return str(dict(pairs).get(value, value))
