"""Outage history imported from another system, and the IEEE 1366 indices from it."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from coopcis.apps.outages.models import HistoryImport, Interruption
from coopcis.apps.outages.services import customers_served
from coopcis.cli import main
from tests.factories import ServiceAgreementFactory

pytestmark = pytest.mark.django_db

HEADER = "start,end,customers_interrupted,cause,device\n"

# Five years of history over 1,000 customers: three days with any SAIDI (1, 10 and 100
# minutes), so ln SAIDI = 0, L, 2L (L = ln 10): alpha = L, beta = L, T_MED = 10^3.5.
HISTORY = HEADER + (
    "2021-07-04T12:00:00-06:00,2021-07-04T12:10:00-06:00,100,equipment,F-12\n"
    "2023-02-10T11:00:00-07:00,2023-02-10T12:40:00-07:00,100,animal,F-9\n"
    "2025-08-20T12:00:00-06:00,2025-08-21T04:40:00-06:00,100,lightning,R-3\n"
    "2024-01-01T11:00:00-07:00,2024-01-01T11:03:00-07:00,900,tree,R-3\n"
)
# 2026: a storm day (SAIDI 4,000 > T_MED), a windy day (3,000, not), an ordinary outage
# and a recloser's momentary operations.
YEAR = HEADER + (
    "2026-04-01T12:00:00-06:00,2026-04-04T06:40:00-06:00,1000,extreme_storm,SUB-2\n"
    "2026-04-02T12:00:00-06:00,2026-04-04T14:00:00-06:00,1000,wind,SUB-3\n"
    "2026-04-03T12:00:00-06:00,2026-04-03T13:00:00-06:00,50,planned,F-1\n"
    "2026-05-01T09:00:00-06:00,2026-05-01T09:00:30-06:00,300,unknown,R-7\n"
    "2026-05-01T09:01:00-06:00,2026-05-01T09:01:30-06:00,300,unknown,R-7\n"
)


@pytest.fixture
def files(tmp_path):
    history, year = tmp_path / "history.csv", tmp_path / "2026.csv"
    history.write_text(HISTORY, encoding="utf-8")
    year.write_text(YEAR, encoding="utf-8")
    return history, year


def test_history_imports_once_and_indices_follow_the_standard(files, capsys):
    history, year = files
    call_command("outages", "import", str(history))
    call_command("outages", "import", str(year))
    assert Interruption.objects.count() == 9
    # the same file again is refused, and counts nothing twice
    with pytest.raises(CommandError, match="already imported"):
        call_command("outages", "import", str(history))
    assert Interruption.objects.count() == 9
    capsys.readouterr()

    call_command("outages", "indices", "--year", "2026", "--customers-served", "1000", "--json")
    figures = json.loads(capsys.readouterr().out)
    assert figures["t_med"] == pytest.approx(10**3.5, abs=0.001)
    assert figures["t_med_history"]["days_with_interruptions"] == 3
    assert figures["major_event_days"] == ["2026-04-01"]
    # sustained: 1000 x 4000 + 1000 x 3000 + 50 x 60 customer minutes over 1,000 served
    assert figures["saifi"] == 2.05
    assert figures["saidi"] == 7003.0
    assert figures["caidi"] == pytest.approx(7003 / 2.05, abs=0.01)
    # two momentary operations of R-7 a minute apart: MAIFI counts 2, MAIFI_E one event
    assert figures["maifi"] == 0.6 and figures["maifi_e"] == 0.3
    without = figures["excluding_med"]
    assert without["saifi"] == 1.05 and without["saidi"] == 3003.0
    # imported history names no customers: CAIFI and CEMI are not guessed
    assert figures["caifi"] is None and figures["cemi"] is None


def test_rus7_report_by_cause(files, tmp_path, capsys):
    history, year = files
    call_command("outages", "import", str(history))
    call_command("outages", "import", str(year))
    out = tmp_path / "rus7.csv"
    call_command(
        "outages", "indices", "--year", "2026", "--customers-served", "1000",
        "--report", "rus7", "--out", str(out),
    )  # fmt: skip
    with out.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["", "Power supplier", "Extreme storm", "Prearranged", "All other", "Total"]
    # 2026: storm 4,000; planned 50 x 60 / 1000 = 3; wind 3,000 is "all other"
    assert rows[1] == ["2026", "0.00", "4000.00", "3.00", "3000.00", "7003.00"]
    # five-year average, 2022-2026, over the years with data: 2023, 2025 and 2026 (2022 has
    # none, 2024 only a momentary): all other (10 + 100 + 3000) / 3, storm 4000 / 3
    assert rows[2] == [
        "Five-year average (3 years with data, 2022-2026)",
        "0.00",
        "1333.33",
        "1.00",
        "1036.67",
        "2371.00",
    ]


def test_a_bad_file_imports_nothing_and_names_each_line(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + "2026-01-05T10:00:00-07:00,2026-01-05T11:00:00-07:00,40,tree,F-1\n"
        + "2026-01-06T10:00:00,2026-01-06T11:00:00-07:00,40,tree,F-1\n"
        + "2026-01-07T10:00:00-07:00,2026-01-07T09:00:00-07:00,40,tree,F-1\n"
        + "2026-01-08T10:00:00-07:00,2026-01-08T11:00:00-07:00,1e3,tree,F-1\n",
        encoding="utf-8",
    )
    assert main(["outages", "import", str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert "line 3: start needs a UTC offset" in err
    assert "line 4: end is before start" in err
    assert "line 5: customers_interrupted must be a whole number" in err
    assert not Interruption.objects.exists() and not HistoryImport.objects.exists()


def test_a_file_with_the_wrong_columns_is_refused(tmp_path, capsys):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("begin,end,customers,cause\n", encoding="utf-8")
    assert main(["outages", "import", str(wrong)]) == 1
    err = capsys.readouterr().err
    assert "missing column(s) start, customers_interrupted" in err


def test_customers_served_are_the_service_points_in_service():
    ServiceAgreementFactory(start_on=date(2020, 1, 1), end_on=None)
    ServiceAgreementFactory(start_on=date(2020, 1, 1), end_on=date(2026, 3, 1))
    ServiceAgreementFactory(start_on=date(2027, 1, 1), end_on=None)
    ServiceAgreementFactory(start_on=date(2018, 1, 1), end_on=date(2025, 6, 1))
    assert customers_served(date(2026, 1, 1), date(2026, 12, 31)) == 2


def test_no_customers_served_asks_for_the_override(capsys):
    assert main(["outages", "indices", "--year", "2019"]) == 1
    assert "--customers-served" in capsys.readouterr().err
