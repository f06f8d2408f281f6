"""`coopcis outages import` and `outages network import` refuse a file in the same one line."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError

from coopcis.apps.outages.management.commands.outages import import_file
from coopcis.core.outages.history import HistoryFileError
from coopcis.core.outages.network import NetworkFileError


def _refuse(problems):
    def load(path):
        raise NetworkFileError(problems)

    return load


def test_a_file_read_whole_gives_what_was_imported(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("start,end\n")

    assert import_file(path, lambda p: p.read_text(), HistoryFileError) == "start,end\n"


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match=r"^no such file: .*gone\.csv$"):
        import_file(tmp_path / "gone.csv", lambda p: p, HistoryFileError)


def test_a_refused_file_names_its_first_five_problems_and_counts_the_rest(tmp_path):
    path = tmp_path / "network.csv"
    path.write_text("x\n")
    problems = [f"line {n}: no parent" for n in range(2, 10)]

    with pytest.raises(CommandError) as refused:
        import_file(path, _refuse(problems), NetworkFileError)

    assert str(refused.value) == (
        "network.csv: nothing imported: line 2: no parent; line 3: no parent; "
        "line 4: no parent; line 5: no parent; line 6: no parent (and 3 more)"
    )


def test_a_file_with_few_problems_names_them_all(tmp_path):
    path = tmp_path / "network.csv"
    path.write_text("x\n")

    with pytest.raises(CommandError) as refused:
        import_file(path, _refuse(["line 2: no parent"]), NetworkFileError)

    assert str(refused.value) == "network.csv: nothing imported: line 2: no parent"


def test_another_error_is_not_taken_for_a_refused_file(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("x\n")

    with pytest.raises(NetworkFileError):
        import_file(path, _refuse(["line 2: no parent"]), HistoryFileError)
