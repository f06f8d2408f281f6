"""Whether an account has any of a kind of record, carried on the account page's query.

The account query annotates one ``EXISTS`` flag per kind of record a card lists
(:func:`exists_flags`), so a card whose account has none of them costs no query; the card
asks :func:`has_records` before loading a kind.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef

from coopcis.apps.members.models import Account


def exists_flags(records: dict[str, Any]) -> dict[str, Exists]:
    """Annotations for an account query: for each flag, whether the account has rows of
    its model (every model here has an ``account`` foreign key)."""
    return {
        flag: Exists(model.objects.filter(account_id=OuterRef("pk")))
        for flag, model in records.items()
    }


def has_records(account: Account, flag: str) -> bool:
    """The flag's value; an account loaded without the flags is simply queried (True)."""
    return bool(getattr(account, flag, True))
