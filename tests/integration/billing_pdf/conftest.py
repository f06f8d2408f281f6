"""Fixtures: a residential account on a service point with an open agreement."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from coopcis.apps.premises.models import ServiceAgreement
from tests.factories import (
    AccountFactory,
    MeterFactory,
    MeterInstallationFactory,
    PartyFactory,
    PremiseFactory,
    ServiceAgreementFactory,
    ServicePointFactory,
)
from tests.integration.small_coop import reads


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


def add_location(account, line1: str, kwh: int, start_kwh: int = 2_000) -> str:
    """A second metered location on ``account``, read 1 September and 1 October; returns
    the meter's serial."""
    point = ServicePointFactory(premise=PremiseFactory(county="Otero", line1=line1))
    ServiceAgreementFactory(
        account=account, service_point=point, tariff_code="ocec-res", start_on=date(2024, 1, 1)
    )
    meter = MeterFactory()
    MeterInstallationFactory(meter=meter, service_point=point, installed_on=date(2024, 1, 1))
    reads(meter, (date(2026, 9, 1), start_kwh), (date(2026, 10, 1), start_kwh + kwh))
    return meter.serial


@pytest.fixture
def home(db: None) -> ServiceAgreement:
    return residence(number="3100417")
