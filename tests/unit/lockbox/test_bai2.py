"""The bank's BAI2 file through the bai2 package: controls checked, refusals name the line."""

from datetime import date

import pytest

from coopcis.apps.payments.lockbox.bank_file import parse_bai2
from coopcis.core.billing.scan_line import make_scan_line
from coopcis.core.money import Money
from coopcis.core.payments.lockbox import LockboxFileError
from tests.unit.lockbox.files import Item, bai2, line_of

ON = date(2026, 10, 15)
SCAN = make_scan_line(
    account_number="1000123", bill_number="202610-00000042", amount_due=Money("183.89")
)
ITEMS = [
    Item("B0001", "1042", "183.89", SCAN),
    Item("B0002", "1043", "16.11", "ACCT 1000124 OCT BILL"),
]


def refused(text: str) -> LockboxFileError:
    with pytest.raises(LockboxFileError) as caught:
        parse_bai2(text)
    return caught.value


def test_items_and_deposits_are_read_with_their_lines_and_continuations():
    text = bai2(ON, [("D1", ITEMS), ("D2", [Item("B0003", "9", "5.00", "NO STUB")])])
    parsed = parse_bai2(text)
    assert parsed.deposit_date == ON and parsed.total == Money("205.00")
    first, second, third = parsed.remittances
    # the scan line is split over a 16 and an 88 record and read back whole
    assert first.remittance_text.replace(" ", "") == SCAN.replace(" ", "")
    assert (first.line, first.batch, first.bank_reference, first.check_number) == (
        line_of(text, "16,116,18389"),
        "D1",
        "B0001",
        "1042",
    )
    assert second.remittance_text == "ACCT 1000124 OCT BILL"
    assert third.batch == "D2"
    assert [(d.reference, d.amount, d.item_count, d.bank_account) for d in parsed.deposits] == [
        ("D1", Money("200.00"), 2, "4400123456"),
        ("D2", Money("5.00"), 1, "4400123456"),
    ]


def test_a_statement_only_deposit_has_no_items():
    text = bai2(ON, [("D9", [])], deposit_amounts={"D9": "300.00"})
    parsed = parse_bai2(text)
    assert parsed.remittances == ()
    assert [(d.amount, d.item_count) for d in parsed.deposits] == [(Money("300.00"), 0)]


@pytest.mark.parametrize(
    ("record", "change", "reason"),
    [
        ("49,", lambda t: t.replace("49,60000", "49,60001"), "account control total 600.01"),
        ("49,", lambda t: t.replace(",6/\n98", ",7/\n98"), "account trailer counts 7 records"),
        ("98,", lambda t: t.replace("98,60000", "98,60100"), "group control total 601.00"),
        ("98,", lambda t: t.replace("98,60000,1", "98,60000,2"), "counts 2 accounts"),
        ("99,", lambda t: t.replace("99,60000", "99,59999"), "file control total 599.99"),
        ("99,", lambda t: t.replace("99,60000,1,10", "99,60000,1,11"), "counts 11 records"),
    ],
)
def test_a_broken_control_record_is_refused_naming_its_line(record, change, reason):
    text = change(bai2(ON, [("D1", ITEMS)]))
    error = refused(text)
    assert error.line == line_of(text, record)
    assert reason in error.reason


def test_items_that_do_not_add_up_to_their_deposit_refuse_the_file_on_the_115_line():
    text = bai2(ON, [("D1", ITEMS)], deposit_amounts={"D1": "201.00"})
    error = refused(text)
    assert error.line == line_of(text, "16,115")
    assert "lockbox deposit 201.00 does not match its 2 items, which add up to 200.00" in str(error)


def test_a_bad_record_is_refused_on_its_line():
    text = bai2(ON, [("D1", ITEMS)])
    garbled = text.replace("16,116,1611,", "16,116,16x1,")
    assert refused(garbled).line == line_of(text, "16,116,1611,")
    assert refused(text.replace("88,", "87,")).line == line_of(text, "88,")
    truncated = "\n".join(text.splitlines()[:-1])
    assert "before its 99 file trailer" in refused(truncated).reason


def test_an_item_without_a_deposit_and_a_non_positive_amount_are_refused():
    text = bai2(ON, [("D1", ITEMS)])
    no_deposit = text.replace("16,115,20000,Z,D1,,LOCKBOX DEPOSIT/", "16,195,20000,Z,W1,,WIRE/")
    assert "needs a 115 lockbox deposit" in refused(no_deposit).reason


# A lockbox file in the BAI2 specification's own sample's shape: an 03 record cut in the
# middle of a summary (type 190 at the end of the row, its amount on the 88), funds type S
# with a blank immediate amount, a 110 total above the one 115 it details.
SPEC_SHAPED = """01,122099999,123456789,040621,0200,1,65,,2/
02,031001234,122099999,1,040620,2359,,2/
03,9876543210,,010,-500000,,,100,1000000,,,400,2000000,,,190/
88,500000,,,110,1000000,,,072,500000,,,074,500000,,,040/
88,-1500000,,/
16,115,500000,S,,200000,300000,,,LOCK BOX NO.68751/
49,4000000,5/
98,4000000,1,7/
99,4000000,1,9/
"""


def test_a_summary_cut_by_a_continuation_and_a_blank_availability_are_read():
    parsed = parse_bai2(SPEC_SHAPED)
    assert parsed.deposit_date == date(2004, 6, 20)
    assert [(d.line, d.amount, d.item_count) for d in parsed.deposits] == [(6, Money("5000.00"), 0)]


def test_a_total_lockbox_deposits_below_its_115s_is_refused():
    text = SPEC_SHAPED.replace("110,1000000", "110,400000").replace("49,4000000", "49,3400000")
    text = text.replace("98,4000000", "98,3400000").replace("99,4000000", "99,3400000")
    error = refused(text)
    assert (error.line, str(error)) == (
        3,
        "line 3: total lockbox deposits 4000.00 is less than the 115 deposits, which add up "
        "to 5000.00",
    )


def test_a_balance_report_is_refused_not_imported_as_zero_items():
    text = """01,122099999,123456789,040621,0200,1,65,,2/
02,031001234,122099999,1,040620,2359,,2/
03,9876543210,USD,010,500000,,,015,700000,,/
16,175,200000,0,,,CHECK DEPOSIT/
49,1400000,3/
98,1400000,1,5/
99,1400000,1,7/
"""
    assert str(refused(text)) == (
        "line 1: the file holds no lockbox records (no 115 deposit, 116 item or 110 total "
        "lockbox deposits): a balance report, not a lockbox file; nothing imported"
    )
