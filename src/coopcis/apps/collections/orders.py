"""Service orders for the field, with the fees they carry (DOMAIN.md "Fees and service
charges"; SEC policies 405, 411, 421; OCEC handbook service charges).

Fees come from the profile: an order whose fee the profile lacks carries none (OCEC names
no reconnect charge; SEC no trip charge). A fee is charged when the work is done. A
non-payment disconnect is checked again in the field: a payment posted after the order
was generated, a protection, or nothing past due cancels it instead. Hazard, harmful
equipment, tampering and unauthorized use are worked without notice (policy 411), and no
non-payment protection applies to them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction

from coopcis.apps.audit.context import current_actor
from coopcis.apps.collections.models import (
    CollectionCase,
    Notice,
    NoticeKind,
    OrderKind,
    OrderReason,
    OrderStatus,
    ServiceOrder,
    Stage,
)
from coopcis.apps.collections.services import (
    find_protections,
    latest_payment_id,
    past_due_amount,
    payments_since,
    setting,
    work_calendar,
)
from coopcis.apps.credit.models import DecisionEvent, Deposit, DepositStatus
from coopcis.apps.members.models import Account
from coopcis.apps.receivables.models import ItemStatus, ReceivableItem
from coopcis.apps.receivables.services import charge_fee
from coopcis.catalog.profiles import active_profile
from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money

WITHOUT_NOTICE = (
    OrderReason.HAZARD,
    OrderReason.HARMFUL_EQUIPMENT,
    OrderReason.TAMPERING,
    OrderReason.UNAUTHORIZED_USE,
)


def _fee_code(kind: str, reason: str, account: Account, after_hours: bool) -> str:
    """The profile fee an order carries ('' when none applies or the profile lacks it)."""
    if kind == OrderKind.DISCONNECT and reason == OrderReason.TAMPERING:
        earlier = ServiceOrder.objects.filter(
            account=account, reason=OrderReason.TAMPERING, status=OrderStatus.COMPLETED
        ).exists()
        code = "tampering_repeat" if earlier else "tampering_first"
    elif kind == OrderKind.DISCONNECT and reason == OrderReason.NON_PAYMENT:
        code = str(setting("disconnect_fee", ""))
    elif kind == OrderKind.RECONNECT and reason == OrderReason.PAID:
        code = str(setting("reconnect_fee", ""))
    elif kind == OrderKind.RECONNECT and reason == OrderReason.MEMBER_REQUEST:
        code = "seasonal_reconnect"
    elif kind == OrderKind.COLLECT:
        code = str(setting("collect_fee", ""))
    elif kind == OrderKind.CONNECT:
        code = "connect_after_hours" if after_hours else "connect"
    elif kind == OrderKind.TROUBLE_CALL:
        code = "trouble_call_after_hours" if after_hours else "trouble_call"
    elif kind == OrderKind.METER_TEST:
        code = "meter_test"
    else:
        code = ""
    return code if code in active_profile().fees else ""


@transaction.atomic
def create_order(
    *,
    account: Account,
    kind: str,
    reason: str,
    on: date,
    at: datetime | None = None,
    case: CollectionCase | None = None,
    note: str = "",
) -> ServiceOrder:
    """An order for the field, scheduled in business hours on the next open day (or at
    ``at``, local time, which may be after hours: connect and trouble calls then carry
    the after-hours fee). Without-notice reasons are scheduled for ``on`` itself."""
    if kind not in OrderKind.values:
        raise RuleViolation(f"unknown order kind {kind!r}", field="kind")
    if reason not in OrderReason.values:
        raise RuleViolation(f"unknown reason {reason!r}", field="reason")
    calendar = work_calendar(around=on)
    after_hours = at is not None and not calendar.is_business_hours(at)
    without_notice = kind == OrderKind.DISCONNECT and reason in WITHOUT_NOTICE
    if at is not None:
        scheduled = at.date()
    elif without_notice:
        scheduled = on
    else:
        scheduled = calendar.next_open_day(on)
    code = _fee_code(kind, reason, account, after_hours)
    window = f"{at:%H:%M}" if at else f"{calendar.opens:%H:%M}-{calendar.closes:%H:%M}"
    return ServiceOrder.objects.create(
        account=account,
        case=case,
        kind=kind,
        reason=reason,
        without_notice=without_notice,
        created_on=on,
        scheduled_on=scheduled,
        window=window,
        after_hours=after_hours,
        fee_code=code,
        fee_amount=active_profile().fees[code].amount.amount if code else Decimal(0),
        latest_payment_id=latest_payment_id(account),
        note=note[:300],
    )


def cancel_order(order: ServiceOrder, *, on: date, reason: str) -> ServiceOrder:
    if order.status != OrderStatus.OPEN:
        raise RuleViolation(f"order {order.pk} is not open", field="order")
    order.status = OrderStatus.CANCELLED
    order.cancelled_on = on
    order.cancel_reason = reason[:300]
    order.save(update_fields=["status", "cancelled_on", "cancel_reason"])
    if order.case is not None and order.kind == OrderKind.DISCONNECT:
        order.case.stage = Stage.FINAL_CONTACT
        order.case.save(update_fields=["stage"])
    return order


def why_not_disconnect(order: ServiceOrder, *, on: date) -> str:
    """Why a non-payment disconnect must not be worked now ('' when it may)."""
    paid = payments_since(order)
    if paid:
        amounts = ", ".join(f"payment {p.pk} of ${p.amount} on {p.received_on}" for p in paid)
        return f"{amounts} posted after the order was generated"
    if order.case is not None:
        found = find_protections(order.case, as_of=on)
        if found:
            return "protected: " + "; ".join(f"{p.code} ({p.detail})" for p in found)
    if past_due_amount(order.account, as_of=on) < Money.of("0.01"):
        return "nothing past due"
    return ""


def why_no_collect_fee(account: Account, *, on: date) -> str:
    """Why a collection made away from the office on ``on`` carries no fee ('' when it does).

    A profile may charge only when the member has not paid within N days after a notice of
    delinquency was mailed (``collect_fee_days_after_notice``; SEC policy 405: 20 days, so
    the charge starts on the 21st day). The
    notice counts when it was mailed for the debt still being collected: a second notice or
    a 15-day notice of the account's open case."""
    days = int(setting("collect_fee_days_after_notice", 0))  # type: ignore[call-overload]
    if days <= 0:
        return ""
    notices = Notice.objects.filter(
        account=account,
        case__closed_on__isnull=True,
        kind__in=[NoticeKind.SECOND, NoticeKind.DISCONNECT],
        method="MAIL",
        sent_on__lte=on,
    )
    first = notices.order_by("sent_on").values_list("sent_on", flat=True).first()
    if first is None:
        return "no notice of delinquency was mailed"
    if (on - first).days <= days:
        return f"the notice of delinquency was mailed {first}; {on} is within {days} days of it"
    return ""


def _charge(order: ServiceOrder, on: date, code: str, key: str) -> ReceivableItem | None:
    return charge_fee(
        account=order.account,
        fee_code=code,
        on=on,
        reason=f"{order.get_kind_display()} order {order.pk}",
        source_key=key,
    )


@transaction.atomic
def complete_order(
    order: ServiceOrder, *, on: date, fee_applies: bool = True, note: str = ""
) -> ServiceOrder:
    """The field says the work is done. ``fee_applies``: for a meter test, whether it was
    tested within 18 months and found accurate; for a trouble call, whether the fault was
    the member's. A non-payment disconnect is cancelled instead when it may not be worked."""
    order = (
        ServiceOrder.objects.select_for_update(of=("self",))
        .select_related("account", "case")
        .get(pk=order.pk)
    )
    if order.status != OrderStatus.OPEN:
        raise RuleViolation(
            f"order {order.pk} is {order.get_status_display().lower()}", field="order"
        )
    if order.kind == OrderKind.DISCONNECT and order.reason == OrderReason.NON_PAYMENT:
        why = why_not_disconnect(order, on=on)
        if why:
            return cancel_order(order, on=on, reason=why)
    charged = order.fee_code and (
        fee_applies or order.kind not in (OrderKind.METER_TEST, OrderKind.TROUBLE_CALL)
    )
    if charged and order.kind == OrderKind.COLLECT:
        why_free = why_no_collect_fee(order.account, on=on)
        if why_free:
            charged = False
            note = f"{note or order.note} (no {order.fee_code} fee: {why_free})".strip()
    already = order.kind == OrderKind.RECONNECT and order.fee_item_id is not None
    if charged and not already:
        order.fee_item = _charge(order, on, order.fee_code, f"service-order:{order.pk}")
    order.status = OrderStatus.COMPLETED
    order.completed_on = on
    order.completed_by = current_actor().label
    order.note = (note or order.note)[:300]
    order.save()
    if order.case is not None and order.kind == OrderKind.DISCONNECT:
        _disconnected(order, on)
    if order.case is not None and order.kind == OrderKind.RECONNECT:
        case = order.case
        case.stage = Stage.CLOSED
        case.closed_on = on
        case.close_reason = f"reconnected by order {order.pk}"
        case.next_step, case.next_step_on = "", None
        case.save()
    return order


def _disconnected(order: ServiceOrder, on: date) -> None:
    """After a non-payment disconnection: the reconnect fee is charged now (it must be paid
    before service is restored, policy 421) and a new deposit decided (Rule No. 4 (c))."""
    from coopcis.apps.credit.services import bill_deposit, decide_deposit, held_deposit_amount

    case = order.case
    assert case is not None
    case.stage = Stage.DISCONNECTED
    case.disconnected_on = on
    code = str(setting("reconnect_fee", ""))
    if code in active_profile().fees:
        case.reconnect_fee_item = _charge(order, on, code, f"reconnect-fee:{order.pk}")
    case.save()
    if not setting("deposit_on_reconnection", False):
        return
    decision = decide_deposit(account=order.account, event=DecisionEvent.RECONNECTION, on=on)
    additional = Money(decision.amount) - held_deposit_amount(order.account)
    if decision.required and additional.amount > 0:
        bill_deposit(account=order.account, amount=additional.amount, on=on, decision=decision)


def reconnect_outstanding(case: CollectionCase, *, as_of: date) -> Money:
    """What must still be paid before reconnection: the delinquent amount, the reconnect
    fee (and the disconnect trip fee) and any new deposit billed since the disconnection."""
    outstanding = past_due_amount(case.account, as_of=as_of)
    if case.reconnect_fee_item_id is not None:
        item = ReceivableItem.objects.get(pk=case.reconnect_fee_item_id)
        if item.status == ItemStatus.OPEN:
            outstanding = outstanding + Money(item.open_amount)
    fees = ReceivableItem.objects.filter(
        pk__in=ServiceOrder.objects.filter(
            case=case, kind=OrderKind.DISCONNECT, status=OrderStatus.COMPLETED
        ).values("fee_item_id"),
        status=ItemStatus.OPEN,
    )
    for item in fees:
        outstanding = outstanding + Money(item.open_amount)
    deposits = Deposit.objects.filter(
        account=case.account,
        status=DepositStatus.BILLED,
        billed_on__gte=case.disconnected_on or as_of,
    ).select_related("billed_item")
    for deposit in deposits:
        if deposit.billed_item is not None and deposit.billed_item.status == ItemStatus.OPEN:
            outstanding = outstanding + Money(deposit.billed_item.open_amount)
    return outstanding


@transaction.atomic
def reconnect_if_paid(account: Account, *, on: date) -> ServiceOrder | None:
    """Order the reconnection as soon as everything required is paid (call after posting a
    payment; the daily job calls it too). None when nothing is owed to reconnect or not
    all is paid yet."""
    from coopcis.apps.credit.services import settle_billed_deposits

    case = CollectionCase.objects.filter(
        account=account, closed_on__isnull=True, stage=Stage.DISCONNECTED
    ).first()
    if case is None or reconnect_outstanding(case, as_of=on):
        return None
    settle_billed_deposits(account=account)
    order = create_order(
        account=account, kind=OrderKind.RECONNECT, reason=OrderReason.PAID, on=on, case=case
    )
    if case.reconnect_fee_item_id is not None:
        order.fee_item_id = case.reconnect_fee_item_id
        order.save(update_fields=["fee_item"])
    case.stage = Stage.RECONNECT_ORDERED
    case.next_step, case.next_step_on = "RECONNECT", order.scheduled_on
    case.save(update_fields=["stage", "next_step", "next_step_on"])
    return order


def disconnections_for_nonpayment(account: Account) -> list[date]:
    """The days ``account`` was disconnected for non-payment (for the credit rules)."""
    return list(
        ServiceOrder.objects.filter(
            account=account,
            kind=OrderKind.DISCONNECT,
            reason=OrderReason.NON_PAYMENT,
            status=OrderStatus.COMPLETED,
        ).values_list("completed_on", flat=True)
    )
