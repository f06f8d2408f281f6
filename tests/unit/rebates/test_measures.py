"""Efficiency rebates, one test per shape of rule, from OCEC's catalog (handbook p. 11)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from coopcis.catalog.rebates import load_rebate_catalog
from coopcis.cli import main
from coopcis.core.errors import RuleViolation
from coopcis.core.rebates.measures import quote_rebate

D = Decimal
CATALOG = load_rebate_catalog("ocec", on=date(2026, 12, 1))


def rebate(code: str, cost: str, **extra) -> Decimal:
    return quote_rebate(CATALOG.measures[code], cost=D(cost), **extra)


def test_fixed_per_unit_and_per_room():
    assert rebate("freezer", "899.00") == D("100.00")
    assert rebate("clothes_washer_dryer", "700.00") == D("75.00")
    assert rebate("clothes_washer_dryer", "1400.00", quantity=2) == D("150.00")  # a pair
    assert rebate("mini_split", "9000.00", quantity=3) == D("1500.00")
    assert rebate("air_source_heat_pump", "12000.00") == D("1000.00")


def test_by_size_bands():
    assert rebate("refrigerator", "900.00", size=D("10.5")) == D("50.00")
    assert rebate("refrigerator", "900.00", size=D("14")) == D("100.00")
    assert rebate("refrigerator", "1500.00", size=D("26")) == D("200.00")


def test_percent_of_cost_rounds_half_up_and_caps():
    assert rebate("insulation", "1234.56") == D("370.37")  # 370.368
    assert rebate("led_lighting", "10.02") == D("2.51")  # 2.505 half up
    assert rebate("electric_mower", "500.00") == D("100.00")  # 125.00 capped
    assert rebate("electric_trimmer", "120.00") == D("30.00")
    assert rebate("caulking_weatherstripping", "40.00") == D("20.00")


def test_never_more_than_was_paid():
    assert rebate("smart_thermostat", "79.99") == D("79.99")


@pytest.mark.parametrize(
    ("code", "extra", "field"),
    [
        ("freezer", {"quantity": 2}, "quantity"),
        ("clothes_washer_dryer", {"quantity": 3}, "quantity"),
        ("refrigerator", {}, "size"),
        ("insulation", {"size": D(5)}, "size"),
    ],
)
def test_wrong_shapes_of_claim_are_refused(code, extra, field):
    with pytest.raises(RuleViolation) as refused:
        rebate(code, "100.00", **extra)
    assert refused.value.field == field


def test_the_catalog_marks_proof_and_inspections():
    assert CATALOG.measures["windows_doors"].energy_star
    assert CATALOG.measures["insulation"].inspection
    assert not CATALOG.measures["led_lighting"].energy_star


def test_cli_list_and_quote(capsys):
    assert main(["rebates", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    rules = {row["code"]: row["rule"] for row in listed["measures"]}
    assert rules["electric_mower"] == "25% of cost up to $100.00"
    assert rules["mini_split"] == "$500.00 a room"
    assert main(["rebates", "quote", "insulation", "--cost", "1234.56", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"measure": "insulation", "rebate": "370.37"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["rebates", "quote", "insulation", "--cost", "1e3"], "--cost"),
        (["rebates", "quote", "insulation", "--cost", "10.001"], "--cost"),
        (["rebates", "quote", "hot_tub", "--cost", "100"], "no measure 'hot_tub'"),
        (["rebates", "quote", "freezer", "--cost", "100", "--quantity", "0"], "--quantity"),
        (["loans", "quote", "--amount", "499.99"], "between $500.00 and $15,000.00"),
        (["loans", "quote", "--amount", "١٢٠٠"], "--amount"),
    ],
)
def test_cli_refuses_bad_input_in_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert message in err


def test_cli_loan_quote(capsys):
    assert main(["loans", "quote", "--amount", "10000.00", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "months": 60,
        "payment": "188.71",
        "final_payment": "188.85",
        "total_interest": "1322.74",
        "approval": "board",
    }
    assert main(["loans", "quote", "--amount", "2500", "--json"]) == 0
    quote = json.loads(capsys.readouterr().out)
    assert (quote["months"], quote["payment"], quote["approval"]) == (
        56,
        "50.15",
        "general_manager",
    )
