"""Which device failed: outage reports rolled up the network tree.

Reports (members, staff, AMI last-gasp messages) arrive per service point. Those inside a
planned outage are suppressed. Of the rest, those within the time window are counted on
every node above their service point; a device is predicted out once the share of its
service points that report reaches the threshold for its kind (``Parameters``) and, when
it has several branches, more than half of them report (``branch_share``: a branch reports
when at least the device's threshold share of the branch's own service points report, so
single calls scattered under every substation do not take the source out; a device with
one branch is out only when that branch is). The
predictions are the highest such devices (none of their upstream devices qualifies);
reports under no predicted device are single-service outages.

AMI pings of the other meters under a predicted device confirm or narrow it: meters that
answer "off" count as reports, meters that answer "on" stay out of the count, and the
roll-up is run again (a recloser whose pings come back on under all but one fuse narrows
to that fuse).

Restoration order (member handbook, "Restoring Your Power"): transmission, then
substations, then distribution lines by members affected (most first), then individual
services; life-support households first within each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from coopcis.core.outages.network import (
    SERVICE_POINT,
    SOURCE,
    SUBSTATION,
    Network,
)

#: Default share of a device's service points that must report before it is predicted
#: out, by kind; a co-op profile's ``[outages] thresholds`` overrides them.
DEFAULT_THRESHOLDS: Mapping[str, Decimal] = {
    "source": Decimal("0.25"),
    "substation": Decimal("0.25"),
    "feeder": Decimal("0.30"),
    "breaker": Decimal("0.30"),
    "recloser": Decimal("0.30"),
    "fuse": Decimal("0.40"),
    "transformer": Decimal("0.50"),
}


@dataclass(frozen=True)
class Parameters:
    window: timedelta = timedelta(minutes=15)
    thresholds: Mapping[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    #: A device needs at least this many reporting service points (one member's report
    #: never takes a feeder out on its own, whatever its share).
    minimum_reports: int = 2
    #: A device with several branches (child devices with service points under them) is
    #: predicted out only when more than this share of its branches report: reports
    #: crowded under a few of a source's substations are those substations' outages (or
    #: theirs below), not the source's, however many members they are.
    branch_share: Decimal = Decimal("0.5")


def parameters_from_table(table: Mapping[str, object]) -> Parameters:
    """The prediction parameters of a co-op profile's ``[outages]`` table: ``window_minutes``,
    ``minimum_reports``, ``branch_share`` and ``[outages.thresholds]`` (a share per device
    kind, as text so it parses exactly). Kinds not named keep their default; an unknown
    kind, a share outside (0, 1] or a window under a minute is refused (ValueError)."""
    known = {"window_minutes", "minimum_reports", "branch_share", "thresholds"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ValueError(f"[outages] has unknown keys: {', '.join(unknown)}")
    thresholds = dict(DEFAULT_THRESHOLDS)
    given = table.get("thresholds", {})
    if not isinstance(given, Mapping):
        raise ValueError("[outages] thresholds must be a table: kind = share")
    for kind, value in given.items():
        if kind not in DEFAULT_THRESHOLDS:
            raise ValueError(
                f"[outages.thresholds] {kind}: not a device kind ({', '.join(DEFAULT_THRESHOLDS)})"
            )
        thresholds[kind] = _share(f"[outages.thresholds] {kind}", value)
    window = int(str(table.get("window_minutes", 15)))
    if window < 1:
        raise ValueError("[outages] window_minutes must be at least 1")
    minimum = int(str(table.get("minimum_reports", 2)))
    if minimum < 1:
        raise ValueError("[outages] minimum_reports must be at least 1")
    branch_share = _share("[outages] branch_share", table.get("branch_share", "0.5"), zero=True)
    return Parameters(
        window=timedelta(minutes=window),
        thresholds=thresholds,
        minimum_reports=minimum,
        branch_share=branch_share,
    )


def _share(name: str, value: object, *, zero: bool = False) -> Decimal:
    if isinstance(value, float) or not isinstance(value, str | int):
        raise ValueError(f'{name}: write the share as text, e.g. "0.30" (got {value!r})')
    try:
        share = Decimal(str(value))
    except ArithmeticError:
        raise ValueError(f"{name}: {value!r} is not a number") from None
    low_ok = share >= 0 if zero else share > 0
    if not share.is_finite() or not low_ok or share > 1:
        raise ValueError(f"{name}: {value} is not a share between 0 and 1")
    return share


@dataclass(frozen=True)
class Report:
    service_point: str
    at: datetime


@dataclass(frozen=True)
class PlannedOutage:
    device: str
    start_at: datetime
    end_at: datetime


@dataclass(frozen=True)
class Prediction:
    device: str
    kind: str
    start_at: datetime  # the earliest report in it
    reported: tuple[str, ...]  # service points that reported, sorted
    affected: int  # service points under the device


def suppressed(
    network: Network, report: Report, planned: Iterable[PlannedOutage]
) -> PlannedOutage | None:
    """The planned outage covering the report's service point at its time, if any."""
    for outage in planned:
        if (
            outage.start_at <= report.at < outage.end_at
            and outage.device in network
            and report.service_point in network
            and network.is_below(report.service_point, outage.device)
        ):
            return outage
    return None


def predict(
    network: Network,
    reports: Sequence[Report],
    *,
    now: datetime,
    parameters: Parameters,
    planned: Sequence[PlannedOutage] = (),
    pinged_on: frozenset[str] = frozenset(),
    limit_to: Sequence[str] | None = None,
) -> list[Prediction]:
    """Predicted outages for the reports inside the window ending ``now``, highest devices
    first, then single services. ``pinged_on``: meters that answered a ping, so have
    power: no device above them is out. ``limit_to``: only these devices and those under
    them may be predicted (a second pass after pings does not climb higher)."""
    earliest: dict[str, datetime] = {}
    for report in reports:
        if not (now - parameters.window <= report.at <= now):
            continue
        if report.service_point not in network or report.service_point in pinged_on:
            continue
        if network.kind(report.service_point) != SERVICE_POINT:
            continue
        if suppressed(network, report, planned) is not None:
            continue
        seen = earliest.get(report.service_point)
        if seen is None or report.at < seen:
            earliest[report.service_point] = report.at
    counts: dict[str, int] = defaultdict(int)
    for sp in earliest:
        for node in network.upstream(sp)[1:]:
            counts[node] += 1

    powered: set[str] = set()
    for sp in pinged_on:
        if sp in network:
            powered.update(network.upstream(sp)[1:])

    decided: dict[str, bool] = {}

    def qualifies(device: str) -> bool:
        if device not in decided:
            decided[device] = _qualifies(device)
        return decided[device]

    def _qualifies(device: str) -> bool:
        if device in powered:
            return False
        if limit_to is not None and not any(network.is_below(device, top) for top in limit_to):
            return False
        count = counts.get(device, 0)
        if count < min(parameters.minimum_reports, network.service_point_count(device)):
            return False
        threshold = parameters.thresholds.get(network.kind(device), Decimal(1))
        if Decimal(count) < threshold * network.service_point_count(device):
            return False
        branches = [
            child
            for child in network.children(device)
            if network.kind(child) != SERVICE_POINT and network.service_point_count(child) > 0
        ]
        if not branches:
            return True
        if len(branches) == 1:
            # out only if its one branch is: the lower device explains the same reports
            return qualifies(branches[0])
        # a branch reports when its own service points report at this device's threshold:
        # a call or two scattered under every substation is not the source's outage
        reporting = sum(
            1
            for child in branches
            if counts.get(child, 0) > 0
            and Decimal(counts[child]) >= threshold * network.service_point_count(child)
        )
        return Decimal(reporting) > parameters.branch_share * len(branches)

    predicted: dict[str, list[str]] = defaultdict(list)
    for sp in earliest:
        above = network.upstream(sp)[1:]
        top = next((node for node in reversed(above) if qualifies(node)), sp)
        predicted[top].append(sp)
    results = [
        Prediction(
            device=device,
            kind=network.kind(device),
            start_at=min(earliest[sp] for sp in sps),
            reported=tuple(sorted(sps)),
            affected=network.service_point_count(device),
        )
        for device, sps in predicted.items()
    ]
    return sorted(results, key=lambda p: (int(network.depth[network.index[p.device]]), p.device))


def confirm_with_pings(
    network: Network,
    reports: Sequence[Report],
    *,
    now: datetime,
    parameters: Parameters,
    ping: Callable[[str], bool],
    planned: Sequence[PlannedOutage] = (),
) -> list[Prediction]:
    """Predict, ping every non-reporting meter under each predicted device (``ping`` is
    True when the meter answers, i.e. has power), and predict again with the answers:
    silent meters count as reports, answering ones are out of the count."""
    first = predict(network, reports, now=now, parameters=parameters, planned=planned)
    extra: list[Report] = []
    answered: set[str] = set()
    for prediction in first:
        if prediction.kind == SERVICE_POINT:
            continue
        reported = set(prediction.reported)
        for sp in network.downstream_service_points(prediction.device):
            if sp in reported:
                continue
            if ping(sp):
                answered.add(sp)
            else:
                extra.append(Report(sp, now))
    if not extra and not answered:
        return first
    return predict(
        network,
        [*reports, *extra],
        now=now,
        parameters=parameters,
        planned=planned,
        pinged_on=frozenset(answered),
        limit_to=[p.device for p in first if p.kind != SERVICE_POINT],
    )


#: Restoration tiers: transmission, substations, lines, individual services.
TIER_TRANSMISSION, TIER_SUBSTATION, TIER_LINE, TIER_SERVICE = 0, 1, 2, 3


def restoration_tier(kind: str) -> int:
    if kind == SOURCE:
        return TIER_TRANSMISSION
    if kind == SUBSTATION:
        return TIER_SUBSTATION
    if kind == SERVICE_POINT:
        return TIER_SERVICE
    return TIER_LINE  # feeders, breakers, reclosers, fuses and transformers


@dataclass(frozen=True)
class QueueItem:
    key: str  # the outage's identifier
    kind: str  # the predicted device's kind
    affected: int
    life_support: int  # life-support households affected
    start_at: datetime


def restoration_order(items: Iterable[QueueItem]) -> list[QueueItem]:
    """The co-op's order: by tier; lines by members affected, most first; outages reaching
    life-support households first within a tier (the flag does not jump tiers); then the
    oldest first."""
    return sorted(
        items,
        key=lambda item: (
            restoration_tier(item.kind),
            item.life_support == 0,
            -item.affected if restoration_tier(item.kind) == TIER_LINE else 0,
            item.start_at,
            item.key,
        ),
    )
