"""coopcis lockbox import / suspense / resolve from the command line."""

import json
from decimal import Decimal

import pytest

from coopcis.apps.ledger import reports
from coopcis.apps.payments.models import Payment
from coopcis.cli import main
from tests.integration.lockbox.conftest import DEPOSIT_DAY, stub
from tests.unit.lockbox.files import Row, lockbox_csv

pytestmark = pytest.mark.django_db


def test_import_suspense_and_resolve(billed, tmp_path, capsys):
    home = billed.home
    path = tmp_path / "lockbox-1015.csv"
    path.write_text(
        lockbox_csv(
            DEPOSIT_DAY,
            [Row("1", "1", stub(home), "100.00", "1"), Row("1", "2", "", "23.89", "2", "J DOE")],
        )
    )
    assert main(["lockbox", "import", str(path), "--json", "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["matched"], summary["suspense"], summary["total"]) == (1, 1, "123.89")
    assert summary["seconds"] >= 0

    assert main(["lockbox", "import", str(path), "--no-progress"]) == 0
    assert "already imported" in capsys.readouterr().out

    assert main(["lockbox", "suspense", "--json"]) == 0
    (item,) = json.loads(capsys.readouterr().out)
    assert (item["amount"], item["reason"], item["line"]) == (
        "23.89",
        "no scan line or account number",
        3,
    )
    code = main(
        ["lockbox", "resolve", str(item["item"]), "--account", home.number, "--note", "phoned"]
    )
    assert code == 0 and "applied to account" in capsys.readouterr().out
    assert reports.member_balances()[home.pk] == Decimal("100.00")  # 223.89 - 100 - 23.89
    assert Payment.objects.count() == 2


def test_a_broken_file_is_one_error_line_naming_the_line(billed, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(lockbox_csv(DEPOSIT_DAY, [Row("1", "1", stub(billed.home), "1.00")], count=2))
    assert main(["lockbox", "import", str(path), "--no-progress"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        "coopcis lockbox: error: file: bad.csv: line 3: control record says 2 items, the file has 1"
    )
    assert not Payment.objects.exists()
