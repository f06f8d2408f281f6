"""Form fields every app's forms share: money typed by people, read by the core's one parser.

``MoneyField`` takes what people type at a counter (``1,234.56``, ``$54.20``, ``54.2``) and
refuses what :func:`coopcis.core.money.parse_amount` refuses (``1e3``, ``١٢``, ``10.001``,
more than the field's ceiling), with the parser's message against the field. Its cleaned
value is a ``Decimal`` in whole cents, exactly as typed: nothing is rounded.

``CoordinateField`` takes a latitude or longitude in decimal degrees by the same parser's
rules for plain numbers (:func:`coopcis.core.money.parse_decimal`): no exponent (``3.2e1``),
at most six decimals, and within ±90 or ±180, so a wrong figure is refused on the form
rather than by the database.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from coopcis.core.money import (
    CENT,
    LARGEST_AMOUNT,
    AmountError,
    Money,
    parse_amount,
    parse_decimal,
)


class MoneyField(forms.CharField):
    """An amount of dollars and cents; ``minimum`` and ``maximum`` bound it (inclusive)."""

    def __init__(
        self,
        *,
        allow_negative: bool = False,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
        **kwargs: Any,
    ) -> None:
        # no max_length: its validator would measure the cleaned Decimal; the parser
        # refuses text longer than an amount can be
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(**kwargs)
        self.allow_negative = allow_negative
        self.minimum = minimum
        self.maximum = Money(maximum) if maximum is not None else LARGEST_AMOUNT

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            money = parse_amount(
                text,
                field=self.label or "amount",
                allow_negative=self.allow_negative,
                allow_grouping=True,
                maximum=self.maximum,
            )
        except AmountError as refused:
            raise forms.ValidationError(refused.message, code="amount") from None
        if self.minimum is not None and money.amount < self.minimum:
            raise forms.ValidationError(
                f"at least {Money(self.minimum).formatted()}", code="min_value"
            )
        return money.amount

    def prepare_value(self, value: Any) -> Any:
        # a Decimal initial value shows as people type it back ("0.00", not "0")
        if isinstance(value, Decimal) and value.is_finite():
            return value.quantize(CENT)
        return value


class NumberField(forms.CharField):
    """A plain number staff type (a kWh reading, a kW figure, a factor) by the same parser's
    rules: at most ``places`` decimals and ``largest`` in size, no exponent (``1e3``), no
    separators or non-ASCII digits; negative only with ``allow_negative``. Django's
    DecimalField would take ``1e3`` and ``١٢``."""

    #: What a refusal is called when the field has no label, and its error code.
    what = "number"

    def __init__(
        self, *, places: int, largest: Decimal, allow_negative: bool = False, **kwargs: Any
    ) -> None:
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(**kwargs)
        self.places = places
        self.largest = largest
        self.allow_negative = allow_negative

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            number = parse_decimal(
                text, field=self.label or self.what, places=self.places, largest=self.largest
            )
        except AmountError as refused:
            raise forms.ValidationError(refused.message, code=self.what) from None
        if number < 0 and not self.allow_negative:
            raise forms.ValidationError(f"must not be negative: {text.strip()!r}", code="min_value")
        return number


class CoordinateField(NumberField):
    """Decimal degrees (WGS 84): ``largest`` is 90 for a latitude, 180 for a longitude; at
    most six decimals (about 0.1 m), negative south and west."""

    what = "coordinate"

    def __init__(self, *, largest: int, **kwargs: Any) -> None:
        super().__init__(places=6, largest=Decimal(largest), allow_negative=True, **kwargs)
