"""The member's loans in the portal: balance, next installment, payoff today, the PDF."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from coopcis.apps.loans import services
from coopcis.apps.members.models import Language
from tests.factories import AccountFactory
from tests.integration.portal.factories import member as member_sign_in
from tests.integration.programs.test_loans import applied

pytestmark = pytest.mark.django_db
D = Decimal


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def lent(member, freeze_today):
    """A $10,000 loan (60 x $188.71) disbursed 2026-06-15, seen on 2026-07-15."""
    loan = applied(member.account, D("10000.00"), aid=D("12500.00"))
    services.approve_loan(
        loan=loan, on=date(2026, 6, 10), approver="board", board_meeting_on=date(2026, 6, 9)
    )
    services.disburse_loan(loan=loan, on=date(2026, 6, 15))
    freeze_today(date(2026, 7, 15))
    client = Client()
    client.force_login(member_sign_in("ana@example.org", member.account))
    return client, member.account, loan


def test_the_loan_page_shows_balance_next_installment_and_todays_payoff(lent):
    client, account, loan = lent
    html = client.get(f"/portal/accounts/{account.number}/loans/").content.decode()
    page = text(html)

    assert "$10,000.00" in page and "$188.71 for 60 months" in page
    # first installment: interest 10,000 x 5%/12 = 41.666.. -> $41.67; principal 188.71-41.67
    assert "number 1: $188.71 ($147.04 principal, $41.67 interest)" in page
    # payoff on 2026-07-15: 30 days since disbursement, 10,000 x 0.05 x 30/365 = 41.0958..
    # -> $41.10 (half up to the cent), so $10,041.10
    assert "To pay it off today (2026-07-15) $10,041.10: $10,000.00 principal and $41.10" in page
    assert f"/portal/accounts/{account.number}/loans/{loan.pk}/schedule.pdf" in html


def test_the_schedule_pdf_is_the_members_and_another_accounts_loan_is_404(lent):
    client, account, loan = lent
    pdf = client.get(f"/portal/accounts/{account.number}/loans/{loan.pk}/schedule.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    other = AccountFactory()
    assert client.get(f"/portal/accounts/{other.number}/loans/").status_code == 404
    # the loan's id under another linked account of the same member: still 404
    client.force_login(member_sign_in("bo@example.org", other))
    assert (
        client.get(f"/portal/accounts/{other.number}/loans/{loan.pk}/schedule.pdf").status_code
        == 404
    )


def test_the_loan_page_in_spanish(lent):
    client, account, _ = lent
    account.language = Language.SPANISH  # the member's language: their account's
    account.save(update_fields=["language"])
    page = text(client.get(f"/portal/accounts/{account.number}/loans/").content.decode())
    assert "Préstamos de ayuda para la construcción" in page
    assert "Saldo de capital" in page
