"""The simulated co-op: its members, meters and calendar, and each kind of step.

Everything a step does goes through the co-op's own services (members, premises,
metering's read import, the bill run in-process or as a workers' job, every payment
channel, the bank-draft file and its returns, the collections job and field orders); the
simulation only decides, from its seed, what happens next and when.
"""

from __future__ import annotations

import random
import tempfile
import time as clock
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from coopcis.apps.billing.distributed import finish_bill_run, queue_bill_run
from coopcis.apps.billing.models import BillingCycle, LocationTax, RiderFactor
from coopcis.apps.billing.run import run_billing
from coopcis.apps.jobs import services as jobs
from coopcis.apps.jobs.models import Batch, BatchStatus
from coopcis.apps.members.models import Account, Membership
from coopcis.apps.members.services import (
    create_party,
    end_membership,
    enroll_membership,
    open_account,
)
from coopcis.apps.metering.importers import import_reads
from coopcis.apps.metering.models import ImportFormat, Meter, MeterInstallation
from coopcis.apps.metering.services import install_meter, register_meter, remove_meter
from coopcis.apps.payments.ach.drafts import set_originator
from coopcis.apps.payments.ach.enrolment import PriorProof, enroll_bank_draft
from coopcis.apps.payments.gateway.simulator import SimulatorGateway
from coopcis.apps.payments.keys import create_api_key
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.apps.premises.services import (
    create_premise,
    create_service_point,
    end_agreement,
    start_agreement,
)
from coopcis.apps.simulation.channels import ChannelSteps
from coopcis.apps.simulation.collecting import CollectionSteps
from coopcis.apps.simulation.faults import Fault, WorkerCrash, injected
from coopcis.apps.simulation.invariants import Expected
from coopcis.apps.simulation.model import (
    END,
    MONTHS,
    ODFI_ROUTING,
    START,
    Member,
    ReadFile,
    Service,
)
from coopcis.core.errors import RuleViolation


class Stuck(Exception):
    """A job that would never finish."""


class World(ChannelSteps, CollectionSteps):
    """One seed's co-op. :meth:`step_kinds` names the kinds of step and their weights; each
    planner draws what the step will do from the seed and returns a callable doing it (so a
    step that met a fault is done again the same way, as its caller would retry it), or
    None when the step cannot happen now."""

    def __init__(self, chooser: random.Random, expected: Expected, folder: Path) -> None:
        self.chooser = chooser
        self.expected = expected
        self.folder = folder
        self.today = START
        self.members: list[Member] = []
        self.read_files: list[ReadFile] = []
        self.serial = 0
        self.marks = 0
        self.gateway = SimulatorGateway(secret="simulation-callback-secret-" + "x" * 16)
        self.kiosk = create_api_key(channel="KIOSK", name="Simulated kiosk").record
        self.return_files: list[str] = []

    # -- setting up ---------------------------------------------------------------------

    def set_up(self, members: int) -> None:
        BillingCycle.objects.create(number=1, read_day=1, bill_lag_days=9)
        for month in MONTHS:
            RiderFactor.objects.create(
                month=month, code="pca", per_kwh=Decimal("0.004210"), source="simulation"
            )
            RiderFactor.objects.create(
                month=month, code="dca", per_kwh=Decimal("0.000850"), source="simulation"
            )
        LocationTax.objects.create(
            county="Otero", name="Gross receipts", rate=Decimal("0.068125"),
            effective_on=date(2026, 1, 1), source="simulation",
        )  # fmt: skip
        set_originator(
            immediate_destination=ODFI_ROUTING, destination_name="FIRST NATIONAL BANK",
            immediate_origin="1850123456", origin_name="OTERO COUNTY ELECTRIC",
            company_name="OTERO CO ELEC", company_identification="1850123456",
            originating_dfi=ODFI_ROUTING[:8], entry_description="ELEC BILL",
        )  # fmt: skip
        for _ in range(members):
            self.join(on=START)

    def join(self, *, on: date) -> Member:
        """A member joins: party, membership, account, a new premise, meter and agreement."""
        n = len(self.members) + 1
        party = create_party(
            kind="PERSON", first_name=f"Sim{n}", last_name="Baca", phone=f"575-555-{n:04d}"
        )
        membership = enroll_membership(party=party, kind="MEMBER", joined_on=on)
        account = open_account(
            party=party, rate_class="RESIDENTIAL", opened_on=on,
            mailing_line1=f"{100 + n} Burro Avenue", mailing_city="Cloudcroft",
            mailing_state="NM", mailing_zip="88317",
        )  # fmt: skip
        habit = self.chooser.choices(["prompt", "late", "never"], weights=[5, 3, 2])[0]
        member = Member(account.pk, account.number, membership.pk, habit)
        self.members.append(member)
        self.connect(member, on=on)
        if self.chooser.random() < 0.4:
            enroll_bank_draft(
                account=account, routing_number="011000015", account_number=f"12345{n:04d}",
                account_type="CHECKING", holder_name=f"Sim{n} Baca",
                draft_day=self.chooser.choice([3, 25]), signed_on=on,
                prior_proof=PriorProof(proven_on=on, source="previous system", imported_on=on),
            )  # fmt: skip
            member.drafted = True
        return member

    def connect(self, member: Member, *, on: date) -> Service:
        """Service at a new location from ``on``: premise, point, meter, agreement, first read."""
        self.serial += 1
        premise = create_premise(
            kind="RESIDENCE", line1=f"{10 + self.serial} James Canyon Hwy", city="Cloudcroft",
            state="NM", zip_code="88317", county="Otero", district="CN",
        )  # fmt: skip
        code = f"SIM{self.serial:05d}"
        point = create_service_point(
            premise=premise,
            code=code,
            kind="METERED",
            feeder="CC-1",
            transformer=f"T{self.serial:05d}",
        )
        meter = register_meter(serial=f"SM{self.serial:07d}", kind="REGISTER")
        install_meter(meter=meter, service_point=point, installed_on=on)
        account = Account.objects.get(pk=member.account_id)
        agreement = start_agreement(
            account=account, service_point=point, tariff_code="ocec-res", start_on=on
        )
        service = Service(code, meter.serial, agreement.pk, self.chooser.randint(1000, 90000), on)
        member.services.append(service)
        self.schedule_reads([(meter.serial, on, service.register_kwh)], on)
        return service

    # -- the calendar -------------------------------------------------------------------

    def advance(self, days: int) -> None:
        for _ in range(days):
            self.today += timedelta(days=1)
            if self.today.day == 1:
                self.month_read()

    def month_read(self) -> None:
        """The meters are read on the 1st (cycle 1); the file comes in its own time."""
        rows = []
        for member in self.members:
            service = member.service
            if service is None:
                continue
            service.register_kwh += self.chooser.randint(250, 1800)
            rows.append((service.meter_serial, self.today, service.register_kwh))
        if rows:
            self.schedule_reads(rows, self.today)

    def schedule_reads(self, rows: list[tuple[str, date, int]], read_on: date) -> None:
        late = self.chooser.random() < 0.25
        delay = self.chooser.randint(12, 30) if late else self.chooser.randint(0, 4)
        name = f"reads-{read_on}-{len(self.read_files) + 1}.csv"
        self.read_files.append(ReadFile(read_on + timedelta(days=delay), rows, name))

    # -- the steps ----------------------------------------------------------------------

    def step_kinds(self) -> dict[str, tuple[float, Callable[[], Callable[[], str] | None]]]:
        return {
            "day": (8, self.plan_day),
            "reads": (3, self.plan_reads),
            "join": (0.6, self.plan_join),
            "leave": (0.4, self.plan_leave),
            "move": (0.4, self.plan_move),
            "bill run": (2, self.plan_bill_run),
            "payment": (6, self.plan_payment),
            "bank draft": (1, self.plan_draft),
            "ach return": (0.8, self.plan_return),
            "collections": (2, self.plan_collections),
            "field order": (1.5, self.plan_field_order),
            "protection": (1, self.plan_protection),
        }

    def plan_day(self) -> Callable[[], str] | None:
        if self.today >= END:
            return None
        days = self.chooser.randint(1, 4)

        def act() -> str:
            self.advance(days)
            return f"day {self.today}"

        return act

    def plan_reads(self) -> Callable[[], str] | None:
        """Every read file that has come in; now and then one of them sent again."""
        due = [f for f in self.read_files if f.arrives_on <= self.today and not f.delivered]
        again = [f for f in self.read_files if f.delivered and not f.again]
        if again and self.chooser.random() < 0.4:
            due.append(self.chooser.choice(again))
        if not due:
            return None
        resent = self.chooser.random() < 0.5

        def act() -> str:
            return "; ".join(self.deliver(read_file, resent) for read_file in due)

        return act

    def deliver(self, read_file: ReadFile, resent: bool) -> str:
        if read_file.delivered and resent:  # re-sent with other bytes: no file-level dedupe
            suffix, name = "\r\n", "resent-" + read_file.name
        else:
            suffix, name = "\n", read_file.name
        text = "meter_serial,read_on,register_kwh" + suffix
        text += "".join(f"{serial},{day},{kwh}{suffix}" for serial, day, kwh in read_file.rows)
        path = self.folder / name
        path.write_bytes(text.encode())
        report = import_reads(path=path, format=ImportFormat.CSV_REGISTER)
        read_file.delivered += 1
        read_file.again = read_file.delivered > 1
        return f"{name}: {report.rows_stored} stored" + (" (again)" if read_file.again else "")

    def plan_join(self) -> Callable[[], str] | None:
        def act() -> str:
            member = self.join(on=self.today)
            return f"member {member.number} joins"

        return act

    def _live(self) -> list[Member]:
        return [m for m in self.members if not m.left and m.service is not None]

    def plan_leave(self) -> Callable[[], str] | None:
        live = self._live()
        if len(live) <= 3:
            return None
        member = self.chooser.choice(live)

        def act() -> str:
            self.disconnect_service(member)
            end_membership(
                membership=Membership.objects.get(pk=member.membership_id), kind="WITHDRAWN",
                on=self.today, reason="moved away",
            )  # fmt: skip
            member.left = True
            return f"member {member.number} leaves"

        return act

    def disconnect_service(self, member: Member) -> None:
        """The final read, the meter out and the agreement ended at the location; each
        part skipped when done already (a clerk finishing a move a crash interrupted)."""
        service = member.service
        assert service is not None
        end_on = max(self.today, service.started_on + timedelta(days=1))
        agreement = ServiceAgreement.objects.get(pk=service.agreement_id)
        if agreement.end_on is None:
            end_agreement(agreement=agreement, end_on=end_on, reason="move out")
        end_on = ServiceAgreement.objects.get(pk=service.agreement_id).end_on or end_on
        meter = Meter.objects.get(serial=service.meter_serial)
        if MeterInstallation.objects.filter(meter=meter, removed_on__isnull=True).exists():
            remove_meter(meter=meter, removed_on=end_on, reason="move out")
        final_kwh = service.register_kwh + self.chooser.randint(10, 400)
        service.register_kwh = final_kwh
        service.ended_on = end_on
        self.schedule_reads([(service.meter_serial, end_on, final_kwh)], end_on)

    def plan_move(self) -> Callable[[], str] | None:
        live = self._live()
        if not live:
            return None
        member = self.chooser.choice(live)

        def act() -> str:
            self.disconnect_service(member)
            service = member.services[-1]
            self.connect(member, on=service.ended_on or self.today)
            return f"member {member.number} moves"

        return act

    def plan_bill_run(self) -> Callable[[], str] | None:
        months = [m for m in MONTHS if date.fromisoformat(m + "-10") <= self.today]
        if not months:
            return None
        period = months[-1] if self.chooser.random() < 0.8 else self.chooser.choice(months)
        on_workers = self.chooser.random() < 0.5
        crashes = [self.chooser.random() < 0.3 for _ in range(40)]
        duplicates = self.chooser.random() < 0.5
        seed = self.chooser.randrange(1 << 30)

        def act() -> str:
            if on_workers:
                return self.bill_on_workers(period, crashes, duplicates, random.Random(seed))
            result = run_billing(period_label=period, today=self.today, batch_size=3)
            return f"bill run {period}: {result.billed} billed, {result.held} held, {result.skipped} skipped {self.issues(result.run_id)}"

        return act

    def issues(self, run_id: int) -> str:
        from coopcis.apps.billing.models import BillRunIssue

        return str(
            sorted(set(BillRunIssue.objects.filter(run_id=run_id).values_list("reason", flat=True)))
        )

    def bill_on_workers(
        self, period: str, crashes: list[bool], duplicates: bool, chooser: random.Random
    ) -> str:
        """The bill run as a job whose batches workers do (here, one at a time): some
        workers die mid-batch leaving their lease, or after a failed attempt before sending
        its retry; the broker delivers some batches twice; the follower reclaims expired
        leases and queues again what stalled, as ``bill-run --workers`` does."""
        started = clock.perf_counter()
        run, job, account_ids = queue_bill_run(
            period_label=period, cycle=None, batch_size=2, today=self.today, queue="simulation"
        )
        queue = list(Batch.objects.filter(job=job).order_by("number").values_list("pk", flat=True))
        queue += chooser.sample(queue, k=len(queue) // 2) if duplicates else []
        chooser.shuffle(queue)
        died = deliveries = 0
        while queue and deliveries < 200:
            batch_id = queue.pop(0)
            crash = crashes[deliveries % len(crashes)]
            deliveries += 1
            fault = Fault("crash", chooser.randint(1, 60)) if crash else None
            try:
                with injected(fault):
                    outcome = jobs.run_batch(batch_id, f"sim-worker-{deliveries}")
            except WorkerCrash:
                died += 1  # the broker gives the message back; the lease must expire first
                queue.append(batch_id)
                continue
            if outcome == "retry" and not (crash and chooser.random() < 0.5):
                queue.append(batch_id)  # the task queues its retry (unless it died first)
        # the dead workers' leases run out
        Batch.objects.filter(job=job, status=BatchStatus.CLAIMED).update(
            lease_expires_at=timezone.now() - timedelta(seconds=1)
        )

        def redeliver(ids: list[int]) -> None:
            for batch_id in ids:
                while jobs.run_batch(batch_id, "sim-worker-after") == "retry":
                    pass

        try:
            state = jobs.follow(job, dispatch=redeliver, poll=0.01, timeout=5, stalled_after=0)
        except RuleViolation as stuck:
            raise Stuck(f"the bill run on workers never finished: {stuck}") from None
        result = finish_bill_run(run, job, account_ids, state, started)
        return f"bill run {period} on workers: {result.billed} billed, {died} workers died"


def temporary_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="coopcis-simulation-")
