"""Fixtures: a residential account on a service point with an open agreement."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from coopcis.apps.premises.models import ServiceAgreement
from tests.factories import (
    AccountFactory,
    PartyFactory,
    PremiseFactory,
    ServiceAgreementFactory,
    ServicePointFactory,
)


def pdf_text(pdf: bytes) -> str:
    """All the text of a PDF, pages joined (what a screen reader or search would see)."""
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def pdf_pages(pdf: bytes) -> int:
    return len(PdfReader(BytesIO(pdf)).pages)


def residence(**account_fields: object) -> ServiceAgreement:
    party = PartyFactory(first_name="Maria", last_name="Baca")
    fields: dict[str, object] = {
        "party": party,
        "mailing_line1": "PO Box 817",
        "mailing_city": "Cloudcroft",
        "mailing_zip": "88317",
    }
    fields.update(account_fields)
    account = AccountFactory(**fields)
    premise = PremiseFactory(line1="1207 James Canyon Hwy", city="Cloudcroft", zip_code="88317")
    point = ServicePointFactory(premise=premise)
    return ServiceAgreementFactory(
        account=account, service_point=point, tariff_code="ocec-res", start_on=date(2019, 3, 4)
    )


@pytest.fixture
def home(db: None) -> ServiceAgreement:
    return residence(number="3100417")
