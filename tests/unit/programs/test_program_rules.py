"""The pure rules behind loans and rebate claims, without a database."""

from datetime import date
from decimal import Decimal

import pytest

from coopcis.core.errors import RuleViolation
from coopcis.core.loans.eligibility import LoanFacts, loan_refusals, months_between
from coopcis.core.money import Money
from coopcis.core.payments.allocation import OpenItem, allocate
from coopcis.core.rebates.claims import (
    Headroom,
    check_headroom,
    file_type,
    missing_proof,
    safe_filename,
)

D = Decimal
GOOD = LoanFacts(
    as_of=date(2026, 6, 1),
    service_since=date(2025, 6, 1),
    prior_utility_report_clean=False,
    late_months=2,
    bad_debt_report_on=date(2026, 5, 1),
    bad_debt_found=False,
    security="MORTGAGE",
    mortgage_fees_paid=D("45.00"),
    mortgage_fees_due=D("45.00"),
)


def test_twelve_whole_months_of_service_and_two_late_months_qualify():
    assert months_between(date(2025, 6, 1), date(2026, 6, 1)) == 12
    assert months_between(date(2025, 6, 2), date(2026, 6, 1)) == 11
    assert loan_refusals(GOOD) == []


def test_one_day_short_of_a_year_needs_the_prior_report():
    from dataclasses import replace

    short = replace(GOOD, service_since=date(2025, 6, 2))
    assert len(loan_refusals(short)) == 1
    assert loan_refusals(replace(short, prior_utility_report_clean=True)) == []
    assert "late 3 months" in loan_refusals(replace(GOOD, late_months=3))[0]
    assert (
        "capital credits needs the decision"
        in loan_refusals(replace(GOOD, security="CAPITAL_CREDITS"))[0]
    )
    assert "no credit agency report" in loan_refusals(replace(GOOD, bad_debt_report_on=None))[0]


def test_a_payment_reaches_an_older_installment_only_after_newer_electric_charges():
    items = [
        OpenItem(1, "LOAN", date(2026, 7, 30), Money(D("188.71"))),
        OpenItem(2, "ELECTRIC", date(2026, 8, 30), Money(D("92.10"))),
        OpenItem(3, "FEE", date(2026, 8, 30), Money(D("40.00"))),
    ]
    result = allocate(Money(D("150.00")), items)
    assert [(a.item_id, a.amount.amount) for a in result.allocations] == [
        (2, D("92.10")),
        (3, D("40.00")),
        (1, D("17.90")),
    ]
    # the rule is a parameter: with nothing paid last, the oldest goes first again
    first = allocate(Money(D("150.00")), items, last=())
    assert first.allocations[0].item_id == 1 and first.allocations[0].amount.amount == D("150.00")


def test_proof_is_checked_by_its_content_and_size():
    assert file_type("r.pdf", b"%PDF-1.7 ...") == "application/pdf"
    assert file_type("photo.JPG", b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    with pytest.raises(RuleViolation, match="PDF, JPEG or PNG"):
        file_type("r.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(RuleViolation, match="empty"):
        file_type("r.pdf", b"")
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\m\\recibo de compra.pdf") == "recibo_de_compra.pdf"
    assert missing_proof({"RECEIPT"}, energy_star=True) == ["the ENERGY STAR certification"]
    assert missing_proof({"RECEIPT"}, energy_star=False) == []


def test_a_rebate_fits_the_budget_to_the_cent_and_not_a_cent_more():
    room = Headroom(2026, D("1000.00"), D("900.00"), D("500.00"), D("0.00"))
    check_headroom(D("100.00"), room)
    with pytest.raises(RuleViolation, match=r"\$100\.00 left"):
        check_headroom(D("100.01"), room)
    mine = Headroom(2026, D("1000.00"), D("0.00"), D("500.00"), D("450.00"))
    with pytest.raises(RuleViolation, match="over its 2026 limit"):
        check_headroom(D("50.01"), mine)
