"""coopcis reads import|validate|exceptions|resolve from the command line.

Django closes the database connection when a command-line run ends, which PostgreSQL test
transactions do not survive, so each test calls ``main`` once, last, and ``call_command``
before it.
"""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from coopcis.apps.metering.models import ReadException
from coopcis.cli import main
from tests.integration.metering.conftest import install, steady_reads

pytestmark = pytest.mark.django_db


def command(*args: str) -> str:
    out = io.StringIO()
    call_command("reads", *args, stdout=out)
    return out.getvalue()


def test_import_summary_then_already_imported(write, capsys):
    install("R100")
    path = write(
        "reads.csv", "meter_serial,read_on,register_kwh\nR100,2025-01-05,10\nR999,2025-01-05,10\n"
    )
    out = command("import", str(path))
    assert "reads.csv: 2 rows read, 1 stored, 1 skipped" in out
    assert "skipped line 3 meter R999: unknown meter 'R999'" in out
    assert main(["reads", "import", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["already_imported"] is True


def test_malformed_file_is_one_line_and_non_zero(write, capsys):
    path = write("reads.csv", "hello world\n")
    assert main(["reads", "import", str(path), "--format", "csv-register"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("coopcis reads: error: missing header column(s)") and "\n" not in err


def test_validate_exceptions_and_resolve(capsys):
    meter = install("R100")
    steady_reads(meter, first=date(2024, 1, 5), count=14, kwh_per_day=20)
    summary = json.loads(command("validate", "--period", "2025-03", "--json"))
    assert summary["estimates"][0]["method"] == "SAME_PERIOD_LAST_YEAR"
    (queued,) = json.loads(command("exceptions", "--json"))
    assert (queued["meter"], queued["kind"], queued["status"]) == ("R100", "MISSING_READ", "OPEN")
    command("resolve", str(queued["id"]), "--accept", "--note", "meter reader ill")
    exception = ReadException.objects.get()
    assert exception.status == "ACCEPTED" and exception.note == "meter reader ill"
    assert "No open read exceptions." in command("exceptions")
    assert main(["reads", "validate", "--period", "2025-13"]) == 1
    assert (
        capsys.readouterr().err.strip() == "coopcis reads: error: not a month (YYYY-MM): '2025-13'"
    )
