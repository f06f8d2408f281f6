"""``bill-run``: bill every account due for a billing month, exactly once.

A run is a list of independent batches of accounts (sorted by id), each gathered, rated,
written and posted in its own transaction: the unit a later step spreads over several
machines' workers. A bill is unique per service agreement and billing month (a partial
unique index that ignores cancelled bills): a service point that changed hands gets one
bill per member, for each one's part of the period, whatever the batches. Re-running is
a no-op, two runs at once cannot both bill an agreement, and a run killed at any point
is finished by running it again: committed batches are skipped agreement by agreement,
the batch that was cut off never happened.
The killed run is then shown as interrupted, finished by the next one
(:mod:`coopcis.apps.billing.runs`).

A bill is never dated a day that has not come: given ``today``, a service whose bill date
(read day plus the cycle's lag) is after it is left for a later run (issue
``BILL_DATE_AHEAD``), and a month that has not begun is refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from coopcis.apps.billing import gather as gathering
from coopcis.apps.billing.events import BillsPosted
from coopcis.apps.billing.models import (
    Bill,
    BillingCycle,
    BillLineItem,
    BillRun,
    BillRunIssue,
    BillStatus,
    RiderFactor,
    RunStatus,
)
from coopcis.apps.billing.netting import Netting
from coopcis.apps.billing.programs import bill_programs
from coopcis.apps.billing.rating import (
    location_taxes,
    rate,
    served,
    service_usage,
    tariff_versions,
)
from coopcis.apps.billing.runs import mark_abandoned_runs, record_finished_by, this_process
from coopcis.apps.ledger.models import EntryKind
from coopcis.apps.ledger.services import Posting, post_entries
from coopcis.apps.members.models import Account, AccountStatus
from coopcis.apps.receivables.services import bill_items
from coopcis.catalog.profiles import active_profile
from coopcis.core.billing.dates import bill_dates
from coopcis.core.billing.posting import bill_entry, revenue_account
from coopcis.core.billing.review import hold_reasons
from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money
from coopcis.core.periods import Period
from coopcis.core.rating.riders import Riders
from coopcis.events import announce_in_transaction
from coopcis.site.bulk import insert_rows

DEFAULT_BATCH_SIZE = 500
LINE_COLUMNS = (
    "bill_id",
    "position",
    "code",
    "description",
    "quantity",
    "unit",
    "rate",
    "amount",
    "source",
)
DEFAULT_BILL_LAG_DAYS = 3


@dataclass
class BatchResult:
    billed: int = 0
    held: int = 0
    skipped: int = 0
    total: Decimal = Decimal("0.00")


@dataclass
class RunResult:
    period: str
    billed: int = 0
    held: int = 0
    skipped: int = 0
    already_billed: int = 0
    seconds: float = 0.0
    total_amount: Decimal = Decimal("0.00")
    run_id: int | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {
            "period": self.period,
            "billed": self.billed,
            "held": self.held,
            "skipped": self.skipped,
            "already_billed": self.already_billed,
            "seconds": round(self.seconds, 3),
            "total_amount": f"{self.total_amount:.2f}",
        }


def rider_factors(period_label: str) -> dict[str, Decimal]:
    return dict(RiderFactor.objects.filter(month=period_label).values_list("code", "per_kwh"))


def _check_factors(codes: set[str], factors: dict[str, Decimal], period_label: str) -> None:
    """Refuse to start when a tariff in use needs a cost-adjustment factor not set for the month."""
    needed = sorted(
        {
            component.factor
            for code in codes
            for component in tariff_versions(code)[-1].components
            if hasattr(component, "factor")
        }
        - factors.keys()
    )
    if needed:
        raise RuleViolation(
            f"no {', '.join(f.upper() for f in needed)} factor set for {period_label}; set it with "
            f"`coopcis billing factors --month {period_label} --pca X --dca Y --source TEXT`",
            field="period",
        )


class BillDateAhead(ValueError):
    """The bill would be dated after today: it waits for a run on or after that day."""

    code = "BILL_DATE_AHEAD"


class BillBatch:
    """One batch: gather, rate and hold-check every service, then write all at once."""

    def __init__(
        self, run: BillRun, month: Period, factors: dict[str, Decimal], today: date | None = None
    ) -> None:
        self.run, self.month, self.factors, self.today = run, month, factors, today
        self.profile = active_profile()
        self.cycles = dict(BillingCycle.objects.values_list("number", "bill_lag_days"))
        self.tou: dict[int, object] = {}
        #: in-process runs beat the run's heartbeat each batch; on workers the follower
        #: does (batches committing at once would wait on the run's row)
        self.heartbeat = True

    def bill(self, account_ids: list[int]) -> BatchResult:
        services = gathering.gather(account_ids, self.month, self.run.period)
        self.netting = Netting(services)  # net meters bill their net energy (SEC policy 425)
        positions = gathering.ledger_positions(account_ids)
        arrays = gathering.interval_arrays(services)
        counties = {s.agreement.service_point.premise.county for s in services}
        on = self.month.end
        taxes = location_taxes(counties, on)
        bills: list[Bill] = []
        lines: list[list[BillLineItem]] = []
        postings: list[Posting | None] = []
        issues: list[BillRunIssue] = []
        for service in services:
            try:
                built = self._one(service, arrays, taxes, positions)
            except ValueError as problem:  # usage, interval data, tariff or determinant problems
                code = getattr(problem, "code", type(problem).__name__)
                issues.append(self._issue(service, code, str(problem)))
                continue
            if built is None:
                assert service.problem
                issues.append(self._issue(service, *service.problem))
                continue
            bills.append(built[0])
            lines.append(built[1])
            postings.append(built[2])
        return self._write(bills, lines, postings, issues)

    def _issue(self, service: gathering.Service, code: str, detail: str) -> BillRunIssue:
        return BillRunIssue(
            run=self.run,
            account_id=service.agreement.account_id,
            service_point_id=service.agreement.service_point_id,
            meter_serial=service.meter_serial,
            reason=code[:40],
            detail=detail,
        )

    def _one(self, service, arrays, taxes, positions):  # type: ignore[no-untyped-def]
        if service.problem:
            return None
        agreement = service.agreement
        account = agreement.account
        versions = tariff_versions(agreement.tariff_code)
        tariff = versions[-1]
        # unmetered lights bill the calendar month before the billing month, as meters
        # read in the billing month bill the use before their read
        lights_month = gathering.lighting_month(self.month)
        usage = service_usage(
            service,
            tariff,
            month=lights_month,
            arrays=arrays,
            tou=self.tou,  # type: ignore[arg-type]
        )
        usage = self.netting.usage(service, tariff, usage, self.tou)
        county = agreement.service_point.premise.county
        riders = Riders(factors_per_kwh=self.factors, taxes=taxes.get(county, ()))
        part = served(service, lights_month)  # a move in or out: fixed charges by days
        rated = rate(versions, usage.determinants, riders, part)
        read_on = service.current.read_on if service.current else self.month.start
        bill_date, due_date = bill_dates(
            read_on=read_on,
            bill_lag_days=self.cycles.get(account.billing_cycle, DEFAULT_BILL_LAG_DAYS),
            due_days=self.profile.due_days_for(account.rate_class),
        )
        if self.today is not None and bill_date > self.today:
            raise BillDateAhead(
                f"the bill date {bill_date} (read {read_on} + the cycle's lag) is after today "
                f"({self.today}); bill it with a run on or after {bill_date}"
            )
        history = [wh for wh, _ in service.history if wh is not None]
        estimated = bool(service.current and service.current.kind == "ESTIMATED")
        energy_kwh = None if usage.energy_wh is None else Decimal(usage.energy_wh) / 1000
        if energy_kwh is not None and part is not None:
            # a part of the period is reviewed as its use over the whole period would be
            energy_kwh = energy_kwh * part.of / part.days
        reasons = hold_reasons(
            total=rated.total,
            energy_kwh=energy_kwh,
            history_kwh=[Decimal(wh) / 1000 for wh in history],
            estimated=estimated,
            previous_estimated=bool(service.history and service.history[0][1]),
        )
        position = positions[account.pk]
        amount_due = position.balance + rated.total.amount
        if not reasons:
            # a later service point of the same account owes this bill too; a held bill is
            # not on the ledger until it is released, so it stays out of the others' balance
            position.balance = amount_due
        bill = Bill(
            run=self.run,
            account=account,
            service_point=agreement.service_point,
            agreement=agreement,
            period=self.run.period,
            period_start=rated.period.start,
            period_end=rated.period.end,
            bill_date=bill_date,
            due_date=due_date,
            tariff_code=agreement.tariff_code,
            status=BillStatus.HELD if reasons else BillStatus.POSTED,
            estimated=estimated,
            hold_reasons=reasons,
            meter_serial=service.meter_serial,
            multiplier=service.multiplier,
            previous_register_wh=service.previous.register_wh if service.previous else None,
            current_register_wh=service.current.register_wh if service.current else None,
            previous_read_kind=service.previous.kind if service.previous else "",
            current_read_kind=service.current.kind if service.current else "",
            energy_wh=usage.energy_wh,
            demand_kw=usage.demand_kw,
            power_factor=usage.power_factor,
            total_amount=rated.total.amount,
            previous_balance_amount=position.previous_amount_due,
            payments_amount=position.payments,
            amount_due_amount=amount_due,
        )
        items = [
            (
                index,
                line.code,
                line.description,
                line.quantity,
                line.unit,
                line.rate,
                line.amount.amount,
                line.source[:300],
            )
            for index, line in enumerate(rated.lines, start=1)
        ]
        amounts = [(line.code, line.amount) for line in rated.lines]
        posting = (
            None
            if reasons
            else bill_posting(bill, amounts, revision=service.revision, partial=service.partial)
        )
        self.netting.record(bill, service)
        return bill, items, posting

    def _write(self, bills, lines, postings, issues) -> BatchResult:  # type: ignore[no-untyped-def]
        fresh = [posting for posting in postings if posting is not None]
        headers = iter(post_entries(fresh))
        for bill, posting in zip(bills, postings, strict=True):
            if posting is not None:
                bill.journal_entry = next(headers)
        Bill.objects.bulk_create(bills, batch_size=1000)
        self.netting.write({bill.account_id: bill.account.number for bill in bills})
        insert_rows(
            BillLineItem,
            LINE_COLUMNS,
            [(bill.pk, *item) for bill, items in zip(bills, lines, strict=True) for item in items],
        )
        BillRunIssue.objects.bulk_create(issues, batch_size=1000)
        if self.heartbeat:
            BillRun.objects.filter(pk=self.run.pk).update(heartbeat_at=timezone.now())
        posted = [bill for bill in bills if bill.status == BillStatus.POSTED]
        bill_items(posted)
        bill_programs(posted, period=self.run.period)  # loan installments, rebate credits
        # payments applies the members' credit balances to the new bills, in this transaction
        announce_in_transaction(BillsPosted(tuple(sorted({bill.account_id for bill in posted}))))
        return BatchResult(
            billed=len(posted),
            held=len(bills) - len(posted),
            skipped=len(issues),
            total=sum((bill.total_amount for bill in posted), Decimal("0.00")),
        )


def bill_posting(
    bill: Bill, lines: list[tuple[str, Money]], *, revision: int = 0, partial: bool = False
) -> Posting:
    """The ledger posting for a bill (``revision`` counts earlier cancelled bills; a bill
    for part of the period, a move in or out, is keyed by its agreement too)."""
    agreement = bill.agreement
    tariff = tariff_versions(bill.tariff_code)[-1]
    entry = bill_entry(
        member_account=bill.account.number,
        memo=f"Bill {bill.period} {agreement.service_point.code} ({bill.tariff_code})",
        posted_on=bill.bill_date,
        lines=lines,
        revenue=revenue_account(
            rate_class=bill.account.rate_class,
            contract_kw=agreement.contract_kw,
            tariff_rate_class=tariff.rate_class,
        ),
    )
    key = f"bill:{bill.service_point_id}:{bill.period}"
    key += f":a{bill.agreement_id}" if partial else ""
    key += f":r{revision}" if revision else ""
    return Posting(entry=entry, kind=EntryKind.BILL, source_key=key)


def accounts_due(cycle: int | None) -> list[int]:
    accounts = Account.objects.exclude(status=AccountStatus.PENDING)
    if cycle is not None:
        accounts = accounts.filter(billing_cycle=cycle)
    return list(accounts.order_by("id").values_list("id", flat=True))


def run_billing(
    *,
    period_label: str,
    cycle: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
    today: date | None = None,
) -> RunResult:
    """Bill every account due for the billing month ``period_label`` (YYYY-MM); given
    ``today``, never a bill dated after it (the caller reads the clock)."""
    month = Period.parse_month(period_label)
    if today is not None and month.start > today:
        raise RuleViolation(
            f"{period_label} has not begun (today is {today}): a month is billed once its "
            "meters are read",
            field="period",
        )
    started = time.perf_counter()
    run, account_ids, factors = start_run(period_label, cycle)
    result = RunResult(period=period_label, run_id=run.pk)
    batch = BillBatch(run, month, factors, today)
    try:
        for offset in range(0, len(account_ids), batch_size):
            ids = account_ids[offset : offset + batch_size]
            outcome = _with_retry(batch, ids)
            result.billed += outcome.billed
            result.held += outcome.held
            result.skipped += outcome.skipped
            result.total_amount += outcome.total
            if progress:
                progress(len(ids))
    except BaseException:  # Ctrl-C or an error: say so now rather than leave it RUNNING
        with suppress(DatabaseError):
            BillRun.objects.filter(pk=run.pk).update(status=RunStatus.INTERRUPTED)
        raise
    result.seconds = time.perf_counter() - started
    finish_run(run, result, account_ids)
    return result


def start_run(
    period_label: str, cycle: int | None
) -> tuple[BillRun, list[int], dict[str, Decimal]]:
    """Check the month's factors and record a new run: the run, its accounts, the factors."""
    account_ids = accounts_due(cycle)
    codes = set(
        Account.objects.filter(pk__in=account_ids)
        .values_list("agreements__tariff_code", flat=True)
        .exclude(agreements__tariff_code=None)
    )
    factors = rider_factors(period_label)
    _check_factors(codes, factors, period_label)
    mark_abandoned_runs(now=timezone.now())
    host, pid = this_process()
    run = BillRun.objects.create(
        period=period_label, cycle=cycle, host=host, pid=pid, heartbeat_at=timezone.now()
    )
    return run, account_ids, factors


def finish_run(run: BillRun, result: RunResult, account_ids: list[int]) -> None:
    """Record ``run`` as finished with ``result``'s counts (and what it found billed)."""
    result.already_billed = already_billed(run, account_ids)
    BillRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(),
        status=RunStatus.FINISHED,
        billed=result.billed,
        held=result.held,
        skipped=result.skipped,
        total_amount=result.total_amount,
    )
    run.status = RunStatus.FINISHED
    record_finished_by(run)


def already_billed(run: BillRun, account_ids: list[int]) -> int:
    """Of ``account_ids``, the bills of ``run``'s month that another run made."""
    return (
        Bill.objects.filter(period=run.period, account_id__in=account_ids)
        .exclude(status=BillStatus.CANCELLED)
        .exclude(run=run)
        .count()
    )


def _with_retry(batch: BillBatch, ids: list[int]) -> BatchResult:
    """Run a batch; if another run billed one of its service points meanwhile, the unique
    index refuses the whole batch, and the retry gathers again and skips what is billed."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                return batch.bill(ids)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
