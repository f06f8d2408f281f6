"""What the requests members make in the portal for staff to answer have in common:
payment arrangements (``collections.arrangements``), mailing address changes
(``members.address_changes``), medical certificates (``collections.certificate_uploads``)
and claims of unclaimed capital credit checks (``capital_credits.unclaimed``).

Each waits on the back office's work list until staff decide it: yes (the arrangement
made, the address changed, the certificate recorded) or no, with a reason the member reads
in the portal. Who decided and when is kept on the request, and every change of it is
audited with the reason given. Each kind keeps its own table; this module is in the
``members`` app so that the apps above it can share it (docs/adr/0006).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, TypeVar

from django.db import models

from coopcis.apps.audit.context import current_actor
from coopcis.apps.audit.tracking import AuditedModel
from coopcis.core.errors import RuleViolation


class MemberRequest(AuditedModel):
    """Abstract: a member's request from the portal, waiting for staff's decision. Each
    subclass has an ``account`` and a ``status`` with its own choices."""

    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)

    #: The status of a request still waiting for staff.
    waiting_status: ClassVar[str]
    #: The field that keeps the reason the member reads when staff say no.
    reason_field: ClassVar[str] = "decline_reason"
    #: What the refusal to answer it twice calls it.
    noun: ClassVar[str] = "request"

    class Meta:
        abstract = True

    def audit_account_id(self) -> int | None:
        return self.account_id  # type: ignore[attr-defined,no-any-return]


Request = TypeVar("Request", bound=MemberRequest)


def lock_waiting(request: Request, *, with_account: bool = False) -> Request:
    """The request read again under a row lock (with its account, locked too, where the
    answer needs it); refused when staff already answered it."""
    rows = type(request)._default_manager.select_for_update()
    if with_account:
        rows = rows.select_related("account")
    locked = rows.get(pk=request.pk)
    if locked.status != locked.waiting_status:  # type: ignore[attr-defined]
        raise RuleViolation(
            f"this {locked.noun} was already answered ({locked.get_status_display().lower()})",  # type: ignore[attr-defined]
            field="status",
        )
    return locked


def record_decision(request: Request, *, status: str, on: date, audit_reason: str) -> Request:
    """Save staff's answer: the new status, who decided and when, audited with the reason."""
    request.status = status  # type: ignore[attr-defined]
    request.decided_on, request.decided_by = on, current_actor().label[:150]
    request.with_reason(audit_reason).save()
    return request


def decline_request(
    request: Request,
    *,
    status: str,
    on: date,
    reason: str,
    audit_reason: str,
    with_account: bool = False,
) -> Request:
    """Say no, and why (the member reads the reason in the portal)."""
    reason = " ".join(reason.split())
    if not reason:
        raise RuleViolation("say why, for the member to read", field="reason")
    request = lock_waiting(request, with_account=with_account)
    setattr(request, request.reason_field, reason[:300])
    return record_decision(request, status=status, on=on, audit_reason=audit_reason)
