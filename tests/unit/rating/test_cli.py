"""``coopcis rate`` called in-process: output shape, exit codes, one-line errors."""

import json
from decimal import Decimal as D

import pytest

from coopcis.commands import rate


def run(capsys, *argv):
    code = rate.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_every_code(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert "ocec-gs-tou" in out and "sec-19" in out and "ocec-light-1000" in out


def test_show_prints_sources_and_interpretations(capsys):
    code, out, _ = run(capsys, "show", "sec-19")
    assert code == 0
    assert "Advice Notice No. 72" in out
    assert "seed 003_bd57310bc40b9d01.txt" in out
    assert "interpretations:" in out
    assert "POWER FACTOR ADJUSTMENT" in out


def test_quote_json_shape(capsys):
    code, out, err = run(capsys, "quote", "ocec-gs", "--kwh", "2400", "--kw", "12", "--json")
    assert (code, err) == (0, "")
    bill = json.loads(out)
    assert set(bill) == {"tariff", "lines", "total"}
    assert bill["tariff"] == "ocec-gs"
    assert bill["total"] == "337.00"
    assert [line["code"] for line in bill["lines"]] == [
        "customer",
        "demand-1",
        "demand-2",
        "energy",
    ]
    first = bill["lines"][0]
    assert set(first) == {"code", "description", "quantity", "unit", "rate", "amount", "source"}
    assert all(isinstance(value, str) for value in first.values())
    assert bill["lines"][2] == {
        **bill["lines"][2],
        "quantity": "2",
        "rate": "9.25",
        "amount": "18.50",
    }


def test_quote_text_is_a_readable_bill(capsys):
    code, out, _ = run(capsys, "quote", "ocec-res", "--kwh", "850")
    assert code == 0
    assert "Total" in out and "$146.54" in out
    assert "Sources:" in out


def test_quote_tou_with_riders_and_tax(capsys):
    code, out, _ = run(
        capsys,
        "quote",
        "ocec-res-tou",
        "--on-peak-kwh",
        "300",
        "--off-peak-kwh",
        "700",
        "--pca",
        "0.01",
        "--dca",
        "0",
        "--tax-rate",
        "0.0675",
        "--json",
    )
    assert code == 0
    bill = json.loads(out)
    # 32.50 + 79.50 + 63.00 + pca 10.00 + dca 0.00 = 185.00 ; tax 12.4875 -> 12.49
    assert bill["total"] == "197.49"


def test_quote_lighting_fixtures(capsys):
    code, out, _ = run(capsys, "quote", "ocec-light-250", "--fixtures", "2", "--json")
    assert code == 0
    assert json.loads(out)["total"] == "39.90"


def test_unknown_tariff_exits_2_with_one_line_listing_codes(capsys):
    code, out, err = run(capsys, "quote", "nope", "--kwh", "1")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "unknown tariff 'nope'" in err and "ocec-res" in err and "sec-19" in err


def test_show_unknown_tariff_exits_2(capsys):
    code, _, err = run(capsys, "show", "nope")
    assert code == 2 and "valid codes" in err


def test_missing_determinants_name_them_and_the_options(capsys):
    code, _, err = run(capsys, "quote", "ocec-gs", "--kwh", "100")
    assert code == 2
    assert err == "coopcis rate: ocec-gs needs demand_kw (give --kw)\n"


def test_sec_19_needs_power_factor(capsys):
    code, _, err = run(capsys, "quote", "sec-19", "--kwh", "1", "--kw", "1")
    assert code == 2 and "sec-19 needs power_factor (give --power-factor)" in err


def test_half_given_tou_pair_is_refused(capsys):
    code, _, err = run(capsys, "quote", "ocec-res-tou", "--on-peak-kwh", "1")
    assert code == 2 and "give both --on-peak-kwh and --off-peak-kwh" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["quote", "ocec-res", "--kwh", "abc"],
        ["quote", "ocec-res", "--kwh", "nan"],
        ["quote"],
        ["frobnicate"],
        [],
        ["quote", "ocec-res", "--bogus"],
    ],
)
def test_argument_errors_are_one_line_exit_2(capsys, argv):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("coopcis rate")
    assert "Traceback" not in err


def write_csv(tmp_path, rows, header="start,kwh"):
    path = tmp_path / "intervals.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return str(path)


def hourly_rows(start_hour, kwhs, day="2020-07-01", offset="-06:00"):
    return [f"{day}T{start_hour + i:02}:00:00{offset},{kwh}" for i, kwh in enumerate(kwhs)]


def test_quote_from_intervals_splits_on_and_off_peak(tmp_path, capsys):
    # 13:00..16:00 local: 13 and 14 off-peak (2 + 3 kWh), 15 and 16 on-peak (4 + 5 kWh)
    path = write_csv(tmp_path, hourly_rows(13, ["2", "3", "4", "5"]))
    code, out, err = run(capsys, "quote", "ocec-res-tou", "--intervals", path, "--json")
    assert (code, err) == (0, "")
    lines = {line["code"]: line for line in json.loads(out)["lines"]}
    assert lines["energy-on_peak"]["quantity"] == "9"
    assert lines["energy-off_peak"]["quantity"] == "5"
    # 32.50 + 9 x 0.2650 = 2.385 -> 2.39 ; 5 x 0.09 = 0.45
    assert json.loads(out)["total"] == "35.34"


def test_quote_from_intervals_gives_demand(tmp_path, capsys):
    path = write_csv(tmp_path, hourly_rows(0, ["10", "12.5", "11"]))
    code, out, _ = run(capsys, "quote", "ocec-gs", "--intervals", path, "--json")
    assert code == 0
    lines = {line["code"]: line for line in json.loads(out)["lines"]}
    assert D(lines["demand-2"]["quantity"]) == D("2.5")


def test_malformed_csv_row_names_the_line(tmp_path, capsys):
    rows = [*hourly_rows(0, ["1", "2"]), "2020-07-01T02:00:00-06:00,lots"]
    code, _, err = run(capsys, "quote", "ocec-res", "--intervals", write_csv(tmp_path, rows))
    assert code != 0
    assert "line 4" in err and "'lots'" in err and err.count("\n") == 1


def test_csv_start_without_offset_names_the_line(tmp_path, capsys):
    rows = [*hourly_rows(0, ["1"]), "2020-07-01T01:00:00,1"]
    code, _, err = run(capsys, "quote", "ocec-res", "--intervals", write_csv(tmp_path, rows))
    assert code != 0 and "line 3" in err and "UTC offset" in err


def test_csv_wrong_header_is_refused(tmp_path, capsys):
    path = write_csv(tmp_path, hourly_rows(0, ["1", "2"]), header="time,energy")
    code, _, err = run(capsys, "quote", "ocec-res", "--intervals", path)
    assert code != 0 and "line 1" in err


def test_csv_gap_is_reported_with_its_timestamp(tmp_path, capsys):
    rows = hourly_rows(0, ["1", "1"]) + hourly_rows(5, ["1"])
    code, _, err = run(capsys, "quote", "ocec-res", "--intervals", write_csv(tmp_path, rows))
    assert code != 0
    assert "gap at 2020-07-01T05:00:00-06:00" in err and err.count("\n") == 1


def test_csv_negative_is_refused(tmp_path, capsys):
    rows = hourly_rows(0, ["1", "-1", "1"])
    code, _, err = run(capsys, "quote", "ocec-res", "--intervals", write_csv(tmp_path, rows))
    assert code != 0 and "negative" in err


def test_intervals_with_register_quantities_is_refused(tmp_path, capsys):
    path = write_csv(tmp_path, hourly_rows(0, ["1", "1"]))
    code, _, err = run(capsys, "quote", "ocec-res", "--intervals", path, "--kwh", "5")
    assert code == 2 and "--kwh" in err


def test_missing_csv_file_is_one_line(tmp_path, capsys):
    code, _, err = run(capsys, "quote", "ocec-res", "--intervals", str(tmp_path / "none.csv"))
    assert code == 2 and "cannot read" in err and err.count("\n") == 1


def test_study_and_import_urdb_dispatch_lazily(monkeypatch):
    import sys
    import types

    calls = []
    for name in ("coopcis.commands.rate_study", "coopcis.commands.rate_urdb"):
        module = types.ModuleType(name)
        module.main = lambda argv, name=name: calls.append((name, argv)) or 7
        monkeypatch.setitem(sys.modules, name, module)
    assert rate.main(["study", "--x"]) == 7
    assert rate.main(["import-urdb", "f.json"]) == 7
    assert calls == [
        ("coopcis.commands.rate_study", ["--x"]),
        ("coopcis.commands.rate_urdb", ["f.json"]),
    ]


@pytest.mark.parametrize(("option", "value"), [("--pca", "1e-2"), ("--tax-rate", "0.06755555")])
def test_rates_go_through_the_one_number_parser(capsys, option, value):
    code, out, err = run(capsys, "quote", "ocec-res", "--kwh", "100", option, value)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and option in err
    assert "exponent" in err or "at most 6 decimals" in err
