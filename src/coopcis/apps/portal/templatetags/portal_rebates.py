"""The rebate catalog's words in the member's language (``portal/rebate_words.py``)."""

from __future__ import annotations

from django import template

from coopcis.apps.portal.rebate_words import measure_words, unit_words

register = template.Library()
register.filter("measure_words", measure_words)
register.filter("unit_words", unit_words)
