"""The date argument of what staff record (``collections hold --on``, ``deposits decide
--on``, ``meter install --on``): a bad one is refused in one line."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management.base import CommandError

from coopcis.site.commands import day


def test_a_day_is_read_as_written():
    assert day("2026-02-28") == date(2026, 2, 28)


@pytest.mark.parametrize("text", ["2026-02-30", "02/28/2026", ""])
def test_a_bad_day_is_refused_naming_it(text):
    with pytest.raises(CommandError) as refused:
        day(text)

    assert str(refused.value) == f"not a date (YYYY-MM-DD): {text!r}"
