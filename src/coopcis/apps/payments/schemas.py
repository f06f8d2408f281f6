"""What the payments API takes and answers, as the OpenAPI document at ``/api/schema``
describes it (django-ninja builds the document from these models).

Bodies are read by :func:`coopcis.apps.payments.api.parse_submission` and the core's money
parser, not by these models, so that every refusal names its field in the API's own
``{"errors": {field: [message]}}`` shape; the models describe the same rules.
"""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from coopcis.apps.payments.models import Tender
from coopcis.site.openapi import ErrorOut, FieldErrorsOut

__all__ = ["ErrorOut", "FieldErrorsOut"]

#: An amount as the money parser reads it from an API: ASCII digits, at most two decimals.
AMOUNT_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"

TenderCode = Literal[tuple(Tender.values)]  # type: ignore[valid-type]


class PaymentIn(Schema):
    """One payment from a front end; money is a JSON string, never a number."""

    model_config = ConfigDict(extra="forbid")

    account: str = Field(max_length=12, description="the account number")
    amount: str = Field(pattern=AMOUNT_PATTERN, examples=["54.20"])
    tender: TenderCode  # type: ignore[valid-type]
    reference: str = Field("", max_length=80)
    token: str | None = Field(
        None, min_length=1, max_length=200, description="the processor's card or e-check token"
    )


class AppliedOut(Schema):
    description: str
    due_on: str
    amount: str


class PaymentOut(Schema):
    id: int
    account: str
    amount: str
    applied: str
    unapplied: str
    balance_after: str
    status: str
    channel: str
    tender: str
    reference: str
    received_on: str
    applied_to: list[AppliedOut]
    authorization: str | None = None


class BalanceOut(Schema):
    account: str
    status: str
    balance: str
    amount_due: str
    due_date: str | None


class CallbackOut(Schema):
    event: str
    applied: bool
    detail: str
