"""The bill's words from the translation catalogue: both languages say everything, with the
same blanks."""

from __future__ import annotations

import string
from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.billing import bill_text as bt
from coopcis.apps.billing.pdf.document import chart_periods, shift_month


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_is_in_both_languages_and_none_is_empty():
    english, spanish = bt.text(bt.ENGLISH), bt.text(bt.SPANISH)

    assert set(english) == set(spanish) == set(bt.TEXT)
    assert all(value.strip() for value in [*english.values(), *spanish.values()])


@pytest.mark.parametrize("key", sorted(bt.TEXT))
def test_each_message_has_the_same_blanks_in_both_languages(key):
    assert placeholders(bt.text(bt.ENGLISH)[key]) == placeholders(bt.text(bt.SPANISH)[key])


def test_the_spanish_is_spanish():
    spanish = bt.text("ES")

    assert spanish["due_date"] == "Fecha de vencimiento"
    assert spanish["amount_due"] == "Cantidad a pagar"
    assert spanish["estimated"] == "ESTIMADA"
    assert spanish["previous_read"] == "Lectura anterior"
    assert "apagón" in spanish["outage_title"]
    # No English left behind in a Spanish message (the website and phone are blanks).
    assert not set(spanish.values()) & set(bt.text("EN").values())


def test_an_unknown_language_is_an_error():
    with pytest.raises(ValueError, match="FR"):
        bt.text("FR")


def test_months_in_both_languages():
    assert bt.long_date(date(2026, 3, 28), "EN") == "March 28, 2026"
    assert bt.long_date(date(2026, 3, 28), "ES") == "28 de marzo de 2026"
    assert bt.date_range(date(2026, 2, 5), date(2026, 3, 5), "EN") == "Feb 5 \u2013 Mar 5, 2026"
    assert bt.date_range(date(2025, 12, 5), date(2026, 1, 5), "ES") == (
        "5 dic 2025 \u2013 5 ene 2026"
    )
    assert bt.month_label("2026-01", "ES") == "ene"


@pytest.mark.parametrize(
    ("english", "spanish"),
    [
        ("Customer charge", "Cargo por cliente"),
        ("Energy, all kWh", "Energía, todos los kWh"),
        ("Energy, first 500,000 kWh", "Energía, primeros 500,000 kWh"),
        ("Demand, over 10 kW (measured 12 kW at PF 0.91)",
         "Demanda, más de 10 kW (medida 12 kW con FP 0.91)"),
        ("Renewable Energy and Conservation Fee, 1%", "Cargo por energía renovable y conservación, 1%"),
        ("Fuel and purchased power cost adjustment",
         "Ajuste por costo de combustible y energía comprada"),
        ("Street lighting, 100 watt HPS / 42 watt LED, per fixture",
         "Alumbrado público, 100 vatios HPS / 42 vatios LED, por luminaria"),
    ],
)  # fmt: skip
def test_tariff_line_descriptions_in_spanish(english, spanish):
    assert bt.describe_line(english, "ES") == spanish
    assert bt.describe_line(english, "EN") == english


def test_money_and_numbers_from_decimal():
    assert bt.money(Decimal("1234.5")) == "$1,234.50"
    assert bt.money(Decimal("-3")) == "-$3.00"
    assert bt.number(Decimal("12345.000")) == "12,345"
    assert bt.number(Decimal("0.012345")) == "0.012345"
    assert bt.number(Decimal("30.35"), 1) == "30.4"  # half up, not banker's
    with pytest.raises(ValueError):
        bt.money(1.5)  # type: ignore[arg-type]


def test_the_chart_covers_thirteen_months_ending_with_the_bill():
    assert shift_month("2026-01", -1) == "2025-12"
    assert chart_periods("2026-03") == [
        "2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09",
        "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03",
    ]  # fmt: skip
