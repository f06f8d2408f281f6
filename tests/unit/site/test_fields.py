"""The shared form fields: what each takes and refuses, with the message people see."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms

from coopcis.site.fields import CoordinateField, NumberField

D = Decimal


class PlaceForm(forms.Form):
    latitude = CoordinateField(label="Latitude", largest=90, required=False)
    longitude = CoordinateField(label="Longitude", largest=180, required=False)


@pytest.mark.parametrize(
    ("field", "typed", "cleaned"),
    [
        ("latitude", "35.123456", D("35.123456")),
        ("latitude", " -32.5 ", D("-32.5")),
        ("latitude", "+90", D("90")),
        ("latitude", "-90.000000", D("-90.000000")),
        ("latitude", "7.", D("7")),
        ("longitude", "-106.123456", D("-106.123456")),
        ("longitude", "180", D("180")),
        ("longitude", "", None),
        ("longitude", "   ", None),
    ],
)
def test_a_coordinate_field_takes_decimal_degrees(field, typed, cleaned):
    form = PlaceForm({field: typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data[field] == cleaned
    assert str(form.cleaned_data[field]) == str(cleaned)


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("latitude", "90.000001", "at most 90 in size"),
        ("latitude", "-91", "at most 90 in size"),
        ("longitude", "180.5", "at most 180 in size"),
        ("latitude", "35.1234567", "at most 6 decimals: '35.1234567'"),
        ("latitude", "3.2e1", "write the amount in full, without an exponent: '3.2e1'"),
        ("latitude", "١٢", "use the digits 0-9: '١٢'"),
        ("longitude", "1,000", "no thousands separators: '1,000'"),
        ("longitude", "north", "not an amount: 'north'"),
        ("longitude", "--5", "not an amount: '--5'"),
        ("latitude", "NaN", "not an amount: 'NaN'"),
    ],
)
def test_a_coordinate_field_refuses_what_is_not_decimal_degrees(field, typed, message):
    form = PlaceForm({field: typed})
    assert not form.is_valid()
    (error,) = form.errors.as_data()[field]
    assert (error.code, error.message) == ("coordinate", message)


@pytest.mark.parametrize(
    ("typed", "allow_negative", "outcome"),
    [
        ("12.5", False, D("12.5")),
        ("-12.5", True, D("-12.5")),
        ("-12.5", False, "must not be negative: '-12.5'"),
        ("1e3", False, "number"),
        ("1000.001", False, "number"),
        ("10000", False, "number"),
    ],
)
def test_a_number_field_takes_a_plain_number(typed, allow_negative, outcome):
    field = NumberField(places=2, largest=D("9999"), allow_negative=allow_negative, label="kW")
    if isinstance(outcome, Decimal):
        assert field.clean(typed) == outcome
        return
    with pytest.raises(forms.ValidationError) as refused:
        field.clean(typed)
    error = refused.value.error_list[0]
    if outcome == "number":
        assert error.code == "number"
    else:
        assert error.code == "min_value" and error.message == outcome
