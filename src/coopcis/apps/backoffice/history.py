"""The account's history as the page shows it: the audit trail (who, when, what, each field
before -> after) and, in the same timeline, every bill, payment, collection notice and
service order on the account (rows the page has already loaded: no more queries).

Fields show by their labels and values as people read them: a choice by its label
("Disconnect notice", not ``DISCONNECT_NOTICE``), a link to another record by that record's
name ("Party: Baca, Maria", not ``party_id: 421``), money as ``$1,234.50``, yes or no.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from coopcis.apps.audit.models import AuditAction, AuditEvent
from coopcis.core.money import Money, MoneyError, to_decimal
from coopcis.core.periods import CO_OP_TIME_ZONE
from coopcis.site.encryption import mask

#: Bank details never appear in full on a screen, not even in the history (the trail
#: stores them masked already; masking again is harmless).
MASKED_FIELDS = frozenset({"bank_account_number", "routing_number"})

#: Row ids and stamps say nothing to a clerk reading the history.
HIDDEN_FIELDS = frozenset({"id", "created_at"})

MODEL_NAMES = {
    "members.account": "Account",
    "members.party": "Party",
    "members.membership": "Membership",
    "members.bankdraftmandate": "Bank draft",
    "members.serviceapplication": "Application",
    "premises.serviceagreement": "Agreement",
    "collections.medicalcertificate": "Medical certificate",
    "collections.thirdpartycontact": "Third party",
    "credit.guarantor": "Guarantor",
}


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    who: str
    what: str
    action: str
    reason: str
    changes: tuple[Change, ...]
    #: "change" (the audit trail), "bill", "payment", "notice", "order" or "collections".
    kind: str = "change"
    #: Recorded by date only (a notice's sending day): the time is not shown.
    date_only: bool = False


def _shown(field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    return mask(value) if field in MASKED_FIELDS else str(value)


def _model_field(model_label: str, name: str) -> models.Field[Any, Any] | None:
    """The model field an audit key names (its name or its column, ``party_id``)."""
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        return None
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return field
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def _label(field: models.Field[Any, Any] | None, name: str) -> str:
    if field is None:
        return name.replace("_", " ").capitalize()
    text = str(field.verbose_name)
    return text[:1].upper() + text[1:]


def _related_names(events: list[AuditEvent]) -> dict[tuple[str, str], str]:
    """The names of every record the events link to, one query per related model."""
    wanted: dict[type[models.Model], set[str]] = {}
    for event in events:
        for name, values in event.changes.items():
            field = _model_field(event.model, name)
            if isinstance(field, models.ForeignKey) and field.related_model is not None:
                ids = {str(value) for value in values if value not in (None, "")}
                wanted.setdefault(field.related_model, set()).update(ids)  # type: ignore[arg-type]
    names = {}
    for model, ids in wanted.items():
        for pk, record in model._default_manager.in_bulk(list(ids)).items():
            names[(model._meta.label_lower, str(pk))] = str(record)
    return names


def _readable(
    field: models.Field[Any, Any] | None, name: str, value: Any, names: dict[tuple[str, str], str]
) -> str:
    """A value as people read it; masked bank numbers stay masked."""
    if value is None or value == "" or name in MASKED_FIELDS or field is None:
        return _shown(name, value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey) and field.related_model is not None:
        label = field.related_model._meta.label_lower  # type: ignore[union-attr]
        return names.get((label, str(value)), f"#{value} (removed)")
    if isinstance(field, models.BooleanField):
        return "yes" if value in (True, "True", "true", 1) else "no"
    if isinstance(field, models.DecimalField) and field.decimal_places == 2:
        try:
            return Money(to_decimal(str(value))).formatted()
        except MoneyError:
            return str(value)
    return str(value)


def history_rows(events: list[AuditEvent]) -> list[HistoryRow]:
    rows = []
    names = _related_names(events)
    for event in events:
        changes = []
        for name, (before, after) in sorted(event.changes.items()):
            if name in HIDDEN_FIELDS or (
                event.action == AuditAction.CREATE and after in (None, "")
            ):
                continue
            field = _model_field(event.model, name)
            changes.append(
                Change(
                    _label(field, name),
                    _readable(field, name, before, names),
                    _readable(field, name, after, names),
                )
            )
        rows.append(
            HistoryRow(
                at=event.at,
                who=event.actor_label,
                what=f"{MODEL_NAMES.get(event.model, event.model)}: {event.object_repr}",
                action=event.get_action_display(),
                reason=event.reason,
                changes=tuple(changes),
            )
        )
    return rows


def _money(amount: Any) -> str:
    return Money(to_decimal(amount)).formatted()


def _on(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=CO_OP_TIME_ZONE)


def activity_rows(
    *, bills: Iterable[Any], payments: Iterable[Any], notices: Iterable[Any], orders: Iterable[Any]
) -> list[HistoryRow]:
    """The account's money and collection records as history rows."""
    rows = [
        HistoryRow(
            at=bill.created_at, who="bill run", kind="bill", action=bill.get_status_display(),
            what=f"Bill {bill.number} for {bill.period}: {_money(bill.total_amount)}",
            reason=bill.cancel_reason, changes=(),
        )
        for bill in bills
    ]  # fmt: skip
    rows += [
        HistoryRow(
            at=payment.received_at, who=payment.taken_by, kind="payment",
            action=payment.get_status_display(),
            what=f"Payment {_money(payment.amount)}, {payment.get_channel_display()}, "
            f"{payment.get_tender_display()}" + (f" {payment.reference}" if payment.reference else ""),
            reason=payment.reversal_reason, changes=(),
        )
        for payment in payments
    ]  # fmt: skip
    rows += [
        HistoryRow(
            at=_on(notice.sent_on), who="collections", kind="notice", action="Sent",
            what=f"{notice.get_kind_display()}: {_money(notice.amount)} to {notice.recipient}",
            reason="", changes=(), date_only=True,
        )
        for notice in notices
    ]  # fmt: skip
    rows += [
        HistoryRow(
            at=_on(order.created_on), who=order.completed_by or "collections", kind="order",
            action=order.get_status_display(),
            what=f"Service order {order.pk}: {order.get_kind_display()} "
            f"({order.get_reason_display()})",
            reason=order.cancel_reason or order.note, changes=(), date_only=True,
        )
        for order in orders
    ]  # fmt: skip
    return rows


def protection_rows(records: dict[str, Any]) -> list[HistoryRow]:
    """The collection protections the Collections card lists (``protection_records``):
    certificates, LIHEAP seasons, payment agreements, disputes and holds."""

    def row(day: date, what: str, action: str, reason: str = "", who: str = "") -> HistoryRow:
        return HistoryRow(at=_on(day), who=who or "staff", what=what, action=action,
                          reason=reason, changes=(), kind="collections", date_only=True)  # fmt: skip

    rows = [
        row(item.certificate.received_on, "Medical certificate received",
            item.certificate.get_profession_display(), f"for {item.certificate.ill_person}")
        for item in records.get("certificates", [])
    ]  # fmt: skip
    rows += [
        row(season.qualified_on, f"LIHEAP qualification, season from {season.season_start}",
            "Recorded", season.reference)
        for season in records.get("liheap_seasons", [])
    ]  # fmt: skip
    rows += [
        row(item.agreement.made_on,
            f"{item.agreement.get_kind_display()}: {_money(item.agreement.total_amount)}",
            item.agreement.get_status_display())
        for item in records.get("payment_agreements", [])
    ]  # fmt: skip
    rows += [
        row(dispute.opened_on, f"Dispute: {_money(dispute.amount)}", dispute.get_status_display(),
            dispute.resolution or dispute.description)
        for dispute in records.get("disputes", [])
    ]  # fmt: skip
    rows += [
        row(item.hold.placed_on, "Collection hold", item.state, item.hold.reason,
            item.hold.placed_by)
        for item in records.get("holds", [])
    ]  # fmt: skip
    return rows


def timeline(changes: list[HistoryRow], activity: list[HistoryRow]) -> list[HistoryRow]:
    """Every row, newest first."""
    return sorted([*changes, *activity], key=lambda row: row.at, reverse=True)
