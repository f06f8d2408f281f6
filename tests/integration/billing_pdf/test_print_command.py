"""``coopcis bills print``: a PDF per posted bill, a manifest of the bills to mail."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from coopcis.apps.billing.pdf import printing
from tests.integration.billing_pdf.conftest import pdf_pages, pdf_text, residence
from tests.integration.billing_pdf.factories import make_bill


def manifest_rows(out: Path, period: str = "2026-03") -> list[dict[str, str]]:
    with (out / f"manifest-{period}.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def print_bills(out: Path, *extra: str, period: str = "2026-03") -> None:
    call_command("bills", "print", "--period", period, "--out", str(out), *extra)


@pytest.fixture
def month(db: None) -> dict[str, object]:
    """March 2026: three posted bills (one Spanish, one paperless), one held, one
    cancelled and replaced, and another month's bill."""
    first = residence(number="3100417", mailing_zip="88317")
    second = residence(number="3100420", language="ES", mailing_zip="88310",
                       mailing_line2="Apt 2")  # fmt: skip
    paperless = residence(number="3100430", paperless=True, mailing_zip="88301")
    held = residence(number="3100440")
    cancelled = make_bill(second, status="CANCELLED", amount_due_amount=Decimal("999.99"))
    posted = [
        make_bill(first, amount_due_amount=Decimal("167.83")),
        make_bill(second, amount_due_amount=Decimal("201.50")),  # replaces the cancelled one
        make_bill(paperless),
    ]
    held_bill = make_bill(held, status="HELD")
    make_bill(first, "2026-02")
    return {"posted": posted, "held": held_bill, "cancelled": cancelled}


def test_writes_a_pdf_per_posted_bill_and_a_manifest_of_the_mailed_ones(month, tmp_path):
    print_bills(tmp_path, "--processes", "1")

    posted = month["posted"]
    files = sorted(path.name for path in tmp_path.glob("*.pdf"))
    # Neither the held, the cancelled nor February's bill is printed.
    assert files == sorted(f"{bill.number}.pdf" for bill in posted)
    rows = manifest_rows(tmp_path)
    # Mailing order is by ZIP: 88310 before 88317; the paperless account is not mailed.
    assert [row["account_number"] for row in rows] == ["3100420", "3100417"]
    spanish = rows[0]
    assert spanish["file"] == f"{posted[1].number}.pdf"
    assert spanish["bill_number"] == posted[1].number
    assert spanish["name"] == "Baca, Maria"
    assert spanish["address_line_1"] == "PO Box 817"
    assert spanish["address_line_2"] == "Apt 2"
    assert spanish["address_line_3"] == "Cloudcroft NM 88310"
    assert spanish["language"] == "ES"
    assert spanish["amount_due"] == "201.50"
    assert spanish["pages"] == "1" == str(pdf_pages((tmp_path / spanish["file"]).read_bytes()))
    # Address lines close up when there is no second street line, as on the envelope.
    assert rows[1]["address_line_2"] == "Cloudcroft NM 88317" and rows[1]["address_line_3"] == ""
    assert "Cantidad a pagar" in pdf_text((tmp_path / spanish["file"]).read_bytes())
    assert "$167.83" in pdf_text((tmp_path / rows[1]["file"]).read_bytes())


def test_include_paperless_lists_them_in_the_manifest_too(month, tmp_path):
    print_bills(tmp_path, "--processes", "1", "--include-paperless")

    assert [row["account_number"] for row in manifest_rows(tmp_path)] == [
        "3100430", "3100420", "3100417",
    ]  # fmt: skip


def test_the_summary_line_counts_what_was_written(month, tmp_path, capsys):
    print_bills(tmp_path, "--processes", "1")

    summary = capsys.readouterr().err.strip().splitlines()[-1]
    assert summary.startswith("coopcis bills print: 2026-03: 3 PDFs (3 pages, ")
    assert (
        "manifest manifest-2026-03.csv: 2 bills to mail in 2 envelopes, 1 paperless not in it"
        in summary
    )


def test_chunks_give_the_same_result_as_one_pass(month, tmp_path, monkeypatch):
    monkeypatch.setattr(printing, "CHUNK_SIZE", 1)

    print_bills(tmp_path, "--processes", "1")

    assert len(list(tmp_path.glob("*.pdf"))) == 3
    assert [row["account_number"] for row in manifest_rows(tmp_path)] == ["3100420", "3100417"]


def test_a_month_without_posted_bills_is_an_error_that_says_so(month, tmp_path):
    with pytest.raises(CommandError, match=r"no posted bills for 2026-04 to print \(0 held"):
        print_bills(tmp_path, period="2026-04")
    assert not list(tmp_path.iterdir())


def test_a_month_with_only_held_bills_says_how_many_are_held(db, tmp_path):
    make_bill(residence(number="3100450"), "2026-05", status="HELD")

    with pytest.raises(CommandError, match=r"\(1 held, 0 cancelled\)"):
        print_bills(tmp_path, period="2026-05")


@pytest.mark.parametrize("period", ["2026-13", "March", "2026-3-1"])
def test_a_bad_period_is_refused(db, tmp_path, period):
    with pytest.raises(CommandError, match="not a month"):
        print_bills(tmp_path, period=period)


def test_a_bad_process_count_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="--processes must be"):
        print_bills(tmp_path, "--processes", "0")


def test_from_the_command_line_a_bad_period_is_one_line_and_a_non_zero_exit(tmp_path):
    environment = {**os.environ, "COOPCIS_VAR_DIR": str(tmp_path / "var")}
    environment.pop("COOPCIS_DEBUG", None)
    coopcis = Path(sys.executable).with_name("coopcis")

    result = subprocess.run(
        [str(coopcis), "bills", "print", "--period", "2026-13", "--out", str(tmp_path)],
        capture_output=True, text=True, env=environment, timeout=120, check=False,
    )  # fmt: skip

    assert result.returncode == 1
    assert result.stderr == "coopcis bills: error: not a month (YYYY-MM): '2026-13'\n"


def _in_memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    )


@pytest.mark.django_db(transaction=True)
def test_two_local_processes_print_the_same_bills(tmp_path):
    if _in_memory_sqlite():
        pytest.skip("forked processes cannot see an in-memory SQLite test database")
    for number in range(5):
        make_bill(residence(number=f"31005{number:02d}", mailing_zip=f"8830{number}"))

    call_command("bills", "print", "--period", "2026-03", "--out", str(tmp_path), "--processes",
                 "2")  # fmt: skip

    assert len(list(tmp_path.glob("*.pdf"))) == 5
    assert [row["account_number"] for row in manifest_rows(tmp_path)] == [
        f"31005{number:02d}" for number in range(5)
    ]
