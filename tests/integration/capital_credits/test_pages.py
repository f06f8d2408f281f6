"""The staff pages: years and pools, an allocation, a retirement's register, the unclaimed
search, the account page's card; each read of members' credits logged."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from coopcis.apps.audit.models import MemberDataRead
from coopcis.apps.capital_credits.models import Allocation, CapitalCredit, Retirement
from tests.integration.backoffice.factories import staff_user
from tests.integration.capital_credits.coop import credits, patron
from tests.integration.jobs import coopcis

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk() -> Client:
    client = Client()
    client.force_login(staff_user("read_only", username="rosa"))
    return client


@pytest.fixture
def retired(freeze_today, capsys):
    freeze_today(date(2026, 5, 1))
    alma = patron("3400001")
    ben = patron("3400002", status="CLOSED")
    credits(2020, {alma: "100.00", ben: "50.00"})
    code, _, err = coopcis(
        capsys, "capital-credits", "retire", "--approved", "150.00", "--resolution", "R-7",
        "--approved-on", "2026-04-20", "--first-check", "501",
    )  # fmt: skip
    assert code == 0, err
    return alma, ben


def reads_of(kind: str) -> list[str]:
    return sorted(MemberDataRead.objects.filter(kind=kind).values_list("account_number", flat=True))


def test_the_pages_show_the_years_the_register_and_log_each_read(retired, clerk):
    allocation = Allocation.objects.get()
    retirement = Retirement.objects.get()

    index = clerk.get("/capital-credits/").text
    detail = clerk.get(f"/capital-credits/allocations/{allocation.pk}/").text
    register = clerk.get(f"/capital-credits/retirements/{retirement.pk}/").text
    csv = clerk.get(f"/capital-credits/retirements/{retirement.pk}/register.csv")

    assert "$150.00" in index and "R-7" in index
    assert "3400001" in detail and "$100.00" in detail
    assert "501" in register and "Bill credit" in register and "Check" in register
    assert csv["Content-Type"] == "text/csv"
    assert csv.content.decode().splitlines()[1].startswith("501,3400002,")
    # each page and the register file log both patrons it showed (the index shows none)
    assert reads_of("CAP_CREDITS") == ["3400001"] * 3 + ["3400002"] * 3


def test_the_unclaimed_search_finds_a_check_by_account_or_name(retired, clerk):
    found = clerk.get("/capital-credits/unclaimed/", {"q": "3400002"}).text
    missing = clerk.get("/capital-credits/unclaimed/", {"q": "nobody"}).text

    assert "501" in found and "$50.00" in found and "2028-05-01" in found  # claim by
    assert "No unclaimed checks" in missing


def test_the_account_page_card_and_the_notice(retired, clerk):
    alma, _ = retired
    credit = CapitalCredit.objects.get(account=alma)

    page = clerk.get(f"/accounts/{alma.number}/").text
    notice = clerk.get(f"/capital-credits/accounts/{alma.number}/notices/{credit.pk}.pdf")
    elsewhere = clerk.get(f"/capital-credits/accounts/3400002/notices/{credit.pk}.pdf")

    assert 'id="capital-credits"' in page and "Bill credit" in page
    assert notice.status_code == 200 and notice.content.startswith(b"%PDF")
    assert elsewhere.status_code == 404
    assert reads_of("NOTICE_PDF") == ["3400001"]


def test_a_member_sees_their_own_capital_credits_in_the_portal(retired):
    from tests.integration.portal.factories import member

    alma, ben = retired
    client = Client()
    client.force_login(member("alma@example.org", alma))

    own = client.get(f"/portal/accounts/{alma.number}/capital-credits/")
    other = client.get(f"/portal/accounts/{ben.number}/capital-credits/")

    assert own.status_code == 200
    text = own.text
    assert "2020" in text and "$100.00" in text and "Bill credit" in text
    assert other.status_code == 404


def test_the_printable_check_register_lists_each_check_and_the_totals(retired, clerk):
    from io import BytesIO

    from pypdf import PdfReader

    retirement = Retirement.objects.get()

    pdf = clerk.get(f"/capital-credits/retirements/{retirement.pk}/register.pdf")

    assert pdf["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    # Ben, a former member, by check 501 to the address on file; Alma by bill credit
    assert "501" in text and "3400002" in text and "Cloudcroft NM 88317" in text
    assert "3400001" in text and "R-7" in text
    assert "2 payouts, total $150.00" in text
    assert reads_of("CAP_CREDITS") == ["3400001", "3400002"]
