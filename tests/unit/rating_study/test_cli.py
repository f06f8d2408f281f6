"""``coopcis rate study``: file reading, exit codes and the JSON shape."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from coopcis.commands.rate_study import main
from coopcis.core.periods import CO_OP_TIME_ZONE

FIRST = datetime(2025, 2, 28, 12, tzinfo=CO_OP_TIME_ZONE)
HOURS = 48  # Feb 28 noon to Mar 2 noon: two local months


def _rows():
    rows = []
    for meter in ("A-1", "B-2"):
        for hour in range(HOURS):
            kwh = Decimal(hour % 7) + Decimal("0.125") + (Decimal(1) if meter == "B-2" else 0)
            rows.append((meter, FIRST + timedelta(hours=hour), kwh))
    return rows


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "intervals.csv"
    lines = ["meter_id,start,kwh"] + [f"{m},{s.isoformat()},{k}" for m, s, k in _rows()]
    path.write_text("\n".join(lines) + "\n")
    return path


def _expected_bills():
    # ocec-res: $30.00 + kWh x 0.1371, each month rounded half up
    totals: dict[tuple[str, str], Decimal] = {}
    for meter, start, kwh in _rows():
        key = (meter, start.strftime("%Y-%m"))
        totals[key] = totals.get(key, Decimal(0)) + kwh
    return {
        key: str(
            (Decimal("30.00") + kwh * Decimal("0.1371")).quantize(Decimal("0.01"), "ROUND_HALF_UP")
        )
        for key, kwh in totals.items()
    }


def test_json_bills_every_meter_month(csv_file, capsys):
    # when
    code = main(["ocec-res", "--intervals", str(csv_file), "--json"])
    # then
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["tariff"] == "ocec-res"
    assert {(b["meter_id"], b["month"]): b["total"] for b in out["bills"]} == _expected_bills()
    assert set(out["bills"][0]) == {"meter_id", "month", "total"}
    summary = out["summary"]
    assert summary["bills"] == 4 and summary["meters"] == 2
    revenue = sum(Decimal(t) for t in _expected_bills().values())
    assert Decimal(summary["revenue"]) == revenue
    assert set(summary["revenue_by_month"]) == {"2025-02", "2025-03"}


@pytest.mark.parametrize("layout", ["wh-int32", "kwh-decimal", "kwh-decimal-scale2"])
def test_parquet_layouts_give_the_csv_result(tmp_path, capsys, layout):
    # given the same data as Parquet
    rows = _rows()
    if layout == "kwh-decimal-scale2":  # whole-cent kWh only: 0.125 -> 0.13 would change data
        rows = [(m, s, kwh.quantize(Decimal("0.01"))) for m, s, kwh in rows]
    columns = {
        "meter_id": pa.array([m for m, _, _ in rows]),
        "start": pa.array([s for _, s, _ in rows], pa.timestamp("us", tz="America/Denver")),
    }
    if layout == "wh-int32":
        columns["wh"] = pa.array([int(k * 1000) for _, _, k in rows], pa.int32())
    else:
        scale = 2 if layout == "kwh-decimal-scale2" else 3
        columns["kwh"] = pa.array([k for _, _, k in rows], pa.decimal128(12, scale))
    path = tmp_path / "intervals.parquet"
    pq.write_table(pa.table(columns), path, row_group_size=30)
    csv_path = tmp_path / "same.csv"
    csv_path.write_text(
        "meter_id,start,kwh\n" + "".join(f"{m},{s.isoformat()},{k}\n" for m, s, k in rows)
    )
    # when
    assert main(["ocec-res-tou", "--intervals", str(path), "--json"]) == 0
    from_parquet = json.loads(capsys.readouterr().out)
    assert main(["ocec-res-tou", "--intervals", str(csv_path), "--json"]) == 0
    from_csv = json.loads(capsys.readouterr().out)
    # then
    assert from_parquet == from_csv
    assert len(from_parquet["bills"]) == 4


def test_summary_table(csv_file, capsys):
    assert main(["ocec-res", "--intervals", str(csv_file)]) == 0
    out = capsys.readouterr().out
    assert "2025-02" in out and "2025-03" in out and "p50" in out


def test_unknown_code_exits_2_listing_valid_codes(csv_file, capsys):
    assert main(["no-such-rate", "--intervals", str(csv_file)]) == 2
    err = capsys.readouterr().err
    assert "unknown tariff 'no-such-rate'" in err and "ocec-res" in err
    assert len(err.strip().splitlines()) == 1


def test_malformed_csv_row_names_the_line(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(
        "meter_id,start,kwh\nA,2025-05-01T00:00:00-06:00,1.5\nA,2025-05-01T01:00:00-06:00,1.5kWh\n"
    )
    assert main(["ocec-res", "--intervals", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 3" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_start_without_offset_is_refused(tmp_path, capsys):
    path = tmp_path / "naive.csv"
    path.write_text("meter_id,start,kwh\nA,2025-05-01T00:00:00,1\n")
    assert main(["ocec-res", "--intervals", str(path)]) == 2
    assert "line 2" in capsys.readouterr().err


def test_gap_in_data_is_one_line_naming_the_meter(tmp_path, capsys):
    path = tmp_path / "gap.csv"
    path.write_text(
        "meter_id,start,kwh\n"
        "Z9,2025-05-01T00:00:00-06:00,1\n"
        "Z9,2025-05-01T01:00:00-06:00,1\n"
        "Z9,2025-05-01T03:00:00-06:00,1\n"
    )
    assert main(["ocec-res", "--intervals", str(path)]) == 2
    err = capsys.readouterr().err
    assert "meter Z9" in err and "gap" in err


def _float_table(rows, kwh_values):
    """The shape pandas and polars write: large_string ids, timestamp[us, UTC], float64."""
    return pa.table(
        {
            "meter_id": pa.array([m for m, _, _ in rows], pa.large_string()),
            "start": pa.array([s for _, s, _ in rows], pa.timestamp("us", tz="UTC")),
            "kwh": pa.array(kwh_values, pa.float64()),
        }
    )


@pytest.mark.parametrize("row_group_size", [30, 1000])
def test_float_kwh_parquet_gives_the_csv_bills(tmp_path, capsys, csv_file, row_group_size):
    # given the CSV's data as float kWh (zstd, row groups that split meters)
    rows = _rows()
    path = tmp_path / "float.parquet"
    table = _float_table(rows, [float(k) + 0.001 * (i % 3) for i, (_, _, k) in enumerate(rows)])
    pq.write_table(table, path, compression="zstd", row_group_size=row_group_size)
    same = tmp_path / "same.csv"
    same.write_text(
        "meter_id,start,kwh\n"
        + "".join(
            f"{m},{s.isoformat()},{k + Decimal('0.001') * (i % 3)}\n"
            for i, (m, s, k) in enumerate(rows)
        )
    )
    # when
    assert main(["ocec-res-tou", "--intervals", str(path), "--json"]) == 0
    from_float = json.loads(capsys.readouterr().out)
    assert main(["ocec-res-tou", "--intervals", str(same), "--json"]) == 0
    from_csv = json.loads(capsys.readouterr().out)
    # then: 0.126 kWh and the like are whole Wh (the float nearest to them)
    assert from_float["bills"] == from_csv["bills"]
    assert from_float["summary"]["energy_not_whole_wh"] == 0
    assert from_float["summary"]["energy_rounding"] == "half-even"


def test_float_kwh_finer_than_a_wh_is_rounded_half_even_and_counted(tmp_path, capsys):
    # given one meter's 48 hours: 45 of 1.000 kWh, and 2.5, 3.5 and 0.4 Wh
    rows = [("A-1", FIRST + timedelta(hours=hour), None) for hour in range(HOURS)]
    kwh = [1.0] * (HOURS - 3) + [0.0025, 0.0035, 0.0004]
    path = tmp_path / "fine.parquet"
    pq.write_table(_float_table(rows, kwh), path)
    # when
    assert main(["ocec-res", "--intervals", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # then 2.5 -> 2, 3.5 -> 4, 0.4 -> 0 Wh: 6 Wh besides the 45 kWh, none dropped
    assert out["summary"]["energy_not_whole_wh"] == 3
    month_kwh = {"2025-02": Decimal(12), "2025-03": Decimal(33) + Decimal("0.006")}
    expected = {
        month: str(
            (Decimal("30.00") + k * Decimal("0.1371")).quantize(Decimal("0.01"), "ROUND_HALF_UP")
        )
        for month, k in month_kwh.items()
    }
    assert {b["month"]: b["total"] for b in out["bills"]} == expected
    assert main(["ocec-res", "--intervals", str(path)]) == 0
    text = capsys.readouterr().out
    assert "Energy: 3 values were not whole Wh; each was rounded half-even to the Wh." in text


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 1e13])
def test_float_kwh_that_is_no_number_of_wh_is_refused(tmp_path, capsys, bad):
    rows = [("A-1", FIRST + timedelta(hours=hour), None) for hour in range(3)]
    path = tmp_path / "bad.parquet"
    pq.write_table(_float_table(rows, [1.0, bad, 1.0]), path)
    assert main(["ocec-res", "--intervals", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"kwh value {bad!r} is not a number of Wh the study takes" in err
    assert len(err.strip().splitlines()) == 1


def test_a_string_energy_column_is_refused(tmp_path, capsys):
    rows = [("A-1", FIRST, None)]
    table = _float_table(rows, [1.0]).set_column(2, "kwh", pa.array(["1.0"]))
    path = tmp_path / "text.parquet"
    pq.write_table(table, path)
    assert main(["ocec-res", "--intervals", str(path)]) == 2
    assert "use decimal128, integer or float kwh" in capsys.readouterr().err


def test_missing_file(tmp_path, capsys):
    assert main(["ocec-res", "--intervals", str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize("row_group_size", [5, 1000])
def test_float_kwh_beyond_int32_wh_is_studied_whole_and_counted_once(
    tmp_path, capsys, row_group_size
):
    # given float kWh read as int32 Wh where it fits: a 3,000,000 kWh hour (3e9 Wh,
    # past int32) after two values that are not whole Wh, in the same batch
    rows = [("A-1", FIRST + timedelta(hours=hour), None) for hour in range(HOURS)]
    kwh = [0.0025, 0.0035] + [1.0] * (HOURS - 3) + [3_000_000.0]
    path = tmp_path / "wide.parquet"
    pq.write_table(_float_table(rows, kwh), path, row_group_size=row_group_size)
    # when
    assert main(["ocec-res", "--intervals", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # then every Wh is billed (int64 for that batch) and each fraction counted once
    assert out["summary"]["energy_not_whole_wh"] == 2
    month_kwh = {"2025-02": Decimal("0.006") + Decimal(10), "2025-03": Decimal(35) + 3_000_000}
    expected = {
        month: str(
            (Decimal("30.00") + k * Decimal("0.1371")).quantize(Decimal("0.01"), "ROUND_HALF_UP")
        )
        for month, k in month_kwh.items()
    }
    assert {b["month"]: b["total"] for b in out["bills"]} == expected
