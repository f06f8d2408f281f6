"""What the staff API takes and answers, as the OpenAPI document at ``/api/schema``
describes it (django-ninja builds the document from these models; the views read the
bodies themselves so that each refusal names its field)."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from coopcis.apps.members.models import MembershipKind, RateClass
from coopcis.site.openapi import ErrorOut, FieldErrorsOut

__all__ = ["ErrorOut", "FieldErrorsOut"]

DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
AMOUNT_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
COORDINATE_PATTERN = r"^-?[0-9]{1,3}(\.[0-9]{1,6})?$"


class AccountChangeIn(Schema):
    """The fields staff may change on an account, and why."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(description="why (kept in the account's history)")
    mailing_line1: str | None = Field(None, max_length=120)
    mailing_line2: str | None = Field(None, max_length=120)
    mailing_city: str | None = Field(None, max_length=60)
    mailing_state: str | None = Field(None, max_length=2)
    mailing_zip: str | None = Field(None, max_length=10)
    phone: str | None = Field(None, max_length=20)
    email: str | None = None
    language: Literal["EN", "ES"] | None = None
    paperless: bool | None = None
    billing_cycle: int | None = Field(None, ge=1, le=31)


class NewParty(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["PERSON", "ORGANIZATION"]
    first_name: str = ""
    last_name: str = ""
    organization_name: str = ""
    organization_kind: str = ""
    phone: str = ""
    email: str = ""


class NewPremise(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: str
    line1: str
    line2: str = ""
    city: str
    state: str = "NM"
    zip_code: str
    county: str = ""
    district: str = ""
    latitude: str | None = Field(None, pattern=COORDINATE_PATTERN)
    longitude: str | None = Field(None, pattern=COORDINATE_PATTERN)


class ApplicationIn(Schema):
    """An application for service: an existing party or a new one, and the same for the
    premise."""

    party_id: int | None = None
    party: NewParty | None = None
    premise_id: int | None = None
    premise: NewPremise | None = None
    rate_class: Literal[tuple(RateClass.values)]  # type: ignore[valid-type]
    tariff_code: str
    membership_kind: Literal[tuple(MembershipKind.values)] = "MEMBER"  # type: ignore[valid-type]
    submitted_on: str = Field(pattern=DATE_PATTERN)
    requested_on: str = Field(pattern=DATE_PATTERN)
    deposit_amount: str | None = Field(None, pattern=AMOUNT_PATTERN)
    after_hours: bool = False
    special_agreement: str = ""


class ChargeOut(Schema):
    kind: str
    description: str
    amount: str


class ApplicationOut(Schema):
    id: int
    status: str
    party_id: int
    premise_id: int
    charges: list[ChargeOut]


class InstallIn(Schema):
    model_config = ConfigDict(extra="forbid")

    service_point: str
    installed_on: str = Field(pattern=DATE_PATTERN)


class InstallationOut(Schema):
    meter: str
    service_point: str
    installed_on: str
