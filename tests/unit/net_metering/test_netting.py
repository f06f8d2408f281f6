"""Net energy, the excess credit and the credit bank (SEC policy 425), by hand."""

from decimal import Decimal as D

import pytest

from coopcis.core.money import Money
from coopcis.core.net_metering.netting import ALL_HOURS, bank_month, excess_credit, net_energy


def test_flat_positive_net_is_billed_with_no_excess():
    net = net_energy(delivered_kwh={ALL_HOURS: D("900")}, received_kwh={ALL_HOURS: D("300")})
    assert (net.net_kwh, net.billed_kwh, net.excess_kwh) == (D("600"), D("600"), D("0"))


def test_flat_negative_net_bills_nothing_and_is_the_excess():
    net = net_energy(delivered_kwh={ALL_HOURS: D("400")}, received_kwh={ALL_HOURS: D("1400.5")})
    assert (net.net_kwh, net.billed_kwh, net.excess_kwh) == (D("-1000.5"), D("0"), D("1000.5"))


def test_each_tou_period_is_netted_on_its_own():
    net = net_energy(
        delivered_kwh={"on_peak": D("720"), "off_peak": D("540")},
        received_kwh={"on_peak": D("60"), "off_peak": D("1080")},
    )
    assert net.billed_kwh_by_period == {"off_peak": D("0"), "on_peak": D("660")}
    assert net.excess_kwh == D("540")  # though the period as a whole nets +120 kWh
    assert net.net_kwh == D("120")


def test_negative_energy_is_refused():
    with pytest.raises(ValueError, match="received"):
        net_energy(delivered_kwh={ALL_HOURS: D("1")}, received_kwh={ALL_HOURS: D("-1")})


def test_credit_rounds_half_up_to_the_cent_once():
    # 333.5 kWh x $0.0275 = 9.17125 -> 9.17; 0.5 kWh x $0.031 = 0.0155 -> 0.02
    assert excess_credit(excess_kwh=D("333.5"), avoided_cost_per_kwh=D("0.0275")) == Money.of(
        "9.17"
    )
    assert excess_credit(excess_kwh=D("0.5"), avoided_cost_per_kwh=D("0.031")) == Money.of("0.02")


@pytest.mark.parametrize(
    ("before", "credited", "payout", "after"),
    [
        ("30.00", "20.00", "0.00", "50.00"),  # exactly $50.00 is carried
        ("30.00", "20.01", "50.01", "0.00"),  # greater than $50.00 is paid, the bank restarts
        ("0.00", "75.40", "75.40", "0.00"),  # one big month is paid at once
        ("12.00", "0.00", "0.00", "12.00"),  # a month with no excess carries the bank
    ],
)
def test_bank_pays_out_only_above_fifty_dollars(before, credited, payout, after):
    month = bank_month(
        before=Money.of(before), credited=Money.of(credited), payout_above=Money.of("50.00")
    )
    assert (month.payout, month.after) == (Money.of(payout), Money.of(after))
