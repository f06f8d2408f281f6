"""A bill rendered from the database says the figures the member needs, in their language."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.billing.bill_text import member_clause
from coopcis.apps.billing.pdf import load_bill_documents, render_bill, render_bill_by_id
from coopcis.catalog.profiles import active_profile
from coopcis.core.billing.scan_line import read_scan_line
from coopcis.core.money import Money
from tests.factories import MeterFactory, MeterInstallationFactory
from tests.integration.billing_pdf.conftest import pdf_pages, pdf_text, residence
from tests.integration.billing_pdf.factories import RESIDENTIAL_LINES, make_bill
from tests.integration.small_coop import reads

pytestmark = pytest.mark.django_db


def rendered_text(bill_id: int) -> str:
    rendered = render_bill_by_id(bill_id)
    assert rendered is not None
    return pdf_text(rendered.pdf)


def test_an_english_bill_shows_the_account_dates_reads_charges_and_totals(home):
    bill = make_bill(home, "2026-03", previous_balance_amount=Decimal("1152.10"),
                     payments_amount=Decimal("152.10"), amount_due_amount=Decimal("1167.83"))  # fmt: skip

    text = rendered_text(bill.pk)

    assert "Otero County Electric Cooperative, Inc." in text
    assert (
        "404 Burro Avenue, PO Box 227, Cloudcroft, NM 88317" in text
    )  # an office, from the profile
    assert "1-800-548-4660" in text
    assert "3100417" in text
    assert bill.number in text
    assert "BACA, MARIA" in text  # the mailing name, upper case for the envelope
    assert "PO BOX 817" in text and "CLOUDCROFT NM 88317" in text
    assert "1207 James Canyon Hwy, Cloudcroft, NM 88317" in text  # service address
    assert "March 8, 2026" in text  # bill date
    assert "Due date" in text and "March 28, 2026" in text
    assert "12,345" in text and "13,195" in text  # previous and current reads, kWh
    assert "ACTUAL" in text and "ESTIMATED" not in text
    for _code, description, *_rest, amount, source in RESIDENTIAL_LINES:
        assert description in text
        assert f"${Decimal(amount):,.2f}" in text
        assert member_clause(source)[:60] in text.replace("\n", " ")
    assert "$0.1371" in text and "$0.012345" in text and "6.875%" in text
    assert "$1,152.10" in text and "-$152.10" in text  # previous balance, payments
    assert "$167.83" in text  # current charges
    assert "$1,167.83" in text  # amount due
    assert "To report an outage" in text and "Ways to pay" in text
    assert "www.ocec-inc.com" in text


def test_a_spanish_account_gets_its_bill_in_spanish(db):
    agreement = residence(number="3100418", language="ES")
    bill = make_bill(agreement, "2026-03", current_read_kind="ESTIMATED", estimated=True)

    text = rendered_text(bill.pk)

    assert "Factura de electricidad" in text
    assert "Fecha de vencimiento" in text and "28 de marzo de 2026" in text
    assert "Cantidad a pagar" in text
    assert "Lectura anterior" in text and "Lectura actual" in text
    assert "ESTIMADA" in text
    assert "Cargo por cliente" in text and "Energía, todos los kWh" in text
    assert "Para reportar un apagón" in text and "Formas de pago" in text
    assert "Due date" not in text and "Amount due" not in text


def test_the_stub_scan_line_reads_back_to_the_bill(home):
    bill = make_bill(home, "2026-03", amount_due_amount=Decimal("1167.83"))

    text = rendered_text(bill.pk)
    line = re.search(r"\d{12} \d{14} \d{10} \d", text)

    assert line is not None
    scanned = read_scan_line(line.group(0))
    assert scanned.account_number == "3100417"
    assert scanned.bill_number == bill.number
    assert scanned.amount_due == Money.of("1167.83")


def test_a_credit_balance_asks_for_nothing_on_the_stub(home):
    bill = make_bill(home, "2026-03", amount_due_amount=Decimal("-20.00"))

    text = rendered_text(bill.pk)

    assert "-$20.00" in text
    line = re.search(r"\d{12} \d{14} \d{10} \d", text)
    assert line is not None and read_scan_line(line.group(0)).amount_due == Money.zero()


def test_the_usage_chart_takes_this_service_points_earlier_bills_not_cancelled_ones(home):
    for month, kwh in (("2025-03", 500), ("2025-12", 1200), ("2026-02", 900)):
        make_bill(home, month, energy_wh=kwh * 1000)
    make_bill(home, "2025-02", energy_wh=777_000)  # fourteen months back: not charted
    make_bill(home, "2026-01", energy_wh=999_000, status="CANCELLED")
    make_bill(home, "2026-01", energy_wh=1_100_000)  # the corrected bill
    other = residence(number="3100419")  # another account's meter: not charted
    make_bill(other, "2025-11", energy_wh=4_000_000)
    bill = make_bill(home, "2026-03", energy_wh=850_000)

    [document] = load_bill_documents([bill.pk])

    by_month = {month.period: month.energy_kwh for month in document.usage}
    assert list(by_month) == [f"2025-{m:02d}" for m in range(3, 13)] + ["2026-01", "2026-02",
                                                                        "2026-03"]  # fmt: skip
    assert by_month["2025-03"] == Decimal(500)
    assert by_month["2025-11"] is None
    assert by_month["2025-12"] == Decimal(1200)
    assert by_month["2026-01"] == Decimal(1100)
    assert by_month["2026-02"] == Decimal(900)
    assert by_month["2026-03"] == Decimal(850)
    text = rendered_text(bill.pk)
    assert "Your use over 13 months (kWh)" in text
    labels = " ".join(text.split()).split("(kWh)")[1]
    assert "Mar 2025 Apr May Jun Jul Aug Sep Oct Nov Dec Jan 2026 Feb Mar" in labels
    assert "1,000 2,000" in labels  # the scale: 1,200 kWh rounds up to a 2,000 top


def test_many_charge_lines_continue_on_a_second_page_with_the_totals(home):
    lines = tuple(
        (f"demand-{n}", f"Demand, block {n}", "2", "kW", "9.25", "18.50", f"Clause {n} (seed 001)")
        for n in range(1, 31)
    )
    bill = make_bill(home, "2026-03", lines=lines)

    rendered = render_bill_by_id(bill.pk)

    assert rendered is not None and rendered.pages == pdf_pages(rendered.pdf) >= 2
    text = pdf_text(rendered.pdf)
    assert all(f"Demand, block {n}" in text for n in range(1, 31))
    assert "Clause: Clause 30" in text and "(seed" not in text
    assert "Page 2 of" in text
    assert "$555.00" in text  # 30 x 18.50


def test_an_unmetered_lighting_bill_says_so(home):
    lines = (("lighting", "Street lighting, 100 watt HPS / 42 watt LED, per fixture", "2",
              "fixture", "15.70", "31.40", "SUMMARY OF RATES: Street lighting (seed 001)"),)  # fmt: skip
    bill = make_bill(home, "2026-03", lines=lines, energy_wh=None, meter_serial="",
                     previous_register_wh=None, current_register_wh=None,
                     previous_read_kind="", current_read_kind="")  # fmt: skip

    text = rendered_text(bill.pk)

    assert "Unmetered service" in text
    assert "2 fixtures" in text and "$31.40" in text


def test_a_held_bill_previews_with_a_banner(home):
    bill = make_bill(home, "2026-03", status="HELD")

    assert "HELD FOR REVIEW - NOT MAILED" in rendered_text(bill.pk)


def test_rendering_is_deterministic(home):
    bill = make_bill(home, "2026-03")
    [document] = load_bill_documents([bill.pk])

    first = render_bill(document, active_profile())
    second = render_bill(document, active_profile())

    assert first.pdf == second.pdf
    assert first.pdf.startswith(b"%PDF-")


def test_a_chunk_of_bills_loads_in_six_queries(home, django_assert_num_queries):
    MeterInstallationFactory(service_point=home.service_point, installed_on=date(2019, 3, 4))
    ids = [make_bill(home, month).pk for month in ("2026-01", "2026-02", "2026-03")]
    for number in range(5):
        ids.append(make_bill(residence(number=f"31006{number:02d}")).pk)

    # bills with account and premise; lines; billed usage; installations; register reads;
    # net-metering months
    with django_assert_num_queries(6):
        documents = load_bill_documents([*ids, 999999])

    assert [document.bill_id for document in documents] == ids  # the order asked; unknown skipped
    assert all(len(document.lines) == len(RESIDENTIAL_LINES) for document in documents)


def test_register_reads_print_as_the_dials_show_them_whole_kwh(home):
    bill = make_bill(home, "2026-03", previous_register_wh=380_109_244,
                     current_register_wh=381_000_100, energy_wh=890_856)  # fmt: skip

    text = rendered_text(bill.pk)

    assert "380,109" in text and "381,000" in text
    assert "380,109.244" not in text and "381,000.1" not in text
    assert "890.856" in text  # the kWh used is the billed figure, exactly


def test_charges_name_the_rate_schedule_a_member_can_ask_for_not_the_catalogs_files(home):
    bill = make_bill(home, "2026-03")

    text = " ".join(rendered_text(bill.pk).split())

    assert (
        "Rate schedule: Residential Service ~ Flat Rate, effective January 1, 2020. "
        "Ask any office for a copy." in text
    )
    assert (
        "Clause: SUMMARY OF RATES: Residential Service ~ Flat Rate, CUSTOMER CHARGE $30.00" in text
    )
    assert "(seed" not in text and "seed 00" not in text


def test_the_spanish_bill_names_the_rate_schedule_in_spanish(db):
    bill = make_bill(residence(number="3100418", language="ES"), "2026-03")

    text = " ".join(rendered_text(bill.pk).split())

    assert "Tarifa: Residential Service ~ Flat Rate, vigente desde el 1 de enero de 2020" in text


def test_every_office_prints_with_its_street_po_box_and_phone(home):
    text = " ".join(rendered_text(make_bill(home, "2026-03").pk).split())

    assert "Cloudcroft: 404 Burro Avenue, PO Box 227, Cloudcroft, NM 88317, 575-682-2521" in text
    assert "Alto: 1135 Highway 48, PO Box 1135, Alto, NM 88312, 575-336-4550" in text
    assert "Carrizozo: 507 12th Street, PO Box 669, Carrizozo, NM 88301, 575-648-2352" in text
    # the stub sends mailed payments to the PO box
    stub = text.split("Please return this portion with your payment.")[1]
    assert "PO Box 227 Cloudcroft, NM 88317" in stub


def test_the_chart_takes_the_months_before_coopcis_billed_from_the_register_reads(home):
    meter = MeterFactory()
    MeterInstallationFactory(
        meter=meter, service_point=home.service_point, installed_on=date(2019, 3, 4)
    )
    reads(meter, (date(2025, 12, 5), 10_000), (date(2026, 1, 5), 10_640),
          (date(2026, 2, 5), 11_420))  # fmt: skip
    make_bill(home, "2026-02", energy_wh=700_000)  # a bill wins over the reads of its month
    bill = make_bill(home, "2026-03", energy_wh=850_000)

    [document] = load_bill_documents([bill.pk])

    by_month = {month.period: month.energy_kwh for month in document.usage}
    assert by_month["2026-01"] == Decimal(640)  # from the reads: no bill that month
    assert by_month["2026-02"] == Decimal(700)
    assert by_month["2026-03"] == Decimal(850)
    assert by_month["2025-12"] is None  # the first read opens the history, it closes no span


def test_reads_from_before_the_members_agreement_stay_off_the_chart(db):
    agreement = residence(number="3100420")
    agreement.start_on = date(2026, 1, 20)
    agreement.save()
    meter = MeterFactory()
    MeterInstallationFactory(
        meter=meter, service_point=agreement.service_point, installed_on=date(2019, 3, 4)
    )
    reads(meter, (date(2025, 12, 5), 10_000), (date(2026, 1, 5), 10_640),
          (date(2026, 1, 20), 10_900), (date(2026, 2, 5), 11_420))  # fmt: skip
    bill = make_bill(agreement, "2026-03", energy_wh=850_000)

    [document] = load_bill_documents([bill.pk])

    by_month = {month.period: month.energy_kwh for month in document.usage}
    assert by_month["2026-01"] is None  # the previous occupant's use
    assert by_month["2026-02"] == Decimal(520)  # since the move-in read


def test_the_bill_sends_members_to_the_portal_at_the_profiles_address(home, db):
    english = " ".join(rendered_text(make_bill(home, "2026-03").pk).split())
    spanish = " ".join(
        rendered_text(make_bill(residence(number="3100418", language="ES"), "2026-03").pk).split()
    )

    # ocec.toml: portal_url = "https://members.ocec-inc.com/portal/"
    assert "Online, by card or e-check, at members.ocec-inc.com/portal." in english
    assert "ask for a payment arrangement at members.ocec-inc.com/portal" in english
    assert "en members.ocec-inc.com/portal" in spanish
    for text in (english, spanish):
        assert "mobile app" not in text and "member portal" not in text
        assert "aplicación móvil" not in text
