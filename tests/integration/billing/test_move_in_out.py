"""A service point that changes hands during the period: a final bill to the member moving
out up to the move-out read, the incoming member's bill from that read on, fixed charges
by the days each was served; the same bills whatever the batch size."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.billing.models import Bill, BillRunIssue, RiderFactor
from coopcis.apps.billing.run import DEFAULT_BATCH_SIZE, run_billing
from coopcis.apps.ledger import reports
from coopcis.apps.premises.models import ServiceAgreement
from tests.factories import AccountFactory
from tests.integration.small_coop import DCA, PCA, reads

D = Decimal
MOVE = date(2026, 9, 13)  # 12 of the 30 days from the 1 September read to the 1 October one


def lines_of(bill):
    return {line.code: line.amount for line in bill.lines.all()}


def move(old_account, on: date, *, read_kwh: int | None, kind: str = "ACTUAL"):
    """The member of ``old_account`` moves out on ``on``; a new member moves in that day
    (with a read of the meter that day, unless ``read_kwh`` is None)."""
    old = ServiceAgreement.objects.get(account=old_account)
    old.end_on = on
    old.save()
    newcomer = AccountFactory(rate_class=old_account.rate_class)
    ServiceAgreement.objects.create(
        account=newcomer,
        service_point=old.service_point,
        tariff_code=old.tariff_code,
        start_on=on,
        fixtures=old.fixtures,
    )
    if read_kwh is not None:
        meter = old.service_point.installations.get().meter
        reads(meter, (on, read_kwh), kind=kind)
    return newcomer


def bills_of(**accounts) -> dict[str, list[tuple]]:
    """Each member's bills, by role (account ids differ from one test to the next)."""
    return {
        role: [
            (
                bill.period_start,
                bill.period_end,
                bill.energy_wh,
                bill.total_amount,
                bill.status,
                bill.bill_date,
                tuple(sorted(lines_of(bill).items())),
            )
            for bill in Bill.objects.filter(account=account).order_by("id")
        ]
        for role, account in accounts.items()
    }


@pytest.mark.parametrize("batch_size", [1, 2, 7, 500, DEFAULT_BATCH_SIZE])
def test_a_mid_period_move_bills_each_member_for_their_part(small_coop, batch_size):
    # home: 10,000 kWh on 1 September, 10,400 at the move on the 13th, 11,000 on 1 October;
    # the TOU home's interval meter and the lights change hands too (lights: 20 September)
    home, tou, lights = small_coop.home, small_coop.tou_home, small_coop.lights
    newcomer = move(home, MOVE, read_kwh=10_400)
    # 15 days of 42 kWh a day (24 on-peak quarter hours of 1 kWh, 72 of 0.25) = 630 kWh
    tou_newcomer = move(tou, date(2026, 9, 16), read_kwh=5_630, kind="ESTIMATED")
    lights_newcomer = move(lights, date(2026, 9, 21), read_kwh=None)

    run_billing(period_label="2026-10", batch_size=batch_size)

    final, first = Bill.objects.get(account=home), Bill.objects.get(account=newcomer)
    # the final bill: 400 kWh; $30.00 customer charge x 12/30 days = $12.00;
    # 400 x 0.1371 = 54.84, PCA 1.684 -> 1.68, DCA 0.34; tax 6.8125% of 68.86 = 4.69
    assert (final.period_start, final.period_end) == (date(2026, 9, 1), MOVE)
    assert (final.previous_register_wh, final.current_register_wh) == (10_000_000, 10_400_000)
    assert final.energy_wh == 400_000
    assert lines_of(final) == {
        "customer": D("12.00"),
        "energy": D("54.84"),
        "pca": D("1.68"),
        "dca": D("0.34"),
        "tax-gross-receipts": D("4.69"),
    }
    assert final.total_amount == D("73.55")
    assert final.bill_date == date(2026, 9, 22)  # the move read + the cycle's 9 days
    customer = final.lines.get(code="customer")
    assert customer.description.endswith("(12 of 30 days)")
    # the incoming member: 600 kWh from the move read; $30.00 x 18/30 = $18.00;
    # 82.26 + PCA 2.526 -> 2.53 + DCA 0.51; tax 6.8125% of 103.30 = 7.04
    assert (first.period_start, first.period_end) == (MOVE, date(2026, 10, 1))
    assert first.energy_wh == 600_000
    assert lines_of(first) == {
        "customer": D("18.00"),
        "energy": D("82.26"),
        "pca": D("2.53"),
        "dca": D("0.51"),
        "tax-gross-receipts": D("7.04"),
    }
    assert first.total_amount == D("110.34")
    # together, exactly the meter's 1,000 kWh and one customer charge
    assert final.energy_wh + first.energy_wh == 1_000_000

    # an interval meter splits at the move day's midnight; the move read here is an
    # estimate, and the bill says so
    tou_final, tou_first = Bill.objects.get(account=tou), Bill.objects.get(account=tou_newcomer)
    assert (tou_final.energy_wh, tou_first.energy_wh) == (630_000, 630_000)
    assert lines_of(tou_final)["customer"] == D("16.25")  # $32.50 x 15/30
    assert lines_of(tou_first)["customer"] == D("16.25")
    assert tou_final.current_read_kind == "ESTIMATED"

    # unmetered lights: September's fixtures charge by the days each held them
    assert lines_of(Bill.objects.get(account=lights))["lighting"] == D("62.80")  # 94.20 x 20/30
    assert lines_of(Bill.objects.get(account=lights_newcomer))["lighting"] == D("31.40")

    assert reports.trial_balance().balanced
    found = bills_of(
        home=home,
        newcomer=newcomer,
        tou=tou,
        tou_newcomer=tou_newcomer,
        lights=lights,
        lights_newcomer=lights_newcomer,
    )
    # every batch size bills exactly what the first one did, line for line
    assert SEEN.setdefault("bills", found) == found


SEEN: dict[str, dict[str, list[tuple]]] = {}


def test_a_move_without_a_read_that_day_waits_and_says_why(small_coop):
    home = small_coop.home
    newcomer = move(home, MOVE, read_kwh=None)
    run_billing(period_label="2026-10")
    assert not Bill.objects.filter(account__in=[home, newcomer]).exists()
    (issue,) = BillRunIssue.objects.filter(reason="NO_MOVE_READ")
    assert issue.account == newcomer
    assert f"changed hands on {MOVE} with no read that day" in issue.detail
    # the read is recorded: the next run bills both members
    reads(ServiceAgreement.objects.get(account=home).service_point.installations.get().meter,
          (MOVE, 10_400))  # fmt: skip
    run_billing(period_label="2026-10")
    assert Bill.objects.get(account=home).total_amount == D("73.55")
    assert Bill.objects.get(account=newcomer).total_amount == D("110.34")


def test_a_move_after_the_read_is_split_in_the_next_month(small_coop):
    home = small_coop.home
    for code, per_kwh in (("pca", PCA), ("dca", DCA)):
        RiderFactor.objects.create(month="2026-11", code=code, per_kwh=per_kwh, source="test")
    # the member moves out on 19 October (18 of the 31 days to the 1 November read), and
    # the move read is in before October is billed: it is not October's cycle read
    newcomer = move(home, date(2026, 10, 19), read_kwh=11_540)
    run_billing(period_label="2026-10")  # September's use, up to the 1 October read
    october = Bill.objects.get(account=home)
    assert (october.period_start, october.period_end) == (date(2026, 9, 1), date(2026, 10, 1))
    assert lines_of(october)["customer"] == D("30.00")
    assert not Bill.objects.filter(account=newcomer).exists()
    meter = ServiceAgreement.objects.get(account=home).service_point.installations.get().meter
    reads(meter, (date(2026, 11, 1), 11_930))

    run_billing(period_label="2026-11")
    final = Bill.objects.get(account=home, period="2026-11")
    first = Bill.objects.get(account=newcomer)
    assert (final.period_start, final.period_end, final.energy_wh) == (
        date(2026, 10, 1),
        date(2026, 10, 19),
        540_000,
    )
    assert (first.period_start, first.period_end, first.energy_wh) == (
        date(2026, 10, 19),
        date(2026, 11, 1),
        390_000,
    )
    # $30.00 x 18/31 = 17.419... -> 17.42; x 13/31 = 12.580... -> 12.58
    assert lines_of(final)["customer"] == D("17.42")
    assert lines_of(first)["customer"] == D("12.58")
