"""JSON API v1 for staff tools, authenticated by the staff session (CSRF applies).

Errors: 401 ``{"error"}`` when not signed in, 403 ``{"error"}`` for a role without the
permission, 404 ``{"error"}`` for an unknown id, 400 ``{"errors": {field: [message]}}``
for bad input (malformed JSON, bad dates, refusals by the co-op's rules). Each change
is one atomic service call: refused means nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router
from ninja.security import SessionAuth

from coopcis.apps.audit.models import ReadKind
from coopcis.apps.audit.reads import reads_member_data
from coopcis.apps.backoffice import permissions as perms
from coopcis.apps.backoffice.actions import take_application
from coopcis.apps.backoffice.history import mask
from coopcis.apps.backoffice.queries import AccountOverview, load_account
from coopcis.apps.backoffice.schemas import (
    AccountChangeIn,
    ApplicationIn,
    ApplicationOut,
    ErrorOut,
    FieldErrorsOut,
    InstallationOut,
    InstallIn,
)
from coopcis.apps.members.models import Account, MembershipKind, Party, RateClass
from coopcis.apps.members.services import ACCOUNT_EDITABLE, update_account
from coopcis.apps.metering.models import Meter
from coopcis.apps.metering.services import install_meter
from coopcis.apps.premises.models import Premise, ServicePoint
from coopcis.core.errors import RuleViolation
from coopcis.core.money import parse_amount, parse_decimal
from coopcis.site.openapi import BodyError, json_body, read_json_object


class BadInput(Exception):
    """Input the API cannot use, with the field at fault (None: the body as a whole)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class NotFound(Exception):
    pass


class StaffSession(SessionAuth):
    """The back office's session cookie; CSRF is checked on changes, as for the pages."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


def _errors(field: str | None, message: str) -> JsonResponse:
    return JsonResponse({"errors": {field or "__all__": [message]}}, status=400)


def api_view(*permissions: str) -> Callable[..., Any]:
    """Staff session required; the view permission plus ``permissions``; errors as JSON."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return JsonResponse({"error": "sign in first"}, status=401)
            if not request.user.has_perms((perms.VIEW, *permissions)):
                return JsonResponse({"error": "your role may not do this"}, status=403)
            try:
                return view(request, *args, **kwargs)
            except NotFound as error:
                return JsonResponse({"error": str(error)}, status=404)
            except BadInput as error:
                return _errors(error.field, error.message)
            except RuleViolation as violation:
                return _errors(violation.field, violation.message)

        return wrapped

    return decorate


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        return read_json_object(request.body, empty="{}")
    except BodyError as bad:
        raise BadInput(None, str(bad)) from None


def _date(data: dict[str, Any], field: str, *, prefix: str = "") -> date:
    value = data.get(field)
    if value is None:
        raise BadInput(prefix + field, "this date is required (YYYY-MM-DD)")
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise BadInput(prefix + field, f"not a date (YYYY-MM-DD): {value!r}") from None


#: How far a coordinate may be from zero, and how many decimals it keeps (the columns').
COORDINATE_LIMITS = {"latitude": Decimal(90), "longitude": Decimal(180)}


def _coordinate(data: dict[str, Any], field: str, *, prefix: str = "") -> Decimal | None:
    value = data.get(field)
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = repr(value)  # a JSON number, read as written (1e309 arrives as inf: refused)
    return parse_decimal(value, field=prefix + field, places=6, largest=COORDINATE_LIMITS[field])


def _amount(data: dict[str, Any], field: str) -> Decimal | None:
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput(field, 'send money as a string, e.g. "54.20", not a JSON number')
    return parse_amount(value, field=field).amount


def _text(data: dict[str, Any], field: str, *, prefix: str = "", default: str = "") -> str:
    value = data.get(field, default)
    if not isinstance(value, str):
        raise BadInput(prefix + field, "must be text")
    return value


def _choice(data: dict[str, Any], field: str, allowed: list[str], *, default: str = "") -> str:
    value = _text(data, field, default=default)
    if value not in allowed:
        raise BadInput(field, f"not one of {', '.join(allowed)}: {value!r}")
    return value


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def account_payload(overview: AccountOverview) -> dict[str, Any]:
    account, party, membership = overview.account, overview.account.party, overview.membership
    draft = overview.bank_draft
    return {
        "number": account.number,
        "status": account.status,
        "rate_class": account.rate_class,
        "opened_on": _iso(account.opened_on),
        "closed_on": _iso(account.closed_on),
        "due_days": account.due_days,
        "billing_cycle": account.billing_cycle,
        "paperless": account.paperless,
        "autopay": account.autopay,
        "language": account.language,
        "mailing_address": {
            "line1": account.mailing_line1,
            "line2": account.mailing_line2,
            "city": account.mailing_city,
            "state": account.mailing_state,
            "zip": account.mailing_zip,
        },
        "phone": account.phone,
        "email": account.email,
        "bank_draft": draft
        and {
            "draft_day": draft.draft_day,
            "bank_name": draft.bank_name,
            "bank_account_number": mask(draft.bank_account_number),
            "active": draft.active,
        },
        "party": {
            "id": party.pk,
            "kind": party.kind,
            "name": party.display_name,
            "phone": party.phone,
            "email": party.email,
        },
        "membership": membership
        and {
            "number": membership.number,
            "kind": membership.kind,
            "status": membership.status,
            "joined_on": _iso(membership.joined_on),
            "ended_on": _iso(membership.ended_on),
        },
        "service_points": [
            {
                "code": point.code,
                "kind": point.kind,
                "premise_id": point.premise_id,
                "address": point.premise.address.one_line(),
                "district": point.premise.district,
                "feeder": point.feeder,
                "transformer": point.transformer,
                "meters": [
                    {
                        "serial": installation.meter.serial,
                        "installed_on": _iso(installation.installed_on),
                        "removed_on": _iso(installation.removed_on),
                    }
                    for installation in overview.installations.get(point.pk, [])
                ],
            }
            for point in overview.service_points
        ],
        "agreements": [
            {
                "id": agreement.pk,
                "service_point": agreement.service_point.code,
                "tariff_code": agreement.tariff_code,
                "start_on": _iso(agreement.start_on),
                "end_on": _iso(agreement.end_on),
                "contract_kw": agreement.contract_kw and str(agreement.contract_kw),
                "loss_factor": str(agreement.loss_factor),
                "fixtures": agreement.fixtures,
            }
            for agreement in overview.agreements
        ],
    }


def _loaded(number: str) -> AccountOverview:
    overview = load_account(number)
    if overview is None:
        raise NotFound(f"no account {number}")
    return overview


router = Router(tags=["staff"], auth=StaffSession())
_REFUSALS: dict[int | str, Any] = {400: FieldErrorsOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@router.get("/accounts/{number}", response={200: dict[str, Any]} | _REFUSALS,
            summary="An account, its party, membership, service points and agreements")  # fmt: skip
@api_view()
@reads_member_data(ReadKind.ACCOUNT_API)
def account(request: HttpRequest, number: str) -> HttpResponse:
    return JsonResponse(account_payload(_loaded(number)))


@router.patch("/accounts/{number}", response={200: dict[str, Any]} | _REFUSALS,
              summary="Change an account's editable fields, with a reason",
              openapi_extra=json_body(AccountChangeIn))  # fmt: skip
@api_view(perms.EDIT_ACCOUNT)
def account_change(request: HttpRequest, number: str) -> HttpResponse:
    target = Account.objects.filter(number=number).first()
    if target is None:
        raise NotFound(f"no account {number}")
    body = _body(request)
    reason = _text(body, "reason")
    changes = {name: value for name, value in body.items() if name != "reason"}
    for name, value in changes.items():
        if name not in ACCOUNT_EDITABLE:
            raise BadInput(name, f"cannot be changed here; editable: {', '.join(ACCOUNT_EDITABLE)}")
        if name not in ACCOUNT_NOT_TEXT and not isinstance(value, str):
            raise BadInput(name, "must be text (a JSON string)")
    update_account(account=target, reason=reason, **changes)
    return JsonResponse(account_payload(_loaded(number)))


#: Editable account fields that are not text (the model checks their values).
ACCOUNT_NOT_TEXT = ("paperless", "billing_cycle")

PARTY_FIELDS = ("kind", "first_name", "last_name", "organization_name", "organization_kind",
                "phone", "email")  # fmt: skip
PREMISE_FIELDS = ("kind", "line1", "line2", "city", "state", "zip_code", "county", "district",
                  "latitude", "longitude")  # fmt: skip


def _nested(body: dict[str, Any], key: str, allowed: tuple[str, ...]) -> dict[str, Any] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadInput(key, "must be an object")
    for name in value:
        if name not in allowed:
            raise BadInput(f"{key}.{name}", f"unknown field; known: {', '.join(allowed)}")
    return value


@router.post("/applications", response={201: ApplicationOut} | _REFUSALS,
             summary="Take an application for service", openapi_extra=json_body(ApplicationIn))  # fmt: skip
@api_view(perms.SUBMIT_APPLICATION)
def applications(request: HttpRequest) -> HttpResponse:
    """Take an application: ``party_id`` or ``party`` {...}, ``premise_id`` or ``premise`` {...}."""
    body = _body(request)
    party = premise = None
    if body.get("party_id") is not None:
        party = Party.objects.filter(pk=_int(body, "party_id")).first()
        if party is None:
            raise NotFound(f"no party {body['party_id']}")
    if body.get("premise_id") is not None:
        premise = Premise.objects.filter(pk=_int(body, "premise_id")).first()
        if premise is None:
            raise NotFound(f"no premise {body['premise_id']}")
    new_party = _nested(body, "party", PARTY_FIELDS)
    new_premise = _nested(body, "premise", PREMISE_FIELDS)
    if new_party is not None and not request.user.has_perm(perms.ADD_PARTY):
        return JsonResponse({"error": "your role may not record new parties"}, status=403)
    if new_premise is not None and not request.user.has_perm(perms.ADD_PREMISE):
        return JsonResponse({"error": "your role may not record new premises"}, status=403)
    if new_premise is not None:
        for field in ("latitude", "longitude"):
            if field in new_premise:
                new_premise[field] = _coordinate(new_premise, field, prefix="premise.")
    application = take_application(
        party=party,
        new_party=new_party,
        premise=premise,
        new_premise=new_premise,
        rate_class=_choice(body, "rate_class", RateClass.values),
        tariff_code=_text(body, "tariff_code"),
        membership_kind=_choice(body, "membership_kind", MembershipKind.values, default="MEMBER"),
        submitted_on=_date(body, "submitted_on"),
        requested_on=_date(body, "requested_on"),
        deposit_amount=_amount(body, "deposit_amount"),
        after_hours=bool(body.get("after_hours", False)),
        special_agreement=_text(body, "special_agreement"),
    )
    return JsonResponse(
        {
            "id": application.pk,
            "status": application.status,
            "party_id": application.party_id,
            "premise_id": application.premise_id,
            "charges": [
                {
                    "kind": charge.kind,
                    "description": charge.description,
                    "amount": str(charge.amount),
                }
                for charge in application.charges.order_by("id")
            ],
        },
        status=201,
    )


def _int(data: dict[str, Any], field: str) -> int:
    value = data[field]
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise BadInput(field, f"not an id: {value!r}")
    return int(value)


@router.post("/meters/{serial}/install", response={201: InstallationOut} | _REFUSALS,
             summary="Install a meter at a service point", openapi_extra=json_body(InstallIn))  # fmt: skip
@api_view(perms.INSTALL_METER)
def meter_install(request: HttpRequest, serial: str) -> HttpResponse:
    meter = Meter.objects.filter(serial__iexact=serial).first()
    if meter is None:
        raise NotFound(f"no meter {serial}")
    body = _body(request)
    code = _text(body, "service_point")
    point = ServicePoint.objects.filter(code=code).first()
    if point is None:
        raise NotFound(f"no service point {code!r}")
    installation = install_meter(
        meter=meter, service_point=point, installed_on=_date(body, "installed_on")
    )
    return JsonResponse(
        {
            "meter": meter.serial,
            "service_point": point.code,
            "installed_on": _iso(installation.installed_on),
        },
        status=201,
    )
