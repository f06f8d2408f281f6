"""Property: any batch of debits and prenotes writes a file that reads back the same, whose
controls add up, and that achlens accepts."""

from __future__ import annotations

from datetime import date, time

import holidays
from achlens.core import FEDERAL_RESERVE_HOLIDAYS
from hypothesis import given, settings
from hypothesis import strategies as st

from coopcis.core.payments.nacha import (
    AchFile,
    Batch,
    BatchHeader,
    Entry,
    FileHeader,
    aba_check_digit,
    read_ach_file,
    trace_number,
    write_ach_file,
)
from tests.unit.nacha.achlens_check import assert_achlens_valid

ODFI = "10200002"
HEADER = FileHeader(
    "102000021", "1850123456", "FIRST NATIONAL BANK", "OTERO COUNTY ELECTRIC",
    date(2026, 11, 2), time(9, 30), "B",
)  # fmt: skip

DIGITS, LETTERS = "0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
routings = st.integers(0, 39_999_999).map(lambda n: f"{n:08d}{aba_check_digit(f'{n:08d}')}")
# Business days by both calendars: ``holidays`` (ours) and achlens's own K.8 list for
# 2026-2030, which also closes Friday 10 November 2028 (Veterans Day falls on a Saturday;
# the Reserve Banks stay open that Friday, so ours does not).
CLOSED = frozenset(holidays.financial_holidays("XFED", years=range(2026, 2031))) | frozenset(
    FEDERAL_RESERVE_HOLIDAYS
)
business_days = st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)).filter(
    lambda day: day.weekday() < 5 and day not in CLOSED
)
names = st.builds(
    lambda first, middle: first + middle.rstrip(),
    st.sampled_from(LETTERS),
    st.text(alphabet=LETTERS + " '-", max_size=21),
)


@st.composite
def entries(draw: st.DrawFn) -> list[Entry]:
    count = draw(st.integers(min_value=1, max_value=40))
    result = []
    for index in range(count):
        code = draw(st.sampled_from([27, 37, 28, 38]))
        prenote = code in (28, 38)
        result.append(
            Entry(
                transaction_code=code,
                routing_number=draw(routings),
                account_number=draw(st.text(alphabet=DIGITS, min_size=4, max_size=17)),
                amount_cents=0 if prenote else draw(st.integers(1, 9_999_999_999)),
                individual_id=draw(st.text(alphabet=DIGITS, min_size=7, max_size=7)),
                individual_name=draw(names),
                trace_number=trace_number(ODFI, index + 1),
            )
        )
    return result


@settings(max_examples=60, deadline=None)
@given(entries(), business_days)
def test_written_files_read_back_and_add_up(drawn, effective_on):
    batch = BatchHeader("OTERO CO ELEC", "1850123456", "ELEC BILL", effective_on, ODFI)
    ach = AchFile(HEADER, (Batch(batch, tuple(drawn)),))
    text = write_ach_file(ach)
    lines = text.splitlines()
    assert all(len(line) == 94 for line in lines) and len(lines) % 10 == 0
    assert read_ach_file(text) == ach
    expected_hash = sum(int(entry.routing_number[:8]) for entry in drawn) % 10**10
    file_control = lines[len(drawn) + 3]
    assert int(file_control[21:31]) == expected_hash
    assert int(file_control[31:43]) == sum(entry.amount_cents for entry in drawn)
    assert len({line[79:] for line in lines if line.startswith("6")}) == len(drawn)
    assert_achlens_valid(text)
