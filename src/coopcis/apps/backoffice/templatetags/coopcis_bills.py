"""``{{ code|hold_reason }}``: why a bill was held, in words."""

from __future__ import annotations

from django import template

from coopcis.apps.billing.holds import reason_text

register = template.Library()


@register.filter
def hold_reason(code: str) -> str:
    return reason_text(code)
