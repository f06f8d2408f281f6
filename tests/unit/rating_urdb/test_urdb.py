"""URDB -> catalog conversion: exact numbers, TOU windows, refusals naming the field."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from decimal import Decimal

import pytest

from coopcis.catalog.tariffs import load_tariff
from coopcis.commands.rate_urdb import main
from coopcis.core.periods import Period
from coopcis.core.rating.determinants import Determinants
from coopcis.core.rating.engine import rate_bill
from coopcis.core.rating.tariff import parse_tariff
from coopcis.core.rating.urdb import UrdbError, convert_urdb

PEAK_DAY = [0] * 15 + [1] * 6 + [0] * 3


def _rate(**changes):
    rate = {
        "label": "5f0c0ffee",
        "name": "Residential Time of Use",
        "utility": "Otero County Electric Coop",
        "sector": "Residential",
        "startdate": 1577836800,
        "fixedchargefirstmeter": 32.5,
        "fixedchargeunits": "$/month",
        "energyratestructure": [[{"rate": 0.09, "unit": "kWh"}], [{"rate": 0.2, "adj": 0.065}]],
        "energyweekdayschedule": [PEAK_DAY] * 12,
        "energyweekendschedule": [PEAK_DAY] * 12,
    }
    rate.update(changes)
    return rate


def _write(tmp_path, rate):
    path = tmp_path / "rate.json"
    path.write_text(json.dumps({"items": [rate]}))
    return path


def test_tou_rate_converts_and_bills_like_the_catalog_schedule(tmp_path, capsys):
    # given the URDB form of OCEC's residential TOU rate (JSON floats)
    path = _write(tmp_path, _rate())
    # when
    assert main([str(path), "--code", "urdb-res-tou"]) == 0
    data = tomllib.loads(capsys.readouterr().out, parse_float=Decimal)
    tariff = parse_tariff(data)
    # then rate + adj is exact, 15:00-21:00 is the only window, and a bill matches ocec-res-tou
    assert data["effective_date"] == date(2020, 1, 1)
    assert data["components"][1]["rates"][1]["rate_per_kwh"] == Decimal("0.265")
    assert [(w["period"], w["start"], w["end"]) for w in data["time_of_use"]["windows"]] == [
        ("period_1", "15:00", "21:00")
    ]
    det = Determinants(
        period=Period.month(2025, 7),
        hours=Decimal(744),
        energy_kwh=Decimal("812.345"),
        energy_kwh_by_tou={"period_0": Decimal("600.111"), "period_1": Decimal("212.234")},
    )
    catalog = load_tariff("ocec-res-tou")
    det_catalog = Determinants(
        period=det.period,
        hours=det.hours,
        energy_kwh=det.energy_kwh,
        energy_kwh_by_tou={"off_peak": Decimal("600.111"), "on_peak": Decimal("212.234")},
    )
    expected = rate_bill(tariff=catalog, determinants=det_catalog).total
    assert rate_bill(tariff=tariff, determinants=det).total == expected


def test_flat_tiers_and_demand_blocks():
    rate = _rate(
        energyratestructure=[[{"rate": 0.1114, "max": 500000}, {"rate": 0.0893}]],
        energyweekdayschedule=[[0] * 24] * 12,
        energyweekendschedule=[[0] * 24] * 12,
        flatdemandstructure=[[{"rate": 1.25, "max": 10}, {"rate": 9.25}]],
        flatdemandmonths=[0] * 12,
        mincharge=Decimal("50"),
        minchargeunits="$/month",
    )
    mapping = convert_urdb(rate, code="urdb-gs")
    kinds = [c["kind"] for c in mapping["components"]]
    assert kinds == ["customer_charge", "block_energy", "block_demand", "minimum_bill"]
    assert mapping["components"][1]["blocks"] == [
        {"up_to_kwh": Decimal(500000), "rate_per_kwh": Decimal("0.1114")},
        {"rate_per_kwh": Decimal("0.0893")},
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"energyweekdayschedule": [PEAK_DAY] * 6 + [[0] * 24] * 6}, "energyweekdayschedule"),
        ({"fixedchargeunits": "$/day"}, "fixedchargeunits"),
        ({"demandratchetpercentage": [0.8] * 12}, "demandratchetpercentage"),
        ({"coincidentratestructure": [[{"rate": 5}]]}, "coincidentratestructure"),
        (
            {"energyratestructure": [[{"rate": 0.09}], [{"rate": 0.2, "max": 100}, {"rate": 0.3}]]},
            "energyratestructure[1]",
        ),
        ({"minchargeunits": "$/year", "mincharge": 120}, "minchargeunits"),
        ({"energyratestructure": [[{"rate": 0.09, "unit": "kWh/kW"}]]}, "unit"),
    ],
)
def test_unsupported_fields_are_refused_by_name(tmp_path, capsys, changes, field):
    # given
    path = _write(tmp_path, _rate(**changes))
    # when
    code = main([str(path), "--code", "x"])
    # then
    err = capsys.readouterr().err
    assert code == 2
    assert field in err
    assert len(err.strip().splitlines()) == 1


def test_floats_are_read_by_their_decimal_text():
    mapping = convert_urdb(_rate(), code="x")  # json floats left as float
    assert mapping["components"][0]["amount"] == Decimal("32.5")
    assert mapping["components"][1]["rates"][0]["rate_per_kwh"] == Decimal("0.09")


def test_out_file(tmp_path):
    path, out = _write(tmp_path, _rate()), tmp_path / "out.toml"
    assert main([str(path), "--code", "urdb-x", "--out", str(out)]) == 0
    assert parse_tariff(tomllib.loads(out.read_text(), parse_float=Decimal)).code == "urdb-x"


def test_urdb_error_names_field():
    with pytest.raises(UrdbError) as error:
        convert_urdb(_rate(fixedchargeunits="$/day"), code="x")
    assert error.value.field == "fixedchargeunits"


def _flat(**changes):
    rate = _rate(
        energyratestructure=[[{"rate": 0.1, "unit": "kWh"}]],
        energyweekdayschedule=[[0] * 24] * 12,
        energyweekendschedule=[[0] * 24] * 12,
    )
    del rate["fixedchargefirstmeter"], rate["fixedchargeunits"]
    rate.update(changes)
    return rate


def _bill(mapping, kwh):
    det = Determinants(period=Period.month(2025, 7), hours=Decimal(744), energy_kwh=Decimal(kwh))
    return rate_bill(tariff=parse_tariff(mapping), determinants=det).total.amount


def test_legacy_fixed_monthly_charge_is_the_customer_charge():
    # given a rate that gives its $30 customer charge only under the legacy name
    mapping = convert_urdb(_flat(fixedmonthlycharge=30), code="legacy")
    # then it is billed, not dropped (it quoted $0.00 plus energy before)
    assert mapping["components"][0] == {"kind": "customer_charge", "amount": Decimal(30)}
    assert _bill(mapping, "100") == Decimal("40.00")


def test_legacy_min_monthly_charge_is_the_minimum_bill():
    mapping = convert_urdb(_flat(minmonthlycharge=25, fixedmonthlycharge=0), code="legacy")
    assert mapping["components"][-1] == {"kind": "minimum_bill", "amount": Decimal(25)}
    assert _bill(mapping, "100") == Decimal("25.00")
    assert _bill(mapping, "300") == Decimal("30.00")


def test_legacy_and_current_fields_agreeing_give_one_charge():
    mapping = convert_urdb(
        _flat(fixedmonthlycharge=30, fixedchargefirstmeter=30, fixedchargeunits="$/month"),
        code="both",
    )
    assert [c["kind"] for c in mapping["components"]] == ["customer_charge", "flat_energy"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"fixedmonthlycharge": 30, "fixedchargefirstmeter": 32.5},
            "fixedmonthlycharge: 30 disagrees with fixedchargefirstmeter 32.5 (the same charge)",
        ),
        (
            {"minmonthlycharge": 10, "mincharge": 12},
            "minmonthlycharge: 10 disagrees with mincharge 12 (the same charge)",
        ),
        ({"annualmincharge": 120}, "annualmincharge: is not supported by the catalog format"),
    ],
)
def test_legacy_charges_the_catalog_cannot_honour_are_refused(changes, message):
    with pytest.raises(UrdbError) as refused:
        convert_urdb(_flat(**changes), code="x")
    assert str(refused.value) == message


def test_a_zero_annual_minimum_says_nothing():
    mapping = convert_urdb(_flat(annualmincharge=0, minmonthlycharge=0), code="x")
    assert [c["kind"] for c in mapping["components"]] == ["flat_energy"]
