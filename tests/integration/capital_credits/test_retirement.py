"""General retirements (FIFO, percentage), estates at present value, unclaimed checks."""

from __future__ import annotations

import json
from datetime import date

import pytest

from coopcis.apps.capital_credits.models import CapitalCredit, Payout, Retirement
from coopcis.apps.ledger.models import JournalEntry, JournalLine
from coopcis.apps.members.models import MembershipStatus
from tests.integration.capital_credits.coop import bill, credits, patron
from tests.integration.jobs import coopcis, database_dump

pytestmark = pytest.mark.django_db

RETIRE = (
    "capital-credits", "retire", "--resolution", "Board resolution 2026-04",
    "--approved-on", "2026-04-20", "--on", "2026-05-01", "--first-check", "1001",
)  # fmt: skip


def lines_of(entry_id: int) -> dict[tuple[str, str | None], tuple[str, str]]:
    return {
        (line.gl_account_id, line.member_account.number if line.member_account else None): (
            f"{line.debit_amount:.2f}",
            f"{line.credit_amount:.2f}",
        )
        for line in JournalLine.objects.filter(entry_id=entry_id).select_related("member_account")
    }


@pytest.fixture
def open_years(freeze_today):
    freeze_today(date(2026, 5, 1))
    alma = patron("3100001")  # active member: bill credits
    ben = patron("3100002", status="CLOSED")  # former member: check
    cruz = patron("3100003", member=False, status="CLOSED")  # former non-member: check
    dee = patron("3100004", status="CLOSED")  # former, small: carried forward
    credits(2020, {alma: "100.00", ben: "50.00", dee: "6.00"})
    credits(2021, {alma: "80.00", cruz: "40.00"})
    return alma, ben, cruz, dee


def open_amounts() -> dict[tuple[int, str], str]:
    return {
        (c.allocation.year, c.account.number): f"{c.open_amount:.2f}"
        for c in CapitalCredit.objects.select_related("allocation", "account")
    }


def test_fifo_retires_the_oldest_year_first_and_the_next_in_part(open_years, capsys):
    # 206.00 approved: all of 2020 (156.00), then 50.00 of 2021's 120.00 pro rata: Alma
    # 80/120 x 50 = 33.333, Cruz 16.667 -> 33.33 and 16.67 (the cent to the larger
    # remainder). Dee's 6.00 is under the 10.00 smallest check and she is a former
    # member: carried forward, nothing retired. Alma (active) gets 133.33 as a bill credit;
    # Ben 50.00 and Cruz 16.67 checks 1001 and 1002.
    code, out, err = coopcis(capsys, *RETIRE, "--approved", "206.00", "--method", "fifo", "--json")

    assert code == 0, err
    data = json.loads(out)
    assert (data["retired"], data["checks"], data["bill_credits"], data["carried_forward"]) == (
        "200.00", "66.67", "133.33", "6.00",
    )  # fmt: skip
    assert open_amounts() == {
        (2020, "3100001"): "0.00",
        (2020, "3100002"): "0.00",
        (2020, "3100004"): "6.00",
        (2021, "3100001"): "46.67",
        (2021, "3100003"): "23.33",
    }
    payouts = {
        p.account.number: (p.method, f"{p.amount:.2f}", p.check_number)
        for p in Payout.objects.select_related("account")
    }
    assert payouts == {
        "3100001": ("BILL_CREDIT", "133.33", None),
        "3100002": ("CHECK", "50.00", 1001),
        "3100003": ("CHECK", "16.67", 1002),
    }
    retirement = Retirement.objects.get()
    assert lines_of(retirement.entry_id) == {
        ("201.1", "3100001"): ("133.33", "0.00"),
        ("201.1", "3100002"): ("50.00", "0.00"),
        ("201.1", "3100003"): ("16.67", "0.00"),
        ("142.1", "3100001"): ("0.00", "133.33"),
        ("232", None): ("0.00", "66.67"),
    }
    assert "equity ratio not checked" in err


def test_percentage_retires_the_same_share_of_every_open_year(open_years, capsys, tmp_path):
    # 138.00 of 276.00 open is half of every credit: Alma 50 + 40 = 90.00 (bill credit),
    # Ben 25.00 and Cruz 20.00 by check, Dee's 3.00 carried forward.
    register = tmp_path / "register.csv"
    code, out, err = coopcis(
        capsys, *RETIRE, "--approved", "138.00", "--method", "percentage",
        "--equity", "1000000.00", "--assets", "2000000.00", "--register", register, "--json",
    )  # fmt: skip

    assert code == 0, err
    assert err == ""  # (1,000,000 - 135) / (2,000,000 - 135) = 49.99%, above 30%
    data = json.loads(out)
    assert (data["retired"], data["checks"], data["bill_credits"]) == ("135.00", "45.00", "90.00")
    assert open_amounts() == {
        (2020, "3100001"): "50.00",
        (2020, "3100002"): "25.00",
        (2020, "3100004"): "6.00",
        (2021, "3100001"): "40.00",
        (2021, "3100003"): "20.00",
    }
    rows = register.read_text().splitlines()
    assert rows[0].startswith("check_number,account,payee,address,method")
    assert [row.split(",")[0] for row in rows[1:]] == ["1001", "1002", ""]
    assert rows[1].endswith(",25.00,0.00,25.00,2026-05-01,Issued")


def test_a_retirement_beyond_the_approval_is_refused_and_changes_nothing(open_years, capsys):
    before = database_dump()

    code, _, err = coopcis(capsys, *RETIRE, "--approved", "100.00", "--amount", "150.00")

    assert code == 1
    assert "retiring 150.00 exceeds the board's approval of 100.00" in err
    assert "bylaws art. VIII sec. 2" in err
    assert database_dump() == before


def test_an_equity_ratio_below_the_covenant_is_warned(open_years, capsys):
    # (100.00 - 66.67 ... ) the retirement pays 200.00: (250 - 200) / (1,000 - 200) = 6.25%
    code, _, err = coopcis(
        capsys, *RETIRE, "--approved", "206.00", "--equity", "250.00", "--assets", "1000.00"
    )

    assert code == 0
    assert "equity ratio after the retirement 6.25% is below the profile's minimum 30.00%" in err


def test_an_estate_retires_at_its_discounted_value_less_its_debts(freeze_today, capsys):
    # 5% a year, a 25-year rotation, valued in 2025: 2005 is reached in 2030, 5 years on:
    # 120 / 1.05^5 = 94.02; 2015 waits 15 years: 200 / 1.05^15 = 96.20; 2023 waits 23:
    # 80 / 1.05^23 = 26.05; 216.27 in all, less the 16.27 owed: a check for 200.00, and
    # 400.00 - 216.27 = 183.73 of discount is the co-op's gain (217)
    freeze_today(date(2025, 9, 1))
    estate = patron("3200001", status="CLOSED")
    estate.party.membership.status = MembershipStatus.DECEASED
    estate.party.membership.save()
    credits(2005, {estate: "120.00"})
    credits(2015, {estate: "200.00"})
    credits(2023, {estate: "80.00"})
    bill(estate, date(2025, 6, 10), ("energy", "16.27"))  # owed to the co-op

    code, out, err = coopcis(
        capsys, "capital-credits", "estate", "3200001", "--on", "2025-09-01", "--json"
    )

    assert code == 0, err
    data = json.loads(out)
    assert (data["face"], data["present_value"], data["check"]) == ("400.00", "216.27", "200.00")
    assert data["debts_deducted"] == {"142.1": "16.27"}
    retirement = Retirement.objects.get(kind="ESTATE")
    assert lines_of(retirement.entry_id) == {
        ("201.1", "3200001"): ("400.00", "0.00"),
        ("217", "3200001"): ("0.00", "183.73"),
        ("142.1", "3200001"): ("0.00", "16.27"),
        ("232", None): ("0.00", "200.00"),
    }
    assert open_amounts() == {(2005, "3200001"): "0.00", (2015, "3200001"): "0.00",
                              (2023, "3200001"): "0.00"}  # fmt: skip
    assert Payout.objects.get().payee.startswith("Estate of ")


def test_an_estate_needs_a_deceased_patron(freeze_today, capsys):
    freeze_today(date(2025, 9, 1))
    living = patron("3200002")
    credits(2015, {living: "200.00"})

    code, _, err = coopcis(capsys, "capital-credits", "estate", "3200002")

    assert code == 1 and "deceased patron's estate" in err


def test_an_unclaimed_check_becomes_a_gift_two_years_after_mailing(freeze_today, capsys):
    freeze_today(date(2024, 3, 15))
    former = patron("3300001", status="CLOSED")
    credits(2010, {former: "75.00"})
    code, _, err = coopcis(capsys, *RETIRE[:4], "--approved-on", "2024-03-01", "--on", "2024-03-15",
            "--approved", "75.00")  # fmt: skip
    assert code == 0, err
    payout = Payout.objects.get()
    assert (payout.method, payout.mailed_on) == ("CHECK", date(2024, 3, 15))

    freeze_today(date(2026, 3, 16))
    # claimable through 2026-03-15, two years after mailing: not yet a gift on that day
    code, out, _ = coopcis(
        capsys, "capital-credits", "gift-unclaimed", "--as-of", "2026-03-15", "--json"
    )
    assert (code, json.loads(out)["gifts"]) == (0, [])
    code, out, _ = coopcis(capsys, "capital-credits", "unclaimed", "--search", "3300001", "--json")
    assert [row["amount"] for row in json.loads(out)] == ["75.00"]

    code, out, _ = coopcis(
        capsys, "capital-credits", "gift-unclaimed", "--as-of", "2026-03-16", "--json"
    )

    assert code == 0
    assert json.loads(out)["gifts"] == [{"check": 1, "account": "3300001", "amount": "75.00"}]
    payout.refresh_from_db()
    assert (payout.status, payout.gifted_on) == ("GIFTED", date(2026, 3, 16))
    gift = JournalEntry.objects.get(source_key=f"capital-credits:gift:{payout.pk}")
    assert lines_of(gift.pk) == {("232", None): ("75.00", "0.00"),
                                 ("242.4", "3300001"): ("0.00", "75.00")}  # fmt: skip
    code, _, err = coopcis(capsys, "capital-credits", "claim", "1", "--on", "2026-03-16")
    assert code == 1 and "irrevocable gift since 2026-03-16 (bylaws art. VIII sec. 3)" in err
    code, out, _ = coopcis(capsys, "capital-credits", "unclaimed", "--json")
    assert json.loads(out) == []
