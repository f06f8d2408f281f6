"""Net metering in the bill run (SEC policy 425; docs/domain/net-metering.md).

A service whose meter is a net meter is billed on its net energy: delivered - received
over the read period (per time-of-use period on a TOU tariff, from both channels'
intervals; otherwise from both registers). Each period's positive net is priced as usual;
demand stays delivered demand and fixed charges always apply. The excess is credited at
the avoided cost in force on the period's last day to the member's credit bank, paid out
in a month the bank is greater than the profile's threshold, by check request or as a bill
credit as the profile says (``netmetering.payout_credits``).
The rules are the core's (``coopcis.core.net_metering.netting``); this module reads the
received channel for a batch and hands the months to ``coopcis.apps.netmetering``.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from coopcis.apps.billing import gather as gathering
from coopcis.apps.billing.gather import Service
from coopcis.apps.billing.rating import THOUSAND, Usage, UsageProblem, needs_intervals
from coopcis.apps.metering.models import Channel, MeterKind, RegisterRead
from coopcis.apps.netmetering.banking import bank_balances, record_months
from coopcis.apps.netmetering.models import NetMeteringMonth
from coopcis.apps.netmetering.policy import NetMeteringPolicy, net_metering_policy
from coopcis.apps.netmetering.services import avoided_cost_table, rate_on
from coopcis.core.metering.registers import register_advance
from coopcis.core.money import Money
from coopcis.core.net_metering.netting import (
    ALL_HOURS,
    BankMonth,
    NetEnergy,
    bank_month,
    excess_credit,
    net_energy,
)
from coopcis.core.rating.interval_arrays import TouLabels, determinants_from_arrays
from coopcis.core.rating.tariff import Tariff


def _wh(kwh: Decimal) -> int:
    return int(kwh * THOUSAND)


class Netting:
    """One batch's net-metered services: their received channel, banks and months."""

    def __init__(self, services: list[Service]) -> None:
        self.services = {
            s.agreement.pk: s
            for s in services
            if s.meter_kind == MeterKind.NET_METER and s.previous and s.current and not s.problem
        }
        self.nets: dict[int, NetEnergy] = {}
        self.months: list[NetMeteringMonth] = []
        if not self.services:
            return
        self.policy: NetMeteringPolicy = net_metering_policy()
        self.received = self._received_reads()
        self.arrays = gathering.interval_arrays(list(self.services.values()), Channel.RECEIVED)
        self.banks = bank_balances({s.agreement.account_id for s in self.services.values()})
        self.table = avoided_cost_table()

    def _received_reads(self) -> dict[int, dict]:  # type: ignore[type-arg]
        wanted = {s.meter_id for s in self.services.values()}
        days = [d for s in self.services.values() for d in (s.previous.read_on, s.current.read_on)]  # type: ignore[union-attr]
        reads: dict[int, dict] = defaultdict(dict)  # type: ignore[type-arg]
        rows = RegisterRead.objects.filter(
            meter_id__in=wanted,
            channel=Channel.RECEIVED,
            read_on__gte=min(days),
            read_on__lte=max(days),
        ).values_list("meter_id", "read_on", "register_wh", "kind")
        for meter_id, read_on, register_wh, kind in rows:
            reads[meter_id][read_on] = (register_wh, kind)
        return reads

    def usage(self, service: Service, tariff: Tariff, usage: Usage, tou: dict) -> Usage:  # type: ignore[type-arg]
        """The determinants to price: the net energy instead of the delivered."""
        if service.agreement.pk not in self.services:
            return usage
        delivered = usage.determinants
        by_tou = dict(delivered.energy_kwh_by_tou)
        if by_tou:
            received = self._received_by_tou(service, tariff, tou)
            net = net_energy(delivered_kwh=by_tou, received_kwh=received)
            billed = net.billed_kwh_by_period
            determinants = dataclasses.replace(
                delivered, energy_kwh=sum(billed.values(), Decimal(0)), energy_kwh_by_tou=billed
            )
        else:
            received_kwh = Decimal(self._received_register_wh(service)) / THOUSAND
            net = net_energy(
                delivered_kwh={ALL_HOURS: delivered.energy_kwh or Decimal(0)},
                received_kwh={ALL_HOURS: received_kwh},
            )
            determinants = dataclasses.replace(delivered, energy_kwh=net.billed_kwh)
        self.nets[service.agreement.pk] = net
        return dataclasses.replace(usage, determinants=determinants)

    def _received_register_wh(self, service: Service) -> int:
        assert service.previous and service.current
        mine = self.received.get(service.meter_id or 0, {})
        first, last = mine.get(service.previous.read_on), mine.get(service.current.read_on)
        if first is None or last is None:
            missing = service.previous.read_on if first is None else service.current.read_on
            raise UsageProblem(
                "NO_RECEIVED_READ",
                f"net meter {service.meter_serial} has no received-channel read on {missing}",
            )
        advance = register_advance(
            previous_wh=first[0],
            current_wh=last[0],
            dials=service.dials,
            multiplier=service.multiplier,
            previous_is_estimate=first[1] == "ESTIMATED",
        )
        if advance.went_backwards or advance.energy_wh < 0:
            raise UsageProblem(
                "NEGATIVE_USE",
                f"net meter {service.meter_serial}: the received register went backwards",
            )
        return advance.energy_wh

    def _received_by_tou(self, service: Service, tariff: Tariff, tou: dict) -> dict[str, Decimal]:  # type: ignore[type-arg]
        if not needs_intervals(tariff) or service.meter_id not in self.arrays:
            raise UsageProblem(
                "NO_RECEIVED_INTERVALS",
                f"net meter {service.meter_serial} has no received-channel intervals for the "
                "time-of-use periods",
            )
        starts, values, minutes = self.arrays[service.meter_id]
        if service.partial:
            assert service.previous and service.current
            low = int(gathering.local_midnight(service.previous.read_on).timestamp())
            high = int(gathering.local_midnight(service.current.read_on).timestamp())
            keep = (starts >= low) & (starts < high)
            starts, values = starts[keep], values[keep]
        schedule = tariff.time_of_use
        labels = tou.setdefault(id(schedule), TouLabels(schedule)) if schedule else None
        received = determinants_from_arrays(
            starts=starts,
            minutes=minutes,
            energy_wh=values,
            span=gathering.span_of(service),
            tariff=tariff,
            tou=labels,
        )
        return dict(received.energy_kwh_by_tou)

    def record(self, bill, service: Service) -> None:  # type: ignore[no-untyped-def]
        """The month's credit and bank (a held bill's credit waits for its release)."""
        net = self.nets.get(service.agreement.pk)
        if net is None:
            return
        held = bill.status != "POSTED"
        last_day = bill.period_end - timedelta(days=1)
        rate = rate_on(self.table, last_day)
        if net.excess_kwh > 0 and rate is None:
            raise UsageProblem(
                "NO_AVOIDED_COST",
                f"no avoided cost in force on {last_day} to credit {net.excess_kwh} kWh; set it "
                "with `coopcis net-metering avoided-cost --from DATE --rate X --source TEXT`",
            )
        credited = excess_credit(excess_kwh=net.excess_kwh, avoided_cost_per_kwh=rate or Decimal(0))
        account_id = bill.account_id
        before = self.banks.get(account_id, Money.zero())
        month = bank_month(before=before, credited=credited, payout_above=self.policy.payout_above)
        if held:  # nothing in the bank until it is released
            month = BankMonth(before, credited, Money.zero(), before)
        self.banks[account_id] = month.after
        self.months.append(
            NetMeteringMonth(
                bill=bill,
                account_id=account_id,
                period=bill.period,
                posted_on=bill.bill_date,
                delivered_wh=_wh(net.delivered_total_kwh),
                received_wh=_wh(net.received_total_kwh),
                net_wh=_wh(net.net_kwh),
                billed_wh=_wh(net.billed_kwh),
                excess_wh=_wh(net.excess_kwh),
                by_period={
                    key: {
                        "delivered_wh": _wh(net.delivered_kwh.get(key, Decimal(0))),
                        "received_wh": _wh(net.received_kwh.get(key, Decimal(0))),
                        "net_wh": _wh(value),
                    }
                    for key, value in net.net_kwh_by_period.items()
                },
                avoided_cost_per_kwh=rate,
                credit_amount=month.credited.amount,
                bank_before_amount=month.before.amount,
                payout_amount=month.payout.amount,
                payout_method=self.policy.payout_method if month.payout else "",
                bank_after_amount=month.after.amount,
                held=held,
            )
        )

    def write(self, numbers: dict[int, str]) -> None:
        """Store and post the batch's months (after the bills are saved)."""
        if self.months:
            record_months(self.months, numbers)
