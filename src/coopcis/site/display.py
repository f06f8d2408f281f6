"""Template filters for showing figures to people, available in every template (a
``builtins`` library, see settings): the same formatting the bill PDFs use.

- ``{{ amount|money }}``: ``$26,256.41``; a negative ``-$10.00``; nothing shows as ``—``.
- ``{{ energy|energy_kwh }}``: ``1,234`` / ``12.5`` kWh, without needless decimals (from
  kWh; ``coopcis_numbers``' ``kwh`` takes watt-hours).
- ``{{ day|long_date }}``: ``December 6, 2026`` / ``6 de diciembre de 2026``, in the
  language active (the bills' form; month names from Django's catalogue).
- ``{{ code|choice_label:choices }}``: a bare stored code by its label (a model field
  shows its own with ``get_FOO_display``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import dateformat, timezone
from django.utils.translation import get_language

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


#: The long date per language: "F j, Y" (English), "j \d\e F \d\e Y" (Spanish).
LONG_DATE_FORMATS = {"en": "F j, Y", "es": r"j \d\e F \d\e Y"}


@register.filter
def long_date(value: Any) -> str:
    """A date written out in the active language, as bills print it."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    if not isinstance(value, date):
        return str(value)
    language = (get_language() or "en").split("-")[0]
    return dateformat.format(value, LONG_DATE_FORMATS.get(language, LONG_DATE_FORMATS["en"]))
