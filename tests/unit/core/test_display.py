"""Figures shown to people: one formatter for money (pages and PDFs) and for kWh."""

from decimal import Decimal

import pytest

from coopcis.core.money import Money
from coopcis.core.units import format_kwh


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("26256.41", "$26,256.41"),
        ("-10", "-$10.00"),
        ("0", "$0.00"),
        ("-0.005", "-$0.01"),
        ("1234567.895", "$1,234,567.90"),
    ],
)
def test_money_reads_as_dollars_with_a_leading_minus(amount, shown):
    assert Money.of(amount).formatted() == shown


@pytest.mark.parametrize(
    ("energy", "shown"),
    [("1234.000", "1,234"), ("12.500", "12.5"), ("0.125", "0.125"), ("0", "0"), ("1E+3", "1,000")],
)
def test_kwh_without_needless_decimals(energy, shown):
    assert format_kwh(Decimal(energy)) == shown


def test_the_template_filters_use_the_same_formatters():
    import django
    from django.template import engines

    django.setup()
    template = engines["django"].from_string(
        "{{ a|money }} {{ b|money }} {{ c|money }} {{ k|energy_kwh }} {{ code|choice_label:choices }}"
    )
    shown = template.render(
        {
            "a": Decimal("26256.41"),
            "b": Decimal("-10"),
            "c": None,
            "k": Decimal("1234.000"),
            "code": "DISCONNECT_NOTICE",
            "choices": [("DISCONNECT_NOTICE", "Disconnect notice")],
        }
    )
    assert shown == "$26,256.41 -$10.00 — 1,234 Disconnect notice"
