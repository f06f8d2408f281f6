"""The account summary statement (SEC policy 408): an account's location bills of a month on
one page, one amount due, one stub that the lockbox reads back to the account."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from coopcis.apps.billing import bill_text as bt
from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.billing.pdf import load_summary_statement, render_summary_statement
from coopcis.apps.billing.pdf.summary import LocationBill, SummaryStatement
from coopcis.apps.billing.run import run_billing
from coopcis.apps.ledger.services import member_balance
from coopcis.apps.payments.services import receive_payment
from coopcis.apps.receivables.services import charge_fee
from coopcis.catalog.profiles import active_profile
from coopcis.cli import main
from coopcis.core.billing.scan_line import (
    ScanLineError,
    make_scan_line,
    read_scan_line,
    statement_bill_field,
    statement_reference,
)
from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money
from coopcis.core.payments.lockbox import match_remittance
from tests.factories import (
    AccountFactory,
    PartyFactory,
)
from tests.integration.billing_pdf.conftest import add_location, pdf_pages, pdf_text

PERIOD = "2026-10"
SCAN_LINE = re.compile(r"\d{12} \d{14} \d{10} \d")
HOUSE_TOTAL = Decimal("183.89")  # small_coop's home: 1,000 kWh on ocec-res
# The well, 400 kWh on ocec-res: customer 30.00, energy 400 x 0.1371 = 54.84, PCA
# 400 x 0.004210 = 1.68, DCA 400 x 0.000850 = 0.34, gross receipts 6.8125% of 86.86 = 5.92.
WELL_TOTAL = Decimal("92.78")


@pytest.fixture
def farm(small_coop):
    """small_coop's home with a well on the same account; October billed."""
    add_location(small_coop.home, "Well 2, Rio Penasco Rd", 400)
    run_billing(period_label=PERIOD)
    return small_coop


def posted_bills(account) -> list[Bill]:
    return list(
        Bill.objects.filter(account=account, period=PERIOD, status=BillStatus.POSTED).order_by(
            "service_point__code"
        )
    )


def statement_pdf_text(account) -> str:
    statement = load_summary_statement(account_number=account.number, period=PERIOD)
    return pdf_text(render_summary_statement(statement, active_profile()).pdf)


def test_the_statement_lists_each_locations_bill_and_their_total(farm):
    home = farm.home

    statement = load_summary_statement(account_number=home.number, period=PERIOD)

    bills = posted_bills(home)
    assert [row.number for row in statement.bills] == [bill.number for bill in bills]
    assert [row.total_amount for row in statement.bills] == [HOUSE_TOTAL, WELL_TOTAL]
    assert [row.energy_wh for row in statement.bills] == [1_000_000, 400_000]
    assert statement.bills[1].service_address == "Well 2, Rio Penasco Rd, Cloudcroft, NM 88317"
    assert [row.meter_serial for row in statement.bills] == [bill.meter_serial for bill in bills]
    assert statement.total_amount == Decimal("276.67") == sum(b.total_amount for b in bills)
    assert statement.statement_date == date(2026, 10, 10)  # read 1 Oct + 9 days' lag
    assert statement.due_date == date(2026, 10, 30)
    assert statement.reference == f"S202610-{home.number}"


def test_the_amount_due_is_the_accounts_balance_and_agrees_with_the_latest_bill(farm):
    home = farm.home

    statement = load_summary_statement(account_number=home.number, period=PERIOD)

    latest_bill = posted_bills(home)[-1]
    assert statement.amount_due_amount == Decimal("276.67")
    assert statement.amount_due_amount == member_balance(home) == latest_bill.amount_due_amount
    assert statement.other_activity_amount == Decimal("0.00")


def test_the_amount_due_counts_what_is_dated_by_the_statement_date_and_nothing_later(farm):
    home = farm.home
    charge_fee(account=home, fee_code="returned_check", on=date(2026, 10, 5), reason="check 1042")
    receive_payment(account=home, amount=Decimal("100.00"), channel="ONLINE", tender="CARD",
                    received_on=date(2026, 10, 8))  # fmt: skip
    charge_fee(account=home, fee_code="returned_check", on=date(2026, 10, 20), reason="check 1050")

    statement = load_summary_statement(account_number=home.number, period=PERIOD)

    # 276.67 billed + 40.00 fee - 100.00 paid; the fee of 20 October is after the statement
    assert statement.amount_due_amount == Decimal("216.67")
    assert statement.amount_due_amount == member_balance(home, through=date(2026, 10, 10))
    assert statement.other_activity_amount == Decimal("-60.00")
    assert statement.total_amount == Decimal("276.67")


def test_the_pdf_shows_each_bill_number_the_total_and_the_amount_due(farm):
    home = farm.home
    charge_fee(account=home, fee_code="returned_check", on=date(2026, 10, 5), reason="check 1042")

    text = statement_pdf_text(home)

    assert "Account Summary Statement" in text
    assert "Otero County Electric Cooperative, Inc." in text
    for bill in posted_bills(home):
        assert bill.number in text
    assert "$183.89" in text and "$92.78" in text
    assert "Total of these bills" in text and "$276.67" in text
    assert "Previous balance, payments and other charges" in text and "$40.00" in text
    assert "Amount due as of October 10, 2026" in text and "$316.67" in text
    assert "Well 2, Rio Penasco Rd, Cloudcroft, NM 88317" in text
    assert f"S202610-{home.number}" in text
    assert "October 30, 2026" in text  # the earliest due date
    assert "1,000" in text and "400" in text  # kWh
    assert home.mailing_line1.upper() in text  # the envelope's address block
    assert "Sep 1 \u2013 Oct 1, 2026" in text  # service period (en dash)


def test_the_stub_scan_line_reads_back_to_the_account_and_the_amount_due(farm):
    home = farm.home

    text = statement_pdf_text(home)

    found = SCAN_LINE.findall(text)
    assert len(found) == 1
    scanned = read_scan_line(found[0])
    assert scanned.account_number == home.number
    assert scanned.amount_due == Money.of("276.67")
    assert scanned.bill_number == "202610-00000000" == statement_bill_field(PERIOD)
    assert scanned.is_statement
    # the lockbox path: a remittance with this stub matches the account
    match = match_remittance(found[0])
    assert (match.account_number, match.how) == (home.number, "scan line")


def test_a_bills_scan_line_is_not_a_statements_and_bad_references_are_refused():
    bill_line = make_scan_line(
        account_number="2000001", bill_number="202610-00000001", amount_due=Money.of("183.89")
    )

    assert not read_scan_line(bill_line).is_statement
    with pytest.raises(ScanLineError, match="not YYYY-MM"):
        statement_bill_field("2026-13")
    with pytest.raises(ScanLineError, match="without a leading zero"):
        statement_reference(account_number="0123", period=PERIOD)


def test_a_spanish_account_gets_its_statement_in_spanish(small_coop):
    account = AccountFactory(
        language="ES", party=PartyFactory(first_name="Ana", last_name="Garcia")
    )
    add_location(account, "Casa, 14 Calle del Rio", 600)
    add_location(account, "Pozo, Rio Penasco Rd", 300)
    run_billing(period_label=PERIOD)

    text = statement_pdf_text(account)

    assert "Estado de cuenta resumido" in text
    assert "Facturas de este mes de sus lugares de servicio" in text
    assert "Total de estas facturas" in text
    assert "Cantidad a pagar al 10 de octubre de 2026" in text
    assert "Fecha de vencimiento" in text and "30 de octubre de 2026" in text
    assert "Referencia del estado de cuenta" in text
    assert "Por favor devuelva esta parte con su pago." in text  # the shared stub
    assert "Account Summary Statement" not in text and "Amount due" not in text
    for bill in posted_bills(account):
        assert bill.number in text


def test_an_account_with_one_bill_is_told_to_print_the_bill(farm):
    tou_home = farm.tou_home

    with pytest.raises(RuleViolation) as refused:
        load_summary_statement(account_number=tou_home.number, period=PERIOD)

    assert str(refused.value) == (
        f"account {tou_home.number} has one bill for 2026-10; print the bill itself"
    )


def test_a_held_bill_does_not_count_and_the_refusal_says_it_is_held(farm):
    home = farm.home
    Bill.objects.filter(pk=posted_bills(home)[-1].pk).update(status=BillStatus.HELD)

    with pytest.raises(RuleViolation, match=r"has one bill for 2026-10 \(1 more held for review\)"):
        load_summary_statement(account_number=home.number, period=PERIOD)


def test_an_account_without_bills_and_an_unknown_account_are_refused(farm):
    with pytest.raises(RuleViolation, match=rf"account {farm.no_read.number} has no posted bills"):
        load_summary_statement(account_number=farm.no_read.number, period=PERIOD)
    with pytest.raises(RuleViolation, match="no account '99999999'"):
        load_summary_statement(account_number="99999999", period=PERIOD)
    with pytest.raises(RuleViolation, match="has no posted bills for 2026-09"):
        load_summary_statement(account_number=farm.home.number, period="2026-09")


def test_the_statement_loads_in_three_queries(farm, django_assert_num_queries):
    with django_assert_num_queries(3):  # account with party; bills with premises; balance
        load_summary_statement(account_number=farm.home.number, period=PERIOD)


def _many_locations(count: int, amount_due: Decimal) -> SummaryStatement:
    bills = tuple(
        LocationBill(
            number=f"202610-{index + 1:08d}",
            service_address=f"Well {index + 1}, Rio Penasco Rd, Mayhill, NM 88339",
            service_point_code=f"SP{index:06d}",
            meter_serial=f"M{index:08d}",
            period_start=date(2026, 9, 1),
            period_end=date(2026, 10, 1),
            energy_wh=None if index == 0 else 100_000 * index,
            bill_date=date(2026, 10, 10),
            due_date=date(2026, 10, 20),
            total_amount=Decimal("10.01") * (index + 1),
        )
        for index in range(count)
    )
    return SummaryStatement(
        account_number="4100200",
        name="Penasco Farms LLC",
        language="EN",
        autopay=False,
        mailing_lines=("Penasco Farms LLC", "HC 60 Box 12", "Mayhill NM 88339"),
        period=PERIOD,
        statement_date=date(2026, 10, 10),
        due_date=date(2026, 10, 20),
        bills=bills,
        amount_due_amount=amount_due,
    )


def test_many_locations_continue_on_further_pages_with_the_total_after_the_last_row():
    statement = _many_locations(40, Decimal("8208.20"))

    rendered = render_summary_statement(statement, active_profile())

    pages = [pdf_text(rendered.pdf)] + [
        page.extract_text() for page in PdfReader(BytesIO(rendered.pdf)).pages
    ]
    text, first, last = pages[0], pages[1], pages[-1]
    assert rendered.pages == pdf_pages(rendered.pdf) == 2
    for bill in statement.bills:
        assert bill.number in text
    assert statement.total_amount == Decimal("8208.20")  # 10.01 x (1 + 2 + ... + 40)
    assert "Total of these bills" not in first and "Page 1 of 2" in first
    assert last.index("Total of these bills") > last.index("202610-00000040")
    assert "$8,208.20" in last and "Page 2 of 2" in last
    assert len(SCAN_LINE.findall(first)) == 1 and not SCAN_LINE.findall(last)  # stub on page 1


def test_a_credit_balance_asks_for_nothing_on_the_stub():
    statement = _many_locations(2, Decimal("-15.00"))

    text = pdf_text(render_summary_statement(statement, active_profile()).pdf)

    assert "Credit balance: nothing to pay." in text
    assert "-$15.00" in text
    assert read_scan_line(SCAN_LINE.findall(text)[0]).amount_due == Money.zero()


def test_rendering_is_deterministic():
    statement = _many_locations(3, Decimal("60.06"))

    first = render_summary_statement(statement, active_profile())
    second = render_summary_statement(replace(statement), active_profile())

    assert first.pdf == second.pdf and first.pdf.startswith(b"%PDF-")


def coopcis(capsys, *argv: str) -> tuple[int, str, str]:
    """Run ``coopcis`` in-process; returns the exit code, stdout and stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_command_writes_the_statement(farm, tmp_path, capsys):
    out = tmp_path / "statements" / "farm.pdf"

    code, _, err = coopcis(capsys, "bills", "summary", farm.home.number, "--period", PERIOD,
                           "--out", str(out))  # fmt: skip

    assert code == 0, err
    assert err == (
        f"coopcis bills summary: account {farm.home.number} 2026-10: 2 bills totalling $276.67, "
        f"amount due $276.67 (1 page) to {out}\n"
    )
    text = pdf_text(out.read_bytes())
    assert all(bill.number in text for bill in posted_bills(farm.home))
    assert [path.name for path in out.parent.iterdir()] == ["farm.pdf"]  # no partial file left


@pytest.mark.parametrize(
    ("account", "message"),
    [
        ("99999999", "no account '99999999'"),
        ("tou_home", "has one bill for 2026-10; print the bill itself"),
    ],
)
def test_the_command_refuses_in_one_line_and_writes_nothing(farm, tmp_path, capsys, account,
                                                            message):  # fmt: skip
    number = getattr(farm, account).number if account == "tou_home" else account
    out = tmp_path / "statement.pdf"

    code, out_text, err = coopcis(capsys, "bills", "summary", number, "--period", PERIOD,
                                  "--out", str(out))  # fmt: skip

    assert code == 1
    assert out_text == ""
    assert err.startswith("coopcis bills: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not list(tmp_path.iterdir())


def test_the_command_refuses_a_bad_month_and_a_folder_for_out(farm, tmp_path, capsys):
    code, _, err = coopcis(capsys, "bills", "summary", farm.home.number, "--period", "2026-13",
                           "--out", str(tmp_path / "x.pdf"))  # fmt: skip
    assert (code, err) == (1, "coopcis bills: error: not a month (YYYY-MM): '2026-13'\n")

    code, _, err = coopcis(capsys, "bills", "summary", farm.home.number, "--period", PERIOD,
                           "--out", str(tmp_path))  # fmt: skip
    assert (
        code == 1
        and err
        == f"coopcis bills: error: --out {tmp_path} is a folder; name the PDF file to write\n"
    )
    assert not list(tmp_path.iterdir())


def test_the_summary_words_are_spanish_in_spanish():
    spanish = bt.text("ES")

    assert spanish["summary_title"] == "Estado de cuenta resumido"
    assert spanish["amount_due_as_of"].format(date="x") == "Cantidad a pagar al x"
