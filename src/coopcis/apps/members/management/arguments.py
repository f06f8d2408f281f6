"""What the staff commands of other apps share about members (``collections``,
``deposits``, ``net-metering``)."""

from __future__ import annotations

from django.core.management.base import CommandError

from coopcis.apps.members.models import Account


def find_account(number: str) -> Account:
    """The member account numbered ``number``, or the one line ``no account N``."""
    found = Account.objects.filter(number=number).first()
    if found is None:
        raise CommandError(f"no account {number}")
    return found
