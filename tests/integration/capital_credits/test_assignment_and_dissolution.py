"""Assignment to a successor at the premises, a G&T pool retired only with its cash, and
the dissolution report."""

from __future__ import annotations

import json
from datetime import date

import pytest

from coopcis.apps.capital_credits.models import Assignment, CapitalCredit
from coopcis.apps.ledger.models import JournalEntry, JournalLine
from tests.factories import ServiceAgreementFactory, ServicePointFactory
from tests.integration.capital_credits.coop import credits, patron
from tests.integration.jobs import coopcis, database_dump

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(freeze_today):
    freeze_today(date(2026, 5, 1))
    leaving = patron("3500001", status="CLOSED")
    staying = patron("3500002")  # the buyer of the house, same premise
    stranger = patron("3500003")
    home = ServicePointFactory()
    ServiceAgreementFactory(account=leaving, service_point=home, end_on=date(2024, 6, 30))
    ServiceAgreementFactory(account=staying, service_point=home, start_on=date(2024, 7, 1))
    ServiceAgreementFactory(account=stranger, service_point=ServicePointFactory())
    credits(2021, {leaving: "40.00", stranger: "60.00"})
    credits(2022, {leaving: "25.50"})
    return leaving, staying, stranger


def test_credits_go_to_a_successor_in_occupancy_on_written_instructions(household, capsys):
    code, out, err = coopcis(
        capsys, "capital-credits", "assign", "3500001", "--to", "3500002",
        "--successor", "occupancy", "--instructions", "Letter of 2026-04-28 selling the house",
        "--received-on", "2026-04-30",
    )  # fmt: skip

    assert code == 0, err
    assert "assigned 65.50 of capital credits from 3500001 to 3500002" in out
    owners = sorted(
        (c.allocation.year, c.account.number, f"{c.amount:.2f}")
        for c in CapitalCredit.objects.select_related("allocation", "account")
    )
    assert owners == [
        (2021, "3500002", "40.00"),
        (2021, "3500003", "60.00"),
        (2022, "3500002", "25.50"),
    ]
    assignment = Assignment.objects.get()
    entry = JournalEntry.objects.get(source_key=f"capital-credits:assignment:{assignment.pk}")
    moved = {
        (line.member_account.number, f"{line.debit_amount:.2f}", f"{line.credit_amount:.2f}")
        for line in JournalLine.objects.filter(entry=entry).select_related("member_account")
    }
    assert moved == {("3500001", "65.50", "0.00"), ("3500002", "0.00", "65.50")}


def test_an_assignment_elsewhere_or_without_instructions_is_refused(household, capsys):
    before = database_dump()

    code, _, err = coopcis(
        capsys, "capital-credits", "assign", "3500001", "--to", "3500003",
        "--successor", "interest", "--instructions", "a note", "--received-on", "2026-04-30",
    )  # fmt: skip
    assert code == 1 and "successor in interest or occupancy" in err
    code, _, err = coopcis(
        capsys, "capital-credits", "assign", "3500001", "--to", "3500002",
        "--successor", "interest", "--instructions", " ", "--received-on", "2026-04-30",
    )  # fmt: skip
    assert code == 1 and "written instructions" in err
    assert database_dump() == before


def test_a_gt_pool_is_retired_only_with_the_cash_it_paid(household, capsys):
    leaving, _, stranger = household
    credits(2021, {leaving: "30.00", stranger: "70.00"}, pool="tri-state")
    retire = (
        "capital-credits", "retire", "--pool", "tri-state", "--approved", "50.00",
        "--resolution", "R-9", "--approved-on", "2026-04-01", "--json",
    )  # fmt: skip

    code, _, err = coopcis(capsys, *retire)
    assert code == 1 and "retired only with the cash that co-op paid" in err
    code, _, err = coopcis(capsys, *retire, "--gt-cash", "40.00")
    assert code == 1 and "exceeds the 40.00 that co-op paid in cash" in err

    code, out, err = coopcis(capsys, *retire, "--gt-cash", "50.00", "--method", "percentage")

    assert code == 0, err
    assert json.loads(out)["retired"] == "50.00"  # 15.00 check, 35.00 bill credit
    tri_state = {
        c.account.number: f"{c.open_amount:.2f}"
        for c in CapitalCredit.objects.filter(allocation__pool="tri-state").select_related(
            "account"
        )
    }
    assert tri_state == {"3500001": "15.00", "3500003": "35.00"}


def test_the_dissolution_report_retires_every_credit_pro_rata(household, capsys):
    # outstanding 65.50 and 60.00 (125.50); 100.00 left after all debts:
    # 10,000 cents x 65.50 / 125.50 = 5,219.12 and x 60.00 / 125.50 = 4,780.88 ->
    # 5,219 + 4,780 = 9,999, the cent to the larger remainder (.88): 52.19 and 47.81
    code, out, _ = coopcis(capsys, "capital-credits", "dissolution", "--available", "100.00",
                           "--json")  # fmt: skip

    assert code == 0
    data = json.loads(out)
    assert (data["outstanding"], data["retired"]) == ("125.50", "100.00")
    assert [(p["account"], p["outstanding"], p["retired"]) for p in data["patrons"]] == [
        ("3500001", "65.50", "52.19"),
        ("3500003", "60.00", "47.81"),
    ]


def test_a_partly_retired_credit_leaves_its_retired_part_with_the_assignor(household, capsys):
    leaving, _, stranger = household
    CapitalCredit.objects.filter(account=leaving, allocation__year=2021).update(
        retired_amount="10.00"
    )

    code, out, err = coopcis(
        capsys, "capital-credits", "assign", "3500001", "--to", "3500002",
        "--successor", "occupancy", "--instructions", "Letter of 2026-04-28",
        "--received-on", "2026-04-30",
    )  # fmt: skip

    assert code == 0, err
    assert "assigned 55.50 of capital credits" in out  # 30.00 open of 2021 + 25.50 of 2022
    rows = sorted(
        (c.allocation.year, c.account.number, f"{c.amount:.2f}", f"{c.retired_amount:.2f}",
         c.assigned_from.number if c.assigned_from else None)
        for c in CapitalCredit.objects.select_related("allocation", "account", "assigned_from")
        if c.account_id != stranger.pk
    )  # fmt: skip
    assert rows == [
        (2021, "3500001", "10.00", "10.00", None),
        (2021, "3500002", "30.00", "0.00", "3500001"),
        (2022, "3500002", "25.50", "0.00", "3500001"),
    ]
