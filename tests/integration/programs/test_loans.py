"""An aid-to-construction loan from application to payoff on the bills (SEC policy 424)."""

from __future__ import annotations

import html
import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from coopcis.apps.billing.corrections import release_bill
from coopcis.apps.billing.models import Bill, BillLineItem, BillStatus, RiderFactor
from coopcis.apps.billing.pdf import render_bill_by_id
from coopcis.apps.billing.pdf.summary import load_summary_statement
from coopcis.apps.billing.run import run_billing
from coopcis.apps.ledger.models import JournalEntry
from coopcis.apps.loans import services
from coopcis.apps.loans.models import Loan, LoanStatus
from coopcis.apps.loans.schedule import schedule_pdf
from coopcis.apps.metering.models import RegisterRead
from coopcis.apps.receivables.models import ItemCategory, ItemStatus, ReceivableItem
from coopcis.core.errors import RuleViolation
from tests.factories import (
    MeterFactory,
    MeterInstallationFactory,
    PremiseFactory,
    ServiceAgreementFactory,
    ServicePointFactory,
)
from tests.integration.programs.conftest import (
    assert_ledger_balanced,
    gl_net,
    month_reads,
    pay,
)

pytestmark = pytest.mark.django_db
D = Decimal

QUALIFIED = {
    "purpose": "Line extension to the well house, work order 2026-114",
    "security": "MORTGAGE",
    "mortgage_fees_due": D("45.00"),
    "mortgage_fees_paid": D("45.00"),
    "credit_report_on": date(2026, 5, 20),
    "credit_agency": "Experian",
}


def applied(account, amount, aid, on=date(2026, 6, 1), **facts):
    return services.apply_for_loan(
        account=account, on=on, aid=aid, amount=amount, **(QUALIFIED | facts)
    )


def test_a_10000_loan_from_application_to_payoff_on_the_bills(member):
    # given a member of more than twelve months, a clean agency report and a mortgage
    month_reads(member.meter, ["2026-07", "2026-08", "2026-09"])
    loan = applied(member.account, D("10000.00"), aid=D("12500.00"))
    assert loan.status == LoanStatus.APPLIED and loan.refusals == []
    assert (loan.months, loan.payment_amount, loan.final_payment_amount) == (
        60,
        D("188.71"),
        D("188.85"),
    )

    # over $5,000: the general manager may not approve it; the board does, with its meeting
    with pytest.raises(RuleViolation, match="board's approval"):
        services.approve_loan(loan=loan, on=date(2026, 6, 10), approver="general_manager")
    services.approve_loan(
        loan=loan, on=date(2026, 6, 10), approver="board", board_meeting_on=date(2026, 6, 9)
    )
    services.disburse_loan(loan=loan, on=date(2026, 6, 15))
    assert gl_net("141", member.account) == D("10000.00") and gl_net("131") == D("-10000.00")
    assert_ledger_balanced()

    # when three months are billed
    for period in ("2026-07", "2026-08", "2026-09"):
        run_billing(period_label=period)
        assert_ledger_balanced()

    # then each bill has its installment as its own line, after the rated lines
    bills = list(Bill.objects.filter(account=member.account).order_by("period"))
    assert len(bills) == 3
    for bill in bills:
        lines = list(BillLineItem.objects.filter(bill=bill).order_by("position"))
        assert lines[-1].code == "loan_installment" and lines[-1].amount == D("188.71")
        assert all(line.code != "loan_installment" for line in lines[:-1])
        # no riders or taxes on it: the bill's own total is the electric charges alone
        assert bill.total_amount == sum((line.amount for line in lines[:-1]), D(0))
    # interest 10,000 x 5%/12 = 41.67, then 9,852.96 -> 41.05, then 9,705.30 -> 40.44
    assert gl_net("419", member.account) == -(D("41.67") + D("41.05") + D("40.44"))
    assert gl_net("141", member.account) == D("9557.03")  # 10,000 - 147.04 - 147.66 - 148.27
    loan.refresh_from_db()
    assert loan.installments_billed == 3 and loan.principal_balance == D("9557.03")

    # the printed bill shows the installment among its lines
    printed = render_bill_by_id(bills[0].pk)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(printed.pdf)).pages)
    assert "installment 1 of 60" in text and "188.71" in text

    # a payment of exactly the electric charges pays them, not the older installments
    electric = [
        i
        for i in ReceivableItem.objects.filter(account=member.account)
        if i.category == ItemCategory.ELECTRIC
    ]
    pay(member.account, sum((i.amount for i in electric), D(0)), date(2026, 9, 20), "electric")
    for item in ReceivableItem.objects.filter(account=member.account):
        expected = ItemStatus.PAID if item.category == ItemCategory.ELECTRIC else ItemStatus.OPEN
        assert item.status == expected, item

    # early payoff as of 25 September: 9,557.03 + 15 days' interest since the bill of
    # 10 September, 9,557.03 x 5% x 15/365 = 19.64
    quote = services.payoff_quote(loan=loan, as_of=date(2026, 9, 25))
    assert (quote.principal, quote.interest, quote.amount) == (
        D("9557.03"),
        D("19.64"),
        D("9576.67"),
    )
    assert quote.open_installments == D("566.13")  # three installments of 188.71 unpaid
    payoff = services.pay_off_loan(loan=loan, on=date(2026, 9, 25))
    assert payoff.category == ItemCategory.LOAN and payoff.amount == D("9576.67")
    loan.refresh_from_db()
    assert (
        loan.status == LoanStatus.CLOSED and loan.installments.filter(cancelled=True).count() == 57
    )
    assert gl_net("141", member.account) == 0
    assert gl_net("419", member.account) == -(D("123.16") + D("19.64"))
    pay(member.account, D("566.13") + D("9576.67"), date(2026, 9, 28), "payoff")
    assert not ReceivableItem.objects.filter(
        account=member.account, status=ItemStatus.OPEN
    ).exists()
    assert_ledger_balanced()

    # a later bill has no installment on it
    month_reads_next(member)
    run_billing(period_label="2026-10")
    october = Bill.objects.get(account=member.account, period="2026-10")
    assert not october.lines.filter(code="loan_installment").exists()


def month_reads_next(member):
    from coopcis.apps.billing.models import RiderFactor
    from coopcis.apps.metering.models import RegisterRead

    RegisterRead.objects.create(
        meter=member.meter, read_on=date(2026, 10, 1), register_wh=12_000_000, kind="ACTUAL"
    )
    RiderFactor.objects.create(month="2026-10", code="pca", per_kwh=D("0.004210"), source="t")
    RiderFactor.objects.create(month="2026-10", code="dca", per_kwh=D("0.000850"), source="t")


def test_a_2500_loan_is_56_months_of_50_15_with_an_adjusted_final_one(member):
    loan = applied(member.account, D("2500.00"), aid=D("3125.00"))
    services.approve_loan(loan=loan, on=date(2026, 6, 2), approver="general_manager")
    services.disburse_loan(loan=loan, on=date(2026, 6, 3))
    # every installment billed in turn (a bill a month, without rating the electric use)
    for month in range(1, 57):
        bill = SimpleNamespace(
            pk=None,
            account_id=member.account.pk,
            bill_date=date(2026, 6, 3),
            due_date=date(2026, 6, 23),
        )
        lines = services.bill_installments([bill], period=f"m{month:02d}")
        assert len(lines) == 1
    rows = list(loan.installments.order_by("number"))
    assert [row.payment_amount for row in rows[:55]] == [D("50.15")] * 55
    # balance after the 55th is 49.67; its month's interest 49.67 x 5%/12 = 0.21
    assert rows[54].balance_after_amount == D("49.67") and rows[55].payment_amount == D("49.88")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED and loan.principal_balance == 0
    assert gl_net("141", member.account) == 0
    assert gl_net("142.2", member.account) == D("50.15") * 55 + D("49.88")
    assert gl_net("419", member.account) == D("-308.13")
    assert_ledger_balanced()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(schedule_pdf(loan))).pages)
    assert "$50.15" in text and "$49.88" in text


@pytest.mark.parametrize(
    ("amount", "aid", "why"),
    [
        (D("499.99"), D("1000.00"), "between \\$500.00 and \\$15,000.00"),
        (D("15000.01"), D("30000.00"), "between \\$500.00 and \\$15,000.00"),
        (D("8000.01"), D("10000.00"), "at most 80% of the aid-to-construction"),
    ],
)
def test_a_loan_outside_the_policy_is_refused_and_nothing_recorded(member, amount, aid, why):
    with pytest.raises(RuleViolation, match=why):
        applied(member.account, amount, aid=aid)
    assert Loan.objects.count() == 0 and JournalEntry.objects.count() == 0


def test_eligibility_from_the_history_and_the_recorded_facts(member):
    # a member of five months with no prior report, late three months, a bad debt, no fees
    member.account.agreements.update(start_on=date(2026, 1, 1))
    for month in (2, 3, 4):
        ReceivableItem.objects.create(
            account=member.account,
            category=ItemCategory.ELECTRIC,
            description="bill",
            amount=D("80.00"),
            posted_on=date(2026, month, 1),
            due_on=date(2026, month, 21),
            gl_account="142.1",
        )
    from coopcis.apps.ledger.services import post_entry
    from coopcis.core.ledger.entries import JournalEntry as Entry
    from coopcis.core.ledger.entries import credit, debit
    from coopcis.core.money import Money

    post_entry(
        Entry(
            posted_on=date(2026, 2, 1),
            memo="unpaid bill",
            lines=(
                debit("142.1", Money(D("80.00")), member_account=member.account.number),
                credit("440.1", Money(D("80.00")), member_account=member.account.number),
            ),
        ),
        kind="BILL",
    )
    loan = applied(
        member.account,
        D("1000.00"),
        aid=D("2000.00"),
        bad_debt_found=True,
        mortgage_fees_paid=D("0.00"),
    )
    assert loan.status == LoanStatus.DENIED and loan.late_months == 3
    assert [reason.split(" (")[0].split(",")[0] for reason in loan.refusals] == [
        "fewer than 12 months of service and no clean credit report from the previous power supplier recorded",
        "late 3 months in the last twelve",
        "a bad debt reported in the last 3 years",
        "mortgage filing and release fees $45.00 are paid in advance",
    ]
    # a clean prior report and a capital-credit waiver recorded: only the late months stand
    second = applied(
        member.account,
        D("1000.00"),
        aid=D("2000.00"),
        security="CAPITAL_CREDITS",
        prior_utility_report="Otero Electric, 2025-12-01: clean",
        waiver_note="allocations $2,300",
    )
    assert second.refusals == ["late 3 months in the last twelve, more than 2 (SEC policy 424)"]
    with pytest.raises(RuleViolation, match="not waiting for approval"):
        services.approve_loan(loan=second, on=date(2026, 6, 2), approver="general_manager")


def test_the_commands_run_a_loan_and_refuse_a_future_day(member, freeze_today):
    freeze_today(date(2026, 7, 1))
    out = io.StringIO()
    call_command(
        "loans",
        "apply",
        member.account.number,
        "--aid",
        "5000.00",
        "--amount",
        "4000.00",
        "--purpose",
        "Line extension",
        "--on",
        "2026-06-01",
        "--security",
        "mortgage",
        "--mortgage-fees-due",
        "45.00",
        "--mortgage-fees-paid",
        "45.00",
        "--credit-report-on",
        "2026-05-20",
        stdout=out,
    )
    loan = Loan.objects.get()
    assert f"loan {loan.pk} applied: $4,000.00 over 60 months at $75.48" in out.getvalue()
    call_command(
        "loans",
        "approve",
        str(loan.pk),
        "--by",
        "general_manager",
        "--on",
        "2026-06-02",
        stdout=out,
    )
    call_command("loans", "disburse", str(loan.pk), "--on", "2026-06-05", "--dry-run", stdout=out)
    assert "DRY RUN" in out.getvalue() and Loan.objects.get().status == LoanStatus.APPROVED
    with pytest.raises(CommandError, match="after today"):
        call_command("loans", "disburse", str(loan.pk), "--on", "2026-07-02")
    call_command("loans", "disburse", str(loan.pk), "--on", "2026-06-05", stdout=out)
    out = io.StringIO()
    call_command(
        "loans", "payoff-quote", str(loan.pk), "--as-of", "2026-06-20", "--json", stdout=out
    )
    # 4,000 x 5% x 15/365 = 8.219 -> 8.22
    assert '"payoff": "4008.22"' in out.getvalue()


def test_the_coopcis_command_sends_loan_steps_to_the_database_and_quotes_without(member, capsys):
    from coopcis.cli import main

    assert main(["loans", "quote", "--amount", "2500.00", "--json"]) == 0
    assert '"months": 56' in capsys.readouterr().out
    assert main(["loans", "schedule", "999", "--json"]) == 1
    assert capsys.readouterr().err.strip() == "coopcis loans: error: no loan 999"


def test_a_held_bill_carries_the_installment_when_released(member):
    month_reads(member.meter, ["2026-07", "2026-08", "2026-09"])
    loan = applied(member.account, D("10000.00"), aid=D("12500.00"))
    services.approve_loan(
        loan=loan, on=date(2026, 6, 10), approver="board", board_meeting_on=date(2026, 6, 9)
    )
    services.disburse_loan(loan=loan, on=date(2026, 6, 15))
    for period in ("2026-07", "2026-08", "2026-09"):
        run_billing(period_label=period)
    # October's read: 20,000 kWh after months of 500 holds the bill for review
    RegisterRead.objects.create(
        meter=member.meter, read_on=date(2026, 10, 1), register_wh=31_500_000, kind="ACTUAL"
    )
    for code, rate in (("pca", D("0.004210")), ("dca", D("0.000850"))):
        RiderFactor.objects.create(month="2026-10", code=code, per_kwh=rate, source="t")
    run_billing(period_label="2026-10")
    october = Bill.objects.get(account=member.account, period="2026-10")
    assert october.status == BillStatus.HELD
    assert not october.lines.filter(code="loan_installment").exists()
    loan.refresh_from_db()
    assert loan.installments_billed == 3
    due_when_held = october.amount_due_amount  # the three earlier bills and installments too

    released = release_bill(bill=october, note="pool filled; member confirmed")
    line = released.lines.get(code="loan_installment")
    # installment 4 of 60: 9,557.03 x 5%/12 = 39.82 interest, 148.89 principal
    assert line.amount == D("188.71") and "installment 4 of 60" in line.description
    released.refresh_from_db()
    assert released.amount_due_amount == due_when_held + D("188.71")
    loan.refresh_from_db()
    assert (loan.installments_billed, loan.last_billed_period) == (4, "2026-10")
    assert loan.principal_balance == D("9557.03") - D("148.89")
    assert gl_net("142.2", member.account) == 4 * D("188.71")
    assert_ledger_balanced()


def test_on_two_locations_the_installment_is_on_the_first_bill_and_in_the_later_ones_due(
    member,
):
    """SEC policy 408: one bill per location. The installment is a line on the first bill;
    the second bill's amount due is built on the first's, so it and the summary statement
    ask for the installment too, once."""
    second = ServicePointFactory(premise=PremiseFactory(county="Otero"))
    ServiceAgreementFactory(
        account=member.account,
        service_point=second,
        tariff_code="ocec-res",
        start_on=date(2024, 1, 1),
    )
    well = MeterFactory(kind="REGISTER")
    MeterInstallationFactory(meter=well, service_point=second, installed_on=date(2024, 1, 1))
    month_reads(member.meter, ["2026-07"])
    month_reads(well, ["2026-07"], kwh_a_month=300)
    loan = applied(member.account, D("10000.00"), aid=D("12500.00"))
    services.approve_loan(
        loan=loan, on=date(2026, 6, 10), approver="board", board_meeting_on=date(2026, 6, 9)
    )
    services.disburse_loan(loan=loan, on=date(2026, 6, 15))
    run_billing(period_label="2026-07")

    first, later = Bill.objects.filter(account=member.account, period="2026-07").order_by("id")
    assert first.lines.filter(code="loan_installment").count() == 1
    assert not later.lines.filter(code="loan_installment").exists()
    assert first.amount_due_amount == first.total_amount + D("188.71")
    assert later.amount_due_amount == first.total_amount + later.total_amount + D("188.71")
    statement = load_summary_statement(account_number=member.account.number, period="2026-07")
    assert statement.amount_due_amount == later.amount_due_amount
    assert statement.other_activity_amount == D("188.71")
    assert_ledger_balanced()


def test_staff_apply_approve_and_disburse_from_the_account_page(member, client, freeze_today):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    month_reads(member.meter, ["2026-07"])
    freeze_today(date(2026, 6, 1))
    client.force_login(get_user_model().objects.get(username="operator"))
    url = reverse("backoffice:loan_new", kwargs={"number": member.account.number})
    account_page = reverse("backoffice:account", kwargs={"number": member.account.number})
    assert url.encode() in client.get(account_page).content
    form = {
        "amount": "4000.00",
        "aid": "5000.00",
        "purpose": "Line extension to the barn",
        "security": "MORTGAGE",
        "mortgage_fees_due": "45.00",
        "mortgage_fees_paid": "45.00",
        "credit_report_on": "2026-05-20",
        "credit_agency": "Experian",
    }
    # an amount the policy does not lend: refused on the form, nothing recorded
    refused = client.post(url, form | {"amount": "12000.00"})
    assert refused.status_code == 400 and b"424" in refused.content
    assert not Loan.objects.exists()
    # a mortgage whose fees are not paid: recorded DENIED, the reason shown on the card
    denied = client.post(url, form | {"mortgage_fees_paid": "0.00"}, follow=True)
    refused_loan = Loan.objects.get()
    assert refused_loan.status == LoanStatus.DENIED and refused_loan.refusals
    shown = html.unescape(denied.content.decode())
    assert all(reason in shown for reason in refused_loan.refusals)
    Loan.objects.all().delete()

    made = client.post(url, form)
    assert made.status_code == 302
    loan = Loan.objects.get()
    assert (loan.status, loan.amount) == (LoanStatus.APPLIED, D("4000.00"))
    page = client.get(account_page).content
    assert f'data-testid="approve-loan-{loan.pk}"'.encode() in page

    approve = reverse("backoffice:loan_approve", kwargs={"loan_id": loan.pk})
    client.post(approve, {"approver": "general_manager"})
    loan.refresh_from_db()
    assert loan.status == LoanStatus.APPROVED and loan.approved_on == date(2026, 6, 1)
    disburse = reverse("backoffice:loan_disburse", kwargs={"loan_id": loan.pk})
    client.post(disburse)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE and loan.disbursed_on == date(2026, 6, 1)
    assert gl_net("141", member.account) == D("4000.00")
    assert_ledger_balanced()
