"""The bills, notices and receipts read the same after their words moved onto the
translation catalogue (src/coopcis/locale).

Each document's extracted text is compared with the text the code printed before the
move (``paper/*.txt``, written then by the former per-module word tables). A changed
Spanish (or English) word on paper fails here; when a change is meant, rewrite the
files with ``COOPCIS_WRITE_PAPER_TEXT=1`` and read the difference in review.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from coopcis.apps.billing.pdf import render_bill_by_id
from coopcis.apps.billing.pdf.letter import letter_pdf
from coopcis.apps.collections.notices import NoticeFacts, notice_section
from coopcis.apps.credit.receipt import receipt_pdf as deposit_receipt_pdf
from coopcis.apps.payments.corrections import void_payment
from coopcis.apps.payments.receipt import receipt_pdf as payment_receipt_pdf
from coopcis.apps.payments.services import open_batch, receive_payment
from coopcis.catalog.profiles import active_profile
from tests.integration.billing_pdf.conftest import pdf_text, residence
from tests.integration.billing_pdf.factories import RESIDENTIAL_LINES, make_bill

pytestmark = pytest.mark.django_db

PAPER = Path(__file__).parent / "paper"

#: Lines whose every tariff phrase the bill puts into Spanish.
PHRASE_LINES = (
    *RESIDENTIAL_LINES,
    ("rec", "Renewable Energy and Conservation Fee", "1", "period", "1.00", "1.00", "Rule 19"),
    ("dca", "Debt cost adjustment", "850", "kWh", "0.001", "0.85", "Rate 19"),
    ("min", "Minimum bill adjustment", "1", "period", "0.50", "0.50", "Rate 19"),
    ("base", "Base energy cost", "850", "kWh", "0.001", "0.85", "Rate 19"),
    ("sys", "System charge", "1", "period", "2.00", "2.00", "Rate 19"),
    ("pct", "Percentage fee", "1", "$", "0.01", "0.10", "Rate 19"),
    ("tou1", "Energy, first 500 kWh on-peak", "500", "kWh", "0.2", "100.00", "Rate 19"),
    ("tou2", "Energy, next 200 kWh off-peak", "200", "kWh", "0.1", "20.00", "Rate 19"),
    ("tou3", "Energy, over 700 kWh", "150", "kWh", "0.1", "15.00", "Rate 19"),
    ("tou4", "Energy, above 900 kWh", "0", "kWh", "0.1", "0.00", "Rate 19"),
    ("dem", "Demand, NCP billing kW measured at PF 0.9", "12", "kW", "5", "60.00", "Rate 19"),
    ("loss", "Demand losses", "1", "kW", "1", "1.00", "Rate 19"),
    ("split", "Energy, 10 days at rates effective 2026-03-01", "100", "kWh", "0.1", "10.00",
     "Rate 19"),
    ("light", "Street lighting, 100 watt HPS, per fixture", "2", "fixture", "15.70", "31.40",
     "SUMMARY OF RATES: Street lighting (seed 001)"),
)  # fmt: skip


#: Numbers that depend on the database's sequences, not on the words: the bill number and
#: scan line carry the bill's id, a payment receipt the payment's.
SEQUENCE_NUMBERS = (
    (re.compile(r"\b(\d{6})-\d{8}\b"), r"\1-########"),
    (re.compile(r"^\d{12} \d{14} \d{10} \d$", re.MULTILINE), "#scan line#"),
    (re.compile(r"(Número de recibo|Receipt number) \d+"), r"\1 #"),
)


def same_as_before(name: str, text: str) -> None:
    for pattern, replacement in SEQUENCE_NUMBERS:
        text = pattern.sub(replacement, text)
    path = PAPER / f"{name}.txt"
    if os.environ.get("COOPCIS_WRITE_PAPER_TEXT") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        f"{name}: the printed words changed (if meant: COOPCIS_WRITE_PAPER_TEXT=1 pytest {__file__})"
    )


@pytest.mark.parametrize("language", ["ES", "EN"])
def test_a_bill_reads_as_before(language):
    agreement = residence(number="3100418", language=language)
    agreement.service_point.code = "SP100200"
    agreement.service_point.save()
    bill = make_bill(
        agreement, "2026-03", lines=PHRASE_LINES, current_read_kind="ESTIMATED", estimated=True
    )
    rendered = render_bill_by_id(bill.pk, reprinted_on=date(2026, 4, 2))
    assert rendered is not None

    same_as_before(f"bill-{language.lower()}", pdf_text(rendered.pdf))


@pytest.mark.parametrize("kind", ["SECOND", "DISCONNECT", "THIRD_PARTY", "FINAL_CONTACT"])
def test_a_notice_reads_as_before_in_both_languages(kind):
    profile = active_profile()
    facts = NoticeFacts(
        kind=kind,
        account_number="3100418",
        member_name="Baca, Maria",
        sent_on=date(2026, 3, 2),
        amount=Decimal("1234.56"),
        pay_by=date(2026, 3, 12) if kind == "SECOND" else None,
        disconnect_on=None if kind == "SECOND" else date(2026, 3, 20),
        third_party_name="Ana Baca" if kind == "THIRD_PARTY" else "",
    )
    pdf = letter_pdf(
        profile=profile,
        address_lines=("Maria Baca", "PO Box 817", "Cloudcroft NM 88317"),
        sections=[notice_section(language, profile, facts) for language in ("ES", "EN")],
        title=f"Notice {kind}",
    )

    same_as_before(f"notice-{kind.lower()}", pdf_text(pdf))


@pytest.mark.parametrize("language", ["ES", "EN"])
def test_a_deposit_receipt_reads_as_before(language):
    account = residence(number="3100418", language=language).account

    pdf = deposit_receipt_pdf(
        account=account, paid_on=date(2026, 2, 27), amount=Decimal("250.00"), language=language
    )

    same_as_before(f"deposit-receipt-{language.lower()}", pdf_text(pdf))


@pytest.mark.parametrize("language", ["ES", "EN"])
def test_a_payment_receipt_reads_as_before(language):
    account = residence(number="3100418", language=language).account
    taken = datetime(2026, 3, 4, 10, 15, tzinfo=ZoneInfo("America/Denver"))
    with time_machine.travel(taken, tick=False):
        batch = open_batch(drawer="Cloudcroft 1", opened_on=taken.date())
        payment = receive_payment(
            account=account,
            amount=Decimal("25.00"),
            channel="OFFICE",
            tender="CASH",
            received_on=taken.date(),
            reference="MO 5512",
            cashier_batch=batch,
        ).payment
        pending = pdf_text(payment_receipt_pdf(payment))
        void_payment(payment=payment, on=taken.date(), reason="keyed twice")
        payment.refresh_from_db()
        voided = pdf_text(payment_receipt_pdf(payment))

    same_as_before(f"payment-receipt-{language.lower()}", pending + "\n---\n" + voided)
