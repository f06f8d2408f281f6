"""The avoided cost in force, read from the database for ``coopcis rate quote --received-kwh``.

``coopcis rate`` is a pure command that never starts Django; only a quote with received
energy and no ``--avoided-cost-per-kwh`` imports this module, which starts Django to read
the table ``coopcis net-metering avoided-cost`` keeps. Any other quote stays pure.
"""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal


class NoAvoidedCost(LookupError):
    """No database, no table, or no rate in force on the day."""


def avoided_cost_on(day: date) -> Decimal:
    """The avoided cost ($/kWh) in force on ``day`` in this installation's database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopcis.site.settings")
    import django
    from django.db import DatabaseError

    django.setup()
    from coopcis.apps.netmetering.services import avoided_cost_table, rate_on

    try:
        rate = rate_on(avoided_cost_table(), day)
    except DatabaseError as error:
        raise NoAvoidedCost(f"the database has no avoided cost table ({error})") from None
    if rate is None:
        raise NoAvoidedCost(f"no avoided cost in force on {day} in the database")
    return rate
