"""The lockbox CSV: read, control-checked, refused whole naming the line."""

from datetime import date
from decimal import Decimal

import pytest

from coopcis.core.billing.scan_line import make_scan_line
from coopcis.core.money import Money
from coopcis.core.payments.lockbox import LockboxFileError, match_remittance, parse_lockbox_csv
from tests.unit.lockbox.files import Row, line_of, lockbox_csv

ON = date(2026, 10, 15)
SCAN = make_scan_line(
    account_number="1000123", bill_number="202610-00000042", amount_due=Money("183.89")
)


def rows():
    return [
        Row("1", "1", SCAN, "183.89", "1042", "ANA GARCIA"),
        Row("1", "2", "", "20.00", "1043", "NO STUB"),
        Row("2", "1", SCAN, "50.00", "77"),
    ]


def refused(text: str) -> LockboxFileError:
    with pytest.raises(LockboxFileError) as caught:
        parse_lockbox_csv(text)
    return caught.value


def test_a_good_file_reads_every_item_and_its_batches():
    parsed = parse_lockbox_csv(lockbox_csv(ON, rows()))
    assert parsed.deposit_date == ON and parsed.total == Money("253.89")
    assert [(r.line, r.batch, r.item, r.amount) for r in parsed.remittances] == [
        (2, "1", "1", Money("183.89")),
        (3, "1", "2", Money("20.00")),
        (4, "2", "1", Money("50.00")),
    ]
    assert parsed.remittances[0].payer_name == "ANA GARCIA"
    assert [(d.reference, d.amount, d.item_count) for d in parsed.deposits] == [
        ("1", Money("203.89"), 2),
        ("2", Money("50.00"), 1),
    ]


def test_the_six_column_header_without_payer_name_is_accepted():
    text = "deposit_date,batch,item,scan_line,amount,check_number\n"
    text += f"{ON},1,1,{SCAN},10.00,5\nTOTAL,1,10.00\n"
    (only,) = parse_lockbox_csv(text).remittances
    assert only.amount == Money("10.00") and only.payer_name == ""


@pytest.mark.parametrize(
    ("count", "total", "message"),
    [
        (2, None, "control record says 2 items, the file has 3"),
        (None, "253.88", "control record says 253.88, the items add up to 253.89"),
    ],
)
def test_a_control_record_that_does_not_add_up_refuses_the_file_on_its_line(count, total, message):
    text = lockbox_csv(ON, rows(), count=count, total=total)
    error = refused(text)
    assert error.line == line_of(text, "TOTAL") == 5
    assert str(error) == f"line 5: {message}"


def test_a_missing_control_record_is_refused():
    text = lockbox_csv(ON, rows()).replace("TOTAL,3,253.89\n", "")
    error = refused(text)
    assert error.line == 5 and "TOTAL control record is missing" in error.reason


def test_nothing_may_follow_the_control_record():
    text = lockbox_csv(ON, rows()) + f"{ON},3,1,{SCAN},1.00,9,\n"
    assert refused(text).line == 6


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("0.00", "amount 0.00 must be more than zero"),
        ("-5.00", "amount -5.00 must be more than zero"),
        ("12.345", "amount: at most two decimals (whole cents): '12.345'"),
        ("1e3", "amount: write the amount in full, without an exponent: '1e3'"),
        ("١٢", "amount: use the digits 0-9: '١٢'"),
        ("1,000.00", "expected 7 fields, found 8"),
        ("abc", "amount: not an amount: 'abc'"),
    ],
)
def test_a_malformed_line_refuses_the_file_with_its_line_number(amount, reason):
    bad = rows()
    bad[1] = Row("1", "2", "", amount, "1043")
    text = lockbox_csv(ON, bad, total="1.00")  # the line is refused before the control
    error = refused(text)
    assert (error.line, error.reason) == (3, reason)


def test_bad_dates_repeated_items_and_mixed_days_are_refused_on_their_line():
    text = lockbox_csv(ON, rows()).replace(f"{ON},2,1", "2026-13-01,2,1")
    assert refused(text).line == 4 and "deposit date" in refused(text).reason
    repeated = rows()
    repeated[2] = Row("1", "1", SCAN, "50.00")
    assert "also on line 2" in refused(lockbox_csv(ON, repeated)).reason
    mixed = lockbox_csv(ON, rows()).replace(f"{ON},2,1", "2026-10-16,2,1")
    assert (refused(mixed).line, "one deposit date per file" in refused(mixed).reason) == (4, True)


def test_a_wrong_header_is_refused_on_line_1():
    assert refused("date,amount\n2026-10-15,1.00\nTOTAL,1,1.00\n").line == 1


def test_a_scan_line_names_the_account_and_the_bill():
    match = match_remittance(SCAN)
    assert (match.account_number, match.bill_number, match.how) == (
        "1000123",
        "202610-00000042",
        "scan line",
    )


def test_a_misread_scan_line_never_falls_back_to_its_digits():
    digits = SCAN.replace(" ", "")
    misread = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    assert match_remittance(misread).account_number is None
    assert match_remittance(misread).reason == "scan line check digit does not match"
    assert match_remittance(digits[:-2]).reason == "scan line has 35 digits, not 37"


@pytest.mark.parametrize(
    ("text", "account"),
    [
        ("ACCT 1000123", "1000123"),
        ("Account no. 1000123 Oct bill", "1000123"),
        ("PAYMENT FOR A/C #1000123", "1000123"),
        ("GARCIA ANA", None),
        ("", None),
        ("ACCT 1000123 AND ACCT 1000124", None),
    ],
)
def test_remitter_text_matches_only_a_labelled_account_number(text, account):
    assert match_remittance(text).account_number == account


def test_amounts_are_exact_decimals():
    parsed = parse_lockbox_csv(lockbox_csv(ON, [Row("1", "1", SCAN, "0.10")] * 1))
    assert parsed.total.amount == Decimal("0.10")
