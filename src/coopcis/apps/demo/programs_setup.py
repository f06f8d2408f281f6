"""The demo co-op's programs on the bill: some members repaying aid-to-construction loans
(SEC policy 424) and some with efficiency rebates approved as bill credits, so the bill
run of the latest month carries installments and credits as a real co-op's would."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from coopcis.apps.loans.models import Security
from coopcis.apps.loans.services import apply_for_loan, approve_loan, disburse_loan
from coopcis.apps.members.models import Account
from coopcis.apps.rebates.services import Upload, approve_claim, set_budget, submit_claim

#: One member in LOAN_EVERY has a loan, one in CLAIM_EVERY an approved rebate claim...
LOAN_EVERY, CLAIM_EVERY = 200, 100
#: ... up to these many (as many as a 20,000-member co-op has): each goes through the
#: loan and rebate services, about a tenth of a second apiece, and the year's rebate
#: budget below would not cover the claims of a co-op ten times that size.
MOST_LOANS, MOST_CLAIMS = 100, 200
PROOF = b"%PDF-1.4\n% demo proof\n"
#: (measure, cost, quantity, size): one of each shape in turn.
PURCHASES = (
    ("freezer", Decimal("649.00"), 1, None),
    ("clothes_washer_dryer", Decimal("1398.00"), 2, None),
    ("mini_split", Decimal("5200.00"), 2, None),
    ("refrigerator", Decimal("1450.00"), 1, Decimal("21.5")),
    ("electric_mower", Decimal("429.00"), 1, None),
    ("led_lighting", Decimal("186.40"), 1, None),
)


def store_programs(*, end: date) -> int:
    """Loans disbursed and claims approved before the latest month's bills (``end`` is
    the day after that month); the number of loans and claims stored."""
    latest = (end - timedelta(days=1)).replace(day=1)
    decided = latest - timedelta(days=20)
    accounts = list(
        Account.objects.filter(rate_class="RESIDENTIAL", agreements__isnull=False)
        .distinct()
        .order_by("id")
    )
    if not accounts:
        return 0
    set_budget(
        year=decided.year,
        amount=Decimal("250000.00"),
        per_account=Decimal("3000.00"),
        source="Demo board resolution",
    )
    stored = 0
    for index, account in enumerate(accounts[:: _every(accounts, LOAN_EVERY, MOST_LOANS)]):
        amount = Decimal(1000 + (index * 1375) % 11000).quantize(Decimal("0.01"))
        loan = apply_for_loan(
            account=account,
            on=decided - timedelta(days=30),
            aid=(amount / Decimal("0.8")).quantize(Decimal("0.01")),
            amount=amount,
            purpose=f"Line extension, work order {decided.year}-{index + 1:03d}",
            security=Security.MORTGAGE,
            prior_utility_report="Previous supplier's report: clean",
            credit_report_on=decided - timedelta(days=40),
            credit_agency="Demo credit bureau",
            mortgage_fees_due=Decimal("45.00"),
            mortgage_fees_paid=Decimal("45.00"),
        )
        if loan.refusals:
            continue
        board = amount > Decimal("5000.00")
        approve_loan(
            loan=loan,
            on=decided - timedelta(days=10),
            approver="board" if board else "general_manager",
            board_meeting_on=decided - timedelta(days=11) if board else None,
        )
        disburse_loan(loan=loan, on=decided)
        stored += 1
    for index, account in enumerate(
        accounts[CLAIM_EVERY // 2 :: _every(accounts, CLAIM_EVERY, MOST_CLAIMS)]
    ):
        measure, cost, quantity, size = PURCHASES[index % len(PURCHASES)]
        claim = submit_claim(
            account=account,
            measure_code=measure,
            on=decided - timedelta(days=5),
            purchased_on=decided - timedelta(days=25),
            cost=cost,
            retailer="Demo appliance store",
            uploads=(
                Upload("RECEIPT", "receipt.pdf", PROOF),
                Upload("ENERGY_STAR", "es.pdf", PROOF),
            ),
            quantity=quantity,
            size=size,
        )
        approve_claim(claim=claim, on=decided)
        stored += 1
    return stored


def _every(accounts: list[Account], every: int, most: int) -> int:
    """One account in ``every``, or fewer so as to pick at most ``most`` across them all."""
    return max(every, -(-len(accounts) // most))
