"""The renewable energy credit (REC) program: agreements, REC meter reads, the REC rate,
the twice-yearly payments and the member's yearly statement (SEC policy 425).

A payment posts Dr 555.1 REC purchases, Cr 232.1 accounts payable (a check request).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from coopcis.apps.ledger.models import EntryKind
from coopcis.apps.ledger.services import post_entry
from coopcis.apps.members.models import Account
from coopcis.apps.netmetering.models import (
    Interconnection,
    InterconnectionStatus,
    RecAgreement,
    RecPayment,
    RecRate,
    RecRead,
)
from coopcis.apps.netmetering.policy import PAYABLE, REC_PURCHASES, net_metering_policy
from coopcis.apps.netmetering.services import rate_on
from coopcis.core.errors import RuleViolation
from coopcis.core.ledger.entries import JournalEntry, credit, debit
from coopcis.core.net_metering.recs import ReadStatus, check_read, read_status, rec_payment


@transaction.atomic
def sign_rec_agreement(
    *, interconnection: Interconnection, on: date, opening_kwh: Decimal
) -> RecAgreement:
    """The member opts in to the REC program (policy 425: an executed REC agreement)."""
    if interconnection.status != InterconnectionStatus.IN_SERVICE:
        raise RuleViolation(
            f"interconnection {interconnection.pk} is not in service: the REC meter is read "
            "once the system is",
            field="interconnection",
        )
    if opening_kwh < 0:
        raise RuleViolation("the REC meter's opening read is never negative", field="opening_kwh")
    if RecAgreement.objects.filter(interconnection=interconnection, ended_on__isnull=True).exists():
        raise RuleViolation("the member already has a REC agreement", field="interconnection")
    return RecAgreement.objects.create(
        account=interconnection.account,
        interconnection=interconnection,
        signed_on=on,
        opening_kwh=opening_kwh,
    )


def open_agreement(account: Account) -> RecAgreement:
    found = RecAgreement.objects.filter(account=account, ended_on__isnull=True).first()
    if found is None:
        raise RuleViolation(f"account {account.number} has no REC agreement", field="account")
    return found


@transaction.atomic
def enter_rec_read(
    *, account: Account, read_on: date, register_kwh: Decimal, received_on: date, entered_by: str
) -> RecRead:
    """A REC meter reading; lower than the latest one is refused (the meter counts up)."""
    agreement = RecAgreement.objects.select_for_update().get(pk=open_agreement(account).pk)
    if read_on < agreement.signed_on or received_on < read_on:
        raise RuleViolation(
            "a read is dated on or after the agreement and received on or after it is read",
            field="read_on",
        )
    latest = agreement.reads.filter(read_on__lte=read_on).order_by("-read_on").first()
    check_read(
        register_kwh=register_kwh,
        latest_kwh=latest.register_kwh if latest else agreement.opening_kwh,
        latest_on=latest.read_on if latest else agreement.signed_on,
    )
    later = agreement.reads.filter(read_on__gt=read_on, register_kwh__lt=register_kwh).first()
    if later is not None:
        raise RuleViolation(
            f"a later read ({later.register_kwh} kWh on {later.read_on}) is lower than this one",
            field="register_kwh",
        )
    if agreement.reads.filter(read_on=read_on).exists():
        raise RuleViolation(f"a REC read for {read_on} is already entered", field="read_on")
    return RecRead.objects.create(
        agreement=agreement,
        read_on=read_on,
        received_on=received_on,
        register_kwh=register_kwh,
        entered_by=entered_by[:150],
    )


@dataclass(frozen=True)
class ReadDue:
    account: str
    name: str
    status: str


def rec_read_report(*, year: int, month: int, as_of: date) -> list[ReadDue]:
    """Each REC agreement's read for the month: on time, late, missing (or not yet due)."""
    due_day = net_metering_policy().rec_read_due_day
    first = date(year, month, 1)
    agreements = RecAgreement.objects.filter(signed_on__lte=first).exclude(ended_on__lte=first)
    report = []
    for agreement in agreements.select_related("account__party").order_by("account__number"):
        received = [
            read.received_on
            for read in agreement.reads.all()
            if (read.read_on.year, read.read_on.month) == (year, month)
        ]
        status = read_status(
            year=year, month=month, received_on=received, as_of=as_of, due_day=due_day
        )
        report.append(ReadDue(agreement.account.number, str(agreement.account.party), status))
    return report


@transaction.atomic
def set_rec_rate(*, effective_on: date, rate_per_kwh: Decimal, source: str) -> RecRate:
    if rate_per_kwh < 0:
        raise RuleViolation("a REC rate is never negative", field="rate")
    if not source.strip():
        raise RuleViolation("cite where the rate comes from (--source)", field="source")
    if RecRate.objects.filter(effective_on=effective_on).exists():
        raise RuleViolation(f"a REC rate already starts on {effective_on}", field="from")
    return RecRate.objects.create(
        effective_on=effective_on, rate_per_kwh=rate_per_kwh, source=source.strip()[:200]
    )


@transaction.atomic
def pay_recs(*, on: date) -> list[RecPayment]:
    """The twice-yearly REC payment (policy 425: May and September) as of ``on``: each
    agreement's generation read since its previous payment at the REC rate in force.
    Once per agreement and month; an agreement with no new read is left for the next."""
    policy = net_metering_policy()
    if on.month not in policy.rec_payment_months:
        months = " and ".join(date(2000, m, 1).strftime("%B") for m in policy.rec_payment_months)
        raise RuleViolation(
            f"REC payments are made in {months} (SEC policy 425), not in {on:%B}", field="on"
        )
    table = list(
        RecRate.objects.order_by("effective_on").values_list("effective_on", "rate_per_kwh")
    )
    rate = rate_on(table, on)
    if rate is None:
        raise RuleViolation(
            f"no REC rate in force on {on}; set it with `coopcis net-metering rec-rate`",
            field="on",
        )
    month = f"{on:%Y-%m}"
    paid = []
    agreements = RecAgreement.objects.filter(signed_on__lte=on).exclude(ended_on__lte=on)
    for agreement in agreements.select_related("account").order_by("id"):
        if agreement.payments.filter(month=month).exists():
            continue
        latest_paid = agreement.payments.order_by("-paid_on").first()
        start = latest_paid.to_kwh if latest_paid else agreement.opening_kwh
        read = agreement.reads.filter(read_on__lte=on).order_by("-read_on").first()
        if read is None or read.register_kwh <= start:
            continue
        payment = rec_payment(from_kwh=start, to_kwh=read.register_kwh, rate_per_kwh=rate)
        if not payment.amount:
            continue
        number = agreement.account.number
        entry = post_entry(
            JournalEntry(
                posted_on=on,
                memo=f"REC payment {month}: {payment.generation_kwh} kWh at ${rate}/kWh",
                lines=(
                    debit(REC_PURCHASES, payment.amount, member_account=number),
                    credit(PAYABLE, payment.amount, member_account=number),
                ),
                source="rec",
            ),
            kind=EntryKind.ADJUSTMENT,
            source_key=f"rec:{agreement.pk}:{month}",
        )
        paid.append(
            RecPayment.objects.create(
                agreement=agreement,
                month=month,
                paid_on=on,
                from_kwh=payment.from_kwh,
                to_kwh=payment.to_kwh,
                rate_per_kwh=rate,
                amount=payment.amount.amount,
                journal_entry=entry,
            )
        )
    return paid


def rec_statement(*, account: Account, year: int) -> str:
    """The member's yearly REC statement: each payment with its reads, rate and amount."""
    payments = RecPayment.objects.filter(agreement__account=account, paid_on__year=year).order_by(
        "paid_on"
    )
    name = str(account.party)
    out = [
        f"Renewable energy credit statement {year}",
        f"Account {account.number}  {name}",
        "",
        f"{'paid on':<12} {'from kWh':>12} {'to kWh':>12} {'kWh':>10} {'$/kWh':>10} {'amount':>10}",
    ]
    total = Decimal("0.00")
    for payment in payments:
        kwh = payment.to_kwh - payment.from_kwh
        out.append(
            f"{payment.paid_on!s:<12} {payment.from_kwh:>12} {payment.to_kwh:>12} {kwh:>10} "
            f"{payment.rate_per_kwh:>10} {payment.amount:>10}"
        )
        total += payment.amount
    out += [
        "",
        f"Paid in {year}: ${total:,.2f} (SEC policy 425: REC payments in May and September)",
    ]
    return "\n".join(out)


__all__ = ["ReadStatus"]
