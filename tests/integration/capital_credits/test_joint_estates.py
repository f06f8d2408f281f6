"""Estates of joint memberships, per the profile's ``joint_estate`` (OCEC: ``survivor``).

Credits: $200.01 allocated for 2015, valued in 2025 at 5% a year with a 25-year rotation:
2015 is reached in 2040, 15 years on, so each dollar retires for 1 / 1.05^15 = 1 / 2.078928.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from coopcis.apps.capital_credits import estates
from coopcis.apps.capital_credits.models import CapitalCredit, Payout, Retirement
from coopcis.apps.capital_credits.params import rules
from coopcis.apps.members.models import JointMember
from tests.integration.capital_credits.coop import credits, patron
from tests.integration.jobs import coopcis, database_dump

pytestmark = pytest.mark.django_db


@pytest.fixture
def joint(freeze_today, capsys):
    """Membership of account 3600001 held by its party and Ray Ortiz, jointly."""
    freeze_today(date(2025, 9, 1))
    account = patron("3600001")
    credits(2015, {account: "200.01"})
    code, _, err = coopcis(capsys, "capital-credits", "joint", "3600001", "--add", "Ray Ortiz")
    assert code == 0, err
    return account


def die(account, on: date) -> None:
    membership = account.party.membership
    membership.status, membership.ended_on = "DECEASED", on
    membership.save()


def estate(capsys, *extra: str) -> tuple[int, dict | None, str]:
    code, out, err = coopcis(
        capsys, "capital-credits", "estate", "3600001", "--on", "2025-09-01", "--json", *extra
    )
    return code, (json.loads(out) if code == 0 else None), err


def open_2015() -> str:
    return f"{CapitalCredit.objects.get().open_amount:.2f}"


@pytest.fixture
def share_rule(monkeypatch):
    monkeypatch.setattr(
        estates, "rules", lambda: dataclasses.replace(rules(), joint_estate="share")
    )


def test_survivor_rule_keeps_the_credits_until_the_last_joint_member_dies(joint, capsys):
    die(joint, date(2025, 3, 1))
    before = database_dump()

    code, _, err = estate(capsys)

    assert code == 1
    assert "stay with the surviving joint member (Ray Ortiz)" in err and "survivor" in err
    assert database_dump() == before  # nothing retired while Ray lives

    code, _, err = coopcis(
        capsys, "capital-credits", "joint", "3600001", "--died", "Ray Ortiz", "--on", "2025-08-01"
    )
    assert code == 0, err
    code, data, err = estate(capsys)

    # all of it on the last death: 200.01 / 2.078928 = 96.2079 -> 96.21
    assert code == 0, err
    assert (data["face"], data["present_value"], data["check"]) == ("200.01", "96.21", "96.21")
    assert open_2015() == "0.00"
    assert Payout.objects.get().payee == "Estate of Ray Ortiz"  # the last to die


def test_share_rule_retires_each_deceased_holders_share(joint, capsys, share_rule):
    code, _, err = coopcis(
        capsys, "capital-credits", "joint", "3600001", "--died", "Ray Ortiz", "--on", "2025-05-01"
    )
    assert code == 0, err

    code, data, err = estate(capsys, "--deceased", "ray ortiz")

    # Ray's half of 200.01, rounded down: 100.00 -> 100.00 / 2.078928 = 48.1016 -> 48.10
    assert code == 0, err
    assert (data["face"], data["present_value"]) == ("100.00", "48.10")
    assert open_2015() == "100.01"
    assert Retirement.objects.get().deceased == "Ray Ortiz"

    code, _, err = estate(capsys, "--deceased", "Ray Ortiz")  # his share is retired
    assert code == 1 and "not yet retired" in err

    die(joint, date(2025, 8, 20))
    code, data, err = estate(capsys)

    # the last holder's death retires all that is left: 100.01 / 2.078928 = 48.1065 -> 48.11
    assert code == 0, err
    assert (data["face"], data["present_value"]) == ("100.01", "48.11")
    assert open_2015() == "0.00"
    assert Retirement.objects.count() == 2


def test_share_rule_waits_for_a_recorded_death(joint, capsys, share_rule):
    code, _, err = estate(capsys)

    assert code == 1 and "no holder's death waits" in err
    assert open_2015() == "200.01"


def test_a_joint_member_is_recorded_once_and_listed(joint, capsys):
    code, _, err = coopcis(capsys, "capital-credits", "joint", "3600001", "--add", "ray  ortiz")
    assert code == 1 and "already holds" in err

    code, out, err = coopcis(capsys, "capital-credits", "joint", "3600001", "--json")

    assert code == 0, err
    data = json.loads(out)
    assert [h["name"] for h in data["holders"]][1:] == ["Ray Ortiz"]
    assert data["rule"] == "survivor"
    assert JointMember.objects.get().died_on is None
