"""JSON API for outage reports, under ``/api/v1/outages/``.

- ``POST /api/v1/outages/reports`` with a channel key (``Authorization: Bearer cpk_...``,
  the payments API's keys): a member's report from the phone system (IVR key), the mobile
  app (MOBILE key) or the web (ONLINE key). Body ``{"account", "service_point"?, "note"?}``
  (or ``{"service_point"}``): 201 and the report. 400 by field for bad input. An optional
  ``Idempotency-Key`` header (1-64 printable ASCII characters, one per report) makes a
  retried request harmless: the same key from the same channel key answers 200 with the
  report it first made, never a second report.
- ``POST /api/v1/outages/ami`` with ``Authorization: Bearer <COOPCIS_AMI_KEY>``: one meter
  event ``{"message_id", "meter", "event": "last_gasp"|"restoration", "at"}`` (``at``
  ISO-8601 with offset); 201 the first time, 200 and the same report for a message id
  already received (never counted twice); 401 for a wrong key or when no key is set.

Both only record the report: the background prediction pass
(``coopcis.apps.outages.predictor``) puts it in an outage within seconds, so a storm's
requests never wait on prediction.

"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from coopcis.apps.audit.context import acting_as
from coopcis.apps.outages import intake
from coopcis.apps.outages.models import OutageReport, ReportKind, ReportSource
from coopcis.apps.payments.api import BadRequest, ChannelKey, as_front_end, object_body
from coopcis.apps.payments.models import ApiChannel
from coopcis.core.errors import RuleViolation
from coopcis.site.openapi import (
    ErrorOut,
    FieldErrorsOut,
    json_body,
)

router = Router(tags=["outages"])


class ReportIn(Schema):
    """A member's report: the account (and the service point if it has several)."""

    model_config = ConfigDict(extra="forbid")

    account: str = Field("", max_length=12)
    service_point: str = Field("", max_length=20)
    note: str = Field("", max_length=500)


class AmiEventIn(Schema):
    """One meter event from the AMI head-end."""

    model_config = ConfigDict(extra="forbid")

    message_id: str = Field(min_length=1, max_length=80)
    meter: str = Field(min_length=1, max_length=30, description="the meter's serial")
    event: Literal["last_gasp", "restoration"]
    at: str = Field(max_length=40, description="ISO-8601 with its UTC offset")


SOURCE_OF_CHANNEL = {
    ApiChannel.IVR: ReportSource.PHONE,
    ApiChannel.MOBILE: ReportSource.MOBILE,
    ApiChannel.ONLINE: ReportSource.PORTAL,
}
AMI_EVENTS = {"last_gasp": ReportKind.OUT, "restoration": ReportKind.RESTORED}


def _texts(body: dict[str, Any], known: tuple[str, ...], limits: dict[str, int]) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    for name in body:
        if name not in known:
            errors[name] = [f"unknown field; known: {', '.join(known)}"]
    for name in known:
        value = body.get(name, "")
        if not isinstance(value, str):
            errors[name] = ["must be text (a JSON string)"]
        elif len(value.strip()) > limits.get(name, 40):
            errors[name] = [f"at most {limits.get(name, 40)} characters"]
        else:
            values[name] = value.strip()
    if errors:
        raise BadRequest(errors)
    return values


def _answer(report: OutageReport, status: int) -> JsonResponse:
    return JsonResponse(
        {
            "report": report.pk,
            "service_point": report.service_point.code,
            "kind": report.kind,
            "event_at": report.event_at.isoformat(),
            "suppressed_by_planned_outage": report.planned_id is not None,
            "message_id": report.message_id,
        },
        status=status,
    )


@router.post(
    "/outages/reports",
    auth=ChannelKey(),
    response={201: dict, 400: FieldErrorsOut, 401: ErrorOut, 429: ErrorOut},
    summary="A member's outage report from the phone system, the app or the web",
    openapi_extra=json_body(ReportIn),
)
@as_front_end
def member_report(request: HttpRequest) -> HttpResponse:
    channel = request.auth.channel  # type: ignore[attr-defined]
    source = SOURCE_OF_CHANNEL.get(channel)
    if source is None:
        raise BadRequest({"__all__": [f"a {channel} key does not take outage reports"]})
    values = _texts(
        object_body(request),
        ("account", "service_point", "note"),
        {"account": 12, "service_point": 20, "note": 500},
    )
    if not values["account"] and not values["service_point"]:
        raise BadRequest({"account": ["required: the account number (or the service point)"]})
    message_id = _report_key(request)
    if message_id is not None:
        earlier = OutageReport.objects.filter(message_id=message_id).first()
        if earlier is not None:
            return _answer(earlier, 200)
    point, account = intake.find_service_point(
        service_point=values["service_point"], account=values["account"]
    )
    received = intake.receive_report(
        service_point=point,
        source=source,
        event_at=timezone.now(),
        account=account,
        message_id=message_id,
        note=values["note"],
    )
    return _answer(received.report, 201 if received.created else 200)


def _report_key(request: HttpRequest) -> str | None:
    """The report's ``Idempotency-Key`` as a message id of the channel key that sent it
    (two front ends may pick the same key), or None without the header."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 1 <= len(key) <= 64 or not all(" " < ch < "\x7f" for ch in key):
        raise BadRequest({"Idempotency-Key": ["1 to 64 printable ASCII characters"]})
    return f"key{request.auth.pk}:{key}"  # type: ignore[attr-defined]


def _ami_key_ok(request: HttpRequest) -> bool | None:
    expected = str(getattr(settings, "COOPCIS_AMI_KEY", "") or "")
    if not expected:
        return None
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        presented.strip().encode(), expected.encode()
    )


@router.post(
    "/outages/ami",
    response={200: dict, 201: dict, 400: FieldErrorsOut, 401: ErrorOut},
    summary="One AMI meter event (last gasp or restoration), idempotent by message_id",
    openapi_extra=json_body(AmiEventIn),
)
def ami_event(request: HttpRequest) -> HttpResponse:
    allowed = _ami_key_ok(request)
    if not allowed:
        message = (
            "no AMI key is configured (COOPCIS_AMI_KEY)"
            if allowed is None
            else "send the AMI key: Authorization: Bearer <key>"
        )
        response = JsonResponse({"error": message}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="coopcis ami"'
        return response
    with acting_as(user=None, label="ami"):
        try:
            values = _texts(
                object_body(request),
                ("message_id", "meter", "event", "at"),
                {"message_id": 80, "meter": 30, "event": 20, "at": 40},
            )
            errors: dict[str, list[str]] = {}
            for name in ("message_id", "meter", "event", "at"):
                if not values[name]:
                    errors[name] = ["required"]
            kind = AMI_EVENTS.get(values["event"])
            if values["event"] and kind is None:
                errors["event"] = [f"not one of {', '.join(AMI_EVENTS)}"]
            at: datetime | None = None
            if values["at"]:
                try:
                    at = datetime.fromisoformat(values["at"])
                except ValueError:
                    errors["at"] = ["not an ISO-8601 time"]
                else:
                    if at.tzinfo is None:
                        errors["at"] = ["give the UTC offset"]
            if errors:
                raise BadRequest(errors)
            assert kind is not None and at is not None
            earlier = OutageReport.objects.filter(message_id=values["message_id"]).first()
            if earlier is not None:
                return _answer(earlier, 200)
            point, _ = intake.find_service_point(meter=values["meter"])
            received = intake.receive_report(
                service_point=point,
                source=ReportSource.AMI,
                kind=kind,
                event_at=at,
                message_id=values["message_id"],
            )
        except BadRequest as bad:
            return JsonResponse({"errors": bad.errors}, status=400)
        except RuleViolation as violation:
            return JsonResponse(
                {"errors": {violation.field or "__all__": [violation.message]}}, status=400
            )
        return _answer(received.report, 201 if received.created else 200)
