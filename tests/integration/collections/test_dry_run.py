"""``collections run --dry-run`` prints exactly what the run then does and changes nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest

from coopcis.apps.collections.models import Notice
from tests.integration.jobs import coopcis, database_dump

pytestmark = pytest.mark.django_db


def test_the_dry_run_reports_what_the_run_does_and_changes_nothing(billed, capsys, freeze_today):
    # given the home's October bill ($183.89) unpaid past its due date (30 October)
    freeze_today(date(2026, 12, 6))
    before = database_dump()
    # when the job is rehearsed for 2 November
    code, out, err = coopcis(capsys, "collections", "run", "--as-of", "2026-11-02", "--dry-run")
    assert (code, err) == (0, "")
    assert database_dump() == before
    assert not Notice.objects.exists()
    home = billed.home.number
    assert out.splitlines()[:2] == [
        "DRY RUN: nothing was changed; this is what the run would do:",
        "Collections as of 2026-11-02",
    ]
    assert f"second_notices           1  {home} ($183.89)" in out
    # and its JSON is exactly the real run's
    code, rehearsed, _ = coopcis(
        capsys, "collections", "run", "--as-of", "2026-11-02", "--dry-run", "--json"
    )
    assert database_dump() == before
    code, real, _ = coopcis(capsys, "collections", "run", "--as-of", "2026-11-02", "--json")
    assert json.loads(rehearsed) == json.loads(real) | {"dry_run": True}
    assert json.loads(real)["amounts"]["second_notices"] == {home: "183.89"}
    assert str(Notice.objects.get().amount) == json.loads(real)["amounts"]["second_notices"][home]
    assert database_dump() != before
