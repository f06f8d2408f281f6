"""Efficiency rebate claims of each shape, paid by bill credit or check (OCEC handbook)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from pypdf import PdfReader

from coopcis.apps.billing.corrections import cancel_bill, rebill
from coopcis.apps.billing.models import Bill
from coopcis.apps.billing.run import run_billing
from coopcis.apps.rebates import services
from coopcis.apps.rebates.models import ClaimDocument, ClaimStatus, RebateClaim, RebateCredit
from coopcis.apps.rebates.report import report_csv, report_pdf, year_report
from coopcis.apps.receivables.models import ItemStatus, ReceivableItem
from coopcis.core.errors import RuleViolation
from tests.integration.programs.conftest import assert_ledger_balanced, gl_net, month_reads

pytestmark = pytest.mark.django_db
D = Decimal
PDF = b"%PDF-1.4\n% receipt\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
RECEIPT = services.Upload("RECEIPT", "receipt.pdf", PDF)
STAR = services.Upload("ENERGY_STAR", "energy-star.png", PNG)


@pytest.fixture
def budget(db):
    return services.set_budget(
        year=2026, amount=D("5000.00"), per_account=D("2500.00"), source="Board minutes 2026-01-15"
    )


def claim(account, measure, cost, uploads=(RECEIPT, STAR), **extra):
    return services.submit_claim(
        account=account,
        measure_code=measure,
        on=extra.pop("on", date(2026, 8, 1)),
        purchased_on=date(2026, 7, 20),
        cost=cost,
        retailer="Alamogordo Appliance",
        uploads=uploads,
        **extra,
    )


def test_each_shape_prices_its_claim(member, budget):
    cases = [
        # fixed: a freezer, $100
        ("freezer", D("650.00"), {}, D("100.00")),
        # per unit: a washer and a dryer, $75 each, $150 a pair
        ("clothes_washer_dryer", D("1400.00"), {"quantity": 2}, D("150.00")),
        # per room: a mini-split in three rooms, $500 a room
        ("mini_split", D("6400.00"), {"quantity": 3}, D("1500.00")),
        # by size: a 22 cu ft refrigerator is in the band from 20 cu ft, $150
        ("refrigerator", D("1800.00"), {"size": D("22.0")}, D("150.00")),
        # percentage with a cap: 25% of a $520 mower is $130, capped at $100
        ("electric_mower", D("520.00"), {}, D("100.00")),
    ]
    for measure, cost, extra, rebate in cases:
        made = claim(member.account, measure, cost, **extra)
        assert (made.measure_code, made.rebate_amount) == (measure, rebate)
    # percentage under its cap: 25% of $139.99 = 34.9975, half up to $35.00
    other = claim(member.account, "electric_trimmer", D("139.99"), uploads=(RECEIPT,))
    assert other.rebate_amount == D("35.00")


def test_a_bill_credit_pays_the_next_bills_and_a_check_goes_to_payables(member, budget):
    month_reads(member.meter, ["2026-08", "2026-09"], kwh_a_month=400)
    pair = claim(member.account, "clothes_washer_dryer", D("1400.00"), quantity=2)
    freezer = claim(member.account, "freezer", D("650.00"), pay_by="CHECK")
    services.approve_claim(claim=pair, on=date(2026, 8, 2))
    services.approve_claim(claim=freezer, on=date(2026, 8, 2))
    # by check: Dr 908, Cr 232 at once
    freezer.refresh_from_db()
    assert freezer.status == ClaimStatus.PAID and gl_net("232") == D("-100.00")

    # the August bill (400 kWh) is less than the $150 credit: all of it is paid, the rest waits
    run_billing(period_label="2026-08")
    august = Bill.objects.get(account=member.account, period="2026-08")
    credit_line = august.lines.get(code="rebate_credit")
    assert credit_line.amount == -august.total_amount
    assert august.amount_due_amount == 0
    item = ReceivableItem.objects.get(bill=august)
    assert item.status == ItemStatus.PAID
    pair.refresh_from_db()
    assert pair.status == ClaimStatus.APPROVED and pair.credited_amount == august.total_amount
    assert_ledger_balanced()

    run_billing(period_label="2026-09")
    september = Bill.objects.get(account=member.account, period="2026-09")
    rest = D("150.00") - august.total_amount
    assert september.lines.get(code="rebate_credit").amount == -rest
    assert september.amount_due_amount == september.total_amount - rest
    pair.refresh_from_db()
    assert pair.status == ClaimStatus.PAID and pair.credited_amount == D("150.00")
    assert gl_net("908") == D("250.00")  # 150 credited on the bills + 100 by check
    assert gl_net("142.1", member.account) == september.total_amount - rest
    assert_ledger_balanced()


def test_inspections_before_and_after_come_before_the_decision(member, budget):
    windows = claim(member.account, "windows_doors", D("4000.00"))
    assert windows.status == ClaimStatus.INSPECTING and windows.rebate_amount == D("1000.00")
    with pytest.raises(RuleViolation, match="waits for its inspections"):
        services.approve_claim(claim=windows, on=date(2026, 8, 3))
    services.schedule_inspection(
        claim=windows, stage="PRE", on=date(2026, 8, 5), inspector="R. Baca"
    )
    services.schedule_inspection(claim=windows, stage="POST", on=date(2026, 8, 20))
    with pytest.raises(RuleViolation, match="before installation passes first"):
        services.record_inspection(claim=windows, stage="POST", on=date(2026, 8, 20), passed=True)
    services.record_inspection(claim=windows, stage="PRE", on=date(2026, 8, 5), passed=True)
    services.record_inspection(claim=windows, stage="POST", on=date(2026, 8, 20), passed=True)
    windows.refresh_from_db()
    assert windows.status == ClaimStatus.SUBMITTED
    services.deny_claim(claim=windows, on=date(2026, 8, 21), reason="Not on the ENERGY STAR list")
    windows.refresh_from_db()
    assert windows.status == ClaimStatus.DENIED and windows.reason == "Not on the ENERGY STAR list"


def test_a_claim_without_its_proof_or_beyond_the_budget_is_refused(member, budget):
    with pytest.raises(RuleViolation, match="needs the ENERGY STAR certification"):
        claim(member.account, "freezer", D("650.00"), uploads=(RECEIPT,))
    with pytest.raises(RuleViolation, match="needs the receipt of purchase"):
        claim(member.account, "smart_thermostat", D("180.00"), uploads=())
    with pytest.raises(RuleViolation, match="PDF, JPEG or PNG"):
        claim(member.account, "smart_thermostat", D("180.00"),
              uploads=(services.Upload("RECEIPT", "r.html", b"<html>"),))  # fmt: skip
    too_big = services.Upload("RECEIPT", "r.pdf", PDF + b"0" * (5 * 1024 * 1024))
    with pytest.raises(RuleViolation, match="more than the 5 MB"):
        claim(member.account, "smart_thermostat", D("180.00"), uploads=(too_big,))
    # the account's limit: $2,500 a year; $2,000 geothermal + $1,000 heat pump is over
    claim(member.account, "geothermal_heat_pump", D("18000.00"))
    with pytest.raises(RuleViolation, match=r"over its 2026 limit of \$2,500\.00"):
        claim(member.account, "air_source_heat_pump", D("9000.00"))
    # the program's budget: $5,000, $2,000 held; others' $2,500 + $1,000 overrun it
    from tests.factories import AccountFactory

    claim(AccountFactory(), "mini_split", D("9000.00"), quantity=5)
    with pytest.raises(RuleViolation, match="overrun the 2026 program budget"):
        claim(AccountFactory(), "air_source_heat_pump", D("9000.00"))
    assert RebateClaim.objects.count() == 2 and ClaimDocument.objects.count() == 4
    assert gl_net("908") == 0


def test_the_yearly_report_and_the_commands(member, budget, freeze_today, tmp_path, client):
    freeze_today(date(2026, 8, 10))
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(PDF)
    out = io.StringIO()
    call_command(
        "rebates", "claim", member.account.number, "led_lighting", "--cost", "240.00",
        "--purchased-on", "2026-08-01", "--on", "2026-08-02", "--retailer", "Home store",
        "--receipt", str(receipt), "--pay-by", "check", stdout=out,
    )  # fmt: skip
    led = RebateClaim.objects.get()
    assert f"claim {led.pk}: led_lighting rebate $60.00" in out.getvalue()
    with pytest.raises(CommandError, match="needs the receipt"):
        call_command(
            "rebates", "claim", member.account.number, "led_lighting", "--cost", "240.00",
            "--purchased-on", "2026-08-01", "--on", "2026-08-02", "--retailer", "Home store",
        )  # fmt: skip
    call_command("rebates", "approve", str(led.pk), "--on", "2026-08-03", "--dry-run", stdout=out)
    assert RebateClaim.objects.get().status == ClaimStatus.SUBMITTED
    call_command("rebates", "approve", str(led.pk), "--on", "2026-08-03", stdout=out)
    mower = claim(member.account, "electric_mower", D("300.00"), uploads=(RECEIPT,))
    call_command(
        "rebates", "deny", str(mower.pk), "--on", "2026-08-04", "--reason", "corded", stdout=out
    )

    report = year_report(2026)
    assert (report.budget, report.used, report.left) == (D("5000.00"), D("60.00"), D("4940.00"))
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    assert rows[1][:8] == ["electric_mower", rows[1][1], "1", "0", "1", "0", "0.00", "0.00"]
    assert rows[2][0] == "led_lighting" and rows[2][2:8] == ["1", "1", "0", "0", "60.00", "60.00"]
    text = PdfReader(io.BytesIO(report_pdf(report))).pages[0].extract_text()
    assert "led_lighting" in text and "$4,940.00" in text

    # staff see the claim and its proof on their pages
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="operator"))
    page = client.get(reverse("backoffice:rebate_claim", kwargs={"claim_id": led.pk}))
    assert page.status_code == 200 and b"receipt.pdf" in page.content
    document = led.documents.get()
    download = client.get(
        reverse("backoffice:rebate_document", kwargs={"document_id": document.pk})
    )
    assert download["Content-Type"] == "application/pdf" and download.content == PDF
    account_page = client.get(
        reverse("backoffice:account", kwargs={"number": member.account.number})
    )
    assert b'id="rebates"' in account_page.content and b"LED lighting" in account_page.content
    assert b'id="loans"' in account_page.content


def test_staff_take_a_claim_with_its_proof_on_the_account_page(member, budget, client):
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(get_user_model().objects.get(username="operator"))
    url = reverse("backoffice:rebate_claim_new", kwargs={"number": member.account.number})
    assert b"New rebate claim" in client.get(url).content
    form = {
        "measure": "freezer",
        "purchased_on": "2026-07-20",
        "cost": "650.00",
        "quantity": "1",
        "retailer": "Alamogordo Appliance",
        "pay_by": "BILL_CREDIT",
    }
    # a web page saved as "receipt.pdf" is not a PDF: refused against the form, nothing kept
    fake = SimpleUploadedFile("receipt.pdf", b"<html>hi</html>", content_type="application/pdf")
    refused = client.post(
        url, form | {"receipt": fake, "energy_star": SimpleUploadedFile("e.png", PNG)}
    )
    assert refused.status_code == 400 and b"PDF, JPEG or PNG" in refused.content
    assert RebateClaim.objects.count() == 0
    made = client.post(
        url,
        form
        | {
            "receipt": SimpleUploadedFile("receipt.pdf", PDF),
            "energy_star": SimpleUploadedFile("../e.png", PNG),
        },
    )
    claim_row = RebateClaim.objects.get()
    assert made.status_code == 302 and claim_row.rebate_amount == D("100.00")
    assert sorted(claim_row.documents.values_list("kind", "filename", "content_type")) == [
        ("ENERGY_STAR", "e.png", "image/png"),
        ("RECEIPT", "receipt.pdf", "application/pdf"),
    ]


def test_staff_book_and_record_inspections_on_the_claim_page(member, budget, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="operator"))
    insulation = claim(member.account, "insulation", D("2150.00"), uploads=(RECEIPT,))
    assert insulation.rebate_amount == D("645.00")  # 30% of $2,150 material
    url = reverse("backoffice:rebate_claim_inspection", kwargs={"claim_id": insulation.pk})
    page = client.get(reverse("backoffice:rebate_claim", kwargs={"claim_id": insulation.pk}))
    assert b"Save the inspection" in page.content
    client.post(url, {"stage": "PRE", "on": "2026-08-05", "inspector": "R. Baca"})
    failed = client.post(url, {"stage": "PRE", "on": "2026-08-05", "result": "FAILED"})
    assert failed.status_code == 400 and b"say why the inspection failed" in failed.content
    client.post(url, {"stage": "PRE", "on": "2026-08-05", "result": "PASSED"})
    client.post(url, {"stage": "POST", "on": "2026-08-25"})
    client.post(url, {"stage": "POST", "on": "2026-08-25", "result": "PASSED"})
    insulation.refresh_from_db()
    assert insulation.status == ClaimStatus.SUBMITTED
    assert list(insulation.inspections.order_by("stage").values_list("stage", "result")) == [
        ("POST", "PASSED"),
        ("PRE", "PASSED"),
    ]


def test_a_cancelled_bill_gives_its_rebate_credit_back_to_the_next_bill(member, budget):
    """The August bill is paid by the $150.00 credit; cancelling it gives the credit back
    and the rebill credits it again (OCEC handbook: the credit is on the member's bills)."""
    month_reads(member.meter, ["2026-08", "2026-09"], kwh_a_month=400)
    pair = claim(member.account, "clothes_washer_dryer", D("1400.00"), quantity=2)
    services.approve_claim(claim=pair, on=date(2026, 8, 2))
    run_billing(period_label="2026-08")
    august = Bill.objects.get(account=member.account, period="2026-08")
    paid_by_credit = august.total_amount  # 400 kWh is less than $150.00: all paid
    assert august.lines.get(code="rebate_credit").amount == -paid_by_credit
    assert gl_net("908") == paid_by_credit

    cancel_bill(bill=august, reason="misread meter", on=date(2026, 8, 12))
    pair.refresh_from_db()
    assert pair.status == ClaimStatus.APPROVED and pair.credited_amount == D("0.00")
    credit = RebateCredit.objects.get(claim=pair)
    assert credit.amount == paid_by_credit and credit.given_back_on == date(2026, 8, 12)
    assert ReceivableItem.objects.get(bill=august).status == ItemStatus.VOID
    # the bill and its credit undone: nothing on 908 nor on the member's receivable
    assert gl_net("908") == D("0.00")
    assert gl_net("142.1", member.account) == D("0.00")
    assert_ledger_balanced()

    # the rebill takes the credit again, all of it
    again = rebill(cancelled=august)
    assert again.total_amount == paid_by_credit
    assert again.lines.get(code="rebate_credit").amount == -paid_by_credit
    assert again.amount_due_amount == D("0.00")
    pair.refresh_from_db()
    assert pair.credited_amount == paid_by_credit
    assert gl_net("908") == paid_by_credit
    assert gl_net("142.1", member.account) == D("0.00")
    assert_ledger_balanced()

    # September takes the rest: $150.00 in all, the claim paid
    run_billing(period_label="2026-09")
    september = Bill.objects.get(account=member.account, period="2026-09")
    assert september.lines.get(code="rebate_credit").amount == -(D("150.00") - paid_by_credit)
    pair.refresh_from_db()
    assert pair.status == ClaimStatus.PAID and pair.credited_amount == D("150.00")
    assert gl_net("908") == D("150.00")
    assert_ledger_balanced()
