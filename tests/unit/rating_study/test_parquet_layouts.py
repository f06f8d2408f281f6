"""The batch-by-batch Parquet study (in place or through Arrow) equals the whole-file one.

``study_file`` reads the recommended layout in place and any other file with Arrow,
a batch of row groups at a time; ``read_intervals`` + ``rate_study`` is the
reference (every row in one array). Both must give the same bills and refuse the
same defects with the same message.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from coopcis.catalog.tariffs import load_tariff
from coopcis.commands import rate_study
from coopcis.commands.rate_study import (
    InputError,
    read_intervals,
    study_file,
    study_json,
)
from coopcis.core.periods import CO_OP_TIME_ZONE
from coopcis.core.rating.study import StudyDataError
from coopcis.core.rating.study import rate_study as whole_study

# Around the end of February and the March 9 DST change, hourly and 15-minute meters.
FIRST = datetime(2025, 2, 27, 22, tzinfo=CO_OP_TIME_ZONE)
METERS = [("A-1", 60, 300), ("B-2", 15, 900), ("C-3", 60, 12), ("D-4", 15, 2000)]

RECOMMENDED = {
    "compression": "none",
    "use_dictionary": ["meter_id"],
    "column_encoding": {"start": "PLAIN", "wh": "PLAIN"},
    "max_rows_per_page": 1 << 20,
    "data_page_size": 1 << 30,
}
# Delta-encoded starts: Arrow decodes them (batch by batch) and the study checks them.
DELTA = {**RECOMMENDED, "column_encoding": {"start": "DELTA_BINARY_PACKED", "wh": "PLAIN"}}
# (writer options, nullable columns, row groups: "pairs" of whole meters, one per
# "meter", or a row count that splits meters across row groups)
LAYOUTS = {
    "recommended": ({**RECOMMENDED}, False, "pairs"),
    "recommended-one-meter-groups": ({**RECOMMENDED}, False, "meter"),
    "recommended-split-meters": ({**RECOMMENDED}, False, 97),
    "nullable-small-pages": (
        {**RECOMMENDED, "max_rows_per_page": 50, "data_page_size": 64},
        True,
        "pairs",
    ),
    "nullable-page-v2": ({**RECOMMENDED, "data_page_version": "2.0"}, True, "pairs"),
    "delta-one-meter-groups": ({**DELTA}, False, "meter"),
    "delta-pairs-small-pages": ({**DELTA, "max_rows_per_page": 100}, True, "pairs"),
    "arrow-default": ({}, True, "pairs"),
    "arrow-default-split-meters": ({}, True, 700),
    "snappy-one-meter-groups": ({"compression": "snappy"}, True, "meter"),
    # what polars and pandas write: zstd, dictionary pages, row groups splitting meters
    "zstd-split-meters": ({"compression": "zstd"}, True, 700),
    "zstd-split-meters-small-groups": ({"compression": "zstd"}, True, 97),
}


def _rows(meters=METERS):
    rng = np.random.default_rng(7)
    rows = []
    for meter, minutes, count in meters:
        first = FIRST.astimezone(UTC)
        for index, wh in enumerate(rng.integers(0, 5_000, size=count).tolist()):
            rows.append((meter, first + timedelta(minutes=minutes * index), wh))
    return rows


def _write(path, rows, layout="recommended", *, unit="ms", wh_type=None, ids=None):
    options, nullable, group_rows = LAYOUTS[layout]
    wh_type = wh_type or pa.int32()
    id_type = pa.string() if ids is None else pa.int64()
    schema = pa.schema(
        [
            pa.field("meter_id", id_type, nullable=nullable),
            pa.field("start", pa.timestamp(unit, tz="UTC"), nullable=nullable),
            pa.field("wh", wh_type, nullable=nullable),
        ]
    )
    meter_ids = [m if ids is None else ids[m] for m, _, _ in rows]
    table = pa.table(
        {
            "meter_id": pa.array(meter_ids, id_type),
            "start": pa.array([s for _, s, _ in rows], pa.timestamp(unit, tz="UTC")),
            "wh": pa.array([w for _, _, w in rows], wh_type),
        },
        schema=schema,
    )
    with pq.ParquetWriter(path, schema, **options) as out:
        if isinstance(group_rows, int):
            out.write_table(table, row_group_size=group_rows)
            return path
        names = table.column("meter_id").to_pylist()
        heads = [row for row in range(len(names)) if row == 0 or names[row] != names[row - 1]]
        heads = [*heads[:: 2 if group_rows == "pairs" else 1], len(names)]
        for low, high in itertools.pairwise(heads):
            out.write_table(table.slice(low, high - low), row_group_size=high - low)
    return path


def _outcome(run):
    try:
        return study_json("x", run())
    except (StudyDataError, InputError) as error:
        return f"{type(error).__name__}: {error}"


def _both(path, code="ocec-res-tou", **options):
    tariff = load_tariff(code)
    batched = _outcome(lambda: study_file(path, tariff=tariff, **options))
    whole = _outcome(lambda: whole_study(read_intervals(path), tariff=tariff, **options))
    return batched, whole


def _any_outcome(run):
    """The JSON, or the name of any error (Arrow's own errors are fine, if both ways
    agree)."""
    try:
        return study_json("x", run())
    except Exception as error:
        return type(error).__name__


def _tallied_whole(path, tariff, outcome=_outcome):
    """The whole-file study's outcome, with its count of values not whole Wh."""
    tally = rate_study._Tally()
    return outcome(
        lambda: rate_study._with_tally(
            whole_study(read_intervals(path, tally), tariff=tariff), tally
        )
    )


@pytest.fixture
def no_arrow(monkeypatch):
    """Fail if the study decodes with Arrow or reads the whole file (it should read
    in place, batch by batch)."""

    def refuse(path, *args):
        raise AssertionError(f"{path} was decoded by Arrow")

    monkeypatch.setattr(rate_study, "_ArrowGroups", refuse)
    monkeypatch.setattr(rate_study, "read_parquet", refuse)


@pytest.fixture(params=[1 << 20, 64])
def batch_rows(request, monkeypatch):
    """Big batches, and batches so small that meters span several."""
    monkeypatch.setattr(rate_study, "BATCH_ROWS", request.param)
    return request.param


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("code", ["ocec-res", "ocec-res-tou", "ocec-gs-tou"])
def test_every_layout_gives_the_whole_file_bills(tmp_path, layout, code, batch_rows):
    path = _write(tmp_path / "data.parquet", _rows(), layout)
    batched, whole = _both(path, code)
    assert batched == whole
    assert batched.startswith("{")


@pytest.mark.parametrize("layout", ["zstd-split-meters", "zstd-split-meters-small-groups"])
def test_meters_split_across_row_groups_are_joined_batch_by_batch(
    tmp_path, layout, batch_rows, monkeypatch
):
    # given a file whose row groups cut meters (polars' and pandas' default writers)
    path = _write(tmp_path / "data.parquet", _rows(), layout)
    whole_reads = []
    read_parquet = rate_study.read_parquet
    monkeypatch.setattr(
        rate_study,
        "read_parquet",
        lambda path, *rest: whole_reads.append(path) or read_parquet(path, *rest),
    )
    # when
    batched = _outcome(lambda: study_file(path, tariff=load_tariff("ocec-gs-tou")))
    # then: the whole file's bills, meters in file order, without reading it whole
    assert not whole_reads
    whole = _outcome(lambda: whole_study(read_intervals(path), tariff=load_tariff("ocec-gs-tou")))
    assert batched == whole and batched.startswith("{")


def test_text_ids_of_compressed_row_groups_are_read_from_their_index_runs(tmp_path):
    path = _write(tmp_path / "data.parquet", _rows(), "zstd-split-meters")
    groups = rate_study._ArrowGroups(path, rate_study._Tally())
    names, heads = groups._id_runs(0, len(groups.sizes))
    assert names == ["A-1", "B-2", "C-3", "D-4"]
    assert heads == [0, 300, 1200, 1212]


def test_the_recommended_layout_is_read_in_place(tmp_path, no_arrow):
    path = _write(tmp_path / "data.parquet", _rows())
    tariff = load_tariff("ocec-gs-tou")
    result = study_file(path, tariff=tariff)
    assert len(result.determinants.meter_ids) == len(METERS)


@pytest.mark.parametrize(
    "layout",
    [
        "recommended",
        "recommended-one-meter-groups",
        "nullable-small-pages",
        "nullable-page-v2",
    ],
)
def test_in_place_variants_need_no_arrow(tmp_path, layout, no_arrow):
    path = _write(tmp_path / "data.parquet", _rows(), layout)
    assert study_file(path, tariff=load_tariff("ocec-res")).method == "exact"


@pytest.mark.parametrize(
    ("unit", "wh_type", "ids"),
    [
        ("us", pa.int16(), None),
        ("ns", pa.int64(), None),
        ("ms", pa.int32(), {"A-1": 11, "B-2": -2, "C-3": 3, "D-4": 40}),
    ],
)
def test_other_units_types_and_integer_ids_are_read_in_place(
    tmp_path, unit, wh_type, ids, no_arrow
):
    path = _write(tmp_path / "data.parquet", _rows(), unit=unit, wh_type=wh_type, ids=ids)
    result = study_file(path, tariff=load_tariff("ocec-res-tou"))
    assert result.method == "exact"
    if ids is not None:
        assert set(result.determinants.meter_ids) == {"11", "-2", "3", "40"}


def _defect(rows, kind):
    """``rows`` with one defect in meter B-2's data."""
    at = [i for i, (meter, _, _) in enumerate(rows) if meter == "B-2"]
    rows = list(rows)
    if kind == "gap":
        del rows[at[400]]
    elif kind == "duplicate":
        rows.insert(at[400], rows[at[400]])
    elif kind == "unsorted":  # sorted within the meter, not refused
        rows[at[10]], rows[at[11]] = rows[at[11]], rows[at[10]]
    elif kind == "interleaved":  # B-2's last rows after C-3: regrouped, not refused
        tail = [rows[i] for i in at[-100:]]
        rows = [row for i, row in enumerate(rows) if i not in set(at[-100:])]
        rows += tail
    elif kind == "negative":
        meter, start, _ = rows[at[5]]
        rows[at[5]] = (meter, start, -3)
    elif kind == "ten-minute":
        first = rows[at[0]][1]
        for number, i in enumerate(at):
            rows[i] = ("B-2", first + timedelta(minutes=10 * number), rows[i][2])
    return rows


@pytest.mark.parametrize(
    "kind", ["gap", "duplicate", "unsorted", "interleaved", "negative", "ten-minute"]
)
@pytest.mark.parametrize(
    "layout",
    [
        "recommended",
        "recommended-one-meter-groups",
        "delta-one-meter-groups",
        "delta-pairs-small-pages",
        "arrow-default",
        "nullable-small-pages",
        "zstd-split-meters",
        "zstd-split-meters-small-groups",
    ],
)
def test_defects_are_found_as_in_the_whole_file(tmp_path, kind, layout, batch_rows, monkeypatch):
    path = _write(tmp_path / "data.parquet", _defect(_rows(), kind), layout)
    batched, whole = _both(path)
    assert batched == whole
    whole_reads = []
    read_parquet = rate_study.read_parquet
    monkeypatch.setattr(
        rate_study,
        "read_parquet",
        lambda path, *rest: whole_reads.append(path) or read_parquet(path, *rest),
    )
    assert _outcome(lambda: study_file(path, tariff=load_tariff("ocec-res-tou"))) == batched
    if layout.startswith("recommended") and batch_rows > 64 and kind != "interleaved":
        assert not whole_reads  # found batch by batch, not by reading the file whole
    if kind in ("interleaved", "unsorted"):
        assert batched.startswith("{")
    else:
        assert batched.startswith("StudyDataError: meter B-2 at ")


@pytest.mark.parametrize("layout", ["recommended", "arrow-default"])
def test_a_one_interval_meter_takes_the_whole_file_length(tmp_path, layout):
    rows = [*_rows(), ("Z-9", FIRST.astimezone(UTC), 7)]
    path = _write(tmp_path / "data.parquet", rows, layout)
    batched, whole = _both(path)
    assert batched == whole and batched.startswith("{")
    batched, whole = _both(path, interval_minutes=15)
    assert batched == whole and batched.startswith("{")


def test_a_null_is_refused_as_before(tmp_path):
    rows = _rows()
    path = _write(tmp_path / "data.parquet", rows, "nullable-small-pages")
    table = pq.read_table(path)
    wh = table.column("wh").to_pylist()
    wh[123] = None
    table = table.set_column(2, "wh", pa.array(wh, pa.int32()))
    pq.write_table(table, path, **RECOMMENDED)
    batched, whole = _both(path)
    assert batched == whole and "column wh has empty values" in batched


def test_hybrid_runs_read_rle_and_bit_packed_groups():
    # bit width 3: an RLE run of 5 x value 6, then one bit-packed group of 8 values
    values = [1, 1, 1, 2, 2, 7, 0, 0]
    packed = sum(v << (3 * i) for i, v in enumerate(values)).to_bytes(3, "little")
    data = memoryview(bytes([5 << 1, 6, (1 << 1) | 1]) + packed)
    runs = rate_study._hybrid_runs(data, 3, 12)
    assert runs == [(6, 5), (1, 3), (2, 2), (7, 1), (0, 1)]


def test_a_file_that_is_not_the_recommended_layout_has_no_plain_layout(tmp_path):
    path = _write(tmp_path / "data.parquet", _rows(), "arrow-default")
    assert rate_study._plain_layout(rate_study._map(path)) is None
    kwh = tmp_path / "kwh.parquet"
    pq.write_table(pa.table({"meter_id": ["A"], "start": pa.array([FIRST]), "kwh": [1]}), kwh)
    assert rate_study._plain_layout(rate_study._map(kwh)) is None


@pytest.mark.parametrize("seed", range(40))
def test_a_damaged_file_never_gives_other_bills_than_arrow_would(tmp_path, seed):
    # given the recommended layout with one byte changed: anywhere before the footer,
    # or in the first page header of a column chunk (the in-place reader parses those)
    path = _write(tmp_path / "data.parquet", _rows())
    raw = bytearray(path.read_bytes())
    footer = int.from_bytes(raw[-8:-4], "little") + 8
    rng = np.random.default_rng(seed)
    if seed % 2:
        where = int(rng.integers(4, len(raw) - footer))
    else:
        layout = rate_study._plain_layout(rate_study._map(path))
        chunks = [chunk.begin for trio in layout.chunks for chunk in trio]
        where = int(rng.choice(chunks)) + int(rng.integers(0, 24))
    raw[where] ^= int(rng.choice([0x01, 0x5A, 0x80, 0xFF]))
    path.write_bytes(bytes(raw))
    tariff = load_tariff("ocec-res")

    # when
    batched = _any_outcome(lambda: study_file(path, tariff=tariff))
    whole = _any_outcome(lambda: whole_study(read_intervals(path), tariff=tariff))
    # then
    assert batched == whole


def _float_file(path, rows, kwh=None, **options):
    """polars' shape: large_string ids, timestamp[us], float64 kWh PLAIN (polars does not
    dictionary-encode it), zstd, row groups that split meters."""
    table = pa.table(
        {
            "meter_id": pa.array([m for m, _, _ in rows], pa.large_string()),
            "start": pa.array([s for _, s, _ in rows], pa.timestamp("us", tz="UTC")),
            "kwh": pa.array(kwh or [w / 1000 for _, _, w in rows], pa.float64()),
        }
    )
    options = {"compression": "zstd", "use_dictionary": ["meter_id", "start"], **options}
    pq.write_table(table, path, row_group_size=700, **options)
    return path


@pytest.fixture
def float_by_arrow(monkeypatch):
    """Record the batches whose float kWh Arrow decoded."""
    decoded = []
    energy_values = rate_study._energy_values
    monkeypatch.setattr(
        rate_study,
        "_energy_values",
        lambda column, *rest: decoded.append(column.type) or energy_values(column, *rest),
    )
    return decoded


def test_float_kwh_is_read_as_int32_wh_when_it_fits(tmp_path, float_by_arrow):
    rows = _rows()
    path = _float_file(tmp_path / "float.parquet", rows)
    groups = rate_study._ArrowGroups(path, rate_study._Tally())
    # when
    *_, energy = groups.load(0, len(groups.sizes))
    # then: from the pages, not by Arrow; half the bytes of int64, the same Wh, and the
    # same bills as the integer file
    assert not float_by_arrow
    assert energy.dtype == np.int32
    assert energy.tolist() == [w for _, _, w in rows]
    integer = _write(tmp_path / "wh.parquet", rows, "zstd-split-meters")
    tariff = load_tariff("ocec-res-tou")
    assert study_json("x", study_file(path, tariff=tariff)) == study_json(
        "x", study_file(integer, tariff=tariff)
    ).replace('"energy_rounding": "half up"', '"energy_rounding": "half-even"')


def test_a_kwh_file_footer_is_left_to_arrow_without_parsing_its_row_groups(tmp_path, monkeypatch):
    # given a file with a kwh column (never read in place) in several row groups
    path = tmp_path / "kwh.parquet"
    table = pa.table({"meter_id": ["A"] * 6, "start": pa.array([FIRST] * 6), "kwh": [1.0] * 6})
    pq.write_table(table, path, row_group_size=2)
    structs = []
    thrift_struct = rate_study._thrift_struct
    monkeypatch.setattr(
        rate_study,
        "_thrift_struct",
        lambda data, pos, spec=None, **kw: (
            structs.append(spec) or thrift_struct(data, pos, spec, **kw)
        ),
    )
    # when / then: the schema says so; the row groups' metadata is not parsed in Python
    assert rate_study._plain_layout(rate_study._map(path)) is None
    assert rate_study.SCHEMA_ELEMENT in structs
    assert rate_study.ROW_GROUP not in structs


@pytest.mark.parametrize(
    ("options", "pages"),
    [
        ({}, True),
        ({"data_page_size": 512}, True),  # many pages a column chunk
        ({"compression": "snappy"}, True),
        ({"compression": "none", "data_page_version": "2.0"}, True),
        ({"compression": "zstd", "data_page_version": "2.0"}, False),  # Arrow's
        ({"use_dictionary": True}, False),  # dictionary-encoded kWh: Arrow's
        ({"compression": "lz4"}, False),
    ],
)
def test_float_kwh_pages_give_the_bills_arrow_gives(tmp_path, float_by_arrow, options, pages):
    rows = _rows()
    kwh = [w / 1000 + (0.0004 if i % 97 == 0 else 0.0) for i, (_, _, w) in enumerate(rows)]
    path = _float_file(tmp_path / "float.parquet", rows, kwh, **options)
    tariff = load_tariff("ocec-res-tou")
    batched = _outcome(lambda: study_file(path, tariff=tariff))
    whole = _tallied_whole(path, tariff)
    assert batched == whole and '"energy_not_whole_wh": 34' in batched
    assert bool(float_by_arrow) != pages


@pytest.mark.parametrize("bad", ["nan", "null-then-nan"])
def test_float_kwh_defects_read_from_pages_are_refused_as_arrow_refuses_them(
    tmp_path, bad, batch_rows
):
    rows = _rows()
    kwh = [w / 1000 for _, _, w in rows]
    kwh[900] = float("nan")
    if bad == "null-then-nan":
        kwh[950] = None  # a later null in its row group: refused first, as by Arrow
    path = _float_file(tmp_path / "float.parquet", rows, kwh)
    batched, whole = _both(path)
    assert batched == whole
    expected = "empty values" if bad == "null-then-nan" else "kwh value nan is not a number"
    assert expected in batched


def test_float_kwh_pages_are_found_by_name_past_a_nested_column(tmp_path, float_by_arrow):
    # given a required struct of two doubles before kwh: Arrow's field 3 is kwh, but the
    # Parquet leaf 3 is extra.b, a double column of the same length
    rows = _rows()
    table = pa.table(
        {
            "meter_id": pa.array([m for m, _, _ in rows], pa.large_string()),
            "start": pa.array([s for _, s, _ in rows], pa.timestamp("us", tz="UTC")),
            "extra": pa.array(
                [{"a": 1.0, "b": 2.0}] * len(rows),
                pa.struct([pa.field("a", pa.float64(), False), pa.field("b", pa.float64(), False)]),
            ),
            "kwh": pa.array([w / 1000 for _, _, w in rows], pa.float64()),
        }
    )
    schema = table.schema.set(2, pa.field("extra", table.schema.field("extra").type, False))
    path = tmp_path / "nested.parquet"
    pq.write_table(table.cast(schema), path, compression="zstd", use_dictionary=["meter_id"])
    # when
    batched = _outcome(lambda: study_file(path, tariff=load_tariff("ocec-res")))
    # then: kwh read from its own pages, the bills of the integer file
    assert not float_by_arrow
    integer = _write(tmp_path / "wh.parquet", rows, "zstd-split-meters")
    expected = _outcome(lambda: study_file(integer, tariff=load_tariff("ocec-res")))
    assert batched == expected.replace('"half up"', '"half-even"')


def test_meter_ids_are_read_from_their_own_leaf_past_a_nested_column(tmp_path):
    # given a required struct of two text columns before meter_id: Arrow's field 1 is
    # meter_id, the Parquet leaf 1 is extra.b (dictionary-encoded text too)
    rows = _rows()
    text = pa.string()
    extra = pa.struct([pa.field("a", text, False), pa.field("b", text, False)])
    schema = pa.schema(
        [
            pa.field("extra", extra, False),
            pa.field("meter_id", text, False),
            pa.field("start", pa.timestamp("ms", tz="UTC"), False),
            pa.field("wh", pa.int32(), False),
        ]
    )
    table = pa.table(
        {
            "extra": pa.array([{"a": "x", "b": f"not-{m}"} for m, _, _ in rows], extra),
            "meter_id": [m for m, _, _ in rows],
            "start": pa.array([s for _, s, _ in rows], pa.timestamp("ms", tz="UTC")),
            "wh": pa.array([w for _, _, w in rows], pa.int32()),
        },
        schema=schema,
    )
    path = tmp_path / "nested.parquet"
    pq.write_table(table, path, compression="zstd", row_group_size=700)
    # when / then: the whole file's bills, named by meter_id
    batched, whole = _both(path)
    assert batched == whole and '"meter_id": "A-1"' in batched


# --- start read from its pages (dictionary-encoded, as pandas and polars write it) ---


def _regular_file(path, *, meters=12, hours=240, group_rows=480, **options):
    """Every meter the same hours (a rate study's usual data), polars' column types."""
    first = datetime(2025, 3, 1, 7, tzinfo=UTC)
    starts = [first + timedelta(hours=hour) for hour in range(hours)]
    rng = np.random.default_rng(11)
    table = pa.table(
        {
            "meter_id": pa.array(
                [f"M{meter:03d}" for meter in range(meters) for _ in starts], pa.large_string()
            ),
            "start": pa.array(starts * meters, pa.timestamp("us", tz="UTC")),
            "kwh": pa.array(rng.integers(0, 4_000, meters * hours) / 1000, pa.float64()),
        }
    )
    options = {"compression": "zstd", "use_dictionary": ["meter_id", "start"], **options}
    pq.write_table(table, path, row_group_size=group_rows, **options)
    return path


def test_dictionary_starts_are_read_from_pages_each_distinct_page_decoded_once(
    tmp_path, monkeypatch
):
    # given row groups of two whole meters: each row group's dictionary lists its
    # starts as first seen, so every index page holds the same indices
    path = _regular_file(tmp_path / "regular.parquet")
    monkeypatch.setattr(
        rate_study, "_int64_values", lambda column: pytest.fail("Arrow decoded start")
    )
    groups = rate_study._ArrowGroups(path, rate_study._Tally())
    decoded = []
    hybrid_values = rate_study._hybrid_values
    monkeypatch.setattr(
        rate_study,
        "_hybrid_values",
        lambda *args: decoded.append(args[2]) or hybrid_values(*args),
    )
    # when
    _, _, start, _ = groups.load(0, len(groups.sizes))
    # then: Arrow's values, one page decoded for six row groups
    expected = pq.read_table(path, columns=["start"]).column("start").cast(pa.int64())
    assert start.tolist() == expected.to_pylist()
    assert decoded == [480]


@pytest.mark.parametrize(
    "options",
    [
        {"data_page_size": 300},  # several index pages a row group, RLE and bit-packed
        {"compression": "snappy"},
        {"compression": "none"},
        {"use_dictionary": ["meter_id"]},  # PLAIN starts, compressed
        {"data_page_version": "2.0", "compression": "none"},
        {"data_page_version": "2.0"},  # compressed version 2 pages: Arrow's
        {"column_encoding": {"start": "DELTA_BINARY_PACKED"}, "use_dictionary": ["meter_id"]},
    ],
)
def test_starts_from_pages_give_the_bills_arrow_gives(tmp_path, options, batch_rows):
    path = _regular_file(tmp_path / "regular.parquet", group_rows=700, **options)
    tariff = load_tariff("ocec-gs-tou")
    batched = _outcome(lambda: study_file(path, tariff=tariff))
    whole = _tallied_whole(path, tariff)
    assert batched == whole and batched.startswith("{")


@pytest.mark.parametrize("unit", ["s", "ms", "ns"])
def test_starts_of_other_units_are_read_from_pages_in_arrows_unit(tmp_path, unit):
    # given timestamp[s] (Parquet keeps ms; so does Arrow on reading it back), ms, ns
    rows = _rows()
    table = pa.table(
        {
            "meter_id": [m for m, _, _ in rows],
            "start": pa.array([s for _, s, _ in rows], pa.timestamp(unit, tz="UTC")),
            "wh": pa.array([w for _, _, w in rows], pa.int32()),
        }
    )
    path = tmp_path / "units.parquet"
    pq.write_table(table, path, compression="zstd", row_group_size=700)
    groups = rate_study._ArrowGroups(path, rate_study._Tally())
    # when / then: read from the pages, in the unit Arrow gives
    assert groups.start_pages and groups.ticks == {"s": 1000}.get(unit, groups.ticks)
    start = groups.load(0, len(groups.sizes))[2]
    expected = pq.read_table(path, columns=["start"]).column("start").cast(pa.int64())
    assert start.tolist() == expected.to_pylist()
    batched, whole = _both(path)
    assert batched == whole and batched.startswith("{")


def test_int96_starts_are_left_to_arrow(tmp_path):
    rows = _rows()
    table = pa.table(
        {
            "meter_id": [m for m, _, _ in rows],
            "start": pa.array([s for _, s, _ in rows], pa.timestamp("ns", tz="UTC")),
            "wh": pa.array([w for _, _, w in rows], pa.int32()),
        }
    )
    path = tmp_path / "int96.parquet"
    pq.write_table(table, path, use_deprecated_int96_timestamps=True, row_group_size=700)
    batched, whole = _both(path)
    assert batched == whole


@pytest.mark.parametrize("width", range(1, 33))
def test_bit_packed_values_of_every_width_are_unpacked(width):
    rng = np.random.default_rng(width)
    values = rng.integers(0, 1 << width, 8 * 37, dtype=np.uint64)
    bits = ((values[:, None] >> np.arange(width, dtype=np.uint64)) & np.uint64(1)).astype(np.uint8)
    packed = np.packbits(bits.ravel(), bitorder="little")
    assert rate_study._unpack(packed, width, 37).tolist() == values.tolist()
    # an RLE run, two bit-packed runs (one stream of bytes), an RLE run; cut at count
    value_bytes = (width + 7) // 8
    rle = bytes([3 << 1]) + (1).to_bytes(value_bytes, "little")
    split = 20 * width  # 20 groups, then 17
    data = (
        rle
        + bytes([(20 << 1) | 1])
        + packed[:split].tobytes()
        + bytes([(17 << 1) | 1])
        + packed[split:].tobytes()
        + rle
    )
    count = 3 + 8 * 37 + 2
    found = rate_study._hybrid_values(memoryview(data), width, count)
    assert found.tolist() == [1, 1, 1, *values.tolist(), 1, 1]
    runs = rate_study._hybrid_runs(memoryview(data), width, count)
    assert [value for value, repeat in runs for _ in range(repeat)] == found.tolist()


@pytest.mark.parametrize("seed", range(30))
def test_a_damaged_start_column_never_gives_other_bills_than_arrow_would(tmp_path, seed):
    # given a polars-shaped file with one byte changed in a start column chunk (its
    # page headers, dictionary or index pages)
    path = _regular_file(tmp_path / "regular.parquet", group_rows=700)
    metadata = pq.ParquetFile(path).metadata
    rng = np.random.default_rng(seed)
    chunk = metadata.row_group(int(rng.integers(0, metadata.num_row_groups))).column(1)
    begin = chunk.dictionary_page_offset or chunk.data_page_offset
    raw = bytearray(path.read_bytes())
    raw[begin + int(rng.integers(0, chunk.total_compressed_size))] ^= int(
        rng.choice([0x01, 0x5A, 0x80, 0xFF])
    )
    path.write_bytes(bytes(raw))
    tariff = load_tariff("ocec-res-tou")

    # when / then
    batched = _any_outcome(lambda: study_file(path, tariff=tariff))
    whole = _tallied_whole(path, tariff, _any_outcome)
    assert batched == whole


@pytest.mark.parametrize(
    "values",
    [
        [0, 1, 2, 3, 0, 1, 2, 3, 0, 1],  # counting through a dictionary of 4, cut short
        [2, 3, 0, 1, 2, 3, 0],  # from the middle of a cycle (a row group's second page)
        [1, 2],  # fewer than the dictionary
        [0, 1, 3, 0, 1],  # a gap: not a cycle of the dictionary
        [0, 1, 2, 3, 0, 2, 3],  # a cycle broken once
        [3, 2, 1, 0],
        [0, 0, 0],
        [],
    ],
)
@pytest.mark.parametrize("size", [4, 5])
def test_dictionary_indices_are_looked_up_alike_by_cycle_or_by_gather(values, size):
    dictionary = np.arange(size, dtype=np.int64) * 3_600 + 1_000
    indices = rate_study._Indices.of(np.array(values, dtype=np.uint32))
    out = np.full(len(values) + 2, -1, dtype=np.int64)
    indices.take(dictionary, out[: len(values)])
    assert out.tolist() == [int(dictionary[v]) for v in values] + [-1, -1]
    counting = [(values[0] + i) % size for i in range(len(values))] if values else None
    assert indices.cycles(size) == (values == counting)


def _shared_runs(monkeypatch):
    """Count the batches studied with a shared start (no start a row)."""
    counted = []
    study = rate_study.study_determinants
    monkeypatch.setattr(
        rate_study,
        "study_determinants",
        lambda runs, **kw: counted.append(runs.shared_start is not None) or study(runs, **kw),
    )
    return counted


@pytest.mark.parametrize(("group_rows", "shared"), [(480, True), (700, True), (97, False)])
def test_meters_over_the_same_hours_are_studied_without_a_start_a_row(
    tmp_path, monkeypatch, group_rows, shared
):
    # given every meter over the same 240 hours, row groups that split meters or not
    # (row groups shorter than a meter's hours list only some of them: written out)
    path = _regular_file(tmp_path / "regular.parquet", group_rows=group_rows)
    tariff = load_tariff("ocec-gs-tou")
    counted = _shared_runs(monkeypatch)
    monkeypatch.setattr(rate_study, "BATCH_ROWS", 1_000)
    # when
    batched = _outcome(lambda: study_file(path, tariff=tariff))
    # then: batches' meters by their shared starts, the whole file's bills
    assert any(counted) == shared
    assert batched == _tallied_whole(path, tariff) and batched.startswith("{")


@pytest.mark.parametrize("defect", ["later-meter", "two-years", "one-hour-moved", "gap"])
def test_starts_that_do_not_go_round_alike_are_written_out_and_checked(
    tmp_path, monkeypatch, defect
):
    # given meters over the same hours but one: an hour later, twice over the hours
    # (a duplicate of each), one start moved an hour, or an hour missing
    first = datetime(2025, 3, 1, 7, tzinfo=UTC)
    hours = [first + timedelta(hours=hour) for hour in range(240)]
    meters = {f"M{meter:03d}": list(hours) for meter in range(8)}
    if defect == "later-meter":
        meters["M003"] = [at + timedelta(hours=1) for at in hours]
    elif defect == "two-years":
        meters["M003"] = hours + hours
    elif defect == "one-hour-moved":
        meters["M003"][100] = hours[100] + timedelta(minutes=30)
    else:
        del meters["M003"][100]
    rows = [(name, at) for name, starts in meters.items() for at in starts]
    table = pa.table(
        {
            "meter_id": pa.array([name for name, _ in rows], pa.large_string()),
            "start": pa.array([at for _, at in rows], pa.timestamp("us", tz="UTC")),
            "kwh": pa.array([(i % 977) / 1000 for i in range(len(rows))], pa.float64()),
        }
    )
    path = tmp_path / "defect.parquet"
    pq.write_table(table, path, row_group_size=700, compression="zstd")
    tariff = load_tariff("ocec-gs-tou")
    # when
    batched = _outcome(lambda: study_file(path, tariff=tariff))
    # then: the bills, or the refusal, of the whole file read row by row
    assert batched == _tallied_whole(path, tariff)
    assert batched.startswith("{") == (defect == "later-meter")


def test_a_page_claiming_more_values_than_its_chunk_is_not_read_in_place(tmp_path):
    # given a chunk whose footer says fewer values than its page header (an RLE run
    # can claim billions of values in a few bytes; arrays are made to the claim)
    path = _regular_file(tmp_path / "regular.parquet", group_rows=700, compression="none")
    meta = pq.ParquetFile(path).metadata.row_group(0).column(1)
    begin = meta.dictionary_page_offset or meta.data_page_offset
    data = rate_study._map(path)
    chunk = rate_study._Chunk(0, begin, meta.total_compressed_size, meta.num_values, "INT64")
    assert sum(1 for _ in rate_study._raw_pages(data, chunk, 1)) == 2
    short = rate_study._Chunk(0, begin, meta.total_compressed_size, meta.num_values - 1, "INT64")
    # when / then
    with pytest.raises(rate_study._NotPlain):
        list(rate_study._raw_pages(data, short, 1))
