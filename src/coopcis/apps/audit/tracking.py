"""Audit hooks: models that inherit :class:`AuditedModel` record every change.

A snapshot of the stored values is kept when a row is loaded; on save the fields
that differ are written as ``{field: [before, after]}`` in an :class:`AuditEvent`,
in the same transaction as the change. Fields encrypted at rest (bank details) are
compared in full but written masked: the trail never holds a full bank number. Bulk loads (the demo generator) call
:func:`record_created` for the rows they insert, since ``bulk_create`` sends no signals.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from coopcis.apps.audit.context import current_actor
from coopcis.apps.audit.models import AuditAction, AuditEvent
from coopcis.site.encryption import EncryptedTextField, mask

AUDIT_REASON_ATTRIBUTE = "_audit_reason"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return f"<{len(bytes(value))} bytes>"
    return value


class AuditedModel(models.Model):
    """Abstract base: changes to rows of this model are written to the audit trail."""

    class Meta:
        abstract = True

    #: Fields never worth an audit line (bulky or derived).
    audit_exclude: tuple[str, ...] = ()

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)
        # Kept raw: most loaded rows are never saved, so the plain snapshot is made on save.
        instance._audit_loaded = dict(zip(field_names, values, strict=True))
        return instance

    def audit_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for field in self._meta.concrete_fields:
            if field.name in self.audit_exclude or field.attname not in self.__dict__:
                continue
            values[field.attname] = _plain(getattr(self, field.attname))
        return values

    def audit_account_id(self) -> int | None:
        """The member account whose history shows this change (None if none)."""
        return None

    def with_reason(self, reason: str) -> AuditedModel:
        setattr(self, AUDIT_REASON_ATTRIBUTE, reason)
        return self


def _masked_fields(model: type[models.Model]) -> frozenset[str]:
    return frozenset(
        f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
    )


def _masked(instance: AuditedModel, changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` with every encrypted field's values masked (last four digits)."""
    hidden = _masked_fields(type(instance))
    return {
        name: [None if v is None else mask(v) for v in values] if name in hidden else values
        for name, values in changes.items()
    }


def _event(instance: AuditedModel, action: str, changes: dict[str, Any]) -> AuditEvent:
    actor = current_actor()
    changes = _masked(instance, changes)
    return AuditEvent(
        actor=actor.user,
        actor_label=actor.label,
        action=action,
        model=instance._meta.label_lower,
        object_pk=str(instance.pk),
        object_repr=str(instance)[:200],
        account_id=instance.audit_account_id(),
        changes=changes,
        reason=getattr(instance, AUDIT_REASON_ATTRIBUTE, "")[:300],
    )


@receiver(post_save)
def _audit_save(sender: type, instance: Any, created: bool, raw: bool, **kwargs: Any) -> None:
    if raw or not isinstance(instance, AuditedModel):
        return
    after = instance.audit_values()
    if created:
        changes = {name: [None, value] for name, value in after.items()}
        _event(instance, AuditAction.CREATE, changes).save()
    else:
        loaded = getattr(instance, "_audit_loaded", {})
        before = {name: _plain(value) for name, value in loaded.items()}
        changes = {
            name: [before.get(name), value]
            for name, value in after.items()
            if before.get(name) != value
        }
        if changes:
            _event(instance, AuditAction.UPDATE, changes).save()
    instance._audit_loaded = after
    if hasattr(instance, AUDIT_REASON_ATTRIBUTE):
        delattr(instance, AUDIT_REASON_ATTRIBUTE)


@receiver(post_delete)
def _audit_delete(sender: type, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, AuditedModel):
        loaded = getattr(instance, "_audit_loaded", None)
        before = (
            instance.audit_values() if loaded is None else {k: _plain(v) for k, v in loaded.items()}
        )
        changes = {name: [value, None] for name, value in before.items()}
        _event(instance, AuditAction.DELETE, changes).save()


def record_created(instances: Iterable[AuditedModel], *, batch_size: int = 5000) -> int:
    """Write CREATE events for rows inserted with ``bulk_create``; returns how many.

    A bulk load writes hundreds of thousands of events, so they go in with one raw
    ``executemany`` per batch instead of through model instances: the same columns and
    values ``_event`` would give, stamped with one instant for the whole load.
    """
    actor = current_actor()
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    actor_id = actor.user.pk if actor.user is not None else None
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    sql = (
        f"INSERT INTO {table} (at, actor_id, actor_label, action, model, object_pk, "
        f"object_repr, account_id, changes, reason) "
        f"VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s{json_cast}, %s)"
    )
    count = 0
    batch: list[tuple[object, ...]] = []
    with connection.cursor() as cursor:
        for instance in instances:
            values = instance.audit_values()
            changes = json.dumps(
                _masked(instance, {name: [None, value] for name, value in values.items()})
            )
            batch.append(
                (
                    at,
                    actor_id,
                    actor.label,
                    AuditAction.CREATE,
                    instance._meta.label_lower,
                    str(instance.pk),
                    str(instance)[:200],
                    instance.audit_account_id(),
                    changes,
                    "",
                )
            )
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
