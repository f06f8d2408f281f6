"""The audit trail as the account page shows it: who, when, what, each field before -> after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coopcis.apps.audit.models import AuditAction, AuditEvent

#: Bank details never appear in full on a screen, not even in the history.
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
}


def mask(value: Any) -> str:
    """``"123456789"`` -> ``"•••••6789"``: the last four digits only."""
    text = "" if value is None else str(value)
    if len(text) <= 4:
        return "•" * len(text)
    return "•" * (len(text) - 4) + text[-4:]


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


def _shown(field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    return mask(value) if field in MASKED_FIELDS else str(value)


def history_rows(events: list[AuditEvent]) -> list[HistoryRow]:
    rows = []
    for event in events:
        changes = tuple(
            Change(field, _shown(field, before), _shown(field, after))
            for field, (before, after) in sorted(event.changes.items())
            if field not in HIDDEN_FIELDS
            and not (event.action == AuditAction.CREATE and after in (None, ""))
        )
        rows.append(
            HistoryRow(
                at=event.at,
                who=event.actor_label,
                what=f"{MODEL_NAMES.get(event.model, event.model)}: {event.object_repr}",
                action=event.get_action_display(),
                reason=event.reason,
                changes=changes,
            )
        )
    return rows
