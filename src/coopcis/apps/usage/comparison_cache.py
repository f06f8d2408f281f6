"""The rate comparison, computed once and kept until what it was computed from changes.

Rating 12 months of 15-minute data on every schedule of the member's class takes about a
second of CPU (35,000 intervals through the rating engine, per schedule); the portal's
"every rate" page would otherwise pay it on each visit. :func:`account_comparison` keeps
:func:`coopcis.apps.usage.comparison.compare_account`'s answer in Django's cache (the
``default`` cache: files in ``VAR_DIR/cache``, shared by every worker of ``coopcis
serve``) under a key made of the account's id and a digest of every input the
comparison reads:

- the day (the comparison looks back from it), this code's version and the tariff
  catalog's files (:func:`coopcis.catalog.tariffs.catalog_digest`);
- each agreement still open (its point, schedule, dates, contract kW, losses, county);
- the meters installed at each point and their dials and multipliers;
- the interval data: how many blocks and the highest block id (blocks are never changed
  in place: new or replaced data deletes blocks and inserts new rows with new ids);
- the bills of each agreement (id, status, period and days, bill date, power factor) and
  the register reads of the point's meters over the months looked at (every column the
  comparison uses), both small;
- the PCA/DCA factors and the county's taxes.

Any change to one of these makes a new key, so new data is never hidden by an old answer;
the old entry just ages out (a day). The key starts with the account's id and the entry
carries it again, checked on the way out: one account's figures are never served for
another's. Reading the inputs is a handful of indexed queries (a few ms); the
comparison itself runs only on a miss.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Count, Max

from coopcis import __version__
from coopcis.apps.billing.models import Bill, LocationTax, RiderFactor
from coopcis.apps.members.models import Account
from coopcis.apps.metering.models import Channel, IntervalBlock, MeterInstallation, RegisterRead
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.apps.usage.comparison import MONTHS, PointComparison, compare_account
from coopcis.apps.usage.readings import interval_meters
from coopcis.catalog.tariffs import catalog_digest

logger = logging.getLogger("coopcis.usage")

#: Raise when PointComparison or what it holds changes shape: older entries are not read.
FORMAT = 1
#: An entry is for one day at most (the day is part of its key).
TIMEOUT_SECONDS = 24 * 3600
#: Reads looked at: ``read_spans`` goes 62 days before the comparison's own 13 months.
READS_BACK_DAYS = 31 * (MONTHS + 1) + 62
BILL_COLUMNS = ("id", "status", "period", "period_start", "period_end", "bill_date", "power_factor")


def cache_key(account: Account, *, today: date) -> str:
    """``usage:rates:<account id>:<digest of every input>`` (see the module's docstring)."""
    agreements = (
        ServiceAgreement.objects.filter(account=account)
        .exclude(end_on__lte=today)
        .select_related("service_point__premise")
        .order_by("service_point__code", "id")
    )
    inputs: list[object] = [FORMAT, __version__, catalog_digest(), today.isoformat()]
    counties = set()
    for agreement in agreements:
        point = agreement.service_point
        counties.add(point.premise.county)
        inputs.append(
            (
                agreement.pk,
                point.pk,
                point.code,
                point.premise.county,
                agreement.tariff_code,
                agreement.start_on,
                agreement.end_on,
                agreement.contract_kw,
                agreement.loss_factor,
            )
        )
        meters = interval_meters(point.pk)
        if not meters:
            continue
        inputs.append(tuple(meters))
        inputs.append(
            tuple(
                IntervalBlock.objects.filter(
                    meter_id__in=[meter.meter_id for meter in meters], channel=Channel.DELIVERED
                )
                .aggregate(blocks=Count("id"), last=Max("id"))
                .values()
            )
        )
        installed = list(
            MeterInstallation.objects.filter(service_point_id=point.pk)
            .order_by("id")
            .values_list(
                "meter_id", "installed_on", "removed_on", "meter__dials", "meter__multiplier"
            )
        )
        inputs.append(installed)
        inputs.append(
            list(
                RegisterRead.objects.filter(
                    meter_id__in={row[0] for row in installed},
                    read_on__gte=today - timedelta(days=READS_BACK_DAYS),
                )
                .order_by("id")
                .values_list(
                    "id", "meter_id", "channel", "read_on", "register_wh", "kind", "power_factor"
                )
            )
        )
        inputs.append(
            list(Bill.objects.filter(agreement=agreement).order_by("id").values_list(*BILL_COLUMNS))
        )
    inputs.append(
        list(RiderFactor.objects.order_by("month", "code").values_list("month", "code", "per_kwh"))
    )
    inputs.append(
        list(
            LocationTax.objects.filter(county__in=counties)
            .order_by("county", "name", "effective_on")
            .values_list("county", "name", "rate", "effective_on", "source")
        )
    )
    digest = hashlib.sha256(repr(inputs).encode()).hexdigest()
    return f"usage:rates:{account.pk}:{digest}"


def account_comparison(account: Account, *, today: date) -> list[PointComparison]:
    """:func:`compare_account`'s answer for the account, from the cache when none of its
    inputs changed since it was computed, else computed now and kept."""
    key = cache_key(account, today=today)
    try:
        found = cache.get(key)
    except Exception:  # a damaged or unreadable entry is a miss, never an error page
        logger.warning("rate comparison cache entry %s unreadable; computing again", key)
        found = None
    if isinstance(found, tuple) and len(found) == 2 and found[0] == account.pk:
        results: list[PointComparison] = found[1]
        return results
    results = compare_account(account, today=today)
    cache.set(key, (account.pk, results), TIMEOUT_SECONDS)
    return results
