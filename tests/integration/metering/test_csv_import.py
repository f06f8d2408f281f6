"""CSV register and interval imports: idempotent, bad rows reported by line, bad files refused."""

from datetime import UTC, date, datetime

import pytest

from coopcis.apps.metering.importers import ImportFormatError, import_reads
from coopcis.apps.metering.models import IntervalBlock, ReadImportBatch, RegisterRead
from coopcis.apps.metering.services import remove_meter
from tests.integration.metering.conftest import install

pytestmark = pytest.mark.django_db

REGISTER_CSV = """meter_serial,read_on,register_kwh,demand_kw,power_factor
R100,2025-01-05,12345.6785,4.25,0.91
R100,2025-02-05,12945.000,,
R200,2025-02-05,800,,
"""


def test_register_reads_stored_once(write):
    install("R100")
    install("R200")
    path = write("reads.csv", REGISTER_CSV)
    # when
    first = import_reads(path=path)
    second = import_reads(path=path)
    # then
    assert (first.format, first.rows_read, first.rows_stored, first.skipped) == (
        "CSV_REGISTER",
        3,
        3,
        [],
    )
    read = RegisterRead.objects.get(meter__serial="R100", read_on=date(2025, 1, 5))
    assert read.register_wh == 12_345_679  # half up to the Wh
    assert str(read.demand_kw) == "4.250" and str(read.power_factor) == "0.9100"
    assert read.source == "CSV" and read.import_batch_id == first.batch_id
    assert second.already_imported and second.batch_id == first.batch_id
    assert RegisterRead.objects.count() == 3 and ReadImportBatch.objects.count() == 1


def test_same_reads_in_another_file_change_nothing(write):
    install("R100")
    install("R200")
    import_reads(path=write("a.csv", REGISTER_CSV))
    again = import_reads(path=write("b.csv", REGISTER_CSV + "\n"))
    assert again.rows_stored == 0
    assert [row.reason for row in again.skipped] == [
        "read on 2025-01-05 already stored",
        "read on 2025-02-05 already stored",
        "read on 2025-02-05 already stored",
    ]
    assert RegisterRead.objects.count() == 3


def test_bad_rows_skipped_with_line_and_meter_rest_kept(write):
    install("R100", on=date(2024, 6, 1))
    removed = install("R300", on=date(2024, 1, 1))
    remove_meter(meter=removed, removed_on=date(2024, 12, 1))
    path = write(
        "mixed.csv",
        "meter_serial,read_on,register_kwh\n"
        "R100,2024-07-05,100\n"  # 2 ok
        "NOPE,2024-07-05,100\n"  # 3 unknown meter
        "R100,2024-05-05,90\n"  # 4 before install
        "R300,2024-12-01,500\n"  # 5 removal-day final read: ok
        "R300,2024-12-05,510\n"  # 6 after removal
        "R100,2024-07-05,101\n"  # 7 duplicate of line 2
        "R100,2024-08-05,abc\n"  # 8 not a number
        "R100,2024-08-05x,1\n"  # 9 bad date
        "R100,2024-09-05,1000000\n"  # 10 more than 6 dials
        "R100,2024-08-05,200\n",  # 11 ok
    )
    report = import_reads(path=path)
    skipped = [(row.line, row.meter, row.reason) for row in report.skipped]
    assert skipped == [
        (3, "NOPE", "unknown meter 'NOPE'"),
        (4, "R100", "2024-05-05 is before meter R100 was installed (2024-06-01)"),
        (6, "R300", "2024-12-05 is after meter R300 was removed (2024-12-01)"),
        (7, "R100", "duplicate read for 2024-07-05 (first on line 2)"),
        (8, "R100", "register_kwh 'abc' is not a number"),
        (9, "R100", "read_on '2024-08-05x' is not a date (YYYY-MM-DD)"),
        (10, "R100", "register 1,000,000.0 kWh does not fit on 6 dials"),
    ]
    assert report.rows_read == 10 and report.rows_stored == 3
    stored = sorted(RegisterRead.objects.values_list("meter__serial", "read_on", "register_wh"))
    assert stored == [
        ("R100", date(2024, 7, 5), 100_000),
        ("R100", date(2024, 8, 5), 200_000),
        ("R300", date(2024, 12, 1), 500_000),
    ]
    batch = ReadImportBatch.objects.get()
    assert batch.rows_skipped == 7 and batch.skipped[0] == {
        "line": 3,
        "meter": "NOPE",
        "reason": "unknown meter 'NOPE'",
    }


@pytest.mark.parametrize(
    ("content", "fmt", "message"),
    [
        ("", "CSV_REGISTER", "empty file"),
        (
            "serial,date,kwh\nR100,2025-01-05,1\n",
            "CSV_REGISTER",
            "missing header column(s) meter_serial, read_on, register_kwh",
        ),
        (b"PK\x03\x04\x00\x00binary", "CSV_REGISTER", "not a CSV file"),
        (
            b"meter_serial,read_on,register_kwh\nR100,2025-01-05,\xff\xfe\n",
            "CSV_REGISTER",
            "line 2 is not UTF-8",
        ),
        ("<feed xmlns='http://www.w3.org/2005/Atom'/>", "CSV_INTERVAL", "missing header column(s)"),
        ("meter_serial,start,kwh\n", "ESPI", "not XML"),
    ],
)
def test_malformed_file_refused_with_nothing_stored(write, content, fmt, message):
    install("R100")
    path = write("bad.dat", content)
    with pytest.raises(ImportFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_reads(path=path, format=fmt)
    assert RegisterRead.objects.count() == 0 and ReadImportBatch.objects.count() == 0


def _interval_csv(rows):
    return "meter_serial,start,kwh\n" + "".join(f"A100,{start},{kwh}\n" for start, kwh in rows)


def test_interval_duplicates_and_overlaps_reported_rest_stored(write):
    install("A100", kind="AMI_INTERVAL")
    path = write(
        "intervals.csv",
        _interval_csv(
            [
                ("2025-06-02T00:00:00-06:00", "0.5"),  # 2
                ("2025-06-02T00:15:00-06:00", "0.25"),  # 3
                ("2025-06-02T06:15:00Z", "9"),  # 4 the same instant as line 3
                ("2025-06-02T00:20:00-06:00", "1"),  # 5 inside line 3's interval
                ("2025-06-02T00:30:00", "1"),  # 6 no offset
                ("2025-06-02T00:30:00-06:00", "-1"),  # 7 negative
                ("2025-06-02T00:30:00-06:00", "0.125"),  # 8
            ]
        ),
    )
    report = import_reads(path=path)
    assert [(row.line, row.meter) for row in report.skipped] == [
        (4, "A100"),
        (5, "A100"),
        (6, "A100"),
        (7, "A100"),
    ]
    assert (
        "duplicates the interval at 2025-06-02T06:15:00+00:00 (line 3)" in report.skipped[0].reason
    )
    assert "overlaps" in report.skipped[1].reason and "(line 3)" in report.skipped[1].reason
    assert "no UTC offset" in report.skipped[2].reason
    assert "negative" in report.skipped[3].reason
    (block,) = IntervalBlock.objects.all()
    assert block.start_at == datetime(2025, 6, 2, 6, tzinfo=UTC)
    assert (block.interval_minutes, block.values()) == (15, [500, 250, 125])


def test_later_file_extends_the_day_block_and_stored_duplicates_are_refused(write):
    install("A100", kind="AMI_INTERVAL")
    import_reads(
        path=write(
            "a.csv", _interval_csv([("2025-06-02T06:00:00Z", "1"), ("2025-06-02T06:15:00Z", "2")])
        )
    )
    report = import_reads(
        path=write(
            "b.csv",
            _interval_csv(
                [
                    ("2025-06-02T06:15:00Z", "2"),  # already stored
                    ("2025-06-02T06:30:00Z", "3"),
                    ("2025-06-02T23:45:00Z", "4"),  # last of the UTC day
                    ("2025-06-03T00:00:00Z", "5"),  # next UTC day: its own block
                ]
            ),
        )
    )
    assert [(row.line, "stored data" in row.reason) for row in report.skipped] == [(2, True)]
    blocks = [
        (b.start_at.hour, b.start_at.minute, b.values())
        for b in IntervalBlock.objects.order_by("start_at")
    ]
    assert blocks == [(6, 0, [1000, 2000, 3000]), (23, 45, [4000]), (0, 0, [5000])]


def test_intervals_on_a_register_meter_or_before_install_are_refused(write):
    install("R100")
    install("A100", kind="AMI_INTERVAL", on=date(2025, 6, 2))
    report = import_reads(
        path=write(
            "c.csv",
            "meter_serial,start,kwh\nR100,2025-06-02T00:00:00-06:00,1\nA100,2025-06-01T23:45:00-06:00,1\n"
            "A100,2025-06-02T00:00:00-06:00,1\n",
        )
    )
    assert [(row.line, row.reason) for row in report.skipped] == [
        (2, "meter R100 is a register meter: it has no interval data"),
        (3, "2025-06-01 is before meter A100 was installed (2025-06-02)"),
    ]
    assert report.rows_stored == 1
