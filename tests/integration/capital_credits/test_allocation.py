"""Allocating a year's margins over a small co-op of members and non-members, to the cent."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from coopcis.apps.capital_credits.models import Allocation, CapitalCredit
from coopcis.apps.ledger.models import JournalEntry, JournalLine
from coopcis.apps.ledger.services import reverse_entry
from tests.integration.capital_credits.coop import bill, patron
from tests.integration.jobs import coopcis, database_dump

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_2025(freeze_today):
    freeze_today(date(2026, 3, 2))
    alma = patron("3000001")  # member
    ben = patron("3000002", paperless=True, email="ben@example.org")  # member, paperless
    mill = patron("3000003", member=False, rate_class="SMALL_COMMERCIAL")  # non-member
    gone = patron("3000004")  # billed once, the bill cancelled
    old = patron("3000005")  # billed only in 2024
    # Alma: energy 900.00 + PCA 100.00 = 1,000.00 electric revenue; tax and the renewable
    # fee are not patronage.
    bill(alma, date(2025, 1, 10), ("energy", "600.00"), ("pca", "50.00"), ("tax-grt", "44.28"))
    bill(alma, date(2025, 7, 10), ("energy", "300.00"), ("pca", "50.00"), ("renewable", "3.00"))
    bill(ben, date(2025, 12, 31), ("energy", "2500.00"), ("tax-grt", "170.31"))
    bill(mill, date(2025, 5, 10), ("energy", "500.10"), revenue="442.1")
    cancelled = bill(gone, date(2025, 4, 10), ("energy", "400.00"))
    reverse_entry(entry=cancelled, posted_on=date(2025, 4, 20), reason="wrong meter")
    bill(old, date(2024, 12, 31), ("energy", "800.00"))
    bill(old, date(2026, 1, 10), ("energy", "90.00"))
    return alma, ben, mill


def test_a_year_is_allocated_to_the_cent_over_members_and_non_members(
    year_2025, capsys, django_capture_on_commit_callbacks, mailoutbox
):
    # given patronage 1,000.00 + 2,500.00 + 500.10 = 4,000.10 and margins of 1,234.56:
    # exact shares 308.6323, 771.5807, 154.3469 cents-floored to 308.63 + 771.58 + 154.34
    # = 1,234.55; the cent left goes to the largest remainder (.69, the mill's)
    code, out, err = coopcis(
        capsys, "capital-credits", "allocate", "--year", "2025", "--margins", "1234.56", "--json"
    )

    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "year": 2025,
        "pool": "operating",
        "total": "1234.56",
        "patrons": [
            {"account": "3000001", "patronage": "1000.00", "amount": "308.63"},
            {"account": "3000002", "patronage": "2500.00", "amount": "771.58"},
            {"account": "3000003", "patronage": "500.10", "amount": "154.35"},
        ],
    }
    allocation = Allocation.objects.get(year=2025, pool="operating")
    entry = JournalEntry.objects.get(pk=allocation.entry_id)
    lines = {
        (line.gl_account_id, line.member_account.number if line.member_account else None): (
            line.debit_amount,
            line.credit_amount,
        )
        for line in entry.lines.select_related("member_account")
    }
    assert lines == {
        ("201.2", None): (Decimal("1234.56"), Decimal("0")),
        ("201.1", "3000001"): (Decimal("0"), Decimal("308.63")),
        ("201.1", "3000002"): (Decimal("0"), Decimal("771.58")),
        ("201.1", "3000003"): (Decimal("0"), Decimal("154.35")),
    }
    notices = dict(CapitalCredit.objects.values_list("account__number", "notice_method"))
    assert notices == {"3000001": "MAIL", "3000002": "EMAIL", "3000003": "MAIL"}
    # the paperless member's notice goes by email, once, when the notices are sent
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            code, out, _ = coopcis(capsys, "capital-credits", "send-notices", "--year", "2025")
    assert code == 0 and "1 capital-credit notices for 2025 (operating) by email" in out
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["ben@example.org"], "Your OCEC capital credit for 2025")
    ]
    assert "$771.58 of the co-op's 2025 margins" in mailoutbox[0].body


def test_a_year_already_allocated_is_refused_citing_the_bylaw(year_2025, capsys):
    coopcis(capsys, "capital-credits", "allocate", "--year", "2025", "--margins", "1234.56")
    before = database_dump()

    code, _out, err = coopcis(
        capsys, "capital-credits", "allocate", "--year", "2025", "--margins", "99.00"
    )

    assert code == 1
    assert "2025 is already allocated for the operating pool" in err
    assert "bylaws art. VIII sec. 2" in err
    assert err.count("\n") == 1
    assert database_dump() == before


def test_a_gt_pool_is_its_own_allocation_and_a_dry_run_changes_nothing(year_2025, capsys):
    coopcis(capsys, "capital-credits", "allocate", "--year", "2025", "--margins", "1234.56")
    before = database_dump()

    code, out, _ = coopcis(
        capsys, "capital-credits", "allocate", "--year", "2025", "--margins", "40.00",
        "--pool", "tri-state", "--dry-run", "--json",
    )  # fmt: skip

    assert code == 0
    data = json.loads(out)
    assert data["dry_run"] is True
    # 4,000 cents over 4,000.10: 999.975, 2,499.94, 500.087 floored to 999 + 2,499 + 500
    # = 3,998; the two cents left go to the two largest remainders (.975, .94)
    assert [p["amount"] for p in data["patrons"]] == ["10.00", "25.00", "5.00"]
    assert database_dump() == before


def test_the_year_must_have_ended_and_the_pool_be_known(year_2025, capsys):
    code, _, err = coopcis(
        capsys, "capital-credits", "allocate", "--year", "2026", "--margins", "10.00"
    )
    assert code == 1 and "after its fiscal year ends on 2026-12-31" in err

    code, _, err = coopcis(
        capsys, "capital-credits", "allocate", "--year", "2025", "--margins", "10.00",
        "--pool", "basin",
    )  # fmt: skip
    assert code == 1 and "unknown pool 'basin'" in err
    assert JournalLine.objects.filter(gl_account_id="201.1").aggregate(Sum("credit_amount")) == {
        "credit_amount__sum": None
    }


def test_on_the_kwh_basis_patronage_is_the_energy_of_posted_bills_in_the_year():
    from coopcis.apps.capital_credits.patronage import year_patronage
    from tests.factories import ServiceAgreementFactory
    from tests.integration.billing_pdf.factories import make_bill

    home = ServiceAgreementFactory()
    shop = ServiceAgreementFactory()
    make_bill(home, "2025-03", energy_wh=850_500)  # dated in March 2025
    make_bill(home, "2025-04", energy_wh=700_000, status="CANCELLED")  # not patronage
    make_bill(shop, "2025-06", energy_wh=1_200_000)
    make_bill(shop, "2026-01", energy_wh=999_000)  # the next fiscal year

    found = year_patronage(2025, basis="KWH")

    assert found == {home.account_id: Decimal("850.5"), shop.account_id: Decimal("1200")}
