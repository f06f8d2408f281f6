"""The network tree, its GIS file, and outage prediction on a hand-made network.

    SRC ─ SUB1 ─ F1 ─ R1 ─ FU1 ─ T1: SP1 SP2
                 │     │       └ T2: SP3 SP4
                 │     └ FU2 ─ T3: SP5 SP6
                 └ T4: SP7 SP8
               └ F2 ─ T5: SP9 SP10

Service points under each device: FU1 4, FU2 2, R1 6, F1 8, F2 2, SUB1 10. Every
threshold is one half, so a device is out once half of its service points report (and at
least two of them).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from coopcis.core.outages.network import Network, NetworkFileError, parse_network
from coopcis.core.outages.prediction import (
    Parameters,
    PlannedOutage,
    QueueItem,
    Report,
    confirm_with_pings,
    predict,
    restoration_order,
)

GIS = """device_id,kind,parent_id,name,latitude,longitude
SRC,source,,Tularosa 115 kV,,
SUB1,substation,SRC,Alamo,32.9,-105.9
F1,feeder,SUB1,,,
R1,recloser,F1,,,
FU1,fuse,R1,,,
T1,transformer,FU1,,,
T2,transformer,FU1,,,
FU2,fuse,R1,,,
T3,transformer,FU2,,,
T4,transformer,F1,,,
F2,feeder,SUB1,,,
T5,transformer,F2,,,
"""
SERVICE_POINTS = {
    "SP1": "T1",
    "SP2": "T1",
    "SP3": "T2",
    "SP4": "T2",
    "SP5": "T3",
    "SP6": "T3",
    "SP7": "T4",
    "SP8": "T4",
    "SP9": "T5",
    "SP10": "T5",
    "SP99": "NOWHERE",
}
NOW = datetime(2026, 7, 14, 22, 0, tzinfo=UTC)
HALF = Parameters(
    window=timedelta(minutes=15),
    thresholds={
        k: Decimal("0.5")
        for k in ("source", "substation", "feeder", "recloser", "fuse", "transformer")
    },
)


@pytest.fixture(scope="module")
def net() -> Network:
    return Network(parse_network(GIS.splitlines()), SERVICE_POINTS)


def reports(*sps: str, minutes_ago: int = 1) -> list[Report]:
    return [Report(sp, NOW - timedelta(minutes=minutes_ago)) for sp in sps]


def test_traces(net):
    assert net.upstream("SP5") == ["SP5", "T3", "FU2", "R1", "F1", "SUB1", "SRC"]
    assert net.downstream_service_points("R1") == ["SP1", "SP2", "SP3", "SP4", "SP5", "SP6"]
    assert net.service_point_count("F1") == 8
    assert net.service_point_count("SRC") == 10
    assert net.downstream("FU2") == ["FU2", "T3", "SP5", "SP6"]
    assert net.lowest_common_upstream(["SP1", "SP3"]) == "FU1"
    assert net.lowest_common_upstream(["SP1", "SP7"]) == "F1"
    assert net.lowest_common_upstream(["SP1", "SP9"]) == "SUB1"
    assert net.is_below("SP6", "R1") and not net.is_below("SP7", "R1")
    assert net.orphans == ["SP99"]


def test_bad_gis_rows_are_named_by_line():
    text = (
        "device_id,kind,parent_id,latitude,longitude\n"
        "S,source,,,\n"
        "S,substation,S,,\n"  # line 3: repeats
        "B,substation,S,95,-105\n"  # line 4: latitude
        "F,feeder,X,,\n"  # line 5: unknown parent
        "T,transformer,S,,\n"  # line 6: a transformer under a source
        "Z,switch,S,,\n"  # line 7: kind
    )
    with pytest.raises(NetworkFileError) as caught:
        parse_network(text.splitlines())
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "line 3",
        "line 4",
        "line 7",
        "line 5",
        "line 6",
    ]


def test_a_loop_is_refused():
    text = "device_id,kind,parent_id\nS,source,\nU,substation,S\nA,fuse,B\nB,fuse,A\n"
    with pytest.raises(NetworkFileError, match="line 4: A is in a loop"):
        parse_network(text.splitlines())


def test_two_reports_under_a_fuse_predict_the_fuse(net):
    # FU1: 2 of 4 reach one half; R1: 2 of 6 do not; T1 and T2 have one report each.
    [outage] = predict(net, reports("SP1", "SP3"), now=NOW, parameters=HALF)
    assert (outage.device, outage.kind, outage.affected) == ("FU1", "fuse", 4)
    assert outage.reported == ("SP1", "SP3")


def test_reports_under_two_fuses_roll_up_to_the_recloser(net):
    # R1: 3 of 6; F1: 3 of 8 is short of one half.
    [outage] = predict(net, reports("SP1", "SP3", "SP5"), now=NOW, parameters=HALF)
    assert (outage.device, outage.affected) == ("R1", 6)


def test_reports_across_the_feeder_predict_the_feeder(net):
    # F1: 4 of 8; SUB1: 4 of 10 is short.
    [outage] = predict(net, reports("SP1", "SP3", "SP5", "SP7"), now=NOW, parameters=HALF)
    assert (outage.device, outage.affected) == ("F1", 8)


def test_a_lone_report_is_a_single_service_and_old_ones_fall_out_of_the_window(net):
    found = predict(
        net,
        [*reports("SP1", "SP3"), *reports("SP9"), *reports("SP7", minutes_ago=20)],
        now=NOW,
        parameters=HALF,
    )
    assert [(p.device, p.kind, p.affected) for p in found] == [
        ("FU1", "fuse", 4),
        ("SP9", "service_point", 1),
    ]
    assert found[0].start_at == NOW - timedelta(minutes=1)


def test_reports_inside_a_planned_outage_are_suppressed(net):
    planned = [PlannedOutage("FU2", NOW - timedelta(hours=1), NOW)]
    inside = predict(net, reports("SP5", "SP6"), now=NOW, parameters=HALF, planned=planned)
    assert inside == []
    # At the planned end (excluded) the same report counts again.
    after = predict(net, [Report("SP5", NOW)], now=NOW, parameters=HALF, planned=planned)
    assert [p.device for p in after] == ["SP5"]


def test_pings_confirm_a_fuse_without_climbing_above_it(net):
    # SP2 and SP4 answer no ping: FU1 4 of 4; R1 would have 4 of 6 but stays out of reach.
    found = confirm_with_pings(
        net, reports("SP1", "SP3"), now=NOW, parameters=HALF, ping=lambda sp: False
    )
    assert [(p.device, p.reported) for p in found] == [("FU1", ("SP1", "SP2", "SP3", "SP4"))]


def test_pings_narrow_a_recloser_to_the_fuse(net):
    # R1 predicted from SP1, SP3, SP5; SP6 answers, so R1, FU2 and T3 have power: FU1
    # (4 of 4 with SP2 and SP4 silent) and SP5 on its own remain.
    first = predict(net, reports("SP1", "SP3", "SP5"), now=NOW, parameters=HALF)
    assert [p.device for p in first] == ["R1"]
    found = confirm_with_pings(
        net,
        reports("SP1", "SP3", "SP5"),
        now=NOW,
        parameters=HALF,
        ping=lambda sp: sp == "SP6",
    )
    assert [(p.device, p.affected) for p in found] == [("FU1", 4), ("SP5", 1)]


def test_restoration_order_tiers_life_support_and_members_affected():
    t = NOW
    items = [
        QueueItem("service-ls", "service_point", 1, 1, t),
        QueueItem("fuse", "fuse", 40, 0, t),
        QueueItem("feeder", "feeder", 900, 0, t),
        QueueItem("fuse-ls", "fuse", 12, 1, t + timedelta(minutes=5)),
        QueueItem("substation", "substation", 3000, 0, t + timedelta(minutes=9)),
        QueueItem("source", "source", 20000, 0, t + timedelta(minutes=9)),
        QueueItem("service", "service_point", 1, 0, t - timedelta(minutes=30)),
    ]
    assert [i.key for i in restoration_order(items)] == [
        "source",
        "substation",
        "fuse-ls",
        "feeder",
        "fuse",
        "service-ls",
        "service",
    ]


def test_reports_crowded_under_one_branch_stay_on_that_branch(net):
    # SP1-SP6 are 6 of SUB1's 10 and 6 of F1's 8: every share is met up to the source,
    # but they all sit under R1, one of F1's two branches (R1, T4) and SUB1's (F1, F2):
    # R1 is out, not the feeder, the substation or the source above it.
    found = predict(
        net, reports("SP1", "SP2", "SP3", "SP4", "SP5", "SP6"), now=NOW, parameters=HALF
    )
    assert [(p.device, p.affected) for p in found] == [("R1", 6)]


def test_reports_on_every_branch_take_the_device_out(net):
    # F1 and F2 both report (SP1-SP4 and SP7 under F1, SP9 and SP10 under F2): SUB1 is
    # out, and with it the source's only branch, so the source is predicted.
    found = predict(
        net,
        reports("SP1", "SP2", "SP3", "SP4", "SP7", "SP9", "SP10"),
        now=NOW,
        parameters=HALF,
    )
    assert [p.device for p in found] == ["SRC"]


def test_calls_scattered_under_every_branch_are_not_the_device(net):
    # SUB1 at a 30 % threshold: SP1, SP5 and SP9 are 3 of its 10, and each of its branches
    # has a call. But F1's 2 calls are 25 % of its 8 service points, under the substation's
    # 30 %: only F2 (1 of 2) reports as a branch, 1 of 2 is not more than half, and the
    # three calls stay single services (no feeder reaches 60 %, nor two calls).
    scattered = Parameters(
        window=timedelta(minutes=15),
        thresholds={
            "source": Decimal("0.3"),
            "substation": Decimal("0.3"),
            **{k: Decimal("0.6") for k in ("feeder", "recloser", "fuse", "transformer")},
        },
    )
    found = predict(net, reports("SP1", "SP5", "SP9"), now=NOW, parameters=scattered)
    assert sorted(p.device for p in found) == ["SP1", "SP5", "SP9"]
    assert {p.kind for p in found} == {"service_point"}
