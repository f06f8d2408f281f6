"""Each protection stops a disconnection and says why; an agreement broken reopens collection."""

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.billing.models import Bill
from coopcis.apps.collections.models import (
    Agreement,
    AgreementStatus,
    CollectionCase,
    OrderKind,
    OrderStatus,
    ServiceOrder,
)
from coopcis.apps.collections.run import run_collections
from coopcis.apps.collections.services import (
    make_agreement,
    open_dispute,
    place_hold,
    record_certificate,
    record_liheap,
    release_hold,
)
from coopcis.apps.receivables.models import ReceivableItem
from coopcis.core.errors import RuleViolation
from tests.integration.collections.conftest import pay, run_days, steps_for

pytestmark = pytest.mark.django_db
D = Decimal


def certificate(home, received_on, bill=None, affidavit=True):
    return record_certificate(
        account=home,
        bill=bill or Bill.objects.get(account=home),
        received_on=received_on,
        profession="PHYSICIAN",
        certifier_name="Dr. Ana Ortiz",
        license_number="MD-1234",
        ill_person="Jose Baca",
        affidavit_of_inability=affidavit,
    )


PROTECTIONS = {
    "MEDICAL_CERTIFICATE": lambda home: certificate(home, date(2026, 11, 28)),
    "DISPUTE_UNDER_INVESTIGATION": lambda home: open_dispute(
        account=home, amount=D("60.00"), opened_on=date(2026, 11, 20), description="meter misread"
    ),
    "CO_OP_HOLD": lambda home: place_hold(
        account=home, reason="manager review", on=date(2026, 11, 20)
    ),
    "AGREEMENT_KEPT": lambda home: make_agreement(
        account=home,
        kind="INSTALLMENT",
        made_on=date(2026, 11, 20),
        total_amount=D("183.89"),
        down_payment_amount=D("0"),
        installments=3,
        first_due_on=date(2026, 12, 20),
    ),
}


@pytest.mark.parametrize("code", sorted(PROTECTIONS))
def test_each_protection_stops_the_disconnection_and_says_why(billed, code):
    home = billed.home
    run_days(date(2026, 10, 30), date(2026, 11, 19))
    PROTECTIONS[code](home)
    reports = run_days(date(2026, 11, 20), date(2026, 12, 4))
    assert "disconnect_orders" not in steps_for(reports, home.number)
    assert not ServiceOrder.objects.filter(kind=OrderKind.DISCONNECT).exists()
    case = CollectionCase.objects.get(account=home)
    (found,) = case.protected_by
    assert found["code"] == code and found["detail"]
    assert reports[date(2026, 12, 1)]["protections"][home.number] == case.protected_by


def test_the_reasons_are_specific(billed):
    home = billed.home
    run_days(date(2026, 10, 30), date(2026, 11, 19))
    certificate(home, date(2026, 11, 28))
    open_dispute(
        account=home, amount=D("60.00"), opened_on=date(2026, 11, 20), description="misread"
    )
    run_collections(as_of=date(2026, 11, 30))
    details = {p["code"]: p["detail"] for p in CollectionCase.objects.get().protected_by}
    assert details["DISPUTE_UNDER_INVESTIGATION"] == "$60.00 disputed since 2026-11-20: misread"
    assert (
        "Dr. Ana Ortiz (physician (medicine)) received 2026-11-28" in details["MEDICAL_CERTIFICATE"]
    )


@pytest.mark.parametrize(
    ("received_on", "other_bill", "affidavit"),
    [
        (date(2026, 11, 29), False, True),
        (date(2026, 11, 20), True, True),
        (date(2026, 11, 20), False, False),
    ],
    ids=["one day before the date", "for another billing", "without the affidavit"],
)
def test_a_certificate_late_for_another_bill_or_without_affidavit_does_not_protect(
    billed, received_on, other_bill, affidavit
):
    home = billed.home
    bill = Bill.objects.get(account=home)
    if other_bill:
        bill = Bill.objects.get(account=billed.tou_home)
        bill.account = home  # an older billing of the same member
        bill.pk = None
        bill.period = "2026-09"
        bill.journal_entry = None
        bill.save()
    run_days(date(2026, 10, 30), date(2026, 11, 19))
    certificate(home, received_on, bill=bill, affidavit=affidavit)
    reports = run_days(date(2026, 11, 20), date(2026, 11, 30))
    assert steps_for(reports, home.number)["disconnect_orders"] == [date(2026, 11, 30)]


def test_recording_a_protection_cancels_an_open_disconnect_order(billed):
    home = billed.home
    run_days(date(2026, 10, 30), date(2026, 11, 30))
    order = ServiceOrder.objects.get(kind=OrderKind.DISCONNECT)
    place_hold(account=home, reason="storm restoration", on=date(2026, 11, 30))
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.cancel_reason == "protection recorded: co-op hold (storm restoration)"
    hold = home.collection_holds.get()
    release_hold(hold, on=date(2026, 12, 2))
    report = run_collections(as_of=date(2026, 12, 2))
    assert report.accounts["disconnect_orders"] == [home.number]


def test_a_hold_cannot_end_before_it_starts_nor_be_released_twice(billed):
    home = billed.home
    with pytest.raises(RuleViolation, match="cannot end") as refused:
        place_hold(account=home, reason="review", on=date(2026, 12, 2), until=date(2026, 12, 1))
    assert refused.value.field == "until" and not home.collection_holds.exists()
    hold = place_hold(account=home, reason="review", on=date(2026, 12, 2))
    with pytest.raises(RuleViolation, match="was placed on"):
        release_hold(hold, on=date(2026, 12, 1))
    release_hold(hold, on=date(2026, 12, 3))
    with pytest.raises(RuleViolation, match="was released on 2026-12-03"):
        release_hold(hold, on=date(2026, 12, 4))
    hold.refresh_from_db()
    assert hold.released_on == date(2026, 12, 3)


def _due_after_november_15(home):
    Bill.objects.filter(account=home).update(due_date=date(2026, 11, 20))
    ReceivableItem.objects.filter(account=home).update(due_on=date(2026, 11, 20))


def test_winter_moratorium_for_a_liheap_member_with_nothing_past_due_on_november_15(billed):
    home = billed.home
    _due_after_november_15(home)
    record_liheap(account=home, qualified_on=date(2026, 11, 2), reference="HSD-778")
    reports = run_days(date(2026, 11, 20), date(2027, 1, 5))
    steps = steps_for(reports, home.number)
    # notices still go out; the disconnection (17 December) does not happen
    assert steps["disconnect_notices"] == [date(2026, 12, 2)]
    assert "disconnect_orders" not in steps and date(2026, 12, 17) in steps["protected"]
    (found,) = CollectionCase.objects.get().protected_by
    assert found["code"] == "WINTER_MORATORIUM"
    assert "LIHEAP-qualified (HSD-778)" in found["detail"] and "2026-11-15" in found["detail"]


def test_no_moratorium_for_a_liheap_member_already_past_due_on_november_15(billed):
    home = billed.home
    record_liheap(account=home, qualified_on=date(2026, 11, 2))
    reports = run_days(date(2026, 10, 30), date(2026, 11, 30))
    assert steps_for(reports, home.number)["disconnect_orders"] == [date(2026, 11, 30)]


def test_no_moratorium_without_liheap(billed):
    home = billed.home
    _due_after_november_15(home)
    reports = run_days(date(2026, 11, 20), date(2026, 12, 17))
    assert steps_for(reports, home.number)["disconnect_orders"] == [date(2026, 12, 17)]


def test_an_agreement_kept_then_broken_reopens_collection(billed):
    home = billed.home
    run_days(date(2026, 10, 30), date(2026, 11, 19))
    agreement = make_agreement(
        account=home,
        kind="INSTALLMENT",
        made_on=date(2026, 11, 20),
        total_amount=D("183.89"),
        down_payment_amount=D("50.00"),
        installments=2,
        first_due_on=date(2026, 12, 20),
    )
    assert [(i.due_on, i.amount) for i in agreement.installments.all()] == [
        (date(2026, 11, 20), D("50.00")),
        (date(2026, 12, 20), D("66.94")),
        (date(2027, 1, 19), D("66.95")),
    ]
    pay(home, "50.00", date(2026, 11, 20))
    kept = run_days(date(2026, 11, 20), date(2026, 12, 25))
    steps = steps_for(kept, home.number)
    assert set(steps) == {"paused"} and not ServiceOrder.objects.exists()
    # the December installment is missed: 5 days' grace, broken on the 26th
    broken = run_days(date(2026, 12, 26), date(2026, 12, 28))
    steps = steps_for(broken, home.number)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.BROKEN and agreement.broken_on == date(2026, 12, 26)
    assert agreement.shortfall_amount == D("66.94")
    assert steps["agreements_broken"] == [date(2026, 12, 26)]
    # the final contact was never made: made now, and the date moves 2+ days out
    assert steps["final_contacts"] == [date(2026, 12, 26)]
    assert steps["disconnect_orders"] == [date(2026, 12, 28)]
    order = ServiceOrder.objects.get(kind=OrderKind.DISCONNECT)
    assert order.case.past_due_amount == D("133.89")
    assert Agreement.objects.get().status == AgreementStatus.BROKEN
