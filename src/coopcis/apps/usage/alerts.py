"""High-usage alerts: the member's threshold and the daily job that checks it.

``set_threshold`` is the one way a threshold changes (the portal's form calls it; the
change is audited). ``run_alerts`` checks one local day for every account with a
threshold: the day's delivered energy of its interval-metered service points, and its
estimated cost (:mod:`coopcis.core.usage.alerts`). A day over the threshold gets one
``UsageAlert`` per account: the unique (account, day) constraint makes a second run, or
two at once, add nothing. Each new alert goes to the member through the notifications
(``notify(account, "high_usage", ...)``, keyed by account and day so it is sent once),
which send it by the member's choice of email or text after the run commits; a dry run
sends nothing. The alert is also announced (``events.HighUsage``) for any other app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from coopcis.apps.audit.context import current_actor
from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.members.models import Account
from coopcis.apps.notify.services import notify
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.apps.usage.events import HighUsage
from coopcis.apps.usage.models import UsageAlert, UsageThreshold
from coopcis.apps.usage.readings import interval_meters, intervals
from coopcis.catalog.profiles import active_profile
from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money
from coopcis.core.usage.alerts import AMOUNT, DayCheck, Threshold, average_price_per_kwh, check_day
from coopcis.events import announce


def set_threshold(
    account: Account, *, daily_kwh: Decimal | None, daily_amount: Decimal | None
) -> UsageThreshold | None:
    """Set (or, with neither, remove) the account's daily threshold."""
    for name, value in (("daily_kwh", daily_kwh), ("daily_amount", daily_amount)):
        if value is not None and value <= 0:
            raise RuleViolation("must be more than zero", field=name)
    with transaction.atomic():
        current = UsageThreshold.objects.select_for_update().filter(account=account).first()
        if daily_kwh is None and daily_amount is None:
            if current is not None:
                current.delete()
            return None
        threshold = current or UsageThreshold(account=account)
        threshold.daily_kwh, threshold.daily_amount = daily_kwh, daily_amount
        threshold.save()
        return threshold


@dataclass
class AlertRun:
    """What a run did: accounts checked, new alerts, alerts already raised, no data."""

    day: date
    checked: int = 0
    raised: list[UsageAlert] = field(default_factory=list)
    already: int = 0
    no_data: list[str] = field(default_factory=list)
    unpriced: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "checked": self.checked,
            "raised": [
                {
                    "account": alert.account.number,
                    "kwh": str(Decimal(alert.energy_wh) / 1000),
                    "estimated_amount": None
                    if alert.estimated_amount is None
                    else f"{alert.estimated_amount:.2f}",
                    "over": alert.over,
                }
                for alert in self.raised
            ],
            "already_raised": self.already,
            "no_data": self.no_data,
            "unpriced": self.unpriced,
        }


def day_energy_wh(account: Account, day: date) -> int | None:
    """The day's delivered Wh over the account's interval meters; None without data."""
    agreements = (
        ServiceAgreement.objects.filter(account=account, start_on__lte=day)
        .exclude(end_on__lte=day)
        .values_list("service_point_id", flat=True)
    )
    found = None
    for point_id in agreements:
        meters = interval_meters(point_id)
        values = intervals(meters, start_on=day, end_on=date.fromordinal(day.toordinal() + 1))
        if values:
            found = (found or 0) + sum(value.energy_wh for value in values)
    return found


def latest_price_per_kwh(account: Account, day: date) -> Decimal | None:
    """The average price per kWh of the account's latest bill dated on or before ``day``."""
    bill = (
        Bill.objects.filter(account=account, bill_date__lte=day, energy_wh__gt=0)
        .exclude(status=BillStatus.CANCELLED)
        .order_by("-bill_date", "-id")
        .first()
    )
    if bill is None:
        return None
    return average_price_per_kwh(bill_total=Money(bill.total_amount), bill_energy_wh=bill.energy_wh)


def run_alerts(*, day: date) -> AlertRun:
    """Check ``day`` for every account with a threshold (see the module doc)."""
    run = AlertRun(day)
    thresholds = UsageThreshold.objects.select_related("account").order_by("account__number")
    for row in thresholds:
        account = row.account
        energy_wh = day_energy_wh(account, day)
        if energy_wh is None:
            run.no_data.append(account.number)
            continue
        run.checked += 1
        threshold = Threshold(
            row.daily_kwh, None if row.daily_amount is None else Money(row.daily_amount)
        )
        check = check_day(
            energy_wh=energy_wh,
            threshold=threshold,
            price_per_kwh=latest_price_per_kwh(account, day),
        )
        if row.daily_amount is not None and not check.priced:
            run.unpriced.append(account.number)
        if check.is_over:
            _raise(run, row, account, day, energy_wh, check)
    return run


def _raise(
    run: AlertRun,
    row: UsageThreshold,
    account: Account,
    day: date,
    energy_wh: int,
    check: DayCheck,
) -> None:
    if UsageAlert.objects.filter(account=account, day=day).exists():
        run.already += 1
        return
    try:
        with transaction.atomic():
            alert = UsageAlert.objects.create(
                account=account,
                day=day,
                energy_wh=energy_wh,
                estimated_amount=None
                if check.estimated_amount is None
                else check.estimated_amount.amount,
                threshold_kwh=row.daily_kwh,
                threshold_amount=row.daily_amount,
                over=",".join(check.over),
                created_by=current_actor().label[:150],
            )
            _send(alert, account, row, check)
            announce(HighUsage(alert.pk, account.pk, day))
    except IntegrityError:  # raised by a run at the same moment
        run.already += 1
        return
    run.raised.append(alert)


def _place(account: Account, day: date) -> str:
    """The service location the alert is about (the first interval-metered one)."""
    agreement = (
        ServiceAgreement.objects.filter(account=account, start_on__lte=day)
        .exclude(end_on__lte=day)
        .select_related("service_point__premise")
        .order_by("service_point__code")
        .first()
    )
    if agreement is None:
        return ""
    premise = agreement.service_point.premise
    return f"{premise.line1}, {premise.city}"


def _send(alert: UsageAlert, account: Account, row: UsageThreshold, check: DayCheck) -> None:
    """Hand the alert to the notifications (sent after commit; the same day never twice).
    The dollar wording is used only when the dollar limit is what the day went over."""
    over_amount = AMOUNT in check.over
    portal = active_profile().portal_url.rstrip("/")
    notify(
        account,
        "high_usage",
        {
            "day": alert.day,
            "usage_kwh": alert.energy_kwh,
            "threshold_kwh": row.daily_kwh,
            "threshold_amount": row.daily_amount if over_amount else None,
            "cost_amount": alert.estimated_amount if over_amount else None,
            "place": _place(account, alert.day),
            "url": f"{portal}/accounts/{account.number}/usage/?view=hourly" if portal else "",
        },
        idempotency_key=f"high_usage:{account.pk}:{alert.day.isoformat()}",
    )
    alert.sent_at = timezone.now()
    alert.save(update_fields=["sent_at"])
