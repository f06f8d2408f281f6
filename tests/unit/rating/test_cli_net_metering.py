"""``coopcis rate quote --received-kwh``: a net-metered bill checked by hand (SEC policy 425)."""

import json
import subprocess
import sys
import types

from coopcis.commands import rate


def run(capsys, *argv):
    code = rate.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_negative_net_bills_no_energy_and_credits_the_excess(capsys):
    code, out, err = run(
        capsys,
        "quote",
        "ocec-res",
        "--kwh",
        "400",
        "--received-kwh",
        "1400",
        "--avoided-cost-per-kwh",
        "0.03",
        "--json",
    )
    assert (code, err) == (0, "")
    bill = json.loads(out)
    # 400 - 1,400 = -1,000 kWh: only the $30.00 customer charge; 1,000 x $0.03 = $30.00 credit
    assert bill["total"] == "30.00"
    assert bill["net_metering"] == {"net_kwh": "-1000", "excess_kwh": "1000", "credit": "30.00"}
    assert {line["code"]: line["quantity"] for line in bill["lines"]}["energy"] == "0"


def test_positive_net_is_billed_and_total_leaves_out_the_credit(capsys):
    code, out, _ = run(
        capsys,
        "quote",
        "ocec-res",
        "--kwh",
        "900",
        "--received-kwh",
        "300",
        "--avoided-cost-per-kwh",
        "0.03",
        "--json",
    )
    bill = json.loads(out)
    assert code == 0
    assert bill["total"] == "112.26"  # 30.00 + 600 x 0.1371 = 82.26
    assert bill["net_metering"] == {"net_kwh": "600", "excess_kwh": "0", "credit": "0.00"}


def test_tou_nets_each_period(capsys):
    code, out, _ = run(
        capsys,
        "quote",
        "ocec-res-tou",
        "--on-peak-kwh",
        "720",
        "--off-peak-kwh",
        "540",
        "--received-on-peak-kwh",
        "60",
        "--received-off-peak-kwh",
        "1080",
        "--avoided-cost-per-kwh",
        "0.03",
        "--json",
    )
    bill = json.loads(out)
    assert code == 0
    # 32.50 + on-peak 660 x 0.2650 = 174.90; off-peak -540 bills nothing, 540 x 0.03 = 16.20
    assert bill["total"] == "207.40"
    assert bill["net_metering"] == {"net_kwh": "120", "excess_kwh": "540", "credit": "16.20"}


def test_text_shows_the_net_metering_lines(capsys):
    code, out, _ = run(
        capsys,
        "quote",
        "ocec-res",
        "--kwh",
        "400",
        "--received-kwh",
        "1400",
        "--avoided-cost-per-kwh",
        "0.03",
    )
    assert code == 0
    assert "400 kWh delivered - 1,400 kWh received = -1,000 kWh" in out
    assert "1,000 kWh x 0.03 avoided cost = $30.00" in out


def test_tou_quote_needs_received_by_period(capsys):
    code, _, err = run(
        capsys,
        "quote",
        "ocec-res-tou",
        "--on-peak-kwh",
        "720",
        "--off-peak-kwh",
        "540",
        "--received-kwh",
        "100",
        "--avoided-cost-per-kwh",
        "0.03",
    )
    assert code == 2 and "--received-on-peak-kwh" in err and err.count("\n") == 1


def test_default_avoided_cost_comes_from_the_lazy_lookup(capsys, monkeypatch):
    from decimal import Decimal

    asked = []
    module = types.ModuleType("coopcis.commands.avoided_cost")
    module.avoided_cost_on = lambda day: asked.append(day) or Decimal("0.025")
    monkeypatch.setitem(sys.modules, "coopcis.commands.avoided_cost", module)
    code, out, _ = run(
        capsys,
        "quote",
        "ocec-res",
        "--kwh",
        "100",
        "--received-kwh",
        "300",
        "--start",
        "2026-09-01",
        "--end",
        "2026-10-01",
        "--json",
    )
    assert code == 0 and json.loads(out)["net_metering"]["credit"] == "5.00"  # 200 x 0.025
    assert [str(day) for day in asked] == ["2026-09-30"]


def test_without_a_database_rate_it_asks_for_one(capsys, monkeypatch):
    module = types.ModuleType("coopcis.commands.avoided_cost")

    def missing(day):
        raise LookupError(f"no avoided cost in force on {day} in the database")

    module.avoided_cost_on = missing
    monkeypatch.setitem(sys.modules, "coopcis.commands.avoided_cost", module)
    code, _, err = run(capsys, "quote", "ocec-res", "--kwh", "100", "--received-kwh", "300")
    assert code == 2 and "give --avoided-cost-per-kwh" in err and err.count("\n") == 1


def test_a_quote_with_its_avoided_cost_stays_pure():
    script = (
        "import sys; from coopcis.commands import rate; "
        "code = rate.main(['quote', 'ocec-res', '--kwh', '400', '--received-kwh', '900', "
        "'--avoided-cost-per-kwh', '0.03', '--json']); "
        "assert code == 0; assert 'django' not in sys.modules, 'django imported'"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
