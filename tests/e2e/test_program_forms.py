"""A manager runs the three bill programs through the staff forms in a real browser, from
the account page: a net-metering interconnection from application (a battery refused
first, the policy cited) through approval (the fee charged) to in service with its net
meter, a REC read (a lower one refused); an aid-to-construction loan applied for (an
amount over the policy's $15,000 refused first), approved and disbursed; and an insulation
rebate claim with its receipt, inspected before and after, and approved."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from coopcis.apps.loans.models import Loan
from coopcis.apps.netmetering.models import Interconnection, RecAgreement, RecRead
from coopcis.apps.rebates import services as rebates
from coopcis.apps.rebates.models import RebateClaim
from coopcis.apps.receivables.models import ReceivableItem
from tests.factories import (
    AccountFactory,
    MeterFactory,
    MeterInstallationFactory,
    PremiseFactory,
    ServiceAgreementFactory,
    ServicePointFactory,
)
from tests.integration.backoffice.factories import PASSWORD, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TODAY = date(2026, 6, 1)
PDF = b"%PDF-1.4\n% receipt\n"


@pytest.fixture
def home(freeze_today):
    freeze_today(TODAY)
    point = ServicePointFactory(code="SP-77", premise=PremiseFactory(county="Otero"))
    account = AccountFactory(number="1000777", rate_class="RESIDENTIAL")
    ServiceAgreementFactory(
        account=account, service_point=point, tariff_code="ocec-res", start_on=date(2024, 1, 1)
    )
    MeterInstallationFactory(
        meter=MeterFactory(serial="OLD-77"), service_point=point, installed_on=date(2024, 1, 1)
    )
    staff_user("manager", username="mara")
    return account


def sign_in(page, number: str) -> None:
    page.goto(f"/accounts/{number}/")
    page.get_by_label("Username").fill("mara")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_interconnection_from_application_to_in_service_and_a_rec_read(page, home, tmp_path):
    sign_in(page, home.number)
    card = page.locator("#net-metering")
    expect(card).to_contain_text("No interconnection.")
    card.get_by_role("link", name="Apply for net metering").click()

    page.get_by_label("Service point (the net meter's own location)").select_option("SP-77")
    page.get_by_label("System").select_option("BATTERY")
    page.get_by_label("AC rating (kW)").fill("7.6")
    page.get_by_role("button", name="Record the application").click()
    expect(page.locator("#field-system_type .errorlist")).to_contain_text(
        "battery systems may not be connected behind the net meter (SEC policy 425"
    )
    assert not Interconnection.objects.exists()
    page.get_by_label("System").select_option("SOLAR")
    page.get_by_role("button", name="Record the application").click()

    expect(page).to_have_url(re.compile(rf"/accounts/{home.number}/#net-metering$"))
    ic = Interconnection.objects.get()
    expect(page.locator(".messages")).to_contain_text(f"Interconnection {ic.pk} submitted")
    article = card.get_by_test_id(f"interconnection-{ic.pk}")
    expect(article).to_contain_text("Submitted")
    article.get_by_role("button", name=re.compile("Approve interconnection")).click()
    expect(page.locator(".messages")).to_contain_text(
        f"Interconnection {ic.pk} approved: application fee $50.00 charged"
    )
    expect(article.locator("dd").nth(1)).to_have_text("Approved")

    form = article.get_by_test_id(f"in-service-{ic.pk}")
    form.get_by_label("Net meter serial").fill("NM-77")
    form.get_by_label("REC meter serial").fill("REC-77")
    form.get_by_role("button", name="In service").click()
    expect(page.locator(".messages")).to_contain_text("in service with net meter NM-77")
    expect(article).to_contain_text("In service")
    expect(article).to_contain_text("REC-77")
    ic.refresh_from_db()
    assert (ic.status, ic.in_service_on, ic.net_meter.serial) == ("IN_SERVICE", TODAY, "NM-77")
    assert ReceivableItem.objects.get(fee_code="net_metering_application").amount == Decimal(
        "50.00"
    )

    # the member signs the REC agreement (recorded by command); staff enter the reads
    agreement = RecAgreement.objects.create(
        account=home, interconnection=ic, signed_on=date(2026, 5, 1), opening_kwh=Decimal("120")
    )
    page.reload()
    card.get_by_role("link", name="Enter a REC read").click()
    page.get_by_label("Read on (the day the member read the REC meter)").fill("2026-05-31")
    page.get_by_label("REC meter reading (kWh)").fill("100")
    page.get_by_role("button", name="Record the read").click()
    expect(page.locator(".errorlist").first).to_contain_text("120")
    assert not RecRead.objects.exists()
    page.get_by_label("Read on (the day the member read the REC meter)").fill("2026-06-01")
    page.get_by_label("REC meter reading (kWh)").fill("655")
    page.get_by_role("button", name="Record the read").click()
    expect(page.locator(".messages")).to_contain_text("REC read of 655")
    expect(card.get_by_test_id(f"rec-agreement-{agreement.pk}")).to_contain_text("655")
    page.screenshot(path=str(tmp_path / "net-metering.png"), full_page=True)


def test_a_loan_applied_for_approved_and_disbursed(page, home):
    sign_in(page, home.number)
    page.locator("#loans").get_by_role("link", name="Apply for a loan").click()
    page.get_by_label("Loan amount ($500 to $15,000)").fill("16,000.00")
    page.get_by_label("Aid to construction it pays ($)").fill("20000.00")
    page.get_by_label("Line extension it pays for").fill("Line extension to the barn")
    page.get_by_label("Security").select_option("MORTGAGE")
    page.get_by_label("Mortgage fees due ($)").fill("45.00")
    page.get_by_label("Mortgage fees paid ($)").fill("45.00")
    page.get_by_label("Credit agency report dated").fill("2026-05-20")
    page.get_by_label("Credit agency", exact=True).fill("Experian")
    page.get_by_role("button", name="Record the application").click()
    # typed with a thousands separator, as people write money; over the policy's maximum
    expect(page.locator(".errorlist").first).to_contain_text("$15,000.00 (SEC policy 424)")
    assert not Loan.objects.exists()

    page.get_by_label("Loan amount ($500 to $15,000)").fill("4,000.00")
    page.get_by_label("Aid to construction it pays ($)").fill("5000.00")
    page.get_by_role("button", name="Record the application").click()
    expect(page).to_have_url(re.compile(rf"/accounts/{home.number}/#loans$"))
    loan = Loan.objects.get()
    expect(page.locator(".messages")).to_contain_text(
        f"Loan {loan.pk} qualifies: waiting for approval."
    )
    approve = page.get_by_test_id(f"approve-loan-{loan.pk}")
    approve.get_by_label("Approved by").select_option("general_manager")
    approve.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text(f"Loan {loan.pk} approved.")
    page.get_by_role("button", name=re.compile(rf"Disburse loan {loan.pk}")).click()
    expect(page.locator(".messages")).to_contain_text(f"Loan {loan.pk} disbursed")
    row = page.get_by_test_id("loans").locator("tbody tr").first
    expect(row).to_contain_text("$4,000.00")
    expect(row.get_by_role("link", name="PDF")).to_be_visible()
    loan.refresh_from_db()
    assert (loan.status, loan.disbursed_on) == ("ACTIVE", TODAY)


def test_a_rebate_claim_inspected_and_approved(page, home, tmp_path):
    rebates.set_budget(
        year=2026, amount=Decimal("5000.00"), per_account=Decimal("2500.00"), source="minutes"
    )
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(PDF)
    sign_in(page, home.number)
    page.locator("#rebates").get_by_role("link", name="New rebate claim").click()
    page.get_by_label("Measure").select_option("insulation")
    page.get_by_label("Purchased on").fill("2026-05-20")
    page.get_by_label("Cost paid ($)").fill("1,200.00")
    page.get_by_label("Retailer or installer").fill("Otero Insulation")
    page.get_by_label("Paid by").select_option("BILL_CREDIT")
    page.get_by_label("Receipt of purchase (PDF, JPEG or PNG)").set_input_files(str(receipt))
    page.get_by_role("button", name="Record the claim").click()
    expect(page).to_have_url(re.compile(r"/rebates/\d+/$"))
    claim = RebateClaim.objects.get()
    # insulation: 30% of the material's $1,200.00
    expect(page.locator(".messages")).to_contain_text(f"Claim {claim.pk}: rebate 360.00")
    for stage, day in (("PRE", "2026-05-25"), ("POST", "2026-05-30")):
        for result in ("", "PASSED"):
            page.get_by_label("Inspection").select_option(stage)
            page.get_by_label("On", exact=True).fill(day)
            page.get_by_label("Result").select_option(result)
            if not result:
                page.get_by_label("Inspector").fill("R. Baca")
            page.get_by_role("button", name="Save the inspection").click()
            expect(page.locator(".messages")).to_contain_text("inspection recorded")
    page.get_by_role("button", name="Approve $360.00").click()
    expect(page.locator(".messages")).to_contain_text(f"Claim {claim.pk} approved")
    claim.refresh_from_db()
    assert (claim.status, claim.decided_on) == ("APPROVED", TODAY)
