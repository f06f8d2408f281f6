"""Making the draft file for the 3rd or the 25th.

One PPD batch of debits (transaction code 27 checking, 37 savings) and prenotes (28, 38),
effective on the draft day or the next Federal Reserve business day, sent one business day
before (``coopcis.core.payments.calendar``). Each debit's payment is posted when the file
is made, dated the effective date, and reversed if the entry comes back: the usual
practice for utilities, so the member's balance shows the draft at once.

Nothing is drafted twice: a charge belongs to at most one draft (``AchDraftItem.item`` is
unique) and an account has at most one debit per draft date (a unique constraint), so a
second run for the same date writes no new entry. Trace numbers are unique across every
file ever made, so a return names exactly one entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import holidays as holiday_calendars
from django.db import transaction
from django.db.models import Sum

from coopcis.apps.members.models import AccountStatus, BankAccountType, BankDraftMandate
from coopcis.apps.payments.ach.models import (
    AchDraftEntry,
    AchDraftItem,
    AchEntryStatus,
    AchFile,
    AchFileStatus,
    AchOriginator,
    Prenote,
    PrenoteStatus,
)
from coopcis.apps.payments.models import Payment, PaymentStatus
from coopcis.apps.payments.services import receive_payment
from coopcis.apps.receivables.models import ItemStatus, ReceivableItem
from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money
from coopcis.core.payments import nacha
from coopcis.core.payments.calendar import (
    DraftableItem,
    DraftPolicy,
    DraftSchedule,
    add_business_days,
    amount_to_draft,
    draft_schedule,
)

FILE_ID_MODIFIERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
DEBIT_CODES = {BankAccountType.CHECKING: 27, BankAccountType.SAVINGS: 37}
PRENOTE_CODES = {BankAccountType.CHECKING: 28, BankAccountType.SAVINGS: 38}


def fed_holidays(*years: int) -> frozenset[date]:
    """Federal Reserve holidays of these years (and the next, for dates near year end)."""
    wanted = sorted({*years, *(year + 1 for year in years)})
    return frozenset(holiday_calendars.financial_holidays("XFED", years=wanted).keys())


@transaction.atomic
def set_originator(**fields: str) -> AchOriginator:
    """Record the co-op's ACH set-up with its bank, checking the routing numbers."""
    from coopcis.apps.payments.ach.enrolment import check_routing_number

    originator = AchOriginator.objects.filter(pk=1).first() or AchOriginator(pk=1)
    for name, value in fields.items():
        setattr(originator, name, value.strip())
    check_routing_number(originator.immediate_destination)
    if not (len(originator.originating_dfi) == 8 and originator.originating_dfi.isdigit()):
        raise RuleViolation("the ODFI is the first 8 digits of a routing number", field="odfi")
    origin = originator.immediate_origin
    if not (len(origin) in (9, 10) and origin.isdigit()):
        raise RuleViolation("the origin is a routing number or 1 + EIN", field="origin")
    for name in ("destination_name", "origin_name", "company_name", "company_identification"):
        if not getattr(originator, name):
            raise RuleViolation(f"{name.replace('_', ' ')} is required", field=name)
    originator.save()
    return originator


@dataclass(frozen=True)
class DraftRun:
    file: AchFile | None
    schedule: DraftSchedule
    prenotes: int
    debits: int
    total: Money


def _settle_earlier_entries(schedule: DraftSchedule, holidays: Collection[date], days: int) -> None:
    """Entries whose return window has passed by this file's effective date are settled."""
    cutoff = add_business_days(schedule.effective_on, -days, holidays)
    AchDraftEntry.objects.filter(
        status=AchEntryStatus.DRAFTED, file__effective_on__lte=cutoff
    ).update(status=AchEntryStatus.SETTLED)


def _prenote_cleared(mandate: BankDraftMandate, latest_prenote_on: date) -> bool:
    """The mandate's latest proof (a prenote sent in a file, or one the previous system
    made, imported) is of its current bank details and old enough to debit on."""
    prenote = (
        mandate.prenotes.filter(status__in=[PrenoteStatus.SENT, PrenoteStatus.IMPORTED])  # type: ignore[attr-defined]
        .select_related("entry__file")
        .order_by("-id")
        .first()
    )
    if prenote is None:
        return False
    proven_on = (
        prenote.proven_on
        if prenote.status == PrenoteStatus.IMPORTED
        else prenote.entry.file.effective_on
    )
    return (
        prenote.routing_number == mandate.routing_number
        and prenote.bank_account_number == mandate.bank_account_number
        and prenote.bank_account_type == mandate.bank_account_type
        and proven_on <= latest_prenote_on
    )


def _debit_for(mandate: BankDraftMandate, draft_on: date) -> tuple[Money, list[ReceivableItem]]:
    items = list(
        ReceivableItem.objects.select_for_update()
        .filter(account_id=mandate.account_id, status=ItemStatus.OPEN, posted_on__lte=draft_on)
        .order_by("due_on", "id")
    )
    drafted = set(AchDraftItem.objects.filter(item__in=items).values_list("item_id", flat=True))
    credit = Payment.objects.filter(
        account_id=mandate.account_id, status=PaymentStatus.POSTED, unapplied_amount__gt=0
    ).aggregate(total=Sum("unapplied_amount"))["total"] or Decimal(0)
    due = amount_to_draft(
        [
            DraftableItem(item.pk, item.posted_on, Money(item.open_amount), item.pk in drafted)
            for item in items
        ],
        draft_on=draft_on,
        credit=Money(credit),
    )
    chosen = [item for item in items if item.pk in due.item_ids]
    return due.amount, chosen


def _next_sequence() -> int:
    """Entries are numbered in the order they are made, across all files."""
    latest = AchDraftEntry.objects.order_by("-id").values_list("trace_number", flat=True).first()
    return int(latest[8:]) + 1 if latest else 1


def _file_id_modifier(created_on: date) -> str:
    used = set(
        AchFile.objects.filter(created_on=created_on).values_list("file_id_modifier", flat=True)
    )
    for modifier in FILE_ID_MODIFIERS:
        if modifier not in used:
            return modifier
    raise RuleViolation(f"36 files were already made on {created_on}", field="date")


def _mandates_due(schedule: DraftSchedule) -> list[BankDraftMandate]:
    already = AchDraftEntry.objects.filter(draft_on=schedule.draft_on, prenote=False)
    return list(
        BankDraftMandate.objects.filter(
            active=True, draft_day=schedule.draft_on.day, account__autopay=True
        )
        .exclude(account__status=AccountStatus.CLOSED)
        .exclude(account_id__in=already.values("account_id"))
        .select_related("account")
        .order_by("account__number")
    )


def _pending_prenotes() -> list[Prenote]:
    return list(
        Prenote.objects.select_for_update()
        .filter(status=PrenoteStatus.PENDING, mandate__active=True)
        .exclude(mandate__account__status=AccountStatus.CLOSED)
        .select_related("mandate__account")
        .order_by("mandate__account__number")
    )


@dataclass
class _Planned:
    mandate: BankDraftMandate
    entry: nacha.Entry
    amount: Money
    items: list[ReceivableItem]
    prenote: Prenote | None = None


def _plan(
    schedule: DraftSchedule,
    originator: AchOriginator,
    holidays: Collection[date],
    policy: DraftPolicy,
) -> list[_Planned]:
    sequence = _next_sequence()
    planned: list[_Planned] = []

    def entry(mandate: BankDraftMandate, code: int, amount: Money) -> nacha.Entry:
        nonlocal sequence
        trace = nacha.trace_number(originator.originating_dfi, sequence)
        sequence += 1
        return nacha.Entry(
            transaction_code=code,
            routing_number=mandate.routing_number,
            account_number=mandate.bank_account_number,
            amount_cents=nacha.to_cents(amount),
            individual_id=mandate.account.number,
            individual_name=mandate.holder_name,
            trace_number=trace,
        )

    for prenote in _pending_prenotes():
        mandate = prenote.mandate
        code = PRENOTE_CODES[mandate.bank_account_type]
        planned.append(
            _Planned(mandate, entry(mandate, code, Money.zero()), Money.zero(), [], prenote)
        )
    latest_prenote_on = add_business_days(
        schedule.effective_on, -policy.prenote_wait_business_days, holidays
    )
    for mandate in _mandates_due(schedule):
        if not _prenote_cleared(mandate, latest_prenote_on):
            continue
        amount, items = _debit_for(mandate, schedule.draft_on)
        if amount:
            code = DEBIT_CODES[mandate.bank_account_type]
            planned.append(_Planned(mandate, entry(mandate, code, amount), amount, items))
    return planned


def _write(
    schedule: DraftSchedule,
    originator: AchOriginator,
    created_at: datetime,
    planned: list[_Planned],
) -> tuple[str, str]:
    header = nacha.FileHeader(
        immediate_destination=originator.immediate_destination,
        immediate_origin=originator.immediate_origin,
        destination_name=originator.destination_name,
        origin_name=originator.origin_name,
        created_on=created_at.date(),
        created_time=created_at.time().replace(second=0, microsecond=0),
        file_id_modifier=_file_id_modifier(created_at.date()),
    )
    batch = nacha.Batch(
        nacha.BatchHeader(
            company_name=originator.company_name,
            company_identification=originator.company_identification,
            entry_description=originator.entry_description,
            effective_on=schedule.effective_on,
            originating_dfi=originator.originating_dfi,
        ),
        tuple(plan.entry for plan in planned),
    )
    text = nacha.write_ach_file(nacha.AchFile(header, (batch,)))
    return text, header.file_id_modifier


@transaction.atomic
def make_draft_file(
    *,
    draft_on: date,
    created_at: datetime,
    holidays: Collection[date],
    policy: DraftPolicy | None = None,
) -> DraftRun:
    """Write the file for the draft day ``draft_on``: prenotes for new bank details, debits
    for the accounts due that day whose prenote has cleared. ``created_at`` is the local
    time stamped in the file header (the caller reads the clock)."""
    policy = policy or DraftPolicy()
    schedule = draft_schedule(draft_on, holidays)
    originator = AchOriginator.objects.select_for_update().filter(pk=1).first()
    if originator is None:
        raise RuleViolation(
            "no ACH originator is set up: run `coopcis ach originator` first", field="originator"
        )
    _settle_earlier_entries(schedule, holidays, policy.return_window_business_days)
    planned = _plan(schedule, originator, holidays, policy)
    if not planned:
        return DraftRun(None, schedule, 0, 0, Money.zero())
    text, modifier = _write(schedule, originator, created_at, planned)
    debits = [plan for plan in planned if plan.prenote is None]
    total = sum((plan.amount for plan in debits), Money.zero())
    ach_file = AchFile.objects.create(
        draft_on=schedule.draft_on,
        created_on=created_at.date(),
        created_at=created_at,
        effective_on=schedule.effective_on,
        send_on=schedule.send_on,
        file_id_modifier=modifier,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        text=text,
        entry_count=len(planned),
        prenote_count=len(planned) - len(debits),
        total_cents=nacha.to_cents(total),
    )
    for plan in planned:
        _record(ach_file, schedule, plan)
    return DraftRun(ach_file, schedule, len(planned) - len(debits), len(debits), total)


def _record(ach_file: AchFile, schedule: DraftSchedule, plan: _Planned) -> None:
    entry = AchDraftEntry.objects.create(
        file=ach_file,
        account=plan.mandate.account,
        mandate=plan.mandate,
        draft_on=schedule.draft_on,
        transaction_code=plan.entry.transaction_code,
        amount=plan.amount.amount,
        trace_number=plan.entry.trace_number,
        prenote=plan.prenote is not None,
    )
    if plan.prenote is not None:
        plan.prenote.status, plan.prenote.entry = PrenoteStatus.SENT, entry
        plan.prenote.save(update_fields=["status", "entry"])
        return
    AchDraftItem.objects.bulk_create(
        [AchDraftItem(entry=entry, item=item, amount=item.open_amount) for item in plan.items]
    )
    trace = plan.entry.trace_number
    entry.payment = receive_payment(
        account=plan.mandate.account,
        amount=plan.amount.amount,
        channel="BANK_DRAFT",
        tender="ACH",
        received_on=schedule.effective_on,
        reference=f"ACH {trace}",
        source=f"ACH file {ach_file.pk}, draft {schedule.draft_on}",
        idempotency_key=f"ach:{trace}",
    ).payment
    entry.save(update_fields=["payment"])


@transaction.atomic
def mark_file_sent(*, ach_file: AchFile, sent_at: datetime) -> AchFile:
    """Record that the file went to the bank (once)."""
    ach_file = AchFile.objects.select_for_update().get(pk=ach_file.pk)
    if ach_file.status == AchFileStatus.SENT:
        raise RuleViolation(f"ACH file {ach_file.pk} was already sent", field="file")
    ach_file.status, ach_file.sent_at = AchFileStatus.SENT, sent_at
    ach_file.save(update_fields=["status", "sent_at"])
    return ach_file
