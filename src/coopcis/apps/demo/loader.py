"""Store a demo plan's master data in one transaction, with its audit trail.

Rows go in with ids chosen here (after each table's highest; the demo fills an empty
database) through one raw bulk insert per table, so later tables can point at earlier
ones without a round trip; every row then gets its CREATE audit event from
``record_created`` (bulk inserts send no signals). The energy data is stored by
``coopcis.apps.demo.readings``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max

from coopcis.apps.audit.models import AuditEvent
from coopcis.apps.audit.tracking import record_created
from coopcis.apps.demo.synth.records import DemoPlan
from coopcis.apps.members.models import (
    Account,
    BankDraftMandate,
    Membership,
    MembershipEvent,
    MembershipEventKind,
    Party,
)
from coopcis.apps.metering.models import Meter, MeterInstallation
from coopcis.apps.payments.ach.models import Prenote, PrenoteStatus
from coopcis.apps.premises.models import Premise, ServiceAgreement, ServicePoint
from coopcis.core.search import digits_only
from coopcis.site.bulk import insert_rows

Progress = Callable[[int], None]


@dataclass
class LoadCounts:
    """Rows written per table (the audit trail included)."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.monotonic() - started

    def add(self, model: type[models.Model], count: int) -> None:
        label = model._meta.label
        self.rows[label] = self.rows.get(label, 0) + count


def store_master_data(plan: DemoPlan, counts: LoadCounts) -> list[int]:
    """Insert parties through installations in one transaction; returns meter ids by plan
    position."""
    with transaction.atomic():
        parties = _create(Party, [_party(p) for p in plan.parties], counts)
        memberships = _create(
            Membership,
            [
                Membership(
                    party=parties[i],
                    number=p.membership_number,
                    kind=p.membership_kind,
                    status=p.status,
                    joined_on=p.joined_on,
                    ended_on=p.ended_on,
                    end_reason=p.end_reason,
                )
                for i, p in enumerate(plan.parties)
            ],
            counts,
        )
        _create(MembershipEvent, _membership_events(plan, memberships), counts, audited=False)
        premises = _create(Premise, [_premise(p) for p in plan.premises], counts)
        points = _create(
            ServicePoint,
            [
                ServicePoint(
                    premise=premises[sp.premise],
                    code=sp.code,
                    kind=sp.kind,
                    feeder=sp.feeder,
                    transformer=sp.transformer,
                    phases=sp.phases,
                    service_kva=sp.service_kva,
                )
                for sp in plan.service_points
            ],
            counts,
        )
        accounts = _create(Account, [_account(a, parties) for a in plan.accounts], counts)
        _create(
            ServiceAgreement,
            [
                ServiceAgreement(
                    account=accounts[a.account],
                    service_point=points[a.service_point],
                    tariff_code=a.tariff_code,
                    start_on=a.start_on,
                    end_on=a.end_on,
                    contract_kw=a.contract_kw,
                    loss_factor=a.loss_factor,
                    fixtures=a.fixtures,
                )
                for a in plan.agreements
            ],
            counts,
        )
        mandates = _create(
            BankDraftMandate,
            [
                BankDraftMandate(
                    account=accounts[m.account],
                    draft_day=m.draft_day,
                    bank_name=m.bank_name,
                    routing_number=m.routing_number,
                    bank_account_number=m.bank_account_number,
                    bank_account_type=m.bank_account_type,
                    holder_name=m.holder_name,
                    signed_on=m.signed_on,
                    active=m.active,
                )
                for m in plan.mandates
            ],
            counts,
        )
        _create(
            Prenote,
            [_prior_proof(mandate, plan.start_date) for mandate in mandates],
            counts,
            audited=False,
        )
        meters = _create(
            Meter,
            [
                Meter(
                    serial=m.serial,
                    kind=m.kind,
                    multiplier=m.multiplier,
                    dials=m.dials,
                    interval_minutes=m.interval_minutes,
                    manufacturer=m.manufacturer,
                    measures_demand=m.measures_demand,
                )
                for m in plan.meters
            ],
            counts,
        )
        installations = [
            MeterInstallation(
                meter=meters[i],
                service_point=points[m.service_point],
                installed_on=m.installed_on,
                removed_on=m.removed_on,
                removal_reason=m.removal_reason,
            )
            for i, m in enumerate(plan.meters)
        ]
        served = _accounts_served_at_installation(plan)
        for installation, account in zip(installations, served, strict=True):
            # The model finds this account with one query per row; the plan already knows it.
            installation.audit_account_id = _constant(accounts[account].pk)  # type: ignore[method-assign]
        _create(MeterInstallation, installations, counts)
        reset_sequences()
    return [meter.pk for meter in meters]


def _accounts_served_at_installation(plan: DemoPlan) -> list[int]:
    """Per meter, the plan position of the account whose agreement covers the day the
    meter went in (what ``MeterInstallation.audit_account_id`` looks up)."""
    by_point: dict[int, list[Any]] = {}
    for agreement in plan.agreements:
        by_point.setdefault(agreement.service_point, []).append(agreement)
    served = []
    for meter in plan.meters:
        covering = [
            a
            for a in by_point[meter.service_point]
            if a.start_on <= meter.installed_on
            and (a.end_on is None or meter.installed_on < a.end_on)
        ]
        served.append(max(covering, key=lambda a: a.start_on).account)
    return served


def _constant(value: int) -> Callable[[], int]:
    return lambda: value


def _create(
    model: type[models.Model], objects: list[Any], counts: LoadCounts, *, audited: bool = True
) -> list[Any]:
    """Insert ``objects`` with ids chosen here (after the table's highest), then write
    their audit events. Much faster than ``bulk_create``, which prepares every value
    through the query compiler; the values are prepared by the same field methods."""
    fields = list(model._meta.concrete_fields)
    latest = model.objects.aggregate(latest=Max("pk"))["latest"] or 0  # type: ignore[attr-defined]
    for number, obj in enumerate(objects, start=latest + 1):
        obj.pk = number
    for f in fields:
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            for obj in objects:
                f.pre_save(obj, True)
    converters = [_converter(f) for f in fields]
    names = [f.attname for f in fields]
    rows = [
        tuple(
            getattr(obj, name) if convert is None else convert(getattr(obj, name))
            for name, convert in zip(names, converters, strict=True)
        )
        for obj in objects
    ]
    insert_rows(model, [f.attname for f in fields], rows)
    for obj in objects:
        obj._state.adding, obj._state.db = False, connection.alias
    counts.add(model, len(objects))
    if audited:
        counts.add(AuditEvent, record_created(objects, batch_size=2000))
    return objects


#: Field types whose Python values the database drivers take as they are (Decimal too:
#: Django registers a str adapter for it on SQLite; psycopg sends it as numeric).
_PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "DecimalField",
        "EmailField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
    }
)


def _converter(field: Any) -> Callable[[Any], Any] | None:
    """None where the value goes in as it is, else the field's own preparation."""
    if field.get_internal_type() in _PLAIN_TYPES:
        return None
    if field.get_internal_type() == "DateField" and connection.vendor == "postgresql":
        return None
    cache: dict[Any, Any] = {}

    def prepare(value: Any) -> Any:
        if isinstance(value, date) and value in cache:
            return cache[value]
        prepared = field.get_db_prep_save(value, connection)
        if isinstance(value, date):
            cache[value] = prepared
        return prepared

    return prepare


def reset_sequences() -> None:
    """Point PostgreSQL's id sequences past the ids chosen by ``_create``."""
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the highest id inserted
    tables = [
        Party,
        Membership,
        MembershipEvent,
        Premise,
        ServicePoint,
        Account,
        ServiceAgreement,
        BankDraftMandate,
        Prenote,
        Meter,
        MeterInstallation,
    ]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), tables):
            cursor.execute(sql)


#: Where the demo's mandates were proven: a co-op moving to coopcis brings the bank-draft
#: members its previous system already drafts, their bank details proven there.
PRIOR_PROOF_SOURCE = "demo co-op: prenote cleared in the previous billing system"
PRENOTE_CLEARS_DAYS = 10


def _prior_proof(mandate: BankDraftMandate, start: date) -> Prenote:
    """The previous system's prenote of ``mandate``, cleared 10 days after it was signed
    (and before the demo's history starts), imported as proof (``ach import-mandates``)."""
    proven_on = min(mandate.signed_on + timedelta(days=PRENOTE_CLEARS_DAYS), start - timedelta(1))
    return Prenote(
        mandate=mandate,
        routing_number=mandate.routing_number,
        bank_account_number=mandate.bank_account_number,
        bank_account_type=mandate.bank_account_type,
        requested_on=start,
        status=PrenoteStatus.IMPORTED,
        proven_on=proven_on,
        source=PRIOR_PROOF_SOURCE,
    )


def _party(plan: Any) -> Party:
    party = Party(
        kind=plan.kind,
        organization_kind=plan.organization_kind,
        first_name=plan.first_name,
        last_name=plan.last_name,
        organization_name=plan.organization_name,
        phone=plan.phone,
        email=plan.email,
    )
    party.display_name = party.compose_display_name()  # save() is bypassed by bulk_create
    party.search_name = party.compose_search_name()
    party.phone_digits = digits_only(party.phone)
    return party


def _premise(plan: Any) -> Premise:
    premise = Premise(
        kind=plan.kind,
        line1=plan.line1,
        line2=plan.line2,
        city=plan.city,
        state="NM",
        zip_code=plan.zip_code,
        county=plan.county,
        latitude=plan.latitude,
        longitude=plan.longitude,
        district=plan.district,
    )
    premise.search_text = premise.compose_search_text()
    return premise


def _account(plan: Any, parties: Sequence[Party]) -> Account:
    account = Account(
        number=plan.number,
        party=parties[plan.party],
        rate_class=plan.rate_class,
        status=plan.status,
        opened_on=plan.opened_on,
        closed_on=plan.closed_on,
        billing_cycle=plan.billing_cycle,
        paperless=plan.paperless,
        autopay=plan.autopay,
        language=plan.language,
        mailing_line1=plan.mailing_line1,
        mailing_line2=plan.mailing_line2,
        mailing_city=plan.mailing_city,
        mailing_state="NM",
        mailing_zip=plan.mailing_zip,
        phone=plan.phone,
        email=plan.email,
    )
    account.mailing_search = account.compose_mailing_search()  # bulk_create skips save()
    account.phone_digits = digits_only(account.phone)
    return account


def _membership_events(plan: DemoPlan, memberships: Sequence[Membership]) -> list[MembershipEvent]:
    events = []
    for membership, party in zip(memberships, plan.parties, strict=True):
        events.append(
            MembershipEvent(
                membership=membership, kind=MembershipEventKind.JOINED, on=party.joined_on
            )
        )
        if party.ended_on is not None:
            events.append(
                MembershipEvent(
                    membership=membership,
                    kind=party.status,
                    on=party.ended_on,
                    reason=party.end_reason,
                )
            )
    return events
