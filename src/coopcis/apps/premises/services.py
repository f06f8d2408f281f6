"""Changes to premises, service points and service agreements (atomic, audited, locked);
connecting an approved application, which starts its agreement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from coopcis.apps.members.models import (
    Account,
    AccountStatus,
    ApplicationStatus,
    Membership,
    ServiceApplication,
)
from coopcis.apps.members.services import (
    check_address,
    check_model,
    check_tariff_code,
    enroll_membership,
    locked_application,
    open_account,
)
from coopcis.apps.premises.models import Premise, ServiceAgreement, ServicePoint
from coopcis.catalog.profiles import active_profile
from coopcis.core.errors import RuleViolation
from coopcis.core.periods import open_ended_overlaps


@transaction.atomic
def create_premise(**fields: Any) -> Premise:
    """Record a place the co-op serves; the address must be mailable, the district the co-op's."""
    premise = Premise(**fields)
    check_address(premise.address)
    if premise.district not in active_profile().district_codes:
        raise RuleViolation(f"not a trustee district: {premise.district!r}", field="district")
    check_model(premise)
    premise.save()
    return premise


@transaction.atomic
def create_service_point(*, premise: Premise, **fields: Any) -> ServicePoint:
    point = ServicePoint(premise=premise, **fields)
    check_model(point, exclude=["premise"])
    if ServicePoint.objects.filter(code=point.code).exists():
        raise RuleViolation(f"service point {point.code} already exists", field="code")
    point.save()
    return point


@transaction.atomic
def start_agreement(
    *,
    account: Account,
    service_point: ServicePoint,
    tariff_code: str,
    start_on: date,
    end_on: date | None = None,
    contract_kw: Decimal | None = None,
    loss_factor: Decimal = Decimal(0),
    fixtures: int | None = None,
) -> ServiceAgreement:
    """Put a service point on a tariff for an account from ``start_on``.

    Refused if another agreement on the same service point covers any of those days:
    one location, one bill (policy 408). The service point row is locked so two clerks
    cannot both start an agreement on it at once.
    """
    check_tariff_code(tariff_code)
    ServicePoint.objects.select_for_update().get(pk=service_point.pk)
    if account.status == AccountStatus.CLOSED:
        raise RuleViolation(f"account {account.number} is closed", field="account")
    if end_on is not None and end_on <= start_on:
        raise RuleViolation("an agreement must end after it starts", field="end_on")
    for other in ServiceAgreement.objects.filter(service_point=service_point):
        if open_ended_overlaps(start_on, end_on, other.start_on, other.end_on):
            raise RuleViolation(
                f"{service_point} already has an agreement ({other.tariff_code}, account "
                f"{other.account.number}) from {other.start_on} to {other.end_on or 'open'}",
                field="start_on",
            )
    agreement = ServiceAgreement(
        account=account,
        service_point=service_point,
        tariff_code=tariff_code,
        start_on=start_on,
        end_on=end_on,
        contract_kw=contract_kw,
        loss_factor=loss_factor,
        fixtures=fixtures,
    )
    check_model(agreement, exclude=["account", "service_point"])
    agreement.save()
    return agreement


@transaction.atomic
def end_agreement(
    *, agreement: ServiceAgreement, end_on: date, reason: str = ""
) -> ServiceAgreement:
    agreement = ServiceAgreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.end_on is not None:
        raise RuleViolation("this agreement has already ended", field="end_on")
    if end_on <= agreement.start_on:
        raise RuleViolation("an agreement must end after it starts", field="end_on")
    agreement.end_on = end_on
    agreement.with_reason(reason).save()
    return agreement


@transaction.atomic
def connect_application(
    *, application: ServiceApplication, service_point: Any, on: date, **account_fields: Any
) -> ServiceApplication:
    """Connect an approved application: membership if needed, account, service agreement."""
    application = locked_application(application, ApplicationStatus.APPROVED)
    if service_point.premise_id != application.premise_id:
        raise RuleViolation(
            "the service point is not at the applied-for premise", field="service_point"
        )
    if not Membership.objects.filter(party=application.party).exists():
        enroll_membership(party=application.party, kind=application.membership_kind, joined_on=on)
    account = open_account(
        party=application.party,
        rate_class=application.rate_class,
        opened_on=on,
        status=AccountStatus.ACTIVE,
        **account_fields,
    )
    start_agreement(
        account=account,
        service_point=service_point,
        tariff_code=application.tariff_code,
        start_on=on,
    )
    application.status = ApplicationStatus.CONNECTED
    application.connected_on = on
    application.account = account
    application.save()
    return application
