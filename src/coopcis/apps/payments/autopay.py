"""Autopay by card: enrol a card (its processor token), stop it, and charge it on the due date.

A member pays automatically either by bank draft (the mandate and prenote of
:mod:`coopcis.apps.payments.ach.enrolment`, drafted on the 3rd or the 25th) or by a
recurring card charged on each bill's due date for the account's amount due; enrolling
one ends the other. Every change is in the audit trail (the card and the account are
audited models; the reason says where it came from).

``coopcis autopay charge --date D`` charges every active card whose account has a posted
bill due on ``D`` and owes money: once per card and bill (the idempotency key
``autopay:<card>:<bill>``, at the processor and on the payment), under the
``RECURRING_CARD`` ceiling, through the same posting as every other payment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction

from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.ledger.services import member_balance
from coopcis.apps.members.models import Account, BankDraftMandate
from coopcis.apps.payments.ach.enrolment import end_bank_draft
from coopcis.apps.payments.gateway import PaymentGateway, PaymentToken
from coopcis.apps.payments.models import PaymentChannel, RecurringCard, Tender
from coopcis.apps.payments.online import record_gateway_charge
from coopcis.apps.payments.services import check_ceiling, receive_payment
from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money


@transaction.atomic
def enroll_recurring_card(
    *, account: Account, card: PaymentToken, holder_name: str, gateway_name: str, on: date
) -> RecurringCard:
    """Charge this card on each due date from now on (replacing any earlier card and
    ending a bank draft)."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    if card.expiry_month is None or card.expiry_year is None:
        raise RuleViolation("a recurring card needs its expiry", field="expiry")
    if (card.expiry_year, card.expiry_month) < (on.year, on.month):
        raise RuleViolation("the card has expired", field="expiry")
    _stop_cards(account, on=on, reason="replaced by another card")
    mandate = BankDraftMandate.objects.filter(account=account, active=True).first()
    if mandate is not None:
        end_bank_draft(
            mandate=mandate,
            on=on,
            reason="autopay moved to a recurring card",
            source_key=f"autopay-card:{account.pk}:{on.isoformat()}",
        )
        account.refresh_from_db()
    recurring = RecurringCard(
        account=account,
        gateway=gateway_name,
        token=card.token,
        last4=card.last4,
        brand=card.brand,
        expiry_month=card.expiry_month,
        expiry_year=card.expiry_year,
        holder_name=holder_name.strip()[:80],
        enrolled_on=on,
    )
    recurring.with_reason("recurring card autopay enrolled").save()
    if not account.autopay:
        account.autopay = True
        account.with_reason("enrolled in recurring card autopay").save(update_fields=["autopay"])
    return recurring


@transaction.atomic
def stop_recurring_card(*, account: Account, on: date, reason: str) -> bool:
    """Stop charging the account's card; False when none was active."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    stopped = _stop_cards(account, on=on, reason=reason)
    if stopped and account.autopay and not _drafts(account):
        account.autopay = False
        account.with_reason(reason).save(update_fields=["autopay"])
    return stopped


def _drafts(account: Account) -> bool:
    return BankDraftMandate.objects.filter(account=account, active=True).exists()


def _stop_cards(account: Account, *, on: date, reason: str) -> bool:
    stopped = False
    for card in RecurringCard.objects.filter(account=account, stopped_on__isnull=True):
        card.stopped_on = on
        card.with_reason(reason).save(update_fields=["stopped_on"])
        stopped = True
    return stopped


def active_card(account: Account) -> RecurringCard | None:
    return RecurringCard.objects.filter(account=account, stopped_on__isnull=True).first()


@dataclass
class AutopayReport:
    """What a run charged, what the processor declined and what it left, by account."""

    charged: list[tuple[str, Decimal, str]] = field(default_factory=list)
    declined: list[tuple[str, Decimal, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def charged_amount(self) -> Decimal:
        return sum((amount for _, amount, _ in self.charged), Decimal(0))

    def as_json(self) -> dict[str, object]:
        return {
            "charged": [
                {"account": a, "amount": f"{m:.2f}", "authorization": z} for a, m, z in self.charged
            ],
            "declined": [
                {"account": a, "amount": f"{m:.2f}", "reason": r} for a, m, r in self.declined
            ],
            "skipped": [{"account": a, "reason": r} for a, r in self.skipped],
            "charged_amount": f"{self.charged_amount:.2f}",
        }


def charge_recurring_cards(
    *, on: date, gateway: PaymentGateway, dry_run: bool = False
) -> AutopayReport:
    """Charge the amount due of every active card whose account has a bill due ``on``.

    A dry run asks the processor nothing and lists what would be charged."""
    report = AutopayReport()
    cards = RecurringCard.objects.filter(stopped_on__isnull=True).select_related("account")
    for card in cards.order_by("account__number"):
        bill = (
            Bill.objects.filter(account=card.account, status=BillStatus.POSTED, due_date=on)
            .order_by("-id")
            .first()
        )
        if bill is None:
            continue
        number = card.account.number
        owed = member_balance(card.account)
        if owed <= 0:
            report.skipped.append((number, "nothing owed"))
            continue
        if (card.expiry_year, card.expiry_month) < (on.year, on.month):
            report.skipped.append((number, f"card ending {card.last4} has expired"))
            continue
        try:
            check_ceiling(owed, PaymentChannel.RECURRING_CARD, Tender.CARD)
        except RuleViolation as refused:
            report.skipped.append((number, refused.message))
            continue
        if dry_run:
            report.charged.append((number, owed, ""))
            continue
        _charge(card, bill, owed, on=on, gateway=gateway, report=report)
    return report


def _charge(
    card: RecurringCard,
    bill: Bill,
    owed: Decimal,
    *,
    on: date,
    gateway: PaymentGateway,
    report: AutopayReport,
) -> None:
    key = f"autopay:{card.pk}:{bill.pk}"
    number = card.account.number
    result = gateway.charge(token=card.token, amount=Money(owed), idempotency_key=key)
    if not result.approved:
        reason = result.decline_reason or "the processor did not answer; run again"
        report.declined.append((number, owed, reason))
        return
    with transaction.atomic():
        received = receive_payment(
            account=card.account,
            amount=owed,
            channel=PaymentChannel.RECURRING_CARD,
            tender=Tender.CARD,
            received_on=on,
            reference=result.authorization,
            source=f"gateway {gateway.name} {result.authorization}, recurring card {card.last4}",
            idempotency_key=key,
        )
        record_gateway_charge(
            payment=received.payment,
            gateway=gateway,
            authorization=result.authorization,
            tender=Tender.CARD,
            key=key,
        )
    report.charged.append((number, owed, result.authorization))
