"""NACHA writer and reader: record layout, control totals by hand, padding, traces, errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest
from achlens.core import validate

from coopcis.core.money import Money
from coopcis.core.payments.nacha import (
    AchError,
    AchFile,
    Batch,
    BatchHeader,
    ChangeAddenda,
    Entry,
    FileHeader,
    ReturnAddenda,
    aba_check_digit,
    is_routing_number,
    read_ach_file,
    return_reason,
    to_cents,
    trace_number,
    write_ach_file,
)
from tests.unit.nacha.achlens_check import assert_achlens_valid

ODFI = "10200002"
HEADER = FileHeader(
    immediate_destination="102000021",
    immediate_origin="1850123456",
    destination_name="FIRST NATIONAL BANK",
    origin_name="OTERO COUNTY ELECTRIC",
    created_on=date(2026, 11, 2),
    created_time=time(14, 5),
    file_id_modifier="A",
)
BATCH = BatchHeader(
    company_name="OTERO CO ELEC",
    company_identification="1850123456",
    entry_description="ELEC BILL",
    effective_on=date(2026, 11, 3),
    originating_dfi=ODFI,
)


def entry(sequence: int, *, code: int = 27, routing: str = "021000021", cents: int = 100) -> Entry:
    return Entry(
        transaction_code=code,
        routing_number=routing,
        account_number=f"{4400 + sequence}",
        amount_cents=cents,
        individual_id=f"{1000000 + sequence}",
        individual_name=f"MEMBER {sequence}",
        trace_number=trace_number(ODFI, sequence),
    )


def ach(*entries: Entry) -> AchFile:
    return AchFile(HEADER, (Batch(BATCH, entries),))


THREE = ach(
    entry(1, routing="011000015", cents=18389),  # 01100001
    entry(2, code=37, routing="021000021", cents=4250),  # 02100002, savings
    entry(3, code=28, routing="102000021", cents=0),  # 10200002, prenote
)


def test_round_trip_gives_back_the_same_file_and_achlens_agrees():
    text = write_ach_file(THREE)
    assert read_ach_file(text) == THREE
    assert_achlens_valid(text)


def test_every_record_is_94_characters_and_ends_in_a_newline():
    text = write_ach_file(THREE)
    assert text.endswith("\n")
    assert {len(line) for line in text.splitlines()} == {94}


def test_entry_hash_and_totals_by_hand_for_three_entries():
    lines = write_ach_file(THREE).splitlines()
    # 01100001 + 02100002 + 10200002 = 13400005; debits 183.89 + 42.50 (+ a zero prenote)
    batch_control = lines[5]
    assert batch_control[0:4] == "8225"
    assert batch_control[4:10] == "000003"  # entries + addenda
    assert batch_control[10:20] == "0013400005"
    assert batch_control[20:32] == "000000022639"  # 18389 + 4250 cents
    assert batch_control[32:44] == "000000000000"
    assert batch_control[44:54] == "1850123456"
    assert batch_control[79:94] == f"{ODFI}0000001"
    file_control = lines[6]
    assert file_control[:31] == "9000001000001000000030013400005"
    assert file_control[31:55] == "000000022639000000000000"
    assert file_control[55:] == " " * 39
    # the entry itself: code, routing split into 8 digits + check digit, cents, name
    first = lines[2]
    assert first[1:3] == "27" and first[3:11] == "01100001" and first[11] == "5"
    assert first[29:39] == "0000018389" and first[54:76] == "MEMBER 1".ljust(22)
    assert first[79:] == "102000020000001"


@pytest.mark.parametrize(
    ("entry_count", "records", "padding", "blocks"),
    [(1, 5, 5, 1), (5, 9, 1, 1), (6, 10, 0, 1), (7, 11, 9, 2), (16, 20, 0, 2), (17, 21, 9, 3)],
)
def test_block_count_and_padding_with_nines(entry_count, records, padding, blocks):
    text = write_ach_file(ach(*(entry(n) for n in range(1, entry_count + 1))))
    lines = text.splitlines()
    assert len(lines) == records + padding == blocks * 10
    assert lines[records:] == ["9" * 94] * padding
    assert lines[records - 1][7:13] == f"{blocks:06d}"
    assert_achlens_valid(text)


def test_trace_numbers_must_be_unique_in_the_file():
    twice = ach(entry(1), replace(entry(2), trace_number=trace_number(ODFI, 1)))
    with pytest.raises(AchError, match="used twice"):
        write_ach_file(twice)
    text = write_ach_file(ach(entry(1), entry(2))).replace(
        f"{ODFI}0000002\n", f"{ODFI}0000001\n", 1
    )
    with pytest.raises(AchError) as error:
        read_ach_file(text)
    assert error.value.line == 4 and "repeats line 3" in str(error.value)


def test_amounts_are_whole_cents_from_money_never_a_float():
    assert to_cents(Money.of("183.89")) == 18389
    assert to_cents(Money.of("0.10")) * 3 == 30
    with pytest.raises(AchError):
        to_cents(Money.of("1.005"))
    with pytest.raises(AchError):
        to_cents(Money.of("-1.00"))


def test_routing_check_digit():
    assert aba_check_digit("01100001") == 5 and is_routing_number("011000015")
    assert not is_routing_number("011000016") and not is_routing_number("01100001")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"routing_number": "011000016"}, "check digit"),
        ({"transaction_code": 22}, "credit"),
        ({"transaction_code": 28}, "prenote"),
        ({"amount_cents": 10**10}, "does not fit"),
        ({"account_number": ""}, "account number"),
    ],
)
def test_writer_refuses_bad_entries(change, message):
    with pytest.raises(AchError, match=message):
        write_ach_file(ach(replace(entry(1), **change)))


def _break(text: str, line: int, start: int, new: str) -> str:
    lines = text.splitlines()
    record = lines[line - 1]
    lines[line - 1] = record[:start] + new + record[start + len(new) :]
    return "\n".join(lines) + "\n"


def test_reader_names_the_line_of_a_short_record():
    lines = write_ach_file(THREE).splitlines()
    lines[3] = lines[3][:80]
    with pytest.raises(AchError) as error:
        read_ach_file("\n".join(lines))
    assert error.value.line == 4 and "80 characters, not 94" in str(error.value)


def test_reader_refuses_a_broken_batch_control():
    text = _break(write_ach_file(THREE), 6, 20, "000000022640")  # a cent more debit
    with pytest.raises(AchError) as error:
        read_ach_file(text)
    assert str(error.value) == (
        "line 6: batch control total debit (cents) is 22640 but the records add up to 22639"
    )
    assert not validate(text).valid  # achlens agrees the file is broken


def test_reader_refuses_a_wrong_file_entry_hash():
    text = _break(write_ach_file(THREE), 7, 21, "0013400006")
    with pytest.raises(AchError) as error:
        read_ach_file(text)
    assert error.value.line == 7 and "file control entry hash is 13400006" in str(error.value)


@pytest.mark.parametrize(
    ("mangle", "line", "message"),
    [
        (lambda ls: [ls[0], ls[2], *ls[1:2], *ls[3:]], 2, "entry outside a batch"),
        (lambda ls: ls[:6] + ["9" * 94] * 4, 7, "padding .* before the file control"),
        (lambda ls: ls[:6], 6, "no file control"),
        (lambda ls: ls[:9], 9, "not a whole number of blocks"),
        (lambda ls: [*ls[:7], "8" + ls[7][1:], *ls[8:]], 8, "only lines of 9s"),
        (lambda ls: [*ls[:2], "4" + ls[2][1:], *ls[3:]], 3, "record type '4' is out of place"),
        (lambda ls: [*ls[:2], ls[5], *ls[6:]], 3, "batch 1 has no entries"),
        (lambda ls: [ls[0].replace("094101", "094201"), *ls[1:]], 1, "blocking factor"),
        (lambda ls: [ls[1], *ls[1:]], 1, "must begin with a file header"),
    ],
)
def test_reader_refuses_records_out_of_order(mangle, line, message):
    lines = mangle(write_ach_file(THREE).splitlines())
    with pytest.raises(AchError, match=message) as error:
        read_ach_file("\n".join(lines) + "\n")
    assert error.value.line == line


def test_reader_refuses_an_empty_file():
    with pytest.raises(AchError, match="empty"):
        read_ach_file("\n\n")


def returned(sequence: int, original: int, code: str, **addenda) -> Entry:
    return replace(
        entry(sequence, code=26, routing="102000021", cents=18389),
        trace_number=trace_number("09100001", sequence),
        addenda=(
            ReturnAddenda(
                return_reason_code=code,
                original_trace_number=trace_number(ODFI, original),
                original_receiving_dfi="01100001",
                **addenda,
            ),
        ),
    )


def test_return_addenda_round_trip_and_fixed_positions():
    returns = AchFile(
        replace(HEADER, immediate_destination="102000021"),
        (
            Batch(
                replace(BATCH, service_class_code=200, originating_dfi="09100001"),
                (
                    returned(1, 7, "R01", information="NSF"),
                    returned(2, 8, "R15", date_of_death=date(2026, 10, 28)),
                ),
            ),
        ),
    )
    text = write_ach_file(returns)
    parsed = read_ach_file(text)
    assert parsed == returns
    first, second = parsed.entries
    assert first.return_addenda == ReturnAddenda("R01", f"{ODFI}0000007", "01100001", None, "NSF")
    assert second.return_addenda.date_of_death == date(2026, 10, 28)
    assert first.addenda and first.line == 3 and second.line == 5
    # positions per the NACHA layout, written out by hand
    addenda = text.splitlines()[3]
    assert addenda == (
        "799R01" + f"{ODFI}0000007" + " " * 6 + "01100001" + "NSF".ljust(44) + "091000010000001"
    )
    # achlens reads the same fields (its addenda rules find nothing wrong)
    # (AD001 is left out: achlens expects addenda 99 only in batches coded RET, while
    # banks return entries in the original PPD batch)
    report = validate(text, rule_ids={"AD002", "AD003", "AD004", "AD005", "AD006"})
    assert report.findings == []
    # entry hash counts the 8-digit receiving DFI of each return: 10200002 * 2
    assert text.splitlines()[6][10:20] == "0020400004"


def test_a_hand_written_return_entry_is_read():
    lines = write_ach_file(
        AchFile(HEADER, (Batch(replace(BATCH, service_class_code=200), (returned(1, 4, "R03"),)),))
    ).splitlines()
    lines[3] = (
        "799R03"
        + "102000020000004"
        + "261030"
        + "02100002"
        + "NO ACCOUNT".ljust(44)
        + lines[2][79:]
    )
    parsed = read_ach_file("\n".join(lines))
    (entry_,) = parsed.entries
    assert entry_.return_addenda == ReturnAddenda(
        "R03", "102000020000004", "02100002", date(2026, 10, 30), "NO ACCOUNT"
    )
    assert entry_.amount_cents == 18389 and entry_.is_debit


def test_notification_of_change_is_read_but_is_no_return():
    noc = replace(
        entry(1, code=26, cents=0),
        addenda=(ChangeAddenda("C01", trace_number(ODFI, 3), "02100002", "987654321"),),
    )
    parsed = read_ach_file(
        write_ach_file(AchFile(HEADER, (Batch(replace(BATCH, service_class_code=200), (noc,)),)))
    )
    assert parsed.entries[0].return_addenda is None
    assert parsed.entries[0].addenda[0].corrected_data == "987654321"


def test_an_entry_announcing_addenda_must_have_one():
    lines = write_ach_file(THREE).splitlines()
    lines[2] = lines[2][:78] + "1" + lines[2][79:]
    with pytest.raises(AchError, match="announces addenda") as error:
        read_ach_file("\n".join(lines))
    assert error.value.line == 4


def test_return_reasons_say_who_pays_and_whether_drafting_stops():
    insufficient, unauthorized = return_reason("R01"), return_reason("R10")
    assert insufficient.charges_fee and not insufficient.ends_mandate
    assert not unauthorized.charges_fee and unauthorized.ends_mandate
    assert return_reason("R02").ends_mandate and return_reason("R02").charges_fee
    unknown = return_reason("R99")
    assert not unknown.charges_fee and not unknown.ends_mandate
