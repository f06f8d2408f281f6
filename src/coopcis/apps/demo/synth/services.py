"""Give a party a service: premise, service points on a feeder, account, agreements, meter.

Also ends services (a member withdraws or dies: account closed, agreement ended, meter
pulled with a final read, or a surviving spouse taking over at the same meter) and
schedules each meter's monthly reads on its billing cycle's read day.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal

from coopcis.apps.demo.synth.classes import (
    AMI_INTERVAL,
    LIGHTING_TARIFFS,
    RATE_19_MINIMUM_KW,
    REGISTER,
    SERVICE_CLASSES,
    draw_load,
    service_kva_for,
)
from coopcis.apps.demo.synth.places import CYCLE_READ_DAY, MOBILE_HOME_PARKS, TOWNS
from coopcis.apps.demo.synth.records import (
    AccountPlan,
    AgreementPlan,
    DemoPlan,
    MeterPlan,
    PremisePlan,
    ServicePointPlan,
)
from coopcis.apps.demo.synth.timeline import read_date

#: When the co-op's AMI deployment ran (interval meters were installed then, or at connection).
#: Random draws of a 1- to 4-digit house number before taking a 5-digit one in order.
RANDOM_ADDRESS_ATTEMPTS = 20
AMI_DEPLOYMENT = (date(2016, 3, 1), date(2020, 10, 30))
MANUFACTURERS = {
    REGISTER: (("Itron", "IT"), ("Landis+Gyr", "LG"), ("Sensus", "SN")),
    AMI_INTERVAL: (("Aclara", "AC"), ("Landis+Gyr", "LG"), ("Itron", "IT")),
}
STREET_LIGHT_SITES = (
    "Main St and {street}",
    "{street} park",
    "{street} yard",
    "Fire station",
    "{street} crossing",
    "Community arena",
)
FIXTURES = {"ocec-light-100": 12, "ocec-light-250": 8, "ocec-light-400": 6, "ocec-light-1000": 4}


def between(rng: random.Random, low: date, high: date) -> date:
    """A day in ``[low, high]`` (``low`` when the range is empty)."""
    return low + timedelta(rng.randint(0, max(0, (high - low).days)))


class ServiceBuilder:
    """Appends premises, service points, accounts, agreements and meters to a plan."""

    def __init__(self, plan: DemoPlan, rng: random.Random) -> None:
        self.plan, self.rng = plan, rng
        self.accounts_of: dict[int, list[int]] = {}
        self.agreements_of: dict[int, list[int]] = {}
        self.meter_at: dict[int, int] = {}
        self.mailing: dict[int, tuple[str, str, str]] = {}
        self.addresses: set[tuple[int, str, int]] = set()
        self.far_addresses: dict[int, Iterator[tuple[str, int]]] = {}
        self.transformers: dict[str, tuple[str, int]] = {}
        self.premise_transformer: dict[int, tuple[str, str]] = {}
        self.counters = {"transformer": 0, "bank": 0, "space": 0, "serial": 41_000_000}
        self.lights_given = 0
        self.latest_day = plan.start_date - timedelta(1)

    # -- services ------------------------------------------------------------------------

    def add_service(self, party_index: int, key: str, town: int, *, secondary: bool = False) -> int:
        """Give a party one service of class ``key`` in ``town``; returns the account index."""
        rng, plan = self.rng, self.plan
        party = plan.parties[party_index]
        service = SERVICE_CLASSES[key]
        opened_on = party.joined_on
        if secondary or party_index in self.accounts_of:
            opened_on = between(rng, party.joined_on, self.latest_day)
        yard_light = key == "LIGHT" and party.kind == "PERSON" and party.home_premise is not None
        if yard_light:
            premise = party.home_premise
            assert premise is not None
        else:
            premise = self._premise(service.premise_kind, town)
            if key in ("RES", "MOBILE", "RES_TOU", "RES_NET") and party.home_premise is None:
                party.home_premise = premise
        account = self._account(party_index, key, opened_on, premise)
        if key == "LIGHT":
            self._lights(account, premise, opened_on, yard=yard_light)
        else:
            self._metered(account, premise, key, opened_on)
        return account

    def _account(self, party_index: int, key: str, opened_on: date, premise: int) -> int:
        plan, rng = self.plan, self.rng
        site = plan.premises[premise]
        if party_index not in self.mailing:
            if rng.random() < 0.3:
                line1 = f"PO Box {rng.randint(1, 2999)}"
                self.mailing[party_index] = (line1, site.city, site.zip_code)
            else:
                self.mailing[party_index] = (site.line1, site.city, site.zip_code)
        line1, city, zip_code = self.mailing[party_index]
        plan.accounts.append(
            AccountPlan(
                number=str(1000001 + len(plan.accounts)),
                party=party_index,
                class_key=key,
                rate_class=SERVICE_CLASSES[key].rate_class,
                opened_on=opened_on,
                billing_cycle=TOWNS[site.town].billing_cycle,
                mailing_line1=line1,
                mailing_city=city,
                mailing_zip=zip_code,
            )
        )
        index = len(plan.accounts) - 1
        self.accounts_of.setdefault(party_index, []).append(index)
        return index

    def _agreement(self, account: int, point: int, tariff: str, start_on: date, **extra) -> None:  # type: ignore[no-untyped-def]
        self.plan.agreements.append(AgreementPlan(account, point, tariff, start_on, **extra))
        self.agreements_of.setdefault(account, []).append(len(self.plan.agreements) - 1)

    def _metered(self, account: int, premise: int, key: str, opened_on: date) -> None:
        rng, plan = self.rng, self.plan
        service = SERVICE_CLASSES[key]
        town = TOWNS[plan.premises[premise].town]
        load = draw_load(key, rng, elevation_m=town.elevation_m)
        kva = service_kva_for(load.peak_kw, phases=service.phases)
        point = self._service_point(
            premise, "METERED", service.phases, kva, dedicated=service.phases == 3
        )
        if key == "RES_TOU":
            switched_on = between(rng, max(opened_on, date(2018, 1, 1)), self.latest_day)
            if switched_on > opened_on:
                self._agreement(account, point, "ocec-res", opened_on, end_on=switched_on)
                opened_on = switched_on
        extra: dict[str, object] = {}
        if key == "R19":
            contract = max(RATE_19_MINIMUM_KW, 50 * round(load.peak_kw * 0.92 / 50))
            extra = {
                "contract_kw": Decimal(contract).quantize(Decimal("0.001")),
                "loss_factor": Decimal(f"{rng.uniform(0.005, 0.02):.5f}"),
            }
        self._agreement(account, point, service.tariff_code, opened_on, **extra)
        self._meter(point, key, plan.accounts[account].opened_on, load, town.elevation_m)

    def _meter(self, point: int, key: str, opened_on: date, load, elevation_m: int) -> None:  # type: ignore[no-untyped-def]
        rng = self.rng
        service = SERVICE_CLASSES[key]
        kind = service.meter_kind
        assert kind is not None
        interval = kind != REGISTER
        manufacturer, prefix = rng.choice(MANUFACTURERS[AMI_INTERVAL if interval else REGISTER])
        if interval:
            installed_on = max(opened_on, between(rng, *AMI_DEPLOYMENT))
        else:
            installed_on = max(opened_on, between(rng, date(2004, 1, 1), date(2016, 1, 1)))
        installed_on = min(installed_on, self.latest_day)
        self.counters["serial"] += rng.randint(1, 40)
        # Enough kWh digits for four years at the planning peak: the data never rolls over.
        dials = max(5, len(str(int(load.peak_kw * 8766 * 4))))
        self.plan.meters.append(
            MeterPlan(
                serial=f"{prefix}{self.counters['serial']:08d}",
                kind=kind,
                manufacturer=manufacturer,
                dials=dials,
                interval_minutes=15 if interval else None,
                measures_demand=service.measures_demand,
                service_point=point,
                installed_on=installed_on,
                load=load,
                elevation_m=elevation_m,
                start_fraction=rng.random() * 0.6,
            )
        )
        self.meter_at[point] = len(self.plan.meters) - 1

    def _lights(self, account: int, premise: int, opened_on: date, *, yard: bool) -> None:
        rng = self.rng
        codes = [code for code, _ in LIGHTING_TARIFFS]
        weights = [weight for _, weight in LIGHTING_TARIFFS]
        if yard:
            chosen = [codes[0] if rng.random() < 0.9 else codes[1]]
        elif self.lights_given == 0:
            chosen = codes  # the first street-light account shows every fixture class
        else:
            chosen = sorted(set(rng.choices(codes, weights=weights, k=rng.randint(1, 3))))
        self.lights_given += 1
        for code in chosen:
            point = self._service_point(premise, "UNMETERED_LIGHTING", 1, None, dedicated=False)
            fixtures = rng.randint(1, 2) if yard else rng.randint(1, FIXTURES[code])
            self._agreement(account, point, code, opened_on, fixtures=fixtures)

    # -- places ------------------------------------------------------------------------

    def _premise(self, kind: str, town_index: int) -> int:
        rng, town = self.rng, TOWNS[town_index]
        line2 = ""
        if kind == "MOBILE_HOME_SPACE" and town.name in MOBILE_HOME_PARKS:
            self.counters["space"] += 1
            park = rng.choice(MOBILE_HOME_PARKS[town.name])
            line1 = f"{rng.randint(100, 999)} {rng.choice(town.streets)}"
            line2 = f"Space {self.counters['space'] % 120 + 1}, {park}"
        elif kind == "STREET_LIGHTING":
            site = rng.choice(STREET_LIGHT_SITES).format(street=rng.choice(town.streets))
            line1 = site
        else:
            for _ in range(RANDOM_ADDRESS_ATTEMPTS):
                street = rng.choice(town.streets)
                number = rng.randint(1, 999) if rng.random() < 0.5 else rng.randint(1000, 9999)
                if (town_index, street, number) not in self.addresses:
                    break
            else:  # a large co-op fills the town's 4-digit numbers: the next rural route one
                if town_index not in self.far_addresses:
                    self.far_addresses[town_index] = _far_addresses(town.streets)
                street, number = next(self.far_addresses[town_index])
            self.addresses.add((town_index, street, number))
            line1 = f"{number} {street}"
        spread = 0.012 if kind in ("RESIDENCE", "MOBILE_HOME_SPACE", "BUSINESS") else 0.04
        self.plan.premises.append(
            PremisePlan(
                kind=kind,
                line1=line1,
                line2=line2,
                city=town.name,
                zip_code=town.zip_code,
                county=town.county,
                latitude=Decimal(f"{town.latitude + rng.gauss(0, spread):.6f}"),
                longitude=Decimal(f"{town.longitude + rng.gauss(0, spread * 1.2):.6f}"),
                district=town.district,
                town=town_index,
            )
        )
        return len(self.plan.premises) - 1

    def _service_point(
        self, premise: int, kind: str, phases: int, kva: int | None, *, dedicated: bool
    ) -> int:
        rng, plan = self.rng, self.plan
        town = TOWNS[plan.premises[premise].town]
        feeder = f"{town.substation}-{rng.randint(1, town.feeders)}"
        if premise in self.premise_transformer:
            feeder, transformer = self.premise_transformer[premise]
        elif dedicated:
            self.counters["bank"] += 1
            transformer = f"{feeder}-B{self.counters['bank']:04d}"
        else:
            transformer, room = self.transformers.get(feeder, ("", 0))
            if room <= 0:
                self.counters["transformer"] += 1
                transformer = f"{feeder}-T{self.counters['transformer']:05d}"
                room = rng.randint(1, 5)
            self.transformers[feeder] = (transformer, room - 1)
        self.premise_transformer[premise] = (feeder, transformer)
        plan.service_points.append(
            ServicePointPlan(
                premise,
                f"SP{len(plan.service_points) + 1:07d}",
                kind,
                feeder,
                transformer,
                phases,
                kva,
            )
        )
        return len(plan.service_points) - 1

    # -- ends ----------------------------------------------------------------------------

    def end_service(
        self, party: int, ended_on: date, *, successor: int | None, reason: str
    ) -> None:
        """Close the party's accounts on ``ended_on``; a successor takes over at the same
        meter, else the meter is pulled with a final read."""
        plan = self.plan
        for account_index in self.accounts_of.get(party, []):
            account = plan.accounts[account_index]
            account.status, account.closed_on = "CLOSED", ended_on
            for agreement_index in list(self.agreements_of.get(account_index, [])):
                agreement = plan.agreements[agreement_index]
                if agreement.end_on is not None:
                    continue
                agreement.end_on = ended_on
                meter = self.meter_at.get(agreement.service_point)
                if successor is not None:
                    self._take_over(successor, account_index, agreement, ended_on)
                    if meter is not None:
                        plan.meters[meter].read_dates.append(ended_on)
                        plan.meters[meter].read_sources.append("MOVE")
                elif meter is not None:
                    plan.meters[meter].removed_on = ended_on
                    plan.meters[meter].removal_reason = f"Service ended: {reason.lower()}"

    def _take_over(self, successor: int, old: int, agreement: AgreementPlan, on: date) -> None:
        plan = self.plan
        premise = plan.service_points[agreement.service_point].premise
        plan.parties[successor].home_premise = premise
        self.mailing[successor] = self.mailing[plan.accounts[old].party]
        account = self._account(successor, plan.accounts[old].class_key, on, premise)
        self._agreement(account, agreement.service_point, agreement.tariff_code, on)

    # -- reads ---------------------------------------------------------------------------

    def schedule_reads(self) -> None:
        """Each meter is read on its cycle's day every month of the window (register meters
        by a reader, a day or two either way; AMI meters at midnight on the day), plus the
        move-out and final reads, never after the meter is pulled."""
        plan, rng = self.plan, self.rng
        months = _months(plan.start_date, plan.end_date)
        jitters = (0, 0, 0, -1, 1, 2)
        calendar = {
            (cycle_day, jitter): [
                read_date(year, month, cycle_day + jitter) for year, month in months
            ]
            for cycle_day in CYCLE_READ_DAY.values()
            for jitter in set(jitters)
        }
        for meter in plan.meters:
            premise = plan.premises[plan.service_points[meter.service_point].premise]
            cycle_day = CYCLE_READ_DAY[TOWNS[premise.town].billing_cycle]
            reads: dict[date, str] = {}
            if meter.kind == REGISTER:
                for number in range(len(months)):
                    jitter = jitters[int(rng.random() * len(jitters))]
                    reads[calendar[cycle_day, jitter][number]] = "FIELD"
            else:
                reads = dict.fromkeys(calendar[cycle_day, 0], "AMI")
            for day, source in zip(meter.read_dates, meter.read_sources, strict=True):
                reads[day] = source
            if meter.removed_on is not None:
                reads = {d: s for d, s in reads.items() if d < meter.removed_on}
                reads[meter.removed_on] = "FINAL"
            ordered = sorted(d for d in reads if plan.start_date <= d < plan.end_date)
            meter.read_dates = ordered
            meter.read_sources = [reads[d] for d in ordered]


def _months(start: date, end: date) -> list[tuple[int, int]]:
    months = []
    year, month = start.year, start.month
    while date(year, month, 1) < end:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _far_addresses(streets: Sequence[str]) -> Iterator[tuple[str, int]]:
    """Every street of a town with 5-digit numbers and up, in order (10000 Main St,
    10000 Second St, ..., 10001 Main St): never drawn at random, so never taken, and
    without end, so a town never runs out of addresses (Ruidoso, 9 streets, has 89,991
    4-digit ones and a million-member co-op puts 170,000 premises there)."""
    for number in itertools.count(10_000):
        for street in streets:
            yield street, number
