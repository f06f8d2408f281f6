"""The demo's net-metered members are billed on their net energy, with their credits."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.management import call_command

from coopcis.apps.billing.models import Bill
from coopcis.apps.demo.billing_setup import AVOIDED_COST_PER_KWH
from coopcis.apps.ledger.integrity import verify_ledger
from coopcis.apps.metering.models import RegisterRead
from coopcis.apps.netmetering.models import Interconnection, NetMeteringMonth


def _advance_wh(meter_id: int, channel: str, start, end) -> int:
    registers = dict(
        RegisterRead.objects.filter(
            meter_id=meter_id, channel=channel, read_on__in=[start, end]
        ).values_list("read_on", "register_wh")
    )
    return registers[end] - registers[start]


def test_demo_net_members_are_billed_with_their_credits(demo_coop):
    interconnections = Interconnection.objects.select_related("net_meter")
    assert interconnections.exists()
    assert all(
        ic.status == "IN_SERVICE" and ic.net_meter.kind == "NET_METER" for ic in interconnections
    )

    call_command("bill-run", "--period", "2025-08", verbosity=0)

    net_bills = Bill.objects.filter(
        meter_serial__in=[ic.net_meter.serial for ic in interconnections]
    )
    assert net_bills.exists()
    credited = 0
    for bill in net_bills:
        month = NetMeteringMonth.objects.get(bill=bill)
        meter_id = next(
            ic.net_meter_id for ic in interconnections if ic.net_meter.serial == bill.meter_serial
        )
        delivered = _advance_wh(meter_id, "DELIVERED", bill.period_start, bill.period_end)
        received = _advance_wh(meter_id, "RECEIVED", bill.period_start, bill.period_end)
        assert received > 0, "the demo's solar sends energy back in August"
        assert (month.delivered_wh, month.received_wh) == (delivered, received)
        assert month.net_wh == delivered - received
        energy = bill.lines.get(code="energy")
        assert energy.quantity * 1000 == max(delivered - received, 0)
        excess = Decimal(max(received - delivered, 0)) / 1000
        credit = (excess * AVOIDED_COST_PER_KWH).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert month.credit_amount == credit
        assert month.bank_after_amount + month.payout_amount == credit  # the first month
        credited += credit > 0
    assert credited, "some net member sent more than it used"
    assert verify_ledger().problems == []
